/**
 * Test helpers shared by this package's tests (not exported from the package).
 *
 * @module
 */
import { spawn } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Io, main } from "./main.js";

/**
 * Runs `dstack` in-process in `cwd`, with `env` (default `process.env`), capturing its output.
 * `io` adds test-only parts of {@link Io}, e.g. a simulated clock's `sleep` and `now`; the
 * `--remote` commands' writes are not spaced (`writeSpacingMs: 0`: the fake GitHub has no
 * secondary rate limit) unless `io` says otherwise.
 */
export async function runDstack(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  io: Pick<Io, "sleep" | "now" | "writeSpacingMs"> = {},
) {
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd,
    env,
    writeSpacingMs: 0,
    ...io,
  });
  return { status, stdout, stderr };
}

/** The `dstack` bin of this checkout (it runs the built `dist/`). */
export const DSTACK_BIN = fileURLToPath(new URL("../bin/dstack.js", import.meta.url));

/** A new empty temporary folder. */
export function tempDir(prefix = "dstack-cli-test-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A temporary folder holding `files` (relative path -> content), with `.git/` when `git` is true. */
export function tempRepo(files: Record<string, string>, options: { git?: boolean } = {}): string {
  const dir = tempDir("dstack-repo-");
  if (options.git ?? true) mkdirSync(join(dir, ".git"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Starts the dstack bin as a real process in `cwd`, collecting its output. */
export function spawnDstack(argv: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, [DSTACK_BIN, ...argv], {
    cwd,
    env: { ...env, NO_COLOR: "1" },
  });
  const out = { stdout: "", stderr: "" };
  child.stdout?.on("data", (d) => {
    out.stdout += d;
  });
  child.stderr?.on("data", (d) => {
    out.stderr += d;
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, out, exited };
}

/** Polls `check` every 50 ms until it holds; throws after `ms` (default 20 000). */
export async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Whether process `pid` is alive: it exists and is not a zombie (Linux `/proc`). */
export function processAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const state = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[0];
    return state !== "Z" && state !== "X";
  } catch {
    return false;
  }
}

/** The folder of run `runName` in a `DSTACK_HOME`: in whichever repository's store holds it. */
export function runFolder(home: string, runName: string): string {
  const repos = join(home, "repos");
  if (existsSync(repos)) {
    for (const name of readdirSync(repos)) {
      const dir = join(repos, name, "runs", runName);
      if (existsSync(dir)) return dir;
    }
  }
  return join(home, "runs", runName);
}
