/**
 * `mode: run`: the executor runs the job on this runner (issue 5, item 2).
 *
 * @module
 */
import type { Job } from "@dstack/spec";
import { type ActionInputs, InputError } from "./inputs.js";

/**
 * Runs `job` on this runner.
 *
 * @throws InputError until this mode lands.
 */
export async function runMode(_job: Job, _inputs: ActionInputs): Promise<void> {
  throw new InputError(
    "mode: run is not available in this version of dstack/run-python yet; use mode: plan and run the job with dstack run on the planned runner",
  );
}

/** The post step of `mode: run`: uploads the artifacts of a job that was cancelled. */
export async function runPost(): Promise<void> {}
