/**
 * The cached venvs of a `DSTACK_HOME` as `dstack venvs` lists and prunes them: each venv folder
 * `ensureVenv` made under `venvs/` (trusted) and `venvs-untrusted/`, with its size, interpreter,
 * requirements hash and last use; pruning never removes a venv another process is building.
 *
 * @module
 */
import * as fsp from "node:fs/promises";
import { join } from "node:path";
import lockfile from "proper-lockfile";
import { READY_MARKER, TRUSTED_VENVS, UNTRUSTED_VENVS, VENV_INFO } from "./venv.js";

/** One cached venv, as {@link listVenvs} finds it. */
export interface CachedVenv {
  /** The venv folder (absolute). */
  dir: string;
  /** Its cache key (the folder's name, {@link venvKey}). */
  key: string;
  /** `true` for `venvs-untrusted/` (runs of code that is not on the default branch). */
  untrusted: boolean;
  /**
   * `ready`: complete (its ready marker is there); `building`: another process holds its lock;
   * `incomplete`: neither (a build that crashed; the next run that needs it builds it again).
   */
  state: "ready" | "building" | "incomplete";
  /** Bytes of the regular files below it (links not followed). */
  bytes: number;
  /** The interpreter it was made from: `path` and `version` where known, from its records. */
  interpreter: { path?: string; version?: string };
  /** sha256 (hex) of the requirements text it was built from; absent for venvs built before dstack recorded it. */
  requirementsSha256?: string;
  /** Last use (ISO 8601): the ready marker's mtime (set on build and on each reuse), else the folder's. */
  lastUsed: string;
}

/** Bytes of the regular files below `dir`; links are not followed, unreadable entries count 0. */
async function folderBytes(dir: string): Promise<number> {
  let total = 0;
  const entries = await fsp.readdir(dir, { withFileTypes: true }).catch(() => []);
  for (const d of entries) {
    const abs = join(dir, d.name);
    if (d.isDirectory()) total += await folderBytes(abs);
    else if (d.isFile()) total += (await fsp.lstat(abs).catch(() => ({ size: 0 }))).size;
  }
  return total;
}

/** `home` and `version` of a venv's `pyvenv.cfg` (what `python -m venv` writes), `{}` without one. */
async function pyvenvCfg(dir: string): Promise<{ path?: string; version?: string }> {
  const text = await fsp.readFile(join(dir, "pyvenv.cfg"), "utf8").catch(() => "");
  const field = (name: string) =>
    text.match(new RegExp(`^\\s*${name}\\s*=\\s*(.+?)\\s*$`, "m"))?.[1];
  const home = field("home");
  const version = field("version_info") ?? field("version");
  return {
    ...(home !== undefined ? { path: join(home, "python3") } : {}),
    ...(version !== undefined ? { version } : {}),
  };
}

/** `true` while another process holds the venv's build lock (`<dir>.lock`, as ensureVenv takes it). */
async function isBuilding(dir: string): Promise<boolean> {
  return lockfile.check(dir, { realpath: false, lockfilePath: `${dir}.lock` }).catch(() => false);
}

/** Reads one venv folder. */
async function readVenv(dir: string, key: string, untrusted: boolean): Promise<CachedVenv> {
  const marker = await fsp.stat(join(dir, READY_MARKER)).catch(() => undefined);
  const folder = await fsp.stat(dir);
  const info = (await fsp
    .readFile(join(dir, VENV_INFO), "utf8")
    .then((t) => JSON.parse(t) as unknown)
    .catch(() => undefined)) as
    | { interpreter?: { path?: unknown; version?: unknown }; requirementsSha256?: unknown }
    | undefined;
  const recorded = {
    ...(typeof info?.interpreter?.path === "string" ? { path: info.interpreter.path } : {}),
    ...(typeof info?.interpreter?.version === "string"
      ? { version: info.interpreter.version }
      : {}),
  };
  const building = marker === undefined && (await isBuilding(dir));
  return {
    dir,
    key,
    untrusted,
    state: marker !== undefined ? "ready" : building ? "building" : "incomplete",
    bytes: await folderBytes(dir),
    interpreter: recorded.path !== undefined ? recorded : await pyvenvCfg(dir),
    ...(typeof info?.requirementsSha256 === "string"
      ? { requirementsSha256: info.requirementsSha256 }
      : {}),
    lastUsed: (marker ?? folder).mtime.toISOString(),
  };
}

/**
 * Every venv folder under `<home>/venvs` and `<home>/venvs-untrusted`, trusted first, each sorted
 * by key. Lock files (`<key>.lock`) and anything that is not a folder are skipped.
 */
export async function listVenvs(home: string): Promise<CachedVenv[]> {
  const out: CachedVenv[] = [];
  for (const [sub, untrusted] of [
    [TRUSTED_VENVS, false],
    [UNTRUSTED_VENVS, true],
  ] as const) {
    const root = join(home, sub);
    const entries = await fsp.readdir(root, { withFileTypes: true }).catch(() => []);
    const names = entries
      .filter((d) => d.isDirectory() && !d.name.endsWith(".lock"))
      .map((d) => d.name)
      .sort();
    for (const name of names) out.push(await readVenv(join(root, name), name, untrusted));
  }
  return out;
}

/** Options of {@link pruneVenvs}. */
export interface PruneVenvsOptions {
  /** `DSTACK_HOME`. */
  home: string;
  /** Venvs whose last use is more than this many milliseconds before `now` are removed (a negative value: every one). */
  olderThanMs: number;
  /** The current time (epoch ms); default `Date.now()`. */
  now?: number;
  /** List what would be removed, remove nothing. */
  dryRun?: boolean;
}

/** What {@link pruneVenvs} did. */
export interface PruneVenvsResult {
  /** The venvs removed (or, with `dryRun`, that would be). */
  removed: CachedVenv[];
  /** Venvs old enough that were kept because a build holds their lock. */
  building: CachedVenv[];
}

/**
 * Removes the venvs not used for `olderThanMs` (their last use, {@link CachedVenv.lastUsed}), and
 * incomplete ones (a crashed build) as old. Each removal takes the venv's build lock first, so a
 * venv being built is never removed and no build starts while one is removed; a venv whose lock
 * is held is reported in `building`.
 *
 * A run that starts from a ready venv does not take the lock: removing a venv a run is using at
 * that moment is possible only when it was unused for `olderThanMs` before that run started.
 *
 * @throws the file system's error when a folder cannot be removed.
 */
export async function pruneVenvs(options: PruneVenvsOptions): Promise<PruneVenvsResult> {
  const now = options.now ?? Date.now();
  const removed: CachedVenv[] = [];
  const building: CachedVenv[] = [];
  for (const venv of await listVenvs(options.home)) {
    if (now - Date.parse(venv.lastUsed) <= options.olderThanMs) continue;
    if (venv.state === "building") {
      building.push(venv);
      continue;
    }
    if (options.dryRun) {
      removed.push(venv);
      continue;
    }
    let release: () => Promise<void>;
    try {
      release = await lockfile.lock(venv.dir, {
        realpath: false,
        lockfilePath: `${venv.dir}.lock`,
        retries: 0,
      });
    } catch {
      building.push(venv);
      continue;
    }
    try {
      await fsp.rm(venv.dir, { recursive: true, force: true });
      removed.push(venv);
    } finally {
      await release();
    }
  }
  return { removed, building };
}
