/**
 * Commit statuses: the run's state on the pinned commit, shown in the pull request's checks.
 *
 * @module
 */
import { apiUrlOf, type GitHubClient, restError } from "@dstack/github";

/** A commit status's state, as GitHub names them. */
export type CommitStatusState = "pending" | "success" | "failure" | "error";

/** GitHub's limit on a status description, in characters (longer ones are refused with 422). */
export const STATUS_DESCRIPTION_MAX = 140;

/** The status context of a workflow: `dstack/<workflow>`. */
export function statusContext(workflow: string): string {
  return `dstack/${workflow}`;
}

/** Options of {@link setCommitStatus}. */
export interface SetCommitStatusOptions {
  /** A client from `@dstack/github` `createGitHubClient` (token with `statuses: write`). */
  client: GitHubClient;
  /** The repository owner. */
  owner: string;
  /** The repository name. */
  repo: string;
  /** The commit: the full SHA pinned by `pinPullRequest`. */
  sha: string;
  /** The state. */
  state: CommitStatusState;
  /** The context, e.g. `dstack/train` ({@link statusContext}). */
  context: string;
  /** The link shown with the status (the workflow run's page); only `http(s)` URLs are sent. */
  targetUrl?: string;
  /** One line; cut to {@link STATUS_DESCRIPTION_MAX} characters. */
  description?: string;
}

/**
 * Sets a commit status with `POST /repos/{owner}/{repo}/statuses/{sha}`
 * (docs.github.com/rest/commits/statuses#create-a-commit-status). A later status with the same
 * context replaces the earlier one in the pull request's checks.
 *
 * @returns the status id.
 * @throws GitHubError when GitHub refuses (403: the token lacks `statuses: write`; 422).
 */
export async function setCommitStatus(options: SetCommitStatusOptions): Promise<number> {
  const { client, owner, repo, sha, state, context } = options;
  const description = options.description?.replace(/\s+/g, " ").trim();
  try {
    const { data } = await client.request("POST /repos/{owner}/{repo}/statuses/{sha}", {
      owner,
      repo,
      sha,
      state,
      context,
      ...(options.targetUrl && /^https?:\/\//i.test(options.targetUrl)
        ? { target_url: options.targetUrl }
        : {}),
      ...(description
        ? {
            description:
              description.length > STATUS_DESCRIPTION_MAX
                ? `${description.slice(0, STATUS_DESCRIPTION_MAX - 1)}…`
                : description,
          }
        : {}),
    });
    return data.id;
  } catch (e) {
    throw restError(
      `set the ${context} status of ${sha.slice(0, 12)} in ${owner}/${repo}`,
      e,
      apiUrlOf(client),
    );
  }
}
