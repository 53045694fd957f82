/**
 * Dispatching a dstack job to a repository's runner workflow, exactly once.
 *
 * @module
 */
import { apiUrlOf, fetchOf, type GitHubClient, sleepFor } from "./client.js";
import {
  answeredStatus,
  GitHubError,
  gitHubMessage,
  isRateLimited,
  rateLimitWaitMs,
  restError,
} from "./errors.js";

/** The runner workflow's file name under `.github/workflows/`, by convention. */
export const RUNNER_WORKFLOW_FILE = "dstack-run.yml";

/**
 * The most characters a `workflow_dispatch`'s inputs may hold together, as JSON (GitHub's limit,
 * REST API "Create a workflow dispatch event": "The maximum payload for inputs is 65,535
 * characters").
 */
export const MAX_DISPATCH_INPUTS_CHARS = 65535;

/** The most inputs a `workflow_dispatch` takes (GitHub's limit: "at most 25 top-level properties"). */
export const MAX_DISPATCH_INPUTS = 25;

/**
 * Checks `inputs` against GitHub's limits on a `workflow_dispatch` ({@link MAX_DISPATCH_INPUTS}
 * inputs, {@link MAX_DISPATCH_INPUTS_CHARS} characters of JSON in all), so that an oversized job
 * is refused here with its size instead of GitHub's bare 422.
 *
 * @throws GitHubError `invalid-inputs` naming the size, the limit and the largest input.
 */
export function checkDispatchInputs(inputs: Record<string, string>): void {
  const names = Object.keys(inputs);
  if (names.length > MAX_DISPATCH_INPUTS) {
    throw new GitHubError(
      "invalid-inputs",
      `inputs: ${names.length} workflow_dispatch inputs (${names.join(", ")}); GitHub takes at most ${MAX_DISPATCH_INPUTS}; nothing was dispatched`,
    );
  }
  const chars = JSON.stringify(inputs).length;
  if (chars > MAX_DISPATCH_INPUTS_CHARS) {
    const [largest, value] = Object.entries(inputs).sort(
      (a, b) => b[1].length - a[1].length,
    )[0] ?? ["", ""];
    throw new GitHubError(
      "invalid-inputs",
      `inputs: the workflow_dispatch inputs are ${chars.toLocaleString("en-US")} characters of JSON (the largest, ${largest}, has ${value.length.toLocaleString("en-US")}); GitHub allows at most ${MAX_DISPATCH_INPUTS_CHARS.toLocaleString("en-US")} characters for all inputs together. Make the job smaller (long arguments or variables belong in a file of the repository); nothing was dispatched`,
    );
  }
}

/** A workflow run found or created, with how it was found. */
export interface DispatchedRun {
  /** The workflow run id. */
  workflowRunId: number;
  /** Its page on GitHub, e.g. `https://github.com/o/r/actions/runs/42`. */
  htmlUrl: string;
  /**
   * How the id was learned: `run-details` from the dispatch answer (`return_run_details`), or
   * `run-name` by listing the workflow's runs and matching `display_title` to the run name (a
   * server that answers `204`, or a dispatch whose answer was lost).
   */
  via: "run-details" | "run-name";
  /** Dispatch requests sent (1 unless an answer was lost or rate limited and no run showed up). */
  attempts: number;
}

