/**
 * `mode: command`: the glue of `.github/workflows/dstack-command.yml`. It reads the
 * event that started the workflow (`GITHUB_EVENT_NAME`, `GITHUB_EVENT_PATH`) and decides with
 * `@dstack/triggers` whether to run:
 *
 * - `issue_comment`: a `/dstack run WORKFLOW ...` comment on a pull request, by someone with
 *   write access (checked through the REST API), pinned to the head SHA (forks must name it);
 * - `pull_request`: the `label` input added to a pull request (removed again by a new push);
 * - `repository_dispatch` with `event_type: dstack-run`: a run asked for from outside GitHub, its
 *   `client_payload` checked by `@dstack/spec` `parseDispatchPayload` (a bad one fails the step
 *   with the problems in the job summary).
 *
 * The repository policy (`.dstack/policy.yaml` of the default branch, ./policy.ts) is checked
 * against the event, the actor and the job before anything is dispatched.
 *
 * The workflows come from the checked-out default branch (`GITHUB_WORKSPACE`), never from the
 * pull request. A refusal is answered on the pull request and fails the step; nothing is
 * dispatched. An accepted command is dispatched like `mode: dispatch` (./dispatch.ts) on the
 * default branch with the pinned `sha` input and `untrusted: true`, `pull-request: N` (the runner
 * workflow plans it onto ephemeral runners), and the pull request's sticky comment and commit
 * status follow the run: queued, running, then the conclusion, duration, runner, the metrics the
 * job wrote (`metrics/*.json` among its artifacts) and links to its artifacts and tag. Which way
 * each metric is better is the default branch's workflow's (`metrics:`), for this run and its
 * base run alike.
 *
 * @module
 */
