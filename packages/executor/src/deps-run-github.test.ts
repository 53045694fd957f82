/**
 * `deps: - run: NAME` on a runner: how a resumed attempt (`NAME-2`, dispatched again after its
 * runner was lost) gets the checkpoints of the attempt before it, through the GitHub store. The
 * real parts: `runJob` with the GitHub store as `remote`, the unmodified `@actions/artifact`
 * client with Azurite and the results-service fake, and the OpenAPI-validated REST fake whose
 * workflow runs carry the facts the trust rules read (event, workflow file, branch, fork).
 */
import fs from "node:fs";
import path from "node:path";
import { LocalStore } from "@dstack/artifacts";
import { GitHubStore } from "@dstack/artifacts/github";
import type { HostReport } from "@dstack/host";
import { parseWorkflows } from "@dstack/spec";
import {
  type ActionsStorageSession,
  type ArtifactsRestApi,
  type BackendIds,
  enterActionsStorage,
  readTree,
  tempDir,
  workflowRuns,
  writeTree,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runJob } from "./run-job.js";

const TOKEN = "ghs_fake_token_for_deps_run_tests";
const REPO = "octo/models";

/** Host facts any job without resources satisfies (nvidia-smi is not run). */
const HOST: HostReport = {
  cpus: 2,
  memoryBytes: 4 * 2 ** 30,
  gpus: [],
  gpuDetails: [],
  interruptible: false,
  notes: [],
  sources: { cpus: "os", memory: "os", gpus: "none" },
};

const runs = workflowRuns();
/**
 * Earlier attempts: runs of the repository's runner workflow dispatched on main, failed because
 * their runners were lost (a lost runner's run fails; its artifacts were saved on the way out).
 */
const lostA = runs.add(801, { conclusion: "failure" });
const lostB = runs.add(802, { conclusion: "failure" });
/** A same-repository pull request's `ci.yml` run: the pull request's copy of the workflow. */
const prCi = runs.add(901, { event: "pull_request", workflowFile: "ci.yml", headBranch: "feat" });
/** A fork's pull request run of a copy of the runner workflow. */
const forkRunner = runs.add(902, { event: "pull_request", fork: true, headBranch: "patch-1" });
/** The resumed attempt's own workflow run. */
const resumed = runs.add(810);

let storage: ActionsStorageSession;
let rest: ArtifactsRestApi;

/** A GitHub store on the fakes, collecting its warnings; its writes are not spaced. */
function store() {
  const warnings: string[] = [];
  const s = new GitHubStore({
    token: TOKEN,
    repository: REPO,
    apiUrl: rest.url,
    warn: (m) => warnings.push(m),
    writeSpacingMs: 0,
  });
  return Object.assign(s, { warnings });
}

/** Runs `fn` as a step of `run` (its runtime token in the environment). */
const inRun = <T>(run: BackendIds, fn: () => Promise<T>): Promise<T> => storage.inRun(run, fn);

/** Saves `checkpoints/epoch-1.pt` holding `content` as artifacts of `runName` in `run`. */
async function saveCheckpoint(run: BackendIds, runName: string, content: string): Promise<void> {
  const dir = writeTree(tempDir(), { "epoch-1.pt": content });
  await inRun(run, () => store().upload({ runName, localPath: dir, artifactPath: "checkpoints" }));
}

beforeAll(async () => {
  storage = await enterActionsStorage({ repository: REPO, runs, tmpPrefix: "deps-run-github-" });
  ({ rest } = storage);
  await saveCheckpoint(lostA, "sharp-shrimp-1", "epoch 1 of sharp-shrimp-1\n");
  await saveCheckpoint(lostB, "brave-bear-1", "epoch 1 of brave-bear-1\n");
  // Newer than the trusted attempt: a fork's run uploads under the same run name.
  await saveCheckpoint(forkRunner, "brave-bear-1", "pickle from a fork\n");
  // A pull request's run of ci.yml is the only one with this run name.
  await saveCheckpoint(prCi, "odd-ox-1", "pickle from a pull request\n");
}, 120_000);

afterAll(() => storage?.close());

/** The job of attempt 2 of `earlier`, as `attemptJob` of `@dstack/github` makes it. */
function resumeWorkflows(earlier: string): string {
  return `workflows:
  - name: train
    provider: python
    file: train.py
    environment:
      DSTACK_RUN_ATTEMPT: "2"
    deps:
      - run: ${earlier}
`;
}