/** Options of {@link dispatchRun}. */
export interface DispatchRunOptions {
  /** The repository owner. */
  owner: string;
  /** The repository name. */
  repo: string;
  /** The runner workflow: a file name under `.github/workflows/` (e.g. `dstack-run.yml`) or its id. */
  workflowFile: string | number;
  /** The branch or tag to run the workflow from (it must hold the workflow file). */
  ref: string;
  /**
   * The workflow's `workflow_dispatch` inputs (at most 25 string values), e.g. `job` (the
   * normalized job JSON) and `tag`. The run name input is added from `runName`.
   */
  inputs: Record<string, string>;
  /**
   * The dstack run name, unique (e.g. `sharp-shrimp-1`): sent as the `runNameInput` input. The
   * runner workflow sets `run-name: ${{ inputs.run-name }}`, so the run's `display_title` is
   * this name; that is how a run is found when the dispatch answer does not say.
   */
  runName: string;
  /** The input that carries the run name. Default `run-name`. */
  runNameInput?: string;
  /**
   * After an ambiguous failure (5xx, connection reset, timeout: the dispatch may or may not
   * have been accepted), how long to look for a run with the run name before sending again,
   * in milliseconds. Default 60 000: GitHub shows a new run after a few seconds.
   */
  graceMs?: number;
  /** After a `204` (no run details), how long to look for the run, in milliseconds. Default 120 000. */
  correlateMs?: number;
  /** Dispatch requests at most, re-sends after lost answers and rate limits included. Default 3. */
  maxAttempts?: number;
  /** The time limit of one dispatch request, in milliseconds. Default 30 000. */
  timeoutMs?: number;
  /** Aborts the dispatch (the promise rejects with the signal's reason). */
  signal?: AbortSignal;
  /** Waits `ms` milliseconds (default real time; tests pass a simulated clock's). */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** The clock, epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /** Notices: lost answers, rate limits, re-sends. Default nowhere. */
  log?: (message: string) => void;
}

/** Options of {@link findRunByName}. */
export interface FindRunByNameOptions {
  owner: string;
  repo: string;
  /** The workflow: file name or id. */
  workflowFile: string | number;
  /** The run name to match against `display_title`. */
  runName: string;
  /** Only runs created at or after this time, epoch milliseconds (with a margin for clock skew). */
  since: number;
  /** How long to keep looking, in milliseconds; 0 looks once. */
  budgetMs: number;
  signal?: AbortSignal;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  now?: () => number;
}

/** Clocks disagree: look this much further back than `since` in listings. */
const CLOCK_SKEW_MS = 120_000;
/** Polls of a listing wait 1 s, 2 s, 4 s, then 8 s each. */
const FIRST_LOOK_MS = 1000;
const MAX_LOOK_MS = 8000;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** The client's `fetch` with a time limit per request, in milliseconds. */
function fetchWithin(client: GitHubClient, ms: number): typeof fetch {
  const inner = fetchOf(client);
  return (input, init) => {
    const timeout = AbortSignal.timeout(ms);
    return inner(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout,
    });
  };
}

function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw signal.reason;
  }
}

/**
 * Finds the workflow run of a workflow whose `display_title` is `runName`, polling
 * `GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs?event=workflow_dispatch&created=>=...`
 * (docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow) with back-off
 * (1 s, 2 s, 4 s, 8 s, 8 s, ...) until it shows up or `budgetMs` has passed. When several runs
 * have the name, the oldest.
 *
 * @returns the run, or `undefined` when none showed up in time.
 * @throws GitHubError for a refusal (404, 403, 401) of the listing; transient failures are
 *   retried by the client, then by the next poll.
 */
export async function findRunByName(
  client: GitHubClient,
  options: FindRunByNameOptions,
): Promise<{ workflowRunId: number; htmlUrl: string } | undefined> {
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const deadline = now() + options.budgetMs;
  const created = `>=${iso(options.since - CLOCK_SKEW_MS)}`;
  let wait = FIRST_LOOK_MS;
  for (;;) {
    throwIfAborted(options.signal);
    try {
      const { data } = await client.rest.actions.listWorkflowRuns({
        owner: options.owner,
        repo: options.repo,
        workflow_id: options.workflowFile,
        event: "workflow_dispatch",
        created,
        per_page: 100,
        request: { signal: options.signal },
      });
      const found = data.workflow_runs
        .filter((run) => run.display_title === options.runName)
        .sort((a, b) => a.id - b.id)[0];
      if (found) {
        return { workflowRunId: found.id, htmlUrl: found.html_url };
      }
    } catch (e) {
      throwIfAborted(options.signal);
      const status = answeredStatus(e);
      if (status !== undefined && status < 500 && !isRateLimited(e)) {
        throw restError(
          `look for workflow run ${JSON.stringify(options.runName)} of workflow ${options.workflowFile} in ${options.owner}/${options.repo}`,
          e,
          apiUrlOf(client),
        );
      }
    }
    const left = deadline - now();
    if (left <= 0) {
      return undefined;
    }
    await sleep(Math.min(wait, left), options.signal);
    wait = Math.min(wait * 2, MAX_LOOK_MS);
  }
}

