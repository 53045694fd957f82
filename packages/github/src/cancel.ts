/**
 * Stopping a workflow run for good: cancel, wait, then force-cancel (`dstack stop RUN --remote`).
 *
 * @module
 */
import { apiUrlOf, type GitHubClient, sleepFor } from "./client.js";
import { answeredStatus, GitHubError, gitHubMessage, isRateLimited, restError } from "./errors.js";
import { cancelRun, type WorkflowRunState, workflowRunState } from "./follow.js";

/** Options of {@link stopWorkflowRun}. */
export interface StopWorkflowRunOptions {
  owner: string;
  repo: string;
  /** The workflow run to stop. */
  workflowRunId: number;
  /**
   * Milliseconds to wait after the cancel for the run to complete before force-cancelling it.
   * Default 60 000: long enough for the job's post steps (run-python saves its checkpoints there).
   */
  graceMs?: number;
  /** Milliseconds to wait after the force-cancel for the run to complete. Default 60 000. */
  forceWaitMs?: number;
  /** Milliseconds between polls of the run's state. Default 5000. */
  pollMs?: number;
  /** Called once when the grace period has passed and the run is force-cancelled. */
  onForce?: () => void;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Epoch milliseconds (default `Date.now`). */
  now?: () => number;
}

/** The end of {@link stopWorkflowRun}. */
export interface StoppedWorkflowRun {
  /**
   * `already-completed`: the run had completed before the cancel; `cancelled`: it completed
   * after the cancel; `force-cancelled`: after the force-cancel; `still-running`: it had not
   * completed when the waits ran out.
   */
  outcome: "already-completed" | "cancelled" | "force-cancelled" | "still-running";
  /** The run's state last seen. */
  run: WorkflowRunState;
}

async function stateOf(
  client: GitHubClient,
  at: { owner: string; repo: string; workflowRunId: number },
  signal: AbortSignal | undefined,
): Promise<WorkflowRunState> {
  try {
    const { data } = await client.rest.actions.getWorkflowRun({
      owner: at.owner,
      repo: at.repo,
      run_id: at.workflowRunId,
      request: { signal },
    });
    return workflowRunState(data);
  } catch (e) {
    throw restError(
      `read workflow run ${at.workflowRunId} in ${at.owner}/${at.repo}`,
      e,
      apiUrlOf(client),
    );
  }
}

/**
 * Asks GitHub to force-cancel a workflow run: `POST /repos/{owner}/{repo}/actions/runs/{run_id}/force-cancel`
 * (docs.github.com/rest/actions/workflow-runs#force-cancel-a-workflow-run: it bypasses
 * conditions that would keep a run going, such as an `always()` job, and is meant for a run
 * that does not respond to a cancel; so post steps may not run after it).
 *
 * @returns `"requested"`, or `"already-completed"` on a 409.
 * @throws GitHubError `permission` (403: the token lacks `actions: write`), `not-found`,
 *   `unauthorized`, `unreachable`.
 */
export async function forceCancelRun(
  client: GitHubClient,
  options: { owner: string; repo: string; workflowRunId: number; signal?: AbortSignal },
): Promise<"requested" | "already-completed"> {
  const { owner, repo, workflowRunId } = options;
  const what = `force-cancel workflow run ${workflowRunId} in ${owner}/${repo}`;
  try {
    await client.rest.actions.forceCancelWorkflowRun({
      owner,
      repo,
      run_id: workflowRunId,
      request: { signal: options.signal },
    });
    return "requested";
  } catch (e) {
    const status = answeredStatus(e);
    if (status === 409) return "already-completed";
    if (status === 403 && !isRateLimited(e)) {
      throw new GitHubError(
        "permission",
        `${what}: 403 ${gitHubMessage(e)}: the token needs the "actions: write" permission`,
        { status, cause: e },
      );
    }
    throw restError(what, e, apiUrlOf(client));
  }
}

/**
 * Stops a workflow run: `POST .../cancel` ({@link cancelRun}; GitHub cancels the jobs, whose
 * post steps still run), polls `GET .../runs/{run_id}` every `pollMs` until it completes or
 * `graceMs` has passed, then `POST .../force-cancel` ({@link forceCancelRun}) and polls up to
 * `forceWaitMs` more.
 *
 * @throws GitHubError `permission` (403: the token lacks `actions: write`), `not-found` (404),
 *   `unauthorized`, `unreachable`.
 */
export async function stopWorkflowRun(
  client: GitHubClient,
  options: StopWorkflowRunOptions,
): Promise<StoppedWorkflowRun> {
  const { owner, repo, workflowRunId, signal } = options;
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const pollMs = Math.max(1, options.pollMs ?? 5000);
  const at = { owner, repo, workflowRunId };
  const waitFor = async (ms: number): Promise<WorkflowRunState> => {
    const deadline = now() + ms;
    for (;;) {
      const run = await stateOf(client, at, signal);
      if (run.status === "completed" || now() >= deadline) return run;
      await sleep(Math.min(pollMs, Math.max(1, deadline - now())), signal);
    }
  };
  if ((await cancelRun(client, { ...at, signal })) === "already-completed") {
    return { outcome: "already-completed", run: await stateOf(client, at, signal) };
  }
  const cancelled = await waitFor(options.graceMs ?? 60_000);
  if (cancelled.status === "completed") return { outcome: "cancelled", run: cancelled };
  options.onForce?.();
  if ((await forceCancelRun(client, { ...at, signal })) === "already-completed") {
    return { outcome: "cancelled", run: await stateOf(client, at, signal) };
  }
  const forced = await waitFor(options.forceWaitMs ?? 60_000);
  return {
    outcome: forced.status === "completed" ? "force-cancelled" : "still-running",
    run: forced,
  };
}
