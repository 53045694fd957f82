/**
 * The label scheme: the contract between a job's resources and a self-hosted runner's labels.
 *
 * GitHub Actions sends a job to a runner whose labels include all of the job's `runs-on` labels
 * (subset matching), comparing labels case-insensitively; there is no "at least"
 * (https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/using-labels-with-self-hosted-runners).
 * So each quantity gets a **ladder** of fixed steps:
 *
 * - a runner ({@link runnerLabels}) carries every step at or below what its host has, e.g. a host
 *   with 8 GPUs carries `gpu-count-ge-1` … `gpu-count-ge-8`;
 * - a job ({@link jobLabels}) carries the smallest step at or above what it asks, e.g. 3 GPUs ask
 *   for `gpu-count-ge-4`.
 *
 * A job's labels are then a subset of a runner's only if the runner has at least the step, hence
 * at least what was asked (sound); rounding up to the next step is the only waste (bounded).
 *
 * **Stability.** The ladders' values and every label spelling below are a contract between
 * runners already registered and workflows already written, possibly by different versions of
 * this package. Changing, removing or renaming a step or a prefix needs a migration (runners must
 * be re-labelled before jobs ask for the new names); adding a step is only safe once every runner
 * has been re-labelled, since a job asking for it would otherwise match no runner.
 *
 * @module
 */

import { gpuMemoryMatches, normalizeGpuName } from "./gpu.js";
import type { HostFacts, Resources } from "./job.js";
import { formatSize } from "./units.js";

/** Decimal gigabyte, the unit of the memory ladders (`mem-ge-64gb` is 64 * 10^9 bytes). */
const GB = 1e9;

/**
 * CPU cores: label `cpu-ge-N`. A runner whose host has `cpus` carries every step `N <= cpus`; a job
 * asking `cpu` carries the smallest `N >= cpu`. Stable contract: changing it needs a migration.
 */
export const CPU_LADDER: readonly number[] = Object.freeze([
  1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512,
]);

/**
 * RAM in decimal GB (10^9 bytes): label `mem-ge-NGB` lower-cased, e.g. `mem-ge-64gb`. A runner
 * carries every step with `N * 10^9 <= memoryBytes`. Stable contract: changing it needs a migration.
 */
export const MEMORY_LADDER_GB: readonly number[] = Object.freeze([
  1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072, 4096,
]);

/**
 * `/dev/shm` size in decimal GB: label `shm-ge-NGB` lower-cased, e.g. `shm-ge-8gb`; same steps as
 * {@link MEMORY_LADDER_GB}. A runner whose shm size is unknown carries none. Stable contract:
 * changing it needs a migration.
 */
export const SHM_LADDER_GB: readonly number[] = MEMORY_LADDER_GB;

/**
 * Number of GPUs: label `gpu-count-ge-N`. A runner carries every step `N <=` its number of GPUs.
 * Stable contract: changing it needs a migration.
 */
export const GPU_COUNT_LADDER: readonly number[] = Object.freeze([
  1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16,
]);

/**
 * Memory per GPU in decimal GB: label `gpu-mem-ge-NGB` lower-cased, e.g. `gpu-mem-ge-80gb`. The
 * steps are the sizes printed on common boxes (T4 16, A10G 24, A100 40/80, H100 80/94, H200 141,
 * MI300X 192). A GPU reaches a step when `gpuMemoryMatches(gpuBytes, N * 10^9)` (reporting at least
 * 95% of it, see `gpu.ts`); a runner carries the steps its *smallest* GPU reaches. Stable contract:
 * changing it needs a migration.
 */
export const GPU_MEMORY_LADDER_GB: readonly number[] = Object.freeze([
  4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 94, 96, 141, 192,
]);

/** Labels every dstack runner and every dstack job carries: `self-hosted`, `dstack`. */
export const BASE_LABELS: readonly string[] = Object.freeze(["self-hosted", "dstack"]);

