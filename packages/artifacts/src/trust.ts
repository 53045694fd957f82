/**
 * Trusted sources for the GitHub store: which workflow runs' artifacts (tags, run markers, and
 * through them a run's data artifacts) a reader may use.
 *
 * GitHub lists artifacts by name across every workflow run of a repository
 * (`GET /repos/{o}/{r}/actions/artifacts?name=`), and a `pull_request` run from a fork is a run
 * of the base repository that can upload artifacts: without these rules anyone who opens a pull
 * request could upload `dstack-tag--best` and have every later `download(tag="best")` read their
 * files. An artifact counts only when its workflow run is:
 *
 * 1. **of this repository's code**: the run's head repository is this repository, not a fork
 *    (`workflow_run.head_repository_id` of the artifact, and `head_repository.id` of the run);
 * 2. and either of a **trusted workflow file** (the runner workflow, `dstack-run.yml` unless
 *    configured, and the policy's `artifacts.trusted_workflows`) started by any event but a
 *    pull-request one (`pull_request*` runs use the pull request's copy of the workflow file),
 * 3. or of **any workflow started on the default branch** by `push`, `schedule`,
 *    `workflow_dispatch` or `repository_dispatch` (events whose workflow file and code are the
 *    branch's, written by people with write access).
 *
 * The facts come from the run (`GET /repos/{o}/{r}/actions/runs/{run_id}`: `event`, `path`,
 * `head_branch`, `head_repository`; docs.github.com/rest/actions/workflow-runs#get-a-workflow-run),
 * fetched once per run id per {@link TrustedSources} and only for as many candidates as it takes:
 * newest first, stopping at the first trusted one.
 *
 * @module
 */
import { StoreError } from "./errors.js";

/** The runner workflow's file name in `.github/workflows/` unless configured. */
export const DEFAULT_RUNNER_WORKFLOW = "dstack-run.yml";

/** Events whose runs on the default branch are trusted, whatever the workflow. */
export const DEFAULT_BRANCH_EVENTS: readonly string[] = Object.freeze([
  "push",
  "schedule",
  "workflow_dispatch",
  "repository_dispatch",
]);

/**
 * Events whose runs use the pull request's copy of the workflow file and code: never trusted by
 * workflow file alone (`pull_request_target` runs the base branch's file and is not among them).
 */
const PULL_REQUEST_EVENTS: ReadonlySet<string> = new Set([
  "pull_request",
  "pull_request_review",
  "pull_request_review_comment",
]);

/** A workflow file name as the runner workflow and `trusted_workflows` name one: `ci.yml`. */
const WORKFLOW_FILE = /^[A-Za-z0-9_.-]+\.ya?ml$/;

/**
 * Why a candidate was skipped:
 * - `fork`: its run's code came from another repository (a pull request from a fork);
 * - `workflow`: its run is not of a workflow file under `.github/workflows/` (a dynamic workflow),
 *   or GitHub lists it without a run, or the run is gone;
 * - `event`: neither a trusted workflow file (or one run by a pull-request event) nor a
 *   default-branch event;
 * - `branch`: a default-branch event, but on another branch.
 */
export type SkipReason = "fork" | "workflow" | "event" | "branch";

/** One skipped candidate, as {@link describeSkipped} names it. */
export interface SkippedArtifact {
  /** The artifact id. */
  artifactId: number;
  /** Its workflow run, when GitHub names one. */
  runId?: number;
  /** See {@link SkipReason}. */
  reason: SkipReason;
  /** One clause saying why, e.g. `workflow ci.yml ran on pull_request`. */
  detail: string;
}

/** What decides trust about a workflow run (fields of the REST workflow run object). */
export interface WorkflowRunFacts {
  /** The workflow run id. */
  id: number;
  /** `event`: what started it (`push`, `pull_request`, ...). */
  event: string;
  /** `path`: the workflow file, `.github/workflows/ci.yml`, sometimes with `@<ref>` appended. */
  path: string;
  /** `head_branch`: the branch it ran on; null when GitHub gives none. */
  headBranch: string | null;
  /** `head_repository.id`: the repository its code came from; null when GitHub gives none. */
  headRepositoryId: number | null;
  /**
   * `display_title`: the run's title (a runner workflow run's is its dstack run name); absent
   * when the listing it came from was not read for it.
   */
  title?: string;
  /** `triggering_actor.login`: who started the run (or its latest attempt); absent when GitHub gives none. */
  actor?: string;
}

/** The rules {@link judgeWorkflowRun} applies. */
export interface TrustRules {
  /** This repository's numeric id (`GITHUB_REPOSITORY_ID`). */
  repositoryId: number;
  /** Trusted workflow file names: the runner workflow and the policy's extra ones. */
  trustedWorkflows: readonly string[];
  /** The default branch; needed only for runs of other workflows. */
  defaultBranch?: string;
}

/** {@link judgeWorkflowRun}'s answer. */
export type Verdict = { trusted: true } | { trusted: false; reason: SkipReason; detail: string };

