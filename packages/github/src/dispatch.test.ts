import {
  ACTIONS_ROUTES,
  type ActionsModelOptions,
  type FakeFault,
  type FakeRequest,
  fakeFaults,
} from "@dstack/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createGitHubClient } from "./client.js";
import { dispatchRun } from "./dispatch.js";
import { GitHubError } from "./errors.js";
import { type Harness, JOB_INPUT, startHarness } from "./test-helpers.js";

const RUN_NAME = "sharp-shrimp-1";
const open: Harness[] = [];

async function harness(options: ActionsModelOptions = {}): Promise<Harness> {
  const h = await startHarness(options);
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    expect(h.github.problems).toEqual([]);
    await h.close();
  }
});

function dispatchOptions(h: Harness) {
  return {
    ...h.at,
    workflowFile: "dstack-run.yml",
    ref: "main",
    inputs: { job: JOB_INPUT, tag: "best" },
    runName: RUN_NAME,
  };
}

const posts = (h: Harness): FakeRequest[] =>
  h.github.requests.filter((r) => r.route.endsWith("/dispatches"));

describe("dispatchRun against a GitHub that checks every request against its OpenAPI description", () => {
  it("returns the workflow run from the dispatch's run details", async () => {
    const h = await harness();
    const run = await dispatchRun(h.client, dispatchOptions(h));
    const [only] = h.model.runs;
    expect(h.model.runs).toHaveLength(1);
    expect(run).toEqual({
      workflowRunId: only?.id,
      htmlUrl: `https://github.com/octo-org/octo-repo/actions/runs/${only?.id}`,
      via: "run-details",
      attempts: 1,
    });
    expect(only?.displayTitle).toBe(RUN_NAME);
    expect(posts(h).map((r) => r.body)).toEqual([
      {
        ref: "main",
        inputs: { job: JOB_INPUT, tag: "best", "run-name": RUN_NAME },
        return_run_details: true,
      },
    ]);
  });

  it("finds the run by its run name where the server answers 204 without run details", async () => {
    const h = await harness({ returnRunDetails: false });
    // Someone else's run of the same workflow, a moment earlier.
    await dispatchRun(h.client, { ...dispatchOptions(h), runName: "brave-otter-3" });
    h.model.clock.advance(10_000);
    const run = await dispatchRun(h.client, dispatchOptions(h));
    const mine = h.model.runs.find((r) => r.displayTitle === RUN_NAME);
    expect(h.model.runs).toHaveLength(2);
    expect(run).toMatchObject({ workflowRunId: mine?.id, via: "run-name", attempts: 1 });
    expect(run.htmlUrl).toBe(`https://github.com/octo-org/octo-repo/actions/runs/${mine?.id}`);
    const list = h.github.requests.filter((r) => r.operationId === "actions/list-workflow-runs");
    expect(list.length).toBeGreaterThan(0);
    expect(list.at(-1)?.query.get("event")).toBe("workflow_dispatch");
    // Runs created since the dispatch, less two minutes for clock skew.
    const created = list.at(-1)?.query.get("created") ?? "";
    expect(created).toMatch(/^>=\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    const since = mine?.createdAt ?? 0;
    expect(Date.parse(created.slice(2))).toBeLessThanOrEqual(since - 120_000);
    expect(Date.parse(created.slice(2))).toBeGreaterThan(since - 121_000);
  });

  it("fails with no-run, and does not dispatch again, when no run with the run name shows up after a 204", async () => {
    const h = await harness({ returnRunDetails: false, runNameInput: "no-such-input" });
    const error = await dispatchRun(h.client, { ...dispatchOptions(h), correlateMs: 30_000 }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).reason).toBe("no-run");
    expect((error as Error).message).toMatch(
      /was accepted, but no workflow run named sharp-shrimp-1 showed up within 30 s: the workflow must set run-name: \$\{\{ inputs.run-name \}\}/,
    );
    expect(h.model.runs).toHaveLength(1);
    expect(posts(h)).toHaveLength(1);
  });

  // Each fault hits the first dispatch request only.
  const faults: {
    name: string;
    fault: FakeFault;
    via: "run-details" | "run-name";
    attempts: number;
    sent: number;
    timeoutMs?: number;
  }[] = [
    {
      name: "a 502 before the dispatch is acted on: looked for, then sent again",
      fault: fakeFaults.serverError(502),
      via: "run-details",
      attempts: 2,
      sent: 2,
    },
    {
      name: "a 504 after the dispatch was acted on: found by its run name",
      fault: fakeFaults.acceptedThenServerError(504),
      via: "run-name",
      attempts: 1,
      sent: 1,
    },
    {
      name: "a connection reset before the dispatch is acted on: looked for, then sent again",
      fault: fakeFaults.reset(),
      via: "run-details",
      attempts: 2,
      sent: 2,
    },
    {
      name: "the dispatch acted on, then the connection reset before the answer: found by its run name",
      fault: fakeFaults.acceptedThenReset(),
      via: "run-name",
      attempts: 1,
      sent: 1,
    },
    {
      name: "the dispatch acted on, then no answer until the time limit: found by its run name",
      fault: fakeFaults.hang(true),
      via: "run-name",
      attempts: 1,
      sent: 1,
      timeoutMs: 300,
    },
    {
      name: "no answer and not acted on: looked for, then sent again",
      fault: fakeFaults.hang(false),
      via: "run-details",
      attempts: 2,
      sent: 2,
      timeoutMs: 300,
    },
    {
      name: "a 429 with Retry-After: sent again by plugin-throttling after the wait",
      fault: fakeFaults.tooManyRequests(2),
      via: "run-details",
      attempts: 1,
      sent: 2,
    },
    {
      name: "a 403 secondary rate limit with retry-after: sent again by plugin-throttling",
      fault: fakeFaults.secondaryRateLimit(1),
      via: "run-details",
      attempts: 1,
      sent: 2,
    },
  ];

  it.each(faults)(
    "exactly one workflow run: $name",
    async ({ fault, via, attempts, sent, timeoutMs }) => {
      const h = await harness();
      h.github.inject(ACTIONS_ROUTES.dispatch, fault);
      const run = await dispatchRun(h.client, {
        ...dispatchOptions(h),
        ...(timeoutMs === undefined ? {} : { timeoutMs }),
      });
      expect(h.model.runs).toHaveLength(1);
      expect(run).toMatchObject({ workflowRunId: h.model.runs[0]?.id, via, attempts });
      expect(posts(h)).toHaveLength(sent);
      expect(h.github.pendingFaults(ACTIONS_ROUTES.dispatch)).toBe(0);
    },
  );

  it("never lets plugin-retry send the dispatch again: the run is looked for between two sends", async () => {
    const h = await harness();
    h.github.inject(ACTIONS_ROUTES.dispatch, fakeFaults.serverError(500));
    await dispatchRun(h.client, { ...dispatchOptions(h), graceMs: 20_000 });
    const kinds = h.github.requests.map((r) => r.operationId);
    const first = kinds.indexOf("actions/create-workflow-dispatch");
    const second = kinds.lastIndexOf("actions/create-workflow-dispatch");
    expect(second).toBeGreaterThan(first + 1);
    expect(kinds.slice(first + 1, second).every((k) => k === "actions/list-workflow-runs")).toBe(
      true,
    );
    expect(h.model.runs).toHaveLength(1);
  });

  it("waits a long rate limit with its own clock, then sends again", async () => {
    const h = await harness();
    const client = createGitHubClient({
      token: "ghs_long_wait",
      apiUrl: h.github.url,
      retryBaseMs: 1,
      maxRateLimitWaitS: 60,
    });
    h.github.inject(ACTIONS_ROUTES.dispatch, fakeFaults.secondaryRateLimit(600));
    const started = h.model.clock.now();
    const run = await dispatchRun(client, dispatchOptions(h));
    expect(h.model.clock.now() - started).toBeGreaterThanOrEqual(600_000);
    expect(run).toMatchObject({ via: "run-details", attempts: 2 });
    expect(h.model.runs).toHaveLength(1);
  });

  it("gives up after maxAttempts ambiguous failures without creating a run", async () => {
    const h = await harness();
    h.github.inject(ACTIONS_ROUTES.dispatch, ...Array(3).fill(fakeFaults.serverError(503)));
    const error = await dispatchRun(h.client, { ...dispatchOptions(h), graceMs: 5000 }).catch(
      (e: unknown) => e,
    );
    expect((error as GitHubError).reason).toBe("unreachable");
    expect((error as Error).message).toMatch(
      /^dispatch \.github\/workflows\/dstack-run\.yml on main in octo-org\/octo-repo: 503 on each of 3 attempts, and no workflow run named sharp-shrimp-1 showed up/,
    );
    expect(posts(h)).toHaveLength(3);
    expect(h.model.runs).toHaveLength(0);
  });

  const refusals: {
    name: string;
    model: ActionsModelOptions;
    change: Record<string, unknown>;
    reason: string;
    message: RegExp;
  }[] = [
    {
      name: "404: no runner workflow file",
      model: {},
      change: { workflowFile: "missing.yml" },
      reason: "not-found",
      message:
        /^no runner workflow \.github\/workflows\/missing\.yml on main in octo-org\/octo-repo: add it \(copy dstack's runner workflow \.github\/workflows\/dstack-run\.yml into the repository as \.github\/workflows\/missing\.yml on main; see README\)/,
    },
    {
      name: "403: the token lacks actions: write",
      model: { canWrite: false },
      change: {},
      reason: "permission",
      message:
        /the token cannot dispatch \.github\/workflows\/dstack-run\.yml in octo-org\/octo-repo \(403 Resource not accessible by integration\): it needs the "actions: write" permission; in the calling workflow set permissions: actions: write/,
    },
    {
      name: "422: an input the workflow does not declare",
      model: {},
      change: { inputs: { job: JOB_INPUT, gpu: "2" } },
      reason: "invalid-inputs",
      message:
        /GitHub refused it: Unexpected inputs provided: \["gpu"\]; the inputs given \(job, gpu, run-name\) must match the workflow_dispatch inputs/,
    },
    {
      name: "422: a required input left out",
      model: {},
      change: { inputs: { tag: "x" } },
      reason: "invalid-inputs",
      message: /GitHub refused it: Required input 'job' not provided/,
    },
    {
      name: "422: a ref that does not exist",
      model: {},
      change: { ref: "no-such-branch" },
      reason: "invalid-inputs",
      message:
        /on no-such-branch in octo-org\/octo-repo: GitHub refused it: No ref found for: no-such-branch/,
    },
  ];

  it.each(refusals)(
    "is not sent again after a refusal: $name",
    async ({ model, change, reason, message }) => {
      const h = await harness(model);
      const error = await dispatchRun(h.client, { ...dispatchOptions(h), ...change }).catch(
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(GitHubError);
      expect((error as GitHubError).reason).toBe(reason);
      expect((error as Error).message).toMatch(message);
      expect(posts(h)).toHaveLength(1);
      expect(h.github.requests.filter((r) => r.method === "GET")).toHaveLength(0);
      expect(h.model.runs).toHaveLength(0);
    },
  );

  const invalid = [
    {
      name: "an empty run name",
      change: { runName: "" },
      message: /^runName: a dstack run name is required/,
    },
    {
      name: "a run-name input that differs from runName",
      change: { inputs: { job: JOB_INPUT, "run-name": "other-1" } },
      message: /^inputs\.run-name: "other-1" differs from runName "sharp-shrimp-1"; leave it out/,
    },
  ];

  it.each(invalid)("refuses $name before sending anything", async ({ change, message }) => {
    const h = await harness();
    await expect(dispatchRun(h.client, { ...dispatchOptions(h), ...change })).rejects.toThrow(
      message,
    );
    expect(h.github.requests).toHaveLength(0);
  });

  it("rejects with the signal's reason when aborted while looking for the run", async () => {
    const h = await harness();
    h.github.inject(ACTIONS_ROUTES.dispatch, fakeFaults.serverError(502));
    const controller = new AbortController();
    const reason = new Error("the job was cancelled");
    const error = await dispatchRun(h.client, {
      ...dispatchOptions(h),
      signal: controller.signal,
      sleep: async (ms, signal) => {
        controller.abort(reason);
        await h.model.clock.sleep(ms, signal);
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(posts(h)).toHaveLength(1);
    expect(h.model.runs).toHaveLength(0);
  });
});

describe("createGitHubClient", () => {
  it.each(["", "   "])("refuses the empty token %j", (token) => {
    expect(() => createGitHubClient({ token })).toThrow(/^token: no GitHub token given/);
  });
});
