import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "./diagnostics.js";
import type { Job } from "./job.js";
import { findWorkflow, parseWorkflows } from "./workflows.js";

const FILE = ".dstack/workflows.yaml";

/** Parses one file and returns the formatted diagnostics. */
function problems(text: string, fileExists?: (p: string) => boolean): string[] {
  return parseWorkflows({
    files: [{ path: FILE, text }],
    ...(fileExists ? { fileExists } : {}),
  }).diagnostics.map(formatDiagnostic);
}

/** Parses one workflow (indented under `workflows:`) that must be valid, and returns its job. */
function job(body: string): Job {
  const text = `workflows:\n  - name: w\n${body
    .trim()
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n")}\n`;
  const r = parseWorkflows({ files: [{ path: FILE, text }] });
  expect(r.diagnostics.filter((d) => d.severity === "error").map(formatDiagnostic)).toEqual([]);
  expect(r.jobs).toHaveLength(1);
  return r.jobs[0] as Job;
}

const SEED_000 = `workflows:
  - name: download-model  
    provider: python
    requirements: requirements.txt
    script: download_model.py
    environment:
      PYTHONPATH: src
    artifacts:
      - models
    resources:
      cpu: 2
      memory: 32GB
      gpu: 1
`;

const SEED_001 = `workflows:
  - name: train
    provider: python
    file: "train.py"
    requirements: "requirements.txt"
    artifacts: ["model"]
    resources:
      gpu:
        name: "K80"
        count: 4
`;

describe("the seeds' examples", () => {
  it("seed 000 (script) validates unchanged", () => {
    const r = parseWorkflows({ files: [{ path: FILE, text: SEED_000 }] });
    expect(r.diagnostics).toEqual([]);
    expect(r.jobs).toEqual([
      {
        workflow: "download-model",
        provider: "python",
        file: "download_model.py",
        args: [],
        requirements: "requirements.txt",
        environment: { PYTHONPATH: "src" },
        artifacts: ["models"],
        workingDir: ".",
        beforeRun: [],
        resources: { cpu: 2, memoryBytes: 32e9, gpu: { count: 1 }, interruptible: false },
        deps: [],
      },
    ]);
  });

  it("seed 001 (file) validates unchanged", () => {
    const r = parseWorkflows({ files: [{ path: FILE, text: SEED_001 }] });
    expect(r.diagnostics).toEqual([]);
    expect(r.jobs[0]?.resources).toEqual({
      gpu: { count: 4, name: "k80" },
      interruptible: false,
    });
  });

  it("merges .dstack/workflows.yaml with .dstack/workflows/*.yaml in order", () => {
    const r = parseWorkflows({
      files: [
        { path: FILE, text: SEED_001 },
        { path: ".dstack/workflows/download.yaml", text: SEED_000 },
      ],
    });
    expect(r.ok).toBe(true);
    expect(r.jobs.map((j) => j.workflow)).toEqual(["train", "download-model"]);
  });
});

