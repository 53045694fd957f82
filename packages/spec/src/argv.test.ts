import fc from "fast-check";
import { split as shellSplit } from "shlex";
import { describe, expect, it } from "vitest";
import { parseRunArgv, RUN_USAGE, type RunCommand, runCommandJob } from "./argv.js";
import { type Diagnostic, formatDiagnostic } from "./diagnostics.js";
import type { Job } from "./job.js";
import { parseWorkflows } from "./workflows.js";

const GB = 1e9;
const GiB = 2 ** 30;

const WORKFLOWS_YAML = `workflows:
  - name: train
    provider: python
    file: train.py
    args: ["--epochs", "10"]
    environment:
      A: "0"
      B: "2"
    artifacts: [model]
    requirements: requirements.txt
    resources:
      cpu: 4
      memory: 16GB
      gpu:
        name: A100
        count: 2
        memory: 40GB
  - name: in-sub
    provider: python
    file: main.py
    working_dir: sub
    resources:
      interruptible: true
`;

function workflows(): Job[] {
  const r = parseWorkflows({ files: [{ path: ".dstack/workflows.yaml", text: WORKFLOWS_YAML }] });
  expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
  return r.jobs;
}

/** Parses argv that must be valid. */
function command(argv: readonly string[]): RunCommand {
  const r = parseRunArgv(argv);
  if ("errors" in r) throw new Error(r.errors.map(formatDiagnostic).join("\n"));
  return r.command;
}

/** The formatted errors of argv that parseRunArgv must refuse. */
function parseErrors(argv: readonly string[]): string[] {
  const r = parseRunArgv(argv);
  if (!("errors" in r)) throw new Error(`expected errors, got ${JSON.stringify(r.command)}`);
  return r.errors.map(formatDiagnostic);
}

/** The job of argv that must parse and validate. */
function job(argv: readonly string[]): Job {
  const r = runCommandJob({ command: command(argv), workflows: workflows() });
  if ("errors" in r) throw new Error(r.errors.map(formatDiagnostic).join("\n"));
  return r.job;
}

/** The diagnostics of argv that parses but whose values are refused. */
function jobErrors(argv: readonly string[]): Diagnostic[] {
  const r = runCommandJob({ command: command(argv), workflows: workflows() });
  if (!("errors" in r)) throw new Error(`expected errors, got ${JSON.stringify(r.job)}`);
  return r.errors;
}

/** `dstack run python train.py` with nothing else. */
const INLINE: Job = {
  workflow: null,
  provider: "python",
  file: "train.py",
  args: [],
  environment: {},
  artifacts: [],
  workingDir: ".",
  beforeRun: [],
  resources: { interruptible: false },
  deps: [],
};

/** The `train` workflow of {@link WORKFLOWS_YAML}, as the file gives it. */
const TRAIN: Job = {
  workflow: "train",
  provider: "python",
  file: "train.py",
  args: ["--epochs", "10"],
  requirements: "requirements.txt",
  environment: { A: "0", B: "2" },
  artifacts: ["model"],
  workingDir: ".",
  beforeRun: [],
  resources: {
    interruptible: false,
    cpu: 4,
    memoryBytes: 16 * GB,
    gpu: { count: 2, name: "a100", memoryBytes: 40 * GB },
  },
  deps: [],
};

describe("RUN_USAGE", () => {
  it("carries the seed's usage line, option for option", () => {
    for (const part of [
      "usage: dstack run python [-d] [-h] [-r REQUIREMENTS] [-e ENV] [-a ARTIFACT]",
      "[--working-dir WORKING_DIR] [-i] [--cpu CPU]",
      "[--memory MEMORY] [--gpu GPU_COUNT]",
      "[--gpu-name GPU_NAME] [--gpu-memory GPU_MEMORY]",
      "[--shm-size SHM_SIZE]",
      "FILE [ARGS ...]",
    ]) {
      expect(RUN_USAGE).toContain(part);
    }
  });

  it("explains where a script's options go, with the seed's example", () => {
    expect(RUN_USAGE).toContain(
      "dstack's options are dstack's wherever they stand before --, after FILE too:\n  dstack run python train.py -r requirements.txt -a model --gpu 4 --gpu-name K80",
    );
    expect(RUN_USAGE).toContain("Options dstack does not know stay the script's, in order");
    expect(RUN_USAGE).toContain(
      "go after --, where everything is the script's:\n  dstack run python train.py -- -d -r x",
    );
  });
});

