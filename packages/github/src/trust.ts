/**
 * Which dispatched runs carry code that is not on the default branch, and the runner-workflow
 * inputs that say so. Such code (a pull request's pinned commit, a `repository_dispatch` payload's
 * `ref`, `dstack run --remote --ref feature`) must run only on ephemeral runners: the runner
 * workflow's plan job turns `untrusted: true` into the `dstack-ephemeral` label (`@dstack/spec`
 * `jobLabels(resources, { untrusted: true })`), which only ephemeral runners carry.
 *
 * Trusted runs send neither input, so a runner workflow copied before these inputs existed keeps
 * working for them; an untrusted run against such a workflow is refused by GitHub (422: an input
 * the workflow does not declare), which fails closed.
 *
 * @module
 */
import { jobLabels, type Resources } from "@dstack/spec";
import { GitHubError } from "./errors.js";

/** The runner workflow's boolean input that sends a run to ephemeral runners only. */
export const UNTRUSTED_INPUT = "untrusted";

/** The runner workflow's input naming the pull request whose code runs (a number, as text). */
export const PULL_REQUEST_INPUT = "pull-request";

/**
 * Whether `ref` names the default branch: the branch name itself or `refs/heads/<name>`. A
 * commit SHA, a tag or any other branch is not, even when it points at the same commit (what it
 * points at can change between this check and the checkout).
 */
export function isDefaultBranchRef(ref: string, defaultBranch: string): boolean {
  return ref === defaultBranch || ref === `refs/heads/${defaultBranch}`;
}

/** Options of {@link trustInputs}. */
export interface TrustInputsOptions {
  /**
   * The code that runs: the ref or commit the runner checks out. Absent: the head of the branch
   * the runner workflow is dispatched on, `dispatchRef`.
   */
  code?: string;
  /** The branch the runner workflow is dispatched on (its workflow file comes from there). */
  dispatchRef: string;
  /** The default branch; `undefined` when it could not be read (then the run is untrusted). */
  defaultBranch: string | undefined;
  /** The pull request whose code runs, for pull-request commands (always untrusted). */
  pullRequest?: number;
}

/**
 * The extra runner-workflow inputs of a dispatch: `{}` for code of the default branch;
 * `{ untrusted: "true" }` (and `"pull-request": "N"` for a pull request) otherwise, and whenever
 * the default branch is not known.
 */
export function trustInputs(options: TrustInputsOptions): Record<string, string> {
  const { defaultBranch, pullRequest } = options;
  const code = options.code ?? options.dispatchRef;
  const trusted =
    pullRequest === undefined &&
    defaultBranch !== undefined &&
    isDefaultBranchRef(options.dispatchRef, defaultBranch) &&
    isDefaultBranchRef(code, defaultBranch);
  if (trusted) return {};
  return {
    [UNTRUSTED_INPUT]: "true",
    ...(pullRequest !== undefined ? { [PULL_REQUEST_INPUT]: String(pullRequest) } : {}),
  };
}

/**
 * The runner workflow's input holding the `runs-on` labels the dispatcher planned (a JSON array):
 * given, the workflow's run job starts on them at once, without a plan job on a hosted runner,
 * and its run step recomputes them from the job and refuses a mismatch.
 */
export const RUNS_ON_INPUT = "runs-on";

/**
 * The `runs-on` input of a dispatch: the job's labels (`@dstack/spec` `jobLabels`, with
 * `dstack-ephemeral` when `trust` marks the run untrusted, as {@link trustInputs} returns it).
 *
 * @throws GitHubError `invalid-inputs` when no runner labels express the job's resources;
 *   nothing is dispatched.
 */
export function plannedRunsOnInput(
  resources: Resources,
  trust: Record<string, string>,
): Record<string, string> {
  const planned = jobLabels(resources, { untrusted: trust[UNTRUSTED_INPUT] === "true" });
  if ("errors" in planned) {
    throw new GitHubError(
      "invalid-inputs",
      `${RUNS_ON_INPUT}: no runner labels express this job's resources: ${planned.errors.map((e) => e.message).join("; ")}; nothing was dispatched`,
    );
  }
  return { [RUNS_ON_INPUT]: JSON.stringify(planned.labels) };
}
