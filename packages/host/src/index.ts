/**
 * `@dstack/host`: facts about this machine and whether it can run a job.
 *
 * - {@link readHostFacts}: CPUs (cgroup v2 aware), memory, GPUs (nvidia-smi), `/dev/shm` and
 *   whether this is a spot machine, with a note for each decision;
 * - {@link parseNvidiaSmiCsv}: the pure parser of nvidia-smi's CSV;
 * - {@link checkResources}: a job's resources against this host, as one line per unmet field;
 * - {@link formatHostFacts}: a one-line summary for run logs;
 * - {@link parseGpuSet}: the one syntax for a set of GPUs; {@link applyRunnerShare}: the part of
 *   the host a runner owns (`DSTACK_RUNNER_GPUS`, and its share of CPUs and memory);
 * - {@link readGpuInventory}, {@link readComputeApps}, {@link readGpuMemoryUsed}: what nvidia-smi
 *   says beyond the GPU list (this package is the only one that runs nvidia-smi);
 * - {@link acquireLocks}, {@link acquireFreeGpus}, {@link releaseLocks}: host-wide per-GPU lock
 *   files, taken by the runner hooks and by local runs alike; `/proc` reading for their owners.
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
  type BrokenGpu,
  type GpuInventory,
  type GpuProcess,
  readComputeApps,
  readGpuInventory,
  readGpuMemoryUsed,
} from "./gpu-inventory.js";
export {
  type AcquireFreeGpusOptions,
  type AcquireLocksOptions,
  type AcquireLocksResult,
  acquireFreeGpus,
  acquireLocks,
  type GpuLock,
  listLocks,
  lockPath,
  type ReleaseLocksOptions,
  type ReleaseLocksResult,
  readLock,
  releaseLocks,
} from "./gpu-locks.js";
export {
  type GpuRef,
  type GpuSet,
  gpuRefText,
  parseGpuItem,
  parseGpuSet,
  resolveGpuSet,
} from "./gpu-set.js";
export {
  DEFAULT_LOCK_DIR,
  LOCK_DIR_ENV,
  LockError,
  type LockErrorCode,
  lockDirFromEnv,
  MUTEX_TIMEOUT_MS,
} from "./lock-dir.js";
export {
  DRIVER_FIX,
  type GpuDetail,
  NVIDIA_SMI_ARGS,
  NVIDIA_SMI_TIMEOUT_MS,
  type NvidiaSmiOutput,
  parseNvidiaSmiCsv,
  type QueryNvidiaSmiOptions,
} from "./nvidia.js";
export {
  ancestorPids,
  findJobOwnerPid,
  isProcessAlive,
  type JobOwner,
  type ProcStat,
  readProcStat,
} from "./proc.js";
export {
  applyRunnerShare,
  gpuJobEnv,
  RUNNER_GPUS_ENV,
  readRunnerGpus,
  runnerShare,
} from "./runner-share.js";
