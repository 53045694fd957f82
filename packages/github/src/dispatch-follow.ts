/**
 * One dstack job on a matching runner, start to end: dispatch it to the repository's runner
 * workflow exactly once, follow the workflow run with conditional requests, say which jobs
 * start and finish, cancel the run when the caller gives up, and pick out the run's artifacts.
 * No `@actions/core` here: the `dstack/run-python` action (`mode: dispatch`, and the pull-request
 * `mode: command`) and the CLI (`dstack run --remote`) print what the callbacks tell them. Which
 * artifacts belong to the dstack run is the artifact store's convention (`dstack--<run-name>--`,
 * `@dstack/artifacts/github`), left to the caller.
 *
 * @module
 */
import { type Job, jobToWorkflow } from "@dstack/spec";
import { apiUrlOf, type GitHubClient, sleepFor } from "./client.js";
import { type DispatchedRun, type DispatchRunOptions, dispatchRun } from "./dispatch.js";
import { GitHubError, restError } from "./errors.js";
import {
  cancelRun,
  type FollowedRun,
  followRun,
  listRunJobs,
  type WorkflowJob,
  type WorkflowRunState,
} from "./follow.js";
import { classifyJobEnd, type JobEndVerdict } from "./runner-lost.js";

/** A job of the followed run that started or finished since the last look. */
export interface JobChange {
  /** `started` (it left `queued`/`waiting`) or `finished` (`completed`, with its conclusion). */
  change: "started" | "finished";
  job: WorkflowJob;
}

/** Options of {@link dispatchAndFollow}. */
export interface DispatchAndFollowOptions {
  /** The client ({@link createGitHubClient}); its token needs `actions: write`. */
  client: GitHubClient;
  /** The repository holding the runner workflow, `owner/name` (in a workflow `GITHUB_REPOSITORY`). */
  repository: string;
  /** The runner workflow: a file name under `.github/workflows/` or its id. Default `dstack-run.yml`. */
  workflowFile?: string | number;
  /** The branch or tag the runner workflow runs on; it must hold the workflow file. */
  ref: string;
  /** The job; sent as the `job` input, its normalized JSON (`jobToWorkflow`). */
  job: Job;
  /** The dstack run name, unique in the repository: the `run-name` input and the run's title. */
  runName: string;
  /** A tag to point at the run's artifacts: the `tag` input (left out when not given). */
  tag?: string;
  /** Minutes the job may run on the runner: the `timeout-minutes` input (left out when not given). */
  timeoutMinutes?: number;
  /**
   * More `workflow_dispatch` inputs of the runner workflow, e.g. `{ sha }` (the commit its run
   * job checks out, for pull-request commands). They cannot replace `job`, `run-name`, `tag` or
   * `timeout-minutes`.
   */
  extraInputs?: Record<string, string>;
  /**
   * Called once the workflow run is known (before following it): save its id where a cancel
   * can find it. A promise it returns is awaited.
   */
  onDispatched?: (run: DispatchedRun) => void | Promise<void>;
  /** Called with the run's state on the first poll and on every change. */
  onState?: (state: WorkflowRunState) => void;
  /**
   * Called for each job that started or finished, as seen at each change of the run's state
   * (one `GET .../jobs` per change, only when this is given) and at the end; each job is
   * reported `started` once and `finished` once, in that order.
   */
  onJob?: (change: JobChange) => void;
  /**
   * Gives up (e.g. the calling job was cancelled). Once the run was dispatched it is cancelled
   * (unless `cancelOnAbort` is false) before the promise rejects with `signal.reason`.
   */
  signal?: AbortSignal;
  /** Whether aborting cancels the dispatched workflow run. Default true. */
  cancelOnAbort?: boolean;
  /** Called with the result of the cancel requested after an abort (or its failure). */
  onCancel?: (result: "requested" | "already-completed" | GitHubError) => void;
  /** Notices: faults, retries, rate-limit waits, listings that failed. Default nowhere. */
  log?: (message: string) => void;
  /** The poll interval after a change, in milliseconds (`followRun`). Default 5000. */
  minIntervalMs?: number;
  /** The longest poll interval, in milliseconds (`followRun`). Default 60 000. */
  maxIntervalMs?: number;
  /** `dispatchRun`'s waits: `graceMs`, `correlateMs`, `maxAttempts`, `timeoutMs`. */
  dispatch?: Pick<DispatchRunOptions, "graceMs" | "correlateMs" | "maxAttempts" | "timeoutMs">;
  /** Waits `ms` milliseconds (default real time; tests pass a simulated clock's). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock, epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /**
   * For an `interruptible: true` job: how many times it is dispatched again after a run whose
   * runner was lost ({@link classifyJobEnd}), once per loss. Default {@link DEFAULT_RESUME_LIMIT};
   * 0 never resumes. A job that is not interruptible, a failed script, a cancelled or timed-out
   * run is never dispatched again.
   */
  resumeLimit?: number;
  /** Called before each new attempt of a job whose runner was lost. */
  onResume?: (resume: ResumeNotice) => void;
}

