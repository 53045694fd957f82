/**
 * The one syntax for a set of GPUs, wherever one is written: `DSTACK_RUNNER_GPUS` (which GPUs a
 * runner owns), `dstack-runner labels|configure --gpus`, and each group of a
 * `dstack-runner split` layout.
 *
 * Items separated by commas, spaces around them allowed: an nvidia-smi index (`3`), a range of
 * indexes (`0-3`), or a GPU UUID (`GPU-3edf87da-6dc2-bd9a-1484-92b81d6e1f89`). UUIDs are safer:
 * indexes follow PCI bus order and shift when a GPU disappears from the bus. `none` (or nothing)
 * is the empty set.
 *
 * @module
 */

import { HostError } from "./errors.js";
import type { GpuDetail } from "./nvidia.js";

/** One GPU of a set: by nvidia-smi index, or by UUID. */
export type GpuRef = { index: number } | { uuid: string };

/**
 * A set of GPUs: `all` (nothing written: every GPU of the host), `none` (empty or `none`), or a
 * list in the order written.
 */
export type GpuSet = { kind: "all" } | { kind: "none" } | { kind: "list"; refs: GpuRef[] };

const WHOLE = /^\d+$/;
const RANGE = /^(\d+)\s*-\s*(\d+)$/;
const UUID = /^GPU-[0-9A-Fa-f-]+$/;

/** `3` or `GPU-…`, as written in a set. */
export function gpuRefText(ref: GpuRef): string {
  return "index" in ref ? String(ref.index) : ref.uuid;
}

/**
 * Reads one item of a set: an index, a range of indexes, or a UUID.
 *
 * @returns the GPUs it names (a range: each index, ascending), or why it is not an item.
 */
export function parseGpuItem(item: string): GpuRef[] | { error: string } {
  const text = item.trim();
  if (text === "") {
    return { error: "an item is empty" };
  }
  if (WHOLE.test(text)) {
    return [{ index: Number(text) }];
  }
  const range = RANGE.exec(text);
  if (range) {
    const from = Number(range[1]);
    const to = Number(range[2]);
    if (from > to) {
      return { error: `range ${text} runs backwards; write ${to}-${from}` };
    }
    return Array.from({ length: to - from + 1 }, (_, i) => ({ index: from + i }));
  }
  if (UUID.test(text)) {
    return [{ uuid: text }];
  }
  if (/^MIG-/i.test(text)) {
    return { error: `${JSON.stringify(text)} is a MIG device, which is not supported` };
  }
  return { error: `${JSON.stringify(text)} is neither a GPU index nor a GPU UUID (GPU-…)` };
}

/**
 * Parses a set of GPUs (see the module's syntax).
 *
 * @param raw - the text; `undefined` when not given (an unset variable).
 * @param options.name - what it was given as, for messages: `DSTACK_RUNNER_GPUS` (default) or
 *   `--gpus`.
 * @returns `all` when `undefined`, `none` when empty or `none`, else the list in the order given.
 * @throws {@link HostError} `bad-env` for an empty item, an item that is neither an index, a range
 *   nor a `GPU-` UUID (MIG devices, `MIG-…`, are not supported), or a GPU given twice; the message
 *   is `<name>=<raw>: <what>; use …`.
 */
export function parseGpuSet(raw: string | undefined, options: { name?: string } = {}): GpuSet {
  const name = options.name ?? "DSTACK_RUNNER_GPUS";
  if (raw === undefined) {
    return { kind: "all" };
  }
  const text = raw.trim();
  if (text === "" || text.toLowerCase() === "none") {
    return { kind: "none" };
  }
  const fail = (what: string): never => {
    throw new HostError(
      "bad-env",
      `${name}=${raw}: ${what}; use GPU UUIDs or nvidia-smi indexes (or ranges of them, 0-3) separated by commas, e.g. ${name}=GPU-3edf87da-6dc2-bd9a-1484-92b81d6e1f89,GPU-62847ac1-d949-38ad-0267-cdf6a2d778cd or ${name}=0,1`,
    );
  };
  const refs: GpuRef[] = [];
  const seen = new Set<string>();
  for (const part of text.split(",")) {
    const items = parseGpuItem(part);
    if ("error" in items) {
      return fail(items.error);
    }
    for (const ref of items) {
      const key = gpuRefText(ref).toLowerCase();
      if (seen.has(key)) {
        fail(
          `${JSON.stringify(items.length === 1 ? part.trim() : gpuRefText(ref))} is listed twice`,
        );
      }
      seen.add(key);
      refs.push(ref);
    }
  }
  return { kind: "list", refs };
}

/**
 * The GPUs of `gpus` a set names, in nvidia-smi index order.
 *
 * @param set - from {@link parseGpuSet}.
 * @param gpus - the host's GPUs, as nvidia-smi lists them.
 * @param options.name - for messages, as in {@link parseGpuSet}.
 * @throws {@link HostError} `bad-env` when the set names a GPU the host does not have (listing the
 *   host's), or one GPU by index and by UUID.
 */
export function resolveGpuSet(
  set: GpuSet,
  gpus: readonly GpuDetail[],
  options: { name?: string } = {},
): GpuDetail[] {
  const name = options.name ?? "DSTACK_RUNNER_GPUS";
  if (set.kind === "all") {
    return [...gpus].sort((a, b) => a.index - b.index);
  }
  if (set.kind === "none") {
    return [];
  }
  const found: GpuDetail[] = [];
  for (const ref of set.refs) {
    const gpu =
      "index" in ref
        ? gpus.find((g) => g.index === ref.index)
        : gpus.find((g) => g.uuid.toLowerCase() === ref.uuid.toLowerCase());
    if (gpu === undefined) {
      const has =
        gpus.length === 0
          ? "this host has no GPU"
          : `this host has ${gpus.map((g) => `${g.index} (${g.uuid})`).join(", ")}`;
      throw new HostError("bad-env", `${name}: GPU ${gpuRefText(ref)} is not on this host; ${has}`);
    }
    if (found.some((g) => g.uuid === gpu.uuid)) {
      throw new HostError(
        "bad-env",
        `${name}: GPU ${gpu.index} (${gpu.uuid}) is listed twice, by index and by UUID`,
      );
    }
    found.push(gpu);
  }
  return found.sort((a, b) => a.index - b.index);
}
