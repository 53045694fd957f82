/**
 * What nvidia-smi says about the GPUs beyond their list: which ones answer (a GPU off the bus, a
 * GPU needing a reset), which processes hold memory on them, and how much memory each has
 * allocated. The runner hooks' view of the host; `@dstack/host` is the only package that runs
 * nvidia-smi.
 *
 * Queries, each run without a shell by {@link runNvidiaSmi} (`--format=csv,noheader,nounits`:
 * fields separated by `, `, MiB without unit):
 * - `--query-gpu=index,name,memory.total,uuid` ({@link NVIDIA_SMI_ARGS}): the GPUs, one line
 *   each, parsed line by line with {@link parseNvidiaSmiCsv};
 * - `--query-compute-apps=gpu_uuid,pid,used_memory`: one line per process with a compute context
 *   on a GPU, nothing when there is none (`used_memory`, alias `used_gpu_memory`: MiB used by the
 *   context; may be `[N/A]`). Pids are those of the host's PID namespace;
 * - `--query-gpu=uuid,memory.used`: MiB allocated per GPU.
 *
 * @module
 */

import { HostError } from "./errors.js";
import {
  DRIVER_FIX,
  firstLine,
  type GpuDetail,
  NVIDIA_SMI_ARGS,
  type NvidiaSmiOutput,
  parseNvidiaSmiCsv,
  type QueryNvidiaSmiOptions,
  runNvidiaSmi,
} from "./nvidia.js";

/** The arguments of the compute-processes query. */
export const COMPUTE_APPS_ARGS: readonly string[] = [
  "--query-compute-apps=gpu_uuid,pid,used_memory",
  "--format=csv,noheader,nounits",
];

/** The arguments of the memory-used query. */
export const MEMORY_USED_ARGS: readonly string[] = [
  "--query-gpu=uuid,memory.used",
  "--format=csv,noheader,nounits",
];

const WHOLE = /^\d+$/;
const UUID = /^GPU-[0-9A-Fa-f-]+$/;
const NO_DEVICES = /^No devices were found$/im;

/** A line of the GPU list that did not parse: a GPU that is not answering. */
export interface BrokenGpu {
  index?: number;
  uuid?: string;
  line: string;
}

/** The host's GPUs as {@link readGpuInventory} found them. */
export interface GpuInventory {
  gpus: GpuDetail[];
  broken: BrokenGpu[];
  /** nvidia-smi's complaint when it exited non-zero but listed GPUs: `exit code 15: "…"`. */
  complaint?: string;
  /** The first stderr line of that complaint, when there was one. */
  complaintLine?: string;
  /** Why there are no GPUs, when there are none and nothing failed. */
  none?: string;
}

/**
 * The host's GPUs, each answering or not. Not installed, or "No devices were found" (exit 0 or
 * 6): no GPUs, with `none` saying why. A line that does not parse (`[Unknown Error]`, `[GPU
 * requires reset]`, …) is a GPU not answering. A non-zero exit with nothing listed is a driver
 * failure; with GPUs listed, a complaint (a GPU fell off the bus: "Unable to determine the
 * device handle for GPU …").
 *
 * @throws {@link HostError} `gpu-driver` when nvidia-smi fails, hangs or lists nothing and exits
 *   non-zero.
 */
export async function readGpuInventory(options: QueryNvidiaSmiOptions): Promise<GpuInventory> {
  const { command } = options;
  const answer = await runNvidiaSmi({ ...options, args: NVIDIA_SMI_ARGS });
  if (answer === undefined) {
    return { gpus: [], broken: [], none: `${command} not found on PATH` };
  }
  const { stdout, stderr, exitCode } = answer;
  if (NO_DEVICES.test(`${stdout}\n${stderr}`) && (exitCode === 0 || exitCode === 6)) {
    return { gpus: [], broken: [], none: `${command}: No devices were found` };
  }
  const gpus: GpuDetail[] = [];
  const broken: BrokenGpu[] = [];
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") {
      continue;
    }
    try {
      gpus.push(...parseNvidiaSmiCsv(line));
    } catch (error) {
      if (!(error instanceof HostError)) {
        throw error;
      }
      const fields = line.split(",").map((f) => f.trim());
      const entry: BrokenGpu = { line };
      if (WHOLE.test(fields[0] ?? "")) {
        entry.index = Number(fields[0]);
      }
      const last = fields.at(-1) ?? "";
      if (UUID.test(last)) {
        entry.uuid = last;
      }
      broken.push(entry);
    }
  }
  if (exitCode !== 0) {
    if (gpus.length === 0 && broken.length === 0) {
      throw new HostError(
        "gpu-driver",
        `${command} failed with exit code ${exitCode}: ${JSON.stringify(firstLine(stderr, stdout))}; ${DRIVER_FIX}`,
      );
    }
    const inv: GpuInventory = { gpus, broken, complaint: `exit code ${exitCode}` };
    if (stderr.trim() !== "") {
      inv.complaintLine = firstLine(stderr);
      inv.complaint += `: ${JSON.stringify(inv.complaintLine)}`;
    }
    return inv;
  }
  return { gpus, broken };
}

