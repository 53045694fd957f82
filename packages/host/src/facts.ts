/**
 * Facts about this machine: CPUs, memory, GPUs, `/dev/shm`, and whether it is a spot machine.
 *
 * @module
 */

import { statfs } from "node:fs/promises";
import * as nodeOs from "node:os";
import { join } from "node:path";
import { cgroupDirs, readCpuMax, readMemoryMax, readMemTotal } from "./cgroup.js";
import { HostError } from "./errors.js";
import type { HostReport, HostSources } from "./host-report.js";
import { NVIDIA_SMI_TIMEOUT_MS, type NvidiaSmiAnswer, queryNvidiaSmi } from "./nvidia.js";
import { applyRunnerShare } from "./runner-share.js";

export type { HostReport, HostSources } from "./host-report.js";

/** The parts of `node:os` {@link readHostFacts} uses; tests pass fixed numbers. */
export interface HostOs {
  /** CPUs this process may run on (`sched_getaffinity` on Linux). */
  availableParallelism(): number;
  /** Physical memory in bytes. */
  totalmem(): number;
}

/** Options of {@link readHostFacts}. All optional. */
export interface ReadHostFactsOptions {
  /**
   * The environment: `PATH` to find nvidia-smi on, `DSTACK_RUNNER_INTERRUPTIBLE`, and the whole
   * environment nvidia-smi runs with. Default `process.env`.
   */
  env?: NodeJS.ProcessEnv;
  /**
   * The file system root under which `/sys/fs/cgroup`, `/proc/self/cgroup`, `/proc/meminfo` and
   * `/dev/shm` are read. Default `/`; tests point it at a fixture folder.
   */
  root?: string;
  /** The nvidia-smi command: a name looked up on `env.PATH`, or a path. Default `nvidia-smi`. */
  nvidiaSmi?: string;
  /** How long nvidia-smi may run, in milliseconds. Default 15000 ({@link NVIDIA_SMI_TIMEOUT_MS}). */
  nvidiaSmiTimeoutMs?: number;
  /**
   * Whether this machine is interruptible (spot/preemptible). Default: from
   * `env.DSTACK_RUNNER_INTERRUPTIBLE`, else `false`.
   */
  interruptible?: boolean;
  /** CPU count and total memory when cgroup and `/proc` say nothing. Default `node:os`. */
  os?: HostOs;
  /**
   * Report only this runner's part of the host (`DSTACK_RUNNER_GPUS` in `env` and the CPU and
   * memory share that goes with it; see `applyRunnerShare`). Default `false`: the whole host.
   */
  runnerShare?: boolean;
  /**
   * What an installed nvidia-smi that fails (`gpu-driver`: driver not loaded, non-zero exit,
   * hung) does: `throw` (default), or `warn`: no GPUs, `sources.gpus` `failed`, and the failure
   * in `warnings` (for a job that asks no GPU, which a broken driver does not stop).
   */
  gpuFailure?: "throw" | "warn";
}

/**
 * The environment variable that marks a spot (interruptible) runner: set it to `true` (or `1`)
 * in the runner's environment (e.g. its `.env` file) on spot or preemptible instances, so jobs
 * with `interruptible: false` are refused there. `false`, `0` or unset: on-demand.
 */
export const INTERRUPTIBLE_ENV = "DSTACK_RUNNER_INTERRUPTIBLE";

function readInterruptible(env: NodeJS.ProcessEnv): { value: boolean; note?: string } {
  const raw = env[INTERRUPTIBLE_ENV];
  if (raw === undefined || raw.trim() === "") {
    return { value: false };
  }
  const text = raw.trim().toLowerCase();
  if (text === "true" || text === "1") {
    return { value: true, note: `interruptible from ${INTERRUPTIBLE_ENV}=${raw}` };
  }
  if (text === "false" || text === "0") {
    return { value: false };
  }
  // A typo must not silently make a spot runner accept jobs that may not be interrupted.
  throw new HostError(
    "bad-env",
    `${INTERRUPTIBLE_ENV}: ${JSON.stringify(raw)} is not a boolean; use true or 1 on spot runners, false or 0 (or unset) elsewhere`,
  );
}

async function readShm(root: string): Promise<{ bytes?: number; note?: string }> {
  try {
    const stats = await statfs(join(root, "dev/shm"));
    return { bytes: stats.bsize * stats.blocks };
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return {
      note:
        code === "ENOENT"
          ? "/dev/shm not found: shm size unknown"
          : `/dev/shm unreadable (${code ?? String(error)}): shm size unknown`,
    };
  }
}

