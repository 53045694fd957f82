/**
 * The REST side of Actions artifacts over the results-service fake ({@link startArtifactsRestApi}),
 * on the OpenAPI-validated GitHub fake, and the registry of workflow runs both fakes share.
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import { workflowRunJson } from "./actions-model.js";
import { artifactRoutes, type RestArtifact } from "./artifact-routes.js";
import { CONTENTS_ROUTES, createContentsModel } from "./contents-model.js";
import { type FakeGitHub, startFakeGitHub } from "./github.js";
import type { BackendIds, ResultsService, StoredArtifact } from "./results-service.js";

/** The numeric id of the repository the REST fake answers for (`GITHUB_REPOSITORY_ID`). */
export const FAKE_REPOSITORY_ID = 1;
/** The numeric id of a fork of it, whose pull requests' runs are runs of the repository. */
export const FAKE_FORK_ID = 2;
/** The REST fake's default branch. */
export const FAKE_DEFAULT_BRANCH = "main";

/**
 * What the REST API says about a workflow run (`GET .../actions/runs/{id}`), the facts the
 * store's trust rules read. Defaults: a `workflow_dispatch` run of `dstack-run.yml` on `main`,
 * of the repository's own code.
 */
export interface RunFacts {
  /** The event that started it. Default `workflow_dispatch`. */
  event: string;
  /** The workflow file in `.github/workflows/`. Default `dstack-run.yml`. */
  workflowFile: string;
  /** The branch it ran on. Default `main`. */
  headBranch: string;
  /** Whether its code came from a fork ({@link FAKE_FORK_ID}): a fork's `pull_request` run. */
  fork: boolean;
  /** How it completed (every run of the registry has). Default `success`. */
  conclusion: string;
  /** Its `display_title` (a runner workflow run's: the dstack run name). Default the OpenAPI example's. */
  title?: string;
  /** The login of its `triggering_actor`. Default the OpenAPI example's (`octocat`). */
  actor?: string;
}

/** Workflow runs as the fakes know them: backend ids, the numeric id REST reports, and facts. */
export interface WorkflowRuns {
  /** Backend workflow run id -> the numeric workflow run id. */
  readonly ids: ReadonlyMap<string, number>;
  /** Numeric workflow run id -> what `GET .../actions/runs/{id}` reports. */
  readonly facts: ReadonlyMap<number, RunFacts>;
  /**
   * A new workflow run: fresh backend ids (use them with {@link ResultsService.envFor}) and the
   * numeric id the REST API reports for its artifacts; `facts` override {@link RunFacts}' defaults.
   */
  add(id: number, facts?: Partial<RunFacts>): BackendIds & { id: number };
}

/** A registry of workflow runs; may be filled before any server starts. */
export function workflowRuns(): WorkflowRuns {
  const ids = new Map<string, number>();
  const facts = new Map<number, RunFacts>();
  return {
    ids,
    facts,
    add(id, given = {}) {
      const backend = { workflowRunBackendId: randomUUID(), workflowJobRunBackendId: randomUUID() };
      ids.set(backend.workflowRunBackendId, id);
      facts.set(id, {
        event: given.event ?? "workflow_dispatch",
        workflowFile: given.workflowFile ?? "dstack-run.yml",
        headBranch: given.headBranch ?? FAKE_DEFAULT_BRANCH,
        fork: given.fork ?? false,
        conclusion: given.conclusion ?? "success",
        ...(given.title !== undefined ? { title: given.title } : {}),
        ...(given.actor !== undefined ? { actor: given.actor } : {}),
      });
      return { ...backend, id };
    },
  };
}

/** Options of {@link startArtifactsRestApi}. */
export interface ArtifactsRestApiOptions {
  /** The results-service fake whose artifacts the REST API lists. */
  service: ResultsService;
  /** The repository the routes answer for, `owner/name`. */
  repository: string;
  /** The clock deciding what has expired (ms since the epoch); default `Date.now`. */
  now?: () => number;
  /** The workflow runs REST reports artifacts under (default a new {@link workflowRuns}). */
  runs?: WorkflowRuns;
}

/** The Actions artifacts REST API over a results-service fake, from {@link startArtifactsRestApi}. */
export interface ArtifactsRestApi {
  /** The fake's base URL (what `GITHUB_API_URL` holds). */
  url: string;
  /** The OpenAPI-validated fake, for its request log. */
  github: FakeGitHub;
  /** A new workflow run of {@link ArtifactsRestApiOptions.runs} (see {@link WorkflowRuns.add}). */
  workflowRun(id: number, facts?: Partial<RunFacts>): BackendIds & { id: number };
  /** When `true`, every route answers 403 "Resource not accessible by integration". */
  deny(on: boolean): void;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts the REST side of Actions artifacts (`GET /repos/{o}/{r}/actions/artifacts?name=`,
 * `GET .../actions/runs/{run_id}/artifacts`, `GET .../actions/artifacts/{id}` and
 * `GET .../actions/artifacts/{id}/zip`, a 302 into Azurite, 410 once expired) on the
 * OpenAPI-validated GitHub fake of `@dstack/testing`, answered from the results service's
 * finalized artifacts so both views agree. Lists page as GitHub pages (`per_page`, `page`, a
 * `Link` header), newest first. It also answers `GET /repos/{o}/{r}` (id
 * {@link FAKE_REPOSITORY_ID}, default branch `main`) and `GET .../actions/runs/{run_id}` from
 * each run's {@link RunFacts} (a fork's runs: head repository {@link FAKE_FORK_ID}).
 */
