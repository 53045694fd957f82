/**
 * Host-wide GPU locks: one file per GPU, so that two runner instances on one host, or a runner
 * job and a local `dstack run` (runner `dstack-local`, owned by the process supervising the run),
 * never use the same GPU at the same time.
 *
 * Layout, under the lock dir (env `DSTACK_LOCK_DIR`, default `/var/lock/dstack`, created 0755;
 * on most Linux distributions `/var/lock` is `/run/lock`, a tmpfs, so locks vanish on reboot):
 *
 * - `gpu-<uuid>.lock`, e.g. `gpu-GPU-3edf87da-6dc2-bd9a-1484-92b81d6e1f89.lock`: created with
 *   `O_CREAT|O_EXCL` (`fs.openSync(path, "wx")`, mode 0644) and holding one JSON object,
 *   {@link GpuLock}: `{ gpu, pid, pidStart?, runner, job, since }`;
 * - `.mutex` (`lock-dir.ts`): a short-lived guard (also `O_EXCL`, holding `{ pid, since }` of the hook process)
 *   taken around every read-check-write of lock files, so that recovering a stale lock, and
 *   taking several GPUs all-or-none, are atomic with respect to every other runner's hooks. It is
 *   held for milliseconds; one left by a dead process is removed.
 *
 * **Owner.** The hook process exits right after it runs, so a lock names the runner's job worker
 * as its owner (`findJobOwnerPid` of `proc.ts`): the lock lives as long as the job. A lock whose owner
 * process is gone (no such pid, a zombie, or a pid reused by a process started later than the one
 * recorded in `pidStart`) is **stale**: the next job takes it over with a note.
 *
 * **Users.** All runner instances of a host must be able to create and delete files in the lock
 * dir. When they run as different users, create it once as root with a shared group, e.g.
 * `install -d -m 2775 -g dstack /var/lock/dstack`; this module never changes an existing dir's
 * mode.
 *
 * @module
 */

import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import {
  errno,
  LockError,
  lockDirFix,
  MUTEX_TIMEOUT_MS,
  removeIfExists,
  withMutex,
  writeNewFile,
} from "./lock-dir.js";
import { isProcessAlive, readProcStat } from "./proc.js";

const LOCK_FILE = /^gpu-(.+)\.lock$/;
/** What a GPU UUID may contain; anything else would not be a safe file name. */
const SAFE_UUID = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/** The JSON content of `gpu-<uuid>.lock`. */
export interface GpuLock {
  /** The GPU's UUID as nvidia-smi prints it, `GPU-…`. */
  gpu: string;
  /** The owner: the runner's job worker process (see {@link findJobOwnerPid}). */
  pid: number;
  /**
   * The owner's start time, field 22 (`starttime`, clock ticks since boot) of `/proc/<pid>/stat`,
   * when readable: a pid reused by a later process does not keep a dead job's lock alive.
   */
  pidStart?: number;
  /** The runner's name (`RUNNER_NAME`). */
  runner: string;
  /** Which job, for people: `owner/repo run 123 attempt 1 job train`. */
  job: string;
  /** When the lock was taken, ISO 8601 UTC. */
  since: string;
}

/**
 * The lock file of GPU `uuid`: `<lockDir>/gpu-<uuid>.lock`.
 *
 * @throws {@link LockError} `lock-dir` when `uuid` has characters other than letters, digits and
 *   `-` (it would not be a safe file name).
 */
export function lockPath(lockDir: string, uuid: string): string {
  if (!SAFE_UUID.test(uuid)) {
    throw new LockError(
      "lock-dir",
      `GPU UUID ${JSON.stringify(uuid)} cannot name a lock file (letters, digits and - only)`,
    );
  }
  return join(lockDir, `gpu-${uuid}.lock`);
}

/** What a lock file holds: the lock, nothing (no file), or unreadable content. */
type LockRead =
  | { kind: "none" }
  | { kind: "lock"; lock: GpuLock }
  | { kind: "corrupt"; text: string };

function parseLock(text: string): GpuLock | undefined {
  try {
    const value = JSON.parse(text) as Partial<GpuLock>;
    if (
      typeof value === "object" &&
      value !== null &&
      typeof value.pid === "number" &&
      typeof value.runner === "string"
    ) {
      const lock: GpuLock = {
        gpu: typeof value.gpu === "string" ? value.gpu : "",
        pid: value.pid,
        runner: value.runner,
        job: typeof value.job === "string" ? value.job : "",
        since: typeof value.since === "string" ? value.since : "",
      };
      if (typeof value.pidStart === "number") {
        lock.pidStart = value.pidStart;
      }
      return lock;
    }
  } catch {
    // fall through
  }
  return undefined;
}

