/**
 * The GitHub store's REST side: the client of `@dstack/github` (imported on first use), the few
 * routes the store reads, and GitHub's refusals as {@link GitHubStoreError}s.
 *
 * @module
 */
import type { GitHubClient } from "@dstack/github/client";
import { type GitHubErrorReason, restError } from "@dstack/github/errors";
import { StoreError, type StoreErrorCode } from "./errors.js";
import type { WorkflowRunFacts } from "./trust.js";

/**
 * Why a {@link GitHubStoreError} happened, finer than its `code` (a REST failure's reason is
 * the `GitHubError` of `@dstack/github` that is its `cause`):
 * - `permission`: GitHub answered 403; the message names the missing permission (`actions: read`);
 * - `unauthorized`: GitHub answered 401 (a bad or expired token);
 * - `unreachable`: the API could not be reached or answered 5xx, after the retries;
 * - `expired`: the tag's or run's newest artifact has expired (the message says when);
 * - `digest-mismatch`: a download did not hash to the digest GitHub lists;
 * - `duplicate`: an artifact of that name already exists in this workflow run;
 * - `untrusted`: artifacts of that name exist, but none from a trusted workflow run (`trust.ts`);
 * - `api`: any other refusal by GitHub.
 */
export type GitHubStoreErrorReason =
  | "permission"
  | "unauthorized"
  | "unreachable"
  | "expired"
  | "digest-mismatch"
  | "duplicate"
  | "untrusted"
  | "api";

/** A {@link StoreError} of the GitHub store, with a finer {@link GitHubStoreErrorReason}. */
export class GitHubStoreError extends StoreError {
  /** See {@link GitHubStoreErrorReason}. */
  readonly reason: GitHubStoreErrorReason;

  constructor(
    code: StoreErrorCode,
    reason: GitHubStoreErrorReason,
    message: string,
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.name = "GitHubStoreError";
    this.reason = reason;
  }
}

/** An artifact as the REST API lists it (the fields the store reads). */
export interface RestArtifact {
  id: number;
  name: string;
  size_in_bytes: number;
  expired: boolean;
  created_at: string | null;
  expires_at: string | null;
  digest?: string | null;
  workflow_run?: { id?: number; head_repository_id?: number } | null;
}

/** Orders artifacts newest first: by `created_at`, then by id (GitHub's ids grow). */
export function newestArtifactFirst(a: RestArtifact, b: RestArtifact): number {
  return (b.created_at ?? "").localeCompare(a.created_at ?? "") || b.id - a.id;
}

/** Options of {@link ArtifactsRest}. */
export interface ArtifactsRestOptions {
  token: string;
  owner: string;
  repo: string;
  /** The REST API root, without a trailing `/`. */
  apiUrl: string;
  /** Retries of a failed call (5xx, network errors, rate limits). */
  retries: number;
  /** The base of the retry back-off in milliseconds (waits base x 1, 4, 9, ...). */
  retryBaseMs: number;
  /** The least time between two writes in milliseconds; default the client's (a second). */
  writeSpacingMs?: number;
  /** Listing page size, 1 to 100. */
  pageSize: number;
  /** What a refused token's message tells to check (the caller's words for where it came from). */
  tokenHint: string;
}

/** The REST client of `@dstack/github`. */
type RestClient = GitHubClient;

/** How a {@link GitHubError}'s reason reads as the store's code and reason. */
const STORE_REASONS: Partial<Record<GitHubErrorReason, [StoreErrorCode, GitHubStoreErrorReason]>> =
  {
    permission: ["io", "permission"],
    unauthorized: ["io", "unauthorized"],
    unreachable: ["io", "unreachable"],
    "not-found": ["not-found", "api"],
  };

/**
 * The routes the GitHub store reads. Holds its client, made on first use: Octokit is imported
 * then, so a step that never asks GitHub anything does not load it at start.
 *
 * Every method rejects with a {@link GitHubStoreError} (see {@link ArtifactsRest.error}).
 */
