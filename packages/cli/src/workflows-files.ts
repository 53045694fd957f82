/**
 * The CLI's user-facing failure; finding and reading workflows files is `@dstack/executor`'s
 * (shared with the run-python action).
 *
 * @module
 */
export { loadWorkflows, locateWorkflows, type WorkflowsLocation } from "@dstack/executor";

/** A user-facing failure of the CLI: printed as is (no stack trace), exit status 1 or 2. */
export class CliError extends Error {
  /** @param exitCode - 1 for a problem with the input, 2 for a usage mistake. */
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}
