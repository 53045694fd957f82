/**
 * The local artifact store: runs, their logs and artifacts, and tags, in a folder under
 * `DSTACK_HOME` (default `~/.dstack`). Used by `dstack run` on this machine.
 *
 * Layout (every name checked before it becomes a path, so nothing leaves its folder):
 *
 * ```
 * $DSTACK_HOME/
 *   runs/<run-name>/run.json                     the RunRecord (JSON)
 *   runs/<run-name>/logs.txt                     the job's output (written by the executor)
 *   runs/<run-name>/artifacts/<artifact-path>/…  the saved artifacts (a folder, or one file)
 *   runs/<run-name>/.lock/                       held while run.json is rewritten
 *   active-runs/<run-name>                       an empty file for each run not final
 *   tags/<tag>.json                              a TagRecord: { tag, runName, createdAt }
 * ```
 *
 * `active-runs/` is an index, so that `dstack run` reconciles the runs that may still be active
 * ({@link LocalStore.listActiveRuns}) without reading every run.json: a run gets its entry before
 * its run.json is first written and loses it after its run.json says it is final (`done`,
 * `failed`, `stopped`). The folder is made once from every run.json, in a temporary folder
 * renamed into place, so when it exists it names every run not final; an entry left by a crash
 * between the two writes names a final run, and is removed by the next listing.
 *
 * Concurrency and crashes: a run name is claimed by `mkdir runs/<name>` (atomic; `EEXIST`
 * means taken), so concurrent runs never share a name. Every JSON file is written to a temporary
 * file in the same folder and then renamed over the old one; an artifact is copied to a
 * temporary sibling and then swapped in; a download is assembled in a temporary folder and then
 * renamed or merged into place. Temporary names start with `.` and end in a random suffix.
 * Read-modify-write of `run.json` holds `runs/<name>/.lock` (a `mkdir` lock, broken when older
 * than 30 s), so a job's uploads and a `dstack stop` from another process do not lose updates.
 *
 * Symbolic links in a job's artifacts (`saveArtifacts`), one policy: a link inside an artifact
 * folder that points inside that folder is copied as a link (its target rewritten relative, so the
 * copy is self-contained); one that points elsewhere in the repository is followed and what it
 * points at copied (as `actions/upload-artifact` does); one that leads out of the repository
 * (also the artifact path itself, or a folder above it) is left out and named in the result's
 * `refused`, the rest saved. `addArtifact` (uploads of a given folder) keeps links inside that
 * folder and refuses the folder when any link leads out of it, naming every such link.
 *
 * @module
 */
import { constants } from "node:fs";
import * as fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { allocateRunName, didYouMean } from "@dstack/spec";
import { errnoCode, ioError, StoreError } from "./errors.js";
import { settleLimited } from "./limit.js";
import { checkArtifactPath, checkName, isValidName } from "./names.js";
import {
  copyFollowing,
  copyTree,
  isInside,
  mergeInto,
  scanArtifact,
  scanTree,
  type TreeNode,
  tempName,
  treeStats,
} from "./tree.js";
import {
  ACTIVE_STATUSES,
  type AddArtifactOptions,
  type ArtifactEntry,
  type ArtifactFile,
  type ArtifactStore,
  type CreateRunOptions,
  type DownloadArtifactsOptions,
  type DownloadArtifactsResult,
  type RunPatch,
  type RunRecord,
  type RunRef,
  type SaveArtifactsOptions,
  type SaveArtifactsResult,
  type TagRecord,
} from "./types.js";

// The naming rules moved to ./names.ts; re-exported here for code that imports them from here.
export { checkArtifactPath, isValidName } from "./names.js";

/** How many run names a not-found message lists. */
const RECENT_RUNS_SHOWN = 5;
/** A run lock older than this is taken to be left by a crashed process and broken. */
const STALE_LOCK_MS = 30_000;
/** How long to wait for a run lock before giving up. */
const LOCK_TIMEOUT_MS = 15_000;

/** Options of the {@link LocalStore} constructor. */
export interface LocalStoreOptions {
  /** The store's folder (`DSTACK_HOME`); resolved to an absolute path. */
  home: string;
}

