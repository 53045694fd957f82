/**
 * Test helper: a small stateful model of a repository's pull requests behind the OpenAPI-validated
 * REST fake: collaborators' roles, pull requests with their commits and labels, issue comments
 * and their reactions, commit statuses. Every answer is built from GitHub's own examples in
 * `@octokit/openapi` and validated by the fake. Used by the `@dstack/triggers` tests.
 *
 * Rules it follows, and where GitHub documents them:
 * - a user's role (docs.github.com/rest/collaborators/collaborators#get-repository-permissions-for-a-user):
 *   `role_name` is the role, `permission` the legacy level (`maintain` reads `write`, `triage`
 *   reads `read`, a custom role its base); a user not listed reads `read` (a public repository);
 *   a login in `missingUsers` is `404`;
 * - the commits of a pull request (docs.github.com/rest/pulls/pulls#list-commits-on-a-pull-request):
 *   pages of `per_page` (default 30, at most 100) with a `Link` header, at most 250 commits;
 * - the repository activity log (docs.github.com/rest/repos/repos#list-repository-activities):
 *   one entry per change of a branch with GitHub's time, `before` and `after`; newest first by
 *   default (`direction`), filtered by `ref` (`refs/heads/NAME` or `NAME`), pages of `per_page`
 *   (default 30, at most 100) chained by an `after` cursor in the `Link` header. Each pull
 *   request of this repository starts with one push of its commits at `pushedAt`; {@link PullsModel.push}
 *   adds more;
 * - a label removal answers the labels left, `404` when the label is not on the issue;
 * - only the comment's author may edit it here (the token's user is `botLogin`).
 *
 * Private to the workspaces; imported by tests only.
 *
 * @module
 */
import {
  type FakeGitHub,
  type FakeHandler,
  type FakeReply,
  type FakeRequest,
  openApiExample,
  startFakeGitHub,
} from "./github.js";

/** A pull request of the model. */
export interface ModelPullRequest {
  number: number;
  /** Commits, oldest first; the last is the head. Full 40-hex SHAs. */
  commits: string[];
  /** The head branch. Default `feature`. */
  headRef?: string;
  /** The base branch. Default `main`. */
  baseRef?: string;
  /** `owner/name` of the head repository when it is a fork; absent: the base repository. */
  forkOf?: string;
  /** Default `open`. */
  state?: "open" | "closed";
  /** Label names. */
  labels?: string[];
}

/** A comment of the model. */
export interface ModelComment {
  id: number;
  issueNumber: number;
  body: string;
  login: string;
}

/** A commit status of the model. */
export interface ModelStatus {
  sha: string;
  state: string;
  context: string;
  description?: string;
  targetUrl?: string;
}

/** A change of a branch in the repository activity log. */
export interface ModelActivity {
  /** The full ref, `refs/heads/NAME`. */
  ref: string;
  /** GitHub's time of the change, ISO 8601. */
  timestamp: string;
  activityType: "push" | "force_push" | "branch_creation" | "branch_deletion";
  before: string;
  after: string;
  /** Who pushed (login). */
  actor: string;
}

/** Options of {@link createPullsModel}. */
export interface PullsModelOptions {
  /** Default `octo-org`. */
  owner?: string;
  /** Default `octo-repo`. */
  repo?: string;
  /** Roles by login: `admin`, `maintain`, `write`, `triage`, `read`, or a custom role's name. */
  roles?: Record<string, string>;
  /** Base levels of custom roles (`role name -> read | write | admin`). */
  customRoles?: Record<string, "read" | "write" | "admin">;
  /** Logins that do not exist (`404`). */
  missingUsers?: string[];
  /** The pull requests. */
  pulls?: ModelPullRequest[];
  /** Comments already there. */
  comments?: Omit<ModelComment, "id">[];
  /** The token's user, author of the comments it creates. Default `github-actions[bot]`. */
  botLogin?: string;
  /** When the pull requests' commits were pushed, ISO 8601. Default `2011-01-26T19:01:12Z`. */
  pushedAt?: string;
}

