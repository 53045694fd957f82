/**
 * The shapes every artifact store shares: runs, their artifacts, tags, and the store interface
 * ({@link ArtifactStore}) that the local store implements and the bridge talks to.
 *
 * @module
 */
import type { Job } from "@dstack/spec";

/**
 * A run's state, dstack's statuses: `submitted` (created, not started), `running` (the job
 * runs), `uploading` (the job ended, its artifacts are being saved), then one of `done` (exit
 * code 0), `failed` (non-zero exit, or it could not start) or `stopped` (stopped by a user or a
 * signal).
 */
export type RunStatus = "submitted" | "running" | "uploading" | "done" | "failed" | "stopped";

/** The statuses, in lifecycle order. */
export const RUN_STATUSES: readonly RunStatus[] = Object.freeze([
  "submitted",
  "running",
  "uploading",
  "done",
  "failed",
  "stopped",
]);

/**
 * The statuses of a run that is not final, whose job may still be running: `submitted`,
 * `running`, `uploading` (the others, `done`, `failed`, `stopped`, are final).
 */
export const ACTIVE_STATUSES: ReadonlySet<RunStatus> = new Set<RunStatus>([
  "submitted",
  "running",
  "uploading",
]);

/** One saved artifact of a run: a folder (or a single file) kept under its artifact path. */
export interface ArtifactEntry {
  /** The artifact path, POSIX and relative, e.g. `model` or `output/my_model`. */
  path: string;
  /** How many files it holds (regular files and symbolic links, at any depth). */
  files: number;
  /** The total size of its regular files, in bytes. */
  bytes: number;
}

/** One file of a run's artifacts, as {@link ArtifactStore.listArtifacts} lists it. */
export interface ArtifactFile {
  /** The file's path below the artifacts root, POSIX, e.g. `output/my_model/weights.bin`. */
  path: string;
  /** Its size in bytes (0 for a symbolic link). */
  bytes: number;
  /** For a symbolic link: its target, relative to the link's folder; always inside the artifact. */
  link?: string;
}

/** A run as the store keeps it (`runs/<run-name>/run.json` in the local store). */
export interface RunRecord {
  /** The run's name, e.g. `sharp-shrimp-1`; unique in its store. */
  runName: string;
  /**
   * The workflow's name; `null` for an inline `dstack run python FILE` job and for a run made by
   * the Python API's `artifacts.upload(..., tag=...)`.
   */
  workflow: string | null;
  /** See {@link RunStatus}. */
  status: RunStatus;
  /** When the run was created, ISO 8601 (`2024-05-01T12:00:00.000Z`). */
  submittedAt: string;
  /** When the job started, ISO 8601. */
  startedAt?: string;
  /** When the run reached `done`, `failed` or `stopped`, ISO 8601. */
  finishedAt?: string;
  /** The job's exit code, when it exited. */
  exitCode?: number;
  /** The signal that ended the job (`SIGTERM`, ...), when one did. */
  signal?: string;
  /** A one-line note for people: why it failed, who stopped it. */
  message?: string;
  /** The repository folder the job ran in (absolute). */
  repoDir: string;
  /**
   * The job that ran; `null` for a run made by `artifacts.upload(..., tag=...)`, which holds
   * uploaded files and ran nothing.
   */
  job: Job | null;
  /** The run whose job made this run (set for runs made by `artifacts.upload(..., tag=...)`). */
  parentRun?: string;
  /** The saved artifacts, sorted by path; no entry lies inside another. */
  artifacts: ArtifactEntry[];
  /** The id of the process that runs the job, while it runs (for `dstack stop`). */
  pid?: number;
  /**
   * The dstack process supervising the run (the same pid as {@link RunRecord.pid}) with its start
   * time, so that a later command can tell it from another process that got the same pid.
   */
  supervisor?: ProcessRef;
  /**
   * The process group of the job's current process (`before_run`, then the Python file): its
   * id is the leader's pid. A later command ends this group when the supervisor is gone.
   */
  jobGroup?: ProcessRef;
  /** Temporary folders of the run (the artifacts bridge's socket folder), removed at its end. */
  tempDirs?: string[];
  /** The machine the run was created on (`os.hostname()`). */
  hostname: string;
}

/**
 * A process as a run record names it: its id, and its start time where the system tells it
 * (Linux: field 22 of `/proc/<pid>/stat`, clock ticks since boot, as a string), so that a reused
 * pid is not taken for the process that had it before.
 */
export interface ProcessRef {
  /** The process id (for a process group, the group id: its leader's pid). */
  pid: number;
  /** The start time as the system reports it; absent where it cannot be read. */
  startTime?: string;
}

/** A tag as the store keeps it (`tags/<tag>.json` in the local store). */
export interface TagRecord {
  /** The tag, matching `TAG_PATTERN` from `@dstack/spec`. */
  tag: string;
  /** The run whose artifacts it points at. */
  runName: string;
  /** When the tag was set on this run, ISO 8601 (kept when the same run is tagged again). */
  createdAt: string;
}

/** Which run's artifacts: a run by name, or the run a tag points at. */
export type RunRef = { run: string } | { tag: string };

