/**
 * The `dstack/run-python` action. `run()` reads the inputs once, resolves the job with
 * `@dstack/spec`'s rules and, by `mode`:
 * - `plan`: outputs `runs-on` (the label scheme of `@dstack/spec`, JSON for `fromJSON`), `job`
 *   (the job as JSON in the workflows file's keys) and `python-version`;
 * - `run` and `dispatch`: not in this version yet (issue 5); the step fails saying so.
 *
 * Problems in `.dstack/workflows.yaml` become error annotations at their file, line and column.
 *
 * @module
 */
import * as core from "@actions/core";
import { type Diagnostic, formatDiagnostic, jobLabels, jobToWorkflow } from "@dstack/spec";
import { INLINE_INPUTS, type InlineInput, type JobSource, resolveJob } from "./job.js";

/** The input names of `action.yml` that are not inline job keys. */
export const Inputs = {
  Mode: "mode",
  Workflow: "workflow",
  Job: "job",
  Tag: "tag",
  RunName: "run-name",
  GitHubToken: "github-token",
} as const;

/** The modes. */
export const MODES = ["run", "plan", "dispatch"] as const;

/** A user mistake in the inputs; the message names the input. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

/** The step's inputs, read once. */
export interface ActionInputs {
  mode: (typeof MODES)[number];
  source: JobSource;
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
  return { mode: mode as ActionInputs["mode"], source };
}

/** Reports diagnostics as annotations (errors and warnings, at file:line:col when known). */
function annotate(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    const properties = {
      ...(d.line !== undefined ? { file: d.source } : {}),
      ...(d.line !== undefined ? { startLine: d.line } : {}),
      ...(d.col !== undefined ? { startColumn: d.col } : {}),
    };
    if (d.severity === "error") core.error(formatDiagnostic(d), properties);
    else core.warning(formatDiagnostic(d), properties);
  }
}

/** Runs the step; throws on failure ({@link runStep} turns it into `core.setFailed`). */
export async function run(): Promise<void> {
  const inputs = getInputs();
  const resolved = resolveJob(inputs.source);
  annotate(resolved.diagnostics);
  if (!("job" in resolved)) {
    const n = resolved.diagnostics.filter((d) => d.severity === "error").length;
    throw new InputError(
      `the job has ${n} problem${n === 1 ? "" : "s"} (see the annotations above)`,
    );
  }
  const { job } = resolved;
  if (inputs.mode === "plan") {
    const labels = jobLabels(job.resources);
    if ("errors" in labels) {
      for (const e of labels.errors) core.error(e.message);
      throw new InputError(
        `no runner labels express this job's resources: ${labels.errors.map((e) => e.message).join("; ")}`,
      );
    }
    core.setOutput("runs-on", JSON.stringify(labels.labels));
    core.setOutput("job", JSON.stringify(jobToWorkflow(job)));
    core.setOutput("python-version", job.version ?? "");
    core.info(`runs-on: ${labels.labels.join(", ")}`);
    return;
  }
  throw new InputError(
    `mode: ${inputs.mode} is not available in this version of dstack/run-python yet; use mode: plan and run the job with dstack run on the planned runner`,
  );
}

/** {@link run}, with any throw turned into a failed step; never throws. */
export async function runStep(): Promise<void> {
  try {
    await run();
  } catch (e) {
    core.setFailed(e instanceof Error ? e.message : String(e));
  }
}