/** The model: state the tests read, and routes for {@link startFakeGitHub}. */
export interface PullsModel {
  readonly owner: string;
  readonly repo: string;
  readonly pulls: ModelPullRequest[];
  readonly comments: ModelComment[];
  readonly reactions: { commentId: number; content: string }[];
  readonly statuses: ModelStatus[];
  /** The repository activity log, oldest first. */
  readonly activity: ModelActivity[];
  /**
   * Pushes `commits` to pull request `number`'s head branch at `at` (ISO 8601): appended to its
   * commits, or, with `force`, replacing them; recorded in the activity log.
   */
  push(number: number, commits: string[], o: { at: string; force?: boolean; actor?: string }): void;
  readonly routes: Record<string, FakeHandler>;
}

/** Route keys the model serves. */
export const PULLS_ROUTES = {
  permission: "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
  getPull: "GET /repos/{owner}/{repo}/pulls/{pull_number}",
  listCommits: "GET /repos/{owner}/{repo}/pulls/{pull_number}/commits",
  react: "POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
  listComments: "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
  createComment: "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
  updateComment: "PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}",
  removeLabel: "DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}",
  createStatus: "POST /repos/{owner}/{repo}/statuses/{sha}",
  listActivity: "GET /repos/{owner}/{repo}/activity",
} as const;

const notFound = (): FakeReply => ({
  status: 404,
  body: {
    message: "Not Found",
    documentation_url: "https://docs.github.com/rest",
    status: "404",
  },
});

const LEGACY: Record<string, string> = {
  admin: "admin",
  maintain: "write",
  write: "write",
  triage: "read",
  read: "read",
};

const user = (login: string, base: Record<string, unknown>) => ({
  ...base,
  login,
  type: login.endsWith("[bot]") ? "Bot" : "User",
});

