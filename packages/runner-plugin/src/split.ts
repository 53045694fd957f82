/**
 * `dstack-runner split`: one GPU host, several runner instances, each owning a fixed set of GPUs.
 *
 * GitHub's runner takes one job at a time and knows nothing of GPUs. To share an 8-GPU machine,
 * install one runner per GPU subset (`1x4+4x1`: one 4-GPU runner and four 1-GPU runners), each in
 * its own folder, each with the labels of its own GPUs and share of the host, and each started
 * with an environment that lets its jobs see only its GPUs:
 *
 * - `CUDA_DEVICE_ORDER=PCI_BUS_ID` and `CUDA_VISIBLE_DEVICES=<indexes>`: CUDA numbers devices
 *   fastest first unless told to use PCI bus order, which is the order nvidia-smi's indexes use
 *   (CUDA C Programming Guide, "CUDA Environment Variables");
 * - `NVIDIA_VISIBLE_DEVICES=<uuids>`: what the NVIDIA Container Toolkit exposes to containers the
 *   job starts (UUIDs do not change when devices are renumbered);
 * - `DSTACK_RUNNER_GPUS=<indexes>`: what the job hooks check and lock.
 *
 * @module
 */

import { type HostReport, INTERRUPTIBLE_ENV, parseGpuItem, RUNNER_GPUS_ENV } from "@dstack/host";
import { runnerLabels } from "@dstack/spec";
import { checkExtraLabels, compactIndexes, describeHostGpus, instanceFacts } from "./labels.js";

/** Where instances are installed unless told otherwise: `/opt/actions-runner/<instance name>`. */
export const DEFAULT_RUNNERS_DIR = "/opt/actions-runner";

/** The user the systemd units run as unless told otherwise (the runner refuses root). */
export const DEFAULT_RUNNER_USER = "runner";

/** The env file's name inside an instance's folder. */
export const ENV_FILE_NAME = "dstack-runner.env";

/** Runner, user and folder names we write into units and paths: no spaces, quotes or slashes. */
const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const DIR_RE = /^\/[A-Za-z0-9._/-]*$/;

/** `NxG` terms: N instances of G GPUs. */
const COUNT_TERM_RE = /^(\d+)\s*[xX]\s*(\d+)$/;

/** Options of {@link parseLayout}. */
export interface ParseLayoutOptions {
  /** The host's nvidia-smi indexes, in order. Default `0 .. gpuCount-1`. */
  gpuIndexes?: readonly number[];
  /**
   * Names an instance by its GPUs, for overlap messages (`box-gpu0-3`). Default: the group's
   * number and indexes (`group 1 (0-3)`).
   */
  nameOf?: (indexes: readonly number[]) => string;
  /** The UUIDs of the GPUs of `gpuIndexes`, in the same order, for groups that name GPUs by UUID. */
  gpuUuids?: readonly string[];
}

/**
 * Reads a layout: which GPUs each instance owns.
 *
 * Two forms:
 * - **counts**: `NxG` terms joined by `+`: `8x1` (eight 1-GPU instances), `1x4+4x1`, `2x4`.
 *   GPUs are handed out in nvidia-smi index order, terms left to right: `1x4+4x1` on GPUs 0-7 is
 *   `0,1,2,3` `4` `5` `6` `7`;
 * - **explicit**: groups separated by `/`, each a set of GPUs in `@dstack/host`'s one syntax
 *   (`parseGpuSet`: nvidia-smi indexes, ranges and GPU UUIDs separated by `,`):
 *   `0,1,2,3/4/5/6/7` or `0-3/4/5/6/7`.
 *
 * Spaces around tokens are ignored. Fewer GPUs than the host has is allowed (the rest stay
 * unused; {@link planSplit} warns).
 *
 * @param text - the layout as written.
 * @param gpuCount - how many GPUs the host has; counts are checked against it.
 * @param options - see {@link ParseLayoutOptions}.
 * @returns `{ subsets }`, one array of nvidia-smi indexes per instance in layout order, or
 *   `{ errors }` with every problem found: an unreadable term, an empty group, `0x4` or `2x0`, a
 *   total above the host's GPUs, an index the host lacks, an index twice in a group, and each GPU
 *   in two groups (naming the GPU and both instances). Never throws.
 */
