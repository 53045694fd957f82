/**
 * `mode: dispatch`: starts the job on a matching runner through the repository's runner
 * workflow and follows it to its end (issue 5, item 4).
 *
 * @module
 */
import type { Job } from "@dstack/spec";
import { type ActionInputs, InputError } from "./inputs.js";

/**
 * Dispatches `job` to the runner workflow and follows the workflow run.
 *
 * @throws InputError until this mode lands.
 */
export async function dispatchMode(_job: Job, _inputs: ActionInputs): Promise<void> {
  throw new InputError(
    "mode: dispatch is not available in this version of dstack/run-python yet; use mode: plan and a following job on the planned runner",
  );
}

/** The post step of `mode: dispatch`: cancels the dispatched run when this job was cancelled. */
export async function dispatchPost(): Promise<void> {}
