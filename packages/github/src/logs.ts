/**
 * Finding a workflow run of the runner workflow by its dstack run name, and reading its jobs'
 * logs once or as they grow (`dstack logs RUN --remote [-f]`).
 *
 * @module
 */
import { apiUrlOf, type GitHubClient, sleepFor } from "./client.js";
import {
  answeredStatus,
  GitHubError,
  gitHubMessage,
  isRateLimited,
  isTransient,
  rateLimitWaitMs,
  restError,
} from "./errors.js";
import {
  fetchJobLog,
  listRunJobs,
  type WorkflowJob,
  type WorkflowRunState,
  workflowRunState,
} from "./follow.js";

/** Options of {@link findRunByTitle}. */
export interface FindRunByTitleOptions {
  owner: string;
  repo: string;
  /** The workflow: file name under `.github/workflows/`, or id. */
  workflowFile: string | number;
  /** The dstack run name: the runner workflow's `display_title`. */
  runName: string;
  /** Pages of 100 runs to look through, newest first. Default 10. */
  maxPages?: number;
  signal?: AbortSignal;
}

/**
 * The newest workflow run of a workflow whose `display_title` is `runName`:
 * `GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs` (docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow),
 * newest first, page by page until found (at most `maxPages` pages of 100).
 *
 * @returns the run's state, or `undefined` when no run has that title.
 * @throws GitHubError `not-found` (404: no such workflow, or the token cannot see the
 *   repository), `permission`, `unauthorized`, `unreachable`.
 */
export async function findRunByTitle(
  client: GitHubClient,
  options: FindRunByTitleOptions,
): Promise<WorkflowRunState | undefined> {
  const { owner, repo, workflowFile, runName } = options;
  const maxPages = options.maxPages ?? 10;
  for (let page = 1; page <= maxPages; page++) {
    let data: Awaited<ReturnType<GitHubClient["rest"]["actions"]["listWorkflowRuns"]>>["data"];
    try {
      ({ data } = await client.rest.actions.listWorkflowRuns({
        owner,
        repo,
        workflow_id: workflowFile,
        per_page: 100,
        page,
        request: { signal: options.signal },
      }));
    } catch (e) {
      throw restError(
        `look for workflow run ${JSON.stringify(runName)} of .github/workflows/${workflowFile} in ${owner}/${repo}`,
        e,
        apiUrlOf(client),
      );
    }
    const found = data.workflow_runs.find((r) => r.display_title === runName);
    if (found) {
      return workflowRunState(found);
    }
    if (data.workflow_runs.length < 100) {
      return undefined;
    }
  }
  return undefined;
}

/** Options of {@link readRunLogs}. */
export interface ReadRunLogsOptions {
  owner: string;
  repo: string;
  /** The workflow run (from {@link findRunByTitle}). */
  workflowRunId: number;
  /** Keep reading as the logs grow until the run completes. Default false: read once. */
  follow?: boolean;
  /**
   * Called with each complete new line of a job's log, in order, without its line break (the
   * caller strips GitHub's timestamps). The last line without a break is given once the run
   * has completed.
   */
  onLine: (line: string, job: WorkflowJob) => void;
  /** Called once per job before its first line. */
  onJob?: (job: WorkflowJob) => void;
  /**
   * Called once when following and GitHub does not serve a running job's log (some plans serve
   * it only after the job completes): the log is then read at completion.
   */
  onNoLiveLog?: (job: WorkflowJob) => void;
  /** Notices: transient faults and rate-limit waits. */
  log?: (message: string) => void;
  /** Milliseconds between polls while following. Default 5000 (at most 3 requests each). */
  intervalMs?: number;
  /** Stops following: resolves with the state last seen, reading nothing more. */
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Epoch milliseconds (default `Date.now`): reads `x-ratelimit-reset`. */
  now?: () => number;
}

/** What {@link readRunLogs} saw last. */
export interface ReadRunLogsResult {
  /** The run's state at the last poll. */
  run: WorkflowRunState;
  /** Whether reading stopped because `signal` was aborted. */
  stopped: boolean;
}

/** What has been printed of one job's log. */
interface JobProgress {
  /** Complete lines given so far. */
  lines: number;
  told: boolean;
  noLive: boolean;
}

