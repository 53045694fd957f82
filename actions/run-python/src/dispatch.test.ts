/**
 * `mode: dispatch` run in-process against the real `@actions/core` (the first case end to end
 * through `@github/local-action`, GitHub's own local runner), against the OpenAPI-validated fake
 * GitHub serving the Actions model; the post step's cancel through
 * `dispatchPost` with the step state a main step leaves (`STATE_*`).
 *
 * The action waits in real time between polls (the test-only `poll-interval-ms` input: 10 ms);
 * the model's simulated clock moves 5 s at every request it answers, so a run goes queued ->
 * in progress -> completed in a few polls, the same way every time.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { dataArtifactName, fileArtifactName } from "@dstack/artifacts/github";
import { createGitHubClient, dispatchRun } from "@dstack/github";
import {
  ACTIONS_ROUTES,
  type ActionsModel,
  type ActionsModelOptions,
  createActionsModel,
  createContentsModel,
  createSimulatedClock,
  type FakeGitHub,
  type FakeHandler,
  fakeFaults,
  REPO_ROOT,
  runActionInProcess,
  runLocalAction,
  startFakeGitHub,
} from "@dstack/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { defaultRef, dispatchPost, formatDuration, runArtifacts } from "./dispatch.js";

const ACTION_DIR = path.resolve(import.meta.dirname, "..");
const TOKEN = "ghs_dispatchtesttoken0123456789";
const STEP_MS = 5000;
/** local-action takes a few seconds to start on these machines (one case runs through it). */
const ACTION_TIMEOUT_MS = 90_000;

interface Fake {
  github: FakeGitHub;
  model: ActionsModel;
}
const open: Fake[] = [];

afterEach(async () => {
  vi.unstubAllEnvs();
  for (const f of open.splice(0)) {
    expect(f.github.problems).toEqual([]);
    await f.github.close();
  }
});

/** A fake GitHub whose Actions model's clock moves {@link STEP_MS} at every answered request. */
async function fake(options: ActionsModelOptions = {}): Promise<Fake> {
  const model = createActionsModel({
    // The workflow_dispatch inputs of .github/workflows/dstack-run.yml.
    inputs: { job: true, "run-name": true, tag: false, "timeout-minutes": false, "runs-on": false },
    queuedMs: 10_000,
    durationMs: 20_000,
    // From now: the action looks for runs by name among those created since its dispatch.
    clock: createSimulatedClock(Date.now()),
    ...options,
  });
  // The repository's default branch, where the policy would be (none here: no limits).
  const routes: Record<string, FakeHandler> = {
    ...createContentsModel({
      owner: model.options.owner,
      repo: model.options.repo,
      defaultBranch: "main",
    }).routes,
  };
  for (const [key, handler] of Object.entries(model.routes)) {
    routes[key] = (request, context) => {
      model.clock.advance(STEP_MS);
      return handler(request, context);
    };
  }
  const github = await startFakeGitHub(routes, { conditional: model.conditional });
  const f = { github, model };
  open.push(f);
  return f;
}

function dispatch(
  f: Fake,
  inputs: Record<string, string> = {},
  runner: typeof runLocalAction = runActionInProcess,
) {
  return runner({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    inputs: {
      mode: "dispatch",
      file: "train.py",
      gpu: "1",
      "github-token": TOKEN,
      "poll-interval-ms": "10",
      "write-spacing-ms": "0",
      ...inputs,
    },
    env: {
      GITHUB_WORKSPACE: path.join(REPO_ROOT, "examples/train"),
      GITHUB_API_URL: f.github.url,
      GITHUB_REPOSITORY: "octo-org/octo-repo",
      GITHUB_REF_NAME: "main",
      GITHUB_RUN_ID: "4242",
    },
  });
}

const posts = (f: Fake) =>
  f.github.requests.filter((r) => r.operationId === "actions/create-workflow-dispatch");

