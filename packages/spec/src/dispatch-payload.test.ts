import { createRequire } from "node:module";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import { describe, expect, it } from "vitest";
import { parseRunArgv, type RunCommand, runCommandJob } from "./argv.js";
import { formatDiagnostic } from "./diagnostics.js";
import {
  DISPATCH_EVENT_TYPE,
  type DispatchRequest,
  MAX_DISPATCH_PAYLOAD_CHARS,
  parseDispatchPayload,
} from "./dispatch-payload.js";
import type { Job } from "./job.js";
import { parseWorkflows } from "./workflows.js";

const WORKFLOWS_YAML = `workflows:
  - name: train
    provider: python
    file: train.py
    args: ["--epochs", "10"]
    environment:
      A: "0"
      B: "2"
    artifacts: [model]
    resources:
      cpu: 4
      memory: 16GB
      gpu:
        name: A100
        count: 2
        memory: 40GB
  - name: cpu-only
    file: main.py
`;

function workflows(): Job[] {
  const r = parseWorkflows({ files: [{ path: ".dstack/workflows.yaml", text: WORKFLOWS_YAML }] });
  expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
  return r.jobs;
}

/** A payload that must pass. */
function request(payload: unknown): DispatchRequest {
  const r = parseDispatchPayload(payload);
  if ("errors" in r) throw new Error(r.errors.map(formatDiagnostic).join("\n"));
  return r.request;
}

/** The job a valid payload asks for, through runCommandJob as the CLI's argv would go. */
function job(payload: unknown): Job {
  const r = runCommandJob({ command: request(payload).command, workflows: workflows() });
  if ("errors" in r) throw new Error(r.errors.map(formatDiagnostic).join("\n"));
  return r.job;
}

/** The formatted errors of a payload that must be refused. */
function errors(payload: unknown): string[] {
  const r = parseDispatchPayload(payload);
  if (!("errors" in r)) throw new Error(`expected errors, got ${JSON.stringify(r.request)}`);
  return r.errors.map(formatDiagnostic);
}

/** The `repository_dispatch` webhook examples of GitHub's docs (the package's main file is JSON). */
const definitions = createRequire(import.meta.url)(
  "@octokit/webhooks-examples",
) as WebhookDefinition[];

/** The shape of the docs' repository_dispatch example that these tests read. */
interface DispatchEvent {
  action: string;
  client_payload: unknown;
  repository: { full_name: string };
}

/** A copy of the docs' repository_dispatch example, as GitHub sends it. */
function docsExample(): DispatchEvent {
  const definition = definitions.find((d) => d.name === "repository_dispatch");
  const example = definition?.examples[0];
  if (!example) throw new Error("@octokit/webhooks-examples has no repository_dispatch example");
  return structuredClone(example) as unknown as DispatchEvent;
}

/** The docs' repository_dispatch event, made a `dstack-run` dispatch carrying `clientPayload`. */
function dispatchEvent(clientPayload: unknown): DispatchEvent {
  const event = docsExample();
  // On a repository_dispatch webhook, `action` is the event_type the dispatch was sent with.
  event.action = DISPATCH_EVENT_TYPE;
  event.client_payload = clientPayload;
  return event;
}

