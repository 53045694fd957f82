/**
 * Cached virtual environments: one per (interpreter, requirements content), under
 * `DSTACK_HOME/venvs/`, created under a lock so concurrent runs neither corrupt nor duplicate one.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import type { Interpreter } from "./interpreter.js";
import { explainExit, runSupervised } from "./process.js";

/** Written last into a venv: its presence means the venv is complete and usable. */
const READY_MARKER = ".dstack-ready";

/** Creating a venv or installing its requirements failed. */
export class VenvError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "VenvError";
  }
}

/** Options of {@link ensureVenv}. */
export interface EnsureVenvOptions {
  /** `DSTACK_HOME`: venvs live in `<home>/venvs/<key>`. */
  home: string;
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
  const venvs = join(home, "venvs");
  const dir = join(venvs, venvKey(interpreter, requirements.text));
  const python = join(dir, "bin", "python");
  if (existsSync(join(dir, READY_MARKER))) return { dir, python, reused: true };

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
    if (existsSync(join(dir, READY_MARKER))) return { dir, python, reused: true };
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
    writeFileSync(join(dir, READY_MARKER), `${new Date().toISOString()}\n`);
    return { dir, python, reused: false };
  } catch (e) {
    rmSync(dir, { recursive: true, force: true });
    throw e;
  } finally {
    await release();
  }
}