describe("mode: dispatch", { timeout: ACTION_TIMEOUT_MS }, () => {
  it("dispatches once, follows the run, prints its jobs' logs, sets outputs and writes a summary", async () => {
    const f = await fake({
      jobs: [
        { name: "Plan", log: "2026-01-01T00:00:01.0000000Z planned: gpu-count-ge-1\n" },
        { name: "Run sharp-shrimp-7", log: "2026-01-01T00:00:20.0000000Z epoch 1 loss 0.41\n" },
      ],
      artifacts: [
        { name: dataArtifactName("sharp-shrimp-7", "checkpoints/best"), sizeInBytes: 4096 },
        { name: dataArtifactName("other-run-1", "model") },
      ],
    });
    // End to end: through @github/local-action, a process of its own, as GitHub runs the step.
    const r = await dispatch(
      f,
      { "run-name": "sharp-shrimp-7", tag: "best", "timeout-minutes": "30" },
      runLocalAction,
    );
    expect(r.failed).toBeUndefined();
    const [run] = f.model.runs;
    expect(f.model.runs).toHaveLength(1);
    expect(posts(f)).toHaveLength(1);
    expect(run?.ref).toBe("main");
    expect(run?.inputs).toMatchObject({
      "run-name": "sharp-shrimp-7",
      tag: "best",
      "timeout-minutes": "30",
    });
    expect(JSON.parse(String(run?.inputs.job))).toMatchObject({
      file: "train.py",
      resources: { gpu: { count: 1 } },
    });
    const [mine] = r.outputs["artifact-ids"]?.split(",") ?? [];
    expect(r.outputs).toEqual({
      "run-name": "sharp-shrimp-7",
      "workflow-run-id": String(run?.id),
      "workflow-run-url": `https://github.com/octo-org/octo-repo/actions/runs/${run?.id}`,
      conclusion: "success",
      "artifact-ids": String((run?.id ?? 0) * 100 + 50),
    });
    expect(mine).toBeDefined();
    // Progress: states and jobs, then each job's log in a group, commands switched off.
    expect(r.log).toMatch(/sharp-shrimp-7: queued/);
    expect(r.log).toMatch(/sharp-shrimp-7: in progress/);
    expect(r.log).toMatch(/job Plan started on gpu-box/);
    expect(r.log).toMatch(/job Run sharp-shrimp-7 finished: success/);
    expect(r.log).toMatch(/log of job Plan \(success\)[\s\S]*planned: gpu-count-ge-1/);
    expect(r.log).toMatch(/::stop-commands::([0-9a-f-]{36})[\s\S]*epoch 1 loss 0\.41[\s\S]*::\1::/);
    // The polls after the first are conditional.
    const polls = f.github.requests.filter((q) => q.operationId === "actions/get-workflow-run");
    expect(polls.length).toBeGreaterThanOrEqual(3);
    expect(polls.slice(1).every((q) => typeof q.headers["if-none-match"] === "string")).toBe(true);
    // The summary.
    expect(r.summary).toContain("dstack run sharp-shrimp-7");
    expect(r.summary).toContain(
      `href="https://github.com/octo-org/octo-repo/actions/runs/${run?.id}"`,
    );
    expect(r.summary).toMatch(/Conclusion<\/th><td>success/);
    expect(r.summary).toMatch(/Duration<\/th><td>\d+ (ms|s)/);
    expect(r.summary).toContain("Run sharp-shrimp-7");
    expect(r.summary).toContain("checkpoints/best");
    expect(r.summary).not.toContain("other-run-1");
    // The token never shows.
    expect(r.log).not.toContain(TOKEN);
  });

  it("fails the step when the run fails, naming its URL and conclusion; outputs are still set", async () => {
    const f = await fake({ conclusion: "failure" });
    const r = await dispatch(f);
    const id = f.model.runs[0]?.id;
    expect(r.failed).toBe(
      `the dispatched workflow run https://github.com/octo-org/octo-repo/actions/runs/${id} (${r.outputs["run-name"]}) ended with conclusion failure`,
    );
    expect(r.outputs).toMatchObject({ conclusion: "failure", "workflow-run-id": String(id) });
    // A fresh run name: <adjective>-<animal>-<GITHUB_RUN_ID>.
    expect(r.outputs["run-name"]).toMatch(/^[a-z]+-[a-z]+-4242$/);
    expect(f.model.runs[0]?.displayTitle).toBe(r.outputs["run-name"]);
    expect(r.summary).toMatch(/Conclusion<\/th><td>failure/);
  });

  it.each([
    {
      name: "a 504 after the dispatch was acted on",
      fault: fakeFaults.acceptedThenServerError(504),
    },
    {
      name: "a connection reset after the dispatch was acted on",
      fault: fakeFaults.acceptedThenReset(),
    },
  ])("dispatches exactly once despite $name, and follows through faults", async ({ fault }) => {
    const f = await fake();
    f.github.inject(ACTIONS_ROUTES.dispatch, fault);
    f.github.inject(ACTIONS_ROUTES.getRun, fakeFaults.serverError(502));
    f.github.inject(ACTIONS_ROUTES.listJobs, fakeFaults.reset());
    const r = await dispatch(f);
    expect(r.failed).toBeUndefined();
    expect(posts(f)).toHaveLength(1);
    expect(f.model.runs).toHaveLength(1);
    expect(r.outputs["workflow-run-id"]).toBe(String(f.model.runs[0]?.id));
    expect(r.outputs.conclusion).toBe("success");
    expect(r.log).toMatch(/found by run-name/);
    expect(f.github.pendingFaults(ACTIONS_ROUTES.getRun)).toBe(0);
    expect(f.github.pendingFaults(ACTIONS_ROUTES.listJobs)).toBe(0);
  });

  it("finds the run by its run name on a server without return_run_details", async () => {
    const f = await fake({ returnRunDetails: false });
    const r = await dispatch(f, { "run-name": "brave-otter-3" });
    expect(r.failed).toBeUndefined();
    expect(posts(f)).toHaveLength(1);
    expect(r.outputs["workflow-run-id"]).toBe(String(f.model.runs[0]?.id));
    expect(r.log).toMatch(/found by run-name/);
    const lists = f.github.requests.filter((q) => q.operationId === "actions/list-workflow-runs");
    expect(lists.length).toBeGreaterThan(0);
  });

  it.each<{
    name: string;
    model: ActionsModelOptions;
    inputs: Record<string, string>;
    message: RegExp;
  }>([
    {
      name: "no runner workflow in the repository (404)",
      model: {},
      inputs: { "runner-workflow": "dstack-gpu.yml" },
      message:
        /^no runner workflow \.github\/workflows\/dstack-gpu\.yml on main in octo-org\/octo-repo: add it \(copy dstack's runner workflow \.github\/workflows\/dstack-run\.yml into the repository/,
    },
    {
      name: "a token without actions: write (403)",
      model: { canWrite: false },
      inputs: {},
      message:
        /^the token cannot dispatch .* it needs the "actions: write" permission; in the calling workflow set permissions: actions: write/,
    },
    {
      name: "a ref the workflow is not on (422)",
      model: {},
      inputs: { ref: "no-such-branch" },
      message: /GitHub refused it: No ref found for: no-such-branch/,
    },
    {
      name: "a bad timeout-minutes",
      model: {},
      inputs: { "timeout-minutes": "1h" },
      message: /^timeout-minutes: "1h" is not a whole number of minutes/,
    },
    {
      name: "a bad resume-limit",
      model: {},
      inputs: { "resume-limit": "-1" },
      message: /^resume-limit: "-1" is not a whole number \(0 never resumes; default 3\)/,
    },
  ])("fails clearly: $name", async ({ model, inputs, message }) => {
    const f = await fake(model);
    const r = await dispatch(f, inputs);
    expect(r.failed).toMatch(message);
    expect(r.log).not.toMatch(/^\s+at /m);
    expect(f.model.runs).toHaveLength(0);
    expect(posts(f).length).toBeLessThanOrEqual(1);
  });
});

describe("mode: dispatch on spot runners", { timeout: ACTION_TIMEOUT_MS }, () => {
  it("dispatches an interruptible job again when its runner was lost, up to resume-limit", async () => {
    const f = await fake({
      endings: ["runner-lost", "runner-lost", "success"],
      artifacts: [{ name: "dstack-run--{run-name}" }, { name: "dstack--{run-name}--checkpoints" }],
    });
    const r = await dispatch(f, {
      "run-name": "sharp-shrimp-8",
      interruptible: "true",
      "resume-limit": "1",
    });
    expect(f.model.runs.map((run) => run.displayTitle)).toEqual([
      "sharp-shrimp-8",
      "sharp-shrimp-8-2",
    ]);
    const second = JSON.parse(String(f.model.runs[1]?.inputs.job));
    expect(second.environment).toMatchObject({ DSTACK_RUN_ATTEMPT: "2" });
    expect(second.deps).toEqual([{ run: "sharp-shrimp-8" }]);
    // The outputs are the last attempt's: its data artifact (the second, after the run marker).
    expect(r.outputs["artifact-ids"]).toBe(String((f.model.runs[1]?.id ?? 0) * 100 + 51));
    expect(r.log).toMatch(
      /sharp-shrimp-8: The self-hosted runner: gpu-box lost communication with the server; dispatched again as sharp-shrimp-8-2 \(attempt 2, DSTACK_RUN_ATTEMPT=2\), with the artifacts of sharp-shrimp-8 as deps/,
    );
    expect(r.log).toMatch(/not dispatched again: 1 resume already/);
    expect(r.outputs.conclusion).toBe("failure");
    expect(r.outputs["run-name"]).toBe("sharp-shrimp-8-2");
  });
});

describe("a cancelled job (the runner sends SIGINT)", { timeout: ACTION_TIMEOUT_MS }, () => {
  it("cancels the dispatched run, saves that for the post step, and fails the step", async () => {
    const f = await fake({ durationMs: 3_600_000 });
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "dispatch-sigint-"));
    const stateFile = path.join(dir, "state");
    fs.writeFileSync(stateFile, "");
    // The built action, as the runner starts it (a node process it can signal).
    const child = spawn(process.execPath, [path.join(ACTION_DIR, "dist/index.js")], {
      env: {
        PATH: process.env.PATH,
        INPUT_MODE: "dispatch",
        INPUT_FILE: "train.py",
        "INPUT_GITHUB-TOKEN": TOKEN,
        "INPUT_RUN-NAME": "sharp-shrimp-9",
        "INPUT_POLL-INTERVAL-MS": "10",
        "INPUT_WRITE-SPACING-MS": "0",
        GITHUB_API_URL: f.github.url,
        GITHUB_REPOSITORY: "octo-org/octo-repo",
        GITHUB_REF_NAME: "main",
        GITHUB_STATE: stateFile,
        GITHUB_WORKSPACE: dir,
      },
    });
    let out = "";
    let signalled = false;
    const exited = new Promise<number | null>((resolve) => child.on("exit", resolve));
    child.stdout.on("data", (chunk: Buffer) => {
      out += chunk.toString();
      // One SIGINT, as the runner sends (a second one would end the process at once).
      if (!signalled && out.includes("sharp-shrimp-9: in progress")) {
        signalled = child.kill("SIGINT");
      }
    });
    child.stderr.on("data", (chunk: Buffer) => {
      out += chunk.toString();
    });
    expect(await exited).toBe(1);
    // GITHUB_STATE holds `name<<DELIMITER`, the value, `DELIMITER` per saveState, in order.
    const saved = [...fs.readFileSync(stateFile, "utf8").matchAll(/^phase<<(.+)\n(.*)\n\1$/gm)];
    fs.rmSync(dir, { recursive: true, force: true });
    expect(f.model.runs[0]?.cancelRequestedAt).toBeDefined();
    const id = f.model.runs[0]?.id;
    expect(out).toContain(
      `::error::this job was cancelled (SIGINT): workflow run https://github.com/octo-org/octo-repo/actions/runs/${id}: cancel requested`,
    );
    // The last phase saved tells the post step there is nothing left to cancel.
    expect(saved.map((m) => m[2])).toEqual(["dispatching", "following", "cancel-requested"]);
  });
});

