/**
 * The REST client: `@octokit/rest` with `@octokit/plugin-retry` (5xx and connection failures)
 * and `@octokit/plugin-throttling` (primary and secondary rate limits), and a clean abort. The
 * only place dstack makes an Octokit: the CLI, the actions, the artifacts store (which imports
 * this module, `@dstack/github/client`, on first use) and the runner plugin take theirs here.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { retry } from "@octokit/plugin-retry";
import { throttling } from "@octokit/plugin-throttling";
import { Octokit } from "@octokit/rest";
// The Bottleneck build plugin-throttling itself uses (no Redis clustering).
import Bottleneck from "bottleneck/light.js";
import { GitHubError } from "./errors.js";

/** The Octokit class with the retry and throttling plugins. */
const GitHubOctokit = Octokit.plugin(retry, throttling);

/**
 * A client from {@link createGitHubClient}; any `@octokit/rest` Octokit is accepted, but only
 * one with plugin-retry and plugin-throttling retries faults and waits out rate limits.
 */
export type GitHubClient = Octokit;

import { DEFAULT_API_URL } from "./hosts.js";

export { apiUrlForHost, DEFAULT_API_URL } from "./hosts.js";

/** Options of {@link createGitHubClient}. */
export interface GitHubClientOptions {
  /**
   * The token: in a workflow `${{ github.token }}` with `permissions: actions: write` (to
   * dispatch and cancel; `actions: read` is enough to follow). Never logged.
   */
  token: string;
  /** The REST API root, e.g. `https://ghes.example.com/api/v3`. Default `https://api.github.com`. */
  apiUrl?: string;
  /**
   * Retries of a request that failed with a 5xx or without an answer (plugin-retry), and of a
   * rate-limited one (plugin-throttling); default 3. Never used for a dispatch, which is not
   * idempotent (see `dispatchRun`).
   */
  retries?: number;
  /**
   * Milliseconds in one second of retry waiting: plugin-retry waits `retryBaseMs` x 1, 4, 9, ...
   * and plugin-throttling waits `Retry-After` (seconds) x `retryBaseMs`. Default 1000; tests
   * pass 1 so that nothing waits for real.
   */
  retryBaseMs?: number;
  /**
   * The longest rate-limit wait, in seconds, taken inside the client; a longer one fails the
   * request, and the caller's loop (e.g. `followRun`, which can be aborted) waits instead.
   * Default 60.
   */
  maxRateLimitWaitS?: number;
  /**
   * The least time between two writes (`POST`, `PATCH`, `PUT`, `DELETE`) sent with this token,
   * in milliseconds; writes that notify people (comments, issues, pull requests, reviews,
   * releases: plugin-throttling's list) are spaced three times as far. Default 1000 (3000 for
   * those): plugin-throttling's own spacing, shared by every client of the same token in the
   * process. GitHub asks clients making many `POST`, `PATCH`, `PUT` or `DELETE` requests to
   * "wait at least one second between each request" to avoid secondary rate limits
   * (docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api#pause-between-mutative-requests),
   * and allows in general no more than 80 content-generating requests a minute and 500 an hour
   * (docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits).
   * Any other value spaces this client's writes only, not other clients' of the token. Tests
   * against a local fake pass 0; never lower it for GitHub.
   */
  writeSpacingMs?: number;
  /** The `fetch` to use (default the global one). */
  fetch?: typeof fetch;
  /** The `User-Agent`. Default `dstack`. */
  userAgent?: string;
  /** Where notices of rate-limit waits go (never the token). Default nowhere. */
  warn?: (message: string) => void;
}

/**
 * Creates the REST client.
 *
 * - plugin-retry retries 5xx and unanswered requests (`retries` times, waits `retryBaseMs` x n²);
 *   it leaves 4xx alone, 429 included, so that rate limits go to plugin-throttling;
 * - plugin-throttling spaces writes a second apart per token (`writeSpacingMs`) and, on a
 *   primary or secondary rate limit, waits what GitHub says (`Retry-After`,
 *   `x-ratelimit-reset`) when that is at most `maxRateLimitWaitS`, up to `retries` times; a
 *   longer wait fails the request (the caller's loop may wait instead). GitHub asks clients not
 *   to retry before that time and to treat 409/422 as final
 *   (docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api,
 *   ".../rate-limits-for-the-rest-api#exceeding-the-rate-limit"): 409 and 429 are never retried
 *   by plugin-retry, which would not wait what GitHub says.
 *
 * @throws GitHubError `invalid` for an empty token, or a `writeSpacingMs` that is not a finite
 *   number of milliseconds, 0 or more.
 */
