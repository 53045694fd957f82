/**
 * `@dstack/runner-plugin`: the `dstack-runner` command as functions, for tests and embedding.
 *
 * @packageDocumentation
 */
export {
  type ArcValuesOptions,
  arcValues,
  GPU_PRODUCT_LABEL,
  GPU_RESOURCE,
  gpuProductLabelValue,
  RUNNER_IMAGE,
  type RunnerPodFacts,
  runnerPodFacts,
} from "./arc.js";
export {
  CONFIG_SH,
  type ConfigArgsOptions,
  configArgs,
  type FormatCommandOptions,
  formatCommand,
  MASK,
  type RunConfigOptions,
  runConfig,
  shellQuote,
} from "./configure.js";
export { HIDE_GPUS_LINES } from "./github-env.js";
export {
  HookError,
  type HookErrorCode,
  type HookOptions,
  jobLabel,
} from "./hook-context.js";
export {
  DEFAULT_HOOKS_DIR,
  type EnvChange,
  HOOK_COMPLETED_ENV,
  HOOK_STARTED_ENV,
  type HookEvent,
  type HookScriptOptions,
  hookScript,
  InstallHooksError,
  type InstallHooksErrorCode,
  type InstallHooksOptions,
  type InstallHooksResult,
  installHooks,
  mergeEnvFile,
  quoteForBash,
  writableBy,
} from "./install-hooks.js";
export {
  type GenerateJitConfigOptions,
  generateJitConfig,
  type JitConfig,
  JitConfigError,
  type JitConfigErrorCode,
  type JitTarget,
  MAX_JIT_LABELS,
  neededPermission,
  type OctokitRequester,
  runShLine,
  targetFromUrl,
} from "./jitconfig.js";
export {
  type GpuMemory,
  type JobCompletedOptions,
  type JobCompletedResult,
  jobCompleted,
} from "./job-completed.js";
export { type HookGpu, type JobStartedResult, jobStarted } from "./job-started.js";
export {
  type CheckExtraLabelsOptions,
  checkExtraLabels,
  compactIndexes,
  describeHostGpus,
  formatLabels,
  type HostRunnerLabelsOptions,
  hostRunnerLabels,
  instanceFacts,
  MAX_LABEL_LENGTH,
} from "./labels.js";
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
export {
  DEFAULT_RUNNER_USER,
  DEFAULT_RUNNERS_DIR,
  ENV_FILE_NAME,
  type ParseLayoutOptions,
  type PlanSplitOptions,
  parseLayout,
  planSplit,
  type SplitInstance,
  type SplitPlan,
  systemdUnit,
} from "./split.js";
