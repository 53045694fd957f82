/**
 * The step's GitHub REST client: `createGitHubClient` of `@dstack/github` with the step's token,
 * `GITHUB_API_URL`, rate-limit notices as warnings, and the test-only write spacing.
 *
 * @module
 */
import * as core from "@actions/core";
import { createGitHubClient, DEFAULT_API_URL, type GitHubClient } from "@dstack/github";
import { InputError } from "./input-error.js";

/**
 * Not in action.yml, on purpose: the least time between two writes of the step's client, in
 * milliseconds (`writeSpacingMs` of `createGitHubClient`), for tests that run the action
 * against a local fake GitHub, which has no secondary rate limit. Real runs keep the client's
 * default: a second between writes, as GitHub asks.
 */
export const WRITE_SPACING_INPUT = "write-spacing-ms";

/** Options of {@link stepClient}. */
export interface StepClientOptions {
  /** The token (`github-token`). */
  token: string;
  /** The REST API root. Default `GITHUB_API_URL`, else `https://api.github.com`. */
  apiUrl?: string;
  /** Where rate-limit notices go. Default `core.warning`; `false` for nowhere. */
  warn?: false;
}

/**
 * Makes the step's client for `token`.
 *
 * @throws InputError when `write-spacing-ms` is given and is not a whole number of
 *   milliseconds; GitHubError `invalid` for an empty token.
 */
export function stepClient(options: StepClientOptions): GitHubClient {
  const spacing = core.getInput(WRITE_SPACING_INPUT);
  if (spacing !== "" && !/^\d+$/.test(spacing)) {
    throw new InputError(
      `${WRITE_SPACING_INPUT}: ${JSON.stringify(spacing)} is not a whole number of milliseconds`,
    );
  }
  return createGitHubClient({
    token: options.token,
    apiUrl: options.apiUrl ?? (process.env.GITHUB_API_URL || DEFAULT_API_URL),
    ...(options.warn === false ? {} : { warn: (m: string) => core.warning(m) }),
    ...(spacing !== "" ? { writeSpacingMs: Number(spacing) } : {}),
  });
}