function readLockFile(path: string): LockRead {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (error) {
    if (errno(error) === "ENOENT") {
      return { kind: "none" };
    }
    throw new LockError("lock-dir", `cannot read lock ${path} (${errno(error)})`, {
      cause: error,
    });
  }
  const lock = parseLock(text);
  return lock === undefined ? { kind: "corrupt", text } : { kind: "lock", lock };
}

/**
 * Reads GPU `uuid`'s lock.
 *
 * @returns the lock, `undefined` when there is none, or `"corrupt"` when the file is not a lock
 *   (empty: its writer died between creating and writing it).
 */
export function readLock(lockDir: string, uuid: string): GpuLock | "corrupt" | undefined {
  const read = readLockFile(lockPath(lockDir, uuid));
  return read.kind === "none" ? undefined : read.kind === "corrupt" ? "corrupt" : read.lock;
}

/** Every lock in `lockDir`, in file-name order; corrupt ones as `"corrupt"`. */
export function listLocks(lockDir: string): { uuid: string; lock: GpuLock | "corrupt" }[] {
  let names: string[];
  try {
    names = readdirSync(lockDir).sort();
  } catch (error) {
    if (errno(error) === "ENOENT") {
      return [];
    }
    throw new LockError("lock-dir", `cannot list lock dir ${lockDir} (${errno(error)})`, {
      cause: error,
    });
  }
  const out: { uuid: string; lock: GpuLock | "corrupt" }[] = [];
  for (const name of names) {
    const uuid = LOCK_FILE.exec(name)?.[1];
    if (uuid === undefined || !SAFE_UUID.test(uuid)) {
      continue;
    }
    const read = readLockFile(join(lockDir, name));
    if (read.kind !== "none") {
      out.push({ uuid, lock: read.kind === "corrupt" ? "corrupt" : read.lock });
    }
  }
  return out;
}

/** Describes a lock's holder for messages: `runner "r1" (pid 77, job …, since …)`. */
export function describeHolder(lock: GpuLock): string {
  const parts = [`pid ${lock.pid}`];
  if (lock.job !== "") {
    parts.push(`job ${lock.job}`);
  }
  if (lock.since !== "") {
    parts.push(`since ${lock.since}`);
  }
  return `runner ${JSON.stringify(lock.runner)} (${parts.join(", ")})`;
}

/** The options of {@link acquireLocks}. */
export interface AcquireLocksOptions {
  /** The lock dir (absolute); created 0755 when missing. */
  lockDir: string;
  /** The GPUs to lock, by UUID (`GPU-…`). Empty: nothing to do. */
  uuids: readonly string[];
  /** This runner's name (`RUNNER_NAME`). */
  runner: string;
  /** The job, for people (see {@link GpuLock.job}). */
  job: string;
  /** The owner process (see {@link findJobOwnerPid}); must be alive. */
  ownerPid: number;
  /** The clock. Default `() => new Date()`. */
  now?: () => Date;
  /** How long to wait for `.mutex`, in ms. Default 10000 ({@link MUTEX_TIMEOUT_MS}). */
  mutexTimeoutMs?: number;
}

/** What {@link acquireLocks} did. */
export interface AcquireLocksResult {
  /** The GPUs locked, in the order asked. */
  locked: string[];
  /** Their lock files. */
  paths: string[];
  /**
   * One line per recovery, for the job log: a stale lock taken over (`took over the stale lock
   * of GPU-…: runner "r2" (pid 99, …) is not running`), a corrupt one, or this owner's own lock
   * taken again.
   */
  notes: string[];
}

/**
 * Locks every GPU in `uuids` for this job, or none.
 *
 * Under `.mutex`, for each GPU in order: no lock file: create it (`O_EXCL`); a lock of a dead
 * owner (see {@link isProcessAlive}) or an unreadable one: stale, replaced, with a note; a lock
 * whose owner is `ownerPid` itself: kept (the hook ran twice), with a note; a lock of any other
 * live process: refused. On refusal or any error, the locks this call created are removed
 * before it throws.
 *
 * @returns the locks taken and notes.
 * @throws {@link LockError} `held` naming the GPU, the holder's runner, pid, job and since;
 *   `lock-dir` or `mutex` when the lock dir is unusable.
 */