describe("valid payloads through runCommandJob", () => {
  const base = workflows()[0] as Job;
  const cases: { name: string; payload: Record<string, unknown>; expected: Job }[] = [
    { name: "the workflow alone runs as written", payload: { workflow: "train" }, expected: base },
    {
      name: "a GPU count replaces the count and keeps the model",
      payload: { workflow: "train", resources: { gpu: 4 } },
      expected: {
        ...base,
        resources: { ...base.resources, gpu: { count: 4, name: "a100", memoryBytes: 40e9 } },
      },
    },
    {
      name: "a GPU map replaces the parts it names",
      payload: {
        workflow: "train",
        resources: { gpu: { name: "NVIDIA H100 80GB HBM3", memory: "80GB" } },
      },
      expected: {
        ...base,
        resources: { ...base.resources, gpu: { count: 2, name: "h100", memoryBytes: 80e9 } },
      },
    },
    {
      name: "cpu, memory and interruptible",
      payload: { workflow: "train", resources: { cpu: 8, memory: "64GB", interruptible: true } },
      expected: {
        ...base,
        resources: { ...base.resources, cpu: 8, memoryBytes: 64e9, interruptible: true },
      },
    },
    {
      name: "a GPU count on a CPU-only workflow",
      payload: { workflow: "cpu-only", resources: { gpu: 1 } },
      expected: {
        ...(workflows()[1] as Job),
        resources: { interruptible: false, gpu: { count: 1 } },
      },
    },
    {
      name: "args as a list replace the workflow's",
      payload: { workflow: "train", args: ["--epochs", "3", "--name", "a b"] },
      expected: { ...base, args: ["--epochs", "3", "--name", "a b"] },
    },
    {
      name: "args as a string are split as a shell would",
      payload: { workflow: "train", args: "--epochs 3 --name 'a b'" },
      expected: { ...base, args: ["--epochs", "3", "--name", "a b"] },
    },
    {
      name: "empty args clear the workflow's",
      payload: { workflow: "train", args: [] },
      expected: { ...base, args: [] },
    },
    {
      name: "env merges over the workflow's, numbers and booleans as text",
      payload: { workflow: "train", env: { B: "3", C: 1.5, D: true, E: "x=y" } },
      expected: { ...base, environment: { A: "0", B: "3", C: "1.5", D: "true", E: "x=y" } },
    },
  ];
  it.each(cases)("$name", ({ payload, expected }) => {
    expect(job(payload)).toEqual(expected);
  });

  it("gives the same job as the same dstack run argv", () => {
    const payload = {
      workflow: "train",
      args: ["--lr", "0.1"],
      env: { SEED: 7 },
      resources: {
        cpu: 2,
        memory: "8GB",
        shm_size: "1GB",
        gpu: { count: 1, name: "T4", memory: "16GB" },
      },
    };
    const argv = [
      "train",
      "-e",
      "SEED=7",
      "--cpu",
      "2",
      "--memory",
      "8GB",
      "--shm-size",
      "1GB",
      "--gpu",
      "1",
      "--gpu-name",
      "T4",
      "--gpu-memory",
      "16GB",
      "--",
      "--lr",
      "0.1",
    ];
    const parsed = parseRunArgv(argv);
    if ("errors" in parsed) throw new Error(parsed.errors.map(formatDiagnostic).join("\n"));
    const fromArgv: RunCommand = parsed.command;
    expect(request(payload).command).toEqual(fromArgv);
    expect(job(payload)).toEqual(
      (runCommandJob({ command: fromArgv, workflows: workflows() }) as { job: Job }).job,
    );
  });

  it("keeps ref, tag and run_name beside the command", () => {
    expect(
      request({ workflow: "train", ref: "feature/x", tag: "best", run_name: "sharp-shrimp-1" }),
    ).toEqual({
      command: {
        target: { workflow: "train" },
        detach: false,
        help: false,
        overrides: {},
        hasArgs: false,
      },
      ref: "feature/x",
      tag: "best",
      runName: "sharp-shrimp-1",
    });
  });

  const refs = [
    "main",
    "refs/heads/main",
    "release/v1.2",
    "v1.0.0",
    "0123abc",
    "0123456789abcdef0123456789abcdef01234567",
    "user@host",
  ];
  it.each(refs.map((ref) => ({ name: ref, ref })))("accepts the ref $name", ({ ref }) => {
    expect(request({ workflow: "train", ref }).ref).toBe(ref);
  });

  it("an unknown workflow is runCommandJob's to refuse, with did-you-mean", () => {
    const r = runCommandJob({
      command: request({ workflow: "trian" }).command,
      workflows: workflows(),
    });
    expect("errors" in r && r.errors.map(formatDiagnostic)).toEqual([
      expect.stringContaining('"trian" is not a workflow; did you mean "train"?'),
    ]);
  });
});

