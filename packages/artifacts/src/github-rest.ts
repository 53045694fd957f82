/**
 * The GitHub store's REST side: `@octokit/rest` with the retry and throttling plugins, imported on
 * first use, the few routes the store reads, and one error type for GitHub's refusals.
 *
 * @module
 */
import type { Octokit } from "@octokit/rest";
import { StoreError, type StoreErrorCode } from "./errors.js";
import type { WorkflowRunFacts } from "./trust.js";

/**
 * Why a {@link GitHubStoreError} happened, finer than its `code`:
 * - `permission`: GitHub answered 403; the message names the missing permission (`actions: read`);
 * - `unauthorized`: GitHub answered 401 (a bad or expired token);
 * - `unreachable`: the API could not be reached or answered 5xx, after the retries;
 * - `expired`: the tag's or run's newest artifact has expired (the message says when);
 * - `digest-mismatch`: a download did not hash to the digest GitHub lists;
 * - `duplicate`: an artifact of that name already exists in this workflow run;
 * - `untrusted`: artifacts of that name exist, but none from a trusted workflow run (`trust.ts`);
 * - `api`: any other refusal by GitHub.
 */
export type GitHubErrorReason =
  | "permission"
  | "unauthorized"
  | "unreachable"
  | "expired"
  | "digest-mismatch"
  | "duplicate"
  | "untrusted"
  | "api";

/** A {@link StoreError} of the GitHub store, with a finer {@link GitHubErrorReason}. */
export class GitHubStoreError extends StoreError {
  /** See {@link GitHubErrorReason}. */
  readonly reason: GitHubErrorReason;

  constructor(
    code: StoreErrorCode,
    reason: GitHubErrorReason,
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
  /** Listing page size, 1 to 100. */
  pageSize: number;
}

/** The REST client: `@octokit/rest` with the retry and throttling plugins. */
type RestClient = Octokit;

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

  /** The REST client, made (and its modules imported) on first use. */
  private octokit(): Promise<RestClient> {
    this.client ??= (async () => {
      const [{ Octokit }, { retry }, { throttling }] = await Promise.all([
        import("@octokit/rest"),
        import("@octokit/plugin-retry"),
        import("@octokit/plugin-throttling"),
      ]);
      const retries = this.o.retries;
      return new (Octokit.plugin(retry, throttling))({
        auth: this.o.token,
        baseUrl: this.o.apiUrl,
        userAgent: "dstack-artifacts",
        log: { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} },
        retry: { retries, retryAfterBaseValue: this.o.retryBaseMs },
        throttle: {
          onRateLimit: (_after: number, _o: unknown, _k: unknown, count: number) => count < retries,
          onSecondaryRateLimit: (_after: number, _o: unknown, _k: unknown, count: number) =>
            count < retries,
        },
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
   * {@link GitHubStoreError}: 403 `permission` (naming `actions: read`), 401 `unauthorized`,
   * 404 `not-found`, 5xx or no answer `unreachable`, else `api`. A StoreError passes through.
   */
  error(what: string, e: unknown): StoreError {
    if (e instanceof StoreError) return e;
    const status = (e as { status?: unknown } | null)?.status;
    const response = (e as { response?: unknown } | null)?.response;
    const detail = (e instanceof Error ? e.message : String(e)).replaceAll("\n", " ");
    const repo = `${this.o.owner}/${this.o.repo}`;
    if (status === 403) {
      return new GitHubStoreError(
        "io",
        "permission",
        `${what}: GitHub answered 403 (${detail}): the token needs the "actions: read" permission on ${repo} (in a workflow: permissions: { actions: read }; for another repository, a token with access to it)`,
        { cause: e },
      );
    }
    if (status === 401) {
      return new GitHubStoreError(
        "io",
        "unauthorized",
        `${what}: GitHub refused the token (401 ${detail}); check github-token`,
        { cause: e },
      );
    }
    if (status === 404) {
      return new GitHubStoreError(
        "not-found",
        "api",
        `${what}: GitHub answered 404 (${detail}): ${repo} does not exist or the token cannot see it`,
        { cause: e },
      );
    }
    if (typeof status === "number" && (status >= 500 || response === undefined)) {
      return new GitHubStoreError(
        "io",
        "unreachable",
        `${what}: cannot reach the GitHub API at ${this.o.apiUrl} (${this.o.retries} retries): ${detail}`,
        { cause: e },
      );
    }
    if (typeof status === "number") {
      return new GitHubStoreError("io", "api", `${what}: GitHub answered ${status} (${detail})`, {
        cause: e,
      });
    }
    return new GitHubStoreError("io", "api", `${what}: ${detail}`, { cause: e });
  }
}
