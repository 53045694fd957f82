import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);

// ../../packages/github/lib/errors.js
function hintFor(hint, reason) {
  if (hint === void 0)
    return void 0;
  const text = typeof hint === "string" ? hint : hint[reason];
  return text === void 0 || text === "" ? void 0 : text;
}
var GitHubError = class extends Error {
  /** See {@link GitHubErrorReason}. */
  reason;
  /** The HTTP status GitHub answered, when it answered. */
  status;
  /** The caller's advice, already at the end of `message`; `undefined` when none was given. */
  hint;
  /**
   * @param reason - see {@link GitHubErrorReason}.
   * @param message - what was asked and what happened; `hint` is appended after `; `.
   * @param options - `status` GitHub answered, `cause`, and the caller's `hint`.
   */
  constructor(reason, message, options = {}) {
    const hint = hintFor(options.hint, reason);
    super(hint === void 0 ? message : `${message}; ${hint}`, options.cause === void 0 ? void 0 : { cause: options.cause });
    this.name = "GitHubError";
    this.reason = reason;
    this.status = options.status;
    this.hint = hint;
  }
};
var RunConcludedError = class extends Error {
  /** The run's conclusion (or its status when GitHub gave no conclusion). */
  conclusion;
  /** The workflow run's page. */
  htmlUrl;
  /** The dstack run name. */
  runName;
  /**
   * @param run - the run's page, dstack run name and conclusion; the message is
   *   `the dispatched workflow run URL (RUN) ended with conclusion CONCLUSION`.
   */
  constructor(run) {
    super(`the dispatched workflow run ${run.htmlUrl} (${run.runName}) ended with conclusion ${run.conclusion}`);
    this.name = "RunConcludedError";
    this.conclusion = run.conclusion;
    this.htmlUrl = run.htmlUrl;
    this.runName = run.runName;
  }
};
function withHint(e, hint) {
  if (!(e instanceof GitHubError) || e.hint !== void 0 || !hintFor(hint, e.reason))
    return e;
  return new GitHubError(e.reason, e.message, {
    ...e.status !== void 0 ? { status: e.status } : {},
    ...e.cause !== void 0 ? { cause: e.cause } : {},
    hint
  });
}
function failure(e) {
  return e !== null && typeof e === "object" ? e : {};
}
function answeredStatus(e) {
  const f = failure(e);
  return f.response !== void 0 && typeof f.status === "number" ? f.status : void 0;
}
function header(e, name) {
  const value = failure(e).response?.headers?.[name];
  return value === void 0 ? void 0 : String(value);
}
function gitHubMessage(e) {
  const data = failure(e).response?.data;
  if (data !== null && typeof data === "object" && typeof data.message === "string") {
    return data.message;
  }
  const message = failure(e).message;
  return (typeof message === "string" ? message : String(e)).replaceAll("\n", " ");
}
function isRateLimited(e) {
  const status = answeredStatus(e);
  if (status === 429) {
    return true;
  }
  return status === 403 && (header(e, "x-ratelimit-remaining") === "0" || header(e, "retry-after") !== void 0 || /secondary rate limit/i.test(gitHubMessage(e)));
}
function rateLimitWaitMs(e, now) {
  const retryAfter = Number(header(e, "retry-after"));
  if (Number.isFinite(retryAfter) && retryAfter >= 0 && header(e, "retry-after") !== void 0) {
    return retryAfter * 1e3;
  }
  const reset = Number(header(e, "x-ratelimit-reset"));
  if (header(e, "x-ratelimit-remaining") === "0" && Number.isFinite(reset)) {
    return Math.max(0, reset * 1e3 - now) + 1e3;
  }
  return 6e4;
}
function isTransient(e) {
  const status = answeredStatus(e);
  return status === void 0 || status >= 500 || isRateLimited(e);
}
function restError(what, e, apiUrl, options = {}) {
  if (e instanceof GitHubError) {
    return e;
  }
  const { hint } = options;
  const status = answeredStatus(e);
  const message = gitHubMessage(e);
  const retries = options.retries === void 0 ? "" : ` (${options.retries} retries)`;
  if (status === void 0) {
    return new GitHubError("unreachable", `${what}: cannot reach the GitHub API at ${apiUrl}${retries}: ${message}`, { cause: e, hint });
  }
  if (isRateLimited(e)) {
    return new GitHubError("rate-limited", `${what}: GitHub's rate limit (${status} ${message}); wait and try again, or use a token with a larger limit`, { status, cause: e, hint });
  }
  if (status === 401) {
    return new GitHubError("unauthorized", `${what}: GitHub refused the token (401 ${message})`, {
      status,
      cause: e,
      hint
    });
  }
  if (status >= 500) {
    return new GitHubError("unreachable", `${what}: GitHub answered ${status} (${message}) after the retries${retries}`, { status, cause: e, hint });
  }
  return new GitHubError(status === 404 ? "not-found" : status === 403 ? "permission" : "api", `${what}: GitHub answered ${status} (${message})`, { status, cause: e, hint });
}

// ../../packages/github/lib/hosts.js
var DEFAULT_API_URL = "https://api.github.com";
function apiUrlForHost(host, protocol = "https:") {
  const name = host.toLowerCase();
  if (name === "github.com" || name === "www.github.com")
    return DEFAULT_API_URL;
  const ghe = /^([a-z0-9-]+)\.ghe\.com$/.exec(name);
  if (ghe)
    return `https://api.${ghe[1]}.ghe.com`;
  return `${protocol}//${host}/api/v3`;
}

export {
  GitHubError,
  RunConcludedError,
  withHint,
  answeredStatus,
  gitHubMessage,
  isRateLimited,
  rateLimitWaitMs,
  isTransient,
  restError,
  DEFAULT_API_URL,
  apiUrlForHost
};