/** How many times an interruptible job whose runner was lost is dispatched again, by default. */
export const DEFAULT_RESUME_LIMIT = 3;

/** A new attempt of an interruptible job, after its runner was lost. */
export interface ResumeNotice {
  /** The new attempt's number, 2 or more (`DSTACK_RUN_ATTEMPT` in the job's environment). */
  attempt: number;
  /** The new attempt's run name ({@link attemptRunName}). */
  runName: string;
  /** The run name of the attempt whose runner was lost. */
  lostRunName: string;
  /** What GitHub said of the lost runner (the annotation's first sentence). */
  evidence: string;
  /** The earlier attempts whose artifacts the new attempt gets as `deps: - run:`, oldest first. */
  deps: string[];
}

/** One attempt of a dispatched job: its run name, workflow run, end and, if lost, why. */
export interface AttemptOutcome {
  /** 1 for the first dispatch, then 2, 3, ... */
  attempt: number;
  runName: string;
  workflowRunId: number;
  htmlUrl: string;
  conclusion: string | null;
  /** The verdict on its runner, when it concluded `failure` and the job is interruptible. */
  verdict?: JobEndVerdict;
}

/**
 * The run name of a job's `attempt`: the run name itself for the first, `NAME-N` for attempt N
 * (`sharp-shrimp-1`, then `sharp-shrimp-1-2`, `sharp-shrimp-1-3`): each attempt is a run of its
 * own, with its own artifacts, listed by `dstack ps --remote`.
 */
export function attemptRunName(runName: string, attempt: number): string {
  return attempt <= 1 ? runName : `${runName}-${attempt}`;
}

/**
 * The job of an attempt: attempt 1 is `job` as given; attempt N also has `DSTACK_RUN_ATTEMPT=N`
 * in its environment and, after its own deps, `deps: - run:` for each earlier attempt that saved
 * artifacts (oldest first, so the newest files win), where the job finds its checkpoints.
 */
export function attemptJob(job: Job, attempt: number, earlier: readonly string[]): Job {
  if (attempt <= 1) return job;
  return {
    ...job,
    environment: { ...job.environment, DSTACK_RUN_ATTEMPT: String(attempt) },
    deps: [...job.deps, ...earlier.map((run) => ({ run }))],
  };
}

/** The end of a dispatched and followed run. */
export interface FollowedOutcome extends FollowedRun {
  /** The dstack run name. */
  runName: string;
  /** How the workflow run was found (`run-details` or `run-name`) and how many dispatches were sent. */
  dispatched: DispatchedRun;
  /** Milliseconds from the dispatch until the run was seen completed, by `now`. */
  durationMs: number;
  /**
   * Every attempt, oldest first; more than one when an interruptible job's runner was lost and
   * it was dispatched again. The outcome's own fields are the last attempt's.
   */
  attempts?: AttemptOutcome[];
}

function splitRepository(repository: string): { owner: string; repo: string } {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(repository);
  if (!m) {
    throw new GitHubError(
      "invalid",
      `repository: ${JSON.stringify(repository)} is not owner/name (e.g. octo-org/octo-repo)`,
    );
  }
  return { owner: m[1] as string, repo: m[2] as string };
}

