/**
 * Processes from `/proc` (Linux, proc(5)): a process's command name, parent and start time,
 * whether it still runs (a reused pid does not count), and which process owns a runner's job.
 *
 * @module
 */

import { readFileSync } from "node:fs";
import { join } from "node:path";

/** The fields of `/proc/<pid>/stat` this module uses (proc(5)). */
export interface ProcStat {
  /** The command name (`comm`), at most 15 characters, e.g. `Runner.Worker`. */
  comm: string;
  /** One letter: `R` running, `S` sleeping, `Z` zombie, … */
  state: string;
  /** The parent's pid. */
  ppid: number;
  /** The process group id. */
  pgrp: number;
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
  // rest[0] is field 3 (state), rest[1] field 4 (ppid), rest[2] field 5 (pgrp), rest[19] field
  // 22 (starttime).
  const ppid = Number(rest[1]);
  const pgrp = Number(rest[2]);
  const starttime = Number(rest[19]);
  if (!Number.isInteger(ppid) || !Number.isInteger(pgrp) || !Number.isFinite(starttime)) {
    return undefined;
  }
  return { comm: text.slice(open + 1, close), state: rest[0] ?? "", ppid, pgrp, starttime };
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