/** A process holding a compute context on a GPU. */
export interface GpuProcess {
  uuid: string;
  /** `undefined` when nvidia-smi printed no number (`[N/A]`: another PID namespace). */
  pid?: number;
  /** MiB; `undefined` when not a number (`[N/A]`). */
  usedMiB?: number;
}

/**
 * Lists compute processes on all GPUs. A non-zero exit is a failure, except when every stderr
 * line is `tolerated`: the complaint already attributed to a GPU the caller does not use (a GPU
 * off the bus makes every query exit non-zero; the other GPUs' lines still come).
 *
 * @throws {@link HostError} `gpu-driver` on failure, or when nvidia-smi is not installed.
 */
export async function readComputeApps(
  options: QueryNvidiaSmiOptions & { tolerated?: string },
): Promise<GpuProcess[]> {
  const { command, tolerated } = options;
  const answer = await runNvidiaSmi({ ...options, args: COMPUTE_APPS_ARGS });
  if (answer === undefined) {
    throw new HostError(
      "gpu-driver",
      `${command} not found on PATH; cannot tell whether the GPUs are free`,
    );
  }
  const said = answer.stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const excused = tolerated !== undefined && said.length > 0 && said.every((l) => l === tolerated);
  if (answer.exitCode !== 0 && !excused) {
    const why = said.find((l) => l !== tolerated) ?? firstLine(answer.stderr, answer.stdout);
    throw new HostError(
      "gpu-driver",
      `${command} ${COMPUTE_APPS_ARGS[0]} failed with exit code ${answer.exitCode}: ${JSON.stringify(why)}; cannot tell whether the GPUs are free`,
    );
  }
  const out: GpuProcess[] = [];
  for (const raw of answer.stdout.split(/\r?\n/)) {
    const fields = raw.split(",").map((f) => f.trim());
    const uuid = fields[0] ?? "";
    if (uuid === "" || /^No running/i.test(uuid)) {
      continue;
    }
    const entry: GpuProcess = { uuid };
    const pid = fields[1] ?? "";
    const mem = fields[2] ?? "";
    if (WHOLE.test(pid)) {
      entry.pid = Number(pid);
    }
    if (WHOLE.test(mem)) {
      entry.usedMiB = Number(mem);
    }
    out.push(entry);
  }
  return out;
}

/**
 * `memory.used` per GPU, in MiB, by UUID (`--query-gpu=uuid,memory.used`).
 *
 * @throws Error naming the exit code and first line when nvidia-smi is missing or fails;
 *   {@link HostError} `gpu-driver` when it hangs or the driver does not answer.
 */
export async function readGpuMemoryUsed(
  options: QueryNvidiaSmiOptions,
): Promise<Map<string, number>> {
  const answer: NvidiaSmiOutput | undefined = await runNvidiaSmi({
    ...options,
    args: MEMORY_USED_ARGS,
  });
  if (answer === undefined || answer.exitCode !== 0) {
    throw new HostError(
      "gpu-driver",
      answer === undefined
        ? `${options.command} not found on PATH`
        : `exit code ${answer.exitCode}: ${JSON.stringify(firstLine(answer.stderr, answer.stdout))}`,
    );
  }
  const used = new Map<string, number>();
  for (const raw of answer.stdout.split(/\r?\n/)) {
    const [uuid = "", mib = ""] = raw.split(",").map((f) => f.trim());
    if (uuid !== "" && WHOLE.test(mib)) {
      used.set(uuid, Number(mib));
    }
  }
  return used;
}
