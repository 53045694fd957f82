/**
 * The one stand-in for GitHub's Actions artifacts REST routes, served by every fake that has
 * artifacts: the Actions model (`actions-model.ts`, artifacts of its completed runs) and the REST
 * side of the results-service fake (`artifacts-rest.ts`, artifacts uploaded through Azurite).
 *
 * Routes (docs.github.com/rest/actions/artifacts):
 * - `GET /repos/{o}/{r}/actions/artifacts?name=`: every artifact of the repository, by name;
 * - `GET /repos/{o}/{r}/actions/runs/{run_id}/artifacts`: a run's artifacts (404 for an unknown
 *   run, when the source knows its runs);
 * - `GET /repos/{o}/{r}/actions/artifacts/{artifact_id}`;
 * - `GET /repos/{o}/{r}/actions/artifacts/{artifact_id}/{archive_format}`: `302` to the blob,
 *   `410` once expired.
 *
 * Lists are newest first and page as GitHub pages them: `per_page` (default 30, at most 100),
 * `page`, and a `Link` header with `rel="next"` while more remain.
 *
 * @module
 */
import type { FakeHandler, FakeReply, FakeRequest } from "./github.js";

/** One artifact as the REST API reports it, before it becomes JSON. */
export interface RestArtifact {
  id: number;
  name: string;
  /** Bytes. */
  sizeInBytes: number;
  /** ISO 8601. */
  createdAt: string;
  /** ISO 8601. */
  expiresAt: string;
  /** `sha256:<hex>`, or `null` when unknown. */
  digest: string | null;
  /** The workflow run that uploaded it. */
  run: {
    id: number;
    repositoryId: number;
    headRepositoryId: number;
    headBranch: string;
    headSha: string;
  };
}

/** Where {@link artifactRoutes} reads its artifacts and how it guards its routes. */
export interface ArtifactRoutesOptions {
  /**
   * The fake's base URL (known once it listens), for `url` fields and `Link` headers. Default:
   * `http://<Host header>`, the address the client called.
   */
  apiUrl?: () => string;
  /** Every artifact of the repository, in any order. */
  artifacts: () => RestArtifact[];
  /** The clock deciding what has expired (ms since the epoch). Default `Date.now`. */
  now?: () => number;
  /**
   * Answers a request before the route does (403 for a token without access, 404 for another
   * repository); `undefined` lets the route answer.
   */
  guard?: (req: FakeRequest) => FakeReply | undefined;
  /** Whether a workflow run exists; an unknown one's list is 404. Default: every run exists. */
  runExists?: (runId: number) => boolean;
  /**
   * Deletes an artifact by id (`DELETE .../actions/artifacts/{id}`, `204`; `404` when it answers
   * false). Without it that route is not served.
   */
  remove?: (artifactId: number) => boolean | Promise<boolean>;
  /** Where the archive of an artifact is (the `302` target); default a URL under `apiUrl`. */
  downloadUrl?: (artifact: RestArtifact) => string;
}

/** The route keys {@link artifactRoutes} serves, as the OpenAPI fake names routes. */
export const ARTIFACT_ROUTES = {
  listRepoArtifacts: "GET /repos/{owner}/{repo}/actions/artifacts",
  listRunArtifacts: "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts",
  getArtifact: "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}",
  downloadArtifact: "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}",
  deleteArtifact: "DELETE /repos/{owner}/{repo}/actions/artifacts/{artifact_id}",
} as const;

function notFound(docs: string): FakeReply {
  return {
    status: 404,
    body: { message: "Not Found", documentation_url: `https://docs.github.com/rest/${docs}` },
  };
}

/**
 * The handlers of {@link ARTIFACT_ROUTES}, for `startFakeGitHub`.
 *
 * @param options - see {@link ArtifactRoutesOptions}.
 */
