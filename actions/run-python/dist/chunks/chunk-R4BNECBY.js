import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  eventDefaultBranch,
  stepClient
} from "./chunk-O4KKMB4Y.js";
import {
  InputError,
  Inputs,
  parseRunArtifactName
} from "./chunk-VA56QZAF.js";
import {
  getInput,
  getState,
  group,
  info,
  saveState,
  setOutput,
  setSecret,
  summary,
  warning
} from "./chunk-RTZHXGW5.js";
import {
  RUNNER_WORKFLOW_FILE,
  UNTRUSTED_INPUT,
  cancelRun,
  dispatchAndFollow,
  fetchJobLog,
  findRunByName,
  plannedRunsOnInput,
  readDefaultBranch,
  trustInputs
} from "./chunk-UVVLBS7E.js";
import {
  DEFAULT_API_URL,
  GitHubError,
  RunConcludedError
} from "./chunk-W67435B5.js";
import {
  formatDuration,
  formatRunName,
  formatSize,
  runNameStem
} from "./chunk-OADE2NIT.js";

// lib/dispatch.js
import { randomUUID } from "node:crypto";
import fs from "node:fs";
var DispatchInputs = {
  RunnerWorkflow: "runner-workflow",
  Ref: "ref",
  TimeoutMinutes: "timeout-minutes",
  ResumeLimit: "resume-limit",
  /**
   * Not in action.yml, on purpose: the poll interval in milliseconds (both the first and the
   * longest), for tests that run the action against a fake GitHub. Real runs keep followRun's
   * defaults (5 s, backing off to 60 s while nothing changes).
   */
  PollIntervalMs: "poll-interval-ms"
};
var DispatchState = {
  Mode: "mode",
  RunName: "run-name",
  DispatchedAt: "dispatched-at",
  WorkflowRunId: "workflow-run-id",
  Phase: "phase"
};
function defaultRef(env = process.env) {
  const head = env.GITHUB_HEAD_REF ?? "";
  if (head !== "") {
    const fork = forkOf(env);
    if (fork !== void 0) {
      throw new InputError(`ref: this pull request comes from the fork ${fork}, whose branch ${JSON.stringify(head)} is not in ${env.GITHUB_REPOSITORY ?? "this repository"}; dstack does not run a fork's code on self-hosted runners by default: give ref (a branch of this repository) on purpose`);
    }
    return head;
  }
  const name = env.GITHUB_REF_NAME ?? "";
  if (name === "") {
    throw new InputError("ref: no ref given and none known (GITHUB_REF_NAME is empty); give ref: the branch or tag the runner workflow runs on");
  }
  return name;
}
function forkOf(env) {
  const file = env.GITHUB_EVENT_PATH;
  if (!file || !fs.existsSync(file))
    return void 0;
  const event = JSON.parse(fs.readFileSync(file, "utf8"));
  const head = event.pull_request?.head?.repo?.full_name;
  return head !== void 0 && head !== env.GITHUB_REPOSITORY ? head : void 0;
}
async function dispatchTrust(client, settings, inputs, known) {
  const [owner = "", repo = ""] = settings.repository.split("/");
  const defaultBranch = known ?? await eventDefaultBranch() ?? await readDefaultBranch({ client, owner, repo }).catch((e) => {
    warning(`${e.message}; the run is treated as not on the default branch`);
    return void 0;
  });
  const trust = trustInputs({
    dispatchRef: settings.ref,
    defaultBranch,
    ...inputs.pullRequest !== void 0 ? { pullRequest: inputs.pullRequest } : {}
  });
  if (inputs.untrusted)
    trust[UNTRUSTED_INPUT] = "true";
  if (trust[UNTRUSTED_INPUT]) {
    info(`${settings.ref} is not the default branch${defaultBranch ? ` (${defaultBranch})` : ""} or the step says untrusted: the run asks for an ephemeral runner`);
  }
  return trust;
}
function freshRunName() {
  const runId = Number(process.env.GITHUB_RUN_ID ?? "");
  return formatRunName(runNameStem(Math.random), Number.isSafeInteger(runId) && runId > 0 ? runId : 1);
}
function positiveInteger(input, value, what) {
  if (value === "")
    return void 0;
  if (!/^[1-9]\d*$/.test(value)) {
    throw new InputError(`${input}: ${JSON.stringify(value)} is not ${what}`);
  }
  return Number(value);
}
function getDispatchSettings(refGiven = false) {
  const token = getInput(Inputs.GitHubToken);
  if (token === "") {
    throw new InputError("github-token: mode: dispatch needs a token with actions: write (the default github.token with permissions: actions: write in the job)");
  }
  setSecret(token);
  const repository = process.env.GITHUB_REPOSITORY ?? "";
  if (repository === "") {
    throw new InputError("GITHUB_REPOSITORY is not set: mode: dispatch runs in a GitHub Actions job");
  }
  const timeoutMinutes = positiveInteger(DispatchInputs.TimeoutMinutes, getInput(DispatchInputs.TimeoutMinutes), "a whole number of minutes (e.g. 120)");
  const pollIntervalMs = positiveInteger(DispatchInputs.PollIntervalMs, getInput(DispatchInputs.PollIntervalMs), "a whole number of milliseconds");
  const resumeRaw = getInput(DispatchInputs.ResumeLimit);
  if (resumeRaw !== "" && !/^\d+$/.test(resumeRaw)) {
    throw new InputError(`${DispatchInputs.ResumeLimit}: ${JSON.stringify(resumeRaw)} is not a whole number (0 never resumes; default 3)`);
  }
  const tag = getInput(Inputs.Tag);
  return {
    token,
    apiUrl: process.env.GITHUB_API_URL || DEFAULT_API_URL,
    repository,
    workflowFile: getInput(DispatchInputs.RunnerWorkflow) || RUNNER_WORKFLOW_FILE,
    ref: getInput(DispatchInputs.Ref) || (refGiven ? "" : defaultRef()),
    runName: getInput(Inputs.RunName) || freshRunName(),
    ...tag !== "" ? { tag } : {},
    ...timeoutMinutes !== void 0 ? { timeoutMinutes } : {},
    ...pollIntervalMs !== void 0 ? { pollIntervalMs } : {},
    ...resumeRaw !== "" ? { resumeLimit: Number(resumeRaw) } : {}
  };
}
function runArtifacts(artifacts, runName) {
  return artifacts.flatMap((a) => {
    const parsed = parseRunArtifactName(a.name, runName);
    return parsed === void 0 ? [] : [{ ...a, path: parsed.artifactPath }];
  });
}
function formatDuration2(ms) {
  return formatDuration(ms, { style: "words" });
}
function html(text) {
  return text.replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}