describe("every key", () => {
  it.each([
    { name: "file", body: "file: train.py", expect: { file: "train.py" } },
    {
      name: "script (older name of file)",
      body: "script: ./src/train.py",
      expect: { file: "src/train.py" },
    },
    {
      name: "args as a list, kept exactly",
      body: 'file: t.py\nargs: ["--name", "a b", "$HOME", ""]',
      expect: { args: ["--name", "a b", "$HOME", ""] },
    },
    {
      name: "args as a string, split as a shell would",
      body: `file: t.py\nargs: --lr 0.1 --name "my run" 'x y'`,
      expect: { args: ["--lr", "0.1", "--name", "my run", "x y"] },
    },
    {
      name: "requirements",
      body: "file: t.py\nrequirements: reqs/requirements.txt",
      expect: { requirements: "reqs/requirements.txt" },
    },
    { name: "version quoted", body: 'file: t.py\nversion: "3.11"', expect: { version: "3.11" } },
    {
      name: "version with patch",
      body: 'file: t.py\nversion: "3.10.14"',
      expect: { version: "3.10.14" },
    },
    {
      name: "version 3.9 unquoted keeps its text",
      body: "file: t.py\nversion: 3.9",
      expect: { version: "3.9" },
    },
    {
      name: "environment as a map, numbers as written",
      body: "file: t.py\nenvironment:\n  A: x\n  B: 1.10\n  C: true\n  D: 010",
      expect: { environment: { A: "x", B: "1.10", C: "true", D: "010" } },
    },
    {
      name: "environment as a list of K=V",
      body: "file: t.py\nenvironment:\n  - A=1\n  - B=x=y\n  - C=",
      expect: { environment: { A: "1", B: "x=y", C: "" } },
    },
    {
      name: "env as the same key",
      body: "file: t.py\nenv: [A=1]",
      expect: { environment: { A: "1" } },
    },
    {
      name: "artifacts as paths and {path} objects",
      body: "file: t.py\nartifacts:\n  - model/\n  - path: ./logs\n  - out/ckpt",
      expect: { artifacts: ["model", "logs", "out/ckpt"] },
    },
    {
      name: "working_dir",
      body: "file: t.py\nworking_dir: src/app",
      expect: { workingDir: "src/app" },
    },
    {
      name: "file and requirements relative to working_dir may climb inside the repo",
      body: "file: ../t.py\nworking_dir: src\nrequirements: ../r.txt",
      expect: { file: "../t.py", requirements: "../r.txt", workingDir: "src" },
    },
    {
      name: "before_run as a list",
      body: "file: t.py\nbefore_run:\n  - apt list\n  - echo hi",
      expect: { beforeRun: ["apt list", "echo hi"] },
    },
    {
      name: "before_run as one line",
      body: "file: t.py\nbefore_run: echo hi",
      expect: { beforeRun: ["echo hi"] },
    },
    {
      name: "deps by tag and by workflow",
      body: "file: t.py\ndeps:\n  - tag: best-model\n  - workflow: w",
      expect: { deps: [{ tag: "best-model" }, { workflow: "w" }] },
    },
    {
      name: "deps by run name (a resumed attempt's earlier attempts)",
      body: "file: t.py\ndeps:\n  - run: sharp-shrimp-1\n  - run: sharp-shrimp-1-2",
      expect: { deps: [{ run: "sharp-shrimp-1" }, { run: "sharp-shrimp-1-2" }] },
    },
    {
      name: "provider python",
      body: "provider: python\nfile: t.py",
      expect: { provider: "python" },
    },
    {
      name: "provider defaults to python",
      body: "file: t.py",
      expect: { provider: "python", workflow: "w" },
    },
  ])("$name", ({ body, expect: want }) => {
    expect(job(body)).toMatchObject(want);
  });

  it("no version: absent, so the host's python3 is used", () => {
    expect("version" in job("file: t.py")).toBe(false);
  });

  it.each([
    { name: "cpu", body: "cpu: 8", want: { cpu: 8 } },
    { name: "memory decimal", body: "memory: 16GB", want: { memoryBytes: 16e9 } },
    { name: "memory binary", body: "memory: 512MiB", want: { memoryBytes: 512 * 2 ** 20 } },
    { name: "memory fractional", body: "memory: 1.5GB", want: { memoryBytes: 1.5e9 } },
    { name: "gpu as an int", body: "gpu: 2", want: { gpu: { count: 2 } } },
    {
      name: "gpu object: count defaults to 1 with a name",
      body: "gpu:\n  name: Tesla V100",
      want: { gpu: { count: 1, name: "v100" } },
    },
    {
      name: "gpu object: count, name, memory",
      body: "gpu: {count: 8, name: NVIDIA H100 80GB HBM3, memory: 80GB}",
      want: { gpu: { count: 8, name: "h100", memoryBytes: 80e9 } },
    },
    {
      name: "gpu memory alone",
      body: "gpu: {memory: 24GB}",
      want: { gpu: { count: 1, memoryBytes: 24e9 } },
    },
    { name: "shm_size", body: "shm_size: 8GiB", want: { shmSizeBytes: 8 * 2 ** 30 } },
    { name: "interruptible", body: "interruptible: true", want: { interruptible: true } },
    { name: "interruptible defaults to false", body: "cpu: 1", want: { interruptible: false } },
  ])("resources.$name", ({ body, want }) => {
    const indented = body
      .split("\n")
      .map((l) => `  ${l}`)
      .join("\n");
    expect(job(`file: t.py\nresources:\n${indented}`).resources).toMatchObject(want);
  });
});