export function parseLayout(
  text: string,
  gpuCount: number,
  options: ParseLayoutOptions = {},
): { subsets: number[][] } | { errors: string[] } {
  const gpuIndexes = options.gpuIndexes ?? Array.from({ length: gpuCount }, (_, i) => i);
  const layout = text.trim();
  const shown = JSON.stringify(text);
  const has = gpuCount === 1 ? "1 GPU" : `${gpuCount} GPUs`;
  if (layout === "") {
    return { errors: [`layout ${shown} is empty; write e.g. 8x1, 1x4+4x1 or 0,1,2,3/4/5/6/7`] };
  }
  if (/x/i.test(layout)) {
    return parseCounts(layout, shown, gpuCount, has, gpuIndexes);
  }
  return parseExplicit(layout, shown, has, gpuIndexes, options.nameOf, options.gpuUuids ?? []);
}

function parseCounts(
  layout: string,
  shown: string,
  gpuCount: number,
  has: string,
  gpuIndexes: readonly number[],
): { subsets: number[][] } | { errors: string[] } {
  const errors: string[] = [];
  const sizes: number[] = [];
  for (const raw of layout.split("+")) {
    const term = raw.trim();
    const m = COUNT_TERM_RE.exec(term);
    if (!m) {
      errors.push(
        `layout ${shown}: ${JSON.stringify(term)} is not NxG (N instances of G GPUs); write e.g. 8x1 or 1x4+4x1`,
      );
      continue;
    }
    const n = Number(m[1]);
    const g = Number(m[2]);
    if (n === 0 || g === 0) {
      errors.push(
        `layout ${shown}: ${term} makes ${n === 0 ? "no instances" : "instances without GPUs"}; both numbers must be at least 1`,
      );
      continue;
    }
    for (let i = 0; i < n; i++) {
      sizes.push(g);
    }
  }
  const total = sizes.reduce((a, b) => a + b, 0);
  if (errors.length === 0 && total > gpuCount) {
    errors.push(`layout ${shown} asks for ${total} GPUs; this host has ${has}`);
  }
  if (errors.length > 0) {
    return { errors };
  }
  const order = [...gpuIndexes].sort((a, b) => a - b);
  const subsets: number[][] = [];
  let next = 0;
  for (const size of sizes) {
    subsets.push(order.slice(next, next + size));
    next += size;
  }
  return { subsets };
}

