import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  GitHubStore,
  GitHubStoreError
} from "./chunk-XR64XKPM.js";
import {
  InputError,
  LocalStore,
  formatHostFacts,
  runJob
} from "./chunk-VA56QZAF.js";
import {
  endGroup,
  exportVariable,
  getInput,
  getState,
  info,
  saveState,
  setOutput,
  setSecret,
  startGroup,
  summary,
  warning
} from "./chunk-RTZHXGW5.js";
import {
  formatCount,
  formatRunName,
  formatSize,
  runNameStem
} from "./chunk-OADE2NIT.js";

// lib/run-mode.js
import { mkdir, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

// lib/matcher.js
var MATCHER_OWNERS = ["dstack-python-traceback", "dstack-python-traceback-marked"];
var FRAME = String.raw`^\s*File "(.+)", line (\d+)(?:, in .+)?$`;
var SOURCE = String.raw`^\s{4,}\S.*$`;
var MARKERS = String.raw`^\s*[\^~]+[\s\^~]*$`;
var EXCEPTION = String.raw`^((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*(?::\s.*)?)$`;
var PYTHON_TRACEBACK_MATCHER = {
  problemMatcher: [
    {
      owner: MATCHER_OWNERS[0],
      severity: "error",
      pattern: [
        { regexp: FRAME, file: 1, line: 2 },
        { regexp: SOURCE },
        { regexp: EXCEPTION, message: 1 }
      ]
    },
    {
      owner: MATCHER_OWNERS[1],
      severity: "error",
      pattern: [
        { regexp: FRAME, file: 1, line: 2 },
        { regexp: SOURCE },
        { regexp: MARKERS },
        { regexp: EXCEPTION, message: 1 }
      ]
    }
  ]
};

// lib/run-mode.js
var RUN_NAME_ENV = "DSTACK_RUN_NAME";
var CANCEL_GRACE_MS = 5e3;
var State = {
  Mode: "mode",
  Store: "store",
  RunName: "run-name",
  Uploaded: "uploaded",
  RetentionDays: "retention-days"
};
function chooseRunName(given) {
  if (given !== void 0) {
    if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(given) || given.includes("--") || given.length > 200) {
      throw new InputError(`run-name: ${JSON.stringify(given)} is not a run name; use letters, digits, ".", "_" and single "-", starting with a letter or digit (at most 200 characters)`);
    }
    return given;
  }
  const runId = Number(process.env.GITHUB_RUN_ID ?? "");
  return formatRunName(runNameStem(Math.random), Number.isSafeInteger(runId) && runId > 0 ? runId : 1);
}
function artifactUrl(id) {
  const server = process.env.GITHUB_SERVER_URL ?? "https://github.com";
  const repo = process.env.GITHUB_REPOSITORY;
  const runId = process.env.GITHUB_RUN_ID;
  return repo && runId ? `${server}/${repo}/actions/runs/${runId}/artifacts/${id}` : void 0;
}
async function uploadRunArtifacts(options) {
  const done = [];
  for (const entry of options.entries) {
    const localPath = path.join(options.store.artifactsDir(options.runName), entry.path);
    try {
      const r = await options.remote.upload({
        runName: options.runName,
        localPath,
        artifactPath: entry.path,
        ...options.retentionDays !== void 0 ? { retentionDays: options.retentionDays } : {}
      });
      const url = artifactUrl(r.id);
      done.push({
        path: entry.path,
        files: r.files,
        bytes: r.bytes,
        id: r.id,
        ...url ? { url } : {}
      });
      info(`uploaded ${entry.path}: ${formatCount(r.files, "file")}, ${formatSize(r.bytes)} (artifact ${r.name}, zip level ${r.compressionLevel})`);
      if (r.skippedHidden.length > 0) {
        warning(`artifacts: ${entry.path}: left out hidden files and folders (as actions/upload-artifact does): ${r.skippedHidden.join(", ")}`);
      }
    } catch (e) {
      if (e instanceof GitHubStoreError && e.reason === "duplicate") {
        info(`${entry.path}: uploaded already in this workflow run`);
        done.push({ path: entry.path, files: entry.files, bytes: entry.bytes });
        continue;
      }
      throw e;
    }
  }
  return done;
}
function describeResources(job) {
  const r = job.resources;
  const parts = [];
  if (r.cpu !== void 0)
    parts.push(`cpu: ${r.cpu}`);
  if (r.memoryBytes !== void 0)
    parts.push(`memory: ${formatSize(r.memoryBytes)}`);
  if (r.gpu !== void 0) {
    parts.push(`gpu: ${r.gpu.count}${r.gpu.name !== void 0 ? ` x ${r.gpu.name}` : ""}${r.gpu.memoryBytes !== void 0 ? ` (${formatSize(r.gpu.memoryBytes)} each)` : ""}`);
  }
  if (r.shmSizeBytes !== void 0)
    parts.push(`shm_size: ${formatSize(r.shmSizeBytes)}`);
  if (r.interruptible)
    parts.push("interruptible");
  return parts.length > 0 ? parts.join(", ") : "(none asked)";
}
async function writeSummary(options) {
  const { job, runName, result, uploaded } = options;
  const icon = result.status === "done" ? "\u2705" : result.status === "stopped" ? "\u23F9\uFE0F" : "\u274C";
  const phases = result.phases.map((p) => `${p.title} ${(Math.max(0, p.ms) / 1e3).toFixed(1)} s`).join("<br>");
  const rows = [
    ["workflow", job.workflow ?? `(inline) ${job.file}`],
    ["run name", `<code>${runName}</code>`],
    ["runner", process.env.RUNNER_NAME ?? os.hostname()],
    ["resources asked", describeResources(job)],
    ["resources found", result.host ? formatHostFacts(result.host) : "(not read)"],
    ["Python", result.python ? result.python.version : "(not reached)"],
    ["phases", phases || "(none)"],
    [
      "status",
      `${icon} ${result.status}: ${result.message}${result.exitCode !== void 0 ? ` (exit code ${result.exitCode})` : ""}`
    ],
    ...options.tag !== void 0 ? [
      [
        "tag",
        result.status === "done" ? options.tag : `${options.tag} (not moved: the run did not succeed)`
      ]
    ] : []
  ];
  const summary2 = summary.addHeading(`dstack run ${runName}`, 3).addTable([
    [
      { data: "", header: true },
      { data: "", header: true }
    ],
    ...rows.map(([k, v]) => [k, v])
  ]);
  if (uploaded.length > 0) {
    summary2.addHeading("Artifacts", 4).addTable([
      [
        { data: "artifact path", header: true },
        { data: "files", header: true },
        { data: "size", header: true }
      ],
      ...uploaded.map((a) => [
        a.url ? `<a href="${a.url}">${a.path}</a>` : a.path,
        String(a.files),
        formatSize(a.bytes)
      ])
    ]);
  }
  if (options.metrics)
    summary2.addRaw(options.metrics, true);
  await summary2.write();
}
async function runMode(job, inputs) {
  saveState(State.Mode, "run");
  const runName = chooseRunName(inputs.runName);
  const env = process.env;
  const repoDir = path.resolve(env.GITHUB_WORKSPACE ?? process.cwd());
  const temp = env.RUNNER_TEMP ?? os.tmpdir();
  const storeHome = path.join(temp, "dstack");
  const home = env.DSTACK_HOME ?? path.join(env.RUNNER_TOOL_CACHE ?? temp, "dstack");
  const store = new LocalStore({ home: storeHome });
  const remote = GitHubStore.fromEnv(env, {
    ...inputs.token !== "" ? { token: inputs.token } : {},
    // Progress (MiB, %, artifacts, MiB/s): a line at most every 10 s or 10 %, then the total.
    log: (line) => info(line),
    // A pull request's code tags in that pull request's namespace (pr-N.<tag>), never the shared
    // tags default-branch runs read; the dispatcher leaves the number out when the policy allows.
    ...inputs.untrusted && inputs.pullRequest !== void 0 ? { pullRequest: inputs.pullRequest } : {},
    // The run marker says which workflow ran and whether its code is trusted: pull requests'
    // comments compare with the default branch's latest trusted run of the same workflow.
    runMarker: {
      ...job.workflow ? { workflow: job.workflow } : {},
      untrusted: inputs.untrusted,
      ...inputs.pullRequest !== void 0 ? { pullRequest: inputs.pullRequest } : {},
      // Which way each metric is better, as the job ran: `dstack metrics diff --remote` judges
      // the run by these rather than by a checkout's later workflows file.
      metrics: { ...job.metrics }
    },
    warn: (message) => warning(message)
  });
  await store.createRun({ workflow: job.workflow ?? null, job, repoDir, runName });
  saveState(State.Store, storeHome);
  saveState(State.RunName, runName);
  if (inputs.retentionDays !== void 0) {
    saveState(State.RetentionDays, String(inputs.retentionDays));
  }
  exportVariable(RUN_NAME_ENV, runName);
  setOutput("run-name", runName);
  info(`dstack run ${runName}${job.workflow ? ` (workflow ${job.workflow})` : ""}`);
  const matcherFile = path.join(temp, `dstack-python-matcher-${process.pid}.json`);
  await mkdir(temp, { recursive: true });
  await writeFile(matcherFile, JSON.stringify(PYTHON_TRACEBACK_MATCHER, null, 2));
  info(`::add-matcher::${matcherFile}`);
  const controller = new AbortController();
  const onSignal = (signal) => {
    if (controller.signal.aborted)
      return;
    info(`${signal}: stopping ${runName}; the job has ${CANCEL_GRACE_MS / 1e3} s to exit`);
    controller.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  let group = false;
  let result;
  try {
    result = await runJob({
      store,
      runName,
      home,
      // The job gets none of this step's credentials (ACTIONS_*, INPUT_*, tokens): the bridge
      // in this process uploads for it.
      env,
      ...inputs.token !== "" ? { secrets: [inputs.token] } : {},
      // Code not on the default branch builds its venvs apart from trusted runs' venvs.
      ...inputs.untrusted ? { untrusted: true } : {},
      remote,
      stop: controller.signal,
      graceMs: CANCEL_GRACE_MS,
      out: {
        phase(_phase, title) {
          if (group)
            endGroup();
          startGroup(title);
          group = true;
        },
        line: (text) => process.stdout.write(`${text}
`),
        info: (text) => info(`[dstack] ${text}`)
      }
    });
  } finally {
    if (group)
      endGroup();
    for (const owner of MATCHER_OWNERS)
      info(`::remove-matcher owner=${owner}::`);
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  if (result.exitCode !== void 0)
    setOutput("exit-code", String(result.exitCode));
  const record = await store.getRun(runName);
  const uploaded = await uploadRunArtifacts({
    store,
    remote,
    runName,
    entries: record.artifacts,
    ...inputs.retentionDays !== void 0 ? { retentionDays: inputs.retentionDays } : {}
  });
  setOutput("artifact-ids", uploaded.flatMap((a) => a.id !== void 0 ? [String(a.id)] : []).join(","));
  if (inputs.tag !== void 0) {
    if (result.status === "done") {
      await remote.setTag({
        tag: inputs.tag,
        runName,
        ...inputs.retentionDays !== void 0 ? { retentionDays: inputs.retentionDays } : {}
      });
      info(`tag ${inputs.tag} -> ${runName}`);
    } else {
      warning(`tag: ${inputs.tag} was not moved to ${runName}: the run ${result.status}`);
    }
  }
  saveState(State.Uploaded, "true");
  const { metricsSummary } = await import("./summary-metrics-GPOEWGAC.js");
  const metrics = await metricsSummary(store.artifactsDir(runName), job.metrics ? { directions: job.metrics } : {});
  await writeSummary({
    job,
    runName,
    result,
    uploaded,
    ...metrics ? { metrics } : {},
    ...inputs.tag !== void 0 ? { tag: inputs.tag } : {}
  });
  if (result.status !== "done") {
    throw new Error(`${runName} ${result.status}: ${result.message}`);
  }
}
async function runPost() {
  const runName = getState(State.RunName);
  const storeHome = getState(State.Store);
  if (runName === "" || storeHome === "" || getState(State.Uploaded) === "true")
    return;
  const store = new LocalStore({ home: storeHome });
  let record = await store.getRun(runName);
  if (record.status === "running" || record.status === "uploading") {
    const paths = record.job?.artifacts ?? [];
    if (paths.length > 0) {
      const saved = await store.saveArtifacts(runName, { repoDir: record.repoDir, paths });
      for (const m of saved.missing)
        info(`artifacts: ${m} does not exist; nothing saved`);
    }
    record = await store.updateRun(runName, {
      status: "stopped",
      finishedAt: (/* @__PURE__ */ new Date()).toISOString(),
      message: "the workflow was cancelled"
    });
  }
  if (record.artifacts.length === 0) {
    info(`${runName}: no artifacts to upload`);
    return;
  }
  info(`${runName} ${record.status}: uploading its artifacts (the main step did not finish)`);
  const retention = getState(State.RetentionDays);
  const remote = GitHubStore.fromEnv(process.env, tokenFromInputs());
  await uploadRunArtifacts({
    store,
    remote,
    runName,
    entries: record.artifacts,
    ...retention !== "" ? { retentionDays: Number(retention) } : {}
  });
}
function tokenFromInputs() {
  const token = getInput("github-token");
  if (token === "")
    return {};
  setSecret(token);
  return { token };
}

export {
  runMode,
  runPost
};