describe("bad payloads", () => {
  const big = "x".repeat(70_000);
  const eleven = Object.fromEntries(
    ["workflow", ...Array.from({ length: 10 }, (_, i) => `k${i}`)].map((k) => [k, "train"]),
  );
  const cases: { name: string; payload: unknown; expected: unknown[] }[] = [
    {
      name: "null",
      payload: null,
      expected: ["client_payload: client_payload: expected a JSON object, got nothing"],
    },
    {
      name: "an array",
      payload: [],
      expected: ["client_payload: client_payload: expected a JSON object, got a list"],
    },
    {
      name: "a string",
      payload: "train",
      expected: ['client_payload: client_payload: expected a JSON object, got "train"'],
    },
    {
      name: "a missing workflow",
      payload: {},
      expected: [
        'client_payload: client_payload: missing required key "workflow" (The workflow to run, as `dstack run WORKFLOW`)',
      ],
    },
    {
      name: "11 properties",
      payload: eleven,
      expected: [
        "client_payload: client_payload: has 11 top-level properties; GitHub allows at most 10",
        ...Array.from({ length: 10 }, (_, i) =>
          expect.stringMatching(
            new RegExp(`^client_payload: client_payload\\.k${i}: unknown key "k${i}"`),
          ),
        ),
      ],
    },
    {
      name: "70 000 characters",
      payload: { workflow: "train", args: [big] },
      expected: [
        `client_payload: client_payload: the payload is ${JSON.stringify({ workflow: "train", args: [big] }).length} characters of JSON; GitHub allows at most ${MAX_DISPATCH_PAYLOAD_CHARS}`,
      ],
    },
    {
      name: "a ref with ..",
      payload: { workflow: "train", ref: "../x" },
      expected: [
        'client_payload: client_payload.ref: "../x" is not a git ref: it contains ".."; give a branch, a tag or a commit SHA',
      ],
    },
    {
      name: "a ref that reads as an option",
      payload: { workflow: "train", ref: "-x" },
      expected: [
        'client_payload: client_payload.ref: "-x" is not a git ref: it starts with "-"; give a branch, a tag or a commit SHA',
      ],
    },
    {
      name: "a ref with a space",
      payload: { workflow: "train", ref: "a b" },
      expected: [
        'client_payload: client_payload.ref: "a b" is not a git ref: it contains whitespace; give a branch, a tag or a commit SHA',
      ],
    },
    {
      name: "a ref with .. inside",
      payload: { workflow: "train", ref: "a..b" },
      expected: [expect.stringContaining('"a..b" is not a git ref: it contains ".."')],
    },
    {
      name: "a ref with @{",
      payload: { workflow: "train", ref: "x@{1}" },
      expected: [expect.stringContaining('"x@{1}" is not a git ref: it contains "@{"')],
    },
    {
      name: "a ref with a glob",
      payload: { workflow: "train", ref: "ma*n" },
      expected: [expect.stringContaining('"ma*n" is not a git ref: it contains "*"')],
    },
    {
      name: "a ref with a control character",
      payload: { workflow: "train", ref: "main\u0007" },
      expected: [expect.stringContaining("it contains a control character")],
    },
    {
      name: "a ref ending in .lock",
      payload: { workflow: "train", ref: "heads/main.lock" },
      expected: [expect.stringContaining('has a part ending with ".lock"')],
    },
    {
      name: "a ref of 256 characters",
      payload: { workflow: "train", ref: "a".repeat(256) },
      expected: [expect.stringContaining("is 256 characters long; refs are at most 255")],
    },
    {
      name: "an empty ref",
      payload: { workflow: "train", ref: "" },
      expected: ["client_payload: client_payload.ref: must not be empty"],
    },
    {
      name: "a bad tag",
      payload: { workflow: "train", tag: "-best" },
      expected: [
        'client_payload: client_payload.tag: "-best" is not a valid tag; use letters, digits, ".", "_" and "-", starting with a letter or digit',
      ],
    },
    {
      name: "a tag with a slash",
      payload: { workflow: "train", tag: "a/b" },
      expected: [expect.stringContaining('"a/b" is not a valid tag')],
    },
    {
      name: "a bad run name",
      payload: { workflow: "train", run_name: "My Run" },
      expected: [
        'client_payload: client_payload.run_name: "My Run" is not a run name; run names are adjective-animal-N in lower case, e.g. sharp-shrimp-1',
      ],
    },
    {
      name: "an unknown key, with did-you-mean",
      payload: { workflow: "train", runName: "sharp-shrimp-1" },
      expected: [
        'client_payload: client_payload.runName: unknown key "runName"; did you mean "run_name"? (allowed: workflow, args, env, resources, ref, tag, run_name)',
      ],
    },
    {
      name: "an unknown resources key, with did-you-mean",
      payload: { workflow: "train", resources: { gpus: 2 } },
      expected: [
        'client_payload: client_payload.resources.gpus: unknown key "gpus"; did you mean "gpu"? (allowed: cpu, memory, gpu, shm_size, interruptible)',
      ],
    },
    {
      name: "args of the wrong type",
      payload: { workflow: "train", args: 3 },
      expected: ["client_payload: client_payload.args: expected a string or a list, got 3"],
    },
    {
      name: "a list of args with a number",
      payload: { workflow: "train", args: ["--epochs", 3] },
      expected: ["client_payload: client_payload.args[1]: expected a string, got 3"],
    },
    {
      name: "an args string with an open quote",
      payload: { workflow: "train", args: "--name 'a b" },
      expected: [
        expect.stringMatching(
          /^client_payload: client_payload\.args: "--name 'a b" cannot be split as a shell would/,
        ),
      ],
    },
    {
      name: "a bad env name",
      payload: { workflow: "train", env: { "1X": "a" } },
      expected: [
        'client_payload: client_payload.env.1X: "1X" is not a valid environment variable name; use letters, digits and _, not starting with a digit',
      ],
    },
    {
      name: "an env value that is a map",
      payload: { workflow: "train", env: { X: { a: 1 } } },
      expected: [
        "client_payload: client_payload.env.X: expected a string or a number or true or false, got a map",
      ],
    },
    {
      name: "a GPU count of 0",
      payload: { workflow: "train", resources: { gpu: { count: 0 } } },
      expected: [
        "client_payload: client_payload.resources.gpu.count: must be at least 1, got 0; leave resources.gpu out for a job without GPUs",
      ],
    },
    {
      name: "a GPU count as a string",
      payload: { workflow: "train", resources: { gpu: "2" } },
      expected: [
        'client_payload: client_payload.resources.gpu: expected an integer or a map, got "2"',
      ],
    },
    {
      name: "a memory that is not a size",
      payload: { workflow: "train", resources: { memory: "16GBB" } },
      expected: [
        expect.stringMatching(/^client_payload: client_payload\.resources\.memory: "16GBB"/),
      ],
    },
    {
      name: "a GPU name that names no model",
      payload: { workflow: "train", resources: { gpu: { name: "NVIDIA" } } },
      expected: [
        'client_payload: client_payload.resources.gpu.name: "NVIDIA" names no GPU model; write the model, e.g. "H100", "A100" or "T4"',
      ],
    },
    {
      name: "a workflow name with a slash",
      payload: { workflow: "../train" },
      expected: [
        expect.stringContaining('client_payload.workflow: "../train" is not a valid name'),
      ],
    },
    {
      name: "every problem at once",
      payload: { workflow: 1, ref: "-x", tag: "a/b", wrkflow: "t" },
      expected: [
        expect.stringContaining(
          'client_payload.wrkflow: unknown key "wrkflow"; did you mean "workflow"?',
        ),
        expect.stringContaining("client_payload.workflow: expected a string, got 1"),
        expect.stringContaining('client_payload.ref: "-x" is not a git ref'),
        expect.stringContaining('client_payload.tag: "a/b" is not a valid tag'),
      ],
    },
  ];
  it.each(cases)("refuses $name", ({ payload, expected }) => {
    expect(errors(payload)).toEqual(expected);
  });

  it("never throws on a payload that JSON cannot write", () => {
    const cyclic: Record<string, unknown> = { workflow: "train" };
    cyclic.env = cyclic;
    expect(errors(cyclic)[0]).toMatch(/^client_payload: client_payload: cannot be written as JSON/);
    expect(errors({ workflow: "train", tag: 1n })).toEqual([
      expect.stringMatching(/cannot be written as JSON/),
      "client_payload: client_payload.tag: expected a string, got 1",
    ]);
  });

  it("errors are values with source client_payload and no position", () => {
    const r = parseDispatchPayload({ workflow: "train", ref: "a b" });
    expect(r).toEqual({
      errors: [
        {
          severity: "error",
          source: "client_payload",
          field: "client_payload.ref",
          message: expect.stringContaining("contains whitespace"),
        },
      ],
    });
  });
});