/**
 * The workflow file name of a run's `path` (`.github/workflows/ci.yml@main` -> `ci.yml`), or
 * undefined for a path outside `.github/workflows/` (dynamic workflows such as Dependabot's).
 */
export function workflowFileOf(runPath: string): string | undefined {
  const m = /^\.github\/workflows\/([^/@]+)(?:@.*)?$/.exec(runPath);
  return m?.[1];
}

/** Whether the run is of a trusted workflow file, by an event that uses the branch's copy. */
function isTrustedWorkflowRun(
  run: WorkflowRunFacts,
  rules: Pick<TrustRules, "trustedWorkflows">,
): boolean {
  const file = workflowFileOf(run.path);
  return (
    file !== undefined &&
    rules.trustedWorkflows.includes(file) &&
    !PULL_REQUEST_EVENTS.has(run.event)
  );
}

function forkDetail(headRepositoryId: number | null): string {
  return `its code comes from another repository (id ${headRepositoryId ?? "unknown"}): a fork's pull request`;
}

/**
 * Whether {@link judgeWorkflowRun} needs the default branch for this run: only for a run of this
 * repository's code, not of a trusted workflow, started by a default-branch event.
 */
export function needsDefaultBranch(
  run: WorkflowRunFacts,
  rules: Pick<TrustRules, "repositoryId" | "trustedWorkflows">,
): boolean {
  return (
    run.headRepositoryId === rules.repositoryId &&
    !isTrustedWorkflowRun(run, rules) &&
    workflowFileOf(run.path) !== undefined &&
    DEFAULT_BRANCH_EVENTS.includes(run.event)
  );
}

/**
 * Decides whether a workflow run's artifacts count (the rules of the module comment). Pure.
 *
 * @throws Error when the run needs the default branch and `rules.defaultBranch` is unset (a
 *   caller's mistake: ask {@link needsDefaultBranch} first).
 */
export function judgeWorkflowRun(run: WorkflowRunFacts, rules: TrustRules): Verdict {
  if (run.headRepositoryId !== rules.repositoryId) {
    return {
      trusted: false,
      reason: "fork",
      detail: forkDetail(run.headRepositoryId),
    };
  }
  if (isTrustedWorkflowRun(run, rules)) return { trusted: true };
  const file = workflowFileOf(run.path);
  if (file === undefined) {
    return {
      trusted: false,
      reason: "workflow",
      detail: `workflow ${run.path || "(no path)"} is not a file under .github/workflows/`,
    };
  }
  if (!DEFAULT_BRANCH_EVENTS.includes(run.event)) {
    return {
      trusted: false,
      reason: "event",
      detail: `workflow ${file} ran on ${run.event}${rules.trustedWorkflows.includes(file) ? " (a pull request's copy of the file)" : ", and it is not a trusted workflow"}`,
    };
  }
  if (rules.defaultBranch === undefined) {
    throw new Error("judgeWorkflowRun: the default branch is needed for this run");
  }
  if (run.headBranch !== rules.defaultBranch) {
    return {
      trusted: false,
      reason: "branch",
      detail: `workflow ${file} ran on ${run.event} on branch ${run.headBranch ?? "(none)"}, not the default branch ${rules.defaultBranch}`,
    };
  }
  return { trusted: true };
}

/**
 * Checks a workflow file name for the runner workflow or a trusted workflow.
 *
 * @param field - what to name in the message, e.g. `runnerWorkflow`.
 * @throws StoreError `invalid` for anything but a file name ending in `.yml` or `.yaml`.
 */
function checkWorkflowFile(name: unknown, field: string): string {
  if (typeof name !== "string" || !WORKFLOW_FILE.test(name)) {
    throw new StoreError(
      "invalid",
      `${field}: ${JSON.stringify(name)} is not a workflow file name; give the file name in .github/workflows/, e.g. dstack-run.yml`,
    );
  }
  return name;
}

/** A candidate as the REST API lists an artifact (the fields read here). */
export interface CandidateArtifact {
  id: number;
  workflow_run?: { id?: number; head_repository_id?: number } | null;
}

/** Options of {@link TrustedSources}. */
export interface TrustedSourcesOptions {
  /** This repository's numeric id when known (`GITHUB_REPOSITORY_ID`); else from `getRepository`. */
  repositoryId?: number;
  /** The default branch when known; else from `getRepository`, and only when a run needs it. */
  defaultBranch?: string;
  /** The runner workflow's file name; default {@link DEFAULT_RUNNER_WORKFLOW}. */
  runnerWorkflow?: string;
  /** More trusted workflow file names (the policy's `artifacts.trusted_workflows`). */
  trustedWorkflows?: readonly string[];
  /** `GET /repos/{o}/{r}`: the id and default branch. Called at most once. */
  getRepository(): Promise<{ id: number; defaultBranch: string }>;
  /** `GET /repos/{o}/{r}/actions/runs/{id}`; undefined when GitHub answers 404. */
  getRun(runId: number): Promise<WorkflowRunFacts | undefined>;
}

