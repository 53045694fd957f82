/**
 * GPU models and GPU memory, compared the way users write them and the way `nvidia-smi` prints them.
 *
 * A job names a model loosely (`K80`, `Tesla K80`, `h100`); the driver prints a marketing name
 * (`NVIDIA H100 80GB HBM3`, `Tesla V100-SXM2-16GB`). Both sides go through
 * {@link normalizeGpuName} and are compared as keys. A job asks for memory as printed on the box
 * (`80GB`); the driver reports the usable part of it, which {@link gpuMemoryMatches} allows for.
 *
 * @module
 */

/** Vendor and brand words: they never tell two models apart, so they are dropped. */
const BRAND_TOKENS: ReadonlySet<string> = new Set([
  "nvidia",
  "tesla",
  "geforce",
  "quadro",
  "amd",
  "radeon",
  "instinct",
]);

/**
 * Descriptor words: memory size, form factor, memory type, partitioning. Everything from the first
 * one on describes a variant of the model, not the model, so the key stops there.
 */
const DESCRIPTOR_RE = /^(?:\d+gb|sxm\d*|pcie|hbm\d*e?|nvl|mig|generation)$/;

/**
 * The GPU model key of a GPU name: lower-case letters and digits only.
 *
 * The rule: lower-case the name, split it on whitespace, `-` and `_`, drop characters other than
 * `[a-z0-9]` inside each word, drop vendor and brand words (`nvidia`, `tesla`, `geforce`,
 * `quadro`, `amd`, `radeon`, `instinct`), stop at the first descriptor word (`80gb`, `sxm4`,
 * `pcie`, `hbm3`, `hbm3e`, `nvl`, `mig`, `generation`) and join what is left without separators.
 * The rule is ours; the name shapes are those `nvidia-smi --query-gpu=name` prints.
 *
 * Examples: `Tesla K80`, `K80` and `k80` give `k80`; `NVIDIA H100 80GB HBM3`, `NVIDIA H100 PCIe`
 * give `h100`; `NVIDIA A100-SXM4-40GB` gives `a100`; `NVIDIA GeForce RTX 4090` gives `rtx4090`;
 * `NVIDIA RTX 6000 Ada Generation` gives `rtx6000ada`.
 *
 * @param name - a GPU name as a user wrote it or as the driver printed it.
 * @returns the model key, or `""` when nothing is left (e.g. `NVIDIA` alone); callers treat `""`
 *   as an invalid name.
 */
export function normalizeGpuName(name: string): string {
  const kept: string[] = [];
  for (const raw of name.toLowerCase().split(/[\s\-_]+/)) {
    const token = raw.replace(/[^a-z0-9]/g, "");
    if (token === "" || BRAND_TOKENS.has(token)) {
      continue;
    }
    if (DESCRIPTOR_RE.test(token)) {
      break;
    }
    kept.push(token);
  }
  return kept.join("");
}

/**
 * Why a GPU name as written names no model (see {@link normalizeGpuName}), for a diagnostic of
 * the field holding it; `undefined` when it names one, or is empty (a missing name is the
 * caller's rule).
 *
 * @example `gpuNameProblem("NVIDIA")` is `"NVIDIA" names no GPU model; write the model, e.g. "H100", "A100" or "T4"`.
 */
export function gpuNameProblem(name: string): string | undefined {
  return name !== "" && normalizeGpuName(name) === ""
    ? `${JSON.stringify(name)} names no GPU model; write the model, e.g. "H100", "A100" or "T4"`
    : undefined;
}

/**
 * The share of the memory printed on the box that a GPU must report to count as having it: 0.95.
 *
 * `nvidia-smi --query-gpu=memory.total` reports usable memory, a few percent under the box size
 * (and the box says decimal `GB` where the driver counts MiB): a K80 "12GB" reports 11441 MiB
 * (11.997e9 bytes), a T4 "16GB" 15360 MiB (16.1e9), an A100 "40GB" 40960 MiB (42.9e9), an H100
 * "80GB" 81559 MiB (85.5e9). Reporting at least 95% of the asked size counts as having it.
 */
export const GPU_MEMORY_TOLERANCE = 0.95;

/**
 * Whether a GPU that reports `hostBytes` of memory has the `askedBytes` a job asks for per GPU.
 *
 * True when `hostBytes >= askedBytes * GPU_MEMORY_TOLERANCE` (see {@link GPU_MEMORY_TOLERANCE}
 * for why). Monotone in both arguments, which the label scheme relies on.
 *
 * @param hostBytes - the GPU's total memory in bytes as reported (nvidia-smi MiB * 2^20).
 * @param askedBytes - the memory asked per GPU in bytes (decimal `GB` as written, `units.ts`).
 */
export function gpuMemoryMatches(hostBytes: number, askedBytes: number): boolean {
  return hostBytes >= askedBytes * GPU_MEMORY_TOLERANCE;
}