describe("GitHub's repository_dispatch example", () => {
  it("its own client_payload ({}) is refused: it names no workflow", () => {
    const event = docsExample();
    expect(event.client_payload).toEqual({});
    expect(errors(event.client_payload)).toEqual([
      expect.stringContaining('client_payload: missing required key "workflow"'),
    ]);
  });

  const adapted = [
    {
      name: "a workflow with a GPU override",
      clientPayload: { workflow: "train", resources: { gpu: { count: 1, name: "H100" } } },
      check: (j: Job) =>
        expect(j.resources.gpu).toEqual({ count: 1, name: "h100", memoryBytes: 40e9 }),
    },
    {
      name: "a workflow with args, env and a ref",
      clientPayload: { workflow: "train", args: "--epochs 1", env: { SEED: 1 }, ref: "main" },
      check: (j: Job) => {
        expect(j.args).toEqual(["--epochs", "1"]);
        expect(j.environment.SEED).toBe("1");
      },
    },
  ];
  it.each(adapted)("adapted to $name", ({ clientPayload, check }) => {
    // The webhook's payload went through JSON on its way here, as it does on GitHub.
    const event = JSON.parse(JSON.stringify(dispatchEvent(clientPayload))) as DispatchEvent;
    expect(event.action).toBe(DISPATCH_EVENT_TYPE);
    check(job(event.client_payload));
  });

  it("adapted with a wrong key, refused with did-you-mean", () => {
    const event = dispatchEvent({ workflow: "train", resource: { gpu: 1 } });
    expect(errors(event.client_payload)).toEqual([
      expect.stringContaining(
        'client_payload.resource: unknown key "resource"; did you mean "resources"?',
      ),
    ]);
  });
});
