/**
 * `mode: run`: the executor of `@dstack/executor` runs the job on this runner.
 *
 * - The run lives in a local store under `RUNNER_TEMP` (its log and artifacts folders); venvs
 *   are cached under `DSTACK_HOME`, else the runner's tool cache, so a self-hosted runner
 *   reuses them from job to job.
 * - The job's own `dstack.artifacts` calls go to the GitHub store (tags are seen across workflow
 *   runs); `deps` by tag are downloaded from it.
 * - The host check fails fast, naming what this runner lacks.
 * - Each phase is a log group; Python tracebacks become annotations (./matcher.ts).
 * - The job's `artifacts` folders are uploaded to the GitHub store after the job, whether it
 *   succeeded, failed or was stopped. When the workflow is cancelled, the runner signals the
 *   step (SIGINT, then SIGTERM, then a kill): the job gets the signal and a short grace period,
 *   and the post step ({@link runPost}) uploads whatever the main step did not, so checkpoints
 *   survive a cancel.
 * - The tag input is set only after a successful run.
 *
 * @module
 */
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as core from "@actions/core";
import { type ArtifactEntry, LocalStore } from "@dstack/artifacts";
import { GitHubStore, GitHubStoreError } from "@dstack/artifacts/github";
import { type Phase, type RunResult, runJob } from "@dstack/executor";
import { formatHostFacts } from "@dstack/host";
import { formatCount, formatRunName, formatSize, type Job, runNameStem } from "@dstack/spec";
import { type ActionInputs, InputError } from "./inputs.js";
import { MATCHER_OWNERS, PYTHON_TRACEBACK_MATCHER } from "./matcher.js";

/** The environment variable holding the job's dstack run (read by `dstack/artifacts` uploads). */
export const RUN_NAME_ENV = "DSTACK_RUN_NAME";

/**
 * Milliseconds between the signal forwarded to the job and its kill. The runner gives a cancelled
 * step 7.5 s after SIGINT before SIGTERM (actions/runner `ProcessInvoker`), so the job stops and
 * its artifacts are saved locally inside that window.
 */
export const CANCEL_GRACE_MS = 5000;

/** `core.saveState` keys shared by the main and post steps. */
const State = {
  Mode: "mode",
  Store: "store",
  RunName: "run-name",
  Uploaded: "uploaded",
  RetentionDays: "retention-days",
} as const;

/** One artifact folder moved to the GitHub store. */
export interface UploadedRunArtifact {
  /** The artifact path, e.g. `checkpoints`. */
  path: string;
  /** Files and bytes (before zipping). */
  files: number;
  bytes: number;
  /** The GitHub artifact id and URL; absent when an earlier step of this job uploaded it. */
  id?: number;
  url?: string;
}

/** The run name: the `run-name` input, else `<adjective>-<animal>-<GITHUB_RUN_ID>`. */
function chooseRunName(given: string | undefined): string {
  if (given !== undefined) {
    // The GitHub store's artifact names use `--` as a separator (github-store.ts).
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(given) || given.includes("--") || given.length > 200) {
      throw new InputError(
        `run-name: ${JSON.stringify(given)} is not a run name; use letters, digits, ".", "_" and single "-", starting with a letter or digit (at most 200 characters)`,
      );
    }
    return given;
  }
  const runId = Number(process.env.GITHUB_RUN_ID ?? "");
  return formatRunName(
    runNameStem(Math.random),
    Number.isSafeInteger(runId) && runId > 0 ? runId : 1,
  );
}

function artifactUrl(id: number): string | undefined {
  const server = process.env.GITHUB_SERVER_URL ?? "https://github.com";
  const repo = process.env.GITHUB_REPOSITORY;
  const runId = process.env.GITHUB_RUN_ID;
  return repo && runId ? `${server}/${repo}/actions/runs/${runId}/artifacts/${id}` : undefined;
}

/**
 * Uploads a run's saved artifacts folders from the local store to the GitHub store, one GitHub
 * artifact per artifact path. An artifact path this workflow run already holds (uploaded by the
 * main step before the post step ran) is skipped, not an error.
 *
 * @throws StoreError from the GitHub store (`io`, `permission`, ...): the first failed upload.
 */