describe("defaultRef", () => {
  const examples = JSON.parse(
    fs.readFileSync(
      path.join(REPO_ROOT, "node_modules/@octokit/webhooks-examples/api.github.com/index.json"),
      "utf8",
    ),
  ) as { name: string; examples: Record<string, unknown>[] }[];
  const opened = structuredClone(
    examples.find((e) => e.name === "pull_request")?.examples.find((x) => x.action === "opened"),
  ) as {
    pull_request: { head: { ref: string; repo: { full_name: string } } };
    repository: { full_name: string };
  };
  const fork = structuredClone(opened);
  fork.pull_request.head.repo.full_name = "mallory/Hello-World";

  function eventFile(payload: unknown): string {
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), "event-")), "event.json");
    fs.writeFileSync(file, JSON.stringify(payload));
    return file;
  }

  it.each([
    { name: "a push: the branch", env: { GITHUB_REF_NAME: "main" }, ref: "main" },
    {
      name: "a pull request from a branch of this repository: its head branch",
      env: {
        GITHUB_REF_NAME: "1/merge",
        GITHUB_HEAD_REF: opened.pull_request.head.ref,
        GITHUB_REPOSITORY: opened.repository.full_name,
        GITHUB_EVENT_PATH: eventFile(opened),
      },
      ref: "changes",
    },
  ])("$name", ({ env, ref }) => {
    expect(defaultRef(env)).toBe(ref);
  });

  it.each([
    {
      name: "a pull request from a fork",
      env: {
        GITHUB_HEAD_REF: "changes",
        GITHUB_REPOSITORY: "Codertocat/Hello-World",
        GITHUB_EVENT_PATH: eventFile(fork),
      },
      message:
        /^ref: this pull request comes from the fork mallory\/Hello-World, whose branch "changes" is not in Codertocat\/Hello-World; .* give ref/,
    },
    { name: "no ref known", env: {}, message: /^ref: no ref given and none known/ },
  ])("refuses $name", ({ env, message }) => {
    expect(() => defaultRef(env)).toThrow(message);
  });
});

