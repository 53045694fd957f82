/**
 * The client's own behaviour against the OpenAPI-validated fake: an aborted request is not
 * retried (plugin-retry sees an abort as a 500 and would wait 1, 4, 9 x retryBaseMs between
 * attempts, longer than a runner gives a cancelled step).
 */
import { ACTIONS_ROUTES, fakeFaults } from "@dstack/testing";
import { afterEach, describe, expect, it } from "vitest";
import { type Harness, startHarness } from "./test-helpers.js";

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
});
