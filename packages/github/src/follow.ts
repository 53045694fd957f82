/**
 * Following a workflow run to its end cheaply, cancelling it, and reading its jobs' logs.
 *
 * @module
 */
import {
  apiUrlOf,
  countingFetch,
  type GitHubClient,
  type RequestCounts,
  sleepFor,
} from "./client.js";
import {
  answeredStatus,
  GitHubError,
  gitHubMessage,
  isRateLimited,
  isTransient,
  rateLimitWaitMs,
  restError,
} from "./errors.js";

/** A workflow run's state, as one poll saw it. */
export interface WorkflowRunState {
  /** The workflow run id. */
  workflowRunId: number;
  /** `queued`, `in_progress`, `completed` (also `waiting`, `requested`, `pending`). */
  status: string;
  /** When completed: `success`, `failure`, `cancelled`, `timed_out`, ...; else null. */
  conclusion: string | null;
  /** Its page on GitHub. */
  htmlUrl: string;
  /** Its `display_title`: the dstack run name for runs of the runner workflow. */
  displayTitle: string;
  /** When it last changed, ISO 8601. */
  updatedAt: string;
  /** Its attempt, 1 unless re-run. */
  runAttempt: number;
}

/**
 * A step of a workflow job, as `GET .../actions/runs/{run_id}/jobs` lists it (`steps[]`,
 * docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run).
 */
export interface WorkflowJobStep {
  /** Its name, e.g. `Set up job`, `Run dstack/run-python@v1`. */
  name: string;
  /** `queued`, `in_progress` or `completed`. */
  status: string;
  /** `success`, `failure`, `cancelled`, `skipped`, ... or null while not completed. */
  conclusion: string | null;
  /** Its place in the job, from 1. */
  number: number;
}

/** A job of a workflow run. */
export interface WorkflowJob {
  /** The job id (for {@link fetchJobLog}). */
  id: number;
  /** Its name. */
  name: string;
  status: string;
  conclusion: string | null;
  /** Its page on GitHub. */
  htmlUrl: string | null;
  /** ISO 8601. */
  startedAt: string;
  /** ISO 8601, or null while it runs. */
  completedAt: string | null;
  /** The runner that took it, or null. */
  runnerName: string | null;
  /** Its `runs-on` labels. */
  labels: string[];
  /** Its steps so far, in order (empty while queued, or when GitHub lists none). */
  steps: WorkflowJobStep[];
  /**
   * Its check run's id, from `check_run_url` (`.../check-runs/{id}`; the job id when the URL
   * does not end so): where GitHub writes its annotations, e.g. that the runner was lost.
   */
  checkRunId: number;
}

/** An artifact of a workflow run. */
export interface WorkflowArtifact {
  /** The artifact id. */
  id: number;
  /** Its name, e.g. `dstack--sharp-shrimp-1--model`. */
  name: string;
  /** Its zip's size in bytes. */
  sizeInBytes: number;
  /** `sha256:<hex>`, or null when GitHub gives none. */
  digest: string | null;
  /** Whether it has expired. */
  expired: boolean;
}

/** Options of {@link followRun}. */
export interface FollowRunOptions {
  owner: string;
  repo: string;
  /** The workflow run to follow (from `dispatchRun`). */
  workflowRunId: number;
  /**
   * Stops following (e.g. the dispatching job was cancelled): the promise rejects with the
   * signal's reason. Cancel the workflow run with {@link cancelRun}.
   */
  signal?: AbortSignal;
  /** Waits `ms` milliseconds (default real time; tests pass a simulated clock's). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock, epoch milliseconds (default `Date.now`): reads `x-ratelimit-reset`. */
  now?: () => number;
  /**
   * Called with the run's state on the first poll and on every change; a promise it returns is
   * awaited before the next poll (e.g. to list the jobs at each change).
   */
  onUpdate?: (run: WorkflowRunState) => unknown;
  /** Notices: faults and rate-limit waits. Default nowhere. */
  log?: (message: string) => void;
  /** The poll interval after a change, in milliseconds. Default 5000. */
  minIntervalMs?: number;
  /** The longest poll interval, in milliseconds. Default 60 000. */
  maxIntervalMs?: number;
}