describe("errors, each with its position, field, what was given and what is allowed", () => {
  it.each([
    {
      name: "unknown key with a did-you-mean",
      text: "workflows:\n  - name: w\n    file: t.py\n    requirments: r.txt\n",
      want: `${FILE}:4:5: requirments: unknown key "requirments"; did you mean "requirements"?`,
    },
    {
      name: "unknown resources key",
      text: "workflows:\n  - name: w\n    file: t.py\n    resources:\n      gpus: 2\n",
      want: `${FILE}:5:7: resources.gpus: unknown key "gpus"; did you mean "gpu"?`,
    },
    {
      name: "missing file",
      text: "workflows:\n  - name: w\n    args: [x]\n",
      want: `${FILE}:2:5: missing required key "file"`,
    },
    {
      name: "missing name",
      text: "workflows:\n  - file: t.py\n",
      want: `${FILE}:2:5: missing required key "name"`,
    },
    {
      name: "file and script both",
      text: "workflows:\n  - name: w\n    file: a.py\n    script: b.py\n",
      want: `${FILE}:4:13: script: give "file" or its older name "script", not both`,
    },
    {
      name: "provider other than python",
      text: "workflows:\n  - name: w\n    provider: docker\n    file: t.py\n",
      want: `${FILE}:3:15: provider: "docker" is not a provider (providers: python)`,
    },
    {
      name: "wrong type",
      text: "workflows:\n  - name: w\n    file: t.py\n    artifacts: model\n",
      want: `${FILE}:4:16: artifacts: expected a list, got "model"`,
    },
    {
      name: "cpu as a string",
      text: "workflows:\n  - name: w\n    file: t.py\n    resources: {cpu: four}\n",
      want: `${FILE}:4:22: resources.cpu: expected an integer, got "four"`,
    },
    {
      name: "fractional cpu",
      text: "workflows:\n  - name: w\n    file: t.py\n    resources: {cpu: 1.5}\n",
      want: "resources.cpu: expected an integer, got 1.5",
    },
    {
      name: "size with a bad unit",
      text: "workflows:\n  - name: w\n    file: t.py\n    resources:\n      memory: 16GBB\n",
      want: `${FILE}:5:15: resources.memory: "16GBB" has an unknown unit "GBB"; use e.g. 16GB (10^9 bytes), 512MiB (2^20 bytes) or 1.5GB`,
    },
    {
      name: "size without a unit",
      text: "workflows:\n  - name: w\n    file: t.py\n    resources:\n      memory: 16\n",
      want: `resources.memory: "16" has no unit; write 16GB (10^9 bytes) or 16GiB (2^30 bytes)`,
    },
    {
      name: "ambiguous size",
      text: "workflows:\n  - name: w\n    file: t.py\n    resources:\n      shm_size: 8g\n",
      want: `resources.shm_size: "8g" is ambiguous; write 8GB (10^9 bytes) or 8GiB (2^30 bytes)`,
    },
    {
      name: "gpu memory size",
      text: "workflows:\n  - name: w\n    file: t.py\n    resources:\n      gpu: {memory: lots}\n",
      want: `resources.gpu.memory: "lots" is not a size`,
    },
    {
      name: "count zero",
      text: "workflows:\n  - name: w\n    file: t.py\n    resources: {gpu: 0}\n",
      want: "resources.gpu: must be at least 1, got 0; leave resources.gpu out for a job without GPUs",
    },
    {
      name: "negative gpu count in the object",
      text: "workflows:\n  - name: w\n    file: t.py\n    resources: {gpu: {count: -1}}\n",
      want: "resources.gpu.count: must be at least 1, got -1",
    },
    {
      name: "gpu neither an int nor a map",
      text: "workflows:\n  - name: w\n    file: t.py\n    resources: {gpu: two}\n",
      want: 'resources.gpu: expected an integer or a map, got "two"',
    },
    {
      name: "gpu name without a model",
      text: "workflows:\n  - name: w\n    file: t.py\n    resources: {gpu: {name: NVIDIA}}\n",
      want: 'resources.gpu.name: "NVIDIA" names no GPU model',
    },
    {
      name: "interruptible not a boolean (YAML 1.2: yes is a string)",
      text: "workflows:\n  - name: w\n    file: t.py\n    resources: {interruptible: yes}\n",
      want: 'resources.interruptible: expected true or false, got "yes"',
    },
    {
      name: "duplicate workflow names",
      text: "workflows:\n  - name: w\n    file: t.py\n  - name: w\n    file: u.py\n",
      want: `${FILE}:4:11: name: "w" is already the name of a workflow (${FILE}:2:11); workflow names must be unique`,
    },
    {
      name: "unknown dep workflow with a did-you-mean",
      text: "workflows:\n  - name: prepare\n    file: p.py\n  - name: train\n    file: t.py\n    deps:\n      - workflow: prepar\n",
      want: `${FILE}:7:19: deps[0].workflow: "prepar" is not a workflow; did you mean "prepare"? (workflows: prepare, train)`,
    },
    {
      name: "dep with both tag and workflow",
      text: "workflows:\n  - name: w\n    file: t.py\n    deps:\n      - {tag: a, workflow: w}\n",
      want: 'deps[0]: expected exactly one of {tag: ...} or {workflow: ...} or {run: ...}, got a map with "tag", "workflow"',
    },
    {
      name: "invalid tag name",
      text: "workflows:\n  - name: w\n    file: t.py\n    deps:\n      - tag: my tag\n",
      want: 'deps[0].tag: "my tag" is not a valid tag',
    },
    {
      name: "a dep's run name that is not a run name",
      text: "workflows:\n  - name: w\n    file: t.py\n    deps:\n      - run: ../x\n",
      want: 'deps[0].run: "../x" is not a valid run name',
    },
    {
      name: "file escaping the repository",
      text: "workflows:\n  - name: w\n    file: ../../etc/x.py\n",
      want: `${FILE}:3:11: file: "../../etc/x.py" leaves the repository; paths must stay inside it`,
    },
    {
      name: "file escaping through working_dir",
      text: "workflows:\n  - name: w\n    working_dir: src\n    file: ../../x.py\n",
      want: 'file: "../../x.py" leaves the repository',
    },
    {
      name: "absolute requirements",
      text: "workflows:\n  - name: w\n    file: t.py\n    requirements: /etc/requirements.txt\n",
      want: 'requirements: "/etc/requirements.txt" is absolute; give a path relative to the repository',
    },
    {
      name: "artifact escaping",
      text: "workflows:\n  - name: w\n    file: t.py\n    artifacts: [model, ../out]\n",
      want: 'artifacts[1]: "../out" leaves the repository',
    },
    {
      name: "artifact in the home folder",
      text: "workflows:\n  - name: w\n    file: t.py\n    artifacts: [{path: ~/models}]\n",
      want: 'artifacts[0].path: "~/models" is in the home folder',
    },
    {
      name: "artifact listed twice",
      text: "workflows:\n  - name: w\n    file: t.py\n    artifacts: [model, ./model/]\n",
      want: 'artifacts[1]: "./model/" is listed twice',
    },
    {
      name: "working_dir escaping",
      text: "workflows:\n  - name: w\n    file: t.py\n    working_dir: ..\n",
      want: 'working_dir: ".." leaves the repository',
    },
    {
      name: "invalid environment variable name (map)",
      text: "workflows:\n  - name: w\n    file: t.py\n    environment:\n      MY-VAR: x\n",
      want: `${FILE}:5:7: environment.MY-VAR: "MY-VAR" is not a valid environment variable name`,
    },
    {
      name: "invalid environment variable name (list)",
      text: "workflows:\n  - name: w\n    file: t.py\n    env: [1X=1]\n",
      want: 'env[0]: "1X" is not a valid environment variable name',
    },
    {
      name: "environment list item without =",
      text: "workflows:\n  - name: w\n    file: t.py\n    env: [NOVALUE]\n",
      want: 'env[0]: "NOVALUE" is not NAME=VALUE',
    },
    {
      name: "environment and env both",
      text: "workflows:\n  - name: w\n    file: t.py\n    env: [A=1]\n    environment: {B: 2}\n",
      want: 'env: give "environment" or its short name "env", not both',
    },
    {
      name: "version that is not Python 3",
      text: 'workflows:\n  - name: w\n    file: t.py\n    version: "2.7"\n',
      want: 'version: "2.7" is not a Python 3 version; write e.g. "3.11" or "3.10.14"',
    },
    {
      name: "args with an unclosed quote",
      text: "workflows:\n  - name: w\n    file: t.py\n    args: --name 'x\n",
      want: 'args: "--name \'x" cannot be split as a shell would',
    },
    {
      name: "invalid workflow name",
      text: "workflows:\n  - name: my workflow\n    file: t.py\n",
      want: 'name: "my workflow" is not a valid name',
    },
    {
      name: "empty file path",
      text: 'workflows:\n  - name: w\n    file: ""\n',
      want: "file: must not be empty",
    },
    {
      name: "YAML syntax error",
      text: "workflows:\n  - name: w\n    file: [t.py\n",
      want: `${FILE}:4:1: YAML:`,
    },
    {
      name: "duplicate YAML keys",
      text: "workflows:\n  - name: w\n    file: a.py\n    file: b.py\n",
      want: `${FILE}:4:5: YAML: Map keys must be unique`,
    },
    {
      name: "empty file",
      text: "# nothing yet\n",
      want: `${FILE}:1:1: the file is empty; it needs a workflows: list`,
    },
    {
      name: "no workflows key",
      text: "workflow:\n  - name: w\n",
      want: `${FILE}:1:1: workflow: unknown key "workflow"; did you mean "workflows"?`,
    },
    {
      name: "workflows not a list",
      text: "workflows:\n  name: w\n",
      want: `${FILE}:2:3: workflows: expected a list, got a map`,
    },
    {
      name: "a workflow that is not a map",
      text: "workflows:\n  - train\n",
      want: `${FILE}:2:5: workflows[0]: expected a map, got "train"`,
    },
    {
      name: "alias bomb",
      text: `a: &a [x, x, x, x, x, x, x, x, x, x]\nb: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]\nc: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]\nd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]\n`,
      want: `${FILE}:1:1: YAML: Excessive alias count`,
    },
  ])("$name", ({ text, want }) => {
    const out = problems(text);
    expect(out.join("\n")).toContain(want);
    expect(parseWorkflows({ files: [{ path: FILE, text }] }).ok).toBe(false);
  });

  it("reports every error of a file at once, in line order", () => {
    const out = problems(
      "workflows:\n  - name: w\n    file: /abs.py\n    resources:\n      cpu: 0\n      memory: 1XB\n  - name: v\n    fil: t.py\n",
    );
    expect(out.map((l) => l.split(": ")[0])).toEqual([
      `${FILE}:3:11`,
      `${FILE}:5:12`,
      `${FILE}:6:15`,
      `${FILE}:7:5`,
      `${FILE}:8:5`,
    ]);
  });

  it("names the workflow each diagnostic belongs to", () => {
    const r = parseWorkflows({
      files: [
        { path: FILE, text: "workflows:\n  - name: w\n    file: t.py\n    resources: {cpu: 0}\n" },
      ],
    });
    expect(r.diagnostics[0]?.workflow).toBe("w");
  });

  it("keeps valid workflows when another one is invalid", () => {
    const r = parseWorkflows({
      files: [
        {
          path: FILE,
          text: "workflows:\n  - name: ok\n    file: t.py\n  - name: bad\n    file: /t.py\n",
        },
      ],
    });
    expect(r.ok).toBe(false);
    expect(r.jobs.map((j) => j.workflow)).toEqual(["ok"]);
  });

  it("checks that file and requirements exist when the caller can look", () => {
    const present = new Set(["src/train.py"]);
    const out = problems(
      "workflows:\n  - name: w\n    working_dir: src\n    file: train.py\n    requirements: requirements.txt\n",
      (p) => present.has(p),
    );
    expect(out).toEqual([
      `${FILE}:5:19: requirements: "requirements.txt" does not exist (looked for src/requirements.txt in the repository)`,
    ]);
  });

  it("reports errors of several files with their own paths", () => {
    const r = parseWorkflows({
      files: [
        { path: FILE, text: "workflows:\n  - name: a\n    file: a.py\n" },
        { path: ".dstack/workflows/b.yaml", text: "workflows:\n  - name: a\n    file: b.py\n" },
      ],
    });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      `.dstack/workflows/b.yaml:2:11: name: "a" is already the name of a workflow (${FILE}:2:11); workflow names must be unique`,
    ]);
  });
});

