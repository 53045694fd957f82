/**
 * What both job hooks share: their options, their error type, the context they run in (the
 * runner's name, the lock dir, nvidia-smi, the log) and how they name jobs and GPUs.
 *
 * GitHub's self-hosted runner runs the script named by `ACTIONS_RUNNER_HOOK_JOB_STARTED` (an
 * absolute path to a `.sh` file, run as `bash -e <path>`) when a job has been assigned to the
 * runner and before it runs, and the one named by `ACTIONS_RUNNER_HOOK_JOB_COMPLETED` after its
 * steps. Both run as the runner's user, outside any job container, with the job's default
 * variables (`RUNNER_NAME`, `GITHUB_RUN_ID`, `GITHUB_JOB`, …), the environment files
 * (`GITHUB_ENV`: lines written there become environment variables of the job's steps) and the
 * runner's own environment, which includes its `.env` file (read when the runner starts). A
 * job-started hook that exits non-zero fails the job before its steps run. Sources:
 * https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/running-scripts-before-or-after-a-job
 * and the runner's ADR https://github.com/actions/runner/blob/main/docs/adrs/1751-runner-job-hooks.md.
 *
 * @module
 */

import { lockDirFromEnv, NVIDIA_SMI_TIMEOUT_MS, type QueryNvidiaSmiOptions } from "@dstack/host";

/**
 * What went wrong in a hook (driver failures are `HostError` `gpu-driver`, lock conflicts
 * `LockError` `held`, both of `@dstack/host`):
 * - `bad-env`: `DSTACK_RUNNER_GPUS` or `RUNNER_NAME` is missing or malformed;
 * - `gpu-missing`: a GPU of this instance is not on the host, or is not answering;
 * - `gpu-busy`: a process already holds memory on a GPU of this instance;
 * - `github-env`: `GITHUB_ENV` is not set, or the file cannot be appended to.
 */
export type HookErrorCode = "bad-env" | "gpu-missing" | "gpu-busy" | "github-env";

/** A hook refused the job, or could not do its work. The message is one line. */
export class HookError extends Error {
  override readonly name = "HookError";
  /** See {@link HookErrorCode}. */
  readonly code: HookErrorCode;

  /**
   * @param code - see {@link HookErrorCode}.
   * @param message - one line: what, which GPU or variable, what to do.
   * @param options - `cause`, when there is one.
   */
  constructor(code: HookErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** Common options of {@link jobStarted} and {@link jobCompleted}. */
export interface HookOptions {
  /**
   * The hook's environment: `RUNNER_NAME`, `GITHUB_ENV`, `GITHUB_REPOSITORY`, `GITHUB_RUN_ID`,
   * `GITHUB_RUN_ATTEMPT`, `GITHUB_JOB`, `DSTACK_RUNNER_GPUS`, `DSTACK_LOCK_DIR`, and `PATH` and
   * everything else nvidia-smi runs with. Default `process.env`.
   */
  env?: NodeJS.ProcessEnv;
  /** The nvidia-smi command: a name looked up on `env.PATH`, or a path. Default `nvidia-smi`. */
  nvidiaSmi?: string;
  /** How long each nvidia-smi query may take, in ms. Default 15000. */
  nvidiaSmiTimeoutMs?: number;
  /** The lock dir. Default: `DSTACK_LOCK_DIR`, else `/var/lock/dstack` (`lockDirFromEnv` of `@dstack/host`). */
  lockDir?: string;
  /** The lock owner's pid. Default: the runner's job worker (`findJobOwnerPid`). */
  ownerPid?: number;
  /** This runner's name. Default `env.RUNNER_NAME`. */
  runnerName?: string;
  /** Where each log line goes. Default: stdout, one line each (the job log). */
  print?: (line: string) => void;
  /** The clock, for lock times. Default `() => new Date()`. */
  now?: () => Date;
}

/** What a hook works with, from its options. */
export interface HookContext {
  env: NodeJS.ProcessEnv;
  runner: string;
  lockDir: string;
  /** How to run nvidia-smi (`@dstack/host`'s queries take it as is). */
  smi: QueryNvidiaSmiOptions;
  lines: string[];
  say: (line: string) => void;
  warn: (line: string) => void;
  warnings: string[];
  now: () => Date;
}

/**
 * The context of hook `hook` (`job-started`, `job-completed`).
 *
 * @throws {@link HookError} `bad-env` without `RUNNER_NAME`.
 */
export function hookContext(options: HookOptions, hook: string): HookContext {
  const env = options.env ?? process.env;
  const runner = options.runnerName ?? env.RUNNER_NAME ?? "";
  if (runner.trim() === "") {
    throw new HookError(
      "bad-env",
      `RUNNER_NAME is not set: dstack-runner hook ${hook} runs as the runner's ${hook} hook (see dstack-runner install-hooks), where the runner sets it`,
    );
  }
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const lines: string[] = [];
  const warnings: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    print(line);
  };
  return {
    env,
    runner,
    lockDir: options.lockDir ?? lockDirFromEnv(env),
    smi: {
      command: options.nvidiaSmi ?? "nvidia-smi",
      env,
      timeoutMs: options.nvidiaSmiTimeoutMs ?? NVIDIA_SMI_TIMEOUT_MS,
    },
    lines,
    say,
    warn: (line: string) => {
      warnings.push(line);
      say(`::warning::${line}`);
    },
    warnings,
    now: options.now ?? (() => new Date()),
  };
}

/** `owner/repo run 123 attempt 2 job train`, from the parts that are set. */
export function jobLabel(env: NodeJS.ProcessEnv): string {
  const parts: string[] = [];
  if (env.GITHUB_REPOSITORY) {
    parts.push(env.GITHUB_REPOSITORY);
  }
  if (env.GITHUB_RUN_ID) {
    parts.push(`run ${env.GITHUB_RUN_ID}`);
  }
  if (env.GITHUB_RUN_ATTEMPT) {
    parts.push(`attempt ${env.GITHUB_RUN_ATTEMPT}`);
  }
  if (env.GITHUB_JOB) {
    parts.push(`job ${env.GITHUB_JOB}`);
  }
  return parts.length === 0 ? "unknown job" : parts.join(" ");
}

/** `GPU 3 (GPU-…)`, or `GPU GPU-…` when the index is unknown. */
export function gpuName(gpu: { index?: number; uuid: string }): string {
  return gpu.index === undefined ? `GPU ${gpu.uuid}` : `GPU ${gpu.index} (${gpu.uuid})`;
}
