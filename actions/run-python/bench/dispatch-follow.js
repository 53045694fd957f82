// Benchmark: what following a dispatched 1-hour run costs in GitHub's primary rate limit.
//
// Against the OpenAPI-validated fake GitHub with the Actions model (@dstack/testing) on a
// simulated clock (nothing waits for real): dispatchRun + followRun (ETag polling, back-off
// from 5 s to 60 s) + one log per job, counted by the fake as GitHub counts them (every request
// but a 304). For comparison, a plain poller that GETs the run every 5 s without ETags, with
// the same dispatch, listings and logs. The counts are deterministic: one run of each suffices.
//
// Run after a build: node actions/run-python/bench/dispatch-follow.js
import fs from "node:fs";
import path from "node:path";
import {
  createGitHubClient,
  dispatchRun,
  fetchJobLog,
  followRun,
  plannedRunsOnInput,
  trustInputs,
} from "@dstack/github";
import { criticalPathJobs, REPO_ROOT, startFakeActions } from "@dstack/testing";
import { parse } from "yaml";

const HOUR_MS = 3_600_000;
const PLAIN_INTERVAL_MS = 5000;
const job = JSON.stringify({ name: "train", provider: "python", file: "train.py" });

const { github, model } = await startFakeActions({
  queuedMs: 30_000,
  durationMs: HOUR_MS,
  jobs: [{ name: "run" }],
  artifacts: [{ name: "dstack--bench-1--model", sizeInBytes: 50_000_000 }],
});
const at = {
  owner: model.options.owner,
  repo: model.options.repo,
  sleep: model.clock.sleep,
  now: model.clock.now,
};
const dispatchOptions = (runName) => ({
  ...at,
  workflowFile: model.options.workflowFile,
  ref: "main",
  inputs: { job },
  runName,
});

try {
  // dstack: dispatch, follow with conditional requests, fetch the logs.
  const client = createGitHubClient({ token: "bench-etag", apiUrl: github.url, retryBaseMs: 1 });
  const startedAt = model.clock.now();
  let before = github.counted;
  const dispatched = await dispatchRun(client, dispatchOptions("bench-1"));
  const run = await followRun(client, { ...at, workflowRunId: dispatched.workflowRunId });
  for (const j of run.jobs) {
    await fetchJobLog(client, { ...at, jobId: j.id });
  }
  const counted = github.counted - before;
  const notModified = run.requests.notModified;
  const simulatedS = (model.clock.now() - startedAt) / 1000;

  // A plain poller: the same work, but GET the run every 5 s without If-None-Match.
  const plainClient = createGitHubClient({
    token: "bench-plain",
    apiUrl: github.url,
    retryBaseMs: 1,
  });
  before = github.counted;
  const plain = await dispatchRun(plainClient, dispatchOptions("bench-2"));
  const where = { owner: at.owner, repo: at.repo, run_id: plain.workflowRunId };
  for (;;) {
    const { data } = await plainClient.rest.actions.getWorkflowRun(where);
    if (data.status === "completed") {
      break;
    }
    await model.clock.sleep(PLAIN_INTERVAL_MS);
  }
  const { data: jobs } = await plainClient.rest.actions.listJobsForWorkflowRun(where);
  await plainClient.rest.actions.listWorkflowRunArtifacts(where);
  for (const j of jobs.jobs) {
    await fetchJobLog(plainClient, { ...at, jobId: j.id });
  }
  const plainCounted = github.counted - before;

  if (github.problems.length > 0) {
    console.error(
      `the fake GitHub saw requests or answers GitHub would refuse:\n${github.problems.join("\n")}`,
    );
    process.exitCode = 1;
  }
  console.log(`bench: dispatch-1h-counted-requests ${counted} requests`);
  console.log(`bench: dispatch-1h-plain-poller-requests ${plainCounted} requests`);
  console.log(`bench: dispatch-1h-not-modified-requests ${notModified} requests`);
  console.log(`bench: dispatch-1h-simulated-duration ${simulatedS} s`);

  // Jobs before the run job's first line in the shipped runner workflow (their `if:` evaluated
  // by GitHub's expression engine), dispatched as dstack's dispatchers do (with the planned
  // runs-on) and, for comparison, without runs-on (a plan job on a hosted runner first).
  const runner = parse(
    fs.readFileSync(path.join(REPO_ROOT, ".github/workflows/dstack-run.yml"), "utf8"),
  );
  const count = (dispatched) =>
    criticalPathJobs({
      jobs: runner.jobs,
      job: "run",
      inputs: runner.on.workflow_dispatch.inputs,
      dispatched,
    });
  const trust = trustInputs({ dispatchRef: "feature", defaultBranch: "main" });
  const planned = {
    job,
    "run-name": "bench-3",
    ...trust,
    ...plannedRunsOnInput({ gpu: { count: 1 } }, trust),
  };
  const withPlan = { job, "run-name": "bench-4", ...trust };
  console.log(`bench: dispatch-critical-path-jobs ${count(planned).length} jobs`);
  console.log(`bench: dispatch-critical-path-jobs-without-runs-on ${count(withPlan).length} jobs`);
} finally {
  await github.close();
}