export class ArtifactsRest {
  private readonly o: ArtifactsRestOptions;
  private client: Promise<RestClient> | undefined;

  constructor(options: ArtifactsRestOptions) {
    this.o = options;
  }

  /**
   * The REST client, made on first use: `@dstack/github/client` (and Octokit with it) is
   * imported then, so a step that never asks GitHub anything does not load it at start.
   */
  private octokit(): Promise<RestClient> {
    this.client ??= (async () => {
      const { createGitHubClient } = await import("@dstack/github/client");
      return createGitHubClient({
        token: this.o.token,
        apiUrl: this.o.apiUrl,
        userAgent: "dstack-artifacts",
        retries: this.o.retries,
        retryBaseMs: this.o.retryBaseMs,
        ...(this.o.writeSpacingMs !== undefined ? { writeSpacingMs: this.o.writeSpacingMs } : {}),
      });
    })();
    return this.client;
  }

  private get repoPath(): string {
    return `/repos/${this.o.owner}/${this.o.repo}`;
  }

  /** `GET /repos/{o}/{r}/actions/artifacts?name=`: every artifact of that name, all pages. */
  async listNamed(name: string): Promise<RestArtifact[]> {
    return (await this.call(`GET ${this.repoPath}/actions/artifacts`, (octokit) =>
      octokit.paginate(octokit.rest.actions.listArtifactsForRepo, {
        owner: this.o.owner,
        repo: this.o.repo,
        name,
        per_page: this.o.pageSize,
      }),
    )) as RestArtifact[];
  }

  /** `GET /repos/{o}/{r}/actions/artifacts`: every artifact of the repository, all pages. */
  async listAll(): Promise<RestArtifact[]> {
    return (await this.call(`GET ${this.repoPath}/actions/artifacts`, (octokit) =>
      octokit.paginate(octokit.rest.actions.listArtifactsForRepo, {
        owner: this.o.owner,
        repo: this.o.repo,
        per_page: this.o.pageSize,
      }),
    )) as RestArtifact[];
  }

  /**
   * `DELETE /repos/{o}/{r}/actions/artifacts/{id}` (docs.github.com/rest/actions/artifacts#delete-an-artifact):
   * needs `actions: write`; an artifact already gone (404) is fine.
   */
  async deleteArtifact(id: number): Promise<void> {
    const what = `DELETE ${this.repoPath}/actions/artifacts/${id}`;
    try {
      await (await this.octokit()).rest.actions.deleteArtifact({
        owner: this.o.owner,
        repo: this.o.repo,
        artifact_id: id,
      });
    } catch (e) {
      const status = (e as { status?: unknown } | null)?.status;
      if (status === 404) return;
      const failed = this.error(what, e);
      if (status === 403 && failed instanceof GitHubStoreError && failed.reason === "permission") {
        throw new GitHubStoreError(
          "io",
          "permission",
          `${what}: 403: the token needs the "actions: write" permission on ${this.o.owner}/${this.o.repo} to delete artifacts (a fine-grained token with Actions: read and write, or a classic token with repo)`,
          { cause: failed },
        );
      }
      throw failed;
    }
  }

