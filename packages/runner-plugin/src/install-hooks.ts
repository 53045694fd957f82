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
 * The scripts live outside the runner's folder (default {@link DEFAULT_HOOKS_DIR}), which the
 * runner's user, and so every job, can write: a job that could edit a hook would run its code
 * before the next job on a persistent runner, with that job's GPUs. Installed as root, the
 * folder and scripts belong to root with mode 0755, which the job user cannot change; a hooks
 * folder inside the runner folder is refused, and anything the job user could still change (the
 * folder, a folder above it, the scripts, the bin or node they run) is named in a warning.
 * GitHub's page also advises keeping hook scripts outside the runner's application folder. What
 * this does not protect: the runner folder itself (its `.env`, its binaries) stays writable by
 * the job user; only an ephemeral runner is safe from a job that changes it.
 *
 * @module
 */

import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  readFileSync,
  realpathSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { basename, dirname, isAbsolute, join, relative } from "node:path";

/** The runner's variable naming the job-started hook script. */
export const HOOK_STARTED_ENV = "ACTIONS_RUNNER_HOOK_JOB_STARTED";
/** The runner's variable naming the job-completed hook script. */
export const HOOK_COMPLETED_ENV = "ACTIONS_RUNNER_HOOK_JOB_COMPLETED";
/**
 * Where the scripts go by default: outside any runner folder, so that installed as root they
 * belong to root and no job can change them.
 */
export const DEFAULT_HOOKS_DIR = "/opt/dstack-runner/hooks";

/** Which hook a script runs. */
export type HookEvent = "job-started" | "job-completed";

/**
 * What went wrong: `bad-path` (not absolute, missing, not a file or folder, or holding a line
 * break or NUL), `unsafe-path` (the hooks folder is inside the runner folder, which jobs can
 * write) or `io` (a file could not be written).
 */
export type InstallHooksErrorCode = "bad-path" | "unsafe-path" | "io";

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
  /**
   * Where the scripts go (absolute), outside `runnerDir`. Default {@link DEFAULT_HOOKS_DIR}.
   */
  hooksDir?: string;
  /**
   * The user id jobs run as, for the warnings about what they could change. Default: the owner
   * of `runnerDir` (the runner runs as the user that configured it, who owns its folder).
   */
  jobUid?: number;
  /** The primary group id of the job user. Default: the group of `runnerDir`. */
  jobGid?: number;
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
  /**
   * One line per thing the job user could change (the hooks folder or a folder above it, a
   * script, the bin or node they run), or the runner running as root; empty when none.
   */
  warnings: string[];
}

/** A path with the folders above it that exist, nearest first. */
function selfAndAncestors(path: string): string[] {
  const out: string[] = [];
  let p = path;
  for (;;) {
    out.push(p);
    const up = dirname(p);
    if (up === p) return out;
    p = up;
  }
}

/**
 * Why the user `uid` (primary group `gid`) could replace or edit `path`, or `undefined` when it
 * cannot: it or a folder above it is owned by that user, writable by every user (a folder with
 * the sticky bit, like `/tmp`, excepted: others' entries in it cannot be renamed), or writable by
 * the user's group.
 */
export function writableBy(path: string, uid: number, gid: number): string | undefined {
  for (const p of selfAndAncestors(path)) {
    let st: ReturnType<typeof statSync>;
    try {
      st = statSync(p);
    } catch {
      continue;
    }
    const sticky = st.isDirectory() && (st.mode & 0o1000) !== 0;
    if (st.uid === uid) return `${p} belongs to uid ${uid}`;
    if ((st.mode & 0o002) !== 0 && !sticky) return `${p} is writable by every user`;
    if ((st.mode & 0o020) !== 0 && st.gid === gid && !sticky) {
      return `${p} is writable by group ${gid}`;
    }
  }
  return undefined;
}

