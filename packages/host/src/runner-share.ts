/**
 * Which part of this host a runner owns: the one place that reads `DSTACK_RUNNER_GPUS` and the
 * CPUs, memory and `/dev/shm` that `dstack-runner split` gives each runner instance. Used by the
 * runner labels, the job hooks and the job-time host check alike.
 *
 * @module
 */

import { type GpuSet, parseGpuSet, resolveGpuSet } from "./gpu-set.js";
import type { HostReport } from "./host-report.js";
import type { GpuDetail } from "./nvidia.js";

/**
 * The variable naming the GPUs a runner instance owns, in the syntax of {@link parseGpuSet}.
 * `dstack-runner split` writes it into each instance's environment; unset: the whole host.
 */
export const RUNNER_GPUS_ENV = "DSTACK_RUNNER_GPUS";

/**
 * The GPUs this runner owns, from `DSTACK_RUNNER_GPUS` ({@link parseGpuSet}).
 *
 * @throws {@link HostError} `bad-env` when the variable is malformed.
 */
export function readRunnerGpus(env: NodeJS.ProcessEnv): GpuSet {
  return parseGpuSet(env[RUNNER_GPUS_ENV], { name: RUNNER_GPUS_ENV });
}

/**
 * The part of the host a runner instance owning `gpus` of the host's GPUs may use.
 *
 * Rule (the contract of `dstack-runner split`): the instance gets exactly its GPUs, and a share
 * of the host's CPUs, memory and `/dev/shm` proportional to its GPUs, `share = k / N` for `k` of
 * the host's `N` GPUs:
 * - `cpus = max(1, floor(report.cpus * share))`;
 * - `memoryBytes = floor(report.memoryBytes * share)` (bytes);
 * - `shmSizeBytes = floor(report.shmSizeBytes * share)` when the host's is known;
 * - `interruptible` is the host's.
 *
 * Nothing enforces the share at run time (the runners share one kernel); it is what the labels
 * promise, so that the jobs of all instances together fit the host. Rounding down keeps the
 * promise when every instance is busy. Every GPU of the host (or a host without GPUs): the
 * report as it is.
 *
 * @param report - the whole host, from `readHostFacts`.
 * @param gpus - the instance's GPUs, a non-empty subset of `report.gpuDetails`.
 * @returns the instance's report, with a note saying what it owns.
 */
export function runnerShare(report: HostReport, gpus: readonly GpuDetail[]): HostReport {
  const all = report.gpuDetails.length;
  if (gpus.length === all) {
    return report;
  }
  const share = gpus.length / all;
  const cpus = Math.max(1, Math.floor(report.cpus * share));
  const memoryBytes = Math.floor(report.memoryBytes * share);
  const out: HostReport = {
    ...report,
    cpus,
    memoryBytes,
    gpus: gpus.map(({ name, memoryBytes }) => ({ name, memoryBytes })),
    gpuDetails: [...gpus],
    notes: [
      ...report.notes,
      `this runner owns GPUs ${gpus.map((g) => g.index).join(",")} of ${all} (${RUNNER_GPUS_ENV}): ${cpus} of ${report.cpus} CPUs, ${gpus.length}/${all} of the memory and /dev/shm`,
    ],
  };
  if (report.shmSizeBytes !== undefined) {
    out.shmSizeBytes = Math.floor(report.shmSizeBytes * share);
  }
  return out;
}

/**
 * The part of the host this runner owns, as `DSTACK_RUNNER_GPUS` in `env` says: unset, the whole
 * host; `none`, the host's CPUs and memory without its GPUs (a CPU-only instance on a GPU host,
 * whose jobs see no GPU); a list, {@link runnerShare} of those GPUs.
 *
 * @throws {@link HostError} `bad-env` when the variable is malformed or names a GPU the host does
 *   not have.
 */
export function applyRunnerShare(report: HostReport, env: NodeJS.ProcessEnv): HostReport {
  const set = readRunnerGpus(env);
  if (set.kind === "all") {
    return report;
  }
  if (set.kind === "none") {
    return {
      ...report,
      gpus: [],
      gpuDetails: [],
      notes: [
        ...report.notes,
        `this runner owns no GPU (${RUNNER_GPUS_ENV}=${env[RUNNER_GPUS_ENV]})`,
      ],
    };
  }
  return runnerShare(report, resolveGpuSet(set, report.gpuDetails, { name: RUNNER_GPUS_ENV }));
}

/**
 * The environment that hands a job its GPUs, in this order: `CUDA_VISIBLE_DEVICES` (the
 * nvidia-smi indexes, `0,1`), `CUDA_DEVICE_ORDER=PCI_BUS_ID` (so CUDA numbers GPUs as nvidia-smi
 * does, not fastest first) and `NVIDIA_VISIBLE_DEVICES` (the UUIDs, for containers run with the
 * NVIDIA runtime). Used by local runs, the job-started hook and `dstack-runner split`.
 *
 * @param gpus - the job's GPUs as nvidia-smi lists them (`index` and `uuid`), in order.
 */
export function gpuJobEnv(
  gpus: readonly Pick<GpuDetail, "index" | "uuid">[],
): Record<"CUDA_VISIBLE_DEVICES" | "CUDA_DEVICE_ORDER" | "NVIDIA_VISIBLE_DEVICES", string> {
  return {
    CUDA_VISIBLE_DEVICES: gpus.map((g) => g.index).join(","),
    CUDA_DEVICE_ORDER: "PCI_BUS_ID",
    NVIDIA_VISIBLE_DEVICES: gpus.map((g) => g.uuid).join(","),
  };
}
