/**
 * `dstack logs RUN --remote [-f]` and `dstack stop RUN --remote` against the OpenAPI-validated
 * GitHub fake with its Actions model: workflow runs go queued -> in_progress -> completed on a
 * simulated clock (following never waits for real), a job's log grows with that clock, and a
 * run may ignore a cancel until it is force-cancelled.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  ACTIONS_ROUTES,
  type ActionsModelOptions,
  createActionsModel,
  type FakeActions,
  startFakeGitHub,
} from "@dstack/testing";
import { afterEach, describe, expect, it } from "vitest";
import { main } from "./main.js";

const open: FakeActions[] = [];
afterEach(async () => {
  for (const f of open.splice(0)) {
    expect(f.github.problems).toEqual([]);
    await f.github.close();
  }
});

async function fake(options: ActionsModelOptions = {}): Promise<FakeActions> {
  const model = createActionsModel(options);
  const github = await startFakeGitHub(model.routes, { conditional: model.conditional });
  const f = { github, model };
  open.push(f);
  return f;
}

/** A fresh token per call: plugin-throttling spaces writes a second apart per token. */
const newToken = () => `ghp_test${Math.random().toString(36).slice(2)}${Date.now()}`;

/** Starts a workflow run titled `runName` in the model, as `dstack run --remote` would. */
async function dispatch(f: FakeActions, runName: string): Promise<void> {
  const { owner, repo, workflowFile } = f.model.options;
  const answer = await fetch(
    `${f.github.url}/repos/${owner}/${repo}/actions/workflows/${workflowFile}/dispatches`,
    {
      method: "POST",
      headers: {
        authorization: `token ${newToken()}`,
        accept: "application/vnd.github+json",
        "content-type": "application/json",
      },
      body: JSON.stringify({ ref: "main", inputs: { job: "{}", "run-name": runName } }),
    },
  );
  expect(answer.status).toBeLessThan(300);
}

/** A log line as GitHub writes it: a timestamp, a space, the text. */
const stamped = (ms: number, text: string) =>
  `${new Date(Date.UTC(2026, 0, 1) + ms).toISOString().replace("Z", "0000Z")} ${text}`;

/** A job log that gains one line every 10 s of the run (6 lines over the model's 60 s). */
const growing = (ms: number) =>
  Array.from(
    { length: Math.floor(ms / 10_000) + 1 },
    (_, i) => `${stamped(i * 10_000, `epoch ${i}`)}\n`,
  ).join("");

/**
 * Runs dstack in-process on the model's simulated clock, remembering when (simulated ms since
 * the run started) each stdout line was printed.
 */
