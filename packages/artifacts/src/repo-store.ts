/**
 * One local store per repository: runs, tags and `deps: - workflow:` of a repository never see
 * another's. Layout under `DSTACK_HOME`:
 *
 * ```
 * $DSTACK_HOME/
 *   repos/<name>-<hash>/repo.json   { id, name, root, createdAt }: which repository this is
 *   repos/<name>-<hash>/runs/…      a LocalStore (see local-store.ts)
 *   repos/<name>-<hash>/tags/…
 *   venvs/…                         shared by every repository (keyed by interpreter + requirements)
 * ```
 *
 * A repository is the folder `dstack` works in (the nearest one holding `.dstack/` or `.git`; see
 * {@link findRepoRoot}). It is identified by its git remote (`origin`, else the first remote),
 * normalized (`git@github.com:Org/Repo.git` and `https://github.com/org/repo` are the same), plus
 * its path inside the git work tree when it is a subfolder (two projects in one clone are two
 * repositories; two clones of one remote are one). Without a remote, by the real path of its
 * folder, so a folder that is not a git repository works too.
 *
 * Stores of earlier versions kept every run in `$DSTACK_HOME/runs` and every tag in
 * `$DSTACK_HOME/tags`. {@link migrateFlatStore} moves each finished run into the store of the
 * repository its record names (`repoDir`), and each tag to the store of its run, once; runs still
 * active are moved by a later call.
 *
 * @module
 */
import { createHash } from "node:crypto";
import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import * as fsp from "node:fs/promises";
import path from "node:path";
import { errnoCode } from "./errors.js";
import { LocalStore } from "./local-store.js";
import type { RunRecord, TagRecord } from "./types.js";

/** How a repository is known across commands and clones. */
export interface RepoIdentity {
  /**
   * The normalized git remote URL (`github.com/org/repo`), with `#<subfolder>` when the
   * repository is a folder inside the git work tree; or `path:<real path>` without a remote.
   */
  id: string;
  /** A short name for people: the repository folder's name. */
  name: string;
  /** The repository folder (absolute) the identity was taken from. */
  root: string;
}

/** What `repo.json` of a repository's store holds. */
export interface RepoStoreInfo extends RepoIdentity {
  /** When the store was made, ISO 8601. */
  createdAt: string;
}

/**
 * The repository a command works in: the nearest folder at or above `cwd` holding `.dstack/` or
 * `.git`, else `cwd` itself (absolute).
 */
export function findRepoRoot(cwd: string): string {
  let dir = path.resolve(cwd);
  for (;;) {
    if (existsSync(path.join(dir, ".dstack")) || existsSync(path.join(dir, ".git"))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return path.resolve(cwd);
    dir = parent;
  }
}

/** The git folder of the work tree at `top` (its `.git` folder, or where a `.git` file points). */
function gitDir(top: string): string | undefined {
  const dotGit = path.join(top, ".git");
  try {
    if (statSync(dotGit).isDirectory()) return dotGit;
    const m = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, "utf8"));
    return m?.[1] ? path.resolve(top, m[1].trim()) : undefined;
  } catch {
    return undefined;
  }
}

/** The URL of remote `origin` (else of the first remote) in a git config file's text. */
export function remoteUrlOf(configText: string): string | undefined {
  const urls = new Map<string, string>();
  let remote: string | undefined;
  for (const raw of configText.split(/\r?\n/)) {
    const line = raw.trim();
    const section = /^\[\s*remote\s+"([^"]*)"\s*\]$/.exec(line);
    if (section) {
      remote = section[1];
      continue;
    }
    if (line.startsWith("[")) {
      remote = undefined;
      continue;
    }
    const url = /^url\s*=\s*(.+)$/.exec(line);
    if (remote !== undefined && url?.[1] && !urls.has(remote)) {
      urls.set(remote, url[1].trim().replace(/^"(.*)"$/, "$1"));
    }
  }
  return urls.get("origin") ?? urls.values().next().value;
}

/**
 * A git remote URL in one spelling for every way of writing it: no scheme, user, port, `.git`
 * or trailing `/`, lower case (`git@github.com:Org/Repo.git`, `https://github.com/org/repo`
 * and `ssh://git@github.com:22/org/repo.git` all give `github.com/org/repo`). A remote that is a
 * local path gives `file:<absolute path>`, resolved against `base`.
 */