/**
 * On runners without GPUs; on jobs that ask for none, so CPU-only jobs stay off GPU runners
 * unless `allowGpuRunners` is set.
 */
export const NO_GPU_LABEL = "no-gpu";

/**
 * On runners that are not interruptible (`facts.interruptible` false); on jobs unless they say
 * `interruptible: true`, so such jobs never land on spot runners.
 */
export const ON_DEMAND_LABEL = "on-demand";

/**
 * On ephemeral runners only (just-in-time or `config.sh --ephemeral`: one job, then the runner is
 * removed); on jobs that run code not on the default branch (pull-request commands, a `sha` or
 * `ref` from repository_dispatch), so untrusted code never lands on a persistent runner that a
 * later trusted job reuses. GitHub's self-hosted runner guidance: runners for untrusted code must
 * be ephemeral and isolated. `dstack-runner` never gives this label to a persistent runner.
 */
export const EPHEMERAL_LABEL = "dstack-ephemeral";

/**
 * The most labels {@link runnerLabels} may return: our budget, not a GitHub figure, leaving room
 * under what GitHub accepts for `linux`, `x64` and the operator's own labels. The true worst case
 * of {@link runnerLabels} is 90 (2 base + `on-demand` + `gpu-<model>` + every step of the CPU (16),
 * memory (21), shm (21), GPU count (11) and GPU memory (17) ladders); a test asserts it.
 */
export const MAX_RUNNER_LABELS = 100;

/**
 * The model label of a GPU name: `gpu-` and {@link normalizeGpuName}'s key (`NVIDIA H100 80GB
 * HBM3` -> `gpu-h100`), or `undefined` when the name has no model key.
 */
export function gpuModelLabel(name: string): string | undefined {
  const model = normalizeGpuName(name);
  return model === "" ? undefined : `gpu-${model}`;
}

/** A request the label scheme cannot express, for {@link jobLabels}. */
export interface LabelError {
  /** The job field, as written in YAML: `resources.cpu`, `resources.gpu.count`, … */
  field: string;
  /** Field first, then what was asked and what the scheme allows. */
  message: string;
}

/** Options of {@link jobLabels}. */
export interface JobLabelsOptions {
  /**
   * Let a job that asks for no GPU run on GPU runners too (no `no-gpu` label). Default `false`:
   * CPU-only jobs stay off GPU runners, which are scarce.
   */
  allowGpuRunners?: boolean;
  /**
   * The job runs code that is not on the default branch (a pull-request command, a `sha` or `ref`
   * from repository_dispatch): add {@link EPHEMERAL_LABEL} so it lands only on ephemeral runners.
   * Default `false`.
   */
  untrusted?: boolean;
}

interface Ladder {
  readonly field: string;
  readonly prefix: string;
  readonly unit: number;
  readonly suffix: string;
  readonly steps: readonly number[];
  /** How the top step is named in "no runner label goes above ..." */
  readonly topWords: (top: number) => string;
}

const CPU: Ladder = {
  field: "resources.cpu",
  prefix: "cpu-ge-",
  unit: 1,
  suffix: "",
  steps: CPU_LADDER,
  topWords: (top) => `${top} CPUs`,
};
const MEMORY: Ladder = {
  field: "resources.memory",
  prefix: "mem-ge-",
  unit: GB,
  suffix: "gb",
  steps: MEMORY_LADDER_GB,
  topWords: (top) => `${top}GB`,
};
const SHM: Ladder = {
  field: "resources.shm_size",
  prefix: "shm-ge-",
  unit: GB,
  suffix: "gb",
  steps: SHM_LADDER_GB,
  topWords: (top) => `${top}GB`,
};
const GPU_COUNT: Ladder = {
  field: "resources.gpu.count",
  prefix: "gpu-count-ge-",
  unit: 1,
  suffix: "",
  steps: GPU_COUNT_LADDER,
  topWords: (top) => `${top} GPUs`,
};
const GPU_MEMORY: Ladder = {
  field: "resources.gpu.memory",
  prefix: "gpu-mem-ge-",
  unit: GB,
  suffix: "gb",
  steps: GPU_MEMORY_LADDER_GB,
  topWords: (top) => `${top}GB per GPU`,
};