async function dstack(f: FakeActions, argv: string[], token = newToken()) {
  let stdout = "";
  let stderr = "";
  const printedAt: number[] = [];
  const started = (f.model.runs[0]?.createdAt ?? 0) + f.model.options.queuedMs;
  const status = await main([...argv, "--repo", "octo-org/octo-repo"], {
    stdout: (t) => {
      stdout += t;
      for (const _ of t.matchAll(/\n/g)) printedAt.push(f.model.clock.now() - started);
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd: mkdtempSync(join(tmpdir(), "dstack-remote-control-")),
    env: { PATH: process.env.PATH, GITHUB_TOKEN: token, GITHUB_API_URL: f.github.url },
    sleep: f.model.clock.sleep,
    now: f.model.clock.now,
  });
  expect(stderr).not.toContain(token);
  return { status, stdout, stderr, printedAt };
}

const requestsTo = (f: FakeActions, route: string) =>
  f.github.requests.filter((r) => `${r.method} ${r.route}` === route).length;

describe("dstack logs RUN --remote", () => {
  it("prints a finished run's log without GitHub's timestamps, -t keeps them", async () => {
    const f = await fake({ jobs: [{ name: "run", logAt: growing }] });
    await dispatch(f, "sharp-shrimp-1");
    f.model.clock.advance(120_000);
    const r = await dstack(f, ["logs", "sharp-shrimp-1", "--remote"]);
    expect(r).toMatchObject({ status: 0 });
    expect(r.stdout).toBe(Array.from({ length: 7 }, (_, i) => `epoch ${i}\n`).join(""));
    const t = await dstack(f, ["logs", "sharp-shrimp-1", "--remote", "-t"]);
    expect(t.stdout).toBe(growing(60_000));
  });

  it("-f prints the new lines as the log grows, each once, and ends when the run completes", async () => {
    const f = await fake({ jobs: [{ name: "run", logAt: growing }] });
    await dispatch(f, "live-lynx-1");
    f.model.clock.advance(15_000); // in progress for 5 s
    const r = await dstack(f, ["logs", "live-lynx-1", "--remote", "-f"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(Array.from({ length: 7 }, (_, i) => `epoch ${i}\n`).join(""));
    // Line i is written at 10 s x i and printed at the first 5 s poll after that.
    r.printedAt.slice(0, 6).forEach((at, i) => {
      expect(at).toBeGreaterThanOrEqual(i * 10_000);
      expect(at).toBeLessThanOrEqual(i * 10_000 + 5000);
    });
    // Bounded: one poll per 5 s, each at most a run, a jobs and a log request.
    const logReads = requestsTo(f, ACTIONS_ROUTES.jobLogs);
    expect(logReads).toBeGreaterThanOrEqual(6);
    expect(logReads).toBeLessThanOrEqual(60_000 / 5000 + 2);
    expect(r.stderr).toContain('==> log of job "run"');
  });

  it("-f where GitHub serves a log only after completion: says so once, prints it at the end", async () => {
    const f = await fake({ liveLogs: false, jobs: [{ name: "run", logAt: growing }] });
    await dispatch(f, "slow-sloth-1");
    f.model.clock.advance(15_000);
    const r = await dstack(f, ["logs", "slow-sloth-1", "--remote", "-f"]);
    expect(r.status).toBe(0);
    expect(r.stderr.match(/does not serve the log of job "run" while it runs/g)).toHaveLength(1);
    expect(r.stdout).toBe(Array.from({ length: 7 }, (_, i) => `epoch ${i}\n`).join(""));
    expect(Math.min(...r.printedAt)).toBeGreaterThanOrEqual(60_000);
  });

  it("without -f, a running run: what GitHub serves so far, then that it is still running", async () => {
    const cases = [
      { liveLogs: true, stdout: "epoch 0\nepoch 1\n", said: "" },
      {
        liveLogs: false,
        stdout: "",
        said: "dstack logs busy-bat-1 --remote -f prints it when busy-bat-1 completes",
      },
    ];
    for (const { liveLogs, stdout, said } of cases) {
      const f = await fake({ liveLogs, jobs: [{ name: "run", logAt: growing }] });
      await dispatch(f, "busy-bat-1");
      f.model.clock.advance(25_000); // in progress for 15 s
      const r = await dstack(f, ["logs", "busy-bat-1", "--remote"]);
      expect(r).toMatchObject({ status: 0, stdout });
      expect(r.stderr).toContain(said);
      expect(r.stderr).toMatch(/busy-bat-1 is still running: https:\/\/github\.com\/\S+\n$/);
    }
  });

  const unknown = [
    { name: "logs", argv: ["logs", "no-such-run-1", "--remote"] },
    { name: "stop", argv: ["stop", "no-such-run-1", "--remote"] },
  ];
  it.each(unknown)("$name of a run name no workflow run has says so", async ({ argv }) => {
    const f = await fake();
    await dispatch(f, "other-otter-1");
    f.model.clock.advance(5000);
    const r = await dstack(f, argv);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "dstack: no run no-such-run-1 among the runs of .github/workflows/dstack-run.yml in octo-org/octo-repo; dstack ps --remote -a lists them\n",
    );
  });

  it("--repo without --remote is a usage error", async () => {
    const f = await fake();
    const r = await dstack(f, ["logs", "x-y-1"]);
    expect(r).toMatchObject({ status: 2, stderr: "dstack: --repo: only with --remote\n" });
  });
});

describe("dstack stop RUN --remote", () => {
  it("cancels a running run and says the post step saved its checkpoints", async () => {
    const f = await fake();
    await dispatch(f, "busy-bee-1");
    f.model.clock.advance(20_000);
    const r = await dstack(f, ["stop", "busy-bee-1", "--remote"]);
    expect(r.status).toBe(0);
    expect(r.stderr).toBe(
      `busy-bee-1 stopped: workflow run cancelled; the job's checkpoints were saved as artifacts by run-python's post step: https://github.com/octo-org/octo-repo/actions/runs/${f.model.runs[0]?.id}\n`,
    );
    expect(requestsTo(f, ACTIONS_ROUTES.cancelRun)).toBe(1);
    expect(requestsTo(f, ACTIONS_ROUTES.forceCancelRun)).toBe(0);
    expect(f.model.stateOf(f.model.runs[0] as never).conclusion).toBe("cancelled");
  });

  it("force-cancels a run that ignores the cancel for the grace period", async () => {
    const f = await fake({ obeysCancel: false, durationMs: 3_600_000 });
    await dispatch(f, "stubborn-mule-1");
    f.model.clock.advance(20_000);
    const r = await dstack(f, ["stop", "stubborn-mule-1", "--remote"]);
    expect(r.status).toBe(0);
    const run = f.model.runs[0];
    expect(r.stderr).toContain(
      "stubborn-mule-1 did not stop within 1m00s of the cancel; force-cancelling it\n",
    );
    expect(r.stderr).toContain(
      "stubborn-mule-1 stopped: workflow run force-cancelled; its post steps may not have run",
    );
    expect(
      (run?.forceCancelRequestedAt ?? 0) - (run?.cancelRequestedAt ?? 0),
    ).toBeGreaterThanOrEqual(60_000);
    expect(f.model.stateOf(run as never).conclusion).toBe("cancelled");
  });

  it("a finished run is already done: nothing is cancelled", async () => {
    const f = await fake();
    await dispatch(f, "done-dog-1");
    f.model.clock.advance(120_000);
    const r = await dstack(f, ["stop", "done-dog-1", "--remote"]);
    expect(r).toMatchObject({ status: 0 });
    expect(r.stderr).toMatch(/^done-dog-1 is already done: https:\/\/github\.com\/\S+\n$/);
    expect(requestsTo(f, ACTIONS_ROUTES.cancelRun)).toBe(0);
  });

  it("a token without actions: write is told the permission", async () => {
    const f = await fake();
    await dispatch(f, "ro-rat-1");
    f.github.inject(ACTIONS_ROUTES.cancelRun, {
      answer: { status: 403, body: { message: "Resource not accessible by integration" } },
    });
    f.model.clock.advance(20_000);
    const r = await dstack(f, ["stop", "ro-rat-1", "--remote"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the token needs the "actions: write" permission');
  });
});
