/**
 * "Does this host satisfy these resources?": the check a runner makes before it runs a job, and
 * the ground truth the label scheme (`labels.ts`) is tested against.
 *
 * @module
 */

import { GPU_MEMORY_TOLERANCE, gpuMemoryMatches, normalizeGpuName } from "./gpu.js";
import type { HostFacts, HostGpu, Resources } from "./job.js";
import { formatSize } from "./units.js";

/** One resource a host lacks, for {@link hostSatisfies}. */
export interface Unmet {
  /**
   * The field of the job, as the user writes it in `.dstack/workflows.yaml`: `resources.cpu`,
   * `resources.memory`, `resources.shm_size`, `resources.gpu.count`, `resources.gpu.name`,
   * `resources.gpu.memory` or `resources.interruptible`.
   */
  field: string;
  /** What the job asked, formatted for people (`2`, `64GB`, `h100`, `false`). */
  asked: string;
  /** What this host has, formatted the same way (`0`, `32GB`, `a100`, `unknown`). */
  has: string;
  /** One sentence, field first: `resources.gpu.count: asked 2, this host has 0`. */
  message: string;
}

function unmet(field: string, asked: string, has: string, message?: string): Unmet {
  return {
    field,
    asked,
    has,
    message: message ?? `${field}: asked ${asked}, this host has ${has}`,
  };
}

/** The model key of a host GPU, or its name as printed when it has none. */
function modelOf(gpu: HostGpu): string {
  return normalizeGpuName(gpu.name) || gpu.name;
}

/** `8x h100` / `1x a100, 3x t4`, in order of first appearance. */
function describeModels(gpus: readonly HostGpu[]): string {
  const counts = new Map<string, number>();
  for (const gpu of gpus) {
    const model = modelOf(gpu);
    counts.set(model, (counts.get(model) ?? 0) + 1);
  }
  return [...counts].map(([model, n]) => `${n}x ${model}`).join(", ");
}

const GPU_PERCENT = Math.round(GPU_MEMORY_TOLERANCE * 100);

function gpuUnmet(resources: Resources, facts: HostFacts): Unmet | undefined {
  const gpu = resources.gpu;
  if (!gpu || !(gpu.count > 0)) {
    return undefined;
  }
  const wantName = gpu.name === undefined ? undefined : normalizeGpuName(gpu.name);
  const wantMemory = gpu.memoryBytes;
  // A name with no model key ("NVIDIA") matches no GPU, not every GPU without one.
  const named = facts.gpus.filter(
    (g) => wantName === undefined || (wantName !== "" && normalizeGpuName(g.name) === wantName),
  );
  const matching = named.filter(
    (g) => wantMemory === undefined || gpuMemoryMatches(g.memoryBytes, wantMemory),
  );
  if (matching.length >= gpu.count) {
    return undefined;
  }
  // Report the field the user would change: the model when the host has GPUs but none of that
  // model, the memory when none of those GPUs is big enough, else how many.
  if (wantName !== undefined && named.length === 0 && facts.gpus.length > 0) {
    const asked = wantName || (gpu.name ?? "");
    return unmet("resources.gpu.name", asked, describeModels(facts.gpus));
  }
  if (wantMemory !== undefined && matching.length === 0 && named.length > 0) {
    const largest = Math.max(...named.map((g) => g.memoryBytes));
    const asked = formatSize(wantMemory);
    const has = formatSize(largest);
    return unmet(
      "resources.gpu.memory",
      asked,
      has,
      `resources.gpu.memory: asked ${asked} per GPU, this host's largest${wantName ? ` ${wantName}` : ""} GPU has ${has} (at least ${GPU_PERCENT}% of the asked size counts)`,
    );
  }
  const asked = String(gpu.count);
  const has = String(matching.length);
  const filters = [
    wantName,
    wantMemory === undefined ? undefined : `with ${formatSize(wantMemory)}`,
  ]
    .filter((s) => s)
    .join(" ");
  return unmet(
    "resources.gpu.count",
    asked,
    has,
    filters === ""
      ? undefined
      : `resources.gpu.count: asked ${asked} ${filters}, this host has ${has}${facts.gpus.length > 0 ? ` (of ${facts.gpus.length}: ${describeModels(facts.gpus)})` : ""}`,
  );
}

/**
 * Checks a job's resources against one host's facts.
 *
 * Rules (sizes compare in bytes; GPU models by {@link normalizeGpuName}):
 * - `cpu <= facts.cpus`; `memoryBytes <= facts.memoryBytes`;
 * - `shmSizeBytes <= facts.shmSizeBytes`; an unknown `/dev/shm` size is unmet only when asked;
 * - GPUs: at least `gpu.count` of the host's GPUs have the asked model (when named) and the asked
 *   memory per GPU (when given, within {@link gpuMemoryMatches}'s tolerance). The one unmet entry
 *   names the field to change: `resources.gpu.name` when no GPU of that model is there,
 *   `resources.gpu.memory` when none of them is large enough, else `resources.gpu.count`;
 * - a job with `interruptible: false` is unmet on an interruptible (spot) host.
 *
 * @param resources - what the job asks for.
 * @param facts - what the host has, as `@dstack/host` reads it.
 * @returns one {@link Unmet} per field the host lacks, in the order cpu, memory, shm_size, gpu,
 *   interruptible; `[]` when the host satisfies the job.
 */
export function hostSatisfies(resources: Resources, facts: HostFacts): Unmet[] {
  const out: Unmet[] = [];
  if (resources.cpu !== undefined && resources.cpu > facts.cpus) {
    out.push(unmet("resources.cpu", String(resources.cpu), String(facts.cpus)));
  }
  if (resources.memoryBytes !== undefined && resources.memoryBytes > facts.memoryBytes) {
    out.push(
      unmet("resources.memory", formatSize(resources.memoryBytes), formatSize(facts.memoryBytes)),
    );
  }
  if (resources.shmSizeBytes !== undefined) {
    const asked = formatSize(resources.shmSizeBytes);
    if (facts.shmSizeBytes === undefined) {
      out.push(
        unmet(
          "resources.shm_size",
          asked,
          "unknown",
          `resources.shm_size: asked ${asked}, this host's /dev/shm size is unknown`,
        ),
      );
    } else if (resources.shmSizeBytes > facts.shmSizeBytes) {
      out.push(unmet("resources.shm_size", asked, formatSize(facts.shmSizeBytes)));
    }
  }
  const gpu = gpuUnmet(resources, facts);
  if (gpu) {
    out.push(gpu);
  }
  if (!resources.interruptible && facts.interruptible) {
    out.push(
      unmet(
        "resources.interruptible",
        "false",
        "true",
        "resources.interruptible: asked false, this host is interruptible (spot); set interruptible: true to allow it",
      ),
    );
  }
  return out;
}