/**
 * Picks the newest trusted artifact among candidates. Holds per-instance caches (the repository,
 * each run's facts): make one per store, that is per step.
 *
 * @throws StoreError `invalid` for a bad workflow file name in the options.
 */
export class TrustedSources {
  /** The trusted workflow file names, the runner workflow first. */
  readonly trustedWorkflows: readonly string[];
  private readonly options: TrustedSourcesOptions;
  private repository: Promise<{ id: number; defaultBranch: string }> | undefined;
  private readonly runs = new Map<number, Promise<WorkflowRunFacts | undefined>>();

  constructor(options: TrustedSourcesOptions) {
    this.options = options;
    const runner = checkWorkflowFile(
      options.runnerWorkflow ?? DEFAULT_RUNNER_WORKFLOW,
      "runnerWorkflow",
    );
    const extra = (options.trustedWorkflows ?? []).map((w, i) =>
      checkWorkflowFile(w, `trustedWorkflows[${i}]`),
    );
    this.trustedWorkflows = [...new Set([runner, ...extra])];
  }

  private repo(): Promise<{ id: number; defaultBranch: string }> {
    this.repository ??= this.options.getRepository();
    return this.repository;
  }

  /** This repository's numeric id (the option, else `getRepository`, asked once). */
  async repositoryId(): Promise<number> {
    return this.options.repositoryId ?? (await this.repo()).id;
  }

  /** The default branch (the option, else `getRepository`, asked once). */
  async defaultBranch(): Promise<string> {
    return this.options.defaultBranch ?? (await this.repo()).defaultBranch;
  }

  /**
   * The facts of a workflow run: `GET .../actions/runs/{id}` once per run id for this instance's
   * life, shared with the trust judgements (a run judged already costs no request).
   *
   * @returns undefined when GitHub answers 404.
   */
  run(runId: number): Promise<WorkflowRunFacts | undefined> {
    let found = this.runs.get(runId);
    if (found === undefined) {
      found = this.options.getRun(runId);
      this.runs.set(runId, found);
    }
    return found;
  }

  /** Judges one candidate; fetches its run (cached) only when the artifact alone cannot tell. */
  async judge(candidate: CandidateArtifact): Promise<Verdict & { runId?: number }> {
    const runId = candidate.workflow_run?.id;
    if (runId === undefined) {
      return {
        trusted: false,
        reason: "workflow",
        detail: "GitHub lists it without its workflow run",
      };
    }
    const repositoryId = await this.repositoryId();
    const headId = candidate.workflow_run?.head_repository_id;
    if (headId !== undefined && headId !== repositoryId) {
      return { runId, trusted: false, reason: "fork", detail: forkDetail(headId) };
    }
    const run = await this.run(runId);
    if (run === undefined) {
      return {
        runId,
        trusted: false,
        reason: "workflow",
        detail: "its workflow run is gone (404)",
      };
    }
    const rules: TrustRules = { repositoryId, trustedWorkflows: this.trustedWorkflows };
    if (needsDefaultBranch(run, rules)) rules.defaultBranch = await this.defaultBranch();
    return { runId, ...judgeWorkflowRun(run, rules) };
  }

  /**
   * The first trusted candidate of `newestFirst` (judged in order, stopping there) and every
   * candidate skipped before it.
   *
   * @throws whatever `getRepository` / `getRun` throw (a 404 of a run is a skip, not a throw).
   */
  async pick<A extends CandidateArtifact>(
    newestFirst: readonly A[],
  ): Promise<{ artifact?: A; skipped: SkippedArtifact[] }> {
    const skipped: SkippedArtifact[] = [];
    for (const candidate of newestFirst) {
      const verdict = await this.judge(candidate);
      if (verdict.trusted) return { artifact: candidate, skipped };
      skipped.push({
        artifactId: candidate.id,
        ...(verdict.runId !== undefined ? { runId: verdict.runId } : {}),
        reason: verdict.reason,
        detail: verdict.detail,
      });
    }
    return { skipped };
  }

  /** What counts, in one sentence, for messages. */
  describeRules(): string {
    const files = this.trustedWorkflows.join(", ");
    const branch = this.options.defaultBranch ?? "the default branch";
    return `trusted sources are runs of this repository's own code (not a fork's) of the workflows ${files}, or of any workflow started on ${branch} by ${DEFAULT_BRANCH_EVENTS.join(", ")}`;
  }
}

/**
 * The skipped candidates in one clause each, joined by `; `:
 * `artifact 1003 (workflow run 301): fork: its code comes from another repository (...)`.
 */
export function describeSkipped(skipped: readonly SkippedArtifact[]): string {
  return skipped
    .map(
      (s) =>
        `artifact ${s.artifactId} (workflow run ${s.runId ?? "unknown"}): ${s.reason}: ${s.detail}`,
    )
    .join("; ");
}

// The pull-request tag namespace moved to ./names.ts; re-exported here for compatibility.
export { checkPullRequest, pullRequestOfTag, pullRequestTag } from "./names.js";
