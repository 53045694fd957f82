/**
 * Pinning the commit a command runs: read the pull request when the command is handled and fix
 * the commit by its full SHA, so that a push after the review never runs.
 *
 * @module
 */
import { apiUrlOf, type GitHubClient, restError } from "@dstack/github";
import type { Refusal } from "./refusal.js";

/** GitHub lists at most this many commits of a pull request (docs.github.com/rest/pulls/pulls#list-commits-on-a-pull-request). */
export const PULL_REQUEST_COMMITS_LIMIT = 250;

/** A pull request with the commit to run. */
export interface PinnedPullRequest {
  /** The pull request number. */
  number: number;
  /** The commit to run: the full 40-hex SHA. */
  sha: string;
  /** The head commit when the pull request was read (equal to `sha` unless `@SHA` named another). */
  headSha: string;
  /** The head branch name (user-controlled text: render with `code`). */
  headRef: string;
  /** The base branch name. */
  baseRef: string;
  /** Whether the head branch lives in another repository (a fork, or a deleted one). */
  fork: boolean;
  /** `owner/name` of the head repository; `null` when the fork was deleted. */
  headRepo: string | null;
  /** The pull request's page. */
  htmlUrl: string;
}

/** Options of {@link pinPullRequest}. */
export interface PinPullRequestOptions {
  /** A client from `@dstack/github` `createGitHubClient` (`pull-requests: read`). */
  client: GitHubClient;
  /** The base repository owner. */
  owner: string;
  /** The base repository name. */
  repo: string;
  /** The pull request number. */
  number: number;
  /** The commit the command named (`@SHA`: 7 to 40 hex digits, a prefix of a commit of the pull request). */
  requestedSha?: string;
}

interface PullRequestData {
  number: number;
  state: string;
  html_url: string;
  head: { sha: string; ref: string; repo: { id: number; full_name: string } | null };
  base: { ref: string; repo: { id: number; full_name: string } };
}

/** Whether a pull request's head lives outside its base repository (by id: names change on renames). */
export function isFork(pr: Pick<PullRequestData, "head" | "base">): boolean {
  return pr.head.repo === null || pr.head.repo.id !== pr.base.repo.id;
}

/**
 * Reads the pull request (`GET /repos/{owner}/{repo}/pulls/{pull_number}`) and pins the commit
 * to run:
 * - no `requestedSha`: the head commit, unless the pull request comes from a fork: then a
 *   maintainer must name the commit they reviewed, since anyone may push to a fork;
 * - `requestedSha`: the one commit of the pull request whose SHA starts with it
 *   (`GET .../pulls/{pull_number}/commits`, every page; GitHub lists at most
 *   {@link PULL_REQUEST_COMMITS_LIMIT}).
 *
 * The window left: a push between the comment and this read pins the newer head when no
 * `@SHA` is given. Webhook payloads of `issue_comment` carry no head SHA, so only `@SHA` closes it
 * (and it is required for forks, where the pusher is not a maintainer).
 *
 * @returns `{ pin }`, or `{ refusal }` (`closed`, `fork-without-sha`, `sha-not-in-pull-request`).
 * @throws GitHubError when GitHub fails (404: no such pull request; 401/403; 5xx after retries).
 */
export async function pinPullRequest(
  options: PinPullRequestOptions,
): Promise<{ pin: PinnedPullRequest } | { refusal: Refusal }> {
  const { client, owner, repo, number } = options;
  const where = `pull request #${number} of ${owner}/${repo}`;
  let pr: PullRequestData;
  try {
    const { data } = await client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      owner,
      repo,
      pull_number: number,
    });
    pr = data as PullRequestData;
  } catch (e) {
    throw restError(`read ${where}`, e, apiUrlOf(client));
  }
  if (pr.state !== "open") {
    return {
      refusal: {
        reason: "closed",
        message: `Pull request #${number} is ${pr.state}; runs start only on open pull requests.`,
      },
    };
  }
  const fork = isFork(pr);
  const base = {
    number,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    fork,
    headRepo: pr.head.repo?.full_name ?? null,
    htmlUrl: pr.html_url,
  };
  const requested = options.requestedSha?.toLowerCase();
  if (requested === undefined) {
    if (fork) {
      return {
        refusal: {
          reason: "fork-without-sha",
          message: `This pull request comes from a fork (${base.headRepo ?? "a deleted repository"}), where anyone with access to the fork can push. Review the code, then name the commit you reviewed: /dstack run WORKFLOW @${pr.head.sha.slice(0, 12)} (the head commit now).`,
        },
      };
    }
    return { pin: { ...base, sha: pr.head.sha } };
  }
  let commits: { sha: string }[];
  try {
    commits = await client.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", {
      owner,
      repo,
      pull_number: number,
      per_page: 100,
    });
  } catch (e) {
    throw restError(`list the commits of ${where}`, e, apiUrlOf(client));
  }
  const matches = [...new Set(commits.map((c) => c.sha.toLowerCase()))].filter((sha) =>
    sha.startsWith(requested),
  );
  const [only] = matches;
  if (matches.length === 1 && only) return { pin: { ...base, sha: only } };
  const limit =
    commits.length >= PULL_REQUEST_COMMITS_LIMIT
      ? ` GitHub lists only the first ${PULL_REQUEST_COMMITS_LIMIT} commits of a pull request.`
      : "";
  return {
    refusal: {
      reason: "sha-not-in-pull-request",
      message:
        matches.length === 0
          ? `@${requested} is not a commit of pull request #${number} (${commits.length} commits; the head is ${pr.head.sha.slice(0, 12)}).${limit}`
          : `@${requested} matches ${matches.length} commits of pull request #${number} (${matches.map((s) => s.slice(0, 12)).join(", ")}); give more digits.`,
    },
  };
}