/** The end of a followed workflow run. */
export interface FollowedRun extends WorkflowRunState {
  /** The run's latest attempt's jobs. */
  jobs: WorkflowJob[];
  /** The run's artifacts. */
  artifacts: WorkflowArtifact[];
  /** What following cost (retries included), as GitHub's primary rate limit counts. */
  requests: RequestCounts;
}

/** The fields of a REST workflow run that {@link workflowRunState} reads. */
export interface RestRun {
  id: number;
  status: string | null;
  conclusion: string | null;
  html_url: string;
  display_title: string;
  updated_at: string;
  run_attempt?: number;
}

type JobData = Awaited<
  ReturnType<GitHubClient["rest"]["actions"]["listJobsForWorkflowRun"]>
>["data"]["jobs"][number];
type ArtifactData = Awaited<
  ReturnType<GitHubClient["rest"]["actions"]["listWorkflowRunArtifacts"]>
>["data"]["artifacts"][number];

/** Page size of the listings (GitHub's largest). */
const PAGE_SIZE = 100;

/**
 * A REST workflow run (`GET .../actions/runs/{id}`, or an entry of a run listing) as a
 * {@link WorkflowRunState}: `status` `queued` when GitHub gives none, `runAttempt` 1 when absent.
 */
export function workflowRunState(run: RestRun): WorkflowRunState {
  return {
    workflowRunId: run.id,
    status: run.status ?? "queued",
    conclusion: run.conclusion,
    htmlUrl: run.html_url,
    displayTitle: run.display_title,
    updatedAt: run.updated_at,
    runAttempt: run.run_attempt ?? 1,
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason;
  }
}

/**
 * Follows a workflow run until it completes, then lists its jobs and artifacts.
 *
 * Polls `GET /repos/{owner}/{repo}/actions/runs/{run_id}` with `If-None-Match` (the last
 * `ETag`): an unchanged run is answered `304`, which does not count against the primary rate
 * limit (docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate).
 * The interval starts at `minIntervalMs`, doubles while nothing changes up to `maxIntervalMs`,
 * and starts again at every change; so a run of any length costs a few counted requests per
 * change of state. Then `GET .../runs/{run_id}/jobs?filter=latest` and `GET .../runs/{run_id}/artifacts`.
 *
 * Faults never lose the run: 5xx and unanswered requests are retried by the client, then here
 * at the poll interval; rate limits wait what GitHub says (`retry-after`, `x-ratelimit-reset`).
 *
 * @throws GitHubError `not-found` (404: no such run, or the token cannot see the repository),
 *   `permission` (403: the token lacks `actions: read`), `unauthorized` (401). Rejects with
 *   `signal.reason` when aborted.
 */
