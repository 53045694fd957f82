/**
 * Pinning the commit a command runs: the pull request's head as it was when the command was
 * written, by its full SHA, so that a push after the review never runs. The job that handles a
 * command can start long after the comment (it waits behind the pull request's other commands),
 * so the head is read when the job runs and checked against the branch's activity log
 * (./head-history.ts): a push since the comment refuses the command, naming the new commits.
 *
 * @module
 */
import { apiUrlOf, type GitHubClient, GitHubError, restError } from "@dstack/github";
import { type PullRequestCommand, renderCommand } from "./command.js";
import { type BranchChange, branchChangesSince } from "./head-history.js";
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
  /**
   * When the command was written (the comment's `created_at`, ISO 8601). Without `requestedSha`
   * the head is pinned only if the head branch has not changed since (its activity log says so);
   * otherwise the command is refused (`pushed-after-command`). Absent: the head when read (the
   * label trigger pins the event's own head and does not call this without `requestedSha`).
   */
  commentedAt?: string;
  /** The command, to write the re-run lines of a refusal (`/dstack run train @SHA ...`). */
  command?: Pick<PullRequestCommand, "workflow" | "argv">;
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
 * With `commentedAt` and no `requestedSha`, the head branch's changes since the comment are read
 * ({@link branchChangesSince}); any change (a push, a force push, a branch update from the base)
 * refuses the command with `pushed-after-command`, naming the changes and the commits the
 * reviewer did not see, and how to run either commit by name. Webhook payloads of
 * `issue_comment` carry no head SHA, so this is how the head at the comment is known.
 *
 * @returns `{ pin }`, or `{ refusal }` (`closed`, `fork-without-sha`, `sha-not-in-pull-request`,
 *   `pushed-after-command`, `head-unverified`: GitHub refused the activity log with 403 or 404,
 *   so only `@SHA` runs).
 * @throws GitHubError when GitHub fails (404: no such pull request; 401/403; 5xx after retries,
 *   also of the activity log: nothing is pinned).
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
    if (options.commentedAt !== undefined) {
      let changes: BranchChange[];
      try {
        changes = await branchChangesSince({
          client,
          owner,
          repo,
          branch: pr.head.ref,
          since: options.commentedAt,
        });
      } catch (e) {
        // GitHub will not say (a token without contents: read, a server without the log): the
        // head cannot be shown to be the reviewed one, so only a named commit runs.
        if (!(e instanceof GitHubError && (e.status === 403 || e.status === 404))) throw e;
        return {
          refusal: {
            reason: "head-unverified",
            message: `${e.message}\n\nWithout it, the head now (${short(pr.head.sha)}) cannot be shown to be the commit that was reviewed. Name the commit you reviewed: ${renderCommand(
              {
                workflow: options.command?.workflow ?? "WORKFLOW",
                sha: short(pr.head.sha),
                argv: options.command?.argv ?? [],
              },
            )} (the head now).`,
          },
        };
      }
      if (changes.length > 0) {
        const commits = await listCommits(options, where);
        return {
          refusal: pushedAfter({
            changes,
            commits,
            headSha: pr.head.sha,
            commentedAt: options.commentedAt,
            ...(options.command ? { command: options.command } : {}),
          }),
        };
      }
    }
    return { pin: { ...base, sha: pr.head.sha } };
  }
  const commits = await listCommits(options, where);
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

/** The commits of the pull request (every page; GitHub lists at most {@link PULL_REQUEST_COMMITS_LIMIT}). */
async function listCommits(
  options: Pick<PinPullRequestOptions, "client" | "owner" | "repo" | "number">,
  where: string,
): Promise<{ sha: string }[]> {
  const { client, owner, repo, number } = options;
  try {
    return await client.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", {
      owner,
      repo,
      pull_number: number,
      per_page: 100,
    });
  } catch (e) {
    throw restError(`list the commits of ${where}`, e, apiUrlOf(client));
  }
}

/** At most this many unreviewed commits are named in a refusal. */
const NAMED_COMMITS = 20;
const short = (sha: string) => sha.slice(0, 12);
const ZERO_SHA = /^0+$/;

/**
 * The refusal for a head branch that changed after the command was written: each change (when,
 * what, by whom), the commits of the pull request after the head the reviewer saw, and the two
 * ways on: run the reviewed commit by name, or review the new ones and name the new head.
 */
function pushedAfter(o: {
  changes: BranchChange[];
  commits: { sha: string }[];
  headSha: string;
  commentedAt: string;
  command?: Pick<PullRequestCommand, "workflow" | "argv">;
}): Refusal {
  const [first] = o.changes;
  // The head when the command was written: the branch's commit before the first later change.
  const seen = first && !ZERO_SHA.test(first.before) ? first.before.toLowerCase() : undefined;
  const shas = o.commits.map((c) => c.sha.toLowerCase());
  const at = seen === undefined ? -1 : shas.indexOf(seen);
  const unseen = at >= 0 ? shas.slice(at + 1) : shas.filter((s) => s !== seen);
  const rerun = (sha: string) =>
    renderCommand({
      workflow: o.command?.workflow ?? "WORKFLOW",
      sha: short(sha),
      argv: o.command?.argv ?? [],
    });
  const lines = [
    `The head branch changed after this command was written (${o.commentedAt}), so the commit it would run now is not the one that was reviewed:`,
    ...o.changes.map(
      (c) =>
        `  ${c.timestamp} ${c.type.replaceAll("_", " ")}${c.actor ? ` by ${c.actor}` : ""}: ${short(c.before)} -> ${short(c.after)}`,
    ),
    "",
    unseen.length === 0
      ? "No commit of the pull request is new since then (the history was rewritten)."
      : `Commits not reviewed (${unseen.length}): ${unseen.slice(0, NAMED_COMMITS).map(short).join(", ")}${unseen.length > NAMED_COMMITS ? ", ..." : ""}`,
    at < 0 && seen !== undefined
      ? `The reviewed head ${short(seen)} is no longer a commit of the pull request (a force push replaced it).`
      : "",
    "",
    ...(at >= 0 && seen !== undefined
      ? [`To run the commit that was reviewed: ${rerun(seen)}`]
      : []),
    `To run the new head after reviewing it: ${rerun(o.headSha)}`,
  ];
  return {
    reason: "pushed-after-command",
    message: lines.filter((l, i, all) => l !== "" || all[i - 1] !== "").join("\n"),
  };
}
