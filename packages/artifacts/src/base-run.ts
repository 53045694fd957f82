/**
 * The base run of a pull request's run: the latest successful run of the same dstack workflow on
 * the default branch, from a trusted source, whose metrics the pull request's comment compares
 * with.
 *
 * A dstack run's marker artifact (`dstack-run--<run>`, its `dstack-run.json`) records, besides
 * the run name, the dstack workflow it ran (`workflow`) and whether it ran code no one reviewed
 * on the default branch (`untrusted`, from the runner workflow's `untrusted` input, with the
 * `pullRequest` it ran for): runs dispatched for pull requests are runs of the runner workflow on
 * the default branch too, so the branch alone cannot tell them apart. A marker without
 * `workflow` names no workflow and so is never a base run; one without `untrusted: false` is not
 * trusted to be the default branch's code.
 *
 * The lookup is economical: one page at a time of the runner workflow's successful runs on the
 * default branch (`GET /repos/{o}/{r}/actions/workflows/{file}/runs?branch=&status=success`,
 * newest first), judged by `trust.ts`'s rules from the listing itself (no fork's code, not a
 * pull-request event), then each run's artifacts listed, and a marker read only for a run that
 * has the wanted artifact path; it stops at the first match.
 *
 * @module
 */

import { type MetricDirection, metricNameProblem } from "@dstack/spec";
import { newestArtifactFirst, type RestArtifact } from "./github-rest.js";
import { parseRunArtifactName, RUN_ARTIFACT_PREFIX } from "./names.js";
import { judgeWorkflowRun, type WorkflowRunFacts } from "./trust.js";

/** What a run marker (`dstack-run.json`) may record besides the run name. */
export interface RunMarkerFields {
  /** The dstack workflow (a name in `.dstack/workflows.yaml`) the run ran; absent for none. */
  workflow?: string;
  /**
   * Whether the run ran code not reviewed on the default branch (the runner workflow's
   * `untrusted` input: a pull request's code, or a ref other than the default branch).
   */
  untrusted: boolean;
  /** The pull request whose code ran (the runner workflow's `pull-request` input). */
  pullRequest?: number;
  /**
   * Which way is better for the named metrics: the `metrics:` of the job the run ran (`{}` when
   * it had none), so that `dstack metrics diff --remote` judges the run as it ran. Absent in
   * markers written before markers recorded it; read back through {@link markerMetrics}.
   */
  metrics?: Readonly<Record<string, MetricDirection>>;
}

/** Most metrics a marker's `metrics` may name; a marker naming more is not read. */
export const MARKER_METRICS_MAX = 1000;

/**
 * The `metrics` a parsed run marker records, validated: it comes from a workflow run, so it is
 * data, never trusted to be well formed. A plain object of at most {@link MARKER_METRICS_MAX}
 * entries, each a metric name by `@dstack/spec`'s `metricNameProblem` and `"min"` or `"max"`.
 *
 * @returns `{ directions }` (`{}` for a job without `metrics:`); `undefined` when the marker
 *   records none; `{ problem }`, one sentence, when it records something else (then the run's
 *   directions are unknown: the caller ignores them).
 */
export function markerMetrics(
  record: unknown,
): { directions: Record<string, MetricDirection> } | { problem: string } | undefined {
  if (typeof record !== "object" || record === null || !("metrics" in record)) return undefined;
  const value = (record as { metrics: unknown }).metrics;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const given = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    return { problem: `metrics is ${given}, not an object` };
  }
  const entries = Object.entries(value);
  if (entries.length > MARKER_METRICS_MAX) {
    return {
      problem: `metrics names ${entries.length} metrics; at most ${MARKER_METRICS_MAX} are read`,
    };
  }
  const out: Record<string, MetricDirection> = {};
  for (const [name, direction] of entries) {
    const problem = metricNameProblem(name);
    if (problem !== undefined) return { problem: `metrics: ${problem}` };
    if (direction !== "min" && direction !== "max") {
      return {
        problem: `metrics: ${JSON.stringify(name.slice(0, 60))} is ${JSON.stringify(direction)?.slice(0, 60) ?? typeof direction}; the directions are "min" and "max"`,
      };
    }
    Object.defineProperty(out, name, { value: direction, enumerable: true, writable: true });
  }
  return { directions: out };
}

/** Options of {@link findBaseRun}. */
export interface FindBaseRunOptions {
  /** The dstack workflow whose base run is wanted. */
  workflow: string;
  /** The artifact path the base run must hold (default `metrics`). */
  artifactPath?: string;
  /** A run never chosen (the pull request's own run). */
  excludeRunName?: string;
  /** Most workflow runs looked at (default 30). */
  maxRuns?: number;
  /** Listing page size, 1 to 100 (default 10: the match is usually among the newest). */
  pageSize?: number;
}

