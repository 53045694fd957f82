/**
 * Code not on the default branch lands only on ephemeral runners: a pull-request command and a
 * repository_dispatch of another ref dispatch the runner workflow with `untrusted: true`; that
 * workflow's plan step (its `with:` evaluated by GitHub's expression engine against the
 * dispatched inputs) turns it into the `dstack-ephemeral` label; a default-branch dispatch asks
 * for no such label. Every step runs in-process (`runActionInProcess`) against the OpenAPI-validated
 * fake GitHub (pull requests, the activity log, Actions, contents).
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { data, Evaluator, Lexer, Parser } from "@actions/expressions";
import { EPHEMERAL_LABEL } from "@dstack/spec";
import {
  createActionsModel,
  createContentsModel,
  createPullsModel,
  createSimulatedClock,
  type FakeGitHub,
  type FakeHandler,
  REPO_ROOT,
  runActionInProcess,
  startFakeGitHub,
} from "@dstack/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import { parse } from "yaml";
import { getInputs } from "./inputs.js";

const ACTION_DIR = path.resolve(import.meta.dirname, "..");
const TOKEN = "ghs_untrustedtesttoken0123456789";
const OWNER = "Codertocat";
const REPO = "Hello-World";
const HEAD = "c".repeat(40);

/** The runner workflow as shipped. */
const RUNNER = parse(
  fs.readFileSync(path.join(REPO_ROOT, ".github/workflows/dstack-run.yml"), "utf8"),
) as {
  on: { workflow_dispatch: { inputs: Record<string, { type: string; default?: unknown }> } };
  jobs: Record<string, { steps: { id?: string; with?: Record<string, string> }[] }>;
};
const DECLARED = RUNNER.on.workflow_dispatch.inputs;

let tmp: string;
let workspace: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "run-python-untrusted-"));
  workspace = path.join(tmp, "default-branch");
  fs.mkdirSync(path.join(workspace, ".dstack"), { recursive: true });
  fs.writeFileSync(path.join(workspace, "train.py"), "print('training')\n");
  fs.writeFileSync(
    path.join(workspace, ".dstack/workflows.yaml"),
    "workflows:\n  - name: train\n    provider: python\n    file: train.py\n    resources:\n      gpu: 1\n",
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

/** One fake GitHub: pull request #1 at {@link HEAD}, the runner workflow (its real inputs), default branch master. */
async function fake() {
  const actions = createActionsModel({
    owner: OWNER,
    repo: REPO,
    inputs: Object.fromEntries(
      Object.keys(DECLARED).map((k) => [k, k === "job" || k === "run-name"]),
    ),
    refs: ["master"],
    queuedMs: 5000,
    durationMs: 5000,
    clock: createSimulatedClock(Date.now()),
  });
  const pulls = createPullsModel({
    owner: OWNER,
    repo: REPO,
    roles: { maintainer: "write" },
    pulls: [{ number: 1, commits: ["a".repeat(40), HEAD], labels: [] }],
  });
  const contents = createContentsModel({ owner: OWNER, repo: REPO, defaultBranch: "master" });
  const routes: Record<string, FakeHandler> = { ...pulls.routes, ...contents.routes };
  for (const [key, handler] of Object.entries(actions.routes)) {
    routes[key] = (request, context) => {
      actions.clock.advance(5000);
      return handler(request, context);
    };
  }
  const github = await startFakeGitHub(routes, { conditional: actions.conditional });
  open.push(github);
  return { github, actions };
}

// biome-ignore lint/suspicious/noExplicitAny: a webhook payload adapted field by field
type Payload = Record<string, any>;

/** A webhook example of `name` (first of `action`), adapted, written to a file. */
function eventFile(name: string, adapt: (e: Payload) => void, action?: string): string {
  const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as {
    name: string;
    examples: { action?: string }[];
  }[];
  const example = structuredClone(
    definitions.find((d) => d.name === name)?.examples.find((e) => !action || e.action === action),
  ) as Payload;
  adapt(example);
  const file = path.join(tmp, `event-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(example));
  return file;
}

/** `mode: command` on an event, in-process. */
function command(github: FakeGitHub, eventName: string, eventPath: string) {
  return runActionInProcess({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    inputs: {
      mode: "command",
      "github-token": TOKEN,
      "poll-interval-ms": "10",
      "write-spacing-ms": "0",
    },
    env: {
      GITHUB_WORKSPACE: workspace,
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_RUN_ID: "901",
      RUNNER_TEMP: tmp,
      GITHUB_EVENT_NAME: eventName,
      GITHUB_EVENT_PATH: eventPath,
    },
  });
}

/**
 * The `with:` of a step of the runner workflow, evaluated as GitHub would for a run dispatched
 * with `dispatched`: the `inputs` context holds every declared input (typed; the default when
 * not sent), `needs` is empty, and each `${{ }}` becomes its value as a string.
 */
function stepWith(job: string, stepId: string, dispatched: Record<string, unknown>) {
  const step = RUNNER.jobs[job]?.steps.find((s) => s.id === stepId);
  if (!step?.with) throw new Error(`dstack-run.yml has no step ${job}.${stepId} with inputs`);
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
  // `needs` (the plan job's outputs, for the run step) is not under test here: left empty.
  const context = new data.Dictionary(
    { key: "inputs", value: new data.Dictionary(...pairs) },
    { key: "needs", value: new data.Dictionary() },
  );
  const out: Record<string, string> = {};
  for (const [name, text] of Object.entries(step.with)) {
    out[name] = String(text).replace(/\$\{\{(.*?)\}\}/g, (_, expression: string) => {
      const lexed = new Lexer(expression.trim()).lex();
      const parsed = new Parser(lexed.tokens, ["inputs", "needs"], []).parse();
      return new Evaluator(parsed, context).evaluate().coerceString();
    });
  }
  return out;
}

/** The runner workflow's plan step for the dispatched run, in-process: its `runs-on`. */
async function planOf(github: FakeGitHub, dispatched: Record<string, unknown>): Promise<string[]> {
  const r = await runActionInProcess({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    inputs: { ...stepWith("plan", "plan", dispatched), "github-token": TOKEN },
    env: {
      GITHUB_WORKSPACE: workspace,
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_EVENT_NAME: "workflow_dispatch",
      GITHUB_ACTOR: "github-actions[bot]",
    },
  });
  expect(r.failed).toBeUndefined();
  return JSON.parse(r.outputs["runs-on"] ?? "null") as string[];
}

const comment = (body: string) =>
  eventFile(
    "issue_comment",
    (e) => {
      e.issue.number = 1;
      e.issue.pull_request = { url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/1` };
      e.comment.body = body;
      e.comment.user.login = "maintainer";
    },
    "created",
  );