const byNewest = (a: RunRecord, b: RunRecord): number =>
  a.submittedAt !== b.submittedAt
    ? a.submittedAt < b.submittedAt
      ? 1
      : -1
    : b.runName.localeCompare(a.runName, "en", { numeric: true });

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Writes `text` to `file` atomically: a temporary file in the same folder, then `rename`. */
async function writeAtomic(file: string, text: string): Promise<void> {
  const tmp = path.join(path.dirname(file), tempName(path.basename(file), "tmp"));
  try {
    await fsp.writeFile(tmp, text, { flag: "wx" });
    await fsp.rename(tmp, file);
  } catch (e) {
    await removeQuietly(tmp);
    throw e;
  }
}

const json = (value: unknown) => `${JSON.stringify(value, null, 2)}\n`;

/**
 * The local store (see the module comment for its layout). Holds no state besides its folder:
 * any number of instances and processes may share one `DSTACK_HOME`.
 *
 * Every method rejects with a {@link StoreError}: `not-found`, `invalid` or `io`.
 */
export class LocalStore implements ArtifactStore {
  /** The store's folder, absolute. */
  readonly home: string;

  constructor(options: LocalStoreOptions) {
    this.home = path.resolve(options.home);
  }

  /**
   * The store folder for an environment: `DSTACK_HOME` when set and not empty (a leading `~/`
   * is expanded, a relative path is resolved against the current folder), else `~/.dstack`.
   */
  static home(env: NodeJS.ProcessEnv = process.env): string {
    const given = env.DSTACK_HOME;
    if (given === undefined || given === "") return path.join(os.homedir(), ".dstack");
    if (given === "~") return os.homedir();
    if (given.startsWith("~/")) return path.join(os.homedir(), given.slice(2));
    return path.resolve(given);
  }

  /** A store in {@link LocalStore.home}`(env)`. */
  static fromEnv(env: NodeJS.ProcessEnv = process.env): LocalStore {
    return new LocalStore({ home: LocalStore.home(env) });
  }

  private get runsDir(): string {
    return path.join(this.home, "runs");
  }

  private get tagsDir(): string {
    return path.join(this.home, "tags");
  }

  /** The index of runs not final (see the module comment). */
  private get activeDir(): string {
    return path.join(this.home, "active-runs");
  }

  private activeEntry(runName: string): string {
    return path.join(this.activeDir, checkName("run", runName));
  }

  /**
   * The run's folder, `runs/<run-name>` (absolute; it may not exist).
   *
   * @throws StoreError `invalid` for a name that is not a safe folder name.
   */
  runDir(runName: string): string {
    return path.join(this.runsDir, checkName("run", runName));
  }

  /** The run's log file, `runs/<run-name>/logs.txt` (absolute; the executor writes it). */
  logPath(runName: string): string {
    return path.join(this.runDir(runName), "logs.txt");
  }

  /** The run's artifacts folder, `runs/<run-name>/artifacts` (absolute). */
  artifactsDir(runName: string): string {
    return path.join(this.runDir(runName), "artifacts");
  }

  private runFile(runName: string): string {
    return path.join(this.runDir(runName), "run.json");
  }

  private tagFile(tag: string): string {
    return path.join(this.tagsDir, `${checkName("tag", tag)}.json`);
  }

  /** `mkdir -p dir`, failing with a one-line `io` error that names DSTACK_HOME. */
  private async ensureDir(dir: string): Promise<void> {
    try {
      await fsp.mkdir(dir, { recursive: true });
    } catch (e) {
      throw ioError(
        `cannot write to DSTACK_HOME ${this.home} (set DSTACK_HOME to a folder you can write)`,
        e,
      );
    }
  }

