/**
 * Errors of `@dstack/github` and how REST failures are read: answered or not, rate limited,
 * worth retrying.
 *
 * @module
 */

/**
 * Why a {@link GitHubError} happened:
 * - `invalid`: an option given to this package is wrong (the message names it);
 * - `not-found`: GitHub answered 404 (no such workflow on that ref, run, job or repository);
 * - `permission`: GitHub answered 403 (not a rate limit); the message names the permission;
 * - `unauthorized`: GitHub answered 401 (a bad or expired token);
 * - `invalid-inputs`: GitHub answered 422 to a dispatch (inputs or ref the workflow refuses), or
 *   the inputs are over GitHub's limits (refused before sending);
 * - `rate-limited`: a rate limit outlasted the retries;
 * - `unreachable`: no answer or 5xx, after the retries;
 * - `no-run`: a dispatch was accepted but no workflow run with the run name showed up;
 * - `api`: any other refusal by GitHub.
 */
export type GitHubErrorReason =
  | "invalid"
  | "not-found"
  | "permission"
  | "unauthorized"
  | "invalid-inputs"
  | "rate-limited"
  | "unreachable"
  | "no-run"
  | "api";

/**
 * What the caller says to do about a failure, in its own words (this package does not know
 * whether the token came from an input, an environment variable or `gh`): one text for every
 * reason, or one per reason, e.g. `{ permission: 'the token needs "actions: read"' }`.
 */
export type GitHubErrorHint = string | Partial<Record<GitHubErrorReason, string>>;

/** The text of `hint` for `reason`, if any. */
function hintFor(hint: GitHubErrorHint | undefined, reason: GitHubErrorReason): string | undefined {
  if (hint === undefined) return undefined;
  const text = typeof hint === "string" ? hint : hint[reason];
  return text === undefined || text === "" ? undefined : text;
}

/**
 * A failure of a GitHub call: the one error type of every GitHub client dstack makes. The
 * message says what was asked and what GitHub answered, then (after `; `) the caller's hint.
 */
export class GitHubError extends Error {
  /** See {@link GitHubErrorReason}. */
  readonly reason: GitHubErrorReason;
  /** The HTTP status GitHub answered, when it answered. */
  readonly status: number | undefined;
  /** The caller's advice, already at the end of `message`; `undefined` when none was given. */
  readonly hint: string | undefined;

  /**
   * @param reason - see {@link GitHubErrorReason}.
   * @param message - what was asked and what happened; `hint` is appended after `; `.
   * @param options - `status` GitHub answered, `cause`, and the caller's `hint`.
   */
  constructor(
    reason: GitHubErrorReason,
    message: string,
    options: { status?: number; cause?: unknown; hint?: GitHubErrorHint } = {},
  ) {
    const hint = hintFor(options.hint, reason);
    super(
      hint === undefined ? message : `${message}; ${hint}`,
      options.cause === undefined ? undefined : { cause: options.cause },
    );
    this.name = "GitHubError";
    this.reason = reason;
    this.status = options.status;
    this.hint = hint;
  }
}

/**
 * A followed workflow run that completed with a conclusion other than `success` (`failure`,
 * `cancelled`, `timed_out`, ...; see GitHub's "workflow run" conclusions,
 * https://docs.github.com/en/rest/actions/workflow-runs). Not a failure of a GitHub call: the run
 * was dispatched, followed and reported; callers tell it from a refusal or an unreachable GitHub
 * by `instanceof`, never by its message.
 */
export class RunConcludedError extends Error {
  /** The run's conclusion (or its status when GitHub gave no conclusion). */
  readonly conclusion: string;
  /** The workflow run's page. */
  readonly htmlUrl: string;
  /** The dstack run name. */
  readonly runName: string;

  /**
   * @param run - the run's page, dstack run name and conclusion; the message is
   *   `the dispatched workflow run URL (RUN) ended with conclusion CONCLUSION`.
   */
  constructor(run: { htmlUrl: string; runName: string; conclusion: string }) {
    super(
      `the dispatched workflow run ${run.htmlUrl} (${run.runName}) ended with conclusion ${run.conclusion}`,
    );
    this.name = "RunConcludedError";
    this.conclusion = run.conclusion;
    this.htmlUrl = run.htmlUrl;
    this.runName = run.runName;
  }
}

/**
 * `e` with the caller's hint for its reason at the end of its message: a new
 * {@link GitHubError} (same reason, status and cause); `e` itself when it is not a GitHubError,
 * already has a hint, or `hint` says nothing for its reason.
 */
export function withHint(e: unknown, hint: GitHubErrorHint): unknown {
  if (!(e instanceof GitHubError) || e.hint !== undefined || !hintFor(hint, e.reason)) return e;
  return new GitHubError(e.reason, e.message, {
    ...(e.status !== undefined ? { status: e.status } : {}),
    ...(e.cause !== undefined ? { cause: e.cause } : {}),
    hint,
  });
}

