/**
 * Host-wide GPU locks: one file per GPU, so that two runner instances on one host never run jobs
 * on the same GPU at the same time.
 *
 * Layout, under the lock dir (env `DSTACK_LOCK_DIR`, default `/var/lock/dstack`, created 0755;
 * on most Linux distributions `/var/lock` is `/run/lock`, a tmpfs, so locks vanish on reboot):
 *
 * - `gpu-<uuid>.lock`, e.g. `gpu-GPU-3edf87da-6dc2-bd9a-1484-92b81d6e1f89.lock`: created with
 *   `O_CREAT|O_EXCL` (`fs.openSync(path, "wx")`, mode 0644) and holding one JSON object,
 *   {@link GpuLock}: `{ gpu, pid, pidStart?, runner, job, since }`;
 * - `.mutex`: a short-lived guard (also `O_EXCL`, holding `{ pid, since }` of the hook process)
 *   taken around every read-check-write of lock files, so that recovering a stale lock, and
 *   taking several GPUs all-or-none, are atomic with respect to every other runner's hooks. It is
 *   held for milliseconds; one left by a dead process is removed.
 *
 * **Owner.** The hook process exits right after it runs, so a lock names the runner's job worker
 * as its owner ({@link findJobOwnerPid}): the lock lives as long as the job. A lock whose owner
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

import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { isAbsolute, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

/** The environment variable naming the lock dir. */
export const LOCK_DIR_ENV = "DSTACK_LOCK_DIR";

/** The lock dir when {@link LOCK_DIR_ENV} is unset or empty. */
export const DEFAULT_LOCK_DIR = "/var/lock/dstack";

/** How long {@link acquireLocks} and {@link releaseLocks} wait for `.mutex`: 10 s. */
export const MUTEX_TIMEOUT_MS = 10_000;

const MUTEX = ".mutex";
const LOCK_FILE = /^gpu-(.+)\.lock$/;
/** What a GPU UUID may contain; anything else would not be a safe file name. */
const SAFE_UUID = /^[A-Za-z0-9][A-Za-z0-9-]*$/;

/**
 * What went wrong:
 * - `held`: a GPU is locked by a live process that is not this job's owner (another runner
 *   instance, or another runner with the same name); the message names the GPU, the runner, its
 *   pid and its job;
 * - `lock-dir`: the lock dir cannot be created, read or written (permissions, not absolute);
 * - `mutex`: another live process held `.mutex` for longer than the timeout.
 */
export type LockErrorCode = "held" | "lock-dir" | "mutex";

/** A lock could not be taken or the lock dir is unusable. The message is one line. */
export class LockError extends Error {
  override readonly name = "LockError";
  /** See {@link LockErrorCode}. */
  readonly code: LockErrorCode;

  /**
   * @param code - see {@link LockErrorCode}.
   * @param message - one line: what, which GPU or path, who holds it, what to do.
   * @param options - `cause`, when there is one.
   */
  constructor(code: LockErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

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

/** The fields of `/proc/<pid>/stat` this module uses (proc(5)). */
export interface ProcStat {
  /** The command name (`comm`), at most 15 characters, e.g. `Runner.Worker`. */
  comm: string;
  /** One letter: `R` running, `S` sleeping, `Z` zombie, … */
  state: string;
  /** The parent's pid. */
  ppid: number;
  /** Clock ticks after boot when the process started. */
  starttime: number;
}

/**
 * Reads `/proc/<pid>/stat` (Linux). `comm` may hold spaces and parentheses, so the fields after
 * it are read from the last `)`.
 *
 * @returns the fields, or `undefined` when the file cannot be read (no such process, no /proc).
 */
export function readProcStat(pid: number, procRoot = "/proc"): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(join(procRoot, String(pid), "stat"), "utf8");
  } catch {
    return undefined;
  }
  const open = text.indexOf("(");
  const close = text.lastIndexOf(")");
  if (open < 0 || close < open) {
    return undefined;
  }
  const rest = text
    .slice(close + 1)
    .trim()
    .split(/\s+/);
  // rest[0] is field 3 (state), rest[1] field 4 (ppid), rest[19] field 22 (starttime).
  const ppid = Number(rest[1]);
  const starttime = Number(rest[19]);
  if (!Number.isInteger(ppid) || !Number.isFinite(starttime)) {
    return undefined;
  }
  return { comm: text.slice(open + 1, close), state: rest[0] ?? "", ppid, starttime };
}

