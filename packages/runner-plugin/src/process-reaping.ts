/**
 * Ending the processes a job left on its GPUs: SIGTERM, then SIGKILL after a grace period,
 * sparing the hook, its parents and the job's owner.
 *
 * @module
 */

import { setTimeout as sleep } from "node:timers/promises";
import { type GpuProcess, isProcessAlive, readProcStat } from "@dstack/host";
import type { HookContext } from "./hook-context.js";

/** How long job-completed waits after SIGTERM before SIGKILL: 10 s (as `dstack stop`). */
export const KILL_GRACE_MS = 10_000;

/** What happened to one leftover process. */
export interface EndedProcess {
  pid: number;
  /** Its command name from `/proc/<pid>/stat`, when readable. */
  name?: string;
  /** The GPUs it held memory on. */
  uuids: string[];
  /** MiB it held in all (unknown ones left out). */
  usedMiB: number;
  /**
   * `exited`: gone after SIGTERM (or before); `killed`: gone after SIGKILL; `survived`: still
   * running after SIGKILL; `not-permitted`: signals refused (`EPERM`); `spared`: this hook, one
   * of its parents or the job's owner, never signalled.
   */
  outcome: "exited" | "killed" | "survived" | "not-permitted" | "spared";
}

function processName(pid: number | undefined): string | undefined {
  return pid === undefined ? undefined : readProcStat(pid)?.comm;
}

/** `pid 42 (python) holds 1024 MiB`, for messages. */
export function describeProcess(p: GpuProcess): string {
  const name = processName(p.pid);
  const who = p.pid === undefined ? "a process (pid not shown)" : `pid ${p.pid}`;
  const mem = p.usedMiB === undefined ? "an unknown amount of memory" : `${p.usedMiB} MiB`;
  return `${who}${name === undefined ? "" : ` (${name})`} holds ${mem}`;
}

/**
 * Ends `procs` (leftovers on this runner's GPUs): SIGTERM to each (once per pid), SIGKILL to
 * those still running after `graceMs`, and a log line or warning for each.
 *
 * @param spare - pids never signalled (this hook, its ancestors, the job's owner).
 * @param label - names a GPU by UUID for the log.
 * @returns what became of each process.
 */
export async function endProcesses(
  ctx: HookContext,
  procs: GpuProcess[],
  graceMs: number,
  spare: Set<number>,
  label: (uuid: string) => string,
): Promise<EndedProcess[]> {
  const byPid = new Map<number, EndedProcess>();
  for (const p of procs) {
    if (p.pid === undefined) {
      ctx.warn(
        `a process on ${label(p.uuid)} shows no pid (another PID namespace?); it was left running`,
      );
      continue;
    }
    const entry = byPid.get(p.pid) ?? {
      pid: p.pid,
      uuids: [],
      usedMiB: 0,
      outcome: "exited" as EndedProcess["outcome"],
    };
    const name = processName(p.pid);
    if (name !== undefined) {
      entry.name = name;
    }
    entry.uuids.push(p.uuid);
    entry.usedMiB += p.usedMiB ?? 0;
    byPid.set(p.pid, entry);
  }
  const all = [...byPid.values()];
  const targets: EndedProcess[] = [];
  for (const entry of all) {
    if (spare.has(entry.pid) || entry.pid <= 1) {
      entry.outcome = "spared";
      continue;
    }
    try {
      process.kill(entry.pid, "SIGTERM");
      targets.push(entry);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      entry.outcome = code === "EPERM" ? "not-permitted" : "exited";
    }
  }
  const started = Date.now();
  let alive = targets.filter((t) => isProcessAlive(t.pid));
  while (alive.length > 0 && Date.now() - started < graceMs) {
    await sleep(Math.min(100, graceMs));
    alive = alive.filter((t) => isProcessAlive(t.pid));
  }
  for (const entry of alive) {
    entry.outcome = "killed";
    try {
      process.kill(entry.pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  const killedAt = Date.now();
  let survivors = alive.filter((t) => isProcessAlive(t.pid));
  while (survivors.length > 0 && Date.now() - killedAt < 2000) {
    await sleep(50);
    survivors = survivors.filter((t) => isProcessAlive(t.pid));
  }
  for (const entry of survivors) {
    entry.outcome = "survived";
  }
  for (const e of all) {
    const who = `pid ${e.pid}${e.name === undefined ? "" : ` (${e.name})`} on ${e.uuids.map(label).join(", ")}, ${e.usedMiB} MiB`;
    switch (e.outcome) {
      case "exited":
        ctx.say(`ended leftover ${who}: exited after SIGTERM`);
        break;
      case "killed":
        ctx.say(`ended leftover ${who}: killed with SIGKILL after ${graceMs / 1000}s`);
        break;
      case "survived":
        ctx.warn(`leftover ${who} is still running after SIGKILL`);
        break;
      case "not-permitted":
        ctx.warn(`cannot end leftover ${who}: it belongs to another user (EPERM)`);
        break;
      case "spared":
        ctx.warn(`left ${who} running: it is this hook, one of its parents or the job's owner`);
        break;
    }
  }
  return all;
}