/** A failed Octokit request, as far as this package reads it. */
interface RequestFailure {
  status?: unknown;
  message?: unknown;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function failure(e: unknown): RequestFailure {
  return (e !== null && typeof e === "object" ? e : {}) as RequestFailure;
}

/** The status GitHub answered, or `undefined` when no answer came (connection failure, timeout). */
export function answeredStatus(e: unknown): number | undefined {
  const f = failure(e);
  return f.response !== undefined && typeof f.status === "number" ? f.status : undefined;
}

/** A header of the answer to a failed request (lower-case name), or `undefined`. */
function header(e: unknown, name: string): string | undefined {
  const value = failure(e).response?.headers?.[name];
  return value === undefined ? undefined : String(value);
}

/** GitHub's message for a failed request (`message` of the JSON error body), else the error's. */
export function gitHubMessage(e: unknown): string {
  const data = failure(e).response?.data;
  if (
    data !== null &&
    typeof data === "object" &&
    typeof (data as { message?: unknown }).message === "string"
  ) {
    return (data as { message: string }).message;
  }
  const message = failure(e).message;
  return (typeof message === "string" ? message : String(e)).replaceAll("\n", " ");
}

/**
 * Whether a failure is a rate limit: `429`, or `403` with `x-ratelimit-remaining: 0` (primary),
 * a `retry-after` header or "secondary rate limit" in the message (secondary). Source:
 * docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#exceeding-the-rate-limit.
 */
export function isRateLimited(e: unknown): boolean {
  const status = answeredStatus(e);
  if (status === 429) {
    return true;
  }
  return (
    status === 403 &&
    (header(e, "x-ratelimit-remaining") === "0" ||
      header(e, "retry-after") !== undefined ||
      /secondary rate limit/i.test(gitHubMessage(e)))
  );
}

/**
 * How long to wait after a rate limit, in milliseconds, as GitHub says: `retry-after` (seconds);
 * else until `x-ratelimit-reset` (epoch seconds) when `x-ratelimit-remaining` is `0`; else one
 * minute ("wait for at least one minute before retrying", same page as {@link isRateLimited}).
 *
 * @param now - the current time, epoch milliseconds.
 */
export function rateLimitWaitMs(e: unknown, now: number): number {
  const retryAfter = Number(header(e, "retry-after"));
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && header(e, "retry-after") !== undefined) {
    return retryAfter * 1000;
  }
  const reset = Number(header(e, "x-ratelimit-reset"));
  if (header(e, "x-ratelimit-remaining") === "0" && Number.isFinite(reset)) {
    return Math.max(0, reset * 1000 - now) + 1000;
  }
  return 60_000;
}

/**
 * Whether a failure may go away by itself: no answer (connection reset, timeout), a 5xx, or a
 * rate limit. Anything else (400, 401, 403, 404, 409, 410, 422) will be answered the same again.
 */
export function isTransient(e: unknown): boolean {
  const status = answeredStatus(e);
  return status === undefined || status >= 500 || isRateLimited(e);
}

/** Options of {@link restError}. */
export interface RestErrorOptions {
  /** The caller's advice for the reason, appended to the message (see {@link GitHubErrorHint}). */
  hint?: GitHubErrorHint;
  /** The retries the client made, said in an `unreachable` message. */
  retries?: number;
}

/**
 * Maps a failure that is not worth retrying, or that outlasted the retries, to a
 * {@link GitHubError}: `what` says what was asked (e.g. `follow workflow run 42 in o/r`).
 * Reasons: no answer or 5xx `unreachable`, a rate limit `rate-limited`, 401 `unauthorized`,
 * 403 `permission`, 404 `not-found`, anything else `api`. A GitHubError passes through.
 */
export function restError(
  what: string,
  e: unknown,
  apiUrl: string,
  options: RestErrorOptions = {},
): GitHubError {
  if (e instanceof GitHubError) {
    return e;
  }
  const { hint } = options;
  const status = answeredStatus(e);
  const message = gitHubMessage(e);
  const retries = options.retries === undefined ? "" : ` (${options.retries} retries)`;
  if (status === undefined) {
    return new GitHubError(
      "unreachable",
      `${what}: cannot reach the GitHub API at ${apiUrl}${retries}: ${message}`,
      { cause: e, hint },
    );
  }
  if (isRateLimited(e)) {
    return new GitHubError(
      "rate-limited",
      `${what}: GitHub's rate limit (${status} ${message}); wait and try again, or use a token with a larger limit`,
      { status, cause: e, hint },
    );
  }
  if (status === 401) {
    return new GitHubError("unauthorized", `${what}: GitHub refused the token (401 ${message})`, {
      status,
      cause: e,
      hint,
    });
  }
  if (status >= 500) {
    return new GitHubError(
      "unreachable",
      `${what}: GitHub answered ${status} (${message}) after the retries${retries}`,
      { status, cause: e, hint },
    );
  }
  return new GitHubError(
    status === 404 ? "not-found" : status === 403 ? "permission" : "api",
    `${what}: GitHub answered ${status} (${message})`,
    { status, cause: e, hint },
  );
}
