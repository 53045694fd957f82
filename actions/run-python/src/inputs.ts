/**
 * The inputs of `dstack/run-python` that every mode reads: the mode and the job's source.
 * Mode-specific inputs are read by their mode's module.
 *
 * @module
 */
import * as core from "@actions/core";
import { InputError } from "./input-error.js";
import { INLINE_INPUTS, type InlineInput, type JobSource } from "./job.js";
import { parsePlannedLabels } from "./planned-labels.js";

/** The input names of `action.yml` that are not inline job keys. */
export const Inputs = {
  Mode: "mode",
  Workflow: "workflow",
  Job: "job",
  Tag: "tag",
  RunName: "run-name",
  RetentionDays: "retention-days",
  GitHubToken: "github-token",
  Untrusted: "untrusted",
  PullRequest: "pull-request",
  RunsOn: "runs-on",
} as const;

/** The modes. */
export const MODES = ["run", "plan", "dispatch", "command"] as const;

export { InputError } from "./input-error.js";

/** The step's inputs, read once. */
export interface ActionInputs {
  /** `run` (default), `plan` or `dispatch`. */
  mode: (typeof MODES)[number];
  /** Where the job comes from; `undefined` in `mode: command`, whose job comes from the event. */
  source: JobSource | undefined;
  /** `tag`: a tag to point at the run's artifacts once it succeeds. */
  tag?: string;
  /** `run-name`: the dstack run name to use; unset for a fresh one. */
  runName?: string;
  /** `retention-days`: days GitHub keeps the artifacts (1 to 90); unset for the repository's default. */
  retentionDays?: number;
  /** `github-token` (masked); empty when not given. */
  token: string;
  /**
   * `untrusted`: the code checked out is not on the default branch (a pull request's commit, a
   * `repository_dispatch`'s other ref): `mode: plan` adds the `dstack-ephemeral` label so the job
   * lands only on ephemeral runners, and `mode: run` keeps it apart from trusted runs.
   */
  untrusted: boolean;
  /** `pull-request`: the pull request whose code runs, when a pull-request command started it. */
  pullRequest?: number;
  /**
   * `runs-on` (`mode: run`): the labels the dispatcher planned, which the step checks against
   * the job (`planned-labels.ts`); unset when empty.
   */
  plannedLabels?: string[];
}

/**
 * Reads `untrusted` (`true` or `false`, as a workflow's boolean input arrives; empty: `false`)
 * and `pull-request` (a pull request number; empty: none).
 *
 * @throws InputError for any other value, naming the input.
 */
function getTrustInputs(): Pick<ActionInputs, "untrusted" | "pullRequest"> {
  const untrusted = core.getInput(Inputs.Untrusted);
  if (!["", "true", "false"].includes(untrusted)) {
    throw new InputError(
      `untrusted: ${JSON.stringify(untrusted)} is not allowed; use true or false (the runner workflow passes its boolean input)`,
    );
  }
  const pr = core.getInput(Inputs.PullRequest);
  if (pr !== "" && !/^[1-9]\d*$/.test(pr)) {
    throw new InputError(
      `pull-request: ${JSON.stringify(pr)} is not a pull request number; give the number (e.g. 42) or leave it empty`,
    );
  }
  return { untrusted: untrusted === "true", ...(pr !== "" ? { pullRequest: Number(pr) } : {}) };
}

/**
 * Reads the inputs: the mode and exactly one job source (`job`, `workflow`, or inline keys).
 *
 * @throws InputError for an unknown mode, or when two sources are given (naming them).
 */
export function getInputs(): ActionInputs {
  const mode = core.getInput(Inputs.Mode) || "run";
  if (!(MODES as readonly string[]).includes(mode)) {
    throw new InputError(
      `mode: ${JSON.stringify(mode)} is not allowed; use one of ${MODES.join(", ")}`,
    );
  }
  const token = core.getInput(Inputs.GitHubToken);
  if (token !== "") core.setSecret(token);
  const trust = getTrustInputs();
  if (mode === "command") {
    // The job comes from the event (a comment, a label); `workflow` names the label's workflow.
    const tag = core.getInput(Inputs.Tag);
    return { mode, source: undefined, token, ...trust, ...(tag !== "" ? { tag } : {}) };
  }
  const inline: Partial<Record<InlineInput, string>> = {};
  for (const name of Object.keys(INLINE_INPUTS) as InlineInput[]) {
    const value = core.getInput(name);
    if (value !== "") inline[name] = value;
  }
  const job = core.getInput(Inputs.Job);
  const workflow = core.getInput(Inputs.Workflow);
  const given = [
    ...(job !== "" ? ["job"] : []),
    ...(workflow !== "" ? ["workflow"] : []),
    ...Object.keys(inline).filter((k) => k !== "working-directory"),
  ];
  if (job !== "" && given.length > 1) {
    throw new InputError(
      `job: give the job alone; it replaces ${given.filter((g) => g !== "job").join(", ")}`,
    );
  }
  if (workflow !== "" && given.length > 1) {
    throw new InputError(
      `workflow: ${JSON.stringify(workflow)} names a workflow of .dstack/workflows.yaml, so leave out the inline keys (${given.filter((g) => g !== "workflow").join(", ")}); put them in the workflow, or drop workflow and give the job inline`,
    );
  }
  const repoDir = process.env.GITHUB_WORKSPACE ?? process.cwd();
  const source: JobSource =
    job !== ""
      ? { kind: "job", json: job }
      : workflow !== ""
        ? { kind: "workflow", name: workflow, repoDir }
        : { kind: "inline", values: inline };
  if (source.kind === "inline" && inline.file === undefined) {
    throw new InputError(
      "workflow / file: say which job to run: a workflow of .dstack/workflows.yaml (workflow: train), the job output of a plan step (job), or a Python file (file: train.py)",
    );
  }
  const tag = core.getInput(Inputs.Tag);
  const runName = core.getInput(Inputs.RunName);
  const retention = core.getInput(Inputs.RetentionDays);
  let retentionDays: number | undefined;
  if (retention !== "") {
    retentionDays = Number(retention);
    // As actions/artifacts: GitHub clamps the days to the repository's limit (90 by default).
    if (!/^\d+$/.test(retention) || retentionDays < 1) {
      throw new InputError(
        `retention-days: ${JSON.stringify(retention)} is not a number of days; use a whole number from 1 to the repository's limit (90 by default)`,
      );
    }
  }
  const plannedLabels = parsePlannedLabels(core.getInput(Inputs.RunsOn));
  return {
    mode: mode as ActionInputs["mode"],
    source,
    token,
    ...trust,
    ...(plannedLabels !== undefined ? { plannedLabels } : {}),
    ...(tag !== "" ? { tag } : {}),
    ...(runName !== "" ? { runName } : {}),
    ...(retentionDays !== undefined ? { retentionDays } : {}),
  };
}