const dispatchEvent = (payload: unknown) =>
  eventFile("repository_dispatch", (e) => {
    e.action = "dstack-run";
    e.client_payload = payload;
    e.repository.owner.login = OWNER;
    e.repository.name = REPO;
    e.repository.default_branch = "master";
    e.sender.login = "maintainer";
  });

describe("code not on the default branch asks for ephemeral runners", { timeout: 60_000 }, () => {
  it("a pull-request command: dispatched untrusted with its pull request; the plan asks for dstack-ephemeral", async () => {
    const { github, actions } = await fake();
    const r = await command(github, "issue_comment", comment("/dstack run train"));
    expect(r.failed).toBeUndefined();
    const [dispatched] = actions.runs;
    expect(dispatched?.ref).toBe("master");
    expect(dispatched?.inputs).toMatchObject({ sha: HEAD, untrusted: "true", "pull-request": "1" });
    const runsOn = await planOf(github, dispatched?.inputs ?? {});
    expect(runsOn).toContain(EPHEMERAL_LABEL);
    expect(runsOn).toContain("gpu-count-ge-1");
    // The run step reads both once, as its inputs object.
    const runWith = stepWith("run", "run", dispatched?.inputs ?? {});
    expect(runWith).toMatchObject({ untrusted: "true", "pull-request": "1" });
  });

  it.each([
    {
      name: "no ref (the default branch's head)",
      payload: { workflow: "train" },
      untrusted: false,
    },
    {
      name: "ref: the default branch",
      payload: { workflow: "train", ref: "master" },
      untrusted: false,
    },
    {
      name: "ref: another branch",
      payload: { workflow: "train", ref: "release-1" },
      untrusted: true,
    },
    { name: "ref: a commit", payload: { workflow: "train", ref: "b".repeat(40) }, untrusted: true },
  ])("a repository_dispatch, $name", async ({ payload, untrusted }) => {
    const { github, actions } = await fake();
    const r = await command(github, "repository_dispatch", dispatchEvent(payload));
    expect(r.failed).toBeUndefined();
    const [dispatched] = actions.runs;
    expect(dispatched?.inputs.untrusted).toBe(untrusted ? "true" : undefined);
    expect(dispatched?.inputs["pull-request"]).toBeUndefined();
    const runsOn = await planOf(github, dispatched?.inputs ?? {});
    expect(runsOn.includes(EPHEMERAL_LABEL)).toBe(untrusted);
  });
});

describe("the untrusted and pull-request inputs, read once", () => {
  it.each<{ name: string; inputs: Record<string, string>; expected: object }>([
    { name: "not given", inputs: {}, expected: { untrusted: false } },
    { name: "false", inputs: { untrusted: "false" }, expected: { untrusted: false } },
    {
      name: "true with a pull request",
      inputs: { untrusted: "true", "pull-request": "42" },
      expected: { untrusted: true, pullRequest: 42 },
    },
  ])("$name", async ({ inputs, expected }) => {
    const read = withInputs({ mode: "run", file: "train.py", ...inputs }, getInputs);
    expect(read).toMatchObject(expected);
    if (!("pullRequest" in expected)) expect(read).not.toHaveProperty("pullRequest");
  });

  it.each<{ name: string; inputs: Record<string, string>; message: RegExp }>([
    {
      name: "untrusted: yes",
      inputs: { untrusted: "yes" },
      message: /^untrusted: "yes" is not allowed; use true or false/,
    },
    {
      name: "pull-request: #42",
      inputs: { "pull-request": "#42" },
      message: /^pull-request: "#42" is not a pull request number/,
    },
  ])("$name is refused, naming the input", async ({ inputs, message }) => {
    expect(() => withInputs({ mode: "run", file: "train.py", ...inputs }, getInputs)).toThrow(
      message,
    );
  });
});

/** Calls `read` with the step's inputs as `INPUT_*` variables (as the runner passes them), then removes them. */
function withInputs<T>(inputs: Record<string, string>, read: () => T): T {
  for (const [name, value] of Object.entries(inputs)) {
    vi.stubEnv(`INPUT_${name.toUpperCase()}`, value);
  }
  try {
    return read();
  } finally {
    vi.unstubAllEnvs();
  }
}