  /** `GET /repos/{o}/{r}/actions/runs/{id}/artifacts`: every artifact of a run, all pages. */
  async listOfRun(runId: number): Promise<RestArtifact[]> {
    return (await this.call(`GET ${this.repoPath}/actions/runs/${runId}/artifacts`, (octokit) =>
      octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
        owner: this.o.owner,
        repo: this.o.repo,
        run_id: runId,
        per_page: this.o.pageSize,
      }),
    )) as RestArtifact[];
  }

  /**
   * `GET /repos/{o}/{r}/actions/workflows/{file}/runs?branch=&status=success`: one page of a
   * workflow file's successful runs on a branch, newest first (docs.github.com/rest/actions/
   * workflow-runs#list-workflow-runs-for-a-workflow). A 404 (no such workflow file) is no runs.
   */
  async listSuccessfulRuns(options: {
    workflowFile: string;
    branch: string;
    page: number;
    perPage: number;
  }): Promise<(WorkflowRunFacts & { htmlUrl: string })[]> {
    try {
      const { data } = await (await this.octokit()).rest.actions.listWorkflowRuns({
        owner: this.o.owner,
        repo: this.o.repo,
        workflow_id: options.workflowFile,
        branch: options.branch,
        status: "success",
        per_page: options.perPage,
        page: options.page,
      });
      return data.workflow_runs.map((r) => ({
        id: r.id,
        event: r.event,
        path: r.path,
        headBranch: r.head_branch ?? null,
        headRepositoryId: r.head_repository?.id ?? null,
        htmlUrl: r.html_url,
      }));
    } catch (e) {
      if ((e as { status?: unknown } | null)?.status === 404) return [];
      throw this.error(`GET ${this.repoPath}/actions/workflows/${options.workflowFile}/runs`, e);
    }
  }

  /** `GET /repos/{o}/{r}`: the id and default branch, for the trust rules. */
  async getRepository(): Promise<{ id: number; defaultBranch: string }> {
    const { data } = await this.call(`GET ${this.repoPath}`, (octokit) =>
      octokit.rest.repos.get({ owner: this.o.owner, repo: this.o.repo }),
    );
    return { id: data.id, defaultBranch: data.default_branch };
  }

  /** `GET /repos/{o}/{r}/actions/runs/{id}`: what the trust rules read; undefined on 404. */
  async getRun(runId: number): Promise<WorkflowRunFacts | undefined> {
    try {
      const { data } = await (await this.octokit()).rest.actions.getWorkflowRun({
        owner: this.o.owner,
        repo: this.o.repo,
        run_id: runId,
      });
      return {
        id: data.id,
        event: data.event,
        path: data.path,
        headBranch: data.head_branch ?? null,
        headRepositoryId: data.head_repository?.id ?? null,
        title: data.display_title,
        ...(data.triggering_actor?.login ? { actor: data.triggering_actor.login } : {}),
      };
    } catch (e) {
      if ((e as { status?: unknown } | null)?.status === 404) return undefined;
      throw this.error(`GET ${this.repoPath}/actions/runs/${runId}`, e);
    }
  }

  /** Runs a REST call, turning its failure into a {@link GitHubStoreError}. */
  private async call<T>(what: string, fn: (octokit: RestClient) => Promise<T>): Promise<T> {
    try {
      return await fn(await this.octokit());
    } catch (e) {
      throw this.error(what, e);
    }
  }

  /**
   * A failure of GitHub (a REST call, or the artifact client's download through it) as a
   * {@link GitHubStoreError} whose `cause` is the `GitHubError` of `@dstack/github`: 403
   * `permission` (naming `actions: read`), 401 `unauthorized`, 404 `not-found`, 5xx or no
   * answer `unreachable`, else `api`. A StoreError passes through; a failure without an HTTP
   * status (the artifact client's own) is `api` with its message.
   */
  error(what: string, e: unknown): StoreError {
    if (e instanceof StoreError) return e;
    const detail = (e instanceof Error ? e.message : String(e)).replaceAll("\n", " ");
    if (typeof (e as { status?: unknown } | null)?.status !== "number") {
      return new GitHubStoreError("io", "api", `${what}: ${detail}`, { cause: e });
    }
    const repo = `${this.o.owner}/${this.o.repo}`;
    const g = restError(what, e, this.o.apiUrl, {
      retries: this.o.retries,
      hint: {
        permission: `the token needs the "actions: read" permission on ${repo} (in a workflow: permissions: { actions: read }; for another repository, a token with access to it)`,
        "not-found": `${repo} does not exist or the token cannot see it`,
        unauthorized: this.o.tokenHint,
      },
    });
    const [code, reason] = STORE_REASONS[g.reason] ?? ["io", "api"];
    return new GitHubStoreError(code, reason, g.message, { cause: g });
  }
}