describe("parseRunArgv + runCommandJob: python FILE, every option of the usage line", () => {
  const cases: {
    name: string;
    argv: string[];
    detach?: boolean;
    want: Partial<Job>;
  }[] = [
    { name: "FILE alone", argv: ["python", "train.py"], want: {} },
    { name: "-d", argv: ["python", "-d", "train.py"], detach: true, want: {} },
    { name: "--detach", argv: ["python", "--detach", "train.py"], detach: true, want: {} },
    {
      name: "-r",
      argv: ["python", "-r", "requirements.txt", "train.py"],
      want: { requirements: "requirements.txt" },
    },
    {
      name: "--requirements",
      argv: ["python", "--requirements", "reqs/dev.txt", "train.py"],
      want: { requirements: "reqs/dev.txt" },
    },
    {
      name: "--requirements=value",
      argv: ["python", "--requirements=./req.txt", "train.py"],
      want: { requirements: "req.txt" },
    },
    {
      name: "-r with the value attached (-rreq.txt)",
      argv: ["python", "-rreq.txt", "train.py"],
      want: { requirements: "req.txt" },
    },
    { name: "-e", argv: ["python", "-e", "A=1", "train.py"], want: { environment: { A: "1" } } },
    {
      name: "-e twice gives both variables",
      argv: ["python", "-e", "A=1", "-e", "B=two", "train.py"],
      want: { environment: { A: "1", B: "two" } },
    },
    {
      name: "--env and --env=, value with = and empty value",
      argv: ["python", "--env", "A=b=c", "--env=EMPTY=", "-eC=3", "train.py"],
      want: { environment: { A: "b=c", EMPTY: "", C: "3" } },
    },
    { name: "-a", argv: ["python", "-a", "model", "train.py"], want: { artifacts: ["model"] } },
    {
      name: "-a and --artifact repeated, normalized",
      argv: ["python", "-a", "model", "--artifact", "./out/", "--artifact=logs", "train.py"],
      want: { artifacts: ["model", "out", "logs"] },
    },
    {
      name: "--working-dir",
      argv: ["python", "--working-dir", "sub", "train.py"],
      want: { workingDir: "sub" },
    },
    {
      name: "--working-dir=value",
      argv: ["python", "--working-dir=sub/dir/", "train.py"],
      want: { workingDir: "sub/dir" },
    },
    {
      name: "-i",
      argv: ["python", "-i", "train.py"],
      want: { resources: { interruptible: true } },
    },
    {
      name: "--interruptible",
      argv: ["python", "--interruptible", "train.py"],
      want: { resources: { interruptible: true } },
    },
    {
      name: "--cpu",
      argv: ["python", "--cpu", "4", "train.py"],
      want: { resources: { interruptible: false, cpu: 4 } },
    },
    {
      name: "--cpu=value",
      argv: ["python", "--cpu=16", "train.py"],
      want: { resources: { interruptible: false, cpu: 16 } },
    },
    {
      name: "--memory (decimal GB)",
      argv: ["python", "--memory", "16GB", "train.py"],
      want: { resources: { interruptible: false, memoryBytes: 16_000_000_000 } },
    },
    {
      name: "--memory=value (binary MiB)",
      argv: ["python", "--memory=512MiB", "train.py"],
      want: { resources: { interruptible: false, memoryBytes: 536870912 } },
    },
    {
      name: "--gpu",
      argv: ["python", "--gpu", "4", "train.py"],
      want: { resources: { interruptible: false, gpu: { count: 4 } } },
    },
    {
      name: "--gpu-name is normalized (Tesla K80 -> k80), count 1",
      argv: ["python", "--gpu-name", "Tesla K80", "train.py"],
      want: { resources: { interruptible: false, gpu: { count: 1, name: "k80" } } },
    },
    {
      name: "--gpu-memory",
      argv: ["python", "--gpu-memory", "80GB", "train.py"],
      want: { resources: { interruptible: false, gpu: { count: 1, memoryBytes: 80 * GB } } },
    },
    {
      name: "--shm-size",
      argv: ["python", "--shm-size", "8GB", "train.py"],
      want: { resources: { interruptible: false, shmSizeBytes: 8 * GB } },
    },
    {
      name: "--shm-size=value (Kubernetes Gi)",
      argv: ["python", "--shm-size=2Gi", "train.py"],
      want: { resources: { interruptible: false, shmSizeBytes: 2 * GiB } },
    },
    {
      name: "short group -di",
      argv: ["python", "-di", "train.py"],
      detach: true,
      want: { resources: { interruptible: true } },
    },
    {
      name: "short group -id with a value-taking short last (-dir req.txt)",
      argv: ["python", "-dir", "req.txt", "train.py"],
      detach: true,
      want: { requirements: "req.txt", resources: { interruptible: true } },
    },
    {
      name: "the seed's example: -r requirements.txt -a model --gpu 4 --gpu-name K80 before FILE",
      argv: [
        "python",
        "-r",
        "requirements.txt",
        "-a",
        "model",
        "--gpu",
        "4",
        "--gpu-name",
        "K80",
        "train.py",
      ],
      want: {
        requirements: "requirements.txt",
        artifacts: ["model"],
        resources: { interruptible: false, gpu: { count: 4, name: "k80" } },
      },
    },
    {
      name: "everything at once, FILE and ARGS",
      argv: [
        "python",
        "-d",
        "-r",
        "req.txt",
        "-e",
        "A=1",
        "-e",
        "B=2",
        "-a",
        "m",
        "-a",
        "n",
        "--working-dir=sub",
        "-i",
        "--cpu=4",
        "--memory",
        "16GB",
        "--gpu",
        "2",
        "--gpu-name",
        "NVIDIA H100 80GB HBM3",
        "--gpu-memory",
        "512MiB",
        "--shm-size",
        "8GB",
        "train.py",
        "a",
        "b",
      ],
      detach: true,
      want: {
        args: ["a", "b"],
        requirements: "req.txt",
        environment: { A: "1", B: "2" },
        artifacts: ["m", "n"],
        workingDir: "sub",
        resources: {
          interruptible: true,
          cpu: 4,
          memoryBytes: 16_000_000_000,
          shmSizeBytes: 8_000_000_000,
          gpu: { count: 2, name: "h100", memoryBytes: 536870912 },
        },
      },
    },
    {
      name: "ARGS after FILE",
      argv: ["python", "train.py", "--epochs", "3", "data.csv"],
      want: { args: ["--epochs", "3", "data.csv"] },
    },
  ];
  it.each(cases)("$name", ({ argv, detach = false, want }) => {
    const c = command(argv);
    expect(c.target).toBe("python");
    expect(c.detach).toBe(detach);
    expect(c.help).toBe(false);
    expect(job(argv)).toStrictEqual({ ...INLINE, ...want });
  });
});

describe("parseRunArgv: help", () => {
  const cases = [
    { name: "-h alone, no FILE", argv: ["-h"] },
    { name: "--help alone, no FILE", argv: ["--help"] },
    { name: "python -h, no FILE", argv: ["python", "-h"] },
    { name: "python --help, no FILE", argv: ["python", "--help"] },
    { name: "workflow -h", argv: ["train", "-h"] },
    { name: "-h in a short group", argv: ["python", "-dh"] },
  ];
  it.each(cases)("$name", ({ argv }) => {
    expect(command(argv).help).toBe(true);
  });
});

/** The warning of argv that must parse, as printed, or undefined. */
function warning(argv: readonly string[]): string | undefined {
  const r = parseRunArgv(argv);
  if ("errors" in r) throw new Error(r.errors.map(formatDiagnostic).join("\n"));
  return r.warning && formatDiagnostic(r.warning);
}

/**
 * The warning of the Python provider reference's example (argv: python train.py -r
 * requirements.txt ... K80).
 */
const SEED_WARNING =
  "command line: warning: -r requirements.txt, -a model, --gpu 4, --gpu-name K80 after train.py are taken as dstack's options (before train.py they are too, without this warning); for the script, put them after --: dstack run python train.py -- -r requirements.txt -a model --gpu 4 --gpu-name K80";