  /**
   * Creates a run named `adjective-animal-N`, claimed with `mkdir runs/<name>` (not recursive),
   * so concurrent callers never share a name. Status `submitted`, `submittedAt` now, no
   * artifacts.
   *
   * @throws StoreError `io` when DSTACK_HOME cannot be written (naming the folder and errno).
   */
  async createRun(options: CreateRunOptions): Promise<RunRecord> {
    const runs = this.runsDir;
    await this.ensureDir(runs);
    const claim = async (name: string) => {
      try {
        await fsp.mkdir(path.join(runs, name));
        return true;
      } catch (e) {
        if (errnoCode(e) === "EEXIST") return false;
        throw ioError(`cannot create a run in ${runs}`, e);
      }
    };
    let runName: string;
    if (options.runName !== undefined) {
      checkName("run", options.runName);
      if (!(await claim(options.runName))) {
        throw new StoreError("invalid", `run ${options.runName} exists already in ${runs}`);
      }
      runName = options.runName;
    } else {
      runName = await allocateRunName({ random: options.random, claim });
    }
    try {
      await this.indexActive(runName);
    } catch (e) {
      await removeQuietly(this.runDir(runName));
      throw ioError(`cannot write the index of active runs in ${this.home}`, e);
    }
    const record: RunRecord = {
      runName,
      workflow: options.workflow,
      status: "submitted",
      submittedAt: new Date().toISOString(),
      repoDir: path.resolve(options.repoDir),
      job: options.job,
      ...(options.parentRun !== undefined ? { parentRun: options.parentRun } : {}),
      artifacts: [],
      hostname: os.hostname(),
      ...(options.supervisor !== undefined
        ? { pid: options.supervisor.pid, supervisor: options.supervisor }
        : {}),
    };
    try {
      await writeAtomic(this.runFile(runName), json(record));
    } catch (e) {
      await removeQuietly(this.runDir(runName));
      await removeQuietly(this.activeEntry(runName));
      throw ioError(`cannot write run ${runName} in ${runs}`, e);
    }
    return record;
  }

  /**
   * Adds a run to the index of active runs, making the index first when there is none: every
   * run.json read, an entry for each run not final, in a temporary folder renamed into place (a
   * concurrent maker's folder, renamed first, is kept).
   */
  private async indexActive(runName: string): Promise<void> {
    if (!(await pathExists(this.activeDir))) {
      const temp = path.join(this.home, tempName("active-runs", "index"));
      try {
        await fsp.mkdir(temp);
        for (const run of await this.listRuns()) {
          if (ACTIVE_STATUSES.has(run.status)) {
            await fsp.writeFile(path.join(temp, run.runName), "");
          }
        }
        await fsp.rename(temp, this.activeDir);
      } catch (e) {
        const code = errnoCode(e);
        if (code !== "EEXIST" && code !== "ENOTEMPTY") throw e;
      } finally {
        await removeQuietly(temp);
      }
    }
    await fsp.writeFile(this.activeEntry(runName), "");
  }

  /** Reads run.json; `undefined` when the run does not exist (or is being created). */
  private async readRun(runName: string): Promise<RunRecord | undefined> {
    const file = this.runFile(runName);
    let text: string;
    try {
      text = await fsp.readFile(file, "utf8");
    } catch (e) {
      const code = errnoCode(e);
      if (code === "ENOENT" || code === "ENOTDIR") return undefined;
      throw ioError(`cannot read run ${runName}`, e);
    }
    try {
      return JSON.parse(text) as RunRecord;
    } catch (e) {
      throw new StoreError("io", `${file} is not valid JSON (${(e as Error).message})`, {
        cause: e,
      });
    }
  }

  /**
   * A run by name.
   *
   * @throws StoreError `not-found` naming the run, with a did-you-mean and a few recent runs.
   */
  async getRun(runName: string): Promise<RunRecord> {
    const record = isValidName(runName) ? await this.readRun(runName) : undefined;
    if (record === undefined) throw await this.runNotFound(runName);
    return record;
  }

  private async runNotFound(runName: string): Promise<StoreError> {
    const runs = await this.listRuns();
    if (runs.length === 0) {
      return new StoreError(
        "not-found",
        `no run ${JSON.stringify(runName)}: there are no runs in ${this.home} yet`,
      );
    }
    const names = runs.map((r) => r.runName);
    const guess = didYouMean(runName, names);
    const hint = guess !== undefined ? `; did you mean ${JSON.stringify(guess)}?` : "";
    const recent = names.slice(0, RECENT_RUNS_SHOWN).join(", ");
    const more = names.length > RECENT_RUNS_SHOWN ? `, … (${names.length} in all)` : "";
    return new StoreError(
      "not-found",
      `no run ${JSON.stringify(runName)}${hint} (recent runs: ${recent}${more})`,
    );
  }

