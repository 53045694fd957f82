/**
 * The GPUs a local run owns: `dstack run` with `--gpu N` on a host with GPUs takes N free GPUs
 * with the same host-wide per-GPU lock files the runner hooks take (`@dstack/host`), so that
 * concurrent runs, and runner jobs on the same machine, never share a GPU; the job sees them as
 * `CUDA_VISIBLE_DEVICES`.
 *
 * @module
 */
import { join } from "node:path";
import {
  acquireFreeGpus,
  type GpuDetail,
  gpuJobEnv,
  type HostReport,
  LOCK_DIR_ENV,
  LockError,
  lockDirFromEnv,
  releaseLocks,
} from "@dstack/host";
import { type GpuRequest, hostSatisfies } from "@dstack/spec";

/** The runner name local runs' locks carry, telling them apart from runner jobs' locks. */
export const LOCAL_RUNNER = "dstack-local";

/** GPUs taken by {@link takeLocalGpus}. */
export interface LocalGpus {
  /** The GPUs, in nvidia-smi index order. */
  gpus: GpuDetail[];
  /**
   * What the job's environment gets: `CUDA_VISIBLE_DEVICES=<indexes>`,
   * `CUDA_DEVICE_ORDER=PCI_BUS_ID` (CUDA numbers GPUs as nvidia-smi does) and
   * `NVIDIA_VISIBLE_DEVICES=<uuids>`, as the runner's job-started hook exports them.
   */
  env: Record<string, string>;
  /** Lines for the run log: which GPUs, where the locks are, stale locks taken over. */
  notes: string[];
  /** Releases the locks (whatever happened to the job). */
  release(): Promise<void>;
}

/** Options of {@link takeLocalGpus}. */
export interface TakeLocalGpusOptions {
  /** What the job asks for. */
  request: GpuRequest;
  /** This host (its GPUs, from `readHostFacts`). */
  host: HostReport;
  /** The environment (`DSTACK_LOCK_DIR`). */
  env: NodeJS.ProcessEnv;
  /** `DSTACK_HOME`: locks go to `<home>/locks` when the host's lock dir cannot be written. */
  home: string;
  /** The run, for the lock's `job`. */
  runName: string;
  /** The owner: the process supervising the job, alive as long as it runs. Default this one. */
  ownerPid?: number;
}

/** Whether GPU `gpu` alone meets the request's model and memory (the label scheme's rules). */
function fits(gpu: GpuDetail, request: GpuRequest, host: HostReport): boolean {
  const one = { ...request, count: 1 };
  return (
    hostSatisfies(
      { gpu: one, interruptible: true },
      { cpus: host.cpus, memoryBytes: host.memoryBytes, gpus: [gpu], interruptible: false },
    ).length === 0
  );
}

/**
 * Takes `request.count` (default 1) free GPUs of this host that meet the request's model and
 * memory, in index order, with `acquireFreeGpus` of `@dstack/host`: the lock dir of the runner
 * hooks (`DSTACK_LOCK_DIR`, default `/var/lock/dstack`); when that default cannot be created or
 * written, `<home>/locks`, with a note (then only this user's local runs are kept apart). The
 * owner is the supervising process: a run killed with it leaves stale locks, which the next run
 * or runner job takes over.
 *
 * @returns the GPUs and their environment, or `undefined` when the host has no GPUs (the host
 *   check has already said whether the job can run).
 * @throws `LockError` `held` when fewer GPUs are free than asked (naming their holders).
 */
export async function takeLocalGpus(options: TakeLocalGpusOptions): Promise<LocalGpus | undefined> {
  const { request, host, env, home, runName } = options;
  const count = request.count ?? 1;
  const candidates = [...host.gpuDetails]
    .sort((a, b) => a.index - b.index)
    .filter((g) => fits(g, request, host));
  if (host.gpuDetails.length === 0 || count < 1) {
    return undefined;
  }
  const ownerPid = options.ownerPid ?? process.pid;
  const notes: string[] = [];
  const take = (lockDir: string) =>
    acquireFreeGpus({
      lockDir,
      candidates: candidates.map((g) => g.uuid),
      count,
      runner: LOCAL_RUNNER,
      job: runName,
      ownerPid,
    });
  let lockDir = lockDirFromEnv(env);
  let taken: Awaited<ReturnType<typeof take>>;
  try {
    taken = await take(lockDir);
  } catch (error) {
    const given = env[LOCK_DIR_ENV] !== undefined && env[LOCK_DIR_ENV] !== "";
    if (!(error instanceof LockError && error.code === "lock-dir") || given) throw error;
    notes.push(
      `warning: the host's GPU lock dir ${lockDir} cannot be written (${error.message}); GPU locks go to ${join(home, "locks")}, which keeps this user's local runs apart but not runner jobs`,
    );
    lockDir = join(home, "locks");
    taken = await take(lockDir);
  }
  const ours = new Set(taken.locked);
  const gpus = candidates.filter((g) => ours.has(g.uuid));
  notes.push(
    `GPUs ${gpus.map((g) => `${g.index} (${g.uuid})`).join(", ")} locked for this run in ${lockDir}`,
    ...taken.notes.map((n) => `note: ${n}`),
  );
  return {
    gpus,
    env: gpuJobEnv(gpus),
    notes,
    release: async () => {
      await releaseLocks({ lockDir, uuids: taken.locked, runner: LOCAL_RUNNER, ownerPid });
    },
  };
}

/**
 * Releases the GPU locks of local runs whose supervising process is gone (`ownerPid` among them),
 * in the host's lock dir and in `<home>/locks`: what reconciliation does for a run whose dstack
 * process was killed, so its GPUs are free at once rather than at the next run's take-over.
 * Locks of live local runs and of runner jobs are never touched; an unreadable lock dir is
 * skipped.
 *
 * @returns the UUIDs released.
 */
export async function releaseGpusOfDeadRuns(options: {
  ownerPid: number;
  env: NodeJS.ProcessEnv;
  home: string;
}): Promise<string[]> {
  const released: string[] = [];
  const dirs = new Set<string>([join(options.home, "locks")]);
  try {
    dirs.add(lockDirFromEnv(options.env));
  } catch {
    // a malformed DSTACK_LOCK_DIR: no run could have locked there
  }
  for (const lockDir of dirs) {
    try {
      const r = await releaseLocks({ lockDir, runner: LOCAL_RUNNER, ownerPid: options.ownerPid });
      released.push(...r.released);
    } catch {
      // not readable or writable by this user: nothing of ours there
    }
  }
  return released;
}
