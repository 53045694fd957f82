/**
 * `GitHubStore.findBaseRun` through the real parts: the unmodified `@actions/artifact` client
 * with Azurite and the results-service fake, and the OpenAPI-validated REST fake listing the
 * runner workflow's runs. Newer candidates that must never be a base run (a pull request's code
 * dispatched on the default branch, a fork's run, another workflow, a failed run, another branch,
 * a run without metrics, an old marker without a workflow) surround one trusted run.
 */
import fs from "node:fs";
import path from "node:path";
import {
  type ActionsStorageSession,
  type ArtifactsRestApi,
  type BackendIds,
  enterActionsStorage,
  workflowRuns,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubStore, type RunMarkerFields } from "./github-store.js";

const TOKEN = "ghs_fake_token_for_base_run_tests";
const REPO = "octo/models";

let storage: ActionsStorageSession;
let rest: ArtifactsRestApi;
let tmp: string;

const runs = workflowRuns();
/** The base run: the default branch's trusted run of `train`, oldest of all. */
const base = runs.add(101);
/** A trusted run of `eval`. */
const evalRun = runs.add(102);
/** Newer: a pull request's code, dispatched on the default branch by a command. */
const prCode = runs.add(103);
/** Newer: a fork's pull_request run of a copy of the runner workflow, lying in its marker. */
const fork = runs.add(104, { event: "pull_request", fork: true, headBranch: "main" });
/** Newer: a trusted run of `train` that failed. */
const failed = runs.add(105, { conclusion: "failure" });
/** Newer: a run of `train` on another branch. */
const otherBranch = runs.add(106, { headBranch: "feat" });
/** Newer: a trusted run of `train` that saved no metrics. */
const noMetrics = runs.add(107);
/** Newest: a marker written before markers named their workflow. */
const legacy = runs.add(108);
/** Newest: a pull request's code whose policy lets it write the shared tags (no number). */
const prShared = runs.add(109);

/** Runs `fn` as a step of `run` (its runtime token in the environment). */
const inRun = <T>(run: BackendIds, fn: () => Promise<T>): Promise<T> => storage.inRun(run, fn);

function store(options: Partial<ConstructorParameters<typeof GitHubStore>[0]> = {}) {
  return new GitHubStore({
    token: TOKEN,
    repository: REPO,
    apiUrl: rest.url,
    warn: () => undefined,
    writeSpacingMs: 0,
    ...options,
  });
}

/** Uploads `artifactPath` (one file `values.jsonl` with `content`) of `runName` in `run`. */
async function save(
  run: BackendIds,
  runName: string,
  artifactPath: string,
  content: string,
  runMarker?: RunMarkerFields,
) {
  const dir = path.join(tmp, "src", `${runName}-${artifactPath}`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "values.jsonl"), content);
  await inRun(run, () =>
    store(runMarker ? { runMarker } : {}).upload({ runName, localPath: dir, artifactPath }),
  );
}

const trusted = (workflow: string): RunMarkerFields => ({ workflow, untrusted: false });

beforeAll(async () => {
  storage = await enterActionsStorage({
    repository: REPO,
    runs,
    tmpPrefix: "github-store-base-run-",
  });
  ({ rest, tmp } = storage);
  const metric = (v: number) => `{"name":"val_loss","value":${v},"step":1}\n`;
  await save(base, "base-bee-1", "metrics", metric(0.5), trusted("train"));
  await save(evalRun, "eval-elk-1", "metrics", metric(0.7), trusted("eval"));
  await save(prCode, "pr-pug-1", "metrics", metric(0.1), {
    workflow: "train",
    untrusted: true,
    pullRequest: 7,
  });
  await save(fork, "fork-fox-1", "metrics", metric(0.01), trusted("train"));
  await save(failed, "failed-fly-1", "metrics", metric(0.2), trusted("train"));
  await save(otherBranch, "branch-bat-1", "metrics", metric(0.3), trusted("train"));
  await save(noMetrics, "model-mole-1", "model", "weights\n", trusted("train"));
  await save(legacy, "old-owl-1", "metrics", metric(0.4));
  await save(prShared, "pr-pig-1", "metrics", metric(0.05), { workflow: "train", untrusted: true });
}, 120_000);

afterAll(async () => {
  // Every request and answer kept to GitHub's OpenAPI description.
  expect(rest?.github.problems ?? []).toEqual([]);
  await storage?.close();
});

describe("GitHubStore.findBaseRun", { timeout: 60_000 }, () => {
  it.each([
    {
      name: "train: the older trusted run, past every newer untrusted one",
      workflow: "train",
      runName: "base-bee-1",
      runId: 101,
    },
    {
      name: "eval: its own workflow's run, not train's",
      workflow: "eval",
      runName: "eval-elk-1",
      runId: 102,
    },
  ])("$name", async ({ workflow, runName, runId }) => {
    const found = await store().findBaseRun({ workflow });
    expect(found).toMatchObject({ runName, workflowRunId: runId });
    expect(found?.workflowRunUrl).toMatch(new RegExp(`/actions/runs/${runId}$`));
  });

  it("a workflow no trusted run ran has no base run", async () => {
    expect(await store().findBaseRun({ workflow: "deploy" })).toBeUndefined();
  });

  it("a run is never its own base", async () => {
    const found = await store().findBaseRun({ workflow: "train", excludeRunName: "base-bee-1" });
    expect(found).toBeUndefined();
  });

  it("reads the runner workflow's successful default-branch runs a page at a time, once per step", async () => {
    const s = store();
    const before = rest.github.requests.length;
    await s.findBaseRun({ workflow: "train", pageSize: 2 });
    await s.findBaseRun({ workflow: "train", pageSize: 2 });
    const made = rest.github.requests.slice(before);
    const lists = made.filter((r) => r.operationId === "actions/list-workflow-runs");
    // Successful runs on main, newest first: 109 (a pull request's code), 108 (no workflow in its marker), 107 (no metrics),
    // 104 (a fork's: judged from the listing), 103 (a pull request's code), 102 (eval), 101. The
    // failed run and the other branch's are left out by GitHub; the second call is cached.
    expect(
      lists.map((r) => [
        r.params.workflow_id,
        r.query.get("branch"),
        r.query.get("status"),
        r.query.get("page"),
      ]),
    ).toEqual([
      ["dstack-run.yml", "main", "success", "1"],
      ["dstack-run.yml", "main", "success", "2"],
      ["dstack-run.yml", "main", "success", "3"],
      ["dstack-run.yml", "main", "success", "4"],
    ]);
    const listed = made
      .filter((r) => r.operationId === "actions/list-workflow-run-artifacts")
      .map((r) => Number(r.params.run_id));
    expect(listed).toEqual([109, 108, 107, 103, 102, 101]);
    expect(made.filter((r) => r.operationId === "actions/get-workflow-run")).toEqual([]);
  });

  it("downloads the base run's metrics from the workflow run it was found in", async () => {
    const s = store();
    const found = await s.findBaseRun({ workflow: "train" });
    if (found === undefined) throw new Error("no base run");
    const dest = path.join(tmp, "dest-base");
    await s.downloadArtifacts(
      { run: found.runName },
      { artifactPath: "metrics", localPath: dest, from: found },
    );
    expect(fs.readFileSync(path.join(dest, "values.jsonl"), "utf8")).toContain("0.5");
  });
});
