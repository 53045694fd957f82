import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  DispatchInputs,
  dispatchMode
} from "./chunk-R4BNECBY.js";
import {
  loadPolicy,
  stepClient
} from "./chunk-O4KKMB4Y.js";
import {
  annotate
} from "./chunk-UZIKASSP.js";
import {
  GitHubStore
} from "./chunk-XR64XKPM.js";
import {
  InputError,
  WorkflowsFileError,
  loadWorkflows
} from "./chunk-VA56QZAF.js";
import "./chunk-THC2AKT7.js";
import "./chunk-KQX3PZ3A.js";
import {
  getInput,
  info,
  summary,
  warning
} from "./chunk-RTZHXGW5.js";
import {
  DEFAULT_LABEL,
  endedRunReport,
  failedRunReport,
  handleIssueComment,
  handlePullRequestLabel,
  handleRepositoryDispatch,
  reportRun
} from "./chunk-OAUF2433.js";
import {
  RUNNER_WORKFLOW_FILE,
  trustInputs
} from "./chunk-UVVLBS7E.js";
import "./chunk-4R5INGCW.js";
import "./chunk-W67435B5.js";
import "./chunk-WOHHE5EB.js";
import {
  readMetricsDir
} from "./chunk-YI5KFGCX.js";
import {
  METRICS_DIR
} from "./chunk-EXW4HUQH.js";
import {
  artifactsPolicy
} from "./chunk-OADE2NIT.js";
import "./chunk-2XQLGBSN.js";