/**
 * Reads the facts of this host: what a job run here may use.
 *
 * Rules, each recorded in `notes` and `sources`:
 * - **cpus**: the smallest cgroup v2 `cpu.max` quota along this process's cgroup path
 *   (`QUOTA PERIOD` = QUOTA / PERIOD CPUs, rounded up to a whole CPU, at least 1; `max` = no
 *   limit), capped by `os.availableParallelism()`; without a quota, `os.availableParallelism()`.
 *   cgroup v2: https://docs.kernel.org/admin-guide/cgroup-v2.html (`cpu.max`).
 * - **memoryBytes**: the smallest cgroup v2 `memory.max` along the path (`max` = no limit) when
 *   it is below `/proc/meminfo` MemTotal (KiB * 1024); else MemTotal; without `/proc/meminfo`,
 *   `os.totalmem()`.
 * - **gpus**: `nvidia-smi --query-gpu=index,name,memory.total,uuid --format=csv,noheader,nounits`,
 *   run without a shell, with `env`, for at most 15 s; memory in MiB * 2^20 bytes. Not installed:
 *   no GPUs (and a note). "No devices were found": no GPUs (and a note). See `queryNvidiaSmi` in
 *   `nvidia.ts` for each case. `CUDA_VISIBLE_DEVICES` is not applied: nvidia-smi lists every GPU.
 * - **shmSizeBytes**: `statfs(<root>/dev/shm)`: `bsize * blocks` bytes; absent (with a note) when
 *   `/dev/shm` does not exist.
 * - **interruptible**: `options.interruptible`, else `DSTACK_RUNNER_INTERRUPTIBLE` (`true`/`1`
 *   vs `false`/`0`/unset, case-insensitive), else `false`.
 *
 * @param options - see {@link ReadHostFactsOptions}.
 * @returns the facts plus GPU details, notes and sources. Sizes are bytes.
 * - **runner share** (`runnerShare: true`): the part of the host this runner owns
 *   (`DSTACK_RUNNER_GPUS`; `applyRunnerShare` in `runner-share.ts`).
 *
 * @throws {@link HostError} `gpu-driver` when nvidia-smi is installed but cannot list the GPUs
 *   (driver not loaded, non-zero exit, hung) and `gpuFailure` is not `warn`, `gpu-parse` when its output is malformed, `bad-env`
 *   when `DSTACK_RUNNER_INTERRUPTIBLE` is not a boolean. Missing cgroup, `/proc` or `/dev/shm`
 *   files are not errors.
 */
export async function readHostFacts(options: ReadHostFactsOptions = {}): Promise<HostReport> {
  const env = options.env ?? process.env;
  const root = options.root ?? "/";
  const os = options.os ?? nodeOs;
  const interruptible =
    options.interruptible === undefined
      ? readInterruptible(env)
      : { value: options.interruptible, note: undefined };

  const dirs = await cgroupDirs(root);
  const [cpuMax, memoryMax, memTotal, shm, smi] = await Promise.all([
    readCpuMax(root, dirs),
    readMemoryMax(root, dirs),
    readMemTotal(root),
    readShm(root),
    queryNvidiaSmi({
      command: options.nvidiaSmi ?? "nvidia-smi",
      env,
      timeoutMs: options.nvidiaSmiTimeoutMs ?? NVIDIA_SMI_TIMEOUT_MS,
    }).catch((error: unknown): NvidiaSmiAnswer & { failure?: string } => {
      if (
        options.gpuFailure === "warn" &&
        error instanceof HostError &&
        error.code === "gpu-driver"
      ) {
        return { gpus: [], source: "failed", notes: [], failure: error.message };
      }
      throw error;
    }),
  ]);

  const notes: string[] = [...cpuMax.notes];
  const osCpus = Math.max(1, os.availableParallelism());
  let cpus = osCpus;
  let cpuSource: HostSources["cpus"] = "os";
  if (cpuMax.limit === undefined) {
    notes.push(`cpus from os.availableParallelism(): no cgroup v2 cpu.max limit`);
  } else {
    const { value, file, raw } = cpuMax.limit;
    const whole = Math.max(1, Math.ceil(value));
    const rounded = whole === value ? "" : ` (${value} CPUs, rounded up)`;
    if (whole <= osCpus) {
      cpus = whole;
      cpuSource = "cgroup";
      notes.push(`cpus from cgroup ${file} ${raw}${rounded}`);
    } else {
      notes.push(
        `cpus from os.availableParallelism(): fewer than cgroup ${file} ${raw} allows${rounded}`,
      );
    }
  }

  notes.push(...memoryMax.notes);
  const base =
    memTotal === undefined
      ? { bytes: os.totalmem(), source: "os" as const, what: "os.totalmem()" }
      : {
          bytes: memTotal.bytes,
          source: "meminfo" as const,
          what: `/proc/meminfo MemTotal ${memTotal.kib} kB`,
        };
  let memoryBytes = base.bytes;
  let memorySource: HostSources["memory"] = base.source;
  if (memoryMax.limit !== undefined && memoryMax.limit.value < base.bytes) {
    memoryBytes = memoryMax.limit.value;
    memorySource = "cgroup";
    notes.push(`memory from cgroup ${memoryMax.limit.file} ${memoryMax.limit.raw}`);
  } else if (memoryMax.limit !== undefined) {
    notes.push(
      `memory from ${base.what}: below cgroup ${memoryMax.limit.file} ${memoryMax.limit.raw}`,
    );
  } else {
    notes.push(
      `memory from ${base.what}${memTotal === undefined ? " (/proc/meminfo unreadable)" : ""}`,
    );
  }

  notes.push(...smi.notes);
  if (shm.note !== undefined) {
    notes.push(shm.note);
  }
  if (interruptible.note !== undefined) {
    notes.push(interruptible.note);
  }

  const report: HostReport = {
    cpus,
    memoryBytes,
    gpus: smi.gpus.map(({ name, memoryBytes }) => ({ name, memoryBytes })),
    interruptible: interruptible.value,
    gpuDetails: smi.gpus,
    notes,
    sources: { cpus: cpuSource, memory: memorySource, gpus: smi.source },
  };
  if (shm.bytes !== undefined) {
    report.shmSizeBytes = shm.bytes;
  }
  if ("failure" in smi && smi.failure !== undefined) {
    report.warnings = [`${smi.failure}; continuing without GPUs`];
    report.notes.push(`no GPUs: ${smi.failure}`);
  }
  return options.runnerShare === true ? applyRunnerShare(report, env) : report;
}
