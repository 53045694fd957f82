import { afterEach, describe, expect, it } from "vitest";
import { ACTIONS_ROUTES, startFakeActions } from "./actions-model.js";
import { type FakeGitHub, fakeFaults, startFakeGitHub } from "./github.js";

const RUN = "GET /repos/{owner}/{repo}/actions/runs/{run_id}";
const HEADERS = { authorization: "token x", accept: "application/vnd.github+json" };
const open: FakeGitHub[] = [];

afterEach(async () => {
  for (const github of open.splice(0)) {
    await github.close();
  }
});

async function fake(...args: Parameters<typeof startFakeGitHub>): Promise<FakeGitHub> {
  const github = await startFakeGitHub(...args);
  open.push(github);
  return github;
}

/** A fake serving one workflow run through the model (valid answers). */
async function actions() {
  const { github, model } = await startFakeActions();
  open.push(github);
  const dispatched = await fetch(
    `${github.url}/repos/octo-org/octo-repo/actions/workflows/dstack-run.yml/dispatches`,
    {
      method: "POST",
      headers: { ...HEADERS, "content-type": "application/json" },
      body: JSON.stringify({ ref: "main", inputs: { job: "{}", "run-name": "sharp-shrimp-1" } }),
    },
  );
  expect(dispatched.status).toBe(204);
  const url = `${github.url}/repos/octo-org/octo-repo/actions/runs/${model.runs[0]?.id}`;
  return { github, model, url };
}

