/**
 * Who may start runs: the commenter's (or labeler's) permission on the repository, read from the
 * REST API at the time of the event. `author_association` in a webhook payload is not used: it
 * says how a user relates to the repository (`MEMBER`, `CONTRIBUTOR`...), not what they may do,
 * and an organization member may have read access only.
 *
 * @module
 */
import { apiUrlOf, type GitHubClient, restError } from "@dstack/github";
import { REPOSITORY_ROLES, type RepositoryRole } from "@dstack/spec";

/**
 * Repository roles, lowest first: `@dstack/spec`'s `REPOSITORY_ROLES` (the policy's
 * `triggers.permission` takes the same names). `none` is a user without access.
 */
export const PERMISSION_LEVELS = REPOSITORY_ROLES;

/** A repository role; see {@link PERMISSION_LEVELS}. */
export type PermissionLevel = RepositoryRole;

/** Options of {@link authorizeActor}. */
export interface AuthorizeActorOptions {
  /** A client from `@dstack/github` `createGitHubClient` (token with `contents: read` or more). */
  client: GitHubClient;
  /** The repository owner. */
  owner: string;
  /** The repository name. */
  repo: string;
  /** The user's login, e.g. `octocat` (the comment's `user.login`, the label event's `sender.login`). */
  login: string;
  /** The lowest role that may start runs. Default `write`. */
  minimum?: PermissionLevel;
}

/** The answer of {@link authorizeActor}. */
export interface Authorization {
  /** Whether `permission` is at least the minimum. */
  ok: boolean;
  /** The user's role: `role_name` when it is a built-in role, else the base `permission` (custom roles). */
  permission: PermissionLevel;
  /** The lowest role that was required. */
  minimum: PermissionLevel;
}

const rank = (p: PermissionLevel) => PERMISSION_LEVELS.indexOf(p);
const asLevel = (v: unknown): PermissionLevel | undefined =>
  (PERMISSION_LEVELS as readonly unknown[]).includes(v) ? (v as PermissionLevel) : undefined;

/**
 * Reads a user's role with `GET /repos/{owner}/{repo}/collaborators/{username}/permission`
 * (docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user).
 *
 * GitHub answers `permission` with the legacy levels (`admin`, `write`, `read`, `none`: `maintain`
 * reads as `write`, `triage` as `read`) and `role_name` with the role (`maintain`, `triage`, or a
 * custom role's name). A built-in `role_name` wins; a custom role counts as its base `permission`.
 * A `404` (no such user) is `none`.
 *
 * @throws GitHubError for any other failure (401, 403, 5xx after retries).
 */
export async function authorizeActor(options: AuthorizeActorOptions): Promise<Authorization> {
  const { client, owner, repo, login } = options;
  const minimum = options.minimum ?? "write";
  let permission: PermissionLevel;
  try {
    const { data } = await client.request(
      "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
      { owner, repo, username: login },
    );
    permission = asLevel(data.role_name) ?? asLevel(data.permission) ?? "none";
  } catch (e) {
    if ((e as { status?: unknown }).status !== 404) {
      throw restError(`read the permission of ${login} on ${owner}/${repo}`, e, apiUrlOf(client));
    }
    permission = "none";
  }
  return { ok: rank(permission) >= rank(minimum), permission, minimum };
}