describe("parseRunArgv: after FILE, dstack's options are dstack's and the rest is the script's", () => {
  const cases: {
    name: string;
    argv: string[];
    file?: string;
    args: string[];
    detach?: boolean;
    help?: boolean;
    overrides?: Record<string, unknown>;
    remote?: RunCommand["remote"];
    warning?: string;
  }[] = [
    {
      name: "seed 001's example verbatim: -r, -a, --gpu and --gpu-name after FILE",
      argv: [
        "python",
        "train.py",
        "-r",
        "requirements.txt",
        "-a",
        "model",
        "--gpu",
        "4",
        "--gpu-name",
        "K80",
      ],
      args: [],
      overrides: {
        requirements: "requirements.txt",
        artifacts: ["model"],
        resources: { gpu: { count: 4, name: "K80" } },
      },
      warning: SEED_WARNING,
    },
    {
      name: "a script's own -d and -r after -- are the script's, without a warning",
      argv: ["python", "train.py", "--", "-d", "-r", "x"],
      args: ["-d", "-r", "x"],
    },
    {
      name: "a script's -d and -r after FILE without -- are dstack's, with a warning",
      argv: ["python", "train.py", "-d", "-r", "x"],
      args: [],
      detach: true,
      overrides: { requirements: "x" },
      warning:
        "command line: warning: -d, -r x after train.py are taken as dstack's options (before train.py they are too, without this warning); for the script, put them after --: dstack run python train.py -- -d -r x",
    },
    {
      name: "unknown options stay the script's, in order, without a warning",
      argv: ["python", "train.py", "--epochs", "20", "--lr=0.1", "-v", "data.csv"],
      args: ["--epochs", "20", "--lr=0.1", "-v", "data.csv"],
    },
    {
      name: "unknown options around dstack's keep their order, then the words after --",
      argv: ["python", "train.py", "--epochs", "20", "--gpu", "2", "-v", "--", "--gpu", "8"],
      args: ["--epochs", "20", "-v", "--gpu", "8"],
      overrides: { resources: { gpu: { count: 2 } } },
      warning:
        "command line: warning: --gpu 2 after train.py is taken as dstack's option (before train.py it is too, without this warning); for the script, put it after --: dstack run python train.py -- --epochs 20 --gpu 2 -v --gpu 8",
    },
    {
      name: "--opt=value after FILE: dstack's when dstack knows it",
      argv: ["python", "train.py", "--gpu=2", "--epochs=3"],
      args: ["--epochs=3"],
      overrides: { resources: { gpu: { count: 2 } } },
      warning:
        "command line: warning: --gpu=2 after train.py is taken as dstack's option (before train.py it is too, without this warning); for the script, put it after --: dstack run python train.py -- --gpu=2 --epochs=3",
    },
    {
      name: "a short group of dstack's options after FILE (-di)",
      argv: ["python", "train.py", "-di"],
      args: [],
      detach: true,
      overrides: { resources: { interruptible: true } },
      warning:
        "command line: warning: -di after train.py is taken as dstack's option (before train.py it is too, without this warning); for the script, put it after --: dstack run python train.py -- -di",
    },
    {
      name: "a short group ending in a value-taking option after FILE (-dir req.txt)",
      argv: ["python", "train.py", "-dir", "req.txt", "x"],
      args: ["x"],
      detach: true,
      overrides: { requirements: "req.txt", resources: { interruptible: true } },
      warning:
        "command line: warning: -dir req.txt after train.py is taken as dstack's option (before train.py it is too, without this warning); for the script, put it after --: dstack run python train.py -- -dir req.txt x",
    },
    {
      name: "a value attached to a short option after FILE (-rreq.txt)",
      argv: ["python", "train.py", "-rreq.txt"],
      args: [],
      overrides: { requirements: "req.txt" },
      warning:
        "command line: warning: -rreq.txt after train.py is taken as dstack's option (before train.py it is too, without this warning); for the script, put it after --: dstack run python train.py -- -rreq.txt",
    },
    {
      name: "a short group dstack does not know stays the script's (-xvf)",
      argv: ["python", "train.py", "-xvf", "a.tar"],
      args: ["-xvf", "a.tar"],
    },
    {
      name: "negative numbers stay the script's",
      argv: ["python", "train.py", "--lr", "-0.5", "-1"],
      args: ["--lr", "-0.5", "-1"],
    },
    {
      name: "a lone - stays the script's",
      argv: ["python", "train.py", "-"],
      args: ["-"],
    },
    {
      name: "-- twice: the second is the script's",
      argv: ["python", "train.py", "--cpu", "1", "--", "a", "--", "-d"],
      args: ["a", "--", "-d"],
      overrides: { resources: { cpu: 1 } },
      warning:
        "command line: warning: --cpu 1 after train.py is taken as dstack's option (before train.py it is too, without this warning); for the script, put it after --: dstack run python train.py -- --cpu 1 a -- -d",
    },
    {
      name: "options before FILE need no warning",
      argv: ["python", "-r", "requirements.txt", "-a", "model", "--gpu", "4", "train.py", "--x"],
      args: ["--x"],
      overrides: {
        requirements: "requirements.txt",
        artifacts: ["model"],
        resources: { gpu: { count: 4 } },
      },
    },
    {
      name: "an option given before and after FILE: the later value counts",
      argv: ["python", "--cpu", "2", "train.py", "--cpu", "8"],
      args: [],
      overrides: { resources: { cpu: 8 } },
      warning:
        "command line: warning: --cpu 8 after train.py is taken as dstack's option (before train.py it is too, without this warning); for the script, put it after --: dstack run python --cpu 2 train.py -- --cpu 8",
    },
    {
      name: "-- before FILE lets FILE start with -",
      argv: ["python", "--", "-weird.py", "--x", "-d"],
      file: "-weird.py",
      args: ["--x", "-d"],
    },
    {
      name: "options, then --, then FILE: everything after -- is the script's",
      argv: ["python", "--cpu", "2", "-d", "--", "train.py", "-h", "--cpu", "8"],
      args: ["-h", "--cpu", "8"],
      detach: true,
      overrides: { resources: { cpu: 2 } },
    },
    {
      name: "-h after FILE is dstack's help",
      argv: ["python", "train.py", "-h"],
      args: [],
      help: true,
      warning:
        "command line: warning: -h after train.py is taken as dstack's option (before train.py it is too, without this warning); for the script, put it after --: dstack run python train.py -- -h",
    },
    {
      name: "--remote and --tag after FILE are dstack's",
      argv: ["python", "train.py", "--remote", "--tag", "best"],
      args: [],
      remote: { tag: "best" },
      warning:
        "command line: warning: --remote, --tag best after train.py are taken as dstack's options (before train.py they are too, without this warning); for the script, put them after --: dstack run python train.py -- --remote --tag best",
    },
    {
      name: "a value that starts with - is written with =",
      argv: ["python", "--requirements=-req.txt", "train.py"],
      args: [],
      overrides: { requirements: "-req.txt" },
    },
    {
      name: "words are shell-quoted in the warning, and kept exactly",
      argv: ["python", "my train.py", "", " a b ", "-e", "A=x y", "--x='1'"],
      file: "my train.py",
      args: ["", " a b ", "--x='1'"],
      overrides: { environment: ["A=x y"] },
      warning:
        "command line: warning: -e 'A=x y' after 'my train.py' is taken as dstack's option (before 'my train.py' it is too, without this warning); for the script, put it after --: dstack run python 'my train.py' -- '' ' a b ' -e 'A=x y' '--x='\"'\"'1'\"'\"",
    },
  ];
  it.each(cases)("$name", (c) => {
    const r = parseRunArgv(c.argv);
    if ("errors" in r) throw new Error(r.errors.map(formatDiagnostic).join("\n"));
    const { command: got } = r;
    expect(got.overrides).toStrictEqual({
      file: c.file ?? "train.py",
      args: c.args,
      ...c.overrides,
    });
    expect(got.detach).toBe(c.detach ?? false);
    expect(got.help).toBe(c.help ?? false);
    expect(got.remote).toStrictEqual(c.remote);
    expect(got.hasArgs).toBe(c.args.length > 0);
    expect(warning(c.argv)).toBe(c.warning);
  });

  it("the warning is one line, a warning of the command line", () => {
    const r = parseRunArgv(["python", "t.py", "-e", "A=a\nb", "-d"]);
    if ("errors" in r) throw new Error(r.errors.map(formatDiagnostic).join("\n"));
    expect(r.warning?.severity).toBe("warning");
    expect(r.warning?.source).toBe("command line");
    expect(formatDiagnostic(r.warning as Diagnostic)).not.toMatch(/[\r\n]/);
    expect(r.warning?.message).toContain('-e "A=a\\nb", -d after t.py are taken');
  });

  it("the seed's example resolves to the job the seed's workflows file describes", () => {
    const argv = [
      "python",
      "train.py",
      "-r",
      "requirements.txt",
      "-a",
      "model",
      "--gpu",
      "4",
      "--gpu-name",
      "K80",
    ];
    expect(job(argv)).toStrictEqual({
      ...INLINE,
      requirements: "requirements.txt",
      artifacts: ["model"],
      resources: { interruptible: false, gpu: { count: 4, name: "k80" } },
    });
  });

  it("the warning's command gives every word after FILE to the script, without a warning", () => {
    const r = parseRunArgv(["python", "--cpu", "2", "a.py", "-x", "--gpu", "1", "--", "-d", "--"]);
    if ("errors" in r) throw new Error(r.errors.map(formatDiagnostic).join("\n"));
    const instead = r.warning?.message.split("put it after --: dstack run ")[1] ?? "";
    const again = parseRunArgv(shellSplit(instead));
    if ("errors" in again) throw new Error(again.errors.map(formatDiagnostic).join("\n"));
    expect(again.warning).toBeUndefined();
    expect(again.command.overrides).toStrictEqual({
      file: "a.py",
      args: ["-x", "--gpu", "1", "-d", "--"],
      resources: { cpu: 2 },
    });
  });
});

