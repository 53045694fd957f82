/**
 * A run's own copy of the repository, so that a local run sees what a runner's checkout would and
 * its files are its own: what it writes never lands in the user's folder (only its artifacts are
 * kept), `deps` are placed in the copy (never over the user's files), and concurrent runs never
 * share a writable file.
 *
 * @module
 */
import { constants, existsSync } from "node:fs";
import * as fsp from "node:fs/promises";
import path from "node:path";
import { execa } from "execa";

/** Options of {@link makeWorkingCopy}. */
export interface MakeWorkingCopyOptions {
  /** The repository folder to copy (absolute). */
  from: string;
  /** Where the copy goes (absolute); it must not exist. */
  to: string;
  /** The environment `git` runs with (its `PATH`). */
  env: NodeJS.ProcessEnv;
}

/** What {@link makeWorkingCopy} copied. */
export interface WorkingCopy {
  /** The copy's folder (absolute). */
  dir: string;
  /**
   * `git`: the files git lists in the folder, tracked or untracked and not ignored (what a
   * checkout of a commit of them would hold); `all`: every file but `.git` (not a git work tree).
   */
  selection: "git" | "all";
  /** Files (and symbolic links) copied. */
  files: number;
  /** Bytes of the regular files copied. */
  bytes: number;
}

/**
 * The files `git` lists in `dir` (relative POSIX paths): tracked and untracked, without those
 * `.gitignore` (and `.git/info/exclude`, and the global excludes) ignore; `undefined` when `dir`
 * is not in a git work tree or git cannot run.
 */
async function gitFiles(dir: string, env: NodeJS.ProcessEnv): Promise<string[] | undefined> {
  // No `.git` at or above the folder: no git work tree, and no git process to start.
  let at = dir;
  while (!existsSync(path.join(at, ".git"))) {
    const parent = path.dirname(at);
    if (parent === at) return undefined;
    at = parent;
  }
  const r = await execa(
    "git",
    ["ls-files", "-z", "--cached", "--others", "--exclude-standard", "--", "."],
    { cwd: dir, env, extendEnv: false, reject: false, stdin: "ignore", stripFinalNewline: false },
  );
  if (r.failed || r.exitCode !== 0 || typeof r.stdout !== "string") return undefined;
  return [...new Set(r.stdout.split("\0").filter((p) => p !== ""))];
}

/** Every file below `dir` (relative POSIX paths), without `.git` folders; links not followed. */
async function allFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  const walk = async (abs: string, rel: string) => {
    for (const d of await fsp.readdir(abs, { withFileTypes: true })) {
      if (d.name === ".git") continue;
      const childRel = rel === "" ? d.name : `${rel}/${d.name}`;
      if (d.isDirectory()) await walk(path.join(abs, d.name), childRel);
      else if (d.isFile() || d.isSymbolicLink()) out.push(childRel);
    }
  };
  await walk(dir, "");
  return out;
}

/**
 * Copies a repository folder for one run: with git, the files `git ls-files --cached --others
 * --exclude-standard` lists (tracked files as they are in the folder now, untracked ones unless
 * ignored); without git, every file but `.git`. Regular files are copied (copy-on-write where the
 * file system can; permission bits kept), symbolic links are copied as links, and anything else
 * (a submodule's folder, a file deleted since it was tracked) is skipped.
 *
 * @throws the file system's error when the copy cannot be written.
 */
export async function makeWorkingCopy(options: MakeWorkingCopyOptions): Promise<WorkingCopy> {
  const listed = await gitFiles(options.from, options.env);
  const files = listed ?? (await allFiles(options.from));
  await fsp.mkdir(options.to, { recursive: true });
  const made = new Set<string>();
  let count = 0;
  let bytes = 0;
  const limit = 16;
  let next = 0;
  const worker = async () => {
    while (next < files.length) {
      const rel = files[next++] as string;
      const src = path.join(options.from, rel);
      const st = await fsp.lstat(src).catch(() => undefined);
      if (st === undefined || !(st.isFile() || st.isSymbolicLink())) continue;
      const dest = path.join(options.to, rel);
      const parent = path.dirname(dest);
      if (!made.has(parent)) {
        await fsp.mkdir(parent, { recursive: true });
        made.add(parent);
      }
      if (st.isSymbolicLink()) {
        await fsp.symlink(await fsp.readlink(src), dest);
      } else {
        await fsp.copyFile(src, dest, constants.COPYFILE_FICLONE);
        bytes += st.size;
      }
      count++;
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, files.length) }, worker));
  return {
    dir: options.to,
    selection: listed === undefined ? "all" : "git",
    files: count,
    bytes,
  };
}
