import {
  ACTIONS_ROUTES,
  type ActionsModelOptions,
  createSimulatedClock,
  type FakeFault,
  fakeFaults,
} from "@dstack/testing";
import { afterEach, describe, expect, it } from "vitest";
import type { GitHubClientOptions } from "./client.js";
import { dispatchRun } from "./dispatch.js";
import { GitHubError } from "./errors.js";
import { cancelRun, fetchJobLog, followRun, type WorkflowRunState } from "./follow.js";
import { type Harness, JOB_INPUT, startHarness } from "./test-helpers.js";

const open: Harness[] = [];

async function harness(
  options: ActionsModelOptions = {},
  client: Partial<GitHubClientOptions> = {},
): Promise<Harness> {
  const h = await startHarness(options, client);
  open.push(h);
  return h;
}

afterEach(async () => {
  for (const h of open.splice(0)) {
    expect(h.github.problems).toEqual([]);
    await h.close();
  }
});

async function dispatched(h: Harness, runName = "sharp-shrimp-1"): Promise<number> {
  const run = await dispatchRun(h.client, {
    ...h.at,
    workflowFile: "dstack-run.yml",
    ref: "main",
    inputs: { job: JOB_INPUT },
    runName,
  });
  return run.workflowRunId;
}

describe("followRun against the Actions model", () => {
  it("follows a run from queued to completed, then lists its jobs and artifacts", async () => {
    const h = await harness({
      jobs: [{ name: "run", labels: ["self-hosted", "dstack", "gpu-count-ge-1"] }],
      artifacts: [{ name: "dstack--sharp-shrimp-1--model", sizeInBytes: 4096 }],
    });
    const id = await dispatched(h);
    const updates: WorkflowRunState[] = [];
    const run = await followRun(h.client, {
      ...h.at,
      workflowRunId: id,
      onUpdate: (u) => updates.push(u),
    });
    expect(updates.map((u) => u.status)).toEqual(["queued", "in_progress", "completed"]);
    expect(run).toMatchObject({
      workflowRunId: id,
      status: "completed",
      conclusion: "success",
      displayTitle: "sharp-shrimp-1",
      htmlUrl: `https://github.com/octo-org/octo-repo/actions/runs/${id}`,
      runAttempt: 1,
    });
    expect(run.jobs).toEqual([
      {
        id: id * 100 + 1,
        name: "run",
        status: "completed",
        conclusion: "success",
        htmlUrl: `https://github.com/octo-org/octo-repo/actions/runs/${id}/job/${id * 100 + 1}`,
        startedAt: "2026-01-01T00:00:10Z",
        completedAt: "2026-01-01T00:01:10Z",
        runnerName: "gpu-box",
        labels: ["self-hosted", "dstack", "gpu-count-ge-1"],
        steps: [
          { name: "Set up job", status: "completed", conclusion: "success", number: 1 },
          {
            name: "Run dstack/run-python@v1",
            status: "completed",
            conclusion: "success",
            number: 2,
          },
          { name: "Complete job", status: "completed", conclusion: "success", number: 3 },
        ],
        checkRunId: id * 100 + 1,
      },
    ]);
    expect(run.artifacts).toEqual([
      {
        id: id * 100 + 50,
        name: "dstack--sharp-shrimp-1--model",
        sizeInBytes: 4096,
        digest: expect.stringMatching(/^sha256:[0-9a-f]{64}$/),
        expired: false,
      },
    ]);
  });

  it.each([
    { name: "a failed run", conclusion: "failure" as const },
    { name: "a run that timed out", conclusion: "timed_out" as const },
  ])("mirrors the conclusion of $name", async ({ conclusion }) => {
    const h = await harness({ conclusion });
    const run = await followRun(h.client, { ...h.at, workflowRunId: await dispatched(h) });
    expect(run.conclusion).toBe(conclusion);
  });

  // Whatever the run's length, following costs 3 counted polls (queued, in_progress,
  // completed) plus the jobs and the artifacts: every other poll is a free 304.
  it.each([
    { name: "1 minute", durationMs: 60_000 },
    { name: "1 hour", durationMs: 3_600_000 },
    { name: "3 hours", durationMs: 3 * 3_600_000 },
  ])("costs 5 counted requests for a $name run, with ETags", async ({ durationMs }) => {
    const h = await harness({ durationMs });
    const id = await dispatched(h);
    const before = h.github.counted;
    const run = await followRun(h.client, { ...h.at, workflowRunId: id });
    expect(run.requests.counted).toBe(5);
    expect(h.github.counted - before).toBe(5);
    expect(run.requests.notModified).toBe(h.github.notModified);
    // Back-off from 5 s to at most 60 s between polls while nothing changes.
    expect(run.requests.notModified).toBeGreaterThanOrEqual(Math.floor(durationMs / 60_000) - 4);
    expect(run.requests.notModified).toBeLessThanOrEqual(Math.ceil(durationMs / 60_000) + 6);
    const polls = h.github.requests.filter((r) => r.operationId === "actions/get-workflow-run");
    expect(polls[0]?.headers["if-none-match"]).toBeUndefined();
    expect(polls.slice(1).every((r) => typeof r.headers["if-none-match"] === "string")).toBe(true);
  });

  const sleepsOf = (h: Harness) => {
    const sleeps: number[] = [];
    const sleep = async (ms: number, signal?: AbortSignal) => {
      sleeps.push(ms);
      await h.model.clock.sleep(ms, signal);
    };
    return { sleeps, sleep };
  };

  const faults: {
    name: string;
    route: string;
    faults: (now: number) => FakeFault[];
    model?: ActionsModelOptions;
    client?: Partial<GitHubClientOptions>;
    /** A sleep of at least this long must have been taken (a wait GitHub asked for). */
    waited?: number;
  }[] = [
    {
      name: "5xx beyond the client's retries",
      route: ACTIONS_ROUTES.getRun,
      faults: () => [
        fakeFaults.serverError(502),
        fakeFaults.serverError(500),
        fakeFaults.serverError(503),
        fakeFaults.serverError(502),
        fakeFaults.serverError(504),
        fakeFaults.serverError(502),
      ],
    },
    {
      name: "connection resets beyond the client's retries",
      route: ACTIONS_ROUTES.getRun,
      faults: () => Array(6).fill(fakeFaults.reset()),
    },
    {
      name: "a 429 with Retry-After, waited inside the client",
      route: ACTIONS_ROUTES.getRun,
      faults: () => [fakeFaults.tooManyRequests(30)],
    },
    {
      name: "a 403 secondary rate limit longer than the client waits, waited here",
      route: ACTIONS_ROUTES.getRun,
      faults: () => [fakeFaults.secondaryRateLimit(120)],
      waited: 120_000,
    },
    {
      name: "a primary rate limit, waited until x-ratelimit-reset",
      route: ACTIONS_ROUTES.getRun,
      faults: (now) => [fakeFaults.primaryRateLimit(Math.floor(now / 1000) + 300)],
      // plugin-throttling reads the reset against the real clock: keep the two together.
      model: { clock: createSimulatedClock(Date.now()) },
      client: { maxRateLimitWaitS: 60 },
      waited: 300_000,
    },
    {
      name: "faults while listing the jobs",
      route: ACTIONS_ROUTES.listJobs,
      faults: () => [...Array(5).fill(fakeFaults.serverError(502)), fakeFaults.reset()],
    },
    {
      name: "faults while listing the artifacts",
      route: ACTIONS_ROUTES.listArtifacts,
      faults: () => [fakeFaults.secondaryRateLimit(90), ...Array(4).fill(fakeFaults.reset())],
      waited: 90_000,
    },
  ];

  it.each(faults)(
    "never loses the run: $name",
    async ({ route, faults, model, client, waited }) => {
      const h = await harness(
        { artifacts: [{ name: "dstack--sharp-shrimp-1--model" }], ...model },
        client,
      );
      const id = await dispatched(h);
      h.github.inject(route, ...faults(h.model.clock.now()));
      const { sleeps, sleep } = sleepsOf(h);
      const run = await followRun(h.client, { ...h.at, sleep, workflowRunId: id });
      expect(h.github.pendingFaults(route)).toBe(0);
      expect(run).toMatchObject({ workflowRunId: id, status: "completed", conclusion: "success" });
      expect(run.jobs.map((j) => j.name)).toEqual(["run"]);
      expect(run.artifacts.map((a) => a.name)).toEqual(["dstack--sharp-shrimp-1--model"]);
      if (waited !== undefined) {
        expect(Math.max(...sleeps)).toBeGreaterThanOrEqual(waited);
      }
    },
  );

  it("stops when aborted; cancelRun then cancels the workflow run", async () => {
    const h = await harness({ durationMs: 3_600_000 });
    const id = await dispatched(h);
    const controller = new AbortController();
    const reason = new Error("the dispatching job was cancelled");
    const error = await followRun(h.client, {
      ...h.at,
      workflowRunId: id,
      signal: controller.signal,
      onUpdate: (u) => {
        if (u.status === "in_progress") {
          controller.abort(reason);
        }
      },
    }).catch((e: unknown) => e);
    expect(error).toBe(reason);
    const polls = h.github.requests.filter((r) => r.operationId === "actions/get-workflow-run");
    expect(polls).toHaveLength(h.github.requests.length - 1);
    const [modelRun] = h.model.runs;
    expect(modelRun && h.model.stateOf(modelRun).status).toBe("in_progress");

    expect(await cancelRun(h.client, { ...h.at, workflowRunId: id })).toBe("requested");
    const run = await followRun(h.client, { ...h.at, workflowRunId: id });
    expect(run.conclusion).toBe("cancelled");
    expect(await cancelRun(h.client, { ...h.at, workflowRunId: id })).toBe("already-completed");
  });

  it("stops at once when aborted during a real wait", async () => {
    const h = await harness();
    const id = await dispatched(h);
    const controller = new AbortController();
    const following = followRun(h.client, {
      owner: h.at.owner,
      repo: h.at.repo,
      workflowRunId: id,
      signal: controller.signal,
      minIntervalMs: 3_600_000,
      onUpdate: () => setImmediate(() => controller.abort()),
    });
    await expect(following).rejects.toMatchObject({ name: "AbortError" });
  });

  it.each([
    {
      name: "404: no such workflow run",
      model: {},
      runId: 1,
      reason: "not-found",
      message: /^follow workflow run 1 in octo-org\/octo-repo: GitHub answered 404 \(Not Found\)/,
    },
  ])("fails clearly: $name", async ({ model, runId, reason, message }) => {
    const h = await harness(model);
    const error = await followRun(h.client, { ...h.at, workflowRunId: runId }).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).reason).toBe(reason);
    expect((error as Error).message).toMatch(message);
  });

  it("cancelRun names the permission a read-only token lacks", async () => {
    const h = await harness();
    const id = await dispatched(h);
    h.model.options.canWrite = false; // the token loses actions: write after the dispatch
    const error = await cancelRun(h.client, { ...h.at, workflowRunId: id }).catch(
      (e: unknown) => e,
    );
    expect((error as GitHubError).reason).toBe("permission");
    expect((error as Error).message).toBe(
      "cancel workflow run " +
        id +
        ' in octo-org/octo-repo: 403 Resource not accessible by integration: the token needs the "actions: write" permission (in a workflow: permissions: actions: write)',
    );
  });
});

describe("fetchJobLog", () => {
  it("follows the 302 to the log, without sending the token there", async () => {
    const log =
      "2026-01-01T00:00:10.0000000Z epoch 1 loss 0.41\n2026-01-01T00:01:09.0000000Z done\n";
    const h = await harness({ jobs: [{ name: "run", log }] });
    const run = await followRun(h.client, { ...h.at, workflowRunId: await dispatched(h) });
    const text = await fetchJobLog(h.client, { ...h.at, jobId: run.jobs[0]?.id ?? 0 });
    expect(text).toBe(log);
    expect(h.github.blobRequests).toHaveLength(1);
    expect(h.github.blobRequests[0]?.headers.authorization).toBeUndefined();
    expect(h.github.requests.at(-1)?.outcome).toBe(302);
  });

  it("says why a log is missing", async () => {
    const h = await harness();
    await expect(fetchJobLog(h.client, { ...h.at, jobId: 99 })).rejects.toThrow(
      /^log of job 99 in octo-org\/octo-repo: GitHub answered 404 \(Not Found\): no such job, its log is not written yet, or it has expired/,
    );
  });
});