/** `path` with symbolic links resolved as far as it exists, the rest appended as given. */
function resolveExisting(path: string): string {
  const rest: string[] = [];
  let p = path;
  for (;;) {
    try {
      return join(realpathSync(p), ...rest.reverse());
    } catch {
      const up = dirname(p);
      if (up === p) return path;
      rest.push(basename(p));
      p = up;
    }
  }
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
 * Installs the hooks of a runner:
 * 1. writes `<hooksDir>/job-started.sh` and `<hooksDir>/job-completed.sh` ({@link hookScript}),
 *    mode 0755, only when missing or different; the folder gets mode 0755 and, when this runs as
 *    root, folder and scripts belong to root (uid and gid 0), so the job user cannot change them;
 * 2. sets `ACTIONS_RUNNER_HOOK_JOB_STARTED` and `ACTIONS_RUNNER_HOOK_JOB_COMPLETED` to their
 *    paths in `<runnerDir>/.env` ({@link mergeEnvFile}: other lines kept; the file's mode kept,
 *    0644 when new), written through a temp file and a rename.
 *
 * Running it again changes nothing. A hook the administrator had set is replaced; its old path
 * is in `env[].previous` and in `lines`. What the job user (`jobUid`) could still change is in
 * `warnings` ({@link writableBy}): run it as root, with the bin installed by root, for none.
 *
 * @returns what changed; restart the runner when `changed`.
 * @throws {@link InstallHooksError} `bad-path` when `runnerDir` is not an existing folder, `bin`
 *   or `nodePath` not an existing file, any path not absolute or holding a line break;
 *   `unsafe-path` when `hooksDir` is `runnerDir` or inside it (symbolic links resolved);
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
  const hooksDir = options.hooksDir ?? DEFAULT_HOOKS_DIR;
  checkPath("hooks folder", hooksDir);
  const inside = relative(resolveExisting(runnerDir), resolveExisting(hooksDir));
  if (inside === "" || (!inside.startsWith("..") && !isAbsolute(inside))) {
    throw new InstallHooksError(
      "unsafe-path",
      `hooks folder: ${hooksDir} is inside the runner folder ${runnerDir}, which the runner's user and so every job can write: a job could change the hook that runs before the next one. Use a folder outside it, e.g. ${DEFAULT_HOOKS_DIR} (the default), and run install-hooks as root`,
    );
  }
  const root = process.getuid?.() === 0;
  try {
    mkdirSync(hooksDir, { recursive: true, mode: 0o755 });
    chmodSync(hooksDir, 0o755);
    if (root) chownSync(hooksDir, 0, 0);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new InstallHooksError(
      "io",
      `cannot create ${hooksDir} (${code})${code === "EACCES" ? "; run install-hooks as root (sudo), or pass --hooks-dir" : ""}`,
      { cause: error },
    );
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
    if (root) chownSync(path, 0, 0);
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
  const owner = statSync(runnerDir);
  const jobUid = options.jobUid ?? owner.uid;
  const jobGid = options.jobGid ?? owner.gid;
  const warnings: string[] = [];
  if (jobUid === 0) {
    warnings.push(
      `the runner in ${runnerDir} runs as root (its folder belongs to root): its jobs can change anything on this machine, the hooks included; configure it as an unprivileged user`,
    );
  } else {
    const checks: [string, string][] = [
      ["the job-started hook", scripts.started],
      ["the job-completed hook", scripts.completed],
      ["the dstack-runner bin the hooks run", bin],
      ...(nodePath === undefined ? [] : [["the node the hooks run", nodePath] as [string, string]]),
    ];
    for (const [what, path] of checks) {
      const why = writableBy(path, jobUid, jobGid);
      if (why !== undefined) {
        warnings.push(
          `${what} (${path}) can be changed by the job user (uid ${jobUid}): ${why}. A job could then run its code in the hooks of later jobs; install as root, outside folders that user owns`,
        );
      }
    }
  }
  return { scripts, scriptsWritten, envFile, env: merged.changes, changed, lines, warnings };
}