function label(ladder: Ladder, step: number): string {
  return `${ladder.prefix}${step}${ladder.suffix}`;
}

/** Labels of every step the host reaches, ascending. */
function reached(ladder: Ladder, reaches: (stepAmount: number) => boolean): string[] {
  return ladder.steps.filter((s) => reaches(s * ladder.unit)).map((s) => label(ladder, s));
}

/**
 * The labels a runner on this host carries.
 *
 * - {@link BASE_LABELS};
 * - {@link ON_DEMAND_LABEL} when the host is not interruptible;
 * - {@link NO_GPU_LABEL} when it has no GPU; else `gpu-<model>` only when all its GPUs have the
 *   same model key. A mixed host (say 4 A100 and 4 T4) advertises no model, so no job that names
 *   a model lands on it by mistake; split it into one runner per model with
 *   `dstack-runner split` to offer the models;
 * - every ladder step at or below what the host has: `cpu-ge-N` (`facts.cpus`), `mem-ge-NGB`
 *   (`facts.memoryBytes`), `shm-ge-NGB` (only when `facts.shmSizeBytes` is known),
 *   `gpu-count-ge-N` (all GPUs), `gpu-mem-ge-NGB` (the steps the host's smallest GPU reaches).
 *
 * Order, stable: base labels, `on-demand`, `no-gpu` or `gpu-<model>`, then the CPU, memory, shm,
 * GPU count and GPU memory ladders, each ascending. All lower-case, unique, matching
 * `^[a-z0-9][a-z0-9-]*$`, at most {@link MAX_RUNNER_LABELS}.
 *
 * @param facts - the host, as `@dstack/host` reads it (bytes for sizes).
 */
export function runnerLabels(facts: HostFacts): string[] {
  const labels = [...BASE_LABELS];
  if (!facts.interruptible) {
    labels.push(ON_DEMAND_LABEL);
  }
  const gpus = facts.gpus;
  if (gpus.length === 0) {
    labels.push(NO_GPU_LABEL);
  } else {
    const models = new Set(gpus.map((g) => normalizeGpuName(g.name)));
    const [model] = models;
    if (models.size === 1 && model) {
      labels.push(`gpu-${model}`);
    }
  }
  labels.push(...reached(CPU, (n) => n <= facts.cpus));
  labels.push(...reached(MEMORY, (bytes) => bytes <= facts.memoryBytes));
  const shm = facts.shmSizeBytes;
  if (shm !== undefined) {
    labels.push(...reached(SHM, (bytes) => bytes <= shm));
  }
  if (gpus.length > 0) {
    labels.push(...reached(GPU_COUNT, (n) => n <= gpus.length));
    const smallest = Math.min(...gpus.map((g) => g.memoryBytes));
    labels.push(...reached(GPU_MEMORY, (bytes) => gpuMemoryMatches(smallest, bytes)));
  }
  return labels;
}

/** The smallest step at or above `asked` (in the ladder's unit of bytes or items), or an error. */
function roundUp(
  ladder: Ladder,
  asked: number,
  shown: string,
): { label: string } | { error: LabelError } {
  if (!(asked > 0) || !Number.isFinite(asked)) {
    return {
      error: {
        field: ladder.field,
        message: `${ladder.field}: asked ${shown}, must be greater than zero`,
      },
    };
  }
  const step = ladder.steps.find((s) => s * ladder.unit >= asked);
  if (step === undefined) {
    const top = ladder.steps[ladder.steps.length - 1] ?? 0;
    return {
      error: {
        field: ladder.field,
        message: `${ladder.field}: asked ${shown}, no runner label goes above ${ladder.topWords(top)}`,
      },
    };
  }
  return { label: label(ladder, step) };
}

