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
}

/** The end of a dispatched and followed run. */
export interface FollowedOutcome extends FollowedRun {
  /** The dstack run name. */
  runName: string;
  /** How the workflow run was found (`run-details` or `run-name`) and how many dispatches were sent. */
  dispatched: DispatchedRun;
  /** Milliseconds from the dispatch until the run was seen completed, by `now`. */
  durationMs: number;
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
 * 3. at the end: the jobs of the latest attempt and the run's artifacts.
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