function parseExplicit(
  layout: string,
  shown: string,
  has: string,
  gpuIndexes: readonly number[],
  nameOf: ((indexes: readonly number[]) => string) | undefined,
  uuids: readonly string[],
): { subsets: number[][] } | { errors: string[] } {
  const errors: string[] = [];
  const known = new Set(gpuIndexes);
  const hostGpus = gpuIndexes.length === 0 ? "none" : compactIndexes(gpuIndexes);
  const subsets: number[][] = [];
  for (const [g, rawGroup] of layout.split("/").entries()) {
    const group = rawGroup.trim();
    const where = `layout ${shown}, group ${g + 1}`;
    if (group === "") {
      errors.push(`${where} is empty; each group names at least one GPU`);
      subsets.push([]);
      continue;
    }
    const subset: number[] = [];
    for (const rawItem of group.split(",")) {
      const item = rawItem.trim();
      // One syntax for a set of GPUs (@dstack/host): indexes, ranges and UUIDs.
      const refs = parseGpuItem(item);
      const items: number[] = [];
      if ("error" in refs && /^range /.test(refs.error)) {
        errors.push(`${where}: ${refs.error}`);
      } else if ("error" in refs) {
        errors.push(
          `${where}: ${JSON.stringify(item)} is not a GPU index; write indexes as nvidia-smi numbers them, e.g. 0,1,2,3/4/5`,
        );
      } else {
        for (const ref of refs) {
          if ("index" in ref) {
            items.push(ref.index);
            continue;
          }
          const at = uuids.findIndex((u) => u.toLowerCase() === ref.uuid.toLowerCase());
          const index = gpuIndexes[at];
          if (index === undefined) {
            errors.push(`${where}: GPU ${ref.uuid} is not on this host; this host has ${has}`);
          } else {
            items.push(index);
          }
        }
      }
      for (const index of items) {
        if (!known.has(index)) {
          errors.push(`${where}: GPU ${index} does not exist; this host has ${has} (${hostGpus})`);
        } else if (subset.includes(index)) {
          errors.push(`${where}: GPU ${index} is named twice`);
        } else {
          subset.push(index);
        }
      }
    }
    subsets.push(subset);
  }
  // Each GPU belongs to one instance: name the GPU and both instances.
  const describe = (g: number): string => {
    const subset = subsets[g] ?? [];
    return nameOf
      ? `${nameOf(subset)} (group ${g + 1})`
      : `group ${g + 1} (${compactIndexes(subset)})`;
  };
  const owner = new Map<number, number>();
  for (const [g, subset] of subsets.entries()) {
    for (const index of subset) {
      const first = owner.get(index);
      if (first === undefined) {
        owner.set(index, g);
      } else {
        errors.push(
          `layout ${shown}: GPU ${index} is in two instances, ${describe(first)} and ${describe(g)}; each GPU may belong to one instance only`,
        );
      }
    }
  }
  return errors.length > 0 ? { errors } : { subsets };
}

/** Options of {@link planSplit}. */
export interface PlanSplitOptions {
  /** The host, as `readHostFacts` reads it. */
  report: HostReport;
  /** A layout for {@link parseLayout}, or the subsets already read (nvidia-smi indexes). */
  layout: string | readonly (readonly number[])[];
  /**
   * The base runner name; each instance is `<name>-gpu<indexes>` (`box-gpu0-3`, `box-gpu4`,
   * `box-gpu0_2`), so an instance keeps its name, and `config.sh --replace` finds it, whatever the
   * layout's order. Letters, digits, `.`, `_`, `-`.
   */
  name: string;
  /** The operator's own labels for every instance; see `checkExtraLabels`. */
  extraLabels?: readonly string[];
  /** Overrides `report.interruptible`: `true` on a spot machine. */
  interruptible?: boolean;
  /** The folder holding one runner folder per instance. Default {@link DEFAULT_RUNNERS_DIR}. */
  runnersDir?: string;
  /** The user the systemd units run as. Default {@link DEFAULT_RUNNER_USER}. */
  user?: string;
}

/** One runner instance of a split host. */
export interface SplitInstance {
  /** The runner name: `<name>-gpu<indexes>`, e.g. `box-gpu0-3`. */
  name: string;
  /** The nvidia-smi indexes of its GPUs, ascending. */
  gpuIndexes: number[];
  /** Their UUIDs (`GPU-...`), in the same order. */
  gpuUuids: string[];
  /** Its labels: the scheme's from {@link instanceFacts} of its GPUs, then the extra labels. */
  labels: string[];
  /** Its runner folder: `<runnersDir>/<name>`. */
  dir: string;
  /** Where its env file goes: `<dir>/dstack-runner.env`. */
  envFilePath: string;
  /**
   * The env file: `KEY=VALUE` lines, `\n`-terminated, in this order: `CUDA_DEVICE_ORDER=PCI_BUS_ID`,
   * `CUDA_VISIBLE_DEVICES=<indexes>`, `NVIDIA_VISIBLE_DEVICES=<uuids>`, `DSTACK_RUNNER_GPUS=<indexes>`,
   * `DSTACK_RUNNER_INTERRUPTIBLE=true|false`. Both systemd's `EnvironmentFile=` and the runner's
   * `.env` read this syntax.
   */
  envFile: string;
  /** The systemd unit's file name: `dstack-runner-<name>.service`. */
  unitName: string;
  /** The systemd unit: see {@link systemdUnit}. */
  systemdUnit: string;
}

