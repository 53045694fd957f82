/**
 * The shape of what `readHostFacts` finds about this machine, in a module of its own so that the
 * modules that read and adjust it (facts, the runner's share) import it without a cycle.
 *
 * @module
 */
import type { HostFacts } from "@dstack/spec";
import type { GpuDetail } from "./nvidia.js";

/** Where each fact came from; see `readHostFacts` for the rules. */
export interface HostSources {
  /** `cgroup`: the cgroup v2 `cpu.max` quota; `os`: `os.availableParallelism()`. */
  cpus: "cgroup" | "os";
  /** `cgroup`: `memory.max`; `meminfo`: MemTotal of `/proc/meminfo`; `os`: `os.totalmem()`. */
  memory: "cgroup" | "meminfo" | "os";
  /**
   * `nvidia-smi`: it ran and listed the GPUs (maybe none); `none`: it is not installed;
   * `failed`: it is installed but failed (driver not loaded), and `gpuFailure: "warn"` was asked.
   */
  gpus: "nvidia-smi" | "none" | "failed";
}

/**
 * {@link HostFacts} (`cpus`, `memoryBytes` in bytes, `gpus` with bytes per GPU, `shmSizeBytes`
 * in bytes when known, `interruptible`) plus how they were found, for logs and for
 * `checkResources`' messages.
 */
export interface HostReport extends HostFacts {
  /** Every GPU as nvidia-smi lists it, in its order; `gpus` is these without index and uuid. */
  gpuDetails: GpuDetail[];
  /**
   * One line per decision, for run logs: `cpus from cgroup /sys/fs/cgroup/cpu.max 200000 100000`,
   * `nvidia-smi not found: 0 GPUs`, `/dev/shm not found: shm size unknown`.
   */
  notes: string[];
  /** Where `cpus`, `memoryBytes` and `gpus` came from. */
  sources: HostSources;
  /** Problems worth a warning in the run log (nvidia-smi failing on a job without GPUs). */
  warnings?: string[];
}
