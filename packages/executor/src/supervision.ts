/**
 * What keeps a local run from outliving its supervisor unseen: the identity of processes (pid and
 * start time, so a reused pid is not taken for the process that had it before), and the
 * reconciliation a later command does when the dstack process running a run is gone (killed with
 * SIGKILL, the machine rebooted): the job's process group is ended, the run's temporary folders
 * removed, and the run marked `failed` (or `stopped`) with the reason, in its record and at the end
 * of its log.
 *
 * @module
 */
import { readdirSync } from "node:fs";
import * as fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import {
  ACTIVE_STATUSES,
  LocalStore,
  type ProcessRef,
  type RunRecord,
  type RunStatus,
} from "@dstack/artifacts";
import { isProcessAlive, readProcStat } from "@dstack/host";
import { releaseGpusOfDeadRuns } from "./local-gpus.js";

/** The statuses of a run whose job may still be running (`@dstack/artifacts`' own set). */
export { ACTIVE_STATUSES };

/** Whether this system has `/proc/<pid>/stat` (Linux). */
function hasProc(): boolean {
  return readProcStat(process.pid) !== undefined;
}

/**
 * The start time of process `pid` as the system reports it (Linux: field 22 of
 * `/proc/<pid>/stat`, clock ticks after boot); `undefined` when the process does not exist or the
 * system has no `/proc`.
 */
export function processStartTime(pid: number): string | undefined {
  const stat = readProcStat(pid);
  return stat === undefined ? undefined : String(stat.starttime);
}

/** `{ pid, startTime }` of a running process, for a run record. */
export function processRef(pid: number): ProcessRef {
  const startTime = processStartTime(pid);
  return startTime !== undefined ? { pid, startTime } : { pid };
}

/**
 * Whether the process a record names is still running: it exists, is not a zombie, and (where
 * the start time is known) started when the recorded one did. Without `/proc`, whether a signal
 * 0 reaches the pid.
 */
export function isRunning(ref: ProcessRef): boolean {
  return isProcessAlive(ref.pid, ref.startTime === undefined ? undefined : Number(ref.startTime));
}

/**
 * Whether any live process of group `pgid` is left. With `/proc`, zombies (ended, not yet reaped
 * by their parent) do not count; without it, whether a signal 0 reaches the group.
 */
function groupExists(pgid: number): boolean {
  if (hasProc()) {
    for (const name of readdirSync("/proc")) {
      if (!/^\d+$/.test(name)) continue;
      const stat = readProcStat(Number(name));
      if (stat?.pgrp === pgid && stat.state !== "Z" && stat.state !== "X") return true;
    }
    return false;
  }
  try {
    process.kill(-pgid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** How long a run may stay `submitted` without a recorded supervisor before it counts as abandoned. */
const UNCLAIMED_MS = 60_000;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Options of {@link endProcessGroup}. */
export interface EndProcessGroupOptions {
  /** Milliseconds between SIGTERM and SIGKILL. Default 2 000. */
  graceMs?: number;
}

/**
 * Ends a recorded process group: SIGTERM to the group, SIGKILL after the grace period. A group
 * whose leader's pid now belongs to a process that started at another time is not ours and is
 * left alone (while any member of a group lives, Linux gives its id to no new process).
 *
 * @returns `true` when the group still had processes and they were signalled.
 */
export async function endProcessGroup(
  group: ProcessRef,
  options: EndProcessGroupOptions = {},
): Promise<boolean> {
  const leader = readProcStat(group.pid);
  if (
    leader !== undefined &&
    group.startTime !== undefined &&
    String(leader.starttime) !== group.startTime
  ) {
    return false;
  }
  if (!groupExists(group.pid)) return false;
  try {
    process.kill(-group.pid, "SIGTERM");
  } catch {
    return false;
  }
  const deadline = Date.now() + (options.graceMs ?? 2_000);
  while (Date.now() < deadline) {
    if (!groupExists(group.pid)) return true;
    await sleep(25);
  }
  try {
    process.kill(-group.pid, "SIGKILL");
  } catch {
    // Gone meanwhile.
  }
  return true;
}

/** Options of {@link reconcileRun}. */
export interface ReconcileRunOptions extends EndProcessGroupOptions {
  /** The status to give a run whose supervisor is gone: `failed` (default), or `stopped` for `dstack stop`. */
  as?: Extract<RunStatus, "failed" | "stopped">;
  /**
   * The environment: `DSTACK_LOCK_DIR` and `DSTACK_HOME`, where the GPU locks of a gone run are
   * released. Default `process.env`.
   */
  env?: NodeJS.ProcessEnv;
}

/**
 * Brings a run's record in line with what is running: a run marked active whose supervising
 * dstack process is gone gets its job's process group ended, its temporary folders removed, and
 * the status `failed` (or `options.as`) with the reason, also appended to its log. A run that is
 * final, still supervised, made on another machine, or (for a minute) names no supervisor is
 * returned unchanged.
 *
 * @returns the run as it is now.
 * @throws StoreError from the store when the record cannot be written.
 */
export async function reconcileRun(
  store: LocalStore,
  run: RunRecord,
  options: ReconcileRunOptions = {},
): Promise<RunRecord> {
  if (!ACTIVE_STATUSES.has(run.status)) return run;
  // Pids mean nothing on another machine sharing DSTACK_HOME: only that machine can tell.
  if (run.hostname !== undefined && run.hostname !== os.hostname()) return run;
  const supervisor = run.supervisor ?? (run.pid !== undefined ? { pid: run.pid } : undefined);
  if (supervisor === undefined) {
    // A record from before supervisors were recorded, or one whose creator died at once: a run
    // still `submitted` after a minute was never taken up.
    if (run.status !== "submitted" || Date.now() - Date.parse(run.submittedAt) < UNCLAIMED_MS) {
      return run;
    }
    return finish(store, run, options.as ?? "failed", "no dstack process took it up");
  }
  if (isRunning(supervisor)) return run;
  const ended = run.jobGroup !== undefined ? await endProcessGroup(run.jobGroup, options) : false;
  for (const dir of run.tempDirs ?? []) {
    // Only folders the bridge makes (`dstack-XXXXXX`), whatever the record says.
    if (path.isAbsolute(dir) && path.basename(dir).startsWith("dstack-")) {
      await fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
    }
  }
  // The GPUs it locked (a local run with --gpu) are free again.
  const env = options.env ?? process.env;
  await releaseGpusOfDeadRuns({ ownerPid: supervisor.pid, env, home: LocalStore.home(env) });
  const message = `the dstack process running it (pid ${supervisor.pid}) is gone${
    ended ? `; its job (process group ${run.jobGroup?.pid}) was ended` : ""
  }`;
  return finish(store, run, options.as ?? "failed", message);
}

/** Records a run's end found by reconciliation, in run.json and at the end of its log. */
async function finish(
  store: LocalStore,
  run: RunRecord,
  status: Extract<RunStatus, "failed" | "stopped">,
  message: string,
): Promise<RunRecord> {
  const now = new Date().toISOString();
  const updated = await store.updateRun(run.runName, {
    status,
    finishedAt: now,
    message,
    pid: undefined,
    jobGroup: undefined,
    tempDirs: undefined,
  });
  await fsp
    .appendFile(store.logPath(run.runName), `${now} [dstack] ${status}: ${message}\n`)
    .catch(() => undefined);
  return updated;
}