/** A promise that rejects with `signal.reason` when it aborts (never settles without a signal). */
function rejectOnAbort(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_, reject) => {
    if (signal?.aborted) reject(signal.reason);
    signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/**
 * The `workflow_dispatch` inputs of the runner workflow for a job: `job`
 * (`JSON.stringify(jobToWorkflow(job))`), `run-name`, `tag` and `timeout-minutes` when given,
 * and `extraInputs` (which cannot replace those four).
 *
 * @throws GitHubError `invalid` when `extraInputs` names one of the four.
 */
export function runnerWorkflowInputs(
  options: Pick<DispatchAndFollowOptions, "job" | "tag" | "timeoutMinutes" | "extraInputs">,
): Record<string, string> {
  for (const name of Object.keys(options.extraInputs ?? {})) {
    if (["job", "run-name", "tag", "timeout-minutes"].includes(name)) {
      throw new GitHubError(
        "invalid",
        `extraInputs.${name}: set by dispatchAndFollow itself; pass it as its own option`,
      );
    }
  }
  const inputs: Record<string, string> = {
    ...options.extraInputs,
    job: JSON.stringify(jobToWorkflow(options.job)),
  };
  if (options.tag !== undefined && options.tag !== "") inputs.tag = options.tag;
  if (options.timeoutMinutes !== undefined) {
    inputs["timeout-minutes"] = String(options.timeoutMinutes);
  }
  return inputs;
}

/** Options of {@link dispatchJob}: those of {@link dispatchAndFollow} that the dispatch reads. */
export type DispatchJobOptions = Pick<
  DispatchAndFollowOptions,
  | "client"
  | "repository"
  | "workflowFile"
  | "ref"
  | "job"
  | "runName"
  | "tag"
  | "timeoutMinutes"
  | "extraInputs"
  | "signal"
  | "log"
  | "dispatch"
  | "sleep"
  | "now"
>;

/**
 * The first half of {@link dispatchAndFollow}, alone (`dstack run --remote -d`): dispatches `job`
 * to the runner workflow with {@link runnerWorkflowInputs}, at most one workflow run whatever
 * faults occur (`dispatchRun`), and returns the run found.
 *
 * @throws GitHubError as {@link dispatchAndFollow} does before it follows.
 */
export async function dispatchJob(options: DispatchJobOptions): Promise<DispatchedRun> {
  const { owner, repo } = splitRepository(options.repository);
  return dispatchRun(options.client, {
    ...options.dispatch,
    owner,
    repo,
    workflowFile: options.workflowFile ?? "dstack-run.yml",
    ref: options.ref,
    inputs: runnerWorkflowInputs(options),
    runName: options.runName,
    ...(options.signal ? { signal: options.signal } : {}),
    sleep: options.sleep ?? sleepFor,
    now: options.now ?? Date.now,
    log: options.log ?? (() => {}),
  });
}

/**
 * Dispatches `job` to the runner workflow and follows the workflow run to its end.
 *
 * 1. {@link dispatchJob}: inputs `job` (`JSON.stringify(jobToWorkflow(job))`), `run-name`, and
 *    `tag` / `timeout-minutes` when given; at most one workflow run per call, whatever faults
 *    occur (see `dispatchRun`); `return_run_details` gives the run id, else it is found by the
 *    run name (`display_title`);
 * 2. `followRun`: `GET .../runs/{id}` with `If-None-Match` (unchanged runs cost nothing against
 *    the rate limit), reporting each change to `onState` and, when `onJob` is given, the jobs
 *    that started or finished (one `GET .../jobs` per change);
 * 3. at the end: the jobs of the latest attempt and the run's artifacts;
 * 4. for an `interruptible: true` job (spot runners) whose run concluded `failure` because its
 *    runner was lost (`runnerVerdict`: the steps of the jobs listed at the end and their check
 *    runs' annotations, classified by {@link classifyJobEnd}), once per loss up to
 *    `resumeLimit` (default 3): a new attempt, run name {@link attemptRunName} (`NAME-2`,
 *    ...), its job {@link attemptJob} (with
 *    `DSTACK_RUN_ATTEMPT=N` and `deps: - run:` for the earlier attempts that saved artifacts,
 *    where it finds its checkpoints). A failed script, a cancelled or timed-out run, a job that
 *    is not interruptible: never dispatched again. The outcome is the last attempt's, with
 *    `attempts` listing them all.
 *
 * The outcome holds the conclusion whatever it is: a `failure` resolves, it does not throw.
 * The CLI (`dstack run --remote`) and the run-python action (`mode: dispatch`, `mode: command`)
 * both follow runs through this one function, printing what the callbacks tell them.
 *
 * @throws GitHubError from `dispatchRun` (`not-found`: no runner workflow on `ref`, add it;
 *   `permission`: the token lacks `actions: write`; `invalid-inputs`; `no-run`; `unreachable`;
 *   ...) or `followRun`; `invalid` for a `repository` that is not `owner/name`.
 *   Rejects with `signal.reason` when aborted (after cancelling the run; see `cancelOnAbort`).
 */
export async function dispatchAndFollow(
  options: DispatchAndFollowOptions,
): Promise<FollowedOutcome> {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const startedAt = now();
  const limit = options.job.resources.interruptible
    ? Math.max(0, options.resumeLimit ?? DEFAULT_RESUME_LIMIT)
    : 0;
  const attempts: AttemptOutcome[] = [];
  const saved: string[] = [];
  for (let attempt = 1; ; attempt++) {
    const runName = attemptRunName(options.runName, attempt);
    const outcome = await followAttempt({
      ...options,
      runName,
      job: attemptJob(options.job, attempt, saved),
    });
    const record: AttemptOutcome = {
      attempt,
      runName,
      workflowRunId: outcome.workflowRunId,
      htmlUrl: outcome.htmlUrl,
      conclusion: outcome.conclusion,
    };
    attempts.push(record);
    const done = (): FollowedOutcome => ({
      ...outcome,
      durationMs: Math.max(0, now() - startedAt),
      attempts,
    });
    if (limit === 0 || outcome.conclusion !== "failure") return done();
    const verdict = await runnerVerdict(options, outcome);
    record.verdict = verdict;
    if (verdict.kind !== "runner-lost") return done();
    if (attempt > limit) {
      log(
        `${runName}: ${verdict.evidence}; not dispatched again: ${limit} resume${limit === 1 ? "" : "s"} already (the resume limit)`,
      );
      return done();
    }
    // The artifacts store's names (`@dstack/artifacts` names.ts): `deps: - run:` resolves a run
    // by its marker `dstack-run--<run-name>`, whatever kind its data artifacts are (`dstack--`
    // zips, `dstack-file--` large files, packed archives), so the marker is what makes an
    // attempt one to resume from.
    if (outcome.artifacts.some((a) => a.name === `dstack-run--${runName}` && !a.expired)) {
      saved.push(runName);
    }
    const next = attemptRunName(options.runName, attempt + 1);
    options.onResume?.({
      attempt: attempt + 1,
      runName: next,
      lostRunName: runName,
      evidence: verdict.evidence,
      deps: [...saved],
    });
  }
}

/**
 * The verdict on a workflow run that concluded `failure`: `runner-lost` when a job failed because
 * its runner was lost and none failed on its own ({@link classifyJobEnd} of each failed job: its
 * steps, from the jobs {@link followRun} listed at the run's end, and its check run's annotations
 * from `GET /repos/{o}/{r}/check-runs/{check_run_id}/annotations`, docs.github.com/rest/checks/runs#list-check-run-annotations,
 * which needs `checks: read`). Any failure to read them is logged and counts as `not-lost`.
 */
async function runnerVerdict(
  options: DispatchAndFollowOptions,
  run: Pick<FollowedRun, "workflowRunId" | "jobs">,
): Promise<JobEndVerdict> {
  const { client, signal } = options;
  const { owner, repo } = splitRepository(options.repository);
  const log = options.log ?? (() => {});
  try {
    const verdicts: JobEndVerdict[] = [];
    for (const job of run.jobs.filter((j) => j.conclusion === "failure")) {
      const annotations = await client.rest.checks.listAnnotations({
        owner,
        repo,
        check_run_id: job.checkRunId,
        per_page: 100,
        request: { signal },
      });
      verdicts.push(
        classifyJobEnd({
          conclusion: job.conclusion,
          steps: job.steps,
          annotations: annotations.data,
        }),
      );
    }
    const own = verdicts.find((v) => v.kind === "not-lost");
    const lost = verdicts.find((v) => v.kind === "runner-lost");
    return own ?? lost ?? { kind: "not-lost", why: "no job of the run failed" };
  } catch (e) {
    if (signal?.aborted) throw signal.reason;
    const error = restError(
      `read why workflow run ${run.workflowRunId} in ${owner}/${repo} failed`,
      e,
      apiUrlOf(client),
    );
    log(
      `${error.message}; not dispatched again (the token needs "checks: read" to tell a lost runner)`,
    );
    return { kind: "not-lost", why: error.message };
  }
}

/** One attempt: {@link dispatchAndFollow} without resumes. */
async function followAttempt(options: DispatchAndFollowOptions): Promise<FollowedOutcome> {
  const { client, signal, runName } = options;
  const { owner, repo } = splitRepository(options.repository);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const log = options.log ?? (() => {});
  const startedAt = now();
  const dispatched = await dispatchJob({ ...options, sleep, now, log });
  const workflowRunId = dispatched.workflowRunId;
  try {
    await options.onDispatched?.(dispatched);
    const seen = new Map<number, JobChange["change"]>();
    const report = (jobs: WorkflowJob[]): void => {
      if (!options.onJob) return;
      for (const job of jobs) {
        const before = seen.get(job.id);
        const started = job.status !== "queued" && job.status !== "waiting";
        if (started && before === undefined) {
          seen.set(job.id, "started");
          options.onJob({ change: "started", job });
        }
        if (job.status === "completed" && seen.get(job.id) !== "finished") {
          seen.set(job.id, "finished");
          options.onJob({ change: "finished", job });
        }
      }
    };
    const following = followRun(client, {
      owner,
      repo,
      workflowRunId,
      ...(signal ? { signal } : {}),
      sleep,
      now,
      log,
      ...(options.minIntervalMs !== undefined ? { minIntervalMs: options.minIntervalMs } : {}),
      ...(options.maxIntervalMs !== undefined ? { maxIntervalMs: options.maxIntervalMs } : {}),
      onUpdate: async (state) => {
        options.onState?.(state);
        // The final listing comes with the outcome; progress listings are best-effort.
        if (!options.onJob || state.status === "completed") return;
        try {
          report(await listRunJobs(client, { owner, repo, workflowRunId, signal }));
        } catch (e) {
          if (signal?.aborted) throw signal.reason;
          log(`jobs of workflow run ${workflowRunId}: ${(e as Error).message}`);
        }
      },
    });
    // plugin-retry takes an aborted request for a failure worth retrying (@octokit/request gives
    // an AbortError status 500), so followRun may settle only after its retry waits (1 + 4 + 9 s);
    // the cancel must not wait for them.
    following.catch(() => {});
    const followed = await Promise.race([following, rejectOnAbort(signal)]);
    report(followed.jobs);
    return {
      ...followed,
      runName,
      dispatched,
      durationMs: Math.max(0, now() - startedAt),
    };
  } catch (e) {
    if (signal?.aborted && options.cancelOnAbort !== false) {
      // The caller gave up: the run must not go on using a runner nobody waits for. The cancel
      // gets its own time limit, as the caller's signal has already fired.
      try {
        const result = await cancelRun(client, {
          owner,
          repo,
          workflowRunId,
          signal: AbortSignal.timeout(30_000),
        });
        options.onCancel?.(result);
      } catch (c) {
        options.onCancel?.(
          restError(
            `cancel workflow run ${workflowRunId} in ${owner}/${repo}`,
            c,
            apiUrlOf(client),
          ),
        );
      }
    }
    throw e;
  }
}
