/**
 * `dstack-runner install-hooks`: makes a self-hosted runner run `dstack-runner hook job-started`
 * before each job and `dstack-runner hook job-completed` after it.
 *
 * GitHub's runner runs the script named by `ACTIONS_RUNNER_HOOK_JOB_STARTED` /
 * `ACTIONS_RUNNER_HOOK_JOB_COMPLETED`: an absolute path to a file ending in `.sh`, run as
 * `bash -e <path>` (falling back to `sh`), as the runner's user. These variables may be set in
 * the `.env` file of the runner's folder (the one `config.sh` and `run.sh` are in), which the
 * runner reads once when it starts: each line is split at its first `=`, with no quoting,
 * trimming or comments, and `NAME=` with nothing after it unsets `NAME`. So a running runner must
 * be restarted to see a change. Sources: GitHub's "Running scripts before or after a job"
 * (https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/running-scripts-before-or-after-a-job)
 * and `LoadAndSetEnv` in the runner's `src/Runner.Listener/Program.cs`.
 *
 * GitHub's page advises keeping hook scripts outside the runner's application folder; by
 * default ours go to `<runnerDir>/dstack-hooks/` (a folder the runner's updates and `_work`
 * cleanups do not touch), and `hooksDir` puts them elsewhere.
 *
 * @module
 */