/** Creates the model; serve it with {@link startFakePulls}. */
export function createPullsModel(options: PullsModelOptions = {}): PullsModel {
  const owner = options.owner ?? "octo-org";
  const repo = options.repo ?? "octo-repo";
  const botLogin = options.botLogin ?? "github-actions[bot]";
  const pulls = options.pulls ?? [];
  let nextId = 1000;
  const comments: ModelComment[] = (options.comments ?? []).map((c) => ({ ...c, id: nextId++ }));
  const reactions: PullsModel["reactions"] = [];
  const statuses: ModelStatus[] = [];
  const pushedAt = options.pushedAt ?? "2011-01-26T19:01:12Z";
  const ZERO = "0".repeat(40);
  const activity: ModelActivity[] = pulls
    .filter((p) => p.forkOf === undefined && p.commits.length > 0)
    .map((p) => ({
      ref: `refs/heads/${p.headRef ?? "feature"}`,
      timestamp: pushedAt,
      activityType: "push" as const,
      before: ZERO,
      after: p.commits.at(-1) ?? ZERO,
      actor: "octocat",
    }));
  const push: PullsModel["push"] = (number, pushed, o) => {
    const pr = pulls.find((p) => p.number === number);
    if (!pr) throw new Error(`no pull request #${number} in the model`);
    const before = pr.commits.at(-1) ?? ZERO;
    pr.commits = o.force ? [...pushed] : [...pr.commits, ...pushed];
    activity.push({
      ref: `refs/heads/${pr.headRef ?? "feature"}`,
      timestamp: o.at,
      activityType: o.force ? "force_push" : "push",
      before,
      after: pr.commits.at(-1) ?? ZERO,
      actor: o.actor ?? "octocat",
    });
  };
  const pullOf = (r: FakeRequest, key: string) =>
    pulls.find((p) => String(p.number) === r.params[key]);
  const ours = (r: FakeRequest) => r.params.owner === owner && r.params.repo === repo;

  const commentBody = (c: ModelComment) => {
    const body = openApiExample("issue-comment");
    return {
      ...body,
      id: c.id,
      body: c.body,
      user: user(c.login, body.user as Record<string, unknown>),
      html_url: `https://github.com/${owner}/${repo}/pull/${c.issueNumber}#issuecomment-${c.id}`,
      url: `https://api.github.com/repos/${owner}/${repo}/issues/comments/${c.id}`,
    };
  };

  const routes: Record<string, FakeHandler> = {
    [PULLS_ROUTES.permission]: (r) => {
      const login = r.params.username ?? "";
      if (!ours(r) || options.missingUsers?.includes(login)) return notFound();
      const role = options.roles?.[login] ?? "read";
      const permission = LEGACY[role] ?? options.customRoles?.[role] ?? "read";
      const body = openApiExample(
        "repository-collaborator-permission-response-if-user-has-admin-permissions",
      );
      return {
        status: 200,
        body: {
          ...body,
          permission,
          role_name: role,
          // The example's user lacks `role_name`, which the schema of a collaborator requires.
          user: { ...user(login, body.user as Record<string, unknown>), role_name: role },
        },
      };
    },
    [PULLS_ROUTES.getPull]: (r) => {
      const pr = pullOf(r, "pull_number");
      if (!ours(r) || !pr) return notFound();
      const body = openApiExample("pull-request") as Record<string, Record<string, unknown>>;
      const head = body.head ?? {};
      const base = body.base ?? {};
      const baseRepo = {
        ...(base.repo as Record<string, unknown>),
        id: 1,
        name: repo,
        full_name: `${owner}/${repo}`,
      };
      const headRepo = pr.forkOf
        ? {
            ...(base.repo as Record<string, unknown>),
            id: 2,
            name: pr.forkOf.split("/")[1],
            full_name: pr.forkOf,
            fork: true,
          }
        : baseRepo;
      return {
        status: 200,
        body: {
          ...body,
          number: pr.number,
          state: pr.state ?? "open",
          html_url: `https://github.com/${owner}/${repo}/pull/${pr.number}`,
          labels: [],
          // The example's teams lack `type`, which the schema requires; none are requested here.
          requested_teams: [],
          head: { ...head, ref: pr.headRef ?? "feature", sha: pr.commits.at(-1), repo: headRepo },
          base: { ...base, ref: pr.baseRef ?? "main", repo: baseRepo },
          commits: pr.commits.length,
        },
      };
    },
    [PULLS_ROUTES.listCommits]: (r) => {
      const pr = pullOf(r, "pull_number");
      if (!ours(r) || !pr) return notFound();
      const perPage = Math.min(100, Number(r.query.get("per_page") ?? 30));
      const page = Math.max(1, Number(r.query.get("page") ?? 1));
      const all = pr.commits.slice(0, 250);
      const slice = all.slice((page - 1) * perPage, page * perPage);
      const template =
        (openApiExample("commit-items") as unknown as Record<string, unknown>[])[0] ?? {};
      const headers: Record<string, string> = {};
      if (page * perPage < all.length) {
        const next = new URL(
          `http://${r.headers.host}/repos/${owner}/${repo}/pulls/${pr.number}/commits`,
        );
        next.searchParams.set("per_page", String(perPage));
        next.searchParams.set("page", String(page + 1));
        headers.link = `<${next.href}>; rel="next"`;
      }
      return {
        status: 200,
        headers,
        body: slice.map((sha) => ({ ...template, sha })),
      };
    },
    [PULLS_ROUTES.react]: (r) => {
      const id = Number(r.params.comment_id);
      if (!ours(r) || !comments.some((c) => c.id === id)) return notFound();
      const content = (r.body as { content: string }).content;
      reactions.push({ commentId: id, content });
      return { status: 201, body: { ...openApiExample("reaction"), content } };
    },
    [PULLS_ROUTES.listComments]: (r) => {
      const n = Number(r.params.issue_number);
      if (!ours(r)) return notFound();
      const perPage = Math.min(100, Number(r.query.get("per_page") ?? 30));
      const page = Math.max(1, Number(r.query.get("page") ?? 1));
      const all = comments.filter((c) => c.issueNumber === n);
      const headers: Record<string, string> = {};
      if (page * perPage < all.length) {
        const next = new URL(
          `http://${r.headers.host}/repos/${owner}/${repo}/issues/${n}/comments`,
        );
        next.searchParams.set("per_page", String(perPage));
        next.searchParams.set("page", String(page + 1));
        headers.link = `<${next.href}>; rel="next"`;
      }
      return {
        status: 200,
        headers,
        body: all.slice((page - 1) * perPage, page * perPage).map(commentBody),
      };
    },
    [PULLS_ROUTES.createComment]: (r) => {
      if (!ours(r)) return notFound();
      const c: ModelComment = {
        id: nextId++,
        issueNumber: Number(r.params.issue_number),
        body: (r.body as { body: string }).body,
        login: botLogin,
      };
      comments.push(c);
      return { status: 201, body: commentBody(c) };
    },
    [PULLS_ROUTES.updateComment]: (r) => {
      const c = comments.find((x) => x.id === Number(r.params.comment_id));
      if (!ours(r) || !c) return notFound();
      if (c.login !== botLogin) {
        return {
          status: 422,
          body: { message: "only the author edits a comment in this model", documentation_url: "" },
        };
      }
      c.body = (r.body as { body: string }).body;
      return { status: 200, body: commentBody(c) };
    },
    [PULLS_ROUTES.removeLabel]: (r) => {
      const pr = pullOf(r, "issue_number");
      const name = r.params.name ?? "";
      if (!ours(r) || !pr?.labels?.includes(name)) return notFound();
      pr.labels = pr.labels.filter((l) => l !== name);
      const template =
        (openApiExample("label-items-2") as unknown as Record<string, unknown>[])[0] ?? {};
      return { status: 200, body: pr.labels.map((l) => ({ ...template, name: l })) };
    },
    [PULLS_ROUTES.listActivity]: (r) => {
      if (!ours(r)) return notFound();
      const ref = r.query.get("ref");
      const full = ref === null ? null : ref.startsWith("refs/") ? ref : `refs/heads/${ref}`;
      const matching = activity
        .map((a, i) => ({ a, id: 5000 + i }))
        .filter(({ a }) => full === null || a.ref === full);
      if (r.query.get("direction") !== "asc") matching.reverse();
      const perPage = Math.min(100, Number(r.query.get("per_page") ?? 30));
      // The cursor is the position after the last item of the previous page.
      const start = Number(r.query.get("after") ?? 0);
      const slice = matching.slice(start, start + perPage);
      const headers: Record<string, string> = {};
      if (start + perPage < matching.length) {
        const next = new URL(`http://${r.headers.host}/repos/${owner}/${repo}/activity`);
        for (const [k, v] of r.query) if (k !== "after") next.searchParams.set(k, v);
        next.searchParams.set("after", String(start + perPage));
        headers.link = `<${next.href}>; rel="next"`;
      }
      const actor = openApiExample("simple-user");
      return {
        status: 200,
        headers,
        body: slice.map(({ a, id }) => ({
          id,
          node_id: Buffer.from(`Activity${id}`).toString("base64"),
          before: a.before,
          after: a.after,
          ref: a.ref,
          timestamp: a.timestamp,
          activity_type: a.activityType,
          actor: user(a.actor, actor),
        })),
      };
    },
    [PULLS_ROUTES.createStatus]: (r) => {
      if (!ours(r)) return notFound();
      const b = r.body as {
        state: string;
        context?: string;
        description?: string;
        target_url?: string;
      };
      const status: ModelStatus = {
        sha: r.params.sha ?? "",
        state: b.state,
        context: b.context ?? "default",
        ...(b.description !== undefined ? { description: b.description } : {}),
        ...(b.target_url !== undefined ? { targetUrl: b.target_url } : {}),
      };
      statuses.push(status);
      return {
        status: 201,
        body: {
          ...openApiExample("status"),
          state: status.state,
          context: status.context,
          description: status.description ?? null,
          target_url: status.targetUrl ?? null,
        },
      };
    },
  };
  return { owner, repo, pulls, comments, reactions, statuses, activity, push, routes };
}

/** A running fake GitHub serving a {@link PullsModel}. */
export interface FakePulls {
  github: FakeGitHub;
  model: PullsModel;
}

/** Starts a fake GitHub that serves a new {@link PullsModel}; close it with `github.close()`. */
export async function startFakePulls(options: PullsModelOptions = {}): Promise<FakePulls> {
  const model = createPullsModel(options);
  const github = await startFakeGitHub(model.routes);
  return { github, model };
}
