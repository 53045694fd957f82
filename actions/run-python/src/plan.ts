/**
 * `mode: plan`: translates the job for a following job. Outputs `runs-on` (the label scheme of
 * `@dstack/spec`, JSON for `fromJSON`), `job` (the job as JSON in the workflows file's keys) and
 * `python-version`.
 *
 * @module
 */
import * as core from "@actions/core";
import { type Job, jobLabels, jobToWorkflow } from "@dstack/spec";
import { InputError } from "./inputs.js";

/** Options of {@link planMode}. */
export interface PlanOptions {
  /**
   * The code is not on the default branch (the `untrusted` input): `runs-on` gets the
   * `dstack-ephemeral` label (`EPHEMERAL_LABEL`), which only ephemeral runners carry.
   */
  untrusted?: boolean;
}

/**
 * Plans `job`: sets the outputs `runs-on`, `job` and `python-version`.
 *
 * @throws InputError when no runner labels express the job's resources.
 */
export async function planMode(job: Job, options: PlanOptions = {}): Promise<void> {
  const labels = jobLabels(job.resources, { untrusted: options.untrusted === true });
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
}