/**
 * Starts the runner workflow for one dstack job and returns its workflow run, dispatching at
 * most once however the network behaves.
 *
 * Sends `POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches` with
 * `return_run_details: true` (docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event):
 * a `200` holds `workflow_run_id` and `html_url`. A `204` (GitHub Enterprise Server without
 * run details) is followed by {@link findRunByName} for up to `correlateMs`.
 *
 * The request is not idempotent, so the client never retries it by itself (`retries: 0` for
 * plugin-retry). After an ambiguous failure (a 5xx, a connection reset, a timeout) the dispatch
 * may have been accepted: the run is looked for by its name for `graceMs` and the dispatch is
 * sent again only when none shows up. A rate limit refused the request: it is sent again after
 * GitHub's wait (plugin-throttling, or here for longer waits). Any other 4xx is final.
 * The one remaining risk: a dispatch accepted whose run takes longer than `graceMs` to show.
 *
 * @throws GitHubError `invalid` for a missing run name or a conflicting run name input;
 *   `invalid-inputs` before anything is sent when the inputs are over GitHub's limits
 *   ({@link checkDispatchInputs}: 25 inputs, 65,535 characters of JSON in all); `not-found` (404: no workflow file on that ref: "add it"); `permission` (403: the token
 *   lacks `actions: write`); `invalid-inputs` (422: GitHub's message, e.g. an input the workflow
 *   does not declare); `unauthorized` (401); `no-run` (accepted, but no run with the name showed
 *   up: the workflow does not set `run-name`); `unreachable` or `rate-limited` after
 *   `maxAttempts` sends. Rejects with `signal.reason` when aborted.
 */