describe("conditional requests", () => {
  it("answers 304 to a matching If-None-Match, and only such answers go uncounted", async () => {
    const { github, model, url } = await actions();
    const first = await fetch(url, { headers: HEADERS });
    const etag = first.headers.get("etag") ?? "";
    expect(first.status).toBe(200);
    expect(etag).toMatch(/^W\/"[0-9a-f]{32}"$/);
    const again = await fetch(url, { headers: { ...HEADERS, "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    expect(again.headers.get("etag")).toBe(etag);
    model.clock.advance(model.options.queuedMs); // the run starts: its body changes
    const changed = await fetch(url, { headers: { ...HEADERS, "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect({ counted: github.counted, notModified: github.notModified }).toEqual({
      counted: 3, // the dispatch, the first GET, the changed GET
      notModified: 1,
    });
    expect(github.requests.map((r) => r.outcome)).toEqual([204, 200, 304, 200]);
    expect(github.problems).toEqual([]);
  });

  it("still validates the answer a 304 stands for", async () => {
    const body = { id: 1 }; // not a workflow run
    const github = await fake({ [RUN]: () => ({ status: 200, body }) }, { conditional: [RUN] });
    const url = `${github.url}/repos/o/r/actions/runs/1`;
    const etag = (await fetch(url, { headers: HEADERS })).headers.get("etag") ?? "";
    const again = await fetch(url, { headers: { ...HEADERS, "if-none-match": etag } });
    expect(again.status).toBe(304);
    expect(github.problems).toHaveLength(2);
    expect(github.problems[1]).toMatch(
      /^GET \/repos\/\{owner\}\/\{repo\}\/actions\/runs\/\{run_id\}: 200 answer: \/ must have required property/,
    );
  });

  it("sends no ETag on a route that did not opt in", async () => {
    const github = await fake({ [RUN]: () => ({ status: 404, body: { message: "Not Found" } }) });
    const answer = await fetch(`${github.url}/repos/o/r/actions/runs/1`, {
      headers: { ...HEADERS, "if-none-match": "*" },
    });
    expect(answer.status).toBe(404);
    expect(answer.headers.get("etag")).toBeNull();
    expect(github.counted).toBe(1);
  });

  it("refuses a conditional route it does not serve", async () => {
    await expect(startFakeGitHub({}, { conditional: [RUN] })).rejects.toThrow(
      /conditional route GET \/repos\/\{owner\}\/\{repo\}\/actions\/runs\/\{run_id\} is not served/,
    );
  });
});

describe("injected faults", () => {
  it.each([
    { name: "a 502", fault: fakeFaults.serverError(502), status: 502, header: null },
    {
      name: "a 429 with Retry-After",
      fault: fakeFaults.tooManyRequests(7),
      status: 429,
      header: "7",
    },
    {
      name: "a 403 secondary rate limit",
      fault: fakeFaults.secondaryRateLimit(9),
      status: 403,
      header: "9",
    },
  ])(
    "answers $name instead of the handler, once, validated as GitHub's error",
    async ({ fault, status, header }) => {
      const { github, url } = await actions();
      github.inject(RUN, fault);
      expect(github.pendingFaults(RUN)).toBe(1);
      const faulted = await fetch(url, { headers: HEADERS });
      expect(faulted.status).toBe(status);
      expect(faulted.headers.get("retry-after")).toBe(header);
      expect((await fetch(url, { headers: HEADERS })).status).toBe(200);
      expect(github.pendingFaults(RUN)).toBe(0);
      expect(github.requests.map((r) => r.faulted ?? false)).toEqual([false, true, false]);
      expect(github.counted).toBe(3);
      expect(github.problems).toEqual([]);
    },
  );

  it.each([
    { name: "a reset before the handler runs", fault: fakeFaults.reset(), runs: 0 },
    {
      name: "a reset after the request was acted on",
      fault: fakeFaults.acceptedThenReset(),
      runs: 1,
    },
    {
      name: "a 504 after the request was acted on",
      fault: fakeFaults.acceptedThenServerError(),
      runs: 1,
    },
  ])("$name: the model holds $runs runs", async ({ fault, runs }) => {
    const { github, model } = await startFakeActions();
    open.push(github);
    github.inject(ACTIONS_ROUTES.dispatch, fault);
    const outcome = await fetch(
      `${github.url}/repos/octo-org/octo-repo/actions/workflows/dstack-run.yml/dispatches`,
      {
        method: "POST",
        headers: { ...HEADERS, "content-type": "application/json" },
        body: JSON.stringify({ ref: "main", inputs: { job: "{}", "run-name": "x-1" } }),
      },
    ).then(
      (r) => r.status,
      (e: Error) => `${e.name}: ${(e.cause as Error | undefined)?.message ?? e.message}`,
    );
    expect(outcome).toBe(fault.answer === "reset" ? "TypeError: other side closed" : 504);
    expect(model.runs).toHaveLength(runs);
    expect(github.problems).toEqual([]);
  });

  it("records an injected answer GitHub would never send", async () => {
    const { github, url } = await actions();
    github.inject(RUN, { answer: { status: 200, body: { id: "not a run" } } });
    await fetch(url, { headers: HEADERS });
    expect(github.problems[0]).toMatch(
      /^GET \/repos\/\{owner\}\/\{repo\}\/actions\/runs\/\{run_id\} \(injected fault\): 200 answer:/,
    );
  });

  it("refuses faults for a route it does not serve", async () => {
    const github = await fake({});
    expect(() => github.inject(RUN, fakeFaults.reset())).toThrow(/cannot inject faults into GET/);
  });
});

describe("the Actions model", () => {
  it("moves a run queued -> in_progress -> completed on its clock, shows it in listings after a delay, and cancels", async () => {
    const { github, model } = await actions();
    const [run] = model.runs;
    if (!run) throw new Error("no run");
    const list = `${github.url}/repos/octo-org/octo-repo/actions/workflows/dstack-run.yml/runs?event=workflow_dispatch`;
    const titles = async () =>
      (
        (await (await fetch(list, { headers: HEADERS })).json()) as {
          workflow_runs: { display_title: string }[];
        }
      ).workflow_runs.map((r) => r.display_title);
    expect(await titles()).toEqual([]);
    expect(model.stateOf(run).status).toBe("queued");
    model.clock.advance(model.options.listDelayMs);
    expect(await titles()).toEqual(["sharp-shrimp-1"]);
    model.clock.advance(model.options.queuedMs);
    expect(model.stateOf(run).status).toBe("in_progress");
    const cancel = `${github.url}/repos/octo-org/octo-repo/actions/runs/${run.id}/cancel`;
    expect((await fetch(cancel, { method: "POST", headers: HEADERS })).status).toBe(202);
    model.clock.advance(model.options.cancelDelayMs);
    expect(model.stateOf(run)).toMatchObject({ status: "completed", conclusion: "cancelled" });
    expect((await fetch(cancel, { method: "POST", headers: HEADERS })).status).toBe(409);
    expect(github.problems).toEqual([]);
  });

  it("answers a job's logs with a 302 to another origin", async () => {
    const { github, model } = await actions();
    const jobId = (model.runs[0]?.id ?? 0) * 100 + 1;
    const logs = `${github.url}/repos/octo-org/octo-repo/actions/jobs/${jobId}/logs`;
    const answer = await fetch(logs, { headers: HEADERS, redirect: "manual" });
    expect(answer.status).toBe(302);
    const location = new URL(answer.headers.get("location") ?? "");
    expect(location.origin).not.toBe(new URL(github.url).origin);
    expect(await (await fetch(location)).text()).toMatch(/job run done/);
    expect(github.problems).toEqual([]);
  });
});