export async function followRun(
  client: GitHubClient,
  options: FollowRunOptions,
): Promise<FollowedRun> {
  const { owner, repo, workflowRunId, signal } = options;
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const min = options.minIntervalMs ?? 5000;
  const max = Math.max(min, options.maxIntervalMs ?? 60_000);
  const requests: RequestCounts = { counted: 0, notModified: 0 };
  const request = { fetch: countingFetch(client, requests), signal };
  const what = `follow workflow run ${workflowRunId} in ${owner}/${repo}`;
  let etag: string | undefined;
  let last: WorkflowRunState | undefined;
  let interval = min;
  for (;;) {
    throwIfAborted(signal);
    let wait = interval;
    try {
      const answer = await client.rest.actions.getWorkflowRun({
        owner,
        repo,
        run_id: workflowRunId,
        headers: etag === undefined ? {} : { "if-none-match": etag },
        request,
      });
      etag = answer.headers.etag ?? undefined;
      const state = workflowRunState(answer.data as RestRun);
      const changed =
        last === undefined ||
        state.status !== last.status ||
        state.conclusion !== last.conclusion ||
        state.updatedAt !== last.updatedAt ||
        state.runAttempt !== last.runAttempt;
      last = state;
      if (changed) {
        await options.onUpdate?.(state);
        interval = min;
      } else {
        interval = Math.min(max, interval * 2);
      }
      if (state.status === "completed") {
        break;
      }
      wait = interval;
    } catch (e) {
      throwIfAborted(signal);
      if (answeredStatus(e) === 304) {
        interval = Math.min(max, interval * 2);
        wait = interval;
      } else if (isTransient(e)) {
        wait = isRateLimited(e) ? rateLimitWaitMs(e, now()) : interval;
        interval = Math.min(max, interval * 2);
        log(
          `${what}: ${answeredStatus(e) ?? "no answer"} (${gitHubMessage(e)}); polling again in ${Math.ceil(wait / 1000)} s`,
        );
      } else {
        throw restError(what, e, apiUrlOf(client));
      }
    }
    await sleep(wait, signal);
  }
  const persist = async <T>(step: string, fn: () => Promise<T>): Promise<T> => {
    let backoff = min;
    for (;;) {
      throwIfAborted(signal);
      try {
        return await fn();
      } catch (e) {
        throwIfAborted(signal);
        if (!isTransient(e)) {
          throw restError(
            `${step} of workflow run ${workflowRunId} in ${owner}/${repo}`,
            e,
            apiUrlOf(client),
          );
        }
        const waitMs = isRateLimited(e) ? rateLimitWaitMs(e, now()) : backoff;
        backoff = Math.min(max, backoff * 2);
        log(
          `${step} of workflow run ${workflowRunId}: ${answeredStatus(e) ?? "no answer"} (${gitHubMessage(e)}); again in ${Math.ceil(waitMs / 1000)} s`,
        );
        await sleep(waitMs, signal);
      }
    }
  };
  // Pages by hand: client.paginate drops per-request options (the counting fetch, the signal).
  const jobs = await persist("list the jobs", () =>
    listJobPages(client, { owner, repo, workflowRunId }, request),
  );
  const artifacts = await persist("list the artifacts", async () => {
    const all: ArtifactData[] = [];
    for (let page = 1; ; page++) {
      const { data } = await client.rest.actions.listWorkflowRunArtifacts({
        owner,
        repo,
        run_id: workflowRunId,
        per_page: PAGE_SIZE,
        page,
        request,
      });
      all.push(...data.artifacts);
      if (data.artifacts.length < PAGE_SIZE || all.length >= data.total_count) {
        return all;
      }
    }
  });
  return {
    ...(last as WorkflowRunState),
    jobs: jobs.map(jobOf),
    artifacts: artifacts.map((a) => ({
      id: a.id,
      name: a.name,
      sizeInBytes: a.size_in_bytes,
      digest: (a as { digest?: string | null }).digest ?? null,
      expired: a.expired,
    })),
    requests,
  };
}

function jobOf(j: JobData): WorkflowJob {
  return {
    id: j.id,
    name: j.name,
    status: j.status,
    conclusion: j.conclusion,
    htmlUrl: j.html_url,
    startedAt: j.started_at,
    completedAt: j.completed_at,
    runnerName: j.runner_name,
    labels: j.labels,
    steps: (j.steps ?? []).map((step) => ({
      name: step.name,
      status: step.status,
      conclusion: step.conclusion,
      number: step.number,
    })),
    checkRunId: Number(/\/check-runs\/(\d+)$/.exec(j.check_run_url ?? "")?.[1] ?? j.id),
  };
}

/** Every page of `GET .../runs/{run_id}/jobs?filter=latest`, with the given request options. */
async function listJobPages(
  client: GitHubClient,
  at: { owner: string; repo: string; workflowRunId: number },
  request: { fetch?: typeof fetch; signal?: AbortSignal | undefined },
): Promise<JobData[]> {
  const all: JobData[] = [];
  for (let page = 1; ; page++) {
    const { data } = await client.rest.actions.listJobsForWorkflowRun({
      owner: at.owner,
      repo: at.repo,
      run_id: at.workflowRunId,
      filter: "latest",
      per_page: PAGE_SIZE,
      page,
      request,
    });
    all.push(...data.jobs);
    if (data.jobs.length < PAGE_SIZE || all.length >= data.total_count) {
      return all;
    }
  }
}

/** Options of {@link listRunJobs}. */
export interface ListRunJobsOptions {
  owner: string;
  repo: string;
  /** The workflow run whose latest attempt's jobs to list. */
  workflowRunId: number;
  signal?: AbortSignal;
}

/**
 * The jobs of a workflow run's latest attempt, now: `GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs?filter=latest`
 * (docs.github.com/rest/actions/workflow-jobs#list-jobs-for-a-workflow-run), every page. One
 * counted request per 100 jobs; 5xx and unanswered requests are retried by the client.
 *
 * @throws GitHubError `not-found` (404), `permission` (403: the token lacks `actions: read`),
 *   `unauthorized`, `unreachable`, `rate-limited`.
 */