export async function uploadRunArtifacts(options: {
  store: LocalStore;
  remote: GitHubStore;
  runName: string;
  entries: readonly ArtifactEntry[];
  retentionDays?: number;
}): Promise<UploadedRunArtifact[]> {
  const done: UploadedRunArtifact[] = [];
  for (const entry of options.entries) {
    const localPath = path.join(options.store.artifactsDir(options.runName), entry.path);
    try {
      const r = await options.remote.upload({
        runName: options.runName,
        localPath,
        artifactPath: entry.path,
        ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
      });
      const url = artifactUrl(r.id);
      done.push({
        path: entry.path,
        files: r.files,
        bytes: r.bytes,
        id: r.id,
        ...(url ? { url } : {}),
      });
      core.info(
        `uploaded ${entry.path}: ${formatCount(r.files, "file")}, ${formatSize(r.bytes)} (artifact ${r.name}, zip level ${r.compressionLevel})`,
      );
      if (r.skippedHidden.length > 0) {
        core.warning(
          `artifacts: ${entry.path}: left out hidden files and folders (as actions/upload-artifact does): ${r.skippedHidden.join(", ")}`,
        );
      }
    } catch (e) {
      if (e instanceof GitHubStoreError && e.reason === "duplicate") {
        core.info(`${entry.path}: uploaded already in this workflow run`);
        done.push({ path: entry.path, files: entry.files, bytes: entry.bytes });
        continue;
      }
      throw e;
    }
  }
  return done;
}

/** `cpu: 4, memory: 16GB, gpu: 2 x A100 (40GB), shm_size: 8GB, interruptible` from a job. */
function describeResources(job: Job): string {
  const r = job.resources;
  const parts: string[] = [];
  if (r.cpu !== undefined) parts.push(`cpu: ${r.cpu}`);
  if (r.memoryBytes !== undefined) parts.push(`memory: ${formatSize(r.memoryBytes)}`);
  if (r.gpu !== undefined) {
    parts.push(
      `gpu: ${r.gpu.count}${r.gpu.name !== undefined ? ` x ${r.gpu.name}` : ""}${r.gpu.memoryBytes !== undefined ? ` (${formatSize(r.gpu.memoryBytes)} each)` : ""}`,
    );
  }
  if (r.shmSizeBytes !== undefined) parts.push(`shm_size: ${formatSize(r.shmSizeBytes)}`);
  if (r.interruptible) parts.push("interruptible");
  return parts.length > 0 ? parts.join(", ") : "(none asked)";
}

/** Writes the job summary: the run, the runner, resources asked and found, phases, artifacts, metrics. */
async function writeSummary(options: {
  job: Job;
  runName: string;
  result: RunResult;
  uploaded: readonly UploadedRunArtifact[];
  tag?: string;
  /** The metrics part (`metricsSummary` of ./summary-metrics.ts). */
  metrics?: string;
}): Promise<void> {
  const { job, runName, result, uploaded } = options;
  const icon = result.status === "done" ? "✅" : result.status === "stopped" ? "⏹️" : "❌";
  const phases = result.phases
    .map((p) => `${p.title} ${(Math.max(0, p.ms) / 1000).toFixed(1)} s`)
    .join("<br>");
  const rows: [string, string][] = [
    ["workflow", job.workflow ?? `(inline) ${job.file}`],
    ["run name", `<code>${runName}</code>`],
    ["runner", process.env.RUNNER_NAME ?? os.hostname()],
    ["resources asked", describeResources(job)],
    ["resources found", result.host ? formatHostFacts(result.host) : "(not read)"],
    ["Python", result.python ? result.python.version : "(not reached)"],
    ["phases", phases || "(none)"],
    [
      "status",
      `${icon} ${result.status}: ${result.message}${result.exitCode !== undefined ? ` (exit code ${result.exitCode})` : ""}`,
    ],
    ...(options.tag !== undefined
      ? [
          [
            "tag",
            result.status === "done"
              ? options.tag
              : `${options.tag} (not moved: the run did not succeed)`,
          ] as [string, string],
        ]
      : []),
  ];
  const summary = core.summary.addHeading(`dstack run ${runName}`, 3).addTable([
    [
      { data: "", header: true },
      { data: "", header: true },
    ],
    ...rows.map(([k, v]) => [k, v]),
  ]);
  if (uploaded.length > 0) {
    summary.addHeading("Artifacts", 4).addTable([
      [
        { data: "artifact path", header: true },
        { data: "files", header: true },
        { data: "size", header: true },
      ],
      ...uploaded.map((a) => [
        a.url ? `<a href="${a.url}">${a.path}</a>` : a.path,
        String(a.files),
        formatSize(a.bytes),
      ]),
    ]);
  }
  if (options.metrics) summary.addRaw(options.metrics, true);
  await summary.write();
}