export async function acquireLocks(options: AcquireLocksOptions): Promise<AcquireLocksResult> {
  const { lockDir, uuids, runner, job, ownerPid } = options;
  const now = options.now ?? (() => new Date());
  const result: AcquireLocksResult = { locked: [], paths: [], notes: [] };
  if (uuids.length === 0) {
    return result;
  }
  const paths = uuids.map((uuid) => lockPath(lockDir, uuid));
  const pidStart = readProcStat(ownerPid)?.starttime;
  return withMutex(lockDir, options.mutexTimeoutMs ?? MUTEX_TIMEOUT_MS, () => {
    const created: string[] = [];
    try {
      for (const [i, uuid] of uuids.entries()) {
        const path = paths[i] as string;
        const read = readLockFile(path);
        if (read.kind === "lock") {
          const held = read.lock;
          if (held.pid === ownerPid && held.runner === runner) {
            result.notes.push(
              `GPU ${uuid} was already locked by this job's owner (pid ${ownerPid})`,
            );
            result.locked.push(uuid);
            result.paths.push(path);
            continue;
          }
          if (isProcessAlive(held.pid, held.pidStart)) {
            const same =
              held.runner === runner
                ? `; it has this runner's name: are two runners named ${JSON.stringify(runner)} on this host?`
                : "; a GPU belongs to one runner at a time: is this GPU configured for both runners (DSTACK_RUNNER_GPUS)?";
            throw new LockError(
              "held",
              `GPU ${uuid} is locked by ${describeHolder(held)}, which is still running${same}`,
            );
          }
          result.notes.push(
            `took over the stale lock of GPU ${uuid}: ${describeHolder(held)} is not running`,
          );
          removeIfExists(path);
        } else if (read.kind === "corrupt") {
          result.notes.push(
            `took over the unreadable lock of GPU ${uuid} (${JSON.stringify(read.text.slice(0, 60))}): its writer died`,
          );
          removeIfExists(path);
        }
        writeLock(lockDir, path, {
          gpu: uuid,
          pid: ownerPid,
          ...(pidStart === undefined ? {} : { pidStart }),
          runner,
          job,
          since: now().toISOString(),
        });
        created.push(path);
        result.locked.push(uuid);
        result.paths.push(path);
      }
    } catch (error) {
      removeCreated(created);
      throw error;
    }
    return result;
  });
}

/** The options of {@link releaseLocks}. */
export interface ReleaseLocksOptions {
  /** The lock dir. A missing dir holds no locks. */
  lockDir: string;
  /** The GPUs to release, by UUID; `undefined`: every lock in the dir that this runner holds. */
  uuids?: readonly string[];
  /** This runner's name: only its locks are released. */
  runner: string;
  /**
   * This job's owner pid. When given, a lock of this runner whose owner is another live process
   * (a second runner with the same name) is kept.
   */
  ownerPid?: number;
  /** How long to wait for `.mutex`, in ms. Default 10000. */
  mutexTimeoutMs?: number;
}

/** What {@link releaseLocks} did. */
export interface ReleaseLocksResult {
  /** The GPUs whose locks were removed. */
  released: string[];
  /** Locks asked for but kept: held by another runner, or by another live owner. */
  kept: { uuid: string; lock: GpuLock }[];
}

/**
 * Releases this runner's GPU locks: removes `gpu-<uuid>.lock` when its `runner` is `runner` and
 * (when `ownerPid` is given) its owner is `ownerPid` or no longer running. Locks of other
 * runners are never touched; missing and corrupt ones are skipped.
 *
 * @throws {@link LockError} `lock-dir` or `mutex` when the lock dir is unusable.
 */
export async function releaseLocks(options: ReleaseLocksOptions): Promise<ReleaseLocksResult> {
  const { lockDir, runner, ownerPid } = options;
  const result: ReleaseLocksResult = { released: [], kept: [] };
  const candidates =
    options.uuids === undefined
      ? listLocks(lockDir).flatMap(({ uuid, lock }) =>
          lock !== "corrupt" && lock.runner === runner ? [uuid] : [],
        )
      : [...options.uuids];
  if (candidates.length === 0) {
    return result;
  }
  return withMutex(lockDir, options.mutexTimeoutMs ?? MUTEX_TIMEOUT_MS, () => {
    for (const uuid of candidates) {
      const path = lockPath(lockDir, uuid);
      const read = readLockFile(path);
      if (read.kind !== "lock") {
        continue;
      }
      const { lock } = read;
      const ours =
        lock.runner === runner &&
        (ownerPid === undefined ||
          lock.pid === ownerPid ||
          !isProcessAlive(lock.pid, lock.pidStart));
      if (!ours) {
        result.kept.push({ uuid, lock });
        continue;
      }
      removeIfExists(path);
      result.released.push(uuid);
    }
    return result;
  });
}