export function artifactRoutes(options: ArtifactRoutesOptions): Record<string, FakeHandler> {
  const now = options.now ?? Date.now;
  const apiUrl = (req: FakeRequest) => options.apiUrl?.() ?? `http://${String(req.headers.host)}`;
  const base = (req: FakeRequest) => `${apiUrl(req)}/repos/${req.params.owner}/${req.params.repo}`;
  const toJson = (req: FakeRequest, a: RestArtifact): Record<string, unknown> => {
    const url = `${base(req)}/actions/artifacts/${a.id}`;
    return {
      id: a.id,
      node_id: Buffer.from(`Artifact${a.id}`).toString("base64"),
      name: a.name,
      size_in_bytes: a.sizeInBytes,
      url,
      archive_download_url: `${url}/zip`,
      expired: Date.parse(a.expiresAt) <= now(),
      created_at: a.createdAt,
      expires_at: a.expiresAt,
      updated_at: a.createdAt,
      digest: a.digest,
      workflow_run: {
        id: a.run.id,
        repository_id: a.run.repositoryId,
        head_repository_id: a.run.headRepositoryId,
        head_branch: a.run.headBranch,
        head_sha: a.run.headSha,
      },
    };
  };
  const page = (req: FakeRequest, pathname: string, items: RestArtifact[]): FakeReply => {
    const query = new URLSearchParams(req.query);
    const perPage = Math.min(100, Number(query.get("per_page") ?? 30) || 30);
    const n = Math.max(1, Number(query.get("page") ?? 1) || 1);
    const sorted = [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
    const headers: Record<string, string> = {};
    if (n * perPage < sorted.length) {
      query.set("page", String(n + 1));
      headers.link = `<${apiUrl(req)}${pathname}?${query}>; rel="next"`;
    }
    return {
      status: 200,
      headers,
      body: {
        total_count: sorted.length,
        artifacts: sorted.slice((n - 1) * perPage, n * perPage).map((a) => toJson(req, a)),
      },
    };
  };
  const guarded =
    (handler: FakeHandler): FakeHandler =>
    (req, context) =>
      options.guard?.(req) ?? handler(req, context);
  const find = (req: FakeRequest) =>
    options.artifacts().find((a) => a.id === Number(req.params.artifact_id));
  const { remove } = options;
  return {
    ...(remove
      ? {
          [ARTIFACT_ROUTES.deleteArtifact]: guarded(async (req) =>
            (await remove(Number(req.params.artifact_id)))
              ? { status: 204 }
              : notFound("actions/artifacts#delete-an-artifact"),
          ),
        }
      : {}),
    [ARTIFACT_ROUTES.listRepoArtifacts]: guarded((req) => {
      const name = req.query.get("name");
      const items = options.artifacts().filter((a) => !name || a.name === name);
      return page(req, new URL(`${base(req)}/actions/artifacts`).pathname, items);
    }),
    [ARTIFACT_ROUTES.listRunArtifacts]: guarded((req) => {
      const runId = Number(req.params.run_id);
      if (options.runExists !== undefined && !options.runExists(runId)) {
        return notFound("actions/artifacts#list-workflow-run-artifacts");
      }
      const items = options.artifacts().filter((a) => a.run.id === runId);
      return page(req, new URL(`${base(req)}/actions/runs/${runId}/artifacts`).pathname, items);
    }),
    [ARTIFACT_ROUTES.getArtifact]: guarded((req) => {
      const a = find(req);
      return a === undefined
        ? notFound("actions/artifacts#get-an-artifact")
        : { status: 200, body: toJson(req, a) };
    }),
    [ARTIFACT_ROUTES.downloadArtifact]: guarded((req) => {
      const a = find(req);
      if (a === undefined) return notFound("actions/artifacts#download-an-artifact");
      if (Date.parse(a.expiresAt) <= now()) {
        return { status: 410, body: { message: "Artifact has expired", documentation_url: "" } };
      }
      const location = options.downloadUrl?.(a) ?? `${base(req)}/actions/artifacts/${a.id}/blob`;
      return { status: 302, headers: { location } };
    }),
  };
}
