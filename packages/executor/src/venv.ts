/**
 * Cached virtual environments: one per (interpreter, requirements content), under
 * `DSTACK_HOME/venvs/`, created under a lock so concurrent runs neither corrupt nor duplicate one.
 * Runs of code that is not on the default branch keep theirs apart, in
 * `DSTACK_HOME/venvs-untrusted/` ({@link venvsDir}): a venv such a run built (its requirements,
 * anything its pip or its job wrote into it) is never run by a trusted run.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import type { Interpreter } from "./interpreter.js";
import { explainExit, runSupervised } from "./process.js";

/**
 * Written last into a venv: its presence means the venv is complete and usable. Its mtime is the
 * venv's last use: set when the venv is built and again each time a run reuses it.
 */
export const READY_MARKER = ".dstack-ready";

/**
 * Written into a venv before {@link READY_MARKER}: what it was built from, as JSON
 * `{interpreter: {path, version}, requirementsSha256}` (`dstack venvs` shows it).
 */
export const VENV_INFO = ".dstack-venv.json";

/** The folder of trusted runs' venvs under `DSTACK_HOME`. */
export const TRUSTED_VENVS = "venvs";
/** The folder of untrusted runs' venvs under `DSTACK_HOME`; trusted runs never read it. */
export const UNTRUSTED_VENVS = "venvs-untrusted";

/**
 * Where the venvs of a run live: `<home>/venvs` for trusted runs, `<home>/venvs-untrusted` for
 * runs of code that is not on the default branch. The two never share a venv, so a package an
 * untrusted run installed (or changed in its venv) never runs in a trusted one.
 *
 * This keeps dstack itself from reusing them; it is not a boundary against a job that writes
 * into `DSTACK_HOME` as the same user: untrusted code belongs on ephemeral runners.
 */
export function venvsDir(home: string, untrusted: boolean): string {
  return join(home, untrusted ? UNTRUSTED_VENVS : TRUSTED_VENVS);
}

/** Creating a venv or installing its requirements failed. */
export class VenvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VenvError";
  }
}

/** Options of {@link ensureVenv}. */
export interface EnsureVenvOptions {
  /** `DSTACK_HOME`: venvs live in `<home>/venvs/<key>` ({@link venvsDir}). */
  home: string;
  /**
   * The run's code is not on the default branch (a pull-request command, a `sha` or `ref` from
   * repository_dispatch): its venvs live in `<home>/venvs-untrusted/<key>`, never read by trusted
   * runs, and it never reads or writes the trusted ones. Default `false`.
   */
  untrusted?: boolean;
  /** The interpreter the venv is made from. */
  interpreter: Interpreter;
  /** The requirements file's content (the cache key) and absolute path (given to pip). */
  requirements: { path: string; text: string };
  /** Where pip runs, so relative paths inside requirements.txt resolve (the job's working dir). */
  cwd: string;
  /** The environment pip runs with (PIP_INDEX_URL, PIP_FIND_LINKS, proxies pass through). */
  env: NodeJS.ProcessEnv;
  /** Receives each line pip and venv print, as they come. */
  onLine: (line: string) => void;
  /** Called with the venv's folder when another process is building it and this one waits. */
  onWait?: (dir: string) => void;
}

/** A venv ready to run a job. */
export interface Venv {
  /** The venv folder. */
  dir: string;
  /** Its `bin/python`. */
  python: string;
  /** `true` when an existing venv was reused (nothing was installed). */
  reused: boolean;
}

/**
 * The cache key of a venv: sha256 of the interpreter's path and version and the requirements
 * text, 16 hex characters. Files that requirements.txt itself points at (`-r other.txt`, a local
 * wheel) are not part of the key: change requirements.txt to rebuild.
 */
export function venvKey(interpreter: Interpreter, requirementsText: string): string {
  return createHash("sha256")
    .update(JSON.stringify([interpreter.path, interpreter.version, requirementsText]))
    .digest("hex")
    .slice(0, 16);
}

/**
 * Sets the ready marker's mtime to now: the venv's last use, which `dstack venvs prune` reads. A
 * marker that cannot be touched (a read-only home) leaves the venv usable. Returns `true`.
 */
function markUsed(dir: string): true {
  try {
    const now = new Date();
    utimesSync(join(dir, READY_MARKER), now, now);
  } catch {
    // The venv still works; only its last-use time stays older.
  }
  return true;
}

/**
 * Returns the cached venv for these requirements, creating it (`python -m venv`, then
 * `pip install -r`) when missing. A venv is complete only once its ready marker is written, so a
 * crash half-way leaves a venv that the next run removes and builds again. Creation holds a lock
 * (`<venv>.lock`, proper-lockfile, refreshed while pip runs), so a second run waits and reuses.
 *
 * @throws {@link VenvError} when venv or pip fails (naming the exit code), or when the lock cannot
 *   be taken within 10 minutes.
 */
export async function ensureVenv(options: EnsureVenvOptions): Promise<Venv> {
  const { home, interpreter, requirements, onLine } = options;
  const venvs = venvsDir(home, options.untrusted === true);
  const dir = join(venvs, venvKey(interpreter, requirements.text));
  const python = join(dir, "bin", "python");
  if (existsSync(join(dir, READY_MARKER))) return { dir, python, reused: markUsed(dir) };

  mkdirSync(venvs, { recursive: true });
  const lockOptions = { realpath: false, lockfilePath: `${dir}.lock` };
  if (await lockfile.check(dir, lockOptions).catch(() => false)) {
    options.onWait?.(dir);
  }
  let release: () => Promise<void>;
  try {
    release = await lockfile.lock(dir, {
      realpath: false,
      lockfilePath: `${dir}.lock`,
      retries: { retries: 600, factor: 1, minTimeout: 1000, maxTimeout: 1000 },
    });
  } catch (e) {
    throw new VenvError(`cannot lock ${dir}.lock: ${(e as Error).message}`);
  }
  try {
    // Another run may have finished it while this one waited.
    if (existsSync(join(dir, READY_MARKER))) return { dir, python, reused: markUsed(dir) };
    rmSync(dir, { recursive: true, force: true });
    const run = async (file: string, args: string[], what: string) => {
      const end = await runSupervised({
        file,
        args,
        cwd: options.cwd,
        env: { ...options.env, PIP_DISABLE_PIP_VERSION_CHECK: "1", PYTHONUNBUFFERED: "1" },
        onLine,
      });
      if (end.exitCode !== 0) {
        throw new VenvError(`${what} failed (${explainExit(end)}); its output is above`);
      }
    };
    await run(interpreter.path, ["-m", "venv", dir], `python -m venv ${dir}`);
    await run(
      python,
      ["-m", "pip", "install", "--requirement", requirements.path],
      `pip install -r ${requirements.path}`,
    );
    writeFileSync(
      join(dir, VENV_INFO),
      `${JSON.stringify({
        interpreter: { path: interpreter.path, version: interpreter.version },
        requirementsSha256: createHash("sha256").update(requirements.text).digest("hex"),
      })}\n`,
    );
    writeFileSync(join(dir, READY_MARKER), `${new Date().toISOString()}\n`);
    return { dir, python, reused: false };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    await release();
  }
}