/** A base run found by {@link findBaseRun}. */
export interface BaseRunFound {
  /** Its dstack run name. */
  runName: string;
  /** The workflow run holding its artifacts. */
  workflowRunId: number;
  /** That workflow run's page. */
  workflowRunUrl: string;
  /** The id of its run marker. */
  artifactId: number;
  /** When its marker was made, ISO 8601. */
  createdAt: string;
  /** When its marker expires, ISO 8601, or null. */
  expiresAt: string | null;
}

/** The GitHub store's parts {@link findBaseRun} uses. */
export interface BaseRunSources {
  /** The runner workflow's file name (`dstack-run.yml`). */
  runnerWorkflow: string;
  /** This repository's numeric id. */
  repositoryId(): Promise<number>;
  /** The default branch. */
  defaultBranch(): Promise<string>;
  /** One page of the runner workflow's successful runs on a branch, newest first. */
  listSuccessfulRuns(options: {
    workflowFile: string;
    branch: string;
    page: number;
    perPage: number;
  }): Promise<(WorkflowRunFacts & { htmlUrl: string })[]>;
  /** Every artifact of a workflow run. */
  listOfRun(runId: number): Promise<RestArtifact[]>;
  /** Whether an artifact is unexpired. */
  isLive(artifact: RestArtifact): boolean;
  /** Downloads a marker artifact and parses its `dstack-run.json`. */
  readMarker(artifact: RestArtifact): Promise<unknown>;
}

/** Whether a parsed marker is of a trusted run of `workflow` named `runName`. */
export function isBaseMarker(record: unknown, runName: string, workflow: string): boolean {
  if (typeof record !== "object" || record === null) return false;
  const r = record as Record<string, unknown>;
  return (
    r.runName === runName &&
    r.workflow === workflow &&
    r.untrusted === false &&
    r.pullRequest === undefined
  );
}

/**
 * Finds the base run (see the module comment), or undefined when there is none among the newest
 * `maxRuns` successful runs of the runner workflow on the default branch.
 *
 * @throws whatever the sources throw (a `GitHubStoreError` for GitHub's refusals).
 */
export async function findBaseRun(
  sources: BaseRunSources,
  options: FindBaseRunOptions,
): Promise<BaseRunFound | undefined> {
  const want = options.artifactPath ?? "metrics";
  const maxRuns = options.maxRuns ?? 30;
  const perPage = Math.max(1, Math.min(100, options.pageSize ?? 10));
  const defaultBranch = await sources.defaultBranch();
  const repositoryId = await sources.repositoryId();
  const rules = {
    repositoryId,
    trustedWorkflows: [sources.runnerWorkflow],
    defaultBranch,
  };
  let seen = 0;
  for (let page = 1; seen < maxRuns; page++) {
    const runs = await sources.listSuccessfulRuns({
      workflowFile: sources.runnerWorkflow,
      branch: defaultBranch,
      page,
      perPage,
    });
    for (const run of runs) {
      if (seen++ >= maxRuns) return undefined;
      if (run.headBranch !== defaultBranch || !judgeWorkflowRun(run, rules).trusted) continue;
      const found = await baseOfWorkflowRun(sources, run, want, options);
      if (found !== undefined) return found;
    }
    if (runs.length < perPage) return undefined;
  }
  return undefined;
}

/** The trusted marker of `options.workflow` in one workflow run that has the wanted path. */
async function baseOfWorkflowRun(
  sources: BaseRunSources,
  run: WorkflowRunFacts & { htmlUrl: string },
  want: string,
  options: FindBaseRunOptions,
): Promise<BaseRunFound | undefined> {
  const artifacts = (await sources.listOfRun(run.id)).filter((a) => sources.isLive(a));
  const markers = artifacts
    .filter((a) => a.name.startsWith(RUN_ARTIFACT_PREFIX))
    .sort(newestArtifactFirst);
  for (const marker of markers) {
    const runName = marker.name.slice(RUN_ARTIFACT_PREFIX.length);
    if (runName === options.excludeRunName) continue;
    const holds = artifacts.some((a) => {
      const p = parseRunArtifactName(a.name, runName)?.artifactPath;
      return p !== undefined && (p === want || p.startsWith(`${want}/`));
    });
    if (!holds) continue;
    if (!isBaseMarker(await sources.readMarker(marker), runName, options.workflow)) continue;
    return {
      runName,
      workflowRunId: run.id,
      workflowRunUrl: run.htmlUrl,
      artifactId: marker.id,
      createdAt: marker.created_at ?? "",
      expiresAt: marker.expires_at,
    };
  }
  return undefined;
}