/** The options of {@link acquireFreeGpus}. */
export interface AcquireFreeGpusOptions {
  /** The lock dir (absolute); created 0755 when missing. */
  lockDir: string;
  /** The GPUs that may be taken, by UUID, in the order to try them (nvidia-smi index order). */
  candidates: readonly string[];
  /** How many to take; at least 1. */
  count: number;
  /** Who takes them: a runner's name, or `dstack-local` for `dstack run` here. */
  runner: string;
  /** The job, for people (see {@link GpuLock.job}). */
  job: string;
  /** The owner process, alive for as long as the GPUs are used. */
  ownerPid: number;
  /** The clock. Default `() => new Date()`. */
  now?: () => Date;
  /** How long to wait for `.mutex`, in ms. Default 10000 ({@link MUTEX_TIMEOUT_MS}). */
  mutexTimeoutMs?: number;
}

/**
 * Takes `count` free GPUs among `candidates`, all or none, with the same lock files and rules as
 * {@link acquireLocks}: under `.mutex`, candidates are tried in order; a GPU without a lock, or
 * with a stale or unreadable one (taken over, with a note), is free; one locked by a live
 * process is skipped. What `dstack run --gpu N` does on a host with more GPUs than N, so that
 * concurrent local runs and runner jobs never share a GPU.
 *
 * @returns the UUIDs locked, in candidate order, and notes.
 * @throws {@link LockError} `held` when fewer than `count` are free (naming each holder; nothing
 *   is kept); `lock-dir` or `mutex` when the lock dir is unusable.
 */
export async function acquireFreeGpus(
  options: AcquireFreeGpusOptions,
): Promise<AcquireLocksResult> {
  const { lockDir, candidates, count, runner, job, ownerPid } = options;
  const now = options.now ?? (() => new Date());
  const pidStart = readProcStat(ownerPid)?.starttime;
  return withMutex(lockDir, options.mutexTimeoutMs ?? MUTEX_TIMEOUT_MS, () => {
    const result: AcquireLocksResult = { locked: [], paths: [], notes: [] };
    const busy: string[] = [];
    const notes: string[] = [];
    const free: string[] = [];
    for (const uuid of candidates) {
      if (free.length === count) {
        break;
      }
      const read = readLockFile(lockPath(lockDir, uuid));
      if (read.kind === "lock" && isProcessAlive(read.lock.pid, read.lock.pidStart)) {
        busy.push(`GPU ${uuid} is locked by ${describeHolder(read.lock)}`);
        continue;
      }
      if (read.kind === "lock") {
        notes.push(
          `took over the stale lock of GPU ${uuid}: ${describeHolder(read.lock)} is not running`,
        );
      } else if (read.kind === "corrupt") {
        notes.push(`took over the unreadable lock of GPU ${uuid}: its writer died`);
      }
      free.push(uuid);
    }
    if (free.length < count) {
      throw new LockError(
        "held",
        `${count} GPU${count === 1 ? "" : "s"} asked, ${free.length} free of ${candidates.length}: ${busy.join("; ")}; wait for those jobs to end`,
      );
    }
    const created: string[] = [];
    try {
      for (const uuid of free) {
        const path = lockPath(lockDir, uuid);
        removeIfExists(path);
        writeLock(lockDir, path, {
          gpu: uuid,
          pid: ownerPid,
          ...(pidStart === undefined ? {} : { pidStart }),
          runner,
          job,
          since: now().toISOString(),
        });
        created.push(path);
        result.locked.push(uuid);
        result.paths.push(path);
      }
    } catch (error) {
      removeCreated(created);
      throw error;
    }
    result.notes.push(...notes);
    return result;
  });
}

/**
 * Writes one GPU's lock file, which must not exist yet (`writeNewFile`).
 *
 * @throws LockError `lock-dir` naming the file, the errno and how to fix the lock folder.
 */
function writeLock(lockDir: string, path: string, lock: GpuLock): void {
  try {
    writeNewFile(path, `${JSON.stringify(lock)}\n`);
  } catch (error) {
    throw new LockError(
      "lock-dir",
      `cannot create lock ${path} (${errno(error)}); ${lockDirFix(lockDir)}`,
      { cause: error },
    );
  }
}

/** Removes the lock files an acquisition created before it failed (best effort, never throws). */
function removeCreated(paths: readonly string[]): void {
  for (const path of paths) {
    try {
      removeIfExists(path);
    } catch {
      // best effort: the error being thrown matters more
    }
  }
}