  /** All runs, newest first (by `submittedAt`); folders without a readable run.json are skipped. */
  async listRuns(): Promise<RunRecord[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.runsDir);
    } catch (e) {
      if (errnoCode(e) === "ENOENT") return [];
      throw ioError(`cannot list runs in ${this.runsDir}`, e);
    }
    const records = await Promise.all(
      names.filter(isValidName).map((n) => this.readRun(n).catch(() => undefined)),
    );
    return records.filter((r): r is RunRecord => r !== undefined).sort(byNewest);
  }

  /**
   * The runs not final (`submitted`, `running`, `uploading`), newest first: those a dead dstack
   * process may have left marked active. Reads only the run.json of the runs the index
   * `active-runs/` names (every run.json while the store has no index yet); an entry naming a
   * final run, or a run whose folder is gone, is removed.
   *
   * @throws StoreError `io` when the index cannot be read.
   */
  async listActiveRuns(): Promise<RunRecord[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.activeDir);
    } catch (e) {
      if (errnoCode(e) !== "ENOENT") throw ioError(`cannot list runs in ${this.activeDir}`, e);
      return (await this.listRuns()).filter((r) => ACTIVE_STATUSES.has(r.status));
    }
    const records = await Promise.all(
      names.filter(isValidName).map(async (name) => {
        const run = await this.readRun(name).catch(() => undefined);
        if (run !== undefined && ACTIVE_STATUSES.has(run.status)) return run;
        // A run being created has its entry before its run.json: its folder exists.
        if (run !== undefined || !(await pathExists(this.runDir(name)))) {
          await removeQuietly(this.activeEntry(name));
        }
        return undefined;
      }),
    );
    return records.filter((r): r is RunRecord => r !== undefined).sort(byNewest);
  }

  /**
   * Removes a run, its log and its artifacts, for a command that failed after creating it (so no
   * run stays `submitted`). Tags pointing at it are left to say that their run is gone.
   *
   * @throws StoreError `invalid` for a name that is not a valid run name; `io`.
   */
  async deleteRun(runName: string): Promise<void> {
    try {
      await fsp.rm(this.runDir(runName), { recursive: true, force: true });
    } catch (e) {
      throw ioError(`cannot remove run ${runName}`, e);
    }
    await removeQuietly(this.activeEntry(runName));
  }

  /** Runs `fn` holding the run's lock (`runs/<name>/.lock`). */
  private async withRunLock<T>(runName: string, fn: () => Promise<T>): Promise<T> {
    const lock = path.join(this.runDir(runName), ".lock");
    const deadline = Date.now() + LOCK_TIMEOUT_MS;
    for (;;) {
      try {
        await fsp.mkdir(lock);
        break;
      } catch (e) {
        const code = errnoCode(e);
        if (code === "ENOENT") throw await this.runNotFound(runName);
        if (code !== "EEXIST") throw ioError(`cannot lock run ${runName}`, e);
      }
      const st = await fsp.stat(lock).catch(() => undefined);
      if (st !== undefined && Date.now() - st.mtimeMs > STALE_LOCK_MS) {
        await removeQuietly(lock);
        continue;
      }
      if (Date.now() > deadline) {
        throw new StoreError(
          "io",
          `run ${runName} is locked (${lock} exists); remove that folder if no dstack process is using the run`,
        );
      }
      await sleep(5 + Math.random() * 20);
    }
    try {
      return await fn();
    } finally {
      await removeQuietly(lock);
    }
  }

  /**
   * Changes a run's fields (`runName` cannot change; a key given as `undefined` removes the
   * field) and returns the run as saved. Safe against concurrent updates of the same run.
   *
   * @throws StoreError `not-found` for an unknown run; `io` when run.json cannot be written.
   */
  async updateRun(runName: string, patch: RunPatch): Promise<RunRecord> {
    await this.getRun(runName);
    return this.withRunLock(runName, async () => {
      const current = await this.getRun(runName);
      const next: RunRecord = { ...current, ...patch, runName: current.runName };
      await this.writeRun(next);
      return JSON.parse(json(next)) as RunRecord;
    });
  }

  /** Writes run.json; a run now final leaves the index of active runs, after the write. */
  private async writeRun(record: RunRecord): Promise<void> {
    try {
      await writeAtomic(this.runFile(record.runName), json(record));
    } catch (e) {
      throw ioError(`cannot write run ${record.runName}`, e);
    }
    if (!ACTIVE_STATUSES.has(record.status)) {
      await removeQuietly(this.activeEntry(record.runName));
    }
  }

  /**
   * Copies repository folders (or files) into the run's artifacts, each replacing an earlier
   * copy of the same path. Every path is checked and scanned before anything is copied; each
   * copy goes to a temporary sibling and is then swapped in.
   *
   * @param options.paths - repository-relative paths (a job's `artifacts`); a path that does not
   *   exist is skipped and reported in `missing`.
   * @returns what was copied (`files` and `bytes` of each path), what was missing, and the
   *   symbolic links left out because they lead out of the repository (see the module comment).
   * @throws StoreError `invalid` for a path that leaves the repository (`../x`, `/x`);
   *   `not-found` for an unknown run; `io`.
   */
  async saveArtifacts(
    runName: string,
    options: SaveArtifactsOptions,
  ): Promise<SaveArtifactsResult> {
    await this.getRun(runName);
    const repoDir = await realpathOrUndefined(options.repoDir);
    if (repoDir === undefined) {
      throw new StoreError("not-found", `repository folder ${options.repoDir} does not exist`);
    }
    const plans: { artifactPath: string; source: string; nodes: TreeNode[] }[] = [];
    const missing: string[] = [];
    const refused: string[] = [];
    for (const given of options.paths) {
      const artifactPath = checkArtifactPath(given);
      const source = await realpathOrUndefined(path.join(repoDir, artifactPath));
      if (source === undefined) {
        missing.push(artifactPath);
        continue;
      }
      if (!isInside(repoDir, source)) {
        // The path itself (or a folder above it) is a link out of the repository.
        refused.push(`${artifactPath} -> ${source}`);
        continue;
      }
      const scan = await scanArtifact(source, artifactPath, repoDir);
      refused.push(...scan.refused);
      plans.push({ artifactPath, source, nodes: scan.nodes });
    }
    const saved: ArtifactEntry[] = [];
    for (const plan of plans) saved.push(await this.storeCopy(runName, plan));
    return { saved, missing, refused };
  }

  /**
   * Copies one folder or file into the run's artifacts under `artifactPath` (the Python API's
   * `upload`), replacing an earlier copy of that path.
   *
   * @returns the entry for what was copied.
   * @throws StoreError `not-found` when `localPath` or the run does not exist; `invalid` for a
   *   relative `localPath`, an artifact path that leaves its folder, or an outward link; `io`.
   */
  async addArtifact(runName: string, options: AddArtifactOptions): Promise<ArtifactEntry> {
    if (!path.isAbsolute(options.localPath)) {
      throw new StoreError(
        "invalid",
        `local path ${JSON.stringify(options.localPath)} must be absolute`,
      );
    }
    const artifactPath = checkArtifactPath(options.artifactPath);
    await this.getRun(runName);
    const source = await realpathOrUndefined(options.localPath);
    if (source === undefined) {
      throw new StoreError("not-found", `${options.localPath} does not exist`);
    }
    const nodes = await scanTree(source, artifactPath);
    return this.storeCopy(runName, { artifactPath, source, nodes });
  }

  /** Checks that the folders above `artifactPath` in the store are folders (or absent). */
  private async checkParents(root: string, artifactPath: string): Promise<void> {
    const parts = artifactPath.split("/");
    for (let i = 1; i < parts.length; i++) {
      const above = parts.slice(0, i).join("/");
      const st = await fsp.lstat(path.join(root, above)).catch(() => undefined);
      if (st === undefined) return;
      if (!st.isDirectory()) {
        throw new StoreError(
          "invalid",
          `artifact path ${JSON.stringify(artifactPath)} lies inside ${JSON.stringify(above)}, which is ${st.isSymbolicLink() ? "a symbolic link" : "a file"} in this run's artifacts`,
        );
      }
    }
  }

  /** Copies a scanned source into the run's artifacts and records the entry. */
  private async storeCopy(
    runName: string,
    plan: { artifactPath: string; source: string; nodes: TreeNode[] },
  ): Promise<ArtifactEntry> {
    const { artifactPath, source, nodes } = plan;
    const root = this.artifactsDir(runName);
    const dest = path.join(root, artifactPath);
    const parent = path.dirname(dest);
    const tmp = path.join(parent, tempName(path.basename(dest), "tmp"));
    const entry: ArtifactEntry = { path: artifactPath, ...treeStats(nodes) };
    let old: string | undefined;
    try {
      await this.checkParents(root, artifactPath);
      await fsp.mkdir(parent, { recursive: true });
      await copyTree(source, nodes, tmp);
      await this.withRunLock(runName, async () => {
        await this.checkParents(root, artifactPath);
        old = path.join(parent, tempName(path.basename(dest), "old"));
        try {
          await fsp.rename(dest, old);
        } catch (e) {
          if (errnoCode(e) !== "ENOENT") throw e;
          old = undefined;
        }
        try {
          await fsp.rename(tmp, dest);
        } catch (e) {
          if (old !== undefined) await fsp.rename(old, dest);
          old = undefined;
          throw e;
        }
        const run = await this.getRun(runName);
        run.artifacts = await this.mergeEntries(root, run.artifacts, entry);
        await this.writeRun(run);
      });
      return entry;
    } catch (e) {
      throw ioError(`cannot save ${artifactPath} in run ${runName}`, e);
    } finally {
      await removeQuietly(tmp);
      if (old !== undefined) await removeQuietly(old);
    }
  }

  /**
   * The run's entries after saving `entry`: entries at or below its path are gone (replaced);
   * when an entry holds it, that entry's counts are taken again instead of adding a new one.
   */
  private async mergeEntries(
    root: string,
    entries: readonly ArtifactEntry[],
    entry: ArtifactEntry,
  ): Promise<ArtifactEntry[]> {
    const kept = entries.filter(
      (e) => e.path !== entry.path && !e.path.startsWith(`${entry.path}/`),
    );
    const holder = kept.find((e) => entry.path.startsWith(`${e.path}/`));
    if (holder === undefined) {
      kept.push(entry);
    } else {
      const nodes = await scanTree(path.join(root, holder.path), holder.path);
      Object.assign(holder, treeStats(nodes));
    }
    return kept.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  }

  /**
   * The run a reference names: `{ run }` by name, `{ tag }` through the tag.
   *
   * @throws StoreError `not-found` for an unknown run or tag (with a did-you-mean), or a tag
   *   whose run was removed.
   */
  async resolveRef(ref: RunRef): Promise<RunRecord> {
    if ("run" in ref) return this.getRun(ref.run);
    const tag = await this.getTag(ref.tag);
    try {
      return await this.getRun(tag.runName);
    } catch (e) {
      if (e instanceof StoreError && e.code === "not-found") {
        throw new StoreError(
          "not-found",
          `tag ${JSON.stringify(ref.tag)} points at run ${JSON.stringify(tag.runName)}, which no longer exists; tag another run`,
        );
      }
      throw e;
    }
  }

  /** Every node of a run's artifacts with paths below the artifacts root, sorted by path. */
  private async scanRun(run: RunRecord): Promise<TreeNode[]> {
    const root = this.artifactsDir(run.runName);
    const out: TreeNode[] = [];
    for (const entry of run.artifacts) {
      const abs = path.join(root, entry.path);
      if ((await fsp.lstat(abs).catch(() => undefined)) === undefined) continue;
      for (const node of await scanTree(abs, entry.path)) {
        out.push({ ...node, rel: node.rel === "" ? entry.path : `${entry.path}/${node.rel}` });
      }
    }
    return out.sort((a, b) => (a.rel < b.rel ? -1 : a.rel > b.rel ? 1 : 0));
  }

  /**
   * Every file of a run's artifacts (regular files and symbolic links; sizes in bytes), sorted
   * by path.
   *
   * @throws StoreError `not-found` for an unknown run or tag.
   */
  async listArtifacts(ref: RunRef): Promise<ArtifactFile[]> {
    const run = await this.resolveRef(ref);
    return (await this.scanRun(run))
      .filter((n) => n.kind !== "dir")
      .map((n) =>
        n.kind === "link"
          ? { path: n.rel, bytes: 0, link: n.target ?? "." }
          : { path: n.rel, bytes: n.bytes },
      );
  }

  /**
   * Copies a run's artifacts, or the part below `artifactPath`, into `localPath`, keeping the
   * layout below `artifactPath` (dstack's semantics: `artifactPath: "output/my_model"`,
   * `localPath: "/w/my_model"` puts the files of `output/my_model` in `/w/my_model`). The files
   * are copied into a temporary folder first (inside `localPath` when it exists, else beside
   * it), then renamed into place, so no half-written file is ever left; an existing
   * `localPath` is merged into, its other files kept.
   *
   * @throws StoreError `not-found` for an unknown run, tag or artifact path (listing the
   *   artifact paths the run has); `invalid` for an artifact path that leaves its folder, a
   *   relative `localPath`, or a `localPath` that is a file; `io`.
   */
  async downloadArtifacts(
    ref: RunRef,
    options: DownloadArtifactsOptions,
  ): Promise<DownloadArtifactsResult> {
    const artifactPath = checkArtifactPath(options.artifactPath ?? "", { allowAll: true });
    const localPath = options.localPath;
    if (!path.isAbsolute(localPath)) {
      throw new StoreError("invalid", `local path ${JSON.stringify(localPath)} must be absolute`);
    }
    const run = await this.resolveRef(ref);
    const root = this.artifactsDir(run.runName);
    const all = await this.scanRun(run);
    const prefix = `${artifactPath}/`;
    const selected =
      artifactPath === ""
        ? all
        : all.filter((n) => n.rel === artifactPath || n.rel.startsWith(prefix));
    if (artifactPath !== "" && selected.length === 0) {
      const have = run.artifacts.map((e) => e.path);
      throw new StoreError(
        "not-found",
        `run ${run.runName} has no artifact ${JSON.stringify(artifactPath)}; ${have.length > 0 ? `its artifact paths are: ${have.join(", ")}` : "it has no artifacts"}`,
      );
    }
    const outRel = (n: TreeNode): string => {
      if (artifactPath === "") return n.rel;
      if (n.rel === artifactPath) return n.kind === "dir" ? "" : path.posix.basename(n.rel);
      return n.rel.slice(prefix.length);
    };

    const existing = await fsp.stat(localPath).catch((e) => {
      if (errnoCode(e) === "ENOENT") return undefined;
      throw ioError(`cannot download into ${localPath}`, e);
    });
    if (existing !== undefined && !existing.isDirectory()) {
      throw new StoreError(
        "invalid",
        `local path ${localPath} is a file; give a folder (it is created if missing)`,
      );
    }
    const stageParent = existing !== undefined ? localPath : path.dirname(localPath);
    const stage = path.join(stageParent, tempName(path.basename(localPath), "download"));
    let files = 0;
    let bytes = 0;
    try {
      await fsp.mkdir(stageParent, { recursive: true });
      await fsp.mkdir(stage);
      const realRoot = await fsp.realpath(root).catch(() => root);
      for (const n of selected) {
        if (n.kind === "dir") await fsp.mkdir(path.join(stage, outRel(n)), { recursive: true });
      }
      const copies = selected.filter((n) => n.kind === "file");
      await settleLimited(copies, 16, async (n) => {
        const dest = path.join(stage, outRel(n));
        await fsp.mkdir(path.dirname(dest), { recursive: true });
        await fsp.copyFile(path.join(root, n.rel), dest, constants.COPYFILE_FICLONE);
      });
      for (const n of copies) {
        files++;
        bytes += n.bytes;
      }
      for (const n of selected) {
        if (n.kind !== "link") continue;
        const dest = path.join(stage, outRel(n));
        const pointsAt = path.posix.join(path.posix.dirname(n.rel), n.target ?? ".");
        const staysInside =
          artifactPath === "" || pointsAt === artifactPath || pointsAt.startsWith(prefix);
        if (staysInside && n.rel !== artifactPath) {
          await fsp.mkdir(path.dirname(dest), { recursive: true });
          await fsp.symlink(n.target ?? ".", dest);
          files++;
        } else {
          const r = await copyFollowing(path.join(root, n.rel), dest, realRoot, n.rel);
          files += r.files;
          bytes += r.bytes;
        }
      }
      if (existing === undefined) {
        try {
          await fsp.rename(stage, localPath);
          return { runName: run.runName, files, bytes, localPath };
        } catch (e) {
          const code = errnoCode(e);
          if (code !== "EEXIST" && code !== "ENOTEMPTY") throw e;
          // Someone made the folder meanwhile: merge into it.
        }
      }
      await mergeInto(stage, localPath);
      return { runName: run.runName, files, bytes, localPath };
    } catch (e) {
      throw ioError(`cannot download ${artifactPath || "artifacts"} into ${localPath}`, e);
    } finally {
      await removeQuietly(stage);
    }
  }

  /**
   * Points `tag` at `runName`, moving it if it pointed at another run.
   *
   * @returns `{ previous }`, the run it pointed at before, when that was another run.
   * @throws StoreError `invalid` for a tag outside `TAG_PATTERN`; `not-found` for an unknown
   *   run; `io`.
   */
  async setTag(tag: string, runName: string): Promise<{ previous?: string }> {
    const file = this.tagFile(tag);
    await this.getRun(runName);
    await this.ensureDir(this.tagsDir);
    const before = await this.readTag(tag);
    const record: TagRecord = {
      tag,
      runName,
      createdAt:
        before !== undefined && before.runName === runName
          ? before.createdAt
          : new Date().toISOString(),
    };
    try {
      await writeAtomic(file, json(record));
    } catch (e) {
      throw ioError(`cannot write tag ${tag} in ${this.tagsDir}`, e);
    }
    return before !== undefined && before.runName !== runName ? { previous: before.runName } : {};
  }

  private async readTag(tag: string): Promise<TagRecord | undefined> {
    const file = this.tagFile(tag);
    let text: string;
    try {
      text = await fsp.readFile(file, "utf8");
    } catch (e) {
      if (errnoCode(e) === "ENOENT" || errnoCode(e) === "ENOTDIR") return undefined;
      throw ioError(`cannot read tag ${tag}`, e);
    }
    try {
      return JSON.parse(text) as TagRecord;
    } catch (e) {
      throw new StoreError("io", `${file} is not valid JSON (${(e as Error).message})`, {
        cause: e,
      });
    }
  }

  /**
   * A tag.
   *
   * @throws StoreError `not-found` naming the tag, with a did-you-mean and the tags there are.
   */
  async getTag(tag: string): Promise<TagRecord> {
    const record = isValidName(tag) ? await this.readTag(tag) : undefined;
    if (record !== undefined) return record;
    const tags = (await this.listTags()).map((t) => t.tag);
    if (tags.length === 0) {
      throw new StoreError(
        "not-found",
        `no tag ${JSON.stringify(tag)}: there are no tags in ${this.home} yet`,
      );
    }
    const guess = didYouMean(tag, tags);
    const hint = guess !== undefined ? `; did you mean ${JSON.stringify(guess)}?` : "";
    const shown = tags.slice(0, 10).join(", ") + (tags.length > 10 ? ", …" : "");
    throw new StoreError("not-found", `no tag ${JSON.stringify(tag)}${hint} (tags: ${shown})`);
  }

  /** All tags, sorted by name; unreadable tag files are skipped. */
  async listTags(): Promise<TagRecord[]> {
    let names: string[];
    try {
      names = await fsp.readdir(this.tagsDir);
    } catch (e) {
      if (errnoCode(e) === "ENOENT") return [];
      throw ioError(`cannot list tags in ${this.tagsDir}`, e);
    }
    const tags = names
      .filter((n) => n.endsWith(".json"))
      .map((n) => n.slice(0, -".json".length))
      .filter(isValidName);
    const records = await Promise.all(tags.map((t) => this.readTag(t).catch(() => undefined)));
    return records
      .filter((r): r is TagRecord => r !== undefined)
      .sort((a, b) => (a.tag < b.tag ? -1 : a.tag > b.tag ? 1 : 0));
  }

  /**
   * Removes a tag; the run and its artifacts stay.
   *
   * @returns the removed tag.
   * @throws StoreError `not-found` (with a did-you-mean) for an unknown tag; `io`.
   */
  async deleteTag(tag: string): Promise<TagRecord> {
    const record = await this.getTag(tag);
    try {
      await fsp.rm(this.tagFile(tag), { force: true });
    } catch (e) {
      throw ioError(`cannot remove tag ${tag}`, e);
    }
    return record;
  }

  /**
   * The workflow's newest run with status `done` (by `finishedAt`, then `submittedAt`), for
   * `deps: - workflow: NAME`; `undefined` when it has none.
   */
  async latestSuccessfulRun(workflow: string): Promise<RunRecord | undefined> {
    const done = (await this.listRuns()).filter(
      (r) => r.status === "done" && r.workflow === workflow,
    );
    const when = (r: RunRecord) => r.finishedAt ?? r.submittedAt;
    let best: RunRecord | undefined;
    for (const r of done) if (best === undefined || when(r) > when(best)) best = r;
    return best;
  }
}

/** `rm -rf p`, ignoring failures (used for temporary files on the way out). */
async function removeQuietly(p: string): Promise<void> {
  await fsp.rm(p, { recursive: true, force: true }).catch(() => undefined);
}

/** Whether `p` exists (any kind of file). */
async function pathExists(p: string): Promise<boolean> {
  try {
    await fsp.lstat(p);
    return true;
  } catch {
    return false;
  }
}

/** `realpath`, or `undefined` when the path (or a link on it) does not lead anywhere. */
async function realpathOrUndefined(p: string): Promise<string | undefined> {
  try {
    return await fsp.realpath(p);
  } catch (e) {
    const code = errnoCode(e);
    if (code === "ENOENT" || code === "ENOTDIR") return undefined;
    throw ioError(`cannot read ${p}`, e);
  }
}
