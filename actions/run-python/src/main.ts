/**
 * The `dstack/run-python` action. `run()` reads the inputs once, resolves the job with
 * `@dstack/spec`'s rules and hands it to its mode: `run` (./run-mode.ts), `plan` (./plan.ts) or
 * `dispatch` (./dispatch.ts); `command` (./command.ts) takes its job from the triggering event.
 * Before `plan` and `dispatch`, the repository policy (`.dstack/policy.yaml` of the default
 * branch, ./policy.ts) is enforced; `command` enforces it before it dispatches; `run` with the
 * labels a dispatcher planned (`runs-on`) checks them against the job (./planned-labels.ts) and
 * enforces the policy before the job runs.
 *
 * Problems in `.dstack/workflows.yaml` become error annotations at their file, line and column.
 *
 * @module
 */
import * as core from "@actions/core";
import { type GitHubErrorHint, withHint } from "@dstack/github/errors";
import { annotate } from "./annotate.js";
import { getInputs, InputError } from "./inputs.js";
import { resolveJob } from "./job.js";
import { planMode } from "./plan.js";
import { checkPlannedLabels } from "./planned-labels.js";
import { runMode } from "./run-mode.js";

export { type ActionInputs, getInputs, InputError, Inputs, MODES } from "./inputs.js";

/** Runs the step; throws on failure ({@link runStep} turns it into `core.setFailed`). */
export async function run(): Promise<void> {
  const inputs = getInputs();
  // Loaded only when used, like dispatch: the job comes from the triggering event.
  if (inputs.source === undefined) return (await import("./command.js")).commandMode(inputs);
  const resolved = resolveJob(inputs.source);
  annotate(resolved.diagnostics);
  if (!("job" in resolved)) {
    const n = resolved.diagnostics.filter((d) => d.severity === "error").length;
    throw new InputError(
      `the job has ${n} problem${n === 1 ? "" : "s"} (see the annotations above)`,
    );
  }
  const { job } = resolved;
  // Labels a dispatcher planned (no plan job ran): the job must need no more than they ask for,
  // and the policy is enforced here, before any of the repository's code runs.
  const planned = inputs.mode === "run" ? inputs.plannedLabels : undefined;
  if (planned !== undefined) {
    checkPlannedLabels(job, planned, { untrusted: inputs.untrusted });
  }
  // The default branch, once the policy has been read from it (dispatch need not ask again).
  let defaultBranch: string | undefined;
  if (inputs.mode === "plan" || inputs.mode === "dispatch" || planned !== undefined) {
    // The repository policy guards the modes that put jobs on runners (loaded only here: it
    // reads the default branch through the REST API, which a plain mode: run starts faster without).
    const { enforcePolicy, loadPolicy } = await import("./policy.js");
    const repoDir = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const loaded = await loadPolicy({ token: inputs.token, repoDir });
    await enforcePolicy({ loaded, job, token: inputs.token });
    defaultBranch = loaded.defaultBranch;
  }
  if (inputs.mode === "plan") await planMode(job, { untrusted: inputs.untrusted });
  // Loaded only when used: it brings Octokit, which the other modes start faster without.
  else if (inputs.mode === "dispatch")
    await (await import("./dispatch.js")).dispatchMode(
      job,
      inputs,
      defaultBranch !== undefined ? { defaultBranch } : {},
    );
  else await runMode(job, inputs);
}

/** What this action says when GitHub refuses its token: the input it came from. */
const TOKEN_HINTS: GitHubErrorHint = { unauthorized: "check github-token" };

/**
 * {@link run}, with any throw turned into a failed step (a GitHubError with this action's
 * {@link TOKEN_HINTS}); never throws.
 */
export async function runStep(): Promise<void> {
  try {
    await run();
  } catch (caught) {
    const e = withHint(caught, TOKEN_HINTS);
    core.setFailed(e instanceof Error ? e.message : String(e));
  }
}