/**
 * The `runs-on` labels of a job: the smallest set that only runners able to run it carry.
 *
 * - {@link BASE_LABELS};
 * - {@link ON_DEMAND_LABEL} unless `resources.interruptible` is `true`;
 * - {@link NO_GPU_LABEL} when no GPU is asked, unless `options.allowGpuRunners`; else
 *   `gpu-<model>` when a model is named;
 * - the smallest ladder step at or above each asked value: `cpu-ge-N`, `mem-ge-NGB`, `shm-ge-NGB`,
 *   `gpu-count-ge-N`, `gpu-mem-ge-NGB` (sizes in decimal GB, 10^9 bytes).
 *
 * Same order as {@link runnerLabels}. GitHub compares labels case-insensitively; these are
 * lower-case already.
 *
 * @param resources - what the job asks for (sizes in bytes).
 * @param options - see {@link JobLabelsOptions}.
 * @returns `{ labels }`, or `{ errors }` naming each field the ladders cannot express: a value
 *   above a ladder's top (`resources.gpu.count: asked 32, no runner label goes above 16 GPUs`), a
 *   value not above zero, or a GPU name with no model key. Never throws.
 */
export function jobLabels(
  resources: Resources,
  options: JobLabelsOptions = {},
): { labels: string[] } | { errors: LabelError[] } {
  const labels = [...BASE_LABELS];
  const ladderLabels: string[] = [];
  const errors: LabelError[] = [];
  const take = (result: { label: string } | { error: LabelError }): void => {
    if ("label" in result) {
      ladderLabels.push(result.label);
    } else {
      errors.push(result.error);
    }
  };
  if (!resources.interruptible) {
    labels.push(ON_DEMAND_LABEL);
  }
  if (options.untrusted) {
    labels.push(EPHEMERAL_LABEL);
  }
  const gpu = resources.gpu;
  if (!gpu) {
    if (!options.allowGpuRunners) {
      labels.push(NO_GPU_LABEL);
    }
  } else if (gpu.name !== undefined) {
    const model = gpuModelLabel(gpu.name);
    if (model === undefined) {
      errors.push({
        field: "resources.gpu.name",
        message: `resources.gpu.name: ${JSON.stringify(gpu.name)} names no GPU model; write e.g. H100, A100 or T4`,
      });
    } else {
      labels.push(model);
    }
  }
  if (resources.cpu !== undefined) {
    take(roundUp(CPU, resources.cpu, String(resources.cpu)));
  }
  if (resources.memoryBytes !== undefined) {
    take(roundUp(MEMORY, resources.memoryBytes, formatSize(resources.memoryBytes)));
  }
  if (resources.shmSizeBytes !== undefined) {
    take(roundUp(SHM, resources.shmSizeBytes, formatSize(resources.shmSizeBytes)));
  }
  if (gpu) {
    take(roundUp(GPU_COUNT, gpu.count, String(gpu.count)));
    if (gpu.memoryBytes !== undefined) {
      take(roundUp(GPU_MEMORY, gpu.memoryBytes, formatSize(gpu.memoryBytes)));
    }
  }
  if (errors.length > 0) {
    return { errors };
  }
  return { labels: [...labels, ...ladderLabels] };
}

/**
 * GitHub's `runs-on` rule: whether a runner with `runnerLabelList` takes a job with
 * `jobLabelList`, i.e. every job label is among the runner's labels, compared case-insensitively.
 */
export function labelsMatch(
  jobLabelList: readonly string[],
  runnerLabelList: readonly string[],
): boolean {
  const have = new Set(runnerLabelList.map((l) => l.toLowerCase()));
  return jobLabelList.every((l) => have.has(l.toLowerCase()));
}