export async function startArtifactsRestApi(
  options: ArtifactsRestApiOptions,
): Promise<ArtifactsRestApi> {
  const { service, repository } = options;
  const now = options.now ?? Date.now;
  const runs = options.runs ?? workflowRuns();
  const runIds = runs.ids;
  let denied = false;
  let apiUrl = "";
  const forbidden = {
    status: 403,
    body: {
      message: "Resource not accessible by integration",
      documentation_url: "https://docs.github.com/rest/actions/artifacts",
    },
  };
  const notFound = { status: 404, body: { message: "Not Found", documentation_url: "" } };
  const toRest = (a: StoredArtifact): RestArtifact => {
    const runId = runIds.get(a.workflowRunBackendId) ?? 0;
    const facts = runs.facts.get(runId);
    return {
      id: a.id,
      name: a.name,
      sizeInBytes: a.size,
      createdAt: a.createdAt,
      expiresAt: a.expiresAt,
      digest: a.digest ?? null,
      run: {
        id: runId,
        repositoryId: FAKE_REPOSITORY_ID,
        headRepositoryId: facts?.fork ? FAKE_FORK_ID : FAKE_REPOSITORY_ID,
        headBranch: facts?.headBranch ?? FAKE_DEFAULT_BRANCH,
        headSha: "0".repeat(40),
      },
    };
  };
  const finalized = () => service.artifacts().filter((a) => a.finalized);
  const artifacts = artifactRoutes({
    apiUrl: () => apiUrl,
    now,
    guard: () => (denied ? forbidden : undefined),
    artifacts: () => finalized().map(toRest),
    remove: (id) => service.deleteArtifact(id),
    downloadUrl: (rest) =>
      service.downloadUrl(finalized().find((a) => a.id === rest.id) as StoredArtifact),
  });
  const [owner = "", repo = ""] = repository.split("/");
  const contents = createContentsModel({
    owner,
    repo,
    id: FAKE_REPOSITORY_ID,
    defaultBranch: FAKE_DEFAULT_BRANCH,
  });
  const getRepo = contents.routes[CONTENTS_ROUTES.getRepo];
  const runJson = (id: number, facts: RunFacts) => ({
    ...workflowRunJson({
      id,
      repository,
      repositoryId: FAKE_REPOSITORY_ID,
      event: facts.event,
      path: `.github/workflows/${facts.workflowFile}`,
      headBranch: facts.headBranch,
      ...(facts.fork
        ? { headRepository: { fullName: `fork-owner/${repo}`, id: FAKE_FORK_ID } }
        : {}),
      ...(facts.title !== undefined ? { displayTitle: facts.title } : {}),
      ...(facts.actor !== undefined ? { triggeringActor: facts.actor } : {}),
    }),
    status: "completed",
    conclusion: facts.conclusion,
  });
  const github = await startFakeGitHub({
    ...(getRepo ? { [CONTENTS_ROUTES.getRepo]: getRepo } : {}),
    // docs.github.com/rest/actions/workflow-runs#list-workflow-runs-for-a-workflow: the runs of
    // a workflow file, newest (highest id) first, filtered by `branch` and `status` (a
    // conclusion, or `completed`), paged by `per_page` and `page`.
    "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs": (req) => {
      if (denied) return forbidden;
      const branch = req.query.get("branch");
      const status = req.query.get("status");
      const matching = [...runs.facts]
        .filter(([, f]) => f.workflowFile === req.params.workflow_id)
        .filter(([, f]) => branch === null || f.headBranch === branch)
        .filter(([, f]) => status === null || status === "completed" || f.conclusion === status)
        .sort(([a], [b]) => b - a);
      const perPage = Math.min(100, Number(req.query.get("per_page") ?? 30) || 30);
      const pageNo = Math.max(1, Number(req.query.get("page") ?? 1) || 1);
      return {
        status: 200,
        body: {
          total_count: matching.length,
          workflow_runs: matching
            .slice((pageNo - 1) * perPage, pageNo * perPage)
            .map(([id, f]) => runJson(id, f)),
        },
      };
    },
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}": (req) => {
      if (denied) return forbidden;
      const id = Number(req.params.run_id);
      const facts = runs.facts.get(id);
      if (facts === undefined) return notFound;
      return {
        status: 200,
        body: workflowRunJson({
          id,
          repository,
          repositoryId: FAKE_REPOSITORY_ID,
          event: facts.event,
          path: `.github/workflows/${facts.workflowFile}`,
          headBranch: facts.headBranch,
          ...(facts.fork
            ? { headRepository: { fullName: `fork-owner/${repo}`, id: FAKE_FORK_ID } }
            : {}),
          ...(facts.title !== undefined ? { displayTitle: facts.title } : {}),
          ...(facts.actor !== undefined ? { triggeringActor: facts.actor } : {}),
        }),
      };
    },
    ...artifacts,
  });
  apiUrl = github.url;
  return {
    url: github.url,
    github,
    workflowRun: (id, facts) => runs.add(id, facts),
    deny(on) {
      denied = on;
    },
    close: () => github.close(),
  };
}
