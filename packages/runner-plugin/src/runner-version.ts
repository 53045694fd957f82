/**
 * The version of the GitHub Actions runner in a runner folder, and the least one dstack's actions
 * run on.
 *
 * The runner reports its version with `bin/Runner.Listener --version` (also reachable as
 * `./config.sh --version`): one line, the package version such as `2.327.1`, exit status 0
 * (actions/runner `src/Runner.Listener/Runner.cs`, `command.Version` prints
 * `BuildConstants.RunnerPackage.Version`). Nothing else is read or started.
 *
 * @module
 */

import { join } from "node:path";
import { execa } from "execa";

/**
 * The least runner version for dstack's actions: they declare `runs.using: node24`, which the
 * runner supports from release 2.327.0 on (an older runner fails the step before it starts).
 */
export const MIN_RUNNER_VERSION = "2.327.0";

/** Where the runner's listener is, relative to the runner folder. */
export const RUNNER_LISTENER = join("bin", "Runner.Listener");

/** Releases of the runner, for error messages. */
const RELEASES = "https://github.com/actions/runner/releases";

/**
 * Compares two dotted versions of whole numbers (`2.327.0`), missing parts counting as 0.
 *
 * @returns a negative number when `a < b`, 0 when equal, positive when `a > b`.
 * @throws Error when either is not `N(.N)*`.
 */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    if (!/^\d+(?:\.\d+)*$/.test(v)) throw new Error(`${JSON.stringify(v)} is not a version`);
    return v.split(".").map(Number);
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < Math.max(x.length, y.length); i++) {
    const d = (x[i] ?? 0) - (y[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

/** Options of {@link readRunnerVersion} and {@link checkRunnerVersion}. */
export interface RunnerVersionOptions {
  /** The runner folder (absolute): where `config.sh` and `bin/` are. */
  runnerDir: string;
  /** Environment for the listener. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Milliseconds before the listener is killed. Default 60 000 (.NET starts slowly on a cold disk). */
  timeoutMs?: number;
}

/**
 * Runs `<runnerDir>/bin/Runner.Listener --version` (no shell, stdin closed) and returns the
 * version it prints, e.g. `2.327.1`.
 *
 * @throws Error when the listener is missing or cannot start (naming the folder and where runners
 *   are downloaded), fails, times out, or prints something that is not a version.
 */
export async function readRunnerVersion(options: RunnerVersionOptions): Promise<string> {
  const file = join(options.runnerDir, RUNNER_LISTENER);
  const r = await execa(file, ["--version"], {
    cwd: options.runnerDir,
    env: options.env ?? process.env,
    extendEnv: false,
    stdin: "ignore",
    reject: false,
    timeout: options.timeoutMs ?? 60_000,
  });
  if (r.code === "ENOENT" || r.code === "EACCES") {
    throw new Error(
      `configure: cannot run ${file} (${r.code}) to read the runner's version; extract a runner release from ${RELEASES} into ${options.runnerDir} first`,
    );
  }
  const first = r.stdout.split("\n")[0]?.trim() ?? "";
  if (r.failed || r.exitCode !== 0 || !/^\d+\.\d+\.\d+$/.test(first)) {
    const how = r.timedOut
      ? "timed out"
      : r.exitCode !== 0
        ? `exited with ${r.exitCode ?? r.signal ?? "?"}`
        : `printed ${JSON.stringify(first.slice(0, 80))}`;
    throw new Error(
      `configure: ${file} --version ${how}, not a runner version; is ${options.runnerDir} an extracted runner release (${RELEASES})?`,
    );
  }
  return first;
}

/**
 * Reads the runner's version ({@link readRunnerVersion}) and refuses one older than
 * {@link MIN_RUNNER_VERSION}.
 *
 * @returns the version found.
 * @throws Error naming the version found and the one needed, and where newer runners are; or
 *   the errors of {@link readRunnerVersion}.
 */
export async function checkRunnerVersion(options: RunnerVersionOptions): Promise<string> {
  const version = await readRunnerVersion(options);
  if (compareVersions(version, MIN_RUNNER_VERSION) < 0) {
    throw new Error(
      `configure: the runner in ${options.runnerDir} is version ${version}; dstack's actions run on node24, which needs runner ${MIN_RUNNER_VERSION} or later. Download a newer release from ${RELEASES} (or let the runner update itself) and configure again`,
    );
  }
  return version;
}
