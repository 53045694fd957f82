/**
 * Which GPUs of the host a job on this runner gets: the runner's set (`DSTACK_RUNNER_GPUS`, read
 * by `@dstack/host`) resolved against what nvidia-smi lists, refusing the job when one of them is
 * missing or not answering.
 *
 * @module
 */

import {
  type GpuDetail,
  type GpuInventory,
  type GpuSet,
  gpuRefText,
  RUNNER_GPUS_ENV,
} from "@dstack/host";
import { HookError } from "./hook-context.js";

/** `nvidia-smi lists 0 (GPU-…), 1 (GPU-…)`, for messages. */
export function listed(inv: GpuInventory): string {
  return inv.gpus.length === 0
    ? "nvidia-smi lists no GPU"
    : `nvidia-smi lists ${inv.gpus.map((g) => `${g.index} (${g.uuid})`).join(", ")}`;
}

/** What nvidia-smi said about GPUs that do not answer, one entry each. */
export function troubles(inv: GpuInventory, command: string): string[] {
  return [
    ...inv.broken.map((b) => `${command} printed ${JSON.stringify(b.line)}`),
    ...(inv.complaint === undefined ? [] : [`${command} ${inv.complaint}`]),
  ];
}

/**
 * This instance's GPUs in index order, or a refusal (@throws {@link HookError} `gpu-missing` or
 * `bad-env`): a GPU missing or not answering; with the
 * whole host (unset) or indexes, any GPU not answering (indexes shift when a GPU leaves the bus,
 * and the job could land on another instance's GPU).
 */
export function resolveGpus(selection: GpuSet, inv: GpuInventory, command: string): GpuDetail[] {
  const trouble = troubles(inv, command);
  if (selection.kind === "all") {
    if (trouble.length > 0) {
      throw new HookError(
        "gpu-missing",
        `a GPU of this host is not answering (${trouble.join("; ")}); this runner uses every GPU of the host (${RUNNER_GPUS_ENV} unset), so the job was not started`,
      );
    }
    return [...inv.gpus].sort((a, b) => a.index - b.index);
  }
  if (selection.kind === "none") {
    return [];
  }
  if (trouble.length > 0 && selection.refs.some((ref) => "index" in ref)) {
    throw new HookError(
      "gpu-missing",
      `a GPU of this host is not answering (${trouble.join("; ")}); ${RUNNER_GPUS_ENV} names GPUs by index, and indexes shift while a GPU is missing, so the job was not started; name them by UUID`,
    );
  }
  const found: GpuDetail[] = [];
  const problems: string[] = [];
  for (const ref of selection.refs) {
    const gpu =
      "index" in ref
        ? inv.gpus.find((g) => g.index === ref.index)
        : inv.gpus.find((g) => g.uuid.toLowerCase() === ref.uuid.toLowerCase());
    if (gpu !== undefined) {
      if (found.some((g) => g.uuid === gpu.uuid)) {
        throw new HookError(
          "bad-env",
          `${RUNNER_GPUS_ENV}: GPU ${gpu.index} (${gpu.uuid}) is listed twice, by index and by UUID`,
        );
      }
      found.push(gpu);
      continue;
    }
    const bad = inv.broken.find((b) =>
      "index" in ref ? b.index === ref.index : b.uuid?.toLowerCase() === ref.uuid.toLowerCase(),
    );
    if (bad !== undefined) {
      problems.push(
        `GPU ${gpuRefText(ref)} is not answering: ${command} printed ${JSON.stringify(bad.line)}`,
      );
    } else {
      const why = inv.complaint === undefined ? "" : ` (${command} ${inv.complaint})`;
      problems.push(`GPU ${gpuRefText(ref)} is not on this host${why}`);
    }
  }
  if (problems.length > 0) {
    throw new HookError(
      "gpu-missing",
      `${RUNNER_GPUS_ENV}=${selection.refs.map(gpuRefText).join(",")}: ${problems.join("; ")}; ${listed(inv)}; the job was not started`,
    );
  }
  return found.sort((a, b) => a.index - b.index);
}
