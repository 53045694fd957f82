/**
 * The lock dir shared by every GPU lock of a host (runner hooks and local runs): where it is,
 * creating it, atomic new files in it, and `.mutex`, the short-lived guard taken around every
 * read-check-write of lock files.
 *
 * @module
 */

import {
  closeSync,
  fsyncSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  unlinkSync,
  writeSync,
} from "node:fs";
import { isAbsolute, join } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { isProcessAlive } from "./proc.js";

/** The environment variable naming the lock dir. */
export const LOCK_DIR_ENV = "DSTACK_LOCK_DIR";

/** The lock dir when {@link LOCK_DIR_ENV} is unset or empty. */
export const DEFAULT_LOCK_DIR = "/var/lock/dstack";

/** How long {@link acquireLocks} and {@link releaseLocks} wait for `.mutex`: 10 s. */
export const MUTEX_TIMEOUT_MS = 10_000;

const MUTEX = ".mutex";

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

/** The `code` of a failed file operation (`ENOENT`, `EACCES`, ...). */
export function errno(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? String(error);
}

/** What to do about an unusable lock dir, for messages. */
export function lockDirFix(lockDir: string): string {
  return `create it for every runner user (e.g. sudo install -d -m 0755 -o <runner user> ${lockDir}) or set ${LOCK_DIR_ENV} to a folder they can write`;
}

/** Creates the lock dir (0755) when missing. @throws {@link LockError} `lock-dir`. */
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

/** Creates `path` (`O_CREAT|O_EXCL`, 0644) holding `content`, synced to disk. */
export function writeNewFile(path: string, content: string): void {
  const fd = openSync(path, "wx", 0o644);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/** Removes `path`; a missing file is not an error. */
export function removeIfExists(path: string): void {
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
export async function withMutex<T>(lockDir: string, timeoutMs: number, body: () => T): Promise<T> {
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