/**
 * Whether process `pid` is running: `kill(pid, 0)` succeeds or fails with `EPERM` (it exists
 * but belongs to another user), it is not a zombie, and, when `pidStart` is given and
 * `/proc/<pid>/stat` is readable, it started at `pidStart` (otherwise the pid was reused).
 */
export function isProcessAlive(pid: number, pidStart?: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EPERM") {
      return false;
    }
  }
  const stat = readProcStat(pid);
  if (stat === undefined) {
    return true;
  }
  if (stat.state === "Z" || stat.state === "X") {
    return false;
  }
  return pidStart === undefined || stat.starttime === pidStart;
}

/** Command names that are never a job's owner: shells and launchers between it and the hook. */
const NOT_OWNERS = new Set(["bash", "sh", "dash", "zsh", "env", "node", "timeout", "sudo"]);

/** The pid {@link findJobOwnerPid} chose and why. */
export interface JobOwner {
  /** The owner's pid. */
  pid: number;
  /** The owner's command name, when `/proc` told it. */
  comm?: string;
  /** How it was found: `Runner.Worker`, `ancestor` or `parent`. */
  how: "Runner.Worker" | "ancestor" | "parent";
}

/**
 * Finds the process a GPU lock should name as its owner: the runner's job worker.
 *
 * The runner runs a hook as `bash -e <script>` from its `Runner.Worker` process (one per job,
 * alive until the job ends); our scripts `exec` node, so the hook's parent is normally the
 * worker. Rules, walking up from `process.ppid` through `/proc/<pid>/stat`:
 * 1. the nearest ancestor whose command name is `Runner.Worker`;
 * 2. else the nearest ancestor that is not a shell or launcher (`bash`, `sh`, `dash`, `zsh`,
 *    `env`, `node`, `timeout`, `sudo`): the process that ran the hook and outlives it;
 * 3. else (no `/proc`, e.g. macOS) the parent, `process.ppid`.
 *
 * Never pid 1 or below. Tests pass their own owner pid to the hooks instead.
 *
 * @param options - `pid`: start from this process instead of this one (its ancestors are
 *   searched, not itself); `procRoot`: where `/proc` is.
 */
export function findJobOwnerPid(options: { pid?: number; procRoot?: string } = {}): JobOwner {
  const procRoot = options.procRoot ?? "/proc";
  const start = options.pid ?? process.pid;
  const first = readProcStat(start, procRoot)?.ppid ?? process.ppid;
  let fallback: JobOwner | undefined;
  let pid = first;
  for (let depth = 0; pid > 1 && depth < 64; depth++) {
    const stat = readProcStat(pid, procRoot);
    if (stat === undefined) {
      break;
    }
    if (stat.comm === "Runner.Worker") {
      return { pid, comm: stat.comm, how: "Runner.Worker" };
    }
    if (fallback === undefined && !NOT_OWNERS.has(stat.comm)) {
      fallback = { pid, comm: stat.comm, how: "ancestor" };
    }
    pid = stat.ppid;
  }
  return fallback ?? { pid: first, how: "parent" };
}

/** The pids of `pid`'s ancestors (parent first), from `/proc`; `[]` without `/proc`. */
export function ancestorPids(pid: number = process.pid, procRoot = "/proc"): number[] {
  const out: number[] = [];
  let current = readProcStat(pid, procRoot)?.ppid;
  while (current !== undefined && current > 0 && out.length < 64) {
    out.push(current);
    current = readProcStat(current, procRoot)?.ppid;
  }
  return out;
}

/**
 * The lock dir from the environment: `DSTACK_LOCK_DIR` when set and not empty, else
 * `/var/lock/dstack`.
 *
 * @throws {@link LockError} `lock-dir` when `DSTACK_LOCK_DIR` is not an absolute path (a relative
 *   one would depend on each hook's working directory, and locks would not be host-wide).
 */