/** Values of options in the properties: never starting with `-`, so never refused as options. */
const value = fc.stringMatching(/^[a-z0-9_][a-z0-9_.]{0,8}$/);

/** A dstack option as one or two words, and what it sets. */
interface KnownUnit {
  words: string[];
  set: (m: Model) => void;
}
/** What the known options of an argv add up to. */
interface Model {
  detach: boolean;
  interruptible: boolean;
  requirements?: string;
  artifacts: string[];
  env: string[];
  cpu?: number;
  gpu?: number;
  gpuName?: string;
}

const knownUnit: fc.Arbitrary<KnownUnit> = fc.oneof(
  fc.constantFrom<KnownUnit>(
    {
      words: ["-d"],
      set: (m) => {
        m.detach = true;
      },
    },
    {
      words: ["--detach"],
      set: (m) => {
        m.detach = true;
      },
    },
    {
      words: ["-i"],
      set: (m) => {
        m.interruptible = true;
      },
    },
    {
      words: ["-di"],
      set: (m) => {
        m.detach = true;
        m.interruptible = true;
      },
    },
  ),
  value.chain((v) =>
    fc.constantFrom<KnownUnit>(
      {
        words: ["-r", v],
        set: (m) => {
          m.requirements = v;
        },
      },
      {
        words: [`--requirements=${v}`],
        set: (m) => {
          m.requirements = v;
        },
      },
      {
        words: [`-r${v}`],
        set: (m) => {
          m.requirements = v;
        },
      },
      {
        words: ["-a", v],
        set: (m) => {
          m.artifacts.push(v);
        },
      },
      {
        words: [`--artifact=${v}`],
        set: (m) => {
          m.artifacts.push(v);
        },
      },
      {
        words: ["-e", `K=${v}`],
        set: (m) => {
          m.env.push(`K=${v}`);
        },
      },
      {
        words: ["--gpu-name", v],
        set: (m) => {
          m.gpuName = v;
        },
      },
    ),
  ),
  fc.integer({ min: 1, max: 64 }).chain((n) =>
    fc.constantFrom<KnownUnit>(
      {
        words: ["--cpu", String(n)],
        set: (m) => {
          m.cpu = n;
        },
      },
      {
        words: [`--cpu=${n}`],
        set: (m) => {
          m.cpu = n;
        },
      },
      {
        words: ["--gpu", String(n)],
        set: (m) => {
          m.gpu = n;
        },
      },
    ),
  ),
);

const KNOWN_NAMES = [
  "detach",
  "help",
  "requirements",
  "env",
  "artifact",
  "working-dir",
  "interruptible",
  "cpu",
  "memory",
  "gpu",
  "gpu-name",
  "gpu-memory",
  "shm-size",
  "remote",
  "repo",
  "ref",
  "runner-workflow",
  "tag",
  "api-url",
  "resume-limit",
];