export function normalizeRemoteUrl(url: string, base: string): string {
  const u = url.trim();
  let hostPath: string;
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(u);
  if (scheme && scheme[1]?.toLowerCase() !== "file") {
    const rest = u.slice(scheme[0].length).replace(/^[^@/]*@/, "");
    const slash = rest.indexOf("/");
    const host = (slash < 0 ? rest : rest.slice(0, slash)).replace(/:\d*$/, "");
    hostPath = `${host}/${slash < 0 ? "" : rest.slice(slash + 1)}`;
  } else if (!scheme && /^[^/]*[^/:]:/.test(u) && !u.startsWith("/")) {
    // scp-like: [user@]host:path
    const rest = u.replace(/^[^@/]*@/, "");
    const colon = rest.indexOf(":");
    hostPath = `${rest.slice(0, colon)}/${rest.slice(colon + 1).replace(/^\/+/, "")}`;
  } else {
    const local = scheme ? u.slice(scheme[0].length) : u;
    return `file:${path
      .resolve(base, local)
      .replace(/\/+$/, "")
      .replace(/\.git$/, "")}`;
  }
  return hostPath
    .replace(/\/+$/, "")
    .replace(/\.git$/, "")
    .replace(/\/+/g, "/")
    .toLowerCase();
}

/** The real path of `p`, or `p` resolved when it does not exist (any more). */
function realOr(p: string): string {
  try {
    return realpathSync(p);
  } catch {
    return path.resolve(p);
  }
}

/**
 * The identity of the repository whose folder is `root` (see the module comment).
 *
 * @param root - the repository folder, as {@link findRepoRoot} gives it; it may no longer exist.
 */
