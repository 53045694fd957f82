/**
 * `@dstack/runner-plugin`: the `dstack-runner` command as functions, for tests and embedding.
 *
 * @packageDocumentation
 */
export * from "./arc.js";
export * from "./configure.js";
export { HIDE_GPUS_LINES } from "./github-env.js";
export {
  HookError,
  type HookErrorCode,
  type HookOptions,
  jobLabel,
} from "./hook-context.js";
export * from "./install-hooks.js";
export * from "./jitconfig.js";
export {
  type GpuMemory,
  type JobCompletedOptions,
  type JobCompletedResult,
  jobCompleted,
} from "./job-completed.js";
export { type HookGpu, type JobStartedResult, jobStarted } from "./job-started.js";
export * from "./labels.js";
export { main, PERSISTENT_WARNING, type RunnerIo } from "./main.js";
export { type EndedProcess, KILL_GRACE_MS } from "./process-reaping.js";
export {
  checkRunnerVersion,
  compareVersions,
  MIN_RUNNER_VERSION,
  RUNNER_LISTENER,
  type RunnerVersionOptions,
  readRunnerVersion,
} from "./runner-version.js";
export * from "./split.js";