import {
  chmodSync,
  existsSync,
  mkdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { dirname, isAbsolute, join } from "node:path";

/** The runner's variable naming the job-started hook script. */
export const HOOK_STARTED_ENV = "ACTIONS_RUNNER_HOOK_JOB_STARTED";
/** The runner's variable naming the job-completed hook script. */
export const HOOK_COMPLETED_ENV = "ACTIONS_RUNNER_HOOK_JOB_COMPLETED";
/** The folder under the runner's folder where the scripts go by default. */
export const HOOKS_DIR_NAME = "dstack-hooks";

/** Which hook a script runs. */
export type HookEvent = "job-started" | "job-completed";

/**
 * What went wrong: `bad-path` (not absolute, missing, not a file or folder, or holding a line
 * break or NUL) or `io` (a file could not be written).
 */
export type InstallHooksErrorCode = "bad-path" | "io";

/** The hooks could not be installed. The message is one line. */
export class InstallHooksError extends Error {
  override readonly name = "InstallHooksError";
  /** See {@link InstallHooksErrorCode}. */
  readonly code: InstallHooksErrorCode;

  /**
   * @param code - see {@link InstallHooksErrorCode}.
   * @param message - one line: which path, what is wrong, what to do.
   * @param options - `cause`, when there is one.
   */
  constructor(code: InstallHooksErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/**
 * Quotes `value` as one bash word: in single quotes, each `'` written as `'\''`. Nothing inside
 * is expanded (`$`, backquotes, `\`, `!`, spaces, line breaks all stay literal).
 */
export function quoteForBash(value: string): string {
  return `'${value.replaceAll("'", `'\\''`)}'`;
}

/** The options of {@link hookScript}. */
export interface HookScriptOptions {
  /** Which hook. */
  event: HookEvent;
  /** Absolute path to the `dstack-runner` bin. */
  bin: string;
  /** Absolute path to `node`; when given the script runs `node <bin>`, else `<bin>` itself. */
  nodePath?: string;
}

/**
 * The text of a hook script: bash, `set -e`, then `exec` of the bin (through `nodePath` when
 * given) with `hook <event>`, every path single-quoted ({@link quoteForBash}). `exec` replaces
 * the shell, so the hook's exit status is the bin's and the bin's parent is the runner's job
 * worker (the GPU locks' owner, see `findJobOwnerPid`). No value from the environment or the
 * job is interpolated.
 */
export function hookScript(options: HookScriptOptions): string {
  const { event, bin, nodePath } = options;
  const target =
    nodePath === undefined ? quoteForBash(bin) : `${quoteForBash(nodePath)} ${quoteForBash(bin)}`;
  const variable = event === "job-started" ? HOOK_STARTED_ENV : HOOK_COMPLETED_ENV;
  return [
    "#!/usr/bin/env bash",
    `# Written by \`dstack-runner install-hooks\`; the runner runs it as \`bash -e <this file>\``,
    `# (${variable} in the runner's .env). Edits are lost when install-hooks runs again.`,
    "set -e",
    `exec ${target} hook ${event}`,
    "",
  ].join("\n");
}

/** One variable {@link mergeEnvFile} set. */
export interface EnvChange {
  key: string;
  value: string;
  /** `added`: was not there; `replaced`: had another value (`previous`); `unchanged`. */
  change: "added" | "replaced" | "unchanged";
  /** The value it replaced (the last one, when the key was there more than once). */
  previous?: string;
}

/**
 * Sets `entries` in the text of a runner `.env` file, keeping every other line as it is, in
 * order. A key's first line is replaced in place; later lines of the same key are dropped (the
 * runner would let the last win). Missing keys are appended. Other lines are kept byte for byte;
 * lines written get `\r\n` ends in a file that has any, else `\n`; the result ends with a line
 * break.
 *
 * @returns the new text and one {@link EnvChange} per entry, in the order of `entries`.
 */
export function mergeEnvFile(
  text: string,
  entries: Readonly<Record<string, string>>,
): { text: string; changes: EnvChange[] } {
  const cr = text.includes("\r\n") ? "\r" : "";
  const lines = text === "" ? [] : text.split("\n");
  if (lines.length > 0 && lines.at(-1) === "") {
    lines.pop();
  }
  const keyOf = (line: string) => {
    const at = line.indexOf("=");
    return at > 0 ? line.slice(0, at) : undefined;
  };
  const valueAfter = (line: string, key: string) => line.slice(key.length + 1).replace(/\r$/, "");
  const previous = new Map<string, string>();
  for (const line of lines) {
    const key = keyOf(line);
    if (key !== undefined && Object.hasOwn(entries, key)) {
      previous.set(key, valueAfter(line, key));
    }
  }
  const written = new Set<string>();
  const out: string[] = [];
  for (const line of lines) {
    const key = keyOf(line);
    if (key === undefined || !Object.hasOwn(entries, key)) {
      out.push(line);
    } else if (!written.has(key)) {
      out.push(`${key}=${entries[key]}${cr}`);
      written.add(key);
    }
  }
  const changes: EnvChange[] = [];
  for (const [key, value] of Object.entries(entries)) {
    if (!written.has(key)) {
      out.push(`${key}=${value}${cr}`);
    }
    const before = previous.get(key);
    const change: EnvChange = {
      key,
      value,
      change: before === undefined ? "added" : before === value ? "unchanged" : "replaced",
    };
    if (before !== undefined && before !== value) {
      change.previous = before;
    }
    changes.push(change);
  }
  return { text: out.length === 0 ? "" : `${out.join("\n")}\n`, changes };
}

/** The options of {@link installHooks}. */
export interface InstallHooksOptions {
  /** The runner's folder (absolute): where `config.sh`, `run.sh` and `.env` are. */
  runnerDir: string;
  /** Absolute path to the `dstack-runner` bin the scripts run. Must exist. */
  bin: string;
  /**
   * Absolute path to `node`. Given: the scripts run `node <bin>`, whatever `PATH` the runner
   * service has. Left out: they run `<bin>` directly, through its `#!/usr/bin/env node` line,
   * so `node` must be on the runner's `PATH`.
   */
  nodePath?: string;
  /** Where the scripts go (absolute). Default `<runnerDir>/dstack-hooks`. */
  hooksDir?: string;
}

/** What {@link installHooks} did. */
export interface InstallHooksResult {
  /** The scripts' paths. */
  scripts: { started: string; completed: string };
  /** The scripts written because they were missing or different. */
  scriptsWritten: string[];
  /** The `.env` file. */
  envFile: string;
  /** The two variables and what changed for each. */
  env: EnvChange[];
  /** Whether anything changed: a running runner must then be restarted to read `.env`. */
  changed: boolean;
  /** One line per change, and the restart reminder when `changed`, for the terminal. */
  lines: string[];
}

function checkPath(what: string, path: string): void {
  if (!isAbsolute(path)) {
    throw new InstallHooksError(
      "bad-path",
      `${what}: ${JSON.stringify(path)} is not an absolute path; the runner needs absolute paths`,
    );
  }
  if (/[\r\n\0]/.test(path)) {
    throw new InstallHooksError(
      "bad-path",
      `${what}: ${JSON.stringify(path)} holds a line break or NUL, which a runner .env line cannot carry`,
    );
  }
}

function checkFile(what: string, path: string): void {
  checkPath(what, path);
  let isFile = false;
  try {
    isFile = statSync(path).isFile();
  } catch {
    throw new InstallHooksError("bad-path", `${what}: ${path} does not exist`);
  }
  if (!isFile) {
    throw new InstallHooksError("bad-path", `${what}: ${path} is not a file`);
  }
}

/** Writes `text` to `path` through a temp file and a rename, then sets `mode`. */
function writeAtomically(path: string, text: string, mode: number): void {
  const temp = join(dirname(path), `.${process.pid}.${Date.now()}.tmp`);
  try {
    writeFileSync(temp, text, { mode });
    chmodSync(temp, mode);
    renameSync(temp, path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InstallHooksError("io", `cannot write ${path} (${code})`, { cause: error });
  }
}

/**
 * Installs the hooks into a runner's folder:
 * 1. writes `<hooksDir>/job-started.sh` and `<hooksDir>/job-completed.sh` ({@link hookScript}),
 *    mode 0755, only when missing or different;
 * 2. sets `ACTIONS_RUNNER_HOOK_JOB_STARTED` and `ACTIONS_RUNNER_HOOK_JOB_COMPLETED` to their
 *    paths in `<runnerDir>/.env` ({@link mergeEnvFile}: other lines kept; the file's mode kept,
 *    0644 when new), written through a temp file and a rename.
 *
 * Running it again changes nothing. A hook the administrator had set is replaced; its old path
 * is in `env[].previous` and in `lines`.
 *
 * @returns what changed; restart the runner when `changed`.
 * @throws {@link InstallHooksError} `bad-path` when `runnerDir` is not an existing folder, `bin`
 *   or `nodePath` not an existing file, any path not absolute or holding a line break;
 *   `io` when a file cannot be written.
 */
export function installHooks(options: InstallHooksOptions): InstallHooksResult {
  const { runnerDir, bin, nodePath } = options;
  checkPath("runner folder", runnerDir);
  let isDir = false;
  try {
    isDir = statSync(runnerDir).isDirectory();
  } catch {
    throw new InstallHooksError("bad-path", `runner folder: ${runnerDir} does not exist`);
  }
  if (!isDir) {
    throw new InstallHooksError("bad-path", `runner folder: ${runnerDir} is not a folder`);
  }
  checkFile("dstack-runner bin", bin);
  if (nodePath !== undefined) {
    checkFile("node", nodePath);
  }
  const hooksDir = options.hooksDir ?? join(runnerDir, HOOKS_DIR_NAME);
  checkPath("hooks folder", hooksDir);
  try {
    mkdirSync(hooksDir, { recursive: true, mode: 0o755 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InstallHooksError("io", `cannot create ${hooksDir} (${code})`, { cause: error });
  }

  const scripts = {
    started: join(hooksDir, "job-started.sh"),
    completed: join(hooksDir, "job-completed.sh"),
  };
  const lines: string[] = [];
  const scriptsWritten: string[] = [];
  for (const [event, path] of [
    ["job-started", scripts.started],
    ["job-completed", scripts.completed],
  ] as const) {
    const text = hookScript({ event, bin, ...(nodePath === undefined ? {} : { nodePath }) });
    let current: string | undefined;
    let mode = 0;
    try {
      current = readFileSync(path, "utf8");
      mode = statSync(path).mode & 0o777;
    } catch {
      current = undefined;
    }
    if (current !== text || mode !== 0o755) {
      writeAtomically(path, text, 0o755);
      scriptsWritten.push(path);
      lines.push(`wrote ${path}`);
    }
  }

  const envFile = join(runnerDir, ".env");
  let before = "";
  let envMode = 0o644;
  if (existsSync(envFile)) {
    try {
      before = readFileSync(envFile, "utf8");
      envMode = statSync(envFile).mode & 0o777;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? String(error);
      throw new InstallHooksError("io", `cannot read ${envFile} (${code})`, { cause: error });
    }
  }
  const merged = mergeEnvFile(before, {
    [HOOK_STARTED_ENV]: scripts.started,
    [HOOK_COMPLETED_ENV]: scripts.completed,
  });
  if (merged.text !== before) {
    writeAtomically(envFile, merged.text, envMode);
  }
  for (const change of merged.changes) {
    if (change.change === "added") {
      lines.push(`${envFile}: added ${change.key}=${change.value}`);
    } else if (change.change === "replaced") {
      lines.push(
        `${envFile}: replaced ${change.key}=${change.previous} with ${change.value} (that script no longer runs)`,
      );
    }
  }
  const changed = scriptsWritten.length > 0 || merged.text !== before;
  if (changed) {
    lines.push(
      "restart the runner so it reads .env (sudo ./svc.sh stop && sudo ./svc.sh start, or stop and start ./run.sh)",
    );
  } else {
    lines.push(`hooks already installed in ${runnerDir}: nothing changed`);
  }
  return { scripts, scriptsWritten, envFile, env: merged.changes, changed, lines };
}