// lib/command.js
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
var CommandInputs = {
  /** The label that starts a run on `pull_request` (default `dstack-run`). */
  Label: "label",
  /** The workflow the label runs (a name in `.dstack/workflows.yaml`). */
  Workflow: "workflow"
};
async function readEvent() {
  const name = process.env.GITHUB_EVENT_NAME ?? "";
  const file = process.env.GITHUB_EVENT_PATH ?? "";
  if (name === "" || file === "") {
    throw new InputError("mode: command runs in a workflow triggered by issue_comment, pull_request or repository_dispatch (GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set)");
  }
  return { name, payload: JSON.parse(await readFile(file, "utf8")) };
}
async function downloadMetrics(store, runName, directions) {
  const dir = await mkdtemp(path.join(process.env.RUNNER_TEMP ?? os.tmpdir(), "dstack-metrics-"));
  try {
    await store.downloadArtifacts({ run: runName }, { artifactPath: METRICS_DIR, localPath: path.join(dir, METRICS_DIR) });
    return { report: await readMetricsDir(dir, directions ? { directions } : {}) };
  } catch (e) {
    return { problem: `metrics: ${e.message}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
async function downloadBaseRun(store, options) {
  const dir = await mkdtemp(path.join(process.env.RUNNER_TEMP ?? os.tmpdir(), "dstack-base-"));
  try {
    const found = await store.findBaseRun({
      workflow: options.workflow,
      artifactPath: METRICS_DIR,
      excludeRunName: options.runName
    });
    if (found === void 0)
      return null;
    await store.downloadArtifacts({ run: found.runName }, { artifactPath: METRICS_DIR, localPath: path.join(dir, METRICS_DIR), from: found });
    info(`base run: ${found.runName} (${found.workflowRunUrl})`);
    return {
      runName: found.runName,
      url: found.workflowRunUrl,
      metrics: await readMetricsDir(dir, options.directions ? { directions: options.directions } : {})
    };
  } catch (e) {
    warning(`base run of ${options.workflow}: ${e.message}`);
    return void 0;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
async function decide(client, repoDir, token) {
  const event = await readEvent();
  const defaultBranch = event.payload.repository?.default_branch;
  const { policy, from } = await loadPolicy({
    token,
    repoDir,
    client,
    ...typeof defaultBranch === "string" && defaultBranch !== "" ? { defaultBranch } : {}
  });
  info(`policy: ${from}`);
  let workflows;
  try {
    const loaded = loadWorkflows(repoDir, repoDir);
    annotate(loaded.diagnostics);
    workflows = loaded.jobs;
  } catch (e) {
    if (e instanceof WorkflowsFileError)
      throw new InputError(e.message);
    throw e;
  }
  if (event.name === "issue_comment") {
    const decision = await handleIssueComment({
      client,
      event: event.payload,
      workflows,
      policy
    });
    return { decision, policy };
  }
  if (event.name === "repository_dispatch") {
    const decision = await handleRepositoryDispatch({
      client,
      event: event.payload,
      workflows,
      policy
    });
    return { decision, policy };
  }
  if (event.name === "pull_request" || event.name === "pull_request_target") {
    const workflow = getInput(CommandInputs.Workflow);
    if (workflow === "") {
      throw new InputError("workflow: the label trigger runs one workflow of .dstack/workflows.yaml; name it (workflow: train)");
    }
    const decision = await handlePullRequestLabel({
      client,
      event: event.payload,
      workflows,
      label: getInput(CommandInputs.Label) || DEFAULT_LABEL,
      workflow,
      policy
    });
    return { decision, policy };
  }
  return {
    decision: {
      kind: "ignore",
      why: `event ${event.name}: mode: command answers issue_comment, pull_request and repository_dispatch`
    },
    policy
  };
}
async function dispatchEvent(decision, inputs) {
  info(`${decision.command} at ${decision.inputs.sha ?? `the head of ${decision.ref}`} (${decision.workflow})`);
  const tag = decision.tag ?? inputs.tag;
  const trust = trustInputs({
    dispatchRef: decision.ref,
    defaultBranch: decision.ref,
    ...decision.inputs.sha !== void 0 ? { code: decision.inputs.sha } : {}
  });
  await dispatchMode(decision.job, inputs, {
    ref: decision.ref,
    extraInputs: {
      ...decision.inputs.sha !== void 0 ? { sha: decision.inputs.sha } : {},
      ...trust
    },
    settings: {
      ...tag !== void 0 ? { tag } : {},
      ...decision.runName !== void 0 ? { runName: decision.runName } : {}
    }
  });
}
async function commandMode(inputs) {
  const token = inputs.token;
  if (token === "") {
    throw new InputError("github-token: mode: command needs a token with pull-requests, issues, statuses and actions: write (see .github/workflows/dstack-command.yml)");
  }
  const repository = process.env.GITHUB_REPOSITORY ?? "";
  const [owner = "", repo = ""] = repository.split("/");
  const client = stepClient({ token });
  const repoDir = path.resolve(process.env.GITHUB_WORKSPACE ?? process.cwd());
  const { decision, policy } = await decide(client, repoDir, token);
  if (decision.kind === "ignore") {
    info(`nothing to do: ${decision.why}`);
    return;
  }
  for (const w of decision.warnings)
    warning(w);
  if (decision.kind === "refuse") {
    await summary.addHeading("dstack: not run", 3).addRaw(decision.reply, true).write();
    throw new Error(`refused (${decision.reason}): ${decision.message}${decision.posted ? "" : " (no reply posted: the token cannot write to the pull request)"}`);
  }
  if (!("pr" in decision))
    return dispatchEvent(decision, inputs);
  info(`${decision.actor}: ${decision.command} on #${decision.pr.number} at ${decision.sha} (${decision.workflow})`);
  const report = (r) => reportRun({ client, owner, repo, decision, report: r }).catch((e) => warning(`could not update the pull request: ${e.message}`));
  let runName = "";
  let url = "";
  try {
    await dispatchMode(decision.job, inputs, {
      ref: decision.ref,
      // A pull request's code is never the default branch's: ephemeral runners only, and the
      // run knows its pull request (for the tags and venvs of untrusted runs).
      extraInputs: {
        ...decision.inputs,
        ...prTrustInputs(decision, policy)
      },
      onDispatched: async (run) => {
        url = run.htmlUrl;
        runName = run.runName;
        await report({ status: "queued", runName, workflowRunUrl: url });
      },
      onState: (status) => {
        if (status === "in_progress")
          void report({ status: "running", runName, workflowRunUrl: url });
      },
      onEnd: async (outcome, artifacts) => {
        let store;
        let storeProblem = "";
        try {
          store = GitHubStore.fromEnv(process.env, {
            token,
            defaultBranch: decision.ref,
            runnerWorkflow: getInput(DispatchInputs.RunnerWorkflow) || RUNNER_WORKFLOW_FILE,
            warn: (m) => warning(m)
          });
        } catch (e) {
          storeProblem = `metrics: ${e.message}`;
        }
        const metrics = !artifacts.some((a) => a.path === METRICS_DIR || a.path.startsWith(`${METRICS_DIR}/`)) ? {} : store ? await downloadMetrics(store, outcome.runName, decision.job.metrics) : { problem: storeProblem };
        const base = metrics.report && store ? await downloadBaseRun(store, {
          workflow: decision.workflow,
          runName: outcome.runName,
          directions: decision.job.metrics
        }) : void 0;
        await report({
          ...endedRunReport({
            outcome,
            artifacts,
            metrics,
            ...inputs.tag !== void 0 ? { tag: inputs.tag } : {},
            serverUrl: process.env.GITHUB_SERVER_URL ?? "https://github.com",
            repository
          }),
          ...base !== void 0 ? { base } : {}
        });
      }
    });
  } catch (e) {
    const failed = failedRunReport(e, { runName, workflowRunUrl: url });
    if (failed)
      await report(failed);
    throw e;
  }
}
function prTrustInputs(decision, policy) {
  const inputs = trustInputs({
    code: decision.sha,
    dispatchRef: decision.ref,
    defaultBranch: decision.ref,
    pullRequest: decision.pr.number
  });
  if (artifactsPolicy(policy).pullRequestsWriteSharedTags)
    delete inputs["pull-request"];
  return inputs;
}
export {
  CommandInputs,
  commandMode
};