/**
 * Runs `job` on this runner as run `run-name` (or a fresh name), uploads its artifacts and sets
 * the outputs `run-name`, `exit-code` and `artifact-ids`; exports `DSTACK_RUN_NAME` for later
 * steps (`dstack/artifacts` uploads go to the same run).
 *
 * @throws InputError for a bad `run-name`; an Error with the run's one-line message when the job
 *   did not succeed (this runner lacks resources, pip failed, the script exited non-zero, ...),
 *   after its artifacts were uploaded; StoreError when GitHub refuses an upload.
 */
export async function runMode(job: Job, inputs: ActionInputs): Promise<void> {
  core.saveState(State.Mode, "run");
  const runName = chooseRunName(inputs.runName);
  const env = process.env;
  const repoDir = path.resolve(env.GITHUB_WORKSPACE ?? process.cwd());
  const temp = env.RUNNER_TEMP ?? os.tmpdir();
  const storeHome = path.join(temp, "dstack");
  const home = env.DSTACK_HOME ?? path.join(env.RUNNER_TOOL_CACHE ?? temp, "dstack");
  const store = new LocalStore({ home: storeHome });
  const remote = GitHubStore.fromEnv(env, {
    ...(inputs.token !== "" ? { token: inputs.token } : {}),
    // Progress (MiB, %, artifacts, MiB/s): a line at most every 10 s or 10 %, then the total.
    log: (line) => core.info(line),
    // A pull request's code tags in that pull request's namespace (pr-N.<tag>), never the shared
    // tags default-branch runs read; the dispatcher leaves the number out when the policy allows.
    ...(inputs.untrusted && inputs.pullRequest !== undefined
      ? { pullRequest: inputs.pullRequest }
      : {}),
    // The run marker says which workflow ran and whether its code is trusted: pull requests'
    // comments compare with the default branch's latest trusted run of the same workflow.
    runMarker: {
      ...(job.workflow ? { workflow: job.workflow } : {}),
      untrusted: inputs.untrusted,
      ...(inputs.pullRequest !== undefined ? { pullRequest: inputs.pullRequest } : {}),
      // Which way each metric is better, as the job ran: `dstack metrics diff --remote` judges
      // the run by these rather than by a checkout's later workflows file.
      metrics: { ...job.metrics },
    },
    warn: (message) => core.warning(message),
  });

  await store.createRun({ workflow: job.workflow ?? null, job, repoDir, runName });
  core.saveState(State.Store, storeHome);
  core.saveState(State.RunName, runName);
  if (inputs.retentionDays !== undefined) {
    core.saveState(State.RetentionDays, String(inputs.retentionDays));
  }
  core.exportVariable(RUN_NAME_ENV, runName);
  core.setOutput("run-name", runName);
  core.info(`dstack run ${runName}${job.workflow ? ` (workflow ${job.workflow})` : ""}`);

  const matcherFile = path.join(temp, `dstack-python-matcher-${process.pid}.json`);
  await mkdir(temp, { recursive: true });
  await writeFile(matcherFile, JSON.stringify(PYTHON_TRACEBACK_MATCHER, null, 2));
  core.info(`::add-matcher::${matcherFile}`);

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    core.info(`${signal}: stopping ${runName}; the job has ${CANCEL_GRACE_MS / 1000} s to exit`);
    controller.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let group = false;
  let result: RunResult;
  try {
    result = await runJob({
      store,
      runName,
      home,
      // The job gets none of this step's credentials (ACTIONS_*, INPUT_*, tokens): the bridge
      // in this process uploads for it.
      env,
      ...(inputs.token !== "" ? { secrets: [inputs.token] } : {}),
      // Code not on the default branch builds its venvs apart from trusted runs' venvs.
      ...(inputs.untrusted ? { untrusted: true } : {}),
      remote,
      stop: controller.signal,
      graceMs: CANCEL_GRACE_MS,
      out: {
        phase(_phase: Phase, title: string) {
          if (group) core.endGroup();
          core.startGroup(title);
          group = true;
        },
        line: (text) => process.stdout.write(`${text}\n`),
        info: (text) => core.info(`[dstack] ${text}`),
      },
    });
  } finally {
    if (group) core.endGroup();
    for (const owner of MATCHER_OWNERS) core.info(`::remove-matcher owner=${owner}::`);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  if (result.exitCode !== undefined) core.setOutput("exit-code", String(result.exitCode));

  const record = await store.getRun(runName);
  const uploaded = await uploadRunArtifacts({
    store,
    remote,
    runName,
    entries: record.artifacts,
    ...(inputs.retentionDays !== undefined ? { retentionDays: inputs.retentionDays } : {}),
  });
  core.setOutput(
    "artifact-ids",
    uploaded.flatMap((a) => (a.id !== undefined ? [String(a.id)] : [])).join(","),
  );
  if (inputs.tag !== undefined) {
    if (result.status === "done") {
      await remote.setTag({
        tag: inputs.tag,
        runName,
        ...(inputs.retentionDays !== undefined ? { retentionDays: inputs.retentionDays } : {}),
      });
      core.info(`tag ${inputs.tag} -> ${runName}`);
    } else {
      core.warning(`tag: ${inputs.tag} was not moved to ${runName}: the run ${result.status}`);
    }
  }
  core.saveState(State.Uploaded, "true");
  // Loaded only when the job has ended: the metrics reader (csv-parse with it) is not on the
  // path to the job's first line.
  const { metricsSummary } = await import("./summary-metrics.js");
  const metrics = await metricsSummary(
    store.artifactsDir(runName),
    job.metrics ? { directions: job.metrics } : {},
  );
  await writeSummary({
    job,
    runName,
    result,
    uploaded,
    ...(metrics ? { metrics } : {}),
    ...(inputs.tag !== undefined ? { tag: inputs.tag } : {}),
  });
  if (result.status !== "done") {
    throw new Error(`${runName} ${result.status}: ${result.message}`);
  }
}

/**
 * The post step of `mode: run`: when the main step did not finish its uploads (the workflow was
 * cancelled, or an upload failed), saves the job's artifacts folders if the run never got to it
 * and uploads what is not on GitHub yet. Never moves a tag.
 *
 * @throws StoreError when the local store cannot be read or GitHub refuses an upload.
 */
export async function runPost(): Promise<void> {
  const runName = core.getState(State.RunName);
  const storeHome = core.getState(State.Store);
  if (runName === "" || storeHome === "" || core.getState(State.Uploaded) === "true") return;
  const store = new LocalStore({ home: storeHome });
  let record = await store.getRun(runName);
  if (record.status === "running" || record.status === "uploading") {
    // The main step was stopped before the run ended: save what the job left in its folders.
    const paths = record.job?.artifacts ?? [];
    if (paths.length > 0) {
      const saved = await store.saveArtifacts(runName, { repoDir: record.repoDir, paths });
      for (const m of saved.missing) core.info(`artifacts: ${m} does not exist; nothing saved`);
    }
    record = await store.updateRun(runName, {
      status: "stopped",
      finishedAt: new Date().toISOString(),
      message: "the workflow was cancelled",
    });
  }
  if (record.artifacts.length === 0) {
    core.info(`${runName}: no artifacts to upload`);
    return;
  }
  core.info(`${runName} ${record.status}: uploading its artifacts (the main step did not finish)`);
  const retention = core.getState(State.RetentionDays);
  const remote = GitHubStore.fromEnv(process.env, tokenFromInputs());
  await uploadRunArtifacts({
    store,
    remote,
    runName,
    entries: record.artifacts,
    ...(retention !== "" ? { retentionDays: Number(retention) } : {}),
  });
}

/** The `github-token` input, which the post step sees too (masked again). */
function tokenFromInputs(): { token?: string } {
  const token = core.getInput("github-token");
  if (token === "") return {};
  core.setSecret(token);
  return { token };
}