function link(text, url) {
  return url ? `<a href="${html(url)}">${html(text)}</a>` : html(text);
}
async function writeSummary(outcome, artifacts) {
  const head = (text) => ({ data: text, header: true });
  summary.addHeading(`dstack run ${html(outcome.runName)}`, 3).addTable([
    [head("Run name"), html(outcome.runName)],
    [head("Workflow run"), link(`#${outcome.workflowRunId}`, outcome.htmlUrl)],
    [head("Conclusion"), html(outcome.conclusion ?? outcome.status)],
    [head("Duration"), formatDuration2(outcome.durationMs)]
  ]).addHeading("Jobs", 4).addTable([
    [head("Job"), head("Conclusion"), head("Runner")],
    ...outcome.jobs.map((j) => [
      link(j.name, j.htmlUrl),
      html(j.conclusion ?? j.status),
      html(j.runnerName ?? "")
    ])
  ]).addHeading("Artifacts", 4);
  if (artifacts.length === 0) {
    summary.addRaw("<p>none</p>", true);
  } else {
    summary.addTable([
      [head("Path"), head("Artifact"), head("Size"), head("Id")],
      ...artifacts.map((a) => [
        html(a.path),
        html(a.name),
        formatSize(a.sizeInBytes),
        String(a.id)
      ])
    ]);
  }
  await summary.write();
}
function printLog(text) {
  const token = randomUUID();
  info(`::stop-commands::${token}`);
  info(text.replace(/\n$/, ""));
  info(`::${token}::`);
}
async function dispatchMode(job, inputs, hooks = {}) {
  saveState(DispatchState.Mode, "dispatch");
  const settings = { ...getDispatchSettings(hooks.ref !== void 0), ...hooks.settings };
  const { runName } = settings;
  setOutput("run-name", runName);
  const client = stepClient({ token: settings.token, apiUrl: settings.apiUrl });
  const trust = hooks.extraInputs ?? await dispatchTrust(client, settings, inputs, hooks.defaultBranch);
  const extraInputs = { ...trust, ...plannedRunsOnInput(job.resources, trust) };
  const controller = new AbortController();
  const onSignal = (signal) => {
    info(`${signal}: this job is being cancelled; cancelling the dispatched run`);
    controller.abort(new Error(`this job was cancelled (${signal})`));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  saveState(DispatchState.RunName, runName);
  saveState(DispatchState.DispatchedAt, String(Date.now()));
  saveState(DispatchState.Phase, "dispatching");
  info(`dispatching ${runName}: .github/workflows/${settings.workflowFile} on ${settings.ref} in ${settings.repository}`);
  let runUrl = "";
  let cancel;
  let outcome;
  try {
    outcome = await dispatchAndFollow({
      client,
      repository: settings.repository,
      workflowFile: settings.workflowFile,
      ref: hooks.ref ?? settings.ref,
      job,
      runName,
      ...Object.keys(extraInputs).length > 0 ? { extraInputs } : {},
      ...settings.tag !== void 0 ? { tag: settings.tag } : {},
      ...settings.timeoutMinutes !== void 0 ? { timeoutMinutes: settings.timeoutMinutes } : {},
      ...settings.resumeLimit !== void 0 ? { resumeLimit: settings.resumeLimit } : {},
      ...settings.pollIntervalMs !== void 0 ? { minIntervalMs: settings.pollIntervalMs, maxIntervalMs: settings.pollIntervalMs } : {},
      signal: controller.signal,
      log: (m) => info(m),
      onDispatched: (run) => {
        runUrl = run.htmlUrl;
        saveState(DispatchState.WorkflowRunId, String(run.workflowRunId));
        saveState(DispatchState.Phase, "following");
        setOutput("workflow-run-id", String(run.workflowRunId));
        setOutput("workflow-run-url", run.htmlUrl);
        info(`workflow run ${run.htmlUrl} (found by ${run.via})`);
        return hooks.onDispatched?.({
          workflowRunId: run.workflowRunId,
          htmlUrl: run.htmlUrl,
          runName
        });
      },
      onState: (s) => {
        info(`${runName}: ${s.conclusion ?? s.status.replace("_", " ")}`);
        hooks.onState?.(s.status);
      },
      onJob: ({ change, job: j }) => info(change === "started" ? `job ${j.name} started${j.runnerName ? ` on ${j.runnerName}` : ""}` : `job ${j.name} finished: ${j.conclusion ?? j.status}`),
      onResume: (r) => warning(`${r.lostRunName}: ${r.evidence}; dispatched again as ${r.runName} (attempt ${r.attempt}, DSTACK_RUN_ATTEMPT=${r.attempt})${r.deps.length > 0 ? `, with the artifacts of ${r.deps.join(", ")} as deps` : ", nothing saved to resume from"}`),
      onCancel: (result) => {
        if (result instanceof GitHubError) {
          warning(`could not cancel the dispatched run: ${result.message}`);
          return;
        }
        cancel = result;
        saveState(DispatchState.Phase, "cancel-requested");
      }
    });
  } catch (e) {
    if (controller.signal.aborted) {
      const reason = e.message;
      throw new Error(runUrl === "" ? `${reason} while dispatching ${runName}; the post step cancels its workflow run if one started` : `${reason}: workflow run ${runUrl}: ${cancel === void 0 ? "not cancelled here; the post step tries again" : `cancel ${cancel}`}`);
    }
    if (runUrl === "")
      saveState(DispatchState.Phase, "done");
    throw e;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  saveState(DispatchState.Phase, "done");
  const conclusion = outcome.conclusion ?? outcome.status;
  const artifacts = runArtifacts(outcome.artifacts, outcome.runName);
  if (outcome.runName !== runName)
    setOutput("run-name", outcome.runName);
  setOutput("conclusion", conclusion);
  setOutput("artifact-ids", artifacts.map((a) => a.id).join(","));
  const [owner = "", repo = ""] = settings.repository.split("/");
  for (const j of outcome.jobs) {
    if (j.conclusion === "skipped")
      continue;
    await group(`log of job ${j.name} (${j.conclusion ?? j.status})`, async () => {
      try {
        printLog(await fetchJobLog(client, { owner, repo, jobId: j.id }));
      } catch (e) {
        warning(`log of job ${j.name}: ${e.message}`);
      }
    });
  }
  for (const a of artifacts) {
    info(`artifact ${a.path}: ${a.name} (id ${a.id}, ${formatSize(a.sizeInBytes)})`);
  }
  await writeSummary(outcome, artifacts);
  await hooks.onEnd?.(outcome, artifacts);
  info(`${runName}: ${conclusion} after ${formatDuration2(outcome.durationMs)} (${outcome.requests.counted} counted requests, ${outcome.requests.notModified} not modified)`);
  if (conclusion !== "success") {
    throw new RunConcludedError({ htmlUrl: outcome.htmlUrl, runName, conclusion });
  }
}
var POST_LOOK_MS = 15e3;
async function dispatchPost(options = {}) {
  const phase = getState(DispatchState.Phase);
  if (phase !== "dispatching" && phase !== "following")
    return;
  const repository = process.env.GITHUB_REPOSITORY ?? "";
  const [owner = "", repo = ""] = repository.split("/");
  const token = getInput(Inputs.GitHubToken);
  if (token !== "")
    setSecret(token);
  const client = options.client ?? stepClient({ token, warn: false });
  let id = Number(getState(DispatchState.WorkflowRunId));
  const runName = getState(DispatchState.RunName);
  if (!(Number.isSafeInteger(id) && id > 0)) {
    const since = Number(getState(DispatchState.DispatchedAt)) || Date.now();
    const found = await findRunByName(client, {
      owner,
      repo,
      workflowFile: getInput(DispatchInputs.RunnerWorkflow) || RUNNER_WORKFLOW_FILE,
      runName,
      since,
      budgetMs: options.lookMs ?? POST_LOOK_MS
    });
    if (!found) {
      info(`no workflow run named ${runName} showed up: nothing to cancel`);
      return;
    }
    id = found.workflowRunId;
  }
  const result = await cancelRun(client, { owner, repo, workflowRunId: id });
  info(result === "requested" ? `cancel requested for workflow run ${id} (${runName}): this job ended before it` : `workflow run ${id} (${runName}) had already completed`);
}

export {
  DispatchInputs,
  DispatchState,
  defaultRef,
  getDispatchSettings,
  runArtifacts,
  formatDuration2 as formatDuration,
  dispatchMode,
  dispatchPost
};