export function repoIdentity(root: string): RepoIdentity {
  const real = realOr(root);
  const name = path.basename(real) || "root";
  let top = real;
  for (;;) {
    if (existsSync(path.join(top, ".git"))) break;
    const parent = path.dirname(top);
    if (parent === top) return { id: `path:${real}`, name, root: real };
    top = parent;
  }
  const git = gitDir(top);
  let url: string | undefined;
  if (git !== undefined) {
    // A linked work tree keeps the config in the main repository's git folder.
    const common = path.join(git, "commondir");
    const configDir = existsSync(common)
      ? path.resolve(git, readFileSync(common, "utf8").trim())
      : git;
    try {
      url = remoteUrlOf(readFileSync(path.join(configDir, "config"), "utf8"));
    } catch {
      url = undefined;
    }
  }
  if (url === undefined) return { id: `path:${real}`, name, root: real };
  const sub = path.relative(top, real).split(path.sep).join("/");
  return { id: `${normalizeRemoteUrl(url, top)}${sub ? `#${sub}` : ""}`, name, root: real };
}

/** The store folder's name for an identity: `<name>-<10 hex of sha256(id)>`, a safe file name. */
export function repoStoreName(identity: RepoIdentity): string {
  const slug =
    identity.name
      .toLowerCase()
      .replace(/[^a-z0-9._-]+/g, "-")
      .replace(/^[-._]+/, "")
      .slice(0, 40) || "repo";
  const hash = createHash("sha256").update(identity.id).digest("hex").slice(0, 10);
  return `${slug}-${hash}`;
}

/** `DSTACK_HOME/repos`. */
function reposDir(home: string): string {
  return path.join(path.resolve(home), "repos");
}

/** Options of {@link openRepoStore}. */
export interface OpenRepoStoreOptions {
  /** `DSTACK_HOME` (see `LocalStore.home`). */
  home: string;
  /** A folder inside the repository (its root is found with {@link findRepoRoot}). */
  cwd: string;
}

/**
 * The local store of the repository `cwd` is in, under `DSTACK_HOME/repos/`; a flat store of an
 * earlier version is migrated first (see {@link migrateFlatStore}). Writes `repo.json` when the
 * store is new.
 *
 * @throws StoreError `io` when DSTACK_HOME cannot be written.
 */
export async function openRepoStore(
  options: OpenRepoStoreOptions,
): Promise<{ store: LocalStore; repo: RepoIdentity }> {
  const home = path.resolve(options.home);
  if (existsSync(path.join(home, "runs")) || existsSync(path.join(home, "tags"))) {
    await migrateFlatStore(home);
  }
  const repo = repoIdentity(findRepoRoot(options.cwd));
  const dir = path.join(reposDir(home), repoStoreName(repo));
  await writeRepoInfo(dir, repo);
  return { store: new LocalStore({ home: dir }), repo };
}

/** Writes `repo.json` in a repository's store folder when it has none. */
async function writeRepoInfo(dir: string, repo: RepoIdentity): Promise<void> {
  const file = path.join(dir, "repo.json");
  if (existsSync(file)) return;
  await fsp.mkdir(dir, { recursive: true }).catch(() => undefined);
  const info: RepoStoreInfo = { ...repo, createdAt: new Date().toISOString() };
  // `wx`: the first writer wins; a concurrent one finds it there.
  await fsp.writeFile(file, `${JSON.stringify(info, null, 2)}\n`, { flag: "wx" }).catch(() => {
    // Written by another process meanwhile, or DSTACK_HOME not writable: the store says so.
  });
}

/** Every repository's store under `home`, with what its `repo.json` says, sorted by name. */
export async function listRepoStores(
  home: string,
): Promise<{ store: LocalStore; repo: RepoStoreInfo | undefined; dir: string }[]> {
  let names: string[];
  try {
    names = await fsp.readdir(reposDir(home));
  } catch (e) {
    if (errnoCode(e) === "ENOENT") return [];
    throw e;
  }
  const out = [];
  for (const name of names.sort()) {
    const dir = path.join(reposDir(home), name);
    let repo: RepoStoreInfo | undefined;
    try {
      repo = JSON.parse(await fsp.readFile(path.join(dir, "repo.json"), "utf8")) as RepoStoreInfo;
    } catch {
      repo = undefined;
    }
    out.push({ store: new LocalStore({ home: dir }), repo, dir });
  }
  return out;
}

const ACTIVE = new Set(["submitted", "running", "uploading"]);

/**
 * Moves the flat store of an earlier version (`home/runs/*`, `home/tags/*`) into per-repository
 * stores: each run that is not active goes to the store of the repository its record's
 * `repoDir` is in; each tag goes where its run went. Active runs and tags of runs not moved (yet)
 * stay, for a later call; `runs/` and `tags/` are removed once empty. Runs whose name is taken in
 * the target store stay where they are. One process migrates at a time (`home/.migrate.lock`);
 * the others go on without waiting.
 *
 * @returns how many runs and tags were moved.
 */
export async function migrateFlatStore(home: string): Promise<{ runs: number; tags: number }> {
  const lock = path.join(home, ".migrate.lock");
  try {
    await fsp.mkdir(lock);
  } catch (e) {
    if (errnoCode(e) !== "EEXIST") return { runs: 0, tags: 0 };
    const st = await fsp.stat(lock).catch(() => undefined);
    if (st === undefined || Date.now() - st.mtimeMs < 60_000) return { runs: 0, tags: 0 };
    // Left by a process that died while migrating.
  }
  const movedTo = new Map<string, string>();
  let tagsMoved = 0;
  try {
    const flat = new LocalStore({ home });
    for (const run of await flat.listRuns()) {
      if (ACTIVE.has(run.status)) continue;
      const dest = await storeDirFor(home, run);
      const target = path.join(dest, "runs", run.runName);
      if (existsSync(target)) continue;
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.rename(flat.runDir(run.runName), target);
      movedTo.set(run.runName, dest);
    }
    for (const tag of await flat.listTags()) {
      const dest = movedTo.get(tag.runName) ?? (await storeOfMovedRun(home, tag));
      if (dest === undefined) continue;
      const target = path.join(dest, "tags", `${tag.tag}.json`);
      if (existsSync(target)) continue;
      await fsp.mkdir(path.dirname(target), { recursive: true });
      await fsp.rename(path.join(home, "tags", `${tag.tag}.json`), target);
      tagsMoved++;
    }
    for (const dir of ["runs", "tags"]) {
      await fsp.rmdir(path.join(home, dir)).catch(() => undefined);
    }
  } finally {
    await fsp.rm(lock, { recursive: true, force: true });
  }
  return { runs: movedTo.size, tags: tagsMoved };
}

/** The store folder of the repository a flat run's record names; `repo.json` written if new. */
async function storeDirFor(home: string, run: RunRecord): Promise<string> {
  const repo = repoIdentity(findRepoRoot(run.repoDir));
  const dir = path.join(reposDir(home), repoStoreName(repo));
  await writeRepoInfo(dir, repo);
  return dir;
}

/**
 * Where a tag of the flat store goes when its run was moved by an earlier call: the store that
 * holds the run now, unless the run is still in the flat store.
 */
async function storeOfMovedRun(home: string, tag: TagRecord): Promise<string | undefined> {
  if (existsSync(path.join(home, "runs", tag.runName))) return undefined;
  for (const { dir } of await listRepoStores(home)) {
    if (existsSync(path.join(dir, "runs", tag.runName))) return dir;
  }
  return undefined;
}