export async function dispatchRun(
  client: GitHubClient,
  options: DispatchRunOptions,
): Promise<DispatchedRun> {
  const { owner, repo, ref, runName, signal } = options;
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {});
  const runNameInput = options.runNameInput ?? "run-name";
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const workflow = String(options.workflowFile);
  const where = `${owner}/${repo}`;
  const file = /^\d+$/.test(workflow) ? `workflow ${workflow}` : `.github/workflows/${workflow}`;
  if (typeof runName !== "string" || runName.trim() === "") {
    throw new GitHubError(
      "invalid",
      "runName: a dstack run name is required (e.g. sharp-shrimp-1)",
    );
  }
  const given = options.inputs[runNameInput];
  if (given !== undefined && given !== runName) {
    throw new GitHubError(
      "invalid",
      `inputs.${runNameInput}: ${JSON.stringify(given)} differs from runName ${JSON.stringify(runName)}; leave it out (it is set from runName)`,
    );
  }
  const inputs = { ...options.inputs, [runNameInput]: runName };
  checkDispatchInputs(inputs);
  const since = now();
  const find = (budgetMs: number) =>
    findRunByName(client, {
      owner,
      repo,
      workflowFile: options.workflowFile,
      runName,
      since,
      budgetMs,
      signal,
      sleep,
      now,
    });

  for (let attempt = 1; ; attempt++) {
    throwIfAborted(signal);
    let answer: { status: number; data: unknown };
    try {
      answer = await client.request(
        "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
        {
          owner,
          repo,
          workflow_id: options.workflowFile,
          ref,
          inputs,
          return_run_details: true,
          // Not idempotent: plugin-retry must never send it again by itself.
          // The time limit starts when the request is sent, after plugin-throttling's spacing.
          request: { retries: 0, signal, fetch: fetchWithin(client, options.timeoutMs ?? 30_000) },
        },
      );
    } catch (e) {
      throwIfAborted(signal);
      const status = answeredStatus(e);
      if (isRateLimited(e)) {
        // Refused, not accepted: safe to send again after GitHub's wait.
        if (attempt >= maxAttempts) {
          throw restError(`dispatch ${file} on ${ref} in ${where}`, e, apiUrlOf(client));
        }
        const waitMs = rateLimitWaitMs(e, now());
        log(
          `dispatch of ${runName}: rate limited (${status}); sending again in ${Math.ceil(waitMs / 1000)} s`,
        );
        await sleep(waitMs, signal);
        continue;
      }
      if (status !== undefined && status < 500) {
        throw dispatchError(e, status, { file, ref, where, inputs });
      }
      // Ambiguous: the dispatch may have been accepted. Look before sending again.
      const what = status === undefined ? `no answer (${gitHubMessage(e)})` : `${status}`;
      log(`dispatch of ${runName}: ${what}; looking for its workflow run before sending again`);
      const found = await find(options.graceMs ?? 60_000);
      if (found) {
        return { ...found, via: "run-name", attempts: attempt };
      }
      if (attempt >= maxAttempts) {
        throw new GitHubError(
          "unreachable",
          `dispatch ${file} on ${ref} in ${where}: ${what} on each of ${attempt} attempts, and no workflow run named ${runName} showed up; check ${apiUrlOf(client)} and try again`,
          { ...(status === undefined ? {} : { status }), cause: e },
        );
      }
      continue;
    }
    const details = answer.data as { workflow_run_id?: unknown; html_url?: unknown } | undefined;
    if (answer.status === 200 && typeof details?.workflow_run_id === "number") {
      return {
        workflowRunId: details.workflow_run_id,
        htmlUrl: typeof details.html_url === "string" ? details.html_url : "",
        via: "run-details",
        attempts: attempt,
      };
    }
    const found = await find(options.correlateMs ?? 120_000);
    if (found) {
      return { ...found, via: "run-name", attempts: attempt };
    }
    throw new GitHubError(
      "no-run",
      `dispatch ${file} on ${ref} in ${where} was accepted, but no workflow run named ${runName} showed up within ${Math.round((options.correlateMs ?? 120_000) / 1000)} s: the workflow must set run-name: \${{ inputs.${runNameInput} }} (see README)`,
    );
  }
}

/** The message for a refused dispatch (a 4xx that is not a rate limit). */
function dispatchError(
  e: unknown,
  status: number,
  at: { file: string; ref: string; where: string; inputs: Record<string, string> },
): GitHubError {
  const message = gitHubMessage(e);
  const { file, ref, where } = at;
  if (status === 404) {
    return new GitHubError(
      "not-found",
      `no runner workflow ${file} on ${ref} in ${where}: add it (copy dstack's runner workflow .github/workflows/dstack-run.yml into the repository as ${file} on ${ref}; see README), or check the ref and that the token can see ${where} (GitHub answered 404 ${message})`,
      { status, cause: e },
    );
  }
  if (status === 403) {
    return new GitHubError(
      "permission",
      `the token cannot dispatch ${file} in ${where} (403 ${message}): it needs the "actions: write" permission; in the calling workflow set permissions: actions: write (a fine-grained token: Actions read and write)`,
      { status, cause: e },
    );
  }
  if (status === 422) {
    return new GitHubError(
      "invalid-inputs",
      `dispatch ${file} on ${ref} in ${where}: GitHub refused it: ${message}; the inputs given (${Object.keys(at.inputs).join(", ")}) must match the workflow_dispatch inputs of ${file} on ${ref}, and the ref must exist`,
      { status, cause: e },
    );
  }
  if (status === 401) {
    return new GitHubError(
      "unauthorized",
      `dispatch ${file} in ${where}: GitHub refused the token (401 ${message})`,
      { status, cause: e },
    );
  }
  return new GitHubError(
    "api",
    `dispatch ${file} on ${ref} in ${where}: GitHub answered ${status} (${message})`,
    {
      status,
      cause: e,
    },
  );
}