export function lockDirFromEnv(env: NodeJS.ProcessEnv): string {
  const raw = env[LOCK_DIR_ENV];
  if (raw === undefined || raw.trim() === "") {
    return DEFAULT_LOCK_DIR;
  }
  if (!isAbsolute(raw)) {
    throw new LockError(
      "lock-dir",
      `${LOCK_DIR_ENV}: ${JSON.stringify(raw)} is not an absolute path; use e.g. ${DEFAULT_LOCK_DIR}`,
    );
  }
  return raw;
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

function errno(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

function lockDirFix(lockDir: string): string {
  return `create it for every runner user (e.g. sudo install -d -m 0755 -o <runner user> ${lockDir}) or set ${LOCK_DIR_ENV} to a folder they can write`;
}

function ensureLockDir(lockDir: string): void {
  if (!isAbsolute(lockDir)) {
    throw new LockError("lock-dir", `lock dir ${JSON.stringify(lockDir)} is not an absolute path`);
  }
  try {
    mkdirSync(lockDir, { recursive: true, mode: 0o755 });
  } catch (error) {
    throw new LockError(
      "lock-dir",
      `cannot create lock dir ${lockDir} (${errno(error)}); ${lockDirFix(lockDir)}`,
      { cause: error },
    );
  }
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

function writeNewFile(path: string, content: string): void {
  const fd = openSync(path, "wx", 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

function removeIfExists(path: string): void {
  try {
    unlinkSync(path);
  } catch (error) {
    if (errno(error) !== "ENOENT") {
      throw error;
    }
  }
}

/**
 * Runs `body` holding `<lockDir>/.mutex`. Waits (polling every 20 ms) while a live process holds
 * it; a mutex left by a dead process, or unreadable for more than the timeout, is removed (moved
 * aside under a unique name first, so two waiters cannot both remove a fresh one).
 */
async function withMutex<T>(lockDir: string, timeoutMs: number, body: () => T): Promise<T> {
  ensureLockDir(lockDir);
  const path = join(lockDir, MUTEX);
  const started = Date.now();
  for (;;) {
    try {
      writeNewFile(
        path,
        `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`,
      );
      break;
    } catch (error) {
      const code = errno(error);
      if (code !== "EEXIST") {
        throw new LockError(
          "lock-dir",
          `cannot write in lock dir ${lockDir} (${code}); ${lockDirFix(lockDir)}`,
          { cause: error },
        );
      }
    }
    let holder: number | undefined;
    try {
      holder = (JSON.parse(readFileSync(path, "utf8")) as { pid?: number }).pid;
    } catch {
      holder = undefined;
    }
    const waited = Date.now() - started;
    const dead = holder !== undefined && !isProcessAlive(holder);
    if (dead || (holder === undefined && waited >= timeoutMs)) {
      const aside = `${path}.stale-${process.pid}-${Date.now()}`;
      try {
        renameSync(path, aside);
        unlinkSync(aside);
      } catch {
        // another waiter moved it first
      }
      continue;
    }
    if (waited >= timeoutMs) {
      throw new LockError(
        "mutex",
        `${path} has been held by pid ${holder} for more than ${timeoutMs / 1000}s; if that process is stuck, end it`,
      );
    }
    await sleep(20);
  }
  try {
    return body();
  } finally {
    removeIfExists(path);
  }
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
        const lock: GpuLock = {
          gpu: uuid,
          pid: ownerPid,
          ...(pidStart === undefined ? {} : { pidStart }),
          runner,
          job,
          since: now().toISOString(),
        };
        try {
          writeNewFile(path, `${JSON.stringify(lock)}\n`);
        } catch (error) {
          throw new LockError(
            "lock-dir",
            `cannot create lock ${path} (${errno(error)}); ${lockDirFix(lockDir)}`,
            { cause: error },
          );
        }
        created.push(path);
        result.locked.push(uuid);
        result.paths.push(path);
      }
    } catch (error) {
      for (const path of created) {
        try {
          removeIfExists(path);
        } catch {
          // best effort: the error below matters more
        }
      }
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