describe("version: 3.10 written unquoted", () => {
  it('is recovered as "3.10" from the source text, with a warning, never run as 3.1', () => {
    const r = parseWorkflows({
      files: [{ path: FILE, text: "workflows:\n  - name: w\n    file: t.py\n    version: 3.10\n" }],
    });
    expect(r.ok).toBe(true);
    expect(r.jobs[0]?.version).toBe("3.10");
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([
      `${FILE}:4:14: warning: version: 3.10 is written unquoted, which YAML reads as the number 3.1; read as "3.10", quote it: version: "3.10"`,
    ]);
  });

  it("refuses a number that is not a version", () => {
    expect(
      problems("workflows:\n  - name: w\n    file: t.py\n    version: 2.7\n").join(),
    ).toContain('version: 2.7 must be a quoted string such as version: "3.11"');
  });
});

describe("findWorkflow", () => {
  it("finds by name or suggests the closest", () => {
    const { jobs } = parseWorkflows({ files: [{ path: FILE, text: SEED_001 }] });
    expect("job" in findWorkflow(jobs, "train")).toBe(true);
    expect(findWorkflow(jobs, "trian")).toEqual({
      error: '"trian" is not a workflow; did you mean "train"? (workflows: train)',
    });
  });
});

describe("no input ever produces an exception", () => {
  it("random text", () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 400 }), (text) => {
        const r = parseWorkflows({ files: [{ path: FILE, text }] });
        expect(r.ok || r.diagnostics.length > 0).toBe(true);
      }),
      { numRuns: 500 },
    );
  });

  it("random YAML shaped like a workflows file", () => {
    const key = fc.constantFrom(
      "name",
      "file",
      "script",
      "args",
      "requirements",
      "version",
      "environment",
      "env",
      "artifacts",
      "working_dir",
      "before_run",
      "resources",
      "deps",
      "provider",
      "cpu",
      "memory",
      "gpu",
      "count",
      "shm_size",
      "interruptible",
      "tag",
      "workflow",
      "path",
      "bogus",
    );
    const scalar = fc.oneof(
      fc.string({ maxLength: 12 }),
      fc.integer({ min: -5, max: 100 }),
      fc.double({ noNaN: false }),
      fc.boolean(),
      fc.constant(null),
      fc.constantFrom("16GB", "1.5GiB", "../x", "/abs", "3.10", "K80", "A=1", "~/x", "a b"),
    );
    const value = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: "small" }, scalar, tie("list"), tie("map")),
      list: fc.array(tie("node"), { maxLength: 4 }),
      map: fc.dictionary(key, tie("node"), { maxKeys: 5 }),
    })).node;
    const doc = fc.oneof(
      fc.record({
        workflows: fc.array(fc.dictionary(key, value, { maxKeys: 8 }), { maxLength: 3 }),
      }),
      value,
    );
    fc.assert(
      fc.property(doc, (d) => {
        const text = JSON.stringify(d) ?? "";
        const r = parseWorkflows({ files: [{ path: FILE, text }], fileExists: () => true });
        for (const diag of r.diagnostics) {
          expect(diag.message.length).toBeGreaterThan(0);
        }
        if (r.ok) expect(r.jobs.length).toBeGreaterThanOrEqual(0);
      }),
      { numRuns: 1000 },
    );
  });
});
