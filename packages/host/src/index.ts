/**
 * `@dstack/host`: facts about this machine and whether it can run a job.
 *
 * - {@link readHostFacts}: CPUs (cgroup v2 aware), memory, GPUs (nvidia-smi), `/dev/shm` and
 *   whether this is a spot machine, with a note for each decision;
 * - {@link parseNvidiaSmiCsv}: the pure parser of nvidia-smi's CSV;
 * - {@link checkResources}: a job's resources against this host, as one line per unmet field;
 * - {@link formatHostFacts}: a one-line summary for run logs.
 *
 * Sizes are bytes throughout. Errors are {@link HostError}s.
 *
 * @packageDocumentation
 */
export { type CheckResult, checkResources, formatHostFacts } from "./check.js";
export { HostError, type HostErrorCode } from "./errors.js";
export {
  type HostOs,
  type HostReport,
  type HostSources,
  INTERRUPTIBLE_ENV,
  type ReadHostFactsOptions,
  readHostFacts,
} from "./facts.js";
export {
  type GpuDetail,
  NVIDIA_SMI_ARGS,
  NVIDIA_SMI_TIMEOUT_MS,
  type NvidiaSmiOutput,
  parseNvidiaSmiCsv,
  type QueryNvidiaSmiOptions,
  runNvidiaSmi,
} from "./nvidia.js";