/** Prints the checkpoint the job finds, as a training script resuming from it would read it. */
const TRAIN = `import os
p = os.path.join("checkpoints", "epoch-1.pt")
print("resumed from: " + (open(p).read().strip() if os.path.exists(p) else "nothing"))
`;

/** Runs attempt 2 of `earlier` in the resumed workflow run, with the GitHub store as `remote`. */
async function resume(earlier: string) {
  const home = tempDir();
  const text = resumeWorkflows(earlier);
  const repo = writeTree(tempDir(), { ".dstack/workflows.yaml": text, "train.py": TRAIN });
  const parsed = parseWorkflows({ files: [{ path: ".dstack/workflows.yaml", text }] });
  const job = parsed.jobs[0];
  if (!job) throw new Error(JSON.stringify(parsed.diagnostics));
  const local = new LocalStore({ home });
  const runName = `${earlier}-2`;
  await local.createRun({ workflow: "train", job, repoDir: repo, runName });
  const remote = store();
  const lines: string[] = [];
  const infos: string[] = [];
  const result = await inRun(resumed, () =>
    runJob({
      store: local,
      runName,
      home,
      env: process.env,
      secrets: [TOKEN],
      host: HOST,
      remote,
      out: { phase: () => {}, line: (l) => lines.push(l), info: (m) => infos.push(m) },
    }),
  );
  return { result, lines, infos, warnings: remote.warnings, repo };
}

describe("deps: - run: through the GitHub store (a resumed attempt's checkpoints)", () => {
  it.each([
    {
      name: "a trusted earlier attempt whose runner was lost: its checkpoints are placed",
      earlier: "sharp-shrimp-1",
      placed: "epoch 1 of sharp-shrimp-1\n",
      warning: undefined,
    },
    {
      name: "a newer upload under the same run name from a fork's run is skipped: the trusted attempt's",
      earlier: "brave-bear-1",
      placed: "epoch 1 of brave-bear-1\n",
      warning:
        /^run "brave-bear-1": skipped 1 newer artifact named dstack-run--brave-bear-1 from untrusted workflow runs \(.*workflow run 902\): fork: .*\); using artifact \d+ of workflow run 802$/,
    },
  ])("$name", { timeout: 60_000 }, async ({ earlier, placed, warning }) => {
    const r = await resume(earlier);
    expect(r.result.message).toBe("exited with 0");
    expect(r.result.status).toBe("done");
    expect(r.lines).toEqual([`resumed from: ${placed.trim()}`]);
    expect(readTree(path.join(r.repo, "checkpoints"))).toEqual({ "epoch-1.pt": placed });
    expect(r.infos).toContain(`run ${earlier}: artifacts of ${earlier} placed in the repository`);
    if (warning === undefined) expect(r.warnings).toEqual([]);
    else {
      expect(r.warnings).toHaveLength(1);
      expect(r.warnings[0]).toMatch(warning);
    }
  });

  it.each([
    {
      name: "an attempt only a pull request's run uploaded is refused by the trust rules",
      earlier: "odd-ox-1",
      message:
        /^deps\[0\]\.run: no trusted run "odd-ox-1" in octo\/models: all 1 artifacts named dstack-run--odd-ox-1 come from untrusted workflow runs and were skipped \(.*workflow run 901\): event: workflow ci\.yml ran on pull_request.*\); /,
    },
    {
      name: "a run no workflow run saved: a not-found error naming the dep and the run",
      earlier: "ghost-gnu-1",
      message:
        /^deps\[0\]\.run: no run "ghost-gnu-1" in octo\/models: no workflow run has an artifact named dstack-run--ghost-gnu-1$/,
    },
  ])("$name; the job does not start", { timeout: 60_000 }, async ({ earlier, message }) => {
    const r = await resume(earlier);
    expect(r.result.status).toBe("failed");
    expect(r.result.message).toMatch(message);
    expect(r.result.phases.map((p) => p.phase)).not.toContain("run");
    expect(r.lines).toEqual([]);
    expect(fs.existsSync(path.join(r.repo, "checkpoints"))).toBe(false);
  });
});