describe("the post step of mode: dispatch", () => {
  async function postEnv(f: Fake, state: Record<string, string>): Promise<void> {
    vi.stubEnv("GITHUB_API_URL", f.github.url);
    vi.stubEnv("GITHUB_REPOSITORY", "octo-org/octo-repo");
    vi.stubEnv("INPUT_GITHUB-TOKEN", TOKEN);
    vi.stubEnv("INPUT_WRITE-SPACING-MS", "0");
    for (const [name, value] of Object.entries(state)) vi.stubEnv(`STATE_${name}`, value);
  }

  async function started(f: Fake, runName: string): Promise<number> {
    const client = createGitHubClient({
      token: "ghs_setup",
      apiUrl: f.github.url,
      retryBaseMs: 1,
      writeSpacingMs: 0,
    });
    const run = await dispatchRun(client, {
      owner: "octo-org",
      repo: "octo-repo",
      workflowFile: "dstack-run.yml",
      ref: "main",
      inputs: { job: "{}" },
      runName,
    });
    return run.workflowRunId;
  }

  const cancels = (f: Fake) =>
    f.github.requests.filter((r) => r.operationId === "actions/cancel-workflow-run");

  it("cancels a run the main step dispatched and did not see finish", async () => {
    const f = await fake({ durationMs: 3_600_000 });
    const id = await started(f, "sharp-shrimp-1");
    await postEnv(f, {
      mode: "dispatch",
      phase: "following",
      "workflow-run-id": String(id),
      "run-name": "sharp-shrimp-1",
    });
    await dispatchPost();
    expect(cancels(f)).toHaveLength(1);
    expect(f.model.runs[0]?.cancelRequestedAt).toBeDefined();
  });

  it("finds by its run name, and cancels, a run whose dispatch was cut short", async () => {
    const f = await fake({ durationMs: 3_600_000 });
    await started(f, "other-run-2");
    await started(f, "sharp-shrimp-1");
    await postEnv(f, {
      mode: "dispatch",
      phase: "dispatching",
      "run-name": "sharp-shrimp-1",
      "dispatched-at": String(f.model.clock.now()),
    });
    await dispatchPost({ lookMs: 0 });
    expect(cancels(f).map((r) => r.params.run_id)).toEqual([String(f.model.runs[1]?.id)]);
  });

  it.each([
    { name: "the run was seen finished", phase: "done" },
    { name: "the main step already had it cancelled", phase: "cancel-requested" },
    { name: "nothing was saved (another mode, or the step never started)", phase: "" },
  ])("does nothing when $name", async ({ phase }) => {
    const f = await fake();
    const id = await started(f, "sharp-shrimp-1");
    await postEnv(f, { phase, "workflow-run-id": String(id) });
    const before = f.github.requests.length;
    await dispatchPost();
    expect(f.github.requests.length).toBe(before);
  });

  it("says so when no run with the name ever showed up", async () => {
    const f = await fake();
    await postEnv(f, { phase: "dispatching", "run-name": "ghost-run-1", "dispatched-at": "0" });
    await dispatchPost({ lookMs: 0 });
    expect(cancels(f)).toHaveLength(0);
  });
});

