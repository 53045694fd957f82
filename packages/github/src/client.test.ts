/**
 * The client's own behaviour against the OpenAPI-validated fake: an aborted request is not
 * retried (plugin-retry sees an abort as a 500 and would wait 1, 4, 9 x retryBaseMs between
 * attempts, longer than a runner gives a cancelled step), and writes are spaced a second apart
 * unless a test's client says otherwise.
 */
import { ACTIONS_ROUTES, fakeFaults } from "@dstack/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createGitHubClient, type GitHubClient } from "./client.js";
import { type Harness, JOB_INPUT, startHarness } from "./test-helpers.js";

const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

describe("createGitHubClient", () => {
  it("gives up at once when the caller aborts, without retrying", async () => {
    // Waits of 1 s, 4 s and 9 s between retries: an abort must not sit them out.
    const h = await startHarness({}, { retryBaseMs: 1000 });
    open.push(h);
    h.github.inject(ACTIONS_ROUTES.listWorkflowRuns, fakeFaults.hang());
    const controller = new AbortController();
    const started = Date.now();
    const request = h.client.request(
      "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
      {
        owner: h.at.owner,
        repo: h.at.repo,
        workflow_id: "dstack-run.yml",
        request: { signal: controller.signal },
      },
    );
    setTimeout(() => controller.abort(new Error("cancelled")), 200);
    await expect(request).rejects.toThrow(/cancelled|abort/i);
    const ms = Date.now() - started;
    expect(ms).toBeLessThan(900);
    // Give a retry the time it would have taken: none is sent.
    await new Promise((r) => setTimeout(r, 1300));
    expect(
      h.github.requests.filter((r) => r.operationId === "actions/list-workflow-runs"),
    ).toHaveLength(1);
  });

  it("still retries a 5xx when nobody aborted", async () => {
    const h = await startHarness({}, { retryBaseMs: 1 });
    open.push(h);
    h.github.inject(ACTIONS_ROUTES.listWorkflowRuns, fakeFaults.serverError(502));
    const r = await h.client.request(
      "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
      {
        owner: h.at.owner,
        repo: h.at.repo,
        workflow_id: "dstack-run.yml",
      },
    );
    expect(r.status).toBe(200);
  });

  /** Sends `n` workflow dispatches (writes) one after another; the milliseconds they took. */
  async function dispatches(h: Harness, client: GitHubClient, n: number): Promise<number> {
    const started = Date.now();
    for (let i = 0; i < n; i++) {
      await client.rest.actions.createWorkflowDispatch({
        owner: h.at.owner,
        repo: h.at.repo,
        workflow_id: "dstack-run.yml",
        ref: "main",
        inputs: { job: JOB_INPUT, "run-name": `spaced-${i}` },
      });
    }
    return Date.now() - started;
  }

  it("spaces writes a second apart by default (GitHub's advice for mutative requests)", async () => {
    const h = await startHarness();
    open.push(h);
    // A client made as the product makes one: no writeSpacingMs.
    const client = createGitHubClient({
      token: `ghs_${Math.random().toString(36).slice(2)}`,
      apiUrl: h.github.url,
      retryBaseMs: 1,
    });
    // Three writes: two gaps of at least a second (Bottleneck's timers may fire a little early).
    expect(await dispatches(h, client, 3)).toBeGreaterThanOrEqual(1900);
    expect(h.model.runs).toHaveLength(3);
  });

  it("writeSpacingMs: 0 sends writes without waiting (the tests' fake GitHub)", async () => {
    const h = await startHarness({}, { writeSpacingMs: 0 });
    open.push(h);
    expect(await dispatches(h, h.client, 3)).toBeLessThan(900);
    expect(h.model.runs).toHaveLength(3);
  });

  it.each([
    { name: "negative", ms: -1 },
    { name: "not a number", ms: Number.NaN },
    { name: "infinite", ms: Number.POSITIVE_INFINITY },
  ])("writeSpacingMs $name is refused, naming the option", ({ ms }) => {
    expect(() => createGitHubClient({ token: "t", writeSpacingMs: ms })).toThrow(
      /^writeSpacingMs: .* is not a number of milliseconds; give 0 or more \(default 1000\)$/,
    );
  });
});