export async function listRunJobs(
  client: GitHubClient,
  options: ListRunJobsOptions,
): Promise<WorkflowJob[]> {
  const { owner, repo, workflowRunId } = options;
  try {
    const jobs = await listJobPages(client, options, { signal: options.signal });
    return jobs.map(jobOf);
  } catch (e) {
    throw restError(
      `list the jobs of workflow run ${workflowRunId} in ${owner}/${repo}`,
      e,
      apiUrlOf(client),
    );
  }
}

/** Options of {@link cancelRun}. */
export interface CancelRunOptions {
  owner: string;
  repo: string;
  /** The workflow run to cancel. */
  workflowRunId: number;
  signal?: AbortSignal;
}

/**
 * Asks GitHub to cancel a workflow run: `POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel`
 * (docs.github.com/rest/actions/workflow-runs#cancel-a-workflow-run). GitHub answers `202` and
 * the run completes as `cancelled` shortly after; `409` means it has already completed, which is
 * fine here. Safe to repeat, so the client's retries apply.
 *
 * @returns `"requested"`, or `"already-completed"` on a 409.
 * @throws GitHubError `permission` (403: the token lacks `actions: write`), `not-found` (404),
 *   `unauthorized`, `unreachable`.
 */
export async function cancelRun(
  client: GitHubClient,
  options: CancelRunOptions,
): Promise<"requested" | "already-completed"> {
  const { owner, repo, workflowRunId } = options;
  try {
    await client.rest.actions.cancelWorkflowRun({
      owner,
      repo,
      run_id: workflowRunId,
      request: { signal: options.signal },
    });
    return "requested";
  } catch (e) {
    const status = answeredStatus(e);
    if (status === 409) {
      return "already-completed";
    }
    if (status === 403 && !isRateLimited(e)) {
      throw new GitHubError(
        "permission",
        `cancel workflow run ${workflowRunId} in ${owner}/${repo}: 403 ${gitHubMessage(e)}: the token needs the "actions: write" permission (in a workflow: permissions: actions: write)`,
        { status, cause: e },
      );
    }
    throw restError(
      `cancel workflow run ${workflowRunId} in ${owner}/${repo}`,
      e,
      apiUrlOf(client),
    );
  }
}

/** Options of {@link fetchJobLog}. */
export interface FetchJobLogOptions {
  owner: string;
  repo: string;
  /** The job (from {@link FollowedRun.jobs}). */
  jobId: number;
  signal?: AbortSignal;
}

/**
 * A job's log, as text: `GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs` answers `302`
 * with a short-lived `Location` (docs.github.com/rest/actions/workflow-jobs#download-job-logs-for-a-workflow-run),
 * followed by `fetch`, which does not send the token to that other origin.
 *
 * @throws GitHubError `not-found` (404: no such job, or its log is not there yet or has expired),
 *   `permission` (403: the token lacks `actions: read`), `unauthorized`, `unreachable`.
 */
export async function fetchJobLog(
  client: GitHubClient,
  options: FetchJobLogOptions,
): Promise<string> {
  const { owner, repo, jobId } = options;
  const what = `log of job ${jobId} in ${owner}/${repo}`;
  try {
    const answer = await client.rest.actions.downloadJobLogsForWorkflowRun({
      owner,
      repo,
      job_id: jobId,
      request: { signal: options.signal },
    });
    const data: unknown = answer.data;
    if (typeof data === "string") {
      return data;
    }
    if (data instanceof ArrayBuffer) {
      return new TextDecoder().decode(data);
    }
    throw new GitHubError("api", `${what}: expected text, got ${typeof data}`);
  } catch (e) {
    const status = answeredStatus(e);
    if (status === 404 || status === 410) {
      throw new GitHubError(
        "not-found",
        `${what}: GitHub answered ${status} (${gitHubMessage(e)}): no such job, its log is not written yet, or it has expired (logs are kept 90 days by default)`,
        { status, cause: e },
      );
    }
    if (status === 403 && !isRateLimited(e)) {
      throw new GitHubError(
        "permission",
        `${what}: 403 ${gitHubMessage(e)}: the token needs the "actions: read" permission`,
        { status, cause: e },
      );
    }
    throw restError(what, e, apiUrlOf(client));
  }
}
