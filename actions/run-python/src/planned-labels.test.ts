/**
 * One job in a dispatched run's critical path: dstack's dispatchers send the planned `runs-on`
 * labels with the job, the runner workflow (its `if:` and `runs-on` evaluated by GitHub's
 * expression engine) skips the plan job and starts the run job on them, and the run step
 * recomputes the labels from the job, refusing a dispatcher that asked for fewer (or dropped
 * `dstack-ephemeral` for untrusted code), and enforces the default branch's policy before the job
 * runs. Every step runs in-process (`runActionInProcess`) against the OpenAPI-validated fake GitHub.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { data, Evaluator, Lexer, Parser } from "@actions/expressions";
import { EPHEMERAL_LABEL } from "@dstack/spec";
import {
  createActionsModel,
  createContentsModel,
  createSimulatedClock,
  criticalPathJobs,
  type FakeGitHub,
  type FakeHandler,
  REPO_ROOT,
  runActionInProcess,
  startFakeGitHub,
} from "@dstack/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const ACTION_DIR = path.resolve(import.meta.dirname, "..");
const TOKEN = "ghs_plannedlabelstesttoken012345678";
const OWNER = "Codertocat";
const REPO = "Hello-World";

interface RunnerJob {
  if?: string;
  needs?: string | string[];
  "runs-on": string;
  steps: { id?: string; with?: Record<string, string> }[];
}
/** The runner workflow as shipped. */
const RUNNER = parse(
  fs.readFileSync(path.join(REPO_ROOT, ".github/workflows/dstack-run.yml"), "utf8"),
) as {
  on: { workflow_dispatch: { inputs: Record<string, { type: string; default?: unknown }> } };
  jobs: Record<string, RunnerJob>;
};
const DECLARED = RUNNER.on.workflow_dispatch.inputs;

let tmp: string;
let workspace: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "run-python-planned-"));
  workspace = path.join(tmp, "checkout");
  fs.mkdirSync(path.join(workspace, ".dstack"), { recursive: true });
  fs.writeFileSync(path.join(workspace, "train.py"), "print('training')\n");
  fs.writeFileSync(
    path.join(workspace, ".dstack/workflows.yaml"),
    "workflows:\n  - name: train\n    provider: python\n    file: train.py\n    resources:\n      gpu: 2\n",
  );
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const open: FakeGitHub[] = [];
afterEach(async () => {
  for (const github of open.splice(0)) {
    expect(github.problems).toEqual([]);
    await github.close();
  }
});

/** The fake: the runner workflow's real inputs; the default branch `master` with `policy`. */
async function fake(policy?: string) {
  const actions = createActionsModel({
    owner: OWNER,
    repo: REPO,
    inputs: Object.fromEntries(
      Object.keys(DECLARED).map((k) => [k, k === "job" || k === "run-name"]),
    ),
    refs: ["master", "feature"],
    queuedMs: 1000,
    durationMs: 1000,
    clock: createSimulatedClock(Date.now()),
  });
  const contents = createContentsModel({
    owner: OWNER,
    repo: REPO,
    defaultBranch: "master",
    files: { master: policy !== undefined ? { ".dstack/policy.yaml": policy } : {} },
  });
  // Each request moves the simulated clock on, so following the run takes no real time.
  const routes: Record<string, FakeHandler> = { ...contents.routes };
  for (const [key, handler] of Object.entries(actions.routes)) {
    routes[key] = (request, context) => {
      actions.clock.advance(1000);
      return handler(request, context);
    };
  }
  const github = await startFakeGitHub(routes, { conditional: actions.conditional });
  open.push(github);
  return { github, actions };
}

const env = (github: FakeGitHub) => ({
  GITHUB_WORKSPACE: workspace,
  GITHUB_API_URL: github.url,
  GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
  GITHUB_RUN_ID: "902",
  RUNNER_TEMP: tmp,
  GITHUB_EVENT_NAME: "workflow_dispatch",
});

/** An expression of the runner workflow, evaluated as GitHub would for `dispatched` inputs. */
function evaluate(expression: string, dispatched: Record<string, unknown>) {
  const pairs = Object.entries(DECLARED).map(([name, input]) => {
    const raw = dispatched[name] ?? input.default ?? "";
    const value =
      input.type === "boolean"
        ? new data.BooleanData(String(raw) === "true")
        : input.type === "number"
          ? new data.NumberData(Number(raw))
          : new data.StringData(String(raw));
    return { key: name, value };
  });
  // The plan job was skipped: its result is `skipped` and it has no outputs.
  const needs = new data.Dictionary({
    key: "plan",
    value: new data.Dictionary(
      { key: "result", value: new data.StringData("skipped") },
      { key: "outputs", value: new data.Dictionary() },
    ),
  });
  const context = new data.Dictionary(
    { key: "inputs", value: new data.Dictionary(...pairs) },
    { key: "needs", value: needs },
  );
  // Status functions: the run was not cancelled.
  const text = expression
    .replace(/^\$\{\{(.*)\}\}$/s, "$1")
    .replace(/\bcancelled\(\)/g, "false")
    .trim();
  const parsed = new Parser(new Lexer(text).lex().tokens, ["inputs", "needs"], []).parse();
  return new Evaluator(parsed, context).evaluate();
}