/** What {@link planSplit} returns. */
export type SplitPlan =
  | {
      /** One per layout group, in layout order. */
      instances: SplitInstance[];
      /** Things that work but are likely mistakes: unused GPUs, instances mixing GPU models. */
      warnings: string[];
    }
  | {
      /** Every problem found, one sentence each. */
      errors: string[];
    };

function instanceName(base: string, indexes: readonly number[]): string {
  const sorted = [...indexes].sort((a, b) => a - b);
  const contiguous = sorted.every((v, i) => i === 0 || v === (sorted[i - 1] ?? 0) + 1);
  const first = sorted[0];
  const last = sorted[sorted.length - 1];
  const part = sorted.length > 1 && contiguous ? `${first}-${last}` : sorted.map(String).join("_");
  return `${base}-gpu${part}`;
}

/**
 * The systemd unit of one instance: runs `<dir>/run.sh` in `<dir>` as `user`, with
 * `EnvironmentFile=<envFilePath>`.
 *
 * Modelled on the runner's own `actions.runner.service.template` (actions/runner,
 * `src/Misc/layoutbin`): `After=network-online.target`, `Restart=always`, `RestartSec=5s`,
 * `KillSignal=SIGTERM`, `TimeoutStopSec=5min`, `WantedBy=multi-user.target`; one change:
 * `KillMode=mixed` instead of `process`, so that stopping the service (SIGTERM to the runner
 * first, SIGKILL to whatever is left after the timeout) never leaves a job's processes holding
 * the instance's GPUs.
 */
export function systemdUnit(options: {
  name: string;
  dir: string;
  envFilePath: string;
  user: string;
  gpuIndexes: readonly number[];
}): string {
  const { name, dir, envFilePath, user, gpuIndexes } = options;
  return [
    "[Unit]",
    `Description=GitHub Actions runner ${name} (dstack, GPUs ${gpuIndexes.join(",")})`,
    "After=network-online.target",
    "Wants=network-online.target",
    "",
    "[Service]",
    `ExecStart=${dir}/run.sh`,
    `User=${user}`,
    `WorkingDirectory=${dir}`,
    `EnvironmentFile=${envFilePath}`,
    "KillMode=mixed",
    "KillSignal=SIGTERM",
    "TimeoutStopSec=5min",
    "Restart=always",
    "RestartSec=5s",
    "",
    "[Install]",
    "WantedBy=multi-user.target",
    "",
  ].join("\n");
}

/**
 * Plans a split: for each layout group, the runner instance that owns those GPUs, with its name,
 * labels, env file and systemd unit. Pure: writes nothing, runs nothing.
 *
 * Each instance's labels are `runnerLabels(instanceFacts(report, gpuIndexes))` plus the extra
 * labels: the facts of its own GPUs and a share of the host's CPUs, memory and `/dev/shm`
 * proportional to its GPUs (`floor(total * k / N)`, at least 1 CPU; see `instanceFacts`), so
 * that the instances' promises add up to no more than the host has.
 *
 * @param options - see {@link PlanSplitOptions}.
 * @returns `{ instances, warnings }`, or `{ errors }`: a host without GPUs (with nvidia-smi's
 *   note), a bad layout (see {@link parseLayout}: overlaps name the GPU and both instances), a bad
 *   name, folder or user, or a bad extra label. Never throws.
 */