export function createGitHubClient(options: GitHubClientOptions): GitHubClient {
  if (typeof options.token !== "string" || options.token.trim() === "") {
    throw new GitHubError(
      "invalid",
      "token: no GitHub token given; pass github-token (in a workflow the job's token, github.token, with permissions: actions: write)",
    );
  }
  const retries = options.retries ?? 3;
  const base = options.retryBaseMs ?? 1000;
  const maxWait = options.maxRateLimitWaitS ?? 60;
  const warn = options.warn ?? (() => {});
  const spacing = writeSpacing(options.writeSpacingMs);
  const onLimit =
    (kind: string) =>
    (after: number, request: { method?: string; url?: string }, _o: unknown, count: number) => {
      const retrying = count < retries && after <= maxWait;
      warn(
        `GitHub ${kind} rate limit on ${request.method ?? ""} ${request.url ?? ""}: ${retrying ? `retrying in ${after} s` : `not retrying here (GitHub asks to wait ${after} s)`}`,
      );
      return retrying;
    };
  const client = new GitHubOctokit({
    auth: options.token,
    baseUrl: (options.apiUrl ?? DEFAULT_API_URL).replace(/\/+$/, ""),
    userAgent: options.userAgent ?? "dstack",
    log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
    ...(options.fetch ? { request: { fetch: options.fetch } } : {}),
    retry: {
      retries,
      retryAfterBaseValue: base,
      doNotRetry: [400, 401, 403, 404, 409, 410, 422, 429, 451],
    },
    throttle: {
      // Bottleneck groups are keyed by id: one per token, as GitHub's limits are.
      id: `dstack-${createHash("sha256").update(options.token).digest("hex").slice(0, 16)}`,
      retryAfterBaseValue: base,
      onRateLimit: onLimit("primary"),
      onSecondaryRateLimit: onLimit("secondary"),
      ...spacing,
    },
  });
  // plugin-retry sees an aborted request as a 500 and retries it after 1, 4 and 9 x `base`:
  // a cancelled step would sit out those waits (longer than the runner's 7.5 s before SIGTERM).
  // This outermost wrapper, around retries and throttling, settles with the abort at once and
  // sets the request's retries to 0, so that no retry is sent after it.
  client.hook.wrap("request", (request, options) => {
    const signal = (options.request as { signal?: AbortSignal } | undefined)?.signal;
    if (signal === undefined) return request(options);
    const aborted = (): never => {
      (options.request as { retries?: number }).retries = 0;
      throw signal.reason ?? new Error("aborted");
    };
    if (signal.aborted) return Promise.reject(signal.reason ?? new Error("aborted"));
    let onAbort: (() => void) | undefined;
    const settled = new Promise<never>((_, reject) => {
      onAbort = () => {
        try {
          aborted();
        } catch (e) {
          reject(e);
        }
      };
      signal.addEventListener("abort", onAbort, { once: true });
    });
    return Promise.race([request(options), settled]).finally(() => {
      if (onAbort) signal.removeEventListener("abort", onAbort);
    });
  });
  return client;
}

/** plugin-throttling's spacing of writes, in milliseconds (its `write` group's `minTime`). */
const DEFAULT_WRITE_SPACING_MS = 1000;

/**
 * The Bottleneck groups that space writes `ms` apart (notifying writes `3 x ms`), as
 * plugin-throttling's own groups do at 1000 and 3000; none for the default, so that the plugin's
 * groups, shared per token across clients, stay in use.
 *
 * @throws GitHubError `invalid` when `ms` is not a finite number, 0 or more.
 */
function writeSpacing(
  ms: number | undefined,
): { write: Bottleneck.Group; notifications: Bottleneck.Group } | Record<string, never> {
  if (ms === undefined || ms === DEFAULT_WRITE_SPACING_MS) return {};
  if (!Number.isFinite(ms) || ms < 0) {
    throw new GitHubError(
      "invalid",
      `writeSpacingMs: ${ms} is not a number of milliseconds; give 0 or more (default ${DEFAULT_WRITE_SPACING_MS})`,
    );
  }
  return {
    write: new Bottleneck.Group({ maxConcurrent: 1, minTime: ms }),
    notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 3 * ms }),
  };
}

/** The API root a client talks to (for messages). */
export function apiUrlOf(client: GitHubClient): string {
  return String(client.request.endpoint.DEFAULTS.baseUrl);
}

/** The `fetch` a client uses (its `request.fetch`, else the global one). */
export function fetchOf(client: GitHubClient): typeof fetch {
  const configured = (
    client.request.endpoint.DEFAULTS.request as { fetch?: typeof fetch } | undefined
  )?.fetch;
  return configured ?? globalThis.fetch;
}

/** Counts of REST requests, as GitHub's primary rate limit sees them. */
export interface RequestCounts {
  /** Requests that count against the primary rate limit (every answer but `304`, and failures). */
  counted: number;
  /** Conditional requests answered `304 Not Modified` (free). */
  notModified: number;
}

/**
 * Request options that count every HTTP exchange (retries included) into `counts`, by wrapping
 * the client's `fetch`; spread into a call's `request`.
 */
export function countingFetch(client: GitHubClient, counts: RequestCounts): typeof fetch {
  const inner = fetchOf(client);
  return async (input, init) => {
    try {
      const response = await inner(input, init);
      if (response.status === 304) {
        counts.notModified++;
      } else {
        counts.counted++;
      }
      return response;
    } catch (e) {
      counts.counted++;
      throw e;
    }
  };
}

/**
 * Waits `ms` milliseconds of real time, or less when `signal` aborts (it never rejects): the
 * default `sleep` of the loops here.
 */
export function sleepFor(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener("abort", done);
      resolve();
    };
    const timer = setTimeout(done, Math.max(0, ms));
    signal?.addEventListener("abort", done, { once: true });
  });
}
