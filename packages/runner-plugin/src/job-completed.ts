/**
 * `dstack-runner hook job-completed`: ends what the job left on this runner's GPUs, releases their
 * locks and reports the memory still allocated.
 *
 * @module
 */

import {
  ancestorPids,
  findJobOwnerPid,
  type GpuProcess,
  isProcessAlive,
  listLocks,
  readComputeApps,
  readGpuInventory,
  readGpuMemoryUsed,
  releaseLocks,
} from "@dstack/host";
import { gpuName, type HookOptions, hookContext } from "./hook-context.js";
import { type EndedProcess, endProcesses, KILL_GRACE_MS } from "./process-reaping.js";

/** The options of {@link jobCompleted}. */
export interface JobCompletedOptions extends HookOptions {
  /** How long leftover processes get after SIGTERM before SIGKILL, in ms. Default 10000. */
  graceMs?: number;
}

/** Memory still allocated on a GPU after the job. */
export interface GpuMemory {
  uuid: string;
  /** nvidia-smi index, when the GPU list could be read. */
  index?: number;
  /** `memory.used` in MiB. */
  usedMiB: number;
}

/** What {@link jobCompleted} did. */
export interface JobCompletedResult {
  /** Every line it printed, in order. */
  lines: string[];
  /** The leftover processes found on this runner's GPUs and what became of them. */
  ended: EndedProcess[];
  /** The UUIDs whose locks were released. */
  released: string[];
  /** `memory.used` per released GPU, when nvidia-smi answered. */
  memory: GpuMemory[];
  /** The lines among `lines` that are warnings (`::warning::…`), without the prefix. */
  warnings: string[];
}

/**
 * Cleans up after a job on the GPUs this runner locked for it.
 *
 * In order:
 * 1. this runner's locks (`RUNNER_NAME`, owner `ownerPid` or no longer running) in the lock dir
 *    name its GPUs; `DSTACK_RUNNER_GPUS` is not read, and GPUs locked by other runners are never
 *    touched. None: prints so and returns (a CPU runner, or job-started refused the job);
 * 2. leftover processes on those GPUs (`--query-compute-apps`) get SIGTERM, then SIGKILL after
 *    `graceMs`; this hook, its ancestors and the owner are spared. (Other leftover processes of
 *    the job are the runner's own cleanup.) Pids are the host's: a runner in a container without
 *    the host's PID namespace should not run this hook;
 * 3. the locks are released, whatever happened in 2;
 * 4. `memory.used` of each released GPU is reported (`--query-gpu=uuid,memory.used`).
 *
 * GPU or process problems (nvidia-smi failing, a process that survives SIGKILL or belongs to
 * another user) are `::warning::` lines and `warnings`, not errors: the job's result is not
 * changed by its cleanup.
 *
 * @returns the lines printed, the processes ended, the locks released, memory per GPU, warnings.
 * @throws {@link HookError} `bad-env` without `RUNNER_NAME`; `LockError` `lock-dir` or `mutex`
 *   when the lock dir is unusable.
 */
export async function jobCompleted(options: JobCompletedOptions = {}): Promise<JobCompletedResult> {
  const ctx = hookContext(options, "job-completed");
  const result: JobCompletedResult = {
    lines: ctx.lines,
    ended: [],
    released: [],
    memory: [],
    warnings: ctx.warnings,
  };
  const ownerPid = options.ownerPid ?? findJobOwnerPid().pid;
  const ours: string[] = [];
  for (const { uuid, lock } of listLocks(ctx.lockDir)) {
    if (lock === "corrupt" || lock.runner !== ctx.runner) {
      continue;
    }
    if (lock.pid === ownerPid || !isProcessAlive(lock.pid, lock.pidStart)) {
      ours.push(uuid);
    } else {
      ctx.warn(
        `GPU ${uuid} is locked by another live process named like this runner (pid ${lock.pid}, ${lock.job}); left alone: are two runners named ${JSON.stringify(ctx.runner)} on this host?`,
      );
    }
  }
  if (ours.length === 0) {
    ctx.say(`runner ${JSON.stringify(ctx.runner)} holds no GPU lock: nothing to clean up`);
    return result;
  }
  const indexes = new Map<string, number>();
  const label = (uuid: string) => gpuName({ index: indexes.get(uuid), uuid });
  try {
    try {
      const inv = await readGpuInventory(ctx.smi);
      for (const gpu of inv.gpus) {
        indexes.set(gpu.uuid, gpu.index);
      }
    } catch (error) {
      ctx.warn(`cannot list the GPUs: ${(error as Error).message}`);
    }
    let leftovers: GpuProcess[] = [];
    try {
      const set = new Set(ours);
      leftovers = (await readComputeApps(ctx.smi)).filter((p) => set.has(p.uuid));
    } catch (error) {
      ctx.warn(`cannot list leftover processes: ${(error as Error).message}`);
    }
    if (leftovers.length === 0) {
      ctx.say(`no leftover process on ${ours.map(label).join(", ")}`);
    } else {
      const spare = new Set([process.pid, ownerPid, ...ancestorPids()]);
      result.ended = await endProcesses(
        ctx,
        leftovers,
        options.graceMs ?? KILL_GRACE_MS,
        spare,
        label,
      );
    }
  } finally {
    const released = await releaseLocks({
      lockDir: ctx.lockDir,
      uuids: ours,
      runner: ctx.runner,
      ownerPid,
    });
    result.released = released.released;
    ctx.say(`released the locks of ${released.released.map(label).join(", ") || "no GPU"}`);
  }
  try {
    const used = await readGpuMemoryUsed(ctx.smi);
    for (const uuid of result.released) {
      const mib = used.get(uuid);
      if (mib === undefined) {
        ctx.warn(`${label(uuid)}: memory.used not reported`);
        continue;
      }
      const entry: GpuMemory = { uuid, usedMiB: mib };
      const index = indexes.get(uuid);
      if (index !== undefined) {
        entry.index = index;
      }
      result.memory.push(entry);
      ctx.say(`${label(uuid)}: ${mib} MiB of GPU memory still allocated`);
    }
  } catch (error) {
    ctx.warn(`cannot read GPU memory used: ${(error as Error).message}`);
  }
  return result;
}