async function runState(
  client: GitHubClient,
  at: { owner: string; repo: string; workflowRunId: number },
  signal: AbortSignal | undefined,
): Promise<WorkflowRunState> {
  const { data } = await client.rest.actions.getWorkflowRun({
    owner: at.owner,
    repo: at.repo,
    run_id: at.workflowRunId,
    request: { signal },
  });
  return workflowRunState(data);
}

/**
 * Reads the logs of a workflow run's latest-attempt jobs (skipped jobs and jobs no runner took
 * have none): `GET .../runs/{run_id}` for the state, `GET .../runs/{run_id}/jobs?filter=latest`,
 * then `GET .../jobs/{job_id}/logs` per job ({@link fetchJobLog}).
 *
 * With `follow`, polls every `intervalMs` while the run is not completed and gives only the
 * lines added since the last poll (a job's log only grows); a `404` for a running job's log is
 * told once ({@link ReadRunLogsOptions.onNoLiveLog}) and that job is read again at completion.
 * Rate limits wait what GitHub says; 5xx and unanswered requests are retried at the next poll.
 * The one client's throttling applies to every request.
 *
 * @throws GitHubError `not-found` (404: no such run), `permission` (403: the token lacks
 *   `actions: read`), `unauthorized`.
 */
export async function readRunLogs(
  client: GitHubClient,
  options: ReadRunLogsOptions,
): Promise<ReadRunLogsResult> {
  const { owner, repo, workflowRunId, signal } = options;
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const interval = Math.max(1000, options.intervalMs ?? 5000);
  const progress = new Map<number, JobProgress>();
  const at = { owner, repo, workflowRunId };
  const what = `read the logs of workflow run ${workflowRunId} in ${owner}/${repo}`;

  /**
   * Gives the new lines of each job's log. A job whose log GitHub does not serve yet is told
   * once while the run is not completed; `whole` also gives a last unterminated line.
   */
  const drain = async (completed: boolean, whole: boolean): Promise<void> => {
    const jobs = await listRunJobs(client, { ...at, signal });
    for (const job of jobs) {
      if (job.conclusion === "skipped" || !job.runnerName) continue;
      const p = progress.get(job.id) ?? { lines: 0, told: false, noLive: false };
      progress.set(job.id, p);
      let text: string;
      try {
        text = await fetchJobLog(client, { owner, repo, jobId: job.id, signal });
      } catch (e) {
        if (!completed && e instanceof GitHubError && e.reason === "not-found") {
          if (!p.noLive) options.onNoLiveLog?.(job);
          p.noLive = true;
          continue;
        }
        throw e;
      }
      const lines = text.split(/\r?\n/);
      const rest = lines.pop() ?? "";
      if (whole && rest !== "") lines.push(rest);
      if (lines.length > p.lines && !p.told) {
        p.told = true;
        options.onJob?.(job);
      }
      for (const line of lines.slice(p.lines)) options.onLine(line, job);
      p.lines = Math.max(p.lines, lines.length);
    }
  };

  let last: WorkflowRunState | undefined;
  for (;;) {
    if (signal?.aborted && last !== undefined) return { run: last, stopped: true };
    let wait = interval;
    try {
      const run = await runState(client, at, signal);
      last = run;
      const completed = run.status === "completed";
      if (completed || !options.follow) {
        await drain(completed, true);
        return { run, stopped: false };
      }
      if (run.status === "in_progress") await drain(false, false);
    } catch (e) {
      if (signal?.aborted && last !== undefined) continue;
      // A GitHubError made here keeps GitHub's answer as its cause.
      const answer = e instanceof GitHubError ? e.cause : e;
      if (answer === undefined || !isTransient(answer)) {
        throw e instanceof GitHubError ? e : restError(what, e, apiUrlOf(client));
      }
      wait = isRateLimited(answer) ? rateLimitWaitMs(answer, now()) : interval;
      options.log?.(
        `${what}: ${answeredStatus(answer) ?? "no answer"} (${gitHubMessage(answer)}); again in ${Math.ceil(wait / 1000)} s`,
      );
    }
    try {
      await sleep(wait, signal);
    } catch {
      // Aborted while waiting: the next turn returns.
    }
  }
}