/** Words of a script that dstack does not know: options (with values) and plain words. */
const unknownUnit: fc.Arbitrary<string[]> = fc.oneof(
  fc
    .tuple(fc.stringMatching(/^--[a-z][a-z0-9-]{1,10}$/), fc.option(value, { nil: undefined }))
    .filter(([o]) => !KNOWN_NAMES.includes(o.slice(2)))
    .map(([o, v]) => (v === undefined ? [o] : [o, v])),
  fc
    .tuple(fc.stringMatching(/^--[a-z][a-z0-9-]{1,10}$/), fc.string())
    .filter(([o]) => !KNOWN_NAMES.includes(o.slice(2)))
    .map(([o, v]) => [`${o}=${v}`]),
  // Short options and groups of letters dstack has no short option for (d h r e a i).
  fc.stringMatching(/^-[bcfgj-qs-z0-9]{1,4}$/).map((o) => [o]),
  fc
    .string()
    .filter((s) => !s.startsWith("-") || s === "-")
    .map((s) => [s]),
);

describe("parseRunArgv: properties of the grammar", () => {
  it("property: everything after -- is the script's, exactly, whatever it looks like", () => {
    const anyWord = fc.oneof(
      fc.string(),
      fc.string().map((s) => `-${s}`),
      fc.constantFrom("-d", "-h", "-r", "--", "--gpu", "--gpu=2", "-di", "--remote", "python"),
    );
    fc.assert(
      fc.property(
        fc.array(
          fc.oneof(
            unknownUnit,
            knownUnit.map((u) => u.words),
          ),
          { maxLength: 5 },
        ),
        fc.array(anyWord, { maxLength: 10 }),
        (after, tail) => {
          const r = parseRunArgv(["python", "train.py", ...after.flat(), "--", ...tail]);
          if ("errors" in r) throw new Error(r.errors.map(formatDiagnostic).join("\n"));
          const args = r.command.overrides.args as string[];
          expect(args.slice(args.length - tail.length)).toStrictEqual(tail);
          const w = parseRunArgv(["train", "--cpu", "2", "--", ...tail]);
          if ("errors" in w) throw new Error(w.errors.map(formatDiagnostic).join("\n"));
          expect(w.command.overrides.args ?? []).toStrictEqual(tail);
          expect(w.warning).toBeUndefined();
        },
      ),
      { numRuns: 300 },
    );
  });

  it("property: a known option before -- is dstack's wherever it stands; unknown words keep their order", () => {
    fc.assert(
      fc.property(
        fc.array(knownUnit, { maxLength: 4 }),
        fc.array(
          fc.oneof(
            knownUnit.map((k) => ({ known: k })),
            unknownUnit.map((u) => ({ unknown: u })),
          ),
          { maxLength: 8 },
        ),
        fc.array(fc.string(), { maxLength: 4 }),
        (before, after, tail) => {
          const argv = [
            "python",
            ...before.flatMap((u) => u.words),
            "train.py",
            ...after.flatMap((u) => ("known" in u ? u.known.words : u.unknown)),
            ...(tail.length > 0 ? ["--", ...tail] : []),
          ];
          const r = parseRunArgv(argv);
          if ("errors" in r) throw new Error(r.errors.map(formatDiagnostic).join("\n"));
          const m: Model = { detach: false, interruptible: false, artifacts: [], env: [] };
          for (const u of before) u.set(m);
          const takenAfter = after.flatMap((u) => ("known" in u ? [u.known] : []));
          for (const u of takenAfter) u.set(m);
          const o = r.command.overrides as {
            args: string[];
            requirements?: string;
            artifacts?: string[];
            environment?: string[];
            resources?: {
              interruptible?: true;
              cpu?: number;
              gpu?: { count?: number; name?: string };
            };
          };
          expect(r.command.detach).toBe(m.detach);
          expect(o.resources?.interruptible ?? false).toBe(m.interruptible);
          expect(o.requirements).toBe(m.requirements);
          expect(o.artifacts ?? []).toStrictEqual(m.artifacts);
          expect(o.environment ?? []).toStrictEqual(m.env);
          expect(o.resources?.cpu).toBe(m.cpu);
          expect(o.resources?.gpu?.count).toBe(m.gpu);
          expect(o.resources?.gpu?.name).toBe(m.gpuName);
          expect(o.args).toStrictEqual([
            ...after.flatMap((u) => ("unknown" in u ? u.unknown : [])),
            ...tail,
          ]);
          expect(r.command.hasArgs).toBe(o.args.length > 0);
          // One warning exactly when an option after FILE was taken, naming each of them.
          expect(r.warning !== undefined).toBe(takenAfter.length > 0);
          for (const u of takenAfter) expect(r.warning?.message).toContain(u.words.join(" "));
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("parseRunArgv + runCommandJob: WORKFLOW overrides", () => {
  const cases: { name: string; argv: string[]; detach?: boolean; want: Job }[] = [
    { name: "no options: the file's job", argv: ["train"], want: TRAIN },
    { name: "-- with nothing after keeps the file's args", argv: ["train", "--"], want: TRAIN },
    {
      name: "--gpu 8 -e A=1 -a extra -- --epochs 3",
      argv: ["train", "--gpu", "8", "-e", "A=1", "-a", "extra", "--", "--epochs", "3"],
      want: {
        ...TRAIN,
        args: ["--epochs", "3"],
        environment: { A: "1", B: "2" },
        artifacts: ["model", "extra"],
        resources: {
          ...TRAIN.resources,
          gpu: { count: 8, name: "a100", memoryBytes: 40 * GB },
        },
      },
    },
    {
      name: "options without -- keep the file's args",
      argv: ["train", "--cpu", "8"],
      want: { ...TRAIN, resources: { ...TRAIN.resources, cpu: 8 } },
    },
    {
      name: "-i makes it interruptible",
      argv: ["train", "-i"],
      want: { ...TRAIN, resources: { ...TRAIN.resources, interruptible: true } },
    },
    {
      name: "-d detaches and changes nothing else",
      argv: ["train", "-d"],
      detach: true,
      want: TRAIN,
    },
    {
      name: "--gpu-name H100 changes only the name",
      argv: ["train", "--gpu-name", "H100"],
      want: {
        ...TRAIN,
        resources: { ...TRAIN.resources, gpu: { count: 2, name: "h100", memoryBytes: 40 * GB } },
      },
    },
    {
      name: "--gpu-memory 80GB changes only the GPU memory",
      argv: ["train", "--gpu-memory=80GB"],
      want: {
        ...TRAIN,
        resources: { ...TRAIN.resources, gpu: { count: 2, name: "a100", memoryBytes: 80 * GB } },
      },
    },
    {
      name: "--memory 32GB replaces the memory",
      argv: ["train", "--memory", "32GB"],
      want: { ...TRAIN, resources: { ...TRAIN.resources, memoryBytes: 32 * GB } },
    },
    {
      name: "--shm-size adds shared memory",
      argv: ["train", "--shm-size", "1GiB"],
      want: { ...TRAIN, resources: { ...TRAIN.resources, shmSizeBytes: GiB } },
    },
    {
      name: "-r other.txt replaces requirements",
      argv: ["train", "-r", "other.txt"],
      want: { ...TRAIN, requirements: "other.txt" },
    },
    {
      name: "--working-dir sub replaces the working directory",
      argv: ["train", "--working-dir", "sub"],
      want: { ...TRAIN, workingDir: "sub" },
    },
    {
      name: "-e sets a new variable over the file's",
      argv: ["train", "-e", "C=3", "--env", "B=22"],
      want: { ...TRAIN, environment: { A: "0", B: "22", C: "3" } },
    },
    {
      name: "-a of an artifact the file lists is not listed twice",
      argv: ["train", "-a", "model", "-a", "ckpt"],
      want: { ...TRAIN, artifacts: ["model", "ckpt"] },
    },
    {
      name: "-- ARGS replace the file's args",
      argv: ["train", "--", "-d", "--gpu", "1"],
      want: { ...TRAIN, args: ["-d", "--gpu", "1"] },
    },
    {
      name: "all overrides together",
      argv: [
        "train",
        "-di",
        "--gpu-name",
        "H100",
        "--memory",
        "32GB",
        "-r",
        "other.txt",
        "--working-dir",
        "sub",
        "--cpu=8",
      ],
      detach: true,
      want: {
        ...TRAIN,
        requirements: "other.txt",
        workingDir: "sub",
        resources: {
          interruptible: true,
          cpu: 8,
          memoryBytes: 32 * GB,
          gpu: { count: 2, name: "h100", memoryBytes: 40 * GB },
        },
      },
    },
    {
      name: "--gpu on a workflow without GPUs",
      argv: ["in-sub", "--gpu", "3"],
      want: {
        workflow: "in-sub",
        provider: "python",
        file: "main.py",
        args: [],
        environment: {},
        artifacts: [],
        workingDir: "sub",
        beforeRun: [],
        resources: { interruptible: true, gpu: { count: 3 } },
        deps: [],
      },
    },
    {
      name: "--gpu-name on a workflow without GPUs asks for one",
      argv: ["in-sub", "--gpu-name", "T4"],
      want: {
        workflow: "in-sub",
        provider: "python",
        file: "main.py",
        args: [],
        environment: {},
        artifacts: [],
        workingDir: "sub",
        beforeRun: [],
        resources: { interruptible: true, gpu: { count: 1, name: "t4" } },
        deps: [],
      },
    },
  ];
  it.each(cases)("$name", ({ argv, detach = false, want }) => {
    const c = command(argv);
    expect(c.target).toEqual({ workflow: argv[0] });
    expect(c.detach).toBe(detach);
    expect(job(argv)).toStrictEqual(want);
  });

  it("-r is relative to the workflow's working_dir, as in the file", () => {
    // `in-sub` runs in sub/, so ../req.txt is req.txt at the repository root: inside it. The
    // inline form accepts the same path with --working-dir sub.
    expect(job(["python", "--working-dir", "sub", "-r", "../req.txt", "x.py"]).requirements).toBe(
      "../req.txt",
    );
    expect(job(["in-sub", "-r", "../req.txt"]).requirements).toBe("../req.txt");
  });

  it("without the workflows, a workflow is not found", () => {
    const r = runCommandJob({ command: command(["train"]) });
    expect("errors" in r && r.errors.map(formatDiagnostic)).toEqual([
      'command line: WORKFLOW: "train" is not a workflow (workflows: none); for a file, write dstack run python train',
    ]);
  });
});

describe("parseRunArgv: errors", () => {
  const cases: { name: string; argv: string[]; want: string[] }[] = [
    {
      name: "unknown option with did-you-mean",
      argv: ["python", "--gpus", "2", "train.py"],
      want: [
        "command line: --gpus: unknown option; did you mean --gpu? (see dstack run --help); a script's own options go after FILE",
      ],
    },
    {
      name: "unknown option in the workflow form tells where a script's options go",
      argv: ["train", "--detatch"],
      want: [
        "command line: --detatch: unknown option; did you mean --detach? (see dstack run --help); a script's own options go after --",
      ],
    },
    {
      name: "unknown option far from any, no hint",
      argv: ["python", "--learning-rate", "3", "train.py"],
      want: [
        "command line: --learning-rate: unknown option (see dstack run --help); a script's own options go after FILE",
      ],
    },
    {
      name: "unknown short option in a group",
      argv: ["python", "-dx", "train.py"],
      want: [
        "command line: -x: unknown option (see dstack run --help); a script's own options go after FILE",
      ],
    },
    {
      name: "option missing its value at the end",
      argv: ["python", "--cpu"],
      want: [
        "command line: --cpu: needs a value",
        "command line: FILE: missing the Python file to run: dstack run python FILE [ARGS ...]",
      ],
    },
    {
      name: "a value after --gpu missing at the end, after FILE",
      argv: ["python", "train.py", "--gpu"],
      want: [
        "command line: --gpu: needs a value; for the script's own --gpu, put it after --: dstack run python train.py -- --gpu",
      ],
    },
    {
      name: "a known option's value that looks like an option is refused, not taken",
      argv: ["python", "-r", "--gpu", "2", "train.py"],
      want: [
        'command line: -r: needs a value; the next word "--gpu" starts with -, so it is not taken as one (a value that starts with - is written --requirements=--gpu)',
      ],
    },
    {
      name: "a known option's value that is -- is refused, not taken",
      argv: ["python", "train.py", "--gpu", "--", "--epochs", "3"],
      want: [
        'command line: --gpu: needs a value; the next word "--" starts with -, so it is not taken as one (a value that starts with - is written --gpu=--); for the script\'s own --gpu, put it after --: dstack run python train.py -- --gpu',
      ],
    },
    {
      name: "a workflow's option without its value before --",
      argv: ["train", "--gpu-name", "--", "x"],
      want: [
        'command line: --gpu-name: needs a value; the next word "--" starts with -, so it is not taken as one (a value that starts with - is written --gpu-name=--)',
        'command line: unexpected argument "x"; put the script\'s arguments after --, e.g. dstack run train -- x',
      ],
    },
    {
      name: "a short group after FILE that mixes dstack's options with others",
      argv: ["python", "train.py", "-dvx"],
      want: [
        "command line: -dvx: mixes dstack's -d with -v -x, which dstack does not know; write dstack's options apart, and the script's after --: dstack run python train.py -- -dvx",
      ],
    },
    {
      name: "a boolean given a value after FILE",
      argv: ["python", "train.py", "--detach=yes"],
      want: [
        'command line: --detach: takes no value, got "yes"; for the script\'s own --detach, put it after --: dstack run python train.py -- --detach',
      ],
    },
    {
      name: "short option missing its value at the end of a workflow",
      argv: ["train", "-e"],
      want: ["command line: -e: needs a value"],
    },
    {
      name: "boolean given a value",
      argv: ["python", "--detach=yes", "train.py"],
      want: ['command line: --detach: takes no value, got "yes"'],
    },
    {
      name: "boolean given a value (--interruptible=true)",
      argv: ["train", "--interruptible=true"],
      want: ['command line: --interruptible: takes no value, got "true"'],
    },
    {
      name: "missing FILE",
      argv: ["python"],
      want: [
        "command line: FILE: missing the Python file to run: dstack run python FILE [ARGS ...]",
      ],
    },
    {
      name: "missing FILE after options and --",
      argv: ["python", "-d", "--"],
      want: [
        "command line: FILE: missing the Python file to run: dstack run python FILE [ARGS ...]",
      ],
    },
    {
      name: "missing target (empty argv)",
      argv: [],
      want: ["command line: missing python FILE or WORKFLOW; see dstack run --help"],
    },
    {
      name: "missing target (options only)",
      argv: ["-d", "--cpu", "2"],
      want: ["command line: missing python FILE or WORKFLOW; see dstack run --help"],
    },
    {
      name: "-- before the target",
      argv: ["--", "train.py"],
      want: [
        "command line: -- must come after python FILE or WORKFLOW",
        "command line: missing python FILE or WORKFLOW; see dstack run --help",
      ],
    },
    {
      name: "stray positional in the workflow form",
      argv: ["train", "extra"],
      want: [
        'command line: unexpected argument "extra"; put the script\'s arguments after --, e.g. dstack run train -- extra',
      ],
    },
    {
      name: "several errors at once",
      argv: ["train", "--gpus", "2", "extra", "--detach=1", "--cpu"],
      want: [
        "command line: --gpus: unknown option; did you mean --gpu? (see dstack run --help); a script's own options go after --",
        'command line: unexpected argument "2"; put the script\'s arguments after --, e.g. dstack run train -- 2',
        'command line: unexpected argument "extra"; put the script\'s arguments after --, e.g. dstack run train -- extra',
        'command line: --detach: takes no value, got "1"',
        "command line: --cpu: needs a value",
      ],
    },
  ];
  it.each(cases)("$name", ({ argv, want }) => {
    expect(parseErrors(argv)).toEqual(want);
  });

  it("errors are command-line diagnostics without positions", () => {
    const r = parseRunArgv(["python", "--gpus", "2", "train.py"]);
    expect(r).toEqual({
      errors: [
        {
          severity: "error",
          source: "command line",
          field: "--gpus",
          message:
            "unknown option; did you mean --gpu? (see dstack run --help); a script's own options go after FILE",
        },
      ],
    });
  });
});

describe("runCommandJob: invalid values are named by their option", () => {
  const cases: { name: string; argv: string[]; field: string; message: string }[] = [
    {
      name: "--cpu four",
      argv: ["python", "--cpu", "four", "train.py"],
      field: "--cpu",
      message: 'expected an integer, got "four"',
    },
    {
      name: "--cpu 2.5",
      argv: ["python", "--cpu", "2.5", "train.py"],
      field: "--cpu",
      message: 'expected an integer, got "2.5"',
    },
    {
      name: "--cpu 0",
      argv: ["python", "--cpu", "0", "train.py"],
      field: "--cpu",
      message: "must be at least 1, got 0",
    },
    {
      name: "--gpu 0",
      argv: ["python", "--gpu", "0", "train.py"],
      field: "--gpu",
      message: "must be at least 1, got 0",
    },
    {
      name: "--gpu two on a workflow",
      argv: ["train", "--gpu", "two"],
      field: "--gpu",
      message: 'expected an integer, got "two"',
    },
    {
      name: "--memory 16GBB",
      argv: ["python", "--memory", "16GBB", "train.py"],
      field: "--memory",
      message: '"16GBB" has an unknown unit "GBB"',
    },
    {
      name: "--memory 3 (no unit)",
      argv: ["python", "--memory", "3", "train.py"],
      field: "--memory",
      message: '"3" has no unit; write 3GB (10^9 bytes) or 3GiB (2^30 bytes)',
    },
    {
      name: "--shm-size 8g (ambiguous)",
      argv: ["python", "--shm-size", "8g", "train.py"],
      field: "--shm-size",
      message: '"8g" is ambiguous; write 8GB (10^9 bytes) or 8GiB (2^30 bytes)',
    },
    {
      name: "--gpu-memory 80 on a workflow",
      argv: ["train", "--gpu-memory", "80"],
      field: "--gpu-memory",
      message: '"80" has no unit',
    },
    {
      name: "--gpu-name NVIDIA names no model",
      argv: ["python", "--gpu-name", "NVIDIA", "train.py"],
      field: "--gpu-name",
      message: '"NVIDIA" names no GPU model',
    },
    {
      name: "-e 1BAD=x",
      argv: ["python", "-e", "1BAD=x", "train.py"],
      field: "--env",
      message: '"1BAD" is not a valid environment variable name',
    },
    {
      name: "-e NOVALUE",
      argv: ["python", "-e", "NOVALUE", "train.py"],
      field: "--env",
      message: '"NOVALUE" is not NAME=VALUE',
    },
    {
      name: "-e twice for one variable",
      argv: ["python", "-e", "A=1", "-e", "A=2", "train.py"],
      field: "--env",
      message: '"A" is set twice',
    },
    {
      name: "-a ../escape",
      argv: ["python", "-a", "../escape", "train.py"],
      field: "--artifact",
      message: '"../escape" leaves the repository; paths must stay inside it',
    },
    {
      name: "-a . (the whole repository) on a workflow",
      argv: ["train", "-a", "."],
      field: "--artifact",
      message: '"." is the whole repository',
    },
    {
      name: "-r /abs/req.txt",
      argv: ["python", "-r", "/abs/req.txt", "train.py"],
      field: "--requirements",
      message: '"/abs/req.txt" is absolute; give a path relative to the repository',
    },
    {
      name: "--working-dir ../..",
      argv: ["python", "--working-dir", "../..", "train.py"],
      field: "--working-dir",
      message: '"../.." leaves the repository; paths must stay inside it',
    },
    {
      name: "FILE that leaves the repository",
      argv: ["python", "../train.py"],
      field: "FILE",
      message: '"../train.py" leaves the repository',
    },
    {
      name: "empty FILE",
      argv: ["python", ""],
      field: "FILE",
      message: "must not be empty",
    },
  ];
  it.each(cases)("$name", ({ argv, field, message }) => {
    const errors = jobErrors(argv);
    expect(errors).toHaveLength(1);
    const [e] = errors;
    expect(e?.severity).toBe("error");
    expect(e?.source).toBe("command line");
    expect(e?.line).toBeUndefined();
    expect(e?.field).toBe(field);
    expect(e?.message).toContain(message);
    expect(formatDiagnostic(e as Diagnostic)).toContain(`command line: ${field}: ${message}`);
  });

  it("reports several invalid values at once", () => {
    const errors = jobErrors([
      "python",
      "--cpu",
      "0",
      "--memory",
      "3",
      "-e",
      "NOVALUE",
      "-a",
      "../escape",
      "train.py",
    ]);
    expect(errors.map(formatDiagnostic)).toEqual([
      "command line: --cpu: must be at least 1, got 0",
      'command line: --memory: "3" has no unit; write 3GB (10^9 bytes) or 3GiB (2^30 bytes)',
      'command line: --env: "NOVALUE" is not NAME=VALUE',
      'command line: --artifact: "../escape" leaves the repository; paths must stay inside it',
    ]);
  });

  it("unknown workflow, with did-you-mean", () => {
    expect(jobErrors(["trian"]).map(formatDiagnostic)).toEqual([
      'command line: WORKFLOW: "trian" is not a workflow; did you mean "train"? (workflows: train, in-sub); for a file, write dstack run python trian',
    ]);
  });

  it("unknown workflow, nothing close", () => {
    const [e] = jobErrors(["train.py"]).map(formatDiagnostic);
    expect(e).toContain('"train.py" is not a workflow');
    expect(e).toContain("for a file, write dstack run python train.py");
  });
});

describe("parseRunArgv: --remote and its options", () => {
  const cases: { name: string; argv: string[]; remote: RunCommand["remote"]; args?: string[] }[] = [
    { name: "no --remote: a run here", argv: ["train"], remote: undefined },
    { name: "--remote alone", argv: ["train", "--remote"], remote: {} },
    {
      name: "every option, = and space forms",
      argv: [
        "train",
        "--remote",
        "--repo=octo/models",
        "--ref",
        "dev",
        "--runner-workflow",
        "gpu.yml",
        "--tag",
        "best",
        "--api-url",
        "https://ghe.example.com/api/v3",
      ],
      remote: {
        repo: "octo/models",
        ref: "dev",
        runnerWorkflow: "gpu.yml",
        tag: "best",
        apiUrl: "https://ghe.example.com/api/v3",
      },
    },
    {
      name: "--resume-limit for a spot job",
      argv: ["train", "-i", "--remote", "--resume-limit", "5"],
      remote: { resumeLimit: "5" },
    },
    {
      name: "a script's own --remote and --tag after -- stay the script's",
      argv: ["python", "--remote", "train.py", "--", "--remote", "--tag", "x"],
      remote: {},
      args: ["--remote", "--tag", "x"],
    },
  ];
  it.each(cases)("$name", ({ argv, remote, args }) => {
    const c = command(argv);
    expect(c.remote).toEqual(remote);
    if (args) expect(c.overrides.args).toEqual(args);
  });

  it("--repo, --ref, --runner-workflow, --api-url and --resume-limit need --remote", () => {
    expect(
      parseErrors(["train", "--ref", "dev", "--tag", "best", "--repo", "o/r", "--api-url", "u"]),
    ).toEqual([
      "command line: --repo: only with --remote (a run on GitHub)",
      "command line: --ref: only with --remote (a run on GitHub)",
      "command line: --api-url: only with --remote (a run on GitHub)",
    ]);
    expect(parseErrors(["train", "--resume-limit", "2"])).toEqual([
      "command line: --resume-limit: only with --remote (a run on GitHub)",
    ]);
  });

  const tagCases: { name: string; argv: string[]; tag?: string; remote?: RunCommand["remote"] }[] =
    [
      { name: "--tag for a run here", argv: ["train", "--tag", "best"], tag: "best" },
      { name: "--tag= for a python FILE here", argv: ["python", "--tag=v1", "t.py"], tag: "v1" },
      {
        name: "--tag with --remote, in both places",
        argv: ["train", "--remote", "--tag", "best"],
        tag: "best",
        remote: { tag: "best" },
      },
      { name: "no --tag", argv: ["train"] },
    ];
  it.each(tagCases)("$name", ({ argv, tag, remote }) => {
    const c = command(argv);
    expect(c.tag).toBe(tag);
    expect(c.remote).toEqual(remote);
  });

  it("the usage text documents --remote", () => {
    for (const option of [
      "--remote",
      "--repo",
      "--ref",
      "--runner-workflow",
      "--tag",
      "--api-url",
    ]) {
      expect(RUN_USAGE).toContain(`  ${option} `);
    }
  });
});
