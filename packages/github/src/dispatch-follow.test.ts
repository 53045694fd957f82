import { type Job, validateWorkflow, valueLocator } from "@dstack/spec";
import { ACTIONS_ROUTES, type ActionsModelOptions, fakeFaults } from "@dstack/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  type DispatchAndFollowOptions,
  dispatchAndFollow,
  type JobChange,
} from "./dispatch-follow.js";
import { GitHubError } from "./errors.js";
import { type Harness, JOB_INPUT, startHarness } from "./test-helpers.js";

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

const parseJob = (json: string): Job | undefined =>
  validateWorkflow(JSON.parse(json), { locator: valueLocator("job input") }).job;
const JOB = parseJob(JOB_INPUT) as Job;

function options(
  h: Harness,
  more: Partial<DispatchAndFollowOptions> = {},
): DispatchAndFollowOptions {
  return {
    client: h.client,
    repository: `${h.at.owner}/${h.at.repo}`,
    ref: "main",
    job: JOB,
    runName: "sharp-shrimp-1",
    sleep: h.at.sleep,
    now: h.at.now,
    ...more,
  };
}

const dispatches = (h: Harness) =>
  h.github.requests.filter((r) => r.operationId === "actions/create-workflow-dispatch");

describe("dispatchAndFollow against the Actions model", () => {
  it("dispatches the job's JSON once, reports states and jobs, and ends with the run's outcome", async () => {
    const h = await harness({
      // The inputs of .github/workflows/dstack-run.yml.
      inputs: { job: true, "run-name": true, tag: false, "timeout-minutes": false },
      jobs: [{ name: "Plan" }, { name: "Run sharp-shrimp-1" }],
      artifacts: [{ name: "dstack--sharp-shrimp-1--model" }, { name: "other" }],
    });
    const states: string[] = [];
    const changes: string[] = [];
    let dispatchedId: number | undefined;
    const outcome = await dispatchAndFollow(
      options(h, {
        tag: "best",
        timeoutMinutes: 30,
        onDispatched: (run) => {
          dispatchedId = run.workflowRunId;
        },
        onState: (s) => states.push(s.status),
        onJob: (c: JobChange) => changes.push(`${c.change} ${c.job.name}`),
      }),
    );
    expect(dispatches(h).map((r) => r.body)).toEqual([
      {
        ref: "main",
        inputs: {
          job: expect.any(String),
          tag: "best",
          "timeout-minutes": "30",
          "run-name": "sharp-shrimp-1",
        },
        return_run_details: true,
      },
    ]);
    const body = dispatches(h)[0]?.body as { inputs: { job: string } } | undefined;
    const sent = body?.inputs.job ?? "";
    expect(parseJob(sent)).toEqual(JOB);
    expect(dispatchedId).toBe(h.model.runs[0]?.id);
    expect(states).toEqual(["queued", "in_progress", "completed"]);
    expect(changes).toEqual([
      "started Plan",
      "started Run sharp-shrimp-1",
      "finished Plan",
      "finished Run sharp-shrimp-1",
    ]);
    expect(outcome).toMatchObject({
      runName: "sharp-shrimp-1",
      conclusion: "success",
      dispatched: { via: "run-details", attempts: 1 },
    });
    // Queued 10 s, in progress 60 s; seen completed at the next poll after that.
    expect(outcome.durationMs).toBeGreaterThanOrEqual(70_000);
    expect(outcome.durationMs).toBeLessThan(70_000 + 60_000);
    expect(outcome.artifacts.map((a) => a.name)).toEqual([
      "dstack--sharp-shrimp-1--model",
      "other",
    ]);
  });

  it("sends extra inputs (the pinned sha) beside its own, and refuses to let them replace its own", async () => {
    const h = await harness({
      inputs: { job: true, "run-name": true, tag: false, "timeout-minutes": false, sha: false },
    });
    const sha = "0123456789abcdef0123456789abcdef01234567";
    await dispatchAndFollow(options(h, { extraInputs: { sha } }));
    expect(dispatches(h)[0]?.body).toMatchObject({
      inputs: { sha, "run-name": "sharp-shrimp-1", job: expect.any(String) },
    });
    await expect(
      dispatchAndFollow(options(h, { extraInputs: { "run-name": "other-1" } })),
    ).rejects.toThrow(/extraInputs\.run-name: set by dispatchAndFollow itself/);
    expect(dispatches(h)).toHaveLength(1);
  });

  it("resolves with a failure conclusion rather than throwing", async () => {
    const h = await harness({ conclusion: "failure" });
    const outcome = await dispatchAndFollow(options(h));
    expect(outcome.conclusion).toBe("failure");
  });

  it("sends one dispatch when the answer to it is lost, found by its run name", async () => {
    const h = await harness();
    h.github.inject(ACTIONS_ROUTES.dispatch, fakeFaults.acceptedThenReset());
    const outcome = await dispatchAndFollow(options(h));
    expect(dispatches(h)).toHaveLength(1);
    expect(h.model.runs).toHaveLength(1);
    expect(outcome.dispatched.via).toBe("run-name");
  });

  it("cancels the workflow run when aborted while following, then rejects with the reason", async () => {
    const h = await harness({ durationMs: 3_600_000 });
    const controller = new AbortController();
    const reason = new Error("the job was cancelled");
    const cancels: unknown[] = [];
    const error = await dispatchAndFollow(
      options(h, {
        signal: controller.signal,
        onState: (s) => {
          if (s.status === "in_progress") controller.abort(reason);
        },
        onCancel: (r) => cancels.push(r),
      }),
    ).catch((e: unknown) => e);
    expect(error).toBe(reason);
    expect(cancels).toEqual(["requested"]);
    const [run] = h.model.runs;
    expect(run?.cancelRequestedAt).toBeDefined();
  });

  it("leaves the run alone when aborted with cancelOnAbort: false", async () => {
    const h = await harness({ durationMs: 3_600_000 });
    const controller = new AbortController();
    const error = await dispatchAndFollow(
      options(h, {
        signal: controller.signal,
        cancelOnAbort: false,
        onDispatched: () => controller.abort(new Error("stop")),
      }),
    ).catch((e: unknown) => e);
    expect((error as Error).message).toBe("stop");
    expect(h.model.runs[0]?.cancelRequestedAt).toBeUndefined();
  });

  it.each([
    {
      name: "404: no runner workflow on the ref",
      model: {},
      more: { workflowFile: "missing.yml" },
      reason: "not-found",
      message:
        /no runner workflow \.github\/workflows\/missing\.yml on main in octo-org\/octo-repo: add it/,
    },
    {
      name: "403: the token lacks actions: write",
      model: { canWrite: false },
      more: {},
      reason: "permission",
      message: /set permissions: actions: write/,
    },
    {
      name: "a repository that is not owner/name",
      model: {},
      more: { repository: "octo-repo" },
      reason: "invalid",
      message: /^repository: "octo-repo" is not owner\/name/,
    },
  ])("fails clearly: $name", async ({ model, more, reason, message }) => {
    const h = await harness(model);
    const error = await dispatchAndFollow(options(h, more)).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).reason).toBe(reason);
    expect((error as Error).message).toMatch(message);
    expect(h.model.runs).toHaveLength(0);
  });
});
