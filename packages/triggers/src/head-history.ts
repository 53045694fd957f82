/**
 * What happened to a pull request's head branch after a moment: the pushes GitHub recorded, with
 * GitHub's own times, so that a command runs the commit its author saw.
 *
 * Why the repository activity log (`GET /repos/{owner}/{repo}/activity`,
 * docs.github.com/rest/repos/repos#list-repository-activities) and not the pull request's
 * timeline or commit dates: a commit's author and committer dates (the timeline's `committed`
 * events, `GET .../pulls/{n}/commits`) are written by the pusher's git client, so a commit pushed
 * after a comment can carry any earlier date; the timeline has a server time only for force
 * pushes (`head_ref_force_pushed`), never for ordinary pushes. The activity log has one entry per
 * change of a branch (push, force push, deletion, creation, merge) with the time GitHub received
 * it and the commits before and after, which is what "the head when the comment was written"
 * needs. It covers branches of this repository only: a fork's pushes are the fork's (commands on
 * forks name the commit, `@SHA`).
 *
 * @module
 */
import { apiUrlOf, type GitHubClient, restError } from "@dstack/github";

/** One change of a branch, as the activity log records it. */
export interface BranchChange {
  /** When GitHub recorded it, ISO 8601 (server time). */
  timestamp: string;
  /** `push`, `force_push`, `branch_deletion`, `branch_creation`, `pr_merge`, `merge_queue_merge`. */
  type: string;
  /** The branch's commit before the change (40 hex; zeros for a creation). */
  before: string;
  /** The branch's commit after it (40 hex; zeros for a deletion). */
  after: string;
  /** Who made it (login), when GitHub says. */
  actor?: string;
}

/** Options of {@link branchChangesSince}. */
export interface BranchChangesSinceOptions {
  /** A client with `contents: read` on the repository. */
  client: GitHubClient;
  owner: string;
  repo: string;
  /** The branch name (`feature`), not a full ref. */
  branch: string;
  /** The moment, ISO 8601 (e.g. a comment's `created_at`). */
  since: string;
}

interface ActivityItem {
  timestamp: string;
  activity_type: string;
  before: string;
  after: string;
  actor: { login: string } | null;
}

/**
 * The changes of `branch` at or after `since`, oldest first. A change in the same second as
 * `since` counts as after it (GitHub's times are whole seconds: when in doubt, the newer code is
 * treated as not reviewed).
 *
 * Reads the activity log newest first (`ref=refs/heads/<branch>`, 100 a page, following `Link`
 * headers) and stops at the first change before `since`.
 *
 * @throws GitHubError when GitHub refuses or fails (403: the token lacks `contents: read`; 404:
 *   no such repository, or a server without the activity log).
 */
export async function branchChangesSince(
  options: BranchChangesSinceOptions,
): Promise<BranchChange[]> {
  const { client, owner, repo, branch } = options;
  const since = Date.parse(options.since);
  if (Number.isNaN(since)) {
    throw new Error(`since: ${JSON.stringify(options.since)} is not an ISO 8601 time`);
  }
  const changes: BranchChange[] = [];
  try {
    const pages = client.paginate.iterator("GET /repos/{owner}/{repo}/activity", {
      owner,
      repo,
      ref: `refs/heads/${branch}`,
      direction: "desc",
      per_page: 100,
    });
    for await (const page of pages) {
      for (const item of page.data as ActivityItem[]) {
        // Whole seconds: a change in the comment's second is "after" it.
        if (Date.parse(item.timestamp) < Math.floor(since / 1000) * 1000) {
          return changes.reverse();
        }
        changes.push({
          timestamp: item.timestamp,
          type: item.activity_type,
          before: item.before,
          after: item.after,
          ...(item.actor ? { actor: item.actor.login } : {}),
        });
      }
    }
  } catch (e) {
    throw restError(
      `read the activity log of branch ${branch} in ${owner}/${repo}`,
      e,
      apiUrlOf(client),
    );
  }
  return changes.reverse();
}