export function planSplit(options: PlanSplitOptions): SplitPlan {
  const report =
    options.interruptible === undefined
      ? options.report
      : { ...options.report, interruptible: options.interruptible };
  const details = report.gpuDetails;
  const errors: string[] = [];
  if (details.length === 0) {
    return {
      errors: [`split: ${describeHostGpus(report)}; split shares a host's GPUs between runners`],
    };
  }
  if (!NAME_RE.test(options.name)) {
    errors.push(
      `split: name ${JSON.stringify(options.name)} may hold only letters, digits, ".", "_" and "-", starting with a letter or digit`,
    );
  }
  const runnersDir = (options.runnersDir ?? DEFAULT_RUNNERS_DIR).replace(/\/+$/, "") || "/";
  if (!DIR_RE.test(runnersDir)) {
    errors.push(
      `split: runners folder ${JSON.stringify(options.runnersDir)} must be an absolute path of letters, digits, ".", "_", "-" and "/"`,
    );
  }
  const user = options.user ?? DEFAULT_RUNNER_USER;
  if (!NAME_RE.test(user)) {
    errors.push(`split: user ${JSON.stringify(user)} is not a user name`);
  }
  let extra: string[] = [];
  try {
    extra = checkExtraLabels(options.extraLabels ?? []);
  } catch (error) {
    errors.push((error as Error).message);
  }

  const indexes = details.map((g) => g.index);
  const layoutText =
    typeof options.layout === "string"
      ? options.layout
      : options.layout.map((s) => s.join(",")).join("/");
  const parsed = parseLayout(layoutText, details.length, {
    gpuIndexes: indexes,
    gpuUuids: details.map((g) => g.uuid),
    nameOf: (subset) => instanceName(options.name, subset),
  });
  if ("errors" in parsed) {
    return { errors: [...errors, ...parsed.errors] };
  }
  if (errors.length > 0) {
    return { errors };
  }
  const subsets = parsed.subsets;
  const names = subsets.map((s) => instanceName(options.name, s));
  const owned = new Set(subsets.flat());

  const warnings: string[] = [];
  const unused = indexes.filter((i) => !owned.has(i));
  if (unused.length > 0) {
    warnings.push(
      `GPU${unused.length === 1 ? "" : "s"} ${compactIndexes(unused)} ${unused.length === 1 ? "is" : "are"} in no instance; no job will use ${unused.length === 1 ? "it" : "them"}`,
    );
  }

  const instances = subsets.map((subset, i): SplitInstance => {
    const gpuIndexes = [...subset].sort((a, b) => a - b);
    const gpus = gpuIndexes.map((index) => details.find((g) => g.index === index));
    const gpuUuids = gpus.map((g) => g?.uuid ?? "");
    const name = names[i] ?? "";
    const facts = instanceFacts(report, gpuIndexes);
    const models = new Set(gpus.map((g) => g?.name));
    if (models.size > 1) {
      warnings.push(
        `${name} mixes GPU models (${[...models].join(", ")}); it advertises no model, so jobs that name one will not run there`,
      );
    }
    const dir = `${runnersDir === "/" ? "" : runnersDir}/${name}`;
    const envFilePath = `${dir}/${ENV_FILE_NAME}`;
    const envFile = [
      "CUDA_DEVICE_ORDER=PCI_BUS_ID",
      `CUDA_VISIBLE_DEVICES=${gpuIndexes.join(",")}`,
      `NVIDIA_VISIBLE_DEVICES=${gpuUuids.join(",")}`,
      `${RUNNER_GPUS_ENV}=${gpuIndexes.join(",")}`,
      `${INTERRUPTIBLE_ENV}=${facts.interruptible ? "true" : "false"}`,
      "",
    ].join("\n");
    return {
      name,
      gpuIndexes,
      gpuUuids,
      labels: [...runnerLabels(facts), ...extra],
      dir,
      envFilePath,
      envFile,
      unitName: `dstack-runner-${name}.service`,
      systemdUnit: systemdUnit({ name, dir, envFilePath, user, gpuIndexes }),
    };
  });
  return { instances, warnings };
}