/** The run step's `with:`, every `${{ }}` evaluated for `dispatched`. */
function runStepWith(dispatched: Record<string, unknown>): Record<string, string> {
  const step = RUNNER.jobs.run?.steps.find((s) => s.id === "run");
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(step?.with ?? {})) {
    out[name] = String(text).replace(/\$\{\{(.*?)\}\}/g, (_, e: string) =>
      evaluate(e, dispatched).coerceString(),
    );
  }
  return out;
}

/** Dispatches `train` with mode: dispatch from `ref`; the inputs GitHub received. */
async function dispatched(
  github: FakeGitHub,
  actions: ReturnType<typeof createActionsModel>,
  ref: string,
) {
  const r = await runActionInProcess({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    inputs: {
      mode: "dispatch",
      workflow: "train",
      ref,
      "github-token": TOKEN,
      "poll-interval-ms": "10",
      "write-spacing-ms": "0",
    },
    env: env(github),
  });
  expect(r.failed).toBeUndefined();
  return actions.runs.at(-1)?.inputs ?? {};
}

describe("a dispatched run has one job before its first line", { timeout: 60_000 }, () => {
  it.each([
    { name: "the default branch", ref: "master", untrusted: false },
    { name: "another branch (untrusted)", ref: "feature", untrusted: true },
  ])(
    "mode: dispatch from $name sends runs-on; the plan job is skipped and the run job starts on them",
    async ({ ref, untrusted }) => {
      const { github, actions } = await fake();
      const inputs = await dispatched(github, actions, ref);
      const labels = JSON.parse(String(inputs["runs-on"])) as string[];
      expect(labels).toContain("gpu-count-ge-2");
      expect(labels.includes(EPHEMERAL_LABEL)).toBe(untrusted);
      expect(evaluate(RUNNER.jobs.plan?.if ?? "true", inputs).coerceString()).toBe("false");
      expect(evaluate(RUNNER.jobs.run?.if ?? "true", inputs).coerceString()).toBe("true");
      const runsOn = evaluate(RUNNER.jobs.run?.["runs-on"] ?? "", inputs);
      expect(runsOn).toBeInstanceOf(data.Array);
      expect((runsOn as data.Array).values().map((v) => v.coerceString())).toEqual(labels);
      expect(runStepWith(inputs)).toMatchObject({ mode: "run", "runs-on": inputs["runs-on"] });
      // Counted in the Actions model: only the run job stands before the job's first line.
      const critical = criticalPathJobs({
        jobs: RUNNER.jobs,
        job: "run",
        inputs: DECLARED,
        dispatched: inputs,
      });
      expect(critical).toEqual(["run"]);
    },
  );

  it("without runs-on (a workflow_call user), the plan job plans as before", () => {
    expect(evaluate(RUNNER.jobs.plan?.if ?? "true", { job: "{}" }).coerceString()).toBe("true");
    const dispatched = { job: "{}" };
    const critical = criticalPathJobs({
      jobs: RUNNER.jobs,
      job: "run",
      inputs: DECLARED,
      dispatched,
    });
    expect(critical).toEqual(["run", "plan"]);
  });
});

const JOB = JSON.stringify({
  name: "train",
  provider: "python",
  file: "train.py",
  resources: { gpu: 2 },
});
const refusals = [
  {
    name: "labels that ask for fewer GPUs than the job needs",
    runsOn: ["self-hosted", "dstack", "on-demand", "gpu-count-ge-1"],
    untrusted: false,
    error:
      /runs-on: the dispatcher planned .* this job needs .*missing gpu-count-ge-2; the job was not run/,
  },
  {
    name: "an untrusted run's labels without dstack-ephemeral",
    runsOn: ["self-hosted", "dstack", "on-demand", "gpu-count-ge-2"],
    untrusted: true,
    error:
      /missing dstack-ephemeral; dstack-ephemeral keeps untrusted code .* on ephemeral runners/,
  },
  {
    name: "labels that are not a JSON array",
    runsOn: "self-hosted, dstack",
    untrusted: false,
    error: /runs-on: "self-hosted, dstack" is not a JSON array of runner labels/,
  },
];

describe("mode: run with planned labels", { timeout: 60_000 }, () => {
  it.each(refusals)("refuses $name before anything runs", async ({ runsOn, untrusted, error }) => {
    const { github } = await fake();
    const r = await runActionInProcess({
      actionDir: ACTION_DIR,
      entrypoint: "src/step.ts",
      inputs: {
        mode: "run",
        job: JOB,
        "runs-on": typeof runsOn === "string" ? runsOn : JSON.stringify(runsOn),
        untrusted: String(untrusted),
        "github-token": TOKEN,
      },
      env: env(github),
    });
    expect(r.failed).toMatch(error);
    expect(r.outputs["run-name"]).toBeUndefined();
  });

  it("enforces the default branch's policy when the labels match", async () => {
    const { github } = await fake("gpu:\n  max_count: 1\n");
    const r = await runActionInProcess({
      actionDir: ACTION_DIR,
      entrypoint: "src/step.ts",
      inputs: {
        mode: "run",
        job: JOB,
        "runs-on": JSON.stringify([
          "self-hosted",
          "dstack",
          "on-demand",
          "gpu-count-ge-2",
          EPHEMERAL_LABEL,
        ]),
        untrusted: "true",
        "github-token": TOKEN,
      },
      env: env(github),
    });
    expect(r.failed).toMatch(/policy refuses this run/);
    expect(r.outputs["run-name"]).toBeUndefined();
  });
});
