/**
 * Running one process of a job in its own process group: lines streamed as they come, a stop
 * request forwarded to the whole group, then a kill after a grace period, and the way it ended
 * explained.
 *
 * @module
 */
import { constants } from "node:os";
import { execa } from "execa";

/** How a process ended. */
export interface ProcessEnd {
  /** The exit code, when it exited. */
  exitCode?: number;
  /** The signal's name (`SIGKILL`), when a signal ended it. */
  signal?: string;
  /** `true` when a stop request ended it (dstack stop, Ctrl-C, SIGTERM). */
  stopped: boolean;
  /**
   * The grace period (ms) after which dstack sent `SIGKILL` to the process group, when it did
   * (the job had not exited after the stop request); absent otherwise.
   */
  killedAfterMs?: number;
}

/** Options of {@link runSupervised}. */
export interface RunSupervisedOptions {
  /** The program: an absolute path or a name on `env.PATH`. No shell is involved. */
  file: string;
  /** Its arguments, passed as they are. */
  args: readonly string[];
  cwd: string;
  /** The whole environment (nothing else is inherited). */
  env: NodeJS.ProcessEnv;
  /** Receives each line of stdout and stderr, as they come. */
  onLine: (line: string) => void;
  /**
   * Aborting it forwards its reason (a signal name such as `SIGINT` or `SIGTERM`, default
   * `SIGTERM`) to the process group, then sends `SIGKILL` after `graceMs`.
   */
  stop?: AbortSignal;
  /** Milliseconds between the forwarded signal and `SIGKILL`. Default 10 000. */
  graceMs?: number;
  /** Called with the child's pid once it started. */
  onStart?: (pid: number) => void;
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // The group is gone already.
  }
}

/**
 * Runs a process in its own process group (so a terminal's Ctrl-C reaches dstack, which decides
 * what the job gets) and waits for it.
 *
 * @returns how it ended; never throws for a non-zero exit. A program that cannot start (not
 *   found, not executable) ends with exit code 127 and a line saying why.
 */
export async function runSupervised(options: RunSupervisedOptions): Promise<ProcessEnd> {
  const grace = options.graceMs ?? 10_000;
  const child = execa(options.file, [...options.args], {
    cwd: options.cwd,
    env: options.env,
    extendEnv: false,
    detached: true,
    all: true,
    buffer: false,
    reject: false,
    stdin: "ignore",
  });
  let stopped = false;
  let killTimer: NodeJS.Timeout | undefined;
  let killed = false;
  const onAbort = () => {
    if (child.pid === undefined || stopped) return;
    stopped = true;
    const reason = options.stop?.reason;
    const signal = (
      typeof reason === "string" && reason.startsWith("SIG") ? reason : "SIGTERM"
    ) as NodeJS.Signals;
    killGroup(child.pid, signal);
    killTimer = setTimeout(() => {
      if (child.pid === undefined) return;
      killed = true;
      killGroup(child.pid, "SIGKILL");
    }, grace);
  };
  if (child.pid !== undefined) options.onStart?.(child.pid);
  if (options.stop?.aborted) onAbort();
  options.stop?.addEventListener("abort", onAbort, { once: true });

  child.all?.setEncoding("utf8");
  let rest = "";
  child.all?.on("data", (chunk: string) => {
    const lines = (rest + chunk).split(/\r?\n/);
    rest = lines.pop() ?? "";
    for (const l of lines) options.onLine(l);
  });
  const result = await child;
  if (rest) options.onLine(rest);
  options.stop?.removeEventListener("abort", onAbort);
  if (killTimer) clearTimeout(killTimer);
  if (result.failed && result.exitCode === undefined && result.signal === undefined) {
    // Could not start (ENOENT, EACCES): say so the way a shell would.
    options.onLine(`${options.file}: ${result.shortMessage ?? "cannot start"}`);
    return { exitCode: 127, stopped };
  }
  return {
    ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
    ...(result.signal !== undefined ? { signal: result.signal } : {}),
    stopped,
    ...(killed ? { killedAfterMs: grace } : {}),
  };
}

/** The name of a signal number (`9` -> `SIGKILL`). */
function signalName(n: number): string | undefined {
  return Object.entries(constants.signals).find(([, v]) => v === n)?.[0];
}

/**
 * Says how a process ended, for people: `exited with 0`, `killed by SIGKILL: likely out of memory
 * (the kernel's OOM killer)`, `exit 137 (128 + SIGKILL): likely out of memory`, `killed by
 * SIGINT (stopped)`, `killed by SIGKILL: dstack sent it after the 10 s grace period, the job had
 * not exited after the stop request (stopped)`.
 */
export function explainExit(end: ProcessEnd): string {
  const stopped = end.stopped ? " (stopped)" : "";
  if (end.killedAfterMs !== undefined && (end.signal === "SIGKILL" || end.exitCode === 137)) {
    return `killed by SIGKILL: dstack sent it after the ${end.killedAfterMs / 1000} s grace period, the job had not exited after the stop request${stopped}`;
  }
  const oom =
    "likely out of memory (the kernel's OOM killer), or a kill after the stop grace period";
  if (end.signal) {
    return `killed by ${end.signal}${end.signal === "SIGKILL" ? `: ${oom}` : ""}${stopped}`;
  }
  const code = end.exitCode ?? 1;
  if (code > 128 && code < 160) {
    const name = signalName(code - 128);
    if (name) {
      return `exit ${code} (128 + ${name})${name === "SIGKILL" ? `: ${oom}` : ""}${stopped}`;
    }
  }
  if (code === 127) return `exit 127: the program was not found or could not start${stopped}`;
  return `exited with ${code}${stopped}`;
}