describe("helpers", () => {
  it.each([
    { name: "zero", ms: 0, text: "0 s" },
    { name: "seconds", ms: 59_400, text: "59 s" },
    { name: "whole minutes", ms: 120_000, text: "2 min" },
    { name: "hours, minutes and seconds", ms: 3_723_000, text: "1 h 2 min 3 s" },
  ])("formatDuration: $name", ({ ms, text }) => {
    expect(formatDuration(ms)).toBe(text);
  });

  it("runArtifacts keeps the run's own artifacts, with their paths, as the GitHub store names them", () => {
    const a = (name: string, id: number) => ({
      id,
      name,
      sizeInBytes: 1,
      digest: null,
      expired: false,
    });
    const all = [
      a(dataArtifactName("sharp-shrimp-1", "checkpoints/best"), 1),
      a(dataArtifactName("sharp-shrimp-10", "model"), 2),
      a("dstack-run--sharp-shrimp-1", 3),
      a(dataArtifactName("sharp-shrimp-1", "metrics"), 4),
      a(fileArtifactName("sharp-shrimp-1", "checkpoints/last/shard-1.bin"), 5),
      a(fileArtifactName("sharp-shrimp-10", "model/shard-1.bin"), 6),
    ];
    expect(runArtifacts(all, "sharp-shrimp-1").map((x) => [x.id, x.path])).toEqual([
      [1, "checkpoints/best"],
      [4, "metrics"],
      [5, "checkpoints/last/shard-1.bin"],
    ]);
  });
});
