/**
 * The one error type `@dstack/host` throws.
 *
 * @module
 */

/**
 * What went wrong, for callers that branch on it:
 * - `gpu-driver`: `nvidia-smi` is installed but could not list the GPUs (non-zero exit, killed,
 *   timed out, could not be started, or it said it couldn't communicate with the NVIDIA driver);
 * - `gpu-parse`: `nvidia-smi` answered, but a line of its CSV is not
 *   `index, name, memory.total, uuid` (see {@link parseNvidiaSmiCsv});
 * - `bad-env`: an environment variable this package reads has a value it does not understand
 *   (`DSTACK_RUNNER_INTERRUPTIBLE=yes`).
 */
export type HostErrorCode = "gpu-driver" | "gpu-parse" | "bad-env";

/**
 * A fact about this host could not be read, and guessing would be wrong (a GPU host that reports
 * no GPUs would take CPU jobs and refuse GPU ones). The message is one line: what failed, what
 * it said, and what to do.
 */
export class HostError extends Error {
  override readonly name = "HostError";
  /** What went wrong; see {@link HostErrorCode}. */
  readonly code: HostErrorCode;

  /**
   * @param code - see {@link HostErrorCode}.
   * @param message - one line: what failed, what was given, how to fix it.
   * @param options - `cause`: the underlying error, when there is one.
   */
  constructor(code: HostErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}