import { mkdtemp, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import * as core from "@actions/core";
import { GitHubStore } from "@dstack/artifacts/github";
import { loadWorkflows, WorkflowsFileError } from "@dstack/executor";
import { type GitHubClient, RUNNER_WORKFLOW_FILE, trustInputs } from "@dstack/github";
import type { DirectionOverrides, MetricsReport } from "@dstack/metrics";
import { readMetricsDir } from "@dstack/metrics/node";
import { artifactsPolicy, type Policy } from "@dstack/spec";
import {
  type BaseRun,
  DEFAULT_LABEL,
  type Decision,
  endedRunReport,
  failedRunReport,
  handleIssueComment,
  handlePullRequestLabel,
  handleRepositoryDispatch,
  type IssueCommentEvent,
  METRICS_DIR,
  type PullRequestEvent,
  type RepositoryDispatchDecision,
  type RepositoryDispatchEvent,
  type RunReport,
  reportRun,
} from "@dstack/triggers";
import { annotate } from "./annotate.js";
import { stepClient } from "./client.js";
import { DispatchInputs, dispatchMode } from "./dispatch.js";
import { type ActionInputs, InputError } from "./inputs.js";
import { loadPolicy } from "./policy.js";

/** The inputs only `mode: command` reads. */
export const CommandInputs = {
  /** The label that starts a run on `pull_request` (default `dstack-run`). */
  Label: "label",
  /** The workflow the label runs (a name in `.dstack/workflows.yaml`). */
  Workflow: "workflow",
} as const;

/** Reads the webhook payload the runner wrote to `GITHUB_EVENT_PATH`. */
async function readEvent(): Promise<{ name: string; payload: unknown }> {
  const name = process.env.GITHUB_EVENT_NAME ?? "";
  const file = process.env.GITHUB_EVENT_PATH ?? "";
  if (name === "" || file === "") {
    throw new InputError(
      "mode: command runs in a workflow triggered by issue_comment, pull_request or repository_dispatch (GITHUB_EVENT_NAME and GITHUB_EVENT_PATH are not set)",
    );
  }
  return { name, payload: JSON.parse(await readFile(file, "utf8")) as unknown };
}

/**
 * The metrics the run saved under `metrics/` (JSON lines, Lightning's CSV, last-value JSON),
 * downloaded from the GitHub store (trusted sources only) and read by `@dstack/metrics`.
 */
async function downloadMetrics(
  store: GitHubStore,
  runName: string,
  directions: DirectionOverrides | undefined,
): Promise<{ report?: MetricsReport; problem?: string }> {
  const dir = await mkdtemp(path.join(process.env.RUNNER_TEMP ?? os.tmpdir(), "dstack-metrics-"));
  try {
    // readMetricsDir reads `metrics/` below the folder it is given: the artifact goes there.
    await store.downloadArtifacts(
      { run: runName },
      { artifactPath: METRICS_DIR, localPath: path.join(dir, METRICS_DIR) },
    );
    return { report: await readMetricsDir(dir, directions ? { directions } : {}) };
  } catch (e) {
    return { problem: `metrics: ${(e as Error).message}` };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * The run a pull request's run is compared with: the latest successful run of the same dstack
 * workflow on the default branch, of trusted code, that saved `metrics/`
 * (`GitHubStore.findBaseRun`), with its metrics read like this run's. `null` when there is none;
 * undefined (and a warning) when GitHub could not be asked or its metrics not read: the comment
 * then shows this run's metrics alone. `directions`: the workflow's `metrics:`, as this run's.
 */
async function downloadBaseRun(
  store: GitHubStore,
  options: { workflow: string; runName: string; directions: DirectionOverrides | undefined },
): Promise<BaseRun | null | undefined> {
  const dir = await mkdtemp(path.join(process.env.RUNNER_TEMP ?? os.tmpdir(), "dstack-base-"));
  try {
    const found = await store.findBaseRun({
      workflow: options.workflow,
      artifactPath: METRICS_DIR,
      excludeRunName: options.runName,
    });
    if (found === undefined) return null;
    await store.downloadArtifacts(
      { run: found.runName },
      { artifactPath: METRICS_DIR, localPath: path.join(dir, METRICS_DIR), from: found },
    );
    core.info(`base run: ${found.runName} (${found.workflowRunUrl})`);
    return {
      runName: found.runName,
      url: found.workflowRunUrl,
      metrics: await readMetricsDir(
        dir,
        options.directions ? { directions: options.directions } : {},
      ),
    };
  } catch (e) {
    core.warning(`base run of ${options.workflow}: ${(e as Error).message}`);
    return undefined;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Decides on the event: dispatch, refuse (answered on the pull request, or for a
 * `repository_dispatch` in the summary) or ignore. The policy and the workflows come from the
 * default branch.
 */
async function decide(
  client: GitHubClient,
  repoDir: string,
  token: string,
): Promise<{ decision: Decision | RepositoryDispatchDecision; policy: Policy }> {
  const event = await readEvent();
  const defaultBranch = (event.payload as { repository?: { default_branch?: unknown } }).repository
    ?.default_branch;
  const { policy, from } = await loadPolicy({
    token,
    repoDir,
    client,
    ...(typeof defaultBranch === "string" && defaultBranch !== "" ? { defaultBranch } : {}),
  });
  core.info(`policy: ${from}`);
  let workflows: ReturnType<typeof loadWorkflows>["jobs"];
  try {
    const loaded = loadWorkflows(repoDir, repoDir);
    // A workflow with an error is left out (and so "not a workflow"): say why here.
    annotate(loaded.diagnostics);
    workflows = loaded.jobs;
  } catch (e) {
    if (e instanceof WorkflowsFileError) throw new InputError(e.message);
    throw e;
  }
  if (event.name === "issue_comment") {
    const decision = await handleIssueComment({
      client,
      event: event.payload as IssueCommentEvent,
      workflows,
      policy,
    });
    return { decision, policy };
  }
  if (event.name === "repository_dispatch") {
    const decision = await handleRepositoryDispatch({
      client,
      event: event.payload as RepositoryDispatchEvent,
      workflows,
      policy,
    });
    return { decision, policy };
  }
  if (event.name === "pull_request" || event.name === "pull_request_target") {
    const workflow = core.getInput(CommandInputs.Workflow);
    if (workflow === "") {
      throw new InputError(
        "workflow: the label trigger runs one workflow of .dstack/workflows.yaml; name it (workflow: train)",
      );
    }
    const decision = await handlePullRequestLabel({
      client,
      event: event.payload as PullRequestEvent,
      workflows,
      label: core.getInput(CommandInputs.Label) || DEFAULT_LABEL,
      workflow,
      policy,
    });
    return { decision, policy };
  }
  return {
    decision: {
      kind: "ignore",
      why: `event ${event.name}: mode: command answers issue_comment, pull_request and repository_dispatch`,
    },
    policy,
  };
}

/**
 * Dispatches the job of a `repository_dispatch` on the default branch, at the payload's `ref`
 * (the runner workflow's `sha` input) with its tag and run name; the run is followed and
 * summarized like `mode: dispatch`.
 */
async function dispatchEvent(
  decision: RepositoryDispatchDecision,
  inputs: ActionInputs,
): Promise<void> {
  core.info(
    `${decision.command} at ${decision.inputs.sha ?? `the head of ${decision.ref}`} (${decision.workflow})`,
  );
  const tag = decision.tag ?? inputs.tag;
  // A payload `ref` other than the default branch is code no one reviewed there: ephemeral runners.
  const trust = trustInputs({
    dispatchRef: decision.ref,
    defaultBranch: decision.ref,
    ...(decision.inputs.sha !== undefined ? { code: decision.inputs.sha } : {}),
  });
  await dispatchMode(decision.job, inputs, {
    ref: decision.ref,
    extraInputs: {
      ...(decision.inputs.sha !== undefined ? { sha: decision.inputs.sha } : {}),
      ...trust,
    },
    settings: {
      ...(tag !== undefined ? { tag } : {}),
      ...(decision.runName !== undefined ? { runName: decision.runName } : {}),
    },
  });
}

/**
 * Runs `mode: command`.
 *
 * @throws InputError without a token or event; Error with the refusal's message when the
 *   command is refused (after the reply was posted); what `dispatchMode` throws.
 */
export async function commandMode(inputs: ActionInputs): Promise<void> {
  const token = inputs.token;
  if (token === "") {
    throw new InputError(
      "github-token: mode: command needs a token with pull-requests, issues, statuses and actions: write (see .github/workflows/dstack-command.yml)",
    );
  }
  const repository = process.env.GITHUB_REPOSITORY ?? "";
  const [owner = "", repo = ""] = repository.split("/");
  const client = stepClient({ token });
  const repoDir = path.resolve(process.env.GITHUB_WORKSPACE ?? process.cwd());
  const { decision, policy } = await decide(client, repoDir, token);
  if (decision.kind === "ignore") {
    core.info(`nothing to do: ${decision.why}`);
    return;
  }
  for (const w of decision.warnings) core.warning(w);
  if (decision.kind === "refuse") {
    await core.summary.addHeading("dstack: not run", 3).addRaw(decision.reply, true).write();
    throw new Error(
      `refused (${decision.reason}): ${decision.message}${decision.posted ? "" : " (no reply posted: the token cannot write to the pull request)"}`,
    );
  }
  if (!("pr" in decision)) return dispatchEvent(decision, inputs);
  core.info(
    `${decision.actor}: ${decision.command} on #${decision.pr.number} at ${decision.sha} (${decision.workflow})`,
  );
  const report = (r: RunReport) =>
    reportRun({ client, owner, repo, decision, report: r }).catch((e: Error) =>
      core.warning(`could not update the pull request: ${e.message}`),
    );
  let runName = "";
  let url = "";
  try {
    await dispatchMode(decision.job, inputs, {
      ref: decision.ref,
      // A pull request's code is never the default branch's: ephemeral runners only, and the
      // run knows its pull request (for the tags and venvs of untrusted runs).
      extraInputs: {
        ...decision.inputs,
        ...prTrustInputs(decision, policy),
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
        // One store for this run's metrics and the base run's: its trust caches serve both. A
        // store that cannot be made (a bad runner-workflow input) is a metrics problem, never a
        // lost report.
        let store: GitHubStore | undefined;
        let storeProblem = "";
        try {
          store = GitHubStore.fromEnv(process.env, {
            token,
            defaultBranch: decision.ref,
            runnerWorkflow: core.getInput(DispatchInputs.RunnerWorkflow) || RUNNER_WORKFLOW_FILE,
            warn: (m) => core.warning(m),
          });
        } catch (e) {
          storeProblem = `metrics: ${(e as Error).message}`;
        }
        const metrics = !artifacts.some(
          (a) => a.path === METRICS_DIR || a.path.startsWith(`${METRICS_DIR}/`),
        )
          ? {}
          : store
            ? await downloadMetrics(store, outcome.runName, decision.job.metrics)
            : { problem: storeProblem };
        const base =
          metrics.report && store
            ? await downloadBaseRun(store, {
                workflow: decision.workflow,
                runName: outcome.runName,
                directions: decision.job.metrics,
              })
            : undefined;
        await report({
          ...endedRunReport({
            outcome,
            artifacts,
            metrics,
            ...(inputs.tag !== undefined ? { tag: inputs.tag } : {}),
            serverUrl: process.env.GITHUB_SERVER_URL ?? "https://github.com",
            repository,
          }),
          ...(base !== undefined ? { base } : {}),
        });
      },
    });
  } catch (e) {
    // A refusal by GitHub (no runner workflow, ...) or a cancel: the pull request hears of it;
    // a run that completed (RunConcludedError) was reported by onEnd.
    const failed = failedRunReport(e, { runName, workflowRunUrl: url });
    if (failed) await report(failed);
    throw e;
  }
}

/**
 * The runner-workflow inputs that mark a pull request's code: `untrusted: "true"` always, and
 * `pull-request: N` so that the run writes its tags in that pull request's namespace
 * (`pr-N.<tag>`), unless the default branch's policy says `artifacts.pull_requests_write_shared_tags:
 * true` (then the number is left out and the run's tags are the shared ones).
 */
function prTrustInputs(
  decision: { sha: string; ref: string; pr: { number: number } },
  policy: Policy,
): Record<string, string> {
  const inputs = trustInputs({
    code: decision.sha,
    dispatchRef: decision.ref,
    defaultBranch: decision.ref,
    pullRequest: decision.pr.number,
  });
  if (artifactsPolicy(policy).pullRequestsWriteSharedTags) delete inputs["pull-request"];
  return inputs;
}
