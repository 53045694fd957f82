/**
 * Finding the Python interpreter for a job's `version`.
 *
 * @module
 */
import {
  accessSync,
  constants,
  mkdirSync,
  readdirSync,
  readFileSync,
  renameSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { homedir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { execa } from "execa";

/** An interpreter found for a job. */
export interface Interpreter {
  /** The interpreter's own `sys.executable`: a real binary, not a pyenv shim. */
  path: string;
  /** Its full version, `3.11.7`. */
  version: string;
  /** Where it was found, for the run log. */
  source: "PATH" | "pyenv" | "tool cache" | "uv";
}

/** The job asked for a Python version this host does not have. */
export class InterpreterError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InterpreterError";
  }
}

const PROBE = "import sys; print(sys.executable); print('%d.%d.%d' % sys.version_info[:3])";

function isExecutable(path: string): boolean {
  try {
    accessSync(path, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function listDir(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

/** Compares dotted versions numerically, descending (3.12.1 before 3.9.18). */
function byVersionDesc(a: string, b: string): number {
  const pa = a.split(/[^\d]+/).map(Number);
  const pb = b.split(/[^\d]+/).map(Number);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const d = (pb[i] ?? -1) - (pa[i] ?? -1);
    if (d !== 0) return d;
  }
  return 0;
}

/** Whether `full` (3.11.7) is what `asked` (3, 3.11 or 3.11.7) names. */
export function versionMatches(asked: string, full: string): boolean {
  const a = asked.split(".");
  const f = full.split(".");
  return a.every((part, i) => f[i] === part);
}

/** Options of {@link findInterpreter}. */
export interface FindInterpreterOptions {
  /** The job's `version` (`3.11`, `3.10.14`); absent: the host's `python3`. */
  version?: string;
  /** The environment to search (`PATH`, `PYENV_ROOT`, `RUNNER_TOOL_CACHE`). */
  env: NodeJS.ProcessEnv;
  /**
   * A folder (`DSTACK_HOME`) where probe answers are cached in `interpreters.json`, so a warm run
   * does not start Python (through a pyenv shim, ~130 ms here) just to ask its version. Absent:
   * no cache.
   */
  cacheDir?: string;
  /** The job's working directory: where pyenv looks for `.python-version`. Default `process.cwd()`. */
  cwd?: string;
}

/** What a cached probe answer depends on: the candidate file, and for a pyenv shim, pyenv's choice. */
function probeKey(
  path: string,
  env: NodeJS.ProcessEnv,
  pyenvRoot: string,
  cwd: string,
): string | undefined {
  try {
    const st = statSync(path);
    const parts: unknown[] = [path, st.mtimeMs, st.size];
    if (dirname(path).endsWith("/shims")) {
      // pyenv picks the version from PYENV_VERSION, the nearest .python-version, then its global file.
      const read = (f: string) => {
        try {
          return readFileSync(f, "utf8");
        } catch {
          return undefined;
        }
      };
      let local: string | undefined;
      for (let dir = cwd; local === undefined; dir = dirname(dir)) {
        local = read(join(dir, ".python-version"));
        if (dirname(dir) === dir) break;
      }
      parts.push(env.PYENV_VERSION, local, read(join(pyenvRoot, "version")));
    }
    return JSON.stringify(parts);
  } catch {
    return undefined;
  }
}

type ProbeCache = Record<string, { executable: string; version: string; mtimeMs: number }>;

function readCache(file: string): ProbeCache {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ProbeCache;
  } catch {
    return {};
  }
}

/**
 * Finds the interpreter for `version`, in this order: `python3.X` on PATH, pyenv
 * (`$PYENV_ROOT/versions/3.X*`, default `~/.pyenv`), the GitHub runner tool cache
 * (`$RUNNER_TOOL_CACHE/Python/3.X*\/x64` — where actions/setup-python installs), then
 * `uv python find 3.X` when uv is on PATH. Without a version: `python3` on PATH.
 *
 * Each candidate is asked for its `sys.executable` and version (one short process), so a pyenv
 * shim resolves to the real binary and a mislabeled one is skipped. With `cacheDir`, answers are
 * reused while the candidate file, the interpreter binary and (for pyenv shims) pyenv's version
 * choice are unchanged.
 *
 * @throws {@link InterpreterError} naming the version asked and listing the versions found.
 */
export async function findInterpreter(options: FindInterpreterOptions): Promise<Interpreter> {
  const { version, env } = options;
  const pathDirs = (env.PATH ?? "").split(delimiter).filter(Boolean);
  const onPath = (name: string) => pathDirs.map((d) => join(d, name)).find((p) => isExecutable(p));
  const pyenvRoot = env.PYENV_ROOT ?? join(env.HOME ?? homedir(), ".pyenv");
  const toolCache = env.RUNNER_TOOL_CACHE;

  const candidates: { path: () => Promise<string | undefined>; source: Interpreter["source"] }[] =
    [];
  if (version === undefined) {
    candidates.push({ path: async () => onPath("python3"), source: "PATH" });
  } else {
    const [major, minor] = version.split(".");
    const name = minor === undefined ? `python${major}` : `python${major}.${minor}`;
    candidates.push({ path: async () => onPath(name), source: "PATH" });
    const fromVersionsDir = (dir: string, bin: (v: string) => string) => async () =>
      listDir(dir)
        .filter((v) => versionMatches(version, v))
        .sort(byVersionDesc)
        .map((v) => bin(v))
        .find((p) => isExecutable(p));
    candidates.push({
      path: fromVersionsDir(join(pyenvRoot, "versions"), (v) =>
        join(pyenvRoot, "versions", v, "bin", "python3"),
      ),
      source: "pyenv",
    });
    if (toolCache) {
      candidates.push({
        path: fromVersionsDir(join(toolCache, "Python"), (v) =>
          join(toolCache, "Python", v, "x64", "bin", "python3"),
        ),
        source: "tool cache",
      });
    }
    const uv = onPath("uv");
    if (uv) {
      candidates.push({
        path: async () => {
          const r = await execa(uv, ["python", "find", version], {
            env,
            reject: false,
            timeout: 15_000,
          });
          return r.exitCode === 0 ? String(r.stdout).trim() || undefined : undefined;
        },
        source: "uv",
      });
    }
  }

  const cacheFile = options.cacheDir ? join(options.cacheDir, "interpreters.json") : undefined;
  const cache = cacheFile ? readCache(cacheFile) : {};
  const probe = async (
    path: string,
  ): Promise<{ executable: string; version: string } | undefined> => {
    const key = cacheFile
      ? probeKey(path, env, pyenvRoot, options.cwd ?? process.cwd())
      : undefined;
    const hit = key ? cache[key] : undefined;
    if (hit) {
      try {
        if (statSync(hit.executable).mtimeMs === hit.mtimeMs) return hit;
      } catch {
        // The interpreter is gone: probe again.
      }
    }
    const r = await execa(path, ["-c", PROBE], { env, reject: false, timeout: 15_000 });
    if (r.exitCode !== 0) return undefined;
    const [executable, full] = String(r.stdout).trim().split("\n");
    if (!executable || !full) return undefined;
    if (cacheFile && key) {
      try {
        cache[key] = { executable, version: full, mtimeMs: statSync(executable).mtimeMs };
        // The cache folder (DSTACK_HOME) may not exist yet: a first run on a fresh runner.
        mkdirSync(dirname(cacheFile), { recursive: true });
        const tmp = `${cacheFile}.${process.pid}.tmp`;
        writeFileSync(tmp, JSON.stringify(cache));
        renameSync(tmp, cacheFile);
      } catch {
        // A cache that cannot be written only costs the next run a probe.
      }
    }
    return { executable, version: full };
  };

  for (const candidate of candidates) {
    const path = await candidate.path();
    if (!path) continue;
    const found = await probe(path);
    if (!found) continue;
    if (version !== undefined && !versionMatches(version, found.version)) continue;
    return { path: found.executable, version: found.version, source: candidate.source };
  }

  if (version === undefined) {
    throw new InterpreterError(
      "python3 is not on PATH; install Python 3, or set version: in the workflow",
    );
  }
  const found = new Set<string>();
  for (const dir of pathDirs) {
    for (const n of listDir(dir)) {
      const m = /^python(3\.\d+)$/.exec(n);
      if (m?.[1]) found.add(m[1]);
    }
  }
  for (const v of listDir(join(pyenvRoot, "versions"))) if (/^3\.\d+/.test(v)) found.add(v);
  if (toolCache) for (const v of listDir(join(toolCache, "Python"))) found.add(v);
  const list = [...found].sort(byVersionDesc);
  throw new InterpreterError(
    `version: Python ${version} was not found on PATH, in pyenv${toolCache ? ", in the runner tool cache" : ""} or through uv; found ${list.length > 0 ? list.join(", ") : "none"}. Install it (pyenv install ${version}, or actions/setup-python) or change version:`,
  );
}
