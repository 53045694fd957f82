/**
 * `findRunByTitle` and `readRunLogs` against the OpenAPI-validated fake's Actions model, whose
 * job log grows with the simulated clock: new lines once each, faults waited out, an abort that
 * stops reading and touches nothing else.
 */
import { ACTIONS_ROUTES, type ActionsModelOptions, fakeFaults } from "@dstack/testing";
import { afterEach, describe, expect, it } from "vitest";
import { dispatchRun } from "./dispatch.js";
import { findRunByTitle, readRunLogs } from "./logs.js";
import { type Harness, JOB_INPUT, startHarness } from "./test-helpers.js";

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    expect(h.github.problems).toEqual([]);
    await h.close();
  }
});

/** A log gaining the line `step i` every 10 s of the run (no trailing line break at the end). */
const growing = (ms: number) =>
  Array.from({ length: Math.floor(ms / 10_000) + 1 }, (_, i) => `step ${i}`).join("\n");

async function started(options: ActionsModelOptions = {}): Promise<{ h: Harness; id: number }> {
  const h = await startHarness({ jobs: [{ name: "run", logAt: growing }], ...options });
  open.push(h);
  const run = await dispatchRun(h.client, {
    ...h.at,
    workflowFile: "dstack-run.yml",
    ref: "main",
    inputs: { job: JOB_INPUT },
    runName: "sharp-shrimp-1",
  });
  return { h, id: run.workflowRunId };
}

describe("findRunByTitle", () => {
  it("finds the run titled with the run name, and nothing for another name", async () => {
    const { h, id } = await started();
    h.model.clock.advance(5000);
    const at = { owner: h.at.owner, repo: h.at.repo, workflowFile: "dstack-run.yml" };
    expect(await findRunByTitle(h.client, { ...at, runName: "sharp-shrimp-1" })).toMatchObject({
      workflowRunId: id,
      status: "queued",
    });
    expect(await findRunByTitle(h.client, { ...at, runName: "other-1" })).toBeUndefined();
  });
});

describe("readRunLogs", () => {
  it("following: every line once, the last unterminated one at completion, 5xx waited out", async () => {
    const { h, id } = await started();
    h.github.inject(
      ACTIONS_ROUTES.jobLogs,
      fakeFaults.serverError(503),
      fakeFaults.serverError(503),
      fakeFaults.serverError(503),
      fakeFaults.serverError(503),
    );
    const lines: string[] = [];
    const notices: string[] = [];
    const result = await readRunLogs(h.client, {
      ...h.at,
      workflowRunId: id,
      follow: true,
      onLine: (l) => lines.push(l),
      log: (m) => notices.push(m),
    });
    expect(result).toMatchObject({
      stopped: false,
      run: { status: "completed", conclusion: "success" },
    });
    expect(lines).toEqual(["step 0", "step 1", "step 2", "step 3", "step 4", "step 5", "step 6"]);
    expect(notices.join("\n")).toMatch(/503/);
  });

  it("an abort stops reading at once: the run goes on, nothing is cancelled", async () => {
    const { h, id } = await started();
    const controller = new AbortController();
    const lines: string[] = [];
    const result = await readRunLogs(h.client, {
      ...h.at,
      workflowRunId: id,
      follow: true,
      signal: controller.signal,
      onLine: (l) => {
        lines.push(l);
        if (l === "step 2") controller.abort("SIGINT");
      },
    });
    expect(result).toMatchObject({ stopped: true, run: { status: "in_progress" } });
    expect(lines).toEqual(["step 0", "step 1", "step 2"]);
    expect(
      h.github.requests.filter((r) => r.method === "POST" && r.route.endsWith("/cancel")),
    ).toEqual([]);
    expect(h.model.stateOf(h.model.runs[0] as never).status).toBe("in_progress");
  });
});
