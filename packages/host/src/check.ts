/**
 * "Can this host run this job?" and a one-line summary of the host for run logs.
 *
 * @module
 */

import { formatSize, type HostGpu, hostSatisfies, type Resources, type Unmet } from "@dstack/spec";
import type { HostReport } from "./facts.js";

/** The answer of {@link checkResources}. */
export type CheckResult =
  | { ok: true }
  | {
      ok: false;
      /** One entry per field the host lacks, in `hostSatisfies`' order. */
      unmet: Unmet[];
      /** The `unmet` messages, one line each, joined with `\n`. */
      message: string;
    };

/** Why a host has no GPUs, when it has none: `(nvidia-smi not found)`. */
function noGpuReason(report: HostReport): string {
  switch (report.sources.gpus) {
    case "none":
      return "nvidia-smi not found";
    case "failed":
      return "nvidia-smi failed";
    default:
      return "nvidia-smi found no GPUs";
  }
}

/**
 * Checks a job's resources against this host, with {@link hostSatisfies} from `@dstack/spec`
 * (its rules: CPUs, memory and `/dev/shm` in bytes as `<=`; GPU model by normalized name, GPU
 * memory within 5%; no non-interruptible job on an interruptible host).
 *
 * When GPUs were asked and the host has none, the GPU line says why:
 * `resources.gpu.count: asked 2, this host has 0 (nvidia-smi not found)`, or
 * `(nvidia-smi found no GPUs)` when it ran and listed none.
 *
 * @param resources - what the job asks for.
 * @param report - this host, from {@link readHostFacts}.
 * @returns `{ ok: true }`, or the unmet fields and a message of one line per unmet field, field
 *   path first. Never throws.
 */
export function checkResources(resources: Resources, report: HostReport): CheckResult {
  const unmet = hostSatisfies(resources, report).map((u) =>
    u.field.startsWith("resources.gpu.") && report.gpus.length === 0
      ? { ...u, message: `${u.message} (${noGpuReason(report)})` }
      : u,
  );
  if (unmet.length === 0) {
    return { ok: true };
  }
  return { ok: false, unmet, message: unmet.map((u) => u.message).join("\n") };
}

/** Bytes to one decimal in {@link formatSize}'s decimal units: 85520809984 -> `85.5GB`. */
function roughSize(bytes: number): string {
  let unit = 1;
  while (unit < 1e15 && bytes >= unit * 1000) {
    unit *= 1000;
  }
  if (unit === 1) {
    return formatSize(bytes);
  }
  const tenth = unit / 10;
  return formatSize(Math.round(bytes / tenth) * tenth);
}

/** `8x NVIDIA H100 80GB HBM3 (85.5GB)`, grouping equal name and memory, in order of appearance. */
function describeGpus(gpus: readonly HostGpu[]): string {
  const groups: { gpu: HostGpu; count: number }[] = [];
  for (const gpu of gpus) {
    const group = groups.find(
      (g) => g.gpu.name === gpu.name && g.gpu.memoryBytes === gpu.memoryBytes,
    );
    if (group) {
      group.count += 1;
    } else {
      groups.push({ gpu, count: 1 });
    }
  }
  return groups
    .map(({ gpu, count }) => `${count}x ${gpu.name} (${roughSize(gpu.memoryBytes)})`)
    .join(", ");
}

/**
 * A short summary of a host for run logs, sizes in decimal units rounded to one decimal
 * (`formatSize` from `@dstack/spec`; a GPU's memory is nvidia-smi's MiB in those units, so an
 * A100 40GB, 40960 MiB, shows as 42.9GB):
 *
 * `8 CPUs, 31.4GB memory, 1x NVIDIA A100-SXM4-40GB (42.9GB), /dev/shm 16GB`
 *
 * No GPUs: `no GPUs (nvidia-smi not found)` or `no GPUs (nvidia-smi found no GPUs)`; unknown `/dev/shm`:
 * `/dev/shm unknown`; a spot host ends with `, interruptible`.
 *
 * @param report - this host, from {@link readHostFacts}.
 */
export function formatHostFacts(report: HostReport): string {
  const parts = [
    `${report.cpus} CPU${report.cpus === 1 ? "" : "s"}`,
    `${roughSize(report.memoryBytes)} memory`,
    report.gpus.length > 0 ? describeGpus(report.gpus) : `no GPUs (${noGpuReason(report)})`,
    report.shmSizeBytes === undefined
      ? "/dev/shm unknown"
      : `/dev/shm ${roughSize(report.shmSizeBytes)}`,
  ];
  if (report.interruptible) {
    parts.push("interruptible");
  }
  return parts.join(", ");
}
