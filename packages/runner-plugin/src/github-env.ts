/**
 * Writing to the job's `GITHUB_ENV` file: lines appended there become environment variables of
 * the job's later steps (the runner reads the file after the hook).
 *
 * @module
 */

import { appendFileSync, readFileSync } from "node:fs";
import { HookError } from "./hook-context.js";

/**
 * The lines written to `GITHUB_ENV` to hide every GPU from a job: `CUDA_VISIBLE_DEVICES` set to
 * the empty string makes no device visible to CUDA (CUDA programming guide, "CUDA Environment
 * Variables"), and `NVIDIA_VISIBLE_DEVICES=void` gives containers started with the NVIDIA
 * runtime no GPU (NVIDIA Container Toolkit, "Specialized Configurations with Docker").
 */
export const HIDE_GPUS_LINES: readonly string[] = [
  "CUDA_VISIBLE_DEVICES=",
  "NVIDIA_VISIBLE_DEVICES=void",
];

/**
 * Appends `lines` (`NAME=value`) to the `GITHUB_ENV` file at `path`, starting on a new line.
 *
 * @throws {@link HookError} `github-env` when the file cannot be appended to.
 */
export function appendGithubEnv(path: string, lines: readonly string[]): void {
  let prefix = "";
  try {
    const existing = readFileSync(path);
    if (existing.length > 0 && existing[existing.length - 1] !== 0x0a) {
      prefix = "\n";
    }
  } catch {
    // missing: appendFileSync creates it, or fails below with the reason
  }
  try {
    appendFileSync(path, `${prefix}${lines.join("\n")}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new HookError(
      "github-env",
      `cannot append to GITHUB_ENV file ${path} (${code}); the job's GPU variables could not be set, so the job was not started and its GPU locks were released`,
      { cause: error },
    );
  }
}
