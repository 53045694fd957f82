import fc from "fast-check";
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

describe("parseRunArgv: everything after FILE belongs to the script", () => {
  const cases = [
    {
      name: "dstack-looking options and -- after FILE",
      argv: ["python", "train.py", "-d", "-r", "x", "--gpu", "2", "--", "--lr", "3"],
      file: "train.py",
      args: ["-d", "-r", "x", "--gpu", "2", "--", "--lr", "3"],
    },
    {
      name: "-- before FILE lets FILE start with -",
      argv: ["python", "--", "-weird.py", "--x"],
      file: "-weird.py",
      args: ["--x"],
    },
    {
      name: "--, then FILE and a script's -h",
      argv: ["python", "--", "train.py", "-h"],
      file: "train.py",
      args: ["-h"],
    },
    {
      name: "a script's own -h is not dstack's help",
      argv: ["python", "train.py", "-h", "--help"],
      file: "train.py",
      args: ["-h", "--help"],
    },
    {
      name: "empty and spaced args are kept as given",
      argv: ["python", "train.py", "", " a b ", "--x=1"],
      file: "train.py",
      args: ["", " a b ", "--x=1"],
    },
  ];
  it.each(cases)("$name", ({ argv, file, args }) => {
    const c = command(argv);
    expect(c.detach).toBe(false);
    expect(c.help).toBe(false);
    expect(c.overrides.file).toBe(file);
    expect(c.overrides.args).toEqual(args);
    const j = job(argv);
    expect(j.file).toBe(file);
    expect(j.args).toEqual(args);
    expect(j.resources).toEqual({ interruptible: false });
    expect(j.requirements).toBeUndefined();
  });

  it("options, then --, then FILE", () => {
    const c = command(["python", "--cpu", "2", "-d", "--", "train.py", "-h", "--cpu", "8"]);
    expect(c.detach).toBe(true);
    expect(c.help).toBe(false);
    expect(c.overrides).toEqual({
      file: "train.py",
      args: ["-h", "--cpu", "8"],
      resources: { cpu: 2 },
    });
  });

  it("keeps the options given before FILE only", () => {
    const c = command(["python", "--cpu", "2", "train.py", "--cpu", "8", "-d"]);
    expect(c.detach).toBe(false);
    expect(c.overrides).toEqual({
      file: "train.py",
      args: ["--cpu", "8", "-d"],
      resources: { cpu: 2 },
    });
  });

  it("property: a script's own args are never taken, whatever they look like", () => {
    const arg = fc.oneof(
      fc.string(),
      fc.string().map((s) => `-${s}`),
      fc.string().map((s) => `--${s}`),
      fc.constantFrom(
        "-d",
        "-h",
        "-i",
        "-di",
        "-r",
        "-e",
        "-a",
        "--",
        "-",
        "--detach",
        "--help",
        "--gpu",
        "--gpu=2",
        "--cpu",
        "--memory=16GB",
        "--unknown",
        "python",
        "train",
      ),
    );
    fc.assert(
      fc.property(fc.array(arg, { maxLength: 12 }), (args) => {
        const r = parseRunArgv(["python", "train.py", ...args]);
        expect("command" in r).toBe(true);
        if (!("command" in r)) return;
        expect(r.command.overrides.args).toStrictEqual(args);
        expect(r.command.overrides.file).toBe("train.py");
        expect(r.command.detach).toBe(false);
        expect(r.command.help).toBe(false);
        expect(r.command.overrides.resources).toBeUndefined();
        expect(r.command.hasArgs).toBe(args.length > 0);
      }),
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
      name: "a script's own --remote and --tag after FILE stay the script's",
      argv: ["python", "--remote", "train.py", "--remote", "--tag", "x"],
      remote: {},
      args: ["--remote", "--tag", "x"],
    },
  ];
  it.each(cases)("$name", ({ argv, remote, args }) => {
    const c = command(argv);
    expect(c.remote).toEqual(remote);
    if (args) expect(c.overrides.args).toEqual(args);
  });

  it("--repo, --ref, --runner-workflow, --tag and --api-url need --remote", () => {
    expect(
      parseErrors(["train", "--ref", "dev", "--tag", "best", "--repo", "o/r", "--api-url", "u"]),
    ).toEqual([
      "command line: --repo: only with --remote (a run on GitHub)",
      "command line: --ref: only with --remote (a run on GitHub)",
      "command line: --tag: only with --remote (a run on GitHub)",
      "command line: --api-url: only with --remote (a run on GitHub)",
    ]);
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