/** Options of {@link ArtifactStore.createRun}. */
export interface CreateRunOptions {
  /** The workflow's name, or `null` (see {@link RunRecord.workflow}). */
  workflow: string | null;
  /** The job, or `null` for a run that only holds uploaded files. */
  job: Job | null;
  /** The repository folder the job runs in; kept as an absolute path. */
  repoDir: string;
  /** The run whose job made this one; see {@link RunRecord.parentRun}. */
  parentRun?: string;
  /** Numbers in `[0, 1)` to pick the name's words (default `Math.random`); for tests. */
  random?: () => number;
  /** The dstack process that creates and supervises the run; see {@link RunRecord.supervisor}. */
  supervisor?: ProcessRef;
  /**
   * Claim exactly this name instead of a fresh one (the run name a workflow run was given, e.g.
   * by `dstack/run-python`'s `run-name` input). Must be a valid name (`isValidName`).
   */
  runName?: string;
}

/**
 * Fields to change with {@link ArtifactStore.updateRun}. The name cannot change; a key given
 * as `undefined` removes that field.
 */
export type RunPatch = Partial<Omit<RunRecord, "runName">>;

/** Options of {@link ArtifactStore.saveArtifacts}. */
export interface SaveArtifactsOptions {
  /** The repository folder the paths are relative to. */
  repoDir: string;
  /** Repository-relative folders or files (a job's `artifacts`). */
  paths: readonly string[];
}

/** The result of {@link ArtifactStore.saveArtifacts}. */
export interface SaveArtifactsResult {
  /** What was copied, one entry per saved path, in the order given. */
  saved: ArtifactEntry[];
  /** The paths (normalized) that did not exist and were skipped. */
  missing: string[];
  /**
   * Symbolic links that were left out because they point out of the repository, each as
   * `artifact/path/link -> target`; everything else was saved.
   */
  refused: string[];
}

/** Options of {@link ArtifactStore.addArtifact}. */
export interface AddArtifactOptions {
  /** The folder or file to copy, absolute. */
  localPath: string;
  /** Where it goes among the run's artifacts: POSIX, relative, not `.`. */
  artifactPath: string;
}

/** Options of {@link ArtifactStore.downloadArtifacts}. */
export interface DownloadArtifactsOptions {
  /**
   * The artifact path to download, e.g. `output/my_model`; `""` (the default) downloads all.
   * A folder's files land directly in `localPath`; a single file lands as `localPath/<its name>`.
   */
  artifactPath?: string;
  /** The folder to put the files in, absolute; created if missing, merged into if it exists. */
  localPath: string;
}

/** The result of {@link ArtifactStore.downloadArtifacts}. */
export interface DownloadArtifactsResult {
  /** The run the files came from (the tag's run for a tag). */
  runName: string;
  /** Files written (regular files and symbolic links). */
  files: number;
  /** Bytes written. */
  bytes: number;
  /** The folder they were written to (absolute). */
  localPath: string;
}

/**
 * What every artifact store offers (the local store now; a GitHub Actions store later). All
 * methods reject with a `StoreError` (`not-found`, `invalid` or `io`).
 */
export interface ArtifactStore {
  /** Creates a run with a fresh unique name, status `submitted`. */
  createRun(options: CreateRunOptions): Promise<RunRecord>;
  /** Changes a run's fields and returns the run as saved. */
  updateRun(runName: string, patch: RunPatch): Promise<RunRecord>;
  /** A run by name; `not-found` (with a did-you-mean) when there is none. */
  getRun(runName: string): Promise<RunRecord>;
  /** All runs, newest first. */
  listRuns(): Promise<RunRecord[]>;
  /** Copies repository folders into a run's artifacts at the end of its job. */
  saveArtifacts(runName: string, options: SaveArtifactsOptions): Promise<SaveArtifactsResult>;
  /** Copies one folder or file into a run's artifacts under a chosen path. */
  addArtifact(runName: string, options: AddArtifactOptions): Promise<ArtifactEntry>;
  /** The run a reference names. */
  resolveRef(ref: RunRef): Promise<RunRecord>;
  /** Every file of a run's artifacts, sorted by path. */
  listArtifacts(ref: RunRef): Promise<ArtifactFile[]>;
  /** Copies a run's artifacts (or a part) into a local folder. */
  downloadArtifacts(
    ref: RunRef,
    options: DownloadArtifactsOptions,
  ): Promise<DownloadArtifactsResult>;
  /** Points a tag at a run; returns the run it pointed at before, if another. */
  setTag(tag: string, runName: string): Promise<{ previous?: string }>;
  /** A tag; `not-found` (with a did-you-mean) when there is none. */
  getTag(tag: string): Promise<TagRecord>;
  /** All tags, sorted by name. */
  listTags(): Promise<TagRecord[]>;
  /** Removes a tag (the run and its artifacts stay) and returns what it was. */
  deleteTag(tag: string): Promise<TagRecord>;
  /** The newest `done` run of a workflow (by `finishedAt`), for `deps: - workflow: NAME`. */
  latestSuccessfulRun(workflow: string): Promise<RunRecord | undefined>;
}
