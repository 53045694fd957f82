/**
 * The GitHub store: a dstack run's artifacts kept as GitHub Actions artifacts through the
 * unmodified `@actions/artifact` client, and found again, from any later workflow run, through
 * the REST API (the client of `@dstack/github`, with its retries and rate limits).
 *
 * Naming (every name is a valid GitHub artifact name, unique per workflow run):
 *
 * ```
 * dstack--<run-name>--<path-slug>   the files of one artifact path of a run (a zip)
 * dstack-file--<run-name>--<path-slug>  one large file of a run, as it is (no zip; see
 *                                  `github-files.ts`), its slug that of the file's own path
 * dstack-tar--<run-name>--<path-slug>.tar.gz  the files of one artifact path of a run as one
 *                                  tar (`.tar` when not compressed; see `archive.ts`)
 * dstack-run--<run-name>            a run marker: finds the workflow run that holds a run
 * dstack-tag--<tag>                 a tag: `dstack-tag.json` = { version: 1, tag, runName }
 * ```
 *
 * - `<run-name>` and `<tag>` match `TAG_PATTERN` from `@dstack/spec` (letters, digits, `.`,
 *   `_`, `-`); a run name may not hold `--`, so `dstack--<run-name>--` is an unambiguous prefix.
 * - `<path-slug>` is the artifact path with `%` -> `%25`, `~` -> `%7E` and `/` -> `~`
 *   (`output/my_model` -> `output~my_model`); reversible. A path holding a character GitHub
 *   forbids in artifact names (`" : < > | * ? \ CR LF`) is refused with a `StoreError` `invalid`.
 * - A folder uploads as the artifact path's content; a single file uploads as the artifact path
 *   being a folder that holds that file under its own name.
 *
 * Many files go as one archive: an artifact path with at least
 * {@link GitHubStoreOptions.archiveMinFiles} (100) files to zip is packed here into one tar
 * (gzipped at the zip's level; a plain tar at level 0) and uploaded as that single file without
 * the client's zip (`skipArchive`), then downloaded raw (`skipDecompress`) and unpacked here,
 * streaming. The client zips and unzips entry by entry with a large fixed cost per entry, which
 * for thousands of small files is most of the transfer. Fewer files keep the zip: it costs
 * little then, and people who download the artifact from the web page or with
 * `actions/download-artifact` get the files themselves rather than one `.tar.gz`. Unpacking
 * checks every entry (`archive.ts`: no path that leaves the folder, no links, the files its
 * manifest lists), and the zips written before archives existed still download as zips; the
 * kind is told by the name's prefix.
 *
 * Finding things later (the REST filter `?name=` is exact, so nothing is listed by prefix
 * across the repository): a tag is the newest unexpired artifact named `dstack-tag--<tag>` from
 * a trusted workflow run (by `created_at`, then id; see `trust.ts`: this repository's own code,
 * of the runner workflow or a trusted workflow, or of a default-branch push, schedule or
 * dispatch; skipped candidates are named in one warning); its JSON names the run, and the run's
 * artifacts are listed from that workflow run (`GET /repos/{o}/{r}/actions/runs/{id}/artifacts`,
 * prefix `dstack--<run-name>--`). A run by name is found the same way through
 * `dstack-run--<run-name>`. Tagging again (in a later workflow run) uploads a newer tag artifact:
 * the newest wins. A store of a run of pull-request code ({@link GitHubStoreOptions.pullRequest})
 * writes its tags as `pr-<n>.<tag>`, so it never moves a shared tag.
 *
 * Downloads go through the client's `downloadArtifact(id, { findBy, expectedHash })` (the
 * public REST route, which works for the current workflow run and for others) into a temporary
 * folder beside the target; every digest is checked against the `sha256:<hex>` the REST API
 * lists, and only when all artifacts arrived intact are the files moved into the target. On any
 * failure nothing is left in the target folder.
 *
 * Environment: the client reads `ACTIONS_RUNTIME_TOKEN` and `ACTIONS_RESULTS_URL` (uploads) and
 * `GITHUB_API_URL` (downloads; read once, when `@actions/artifact` is first loaded) from
 * `process.env`, as on a runner. The store's REST calls go to {@link GitHubStoreOptions.apiUrl};
 * a download refuses when the two differ.
 *
 * @module
 */
import { createHash } from "node:crypto";
import * as fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { DEFAULT_API_URL } from "@dstack/github/hosts";
import pRetry from "p-retry";
import { ARCHIVE_MANIFEST, packArchive, unpackArchive } from "./archive.js";
import {
  type BaseRunFound,
  type FindBaseRunOptions,
  findBaseRun,
  markerMetrics,
  type RunMarkerFields,
} from "./base-run.js";
import { withUploadTap } from "./client-output.js";
import { chooseCompressionLevel } from "./compression.js";
import { ioError, StoreError } from "./errors.js";
import {
  DEFAULT_LARGE_FILE_BYTES,
  FILE_ARTIFACT_PREFIX,
  moveSingleFile,
  settleLimited,
  transferConcurrency,
  watchBytes,
  withStagedName,
} from "./github-files.js";
import { apiUrlForServer, checkArtifactsService } from "./github-host.js";
import {
  ArtifactsRest,
  GitHubStoreError,
  newestArtifactFirst,
  type RestArtifact,
} from "./github-rest.js";
import {
  ARCHIVE_SUFFIXES,
  archiveArtifactName,
  checkArtifactPath,
  checkPullRequest,
  checkArtifactRunName as checkRunName,
  checkArtifactTag as checkTag,
  dataArtifactName,
  encodeArtifactPath,
  isValidName,
  parseRunArtifactName,
  pullRequestOfTag,
  pullRequestTag,
  RUN_FILE,
  runArtifactName,
  TAG_ARTIFACT_PREFIX,
  TAG_FILE,
  tagArtifactName,
} from "./names.js";
import { progressLines, TransferMeter, type TransferProgressListener } from "./progress.js";
import { mergeInto, scanTree, tempName, treeStats } from "./tree.js";
import { describeSkipped, type SkippedArtifact, TrustedSources } from "./trust.js";
import type { DownloadArtifactsResult, RunRef } from "./types.js";
import { UploadBlocks } from "./upload-blocks.js";

type ArtifactModule = typeof import("@actions/artifact");

export {
  type BaseRunFound,
  type FindBaseRunOptions,
  isBaseMarker,
  MARKER_METRICS_MAX,
  markerMetrics,
  type RunMarkerFields,
} from "./base-run.js";
export {
  type ChooseCompressionOptions,
  type CompressionChoice,
  chooseCompressionLevel,
} from "./compression.js";
export { DEFAULT_LARGE_FILE_BYTES, FILE_ARTIFACT_PREFIX } from "./github-files.js";
export { GitHubStoreError, type GitHubStoreErrorReason } from "./github-rest.js";
export {
  ARCHIVE_ARTIFACT_PREFIX,
  archiveArtifactName,
  DATA_ARTIFACT_PREFIX,
  dataArtifactName,
  decodeArtifactPath,
  encodeArtifactPath,
  parseRunArtifactName,
  pullRequestOfTag,
  pullRequestTag,
  RUN_ARTIFACT_PREFIX,
  RUN_FILE,
  runArtifactName,
  TAG_ARTIFACT_PREFIX,
  TAG_FILE,
  tagArtifactName,
} from "./names.js";
export {
  finalLine,
  type ProgressLinesOptions,
  progressLine,
  progressLines,
  type TransferProgressEvent,
  type TransferProgressListener,
} from "./progress.js";
export {
  DEFAULT_RUNNER_WORKFLOW,
  type SkippedArtifact,
  type SkipReason,
} from "./trust.js";

const PAGE_SIZE = 100;
/** The fewest files to zip that go as one archive instead (`archive.ts`); see the module comment. */
export const DEFAULT_ARCHIVE_MIN_FILES = 100;
const DAY_MS = 86_400_000;

/** Options of the {@link GitHubStore} constructor. */
export interface GitHubStoreOptions {
  /** A token that can read Actions artifacts of the repository (`actions: read`). */
  token: string;
  /** The repository as `owner/name`. */
  repository: string;
  /** The REST API root (default `GITHUB_API_URL`, else `https://api.github.com`). */
  apiUrl?: string;
  /** Retries of a failed REST call (5xx, network errors, rate limits); default 3. */
  retries?: number;
  /** The base of the retry back-off in milliseconds (waits base x 1, 4, 9, ...); default 1000. */
  retryBaseMs?: number;
  /**
   * The least time between two REST writes (deleting tag artifacts), in milliseconds: the
   * `writeSpacingMs` of `@dstack/github`'s client. Default the client's, a second, as GitHub
   * asks; tests against a local fake pass 0.
   */
  writeSpacingMs?: number;
  /** REST page size for listings, 1 to 100; default 100. */
  pageSize?: number;
  /**
   * What a message about a refused token (401) tells to check, in the caller's words; default
   * `check github-token` (the actions' input).
   */
  tokenHint?: string;
  /** The clock, for tests (default `Date.now`); decides what counts as expired. */
  now?: () => number;
  /**
   * The repository's numeric id (`GITHUB_REPOSITORY_ID` on a runner): artifacts of runs whose
   * code comes from another repository (a fork) never count. Default: `GET /repos/{o}/{r}`.
   */
  repositoryId?: number;
  /** The default branch; default: `GET /repos/{o}/{r}`, asked only when a candidate needs it. */
  defaultBranch?: string;
  /**
   * The runner workflow's file name in `.github/workflows/` (run-python's `runner-workflow`
   * input); its runs are trusted sources. Default `dstack-run.yml`.
   */
  runnerWorkflow?: string;
  /** More trusted workflow file names (the policy's `artifacts.trusted_workflows`). */
  trustedWorkflows?: readonly string[];
  /**
   * The pull request whose code this run runs (the runner workflow's `pull-request` input of an
   * `untrusted` run). Every tag this store writes goes into that pull request's namespace: tag
   * `best` is written as `pr-<n>.best` (artifact `dstack-tag--pr-<n>.best`), so a pull request
   * never moves a tag that default-branch runs read; reading `best` still finds the shared tag,
   * and `pr-<n>.best` finds only what runs of pull request n wrote. Leave it unset when the
   * policy says `artifacts.pull_requests_write_shared_tags: true`.
   */
  pullRequest?: number;
  /**
   * Where the one warning per lookup that skipped untrusted candidates goes (in an action,
   * `core.warning`). Default `process.emitWarning`.
   */
  warn?: (message: string) => void;
  /**
   * Retries of a tag upload that GitHub refuses with 409 right after the same workflow run
   * deleted its older tag artifact (the name is freed a moment later); default 4, waits
   * `retagRetryMs` x 1, 2, 4, ... Bounded: after them the 409 is the error.
   */
  retagRetries?: number;
  /** The first wait of {@link GitHubStoreOptions.retagRetries} in milliseconds; default 500. */
  retagRetryMs?: number;
  /**
   * Files of at least this many bytes that would not shrink in a zip (compression level 0, given
   * or chosen by `"auto"` for that file) are uploaded each as its own artifact, without a zip
   * and in parallel (`github-files.ts`); default 8 MiB ({@link DEFAULT_LARGE_FILE_BYTES}).
   * `Infinity` zips everything.
   */
  largeFileBytes?: number;
  /**
   * An artifact path with at least this many files to zip goes up as one tar of them
   * (`dstack-tar--...`, see the module comment) instead of the client's zip; default 100
   * ({@link DEFAULT_ARCHIVE_MIN_FILES}). `Infinity` always zips.
   */
  archiveMinFiles?: number;
  /**
   * Transfers at once for single-file artifacts (and downloads); default one per core, 2 to 4
   * (`transferConcurrency`).
   */
  concurrency?: number;
  /**
   * 8 MiB blocks each upload of the client stages at once, an integer of at least 1; most of an
   * upload's memory is these blocks. The client reads it from `ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY`
   * at every upload (its default 5), so the store sets that variable while its uploads run and
   * restores it afterwards (`upload-blocks.ts`). Default: the variable when the environment sets
   * it, else 1 (measured on 2 cores: 60 to 90 MiB less peak memory than 5 blocks for uploads
   * about 5 to 10% slower, since {@link GitHubStoreOptions.concurrency} files go up at once).
   */
  uploadBlocks?: number;
  /**
   * Where plain progress lines of uploads and downloads go, e.g. `core.info` in an action:
   * bytes, percent, artifacts and MiB/s at most every 10 s or 10 %, and a last line with the
   * total bytes, seconds and MiB/s (`progressLines`); default none.
   */
  log?: (line: string) => void;
  /**
   * Called with the progress of every {@link GitHubStore.upload} and
   * {@link GitHubStore.downloadArtifacts} (bytes moved and in all, artifacts done and in all,
   * milliseconds since it began; see `TransferProgressEvent`), e.g. to draw a bar on a terminal.
   * Uploads report after every 8 MiB block a large file's upload stages; downloads of large files
   * about every 500 ms; a zip when it is done. Default none.
   */
  onProgress?: TransferProgressListener;
  /**
   * What the run marker (`dstack-run.json`) this store writes records besides the run name: the
   * dstack workflow, whether the code is untrusted, the pull request (see `base-run.ts`; the
   * base-run lookup uses only markers with `workflow` and `untrusted: false`). Mode run sets it.
   */
  runMarker?: RunMarkerFields;
}

/** Most bytes of a run marker artifact {@link GitHubStore.recordedMetrics} downloads. */
export const RUN_MARKER_MAX_BYTES = 64 * 1024;

/** Options of {@link GitHubStore.upload}. */
export interface GitHubUploadOptions {
  /** The dstack run the files belong to (a valid run name without `--`). */
  runName: string;
  /** The folder or single file to upload (absolute, or relative to the current folder). */
  localPath: string;
  /** Where it goes among the run's artifacts: POSIX, relative, not `.` (e.g. `model`). */
  artifactPath: string;
  /**
   * A tag to point at the run (its newest tagging by a trusted workflow run wins; in a pull
   * request's store it is written as `pr-<n>.<tag>`, see {@link GitHubStoreOptions.pullRequest}).
   */
  tag?: string;
  /** Days GitHub keeps the artifacts (1 to the repository's limit); the repository default if unset. */
  retentionDays?: number;
  /**
   * Zip deflate level: an integer 0 (store; best for incompressible checkpoints) to 9, or
   * `"auto"` (the default): 0 when a deflated sample of the largest files shrinks by less than
   * 10%, else upload-artifact's default 6 (see {@link chooseCompressionLevel}).
   */
  compressionLevel?: number | "auto";
  /**
   * Upload files and folders whose name starts with `.` below `localPath` (default `false`, as
   * in actions/upload-artifact since v4.4: hidden files often hold credentials, e.g. `.env` or
   * `.git/config`). A `localPath` that is itself hidden is uploaded: it was named explicitly.
   */
  includeHiddenFiles?: boolean;
}

/** One uploaded artifact: its GitHub name, id, and the bare-hex SHA-256 of its zip. */
export interface UploadedArtifact {
  /** The GitHub artifact name, e.g. `dstack--sharp-shrimp-1--model`. */
  name: string;
  /** The artifact id GitHub assigned. */
  id: number;
  /** SHA-256 of the stored zip, bare lower-case hex (as the client returns it). */
  digest: string;
  /** The zip's size in bytes. */
  size: number;
}

/** The result of {@link GitHubStore.upload}. */
export interface GitHubUploadResult extends UploadedArtifact {
  /** The run. */
  runName: string;
  /** The normalized artifact path. */
  artifactPath: string;
  /** Files uploaded and their total size in bytes. */
  files: number;
  /** Bytes of the files (before zipping). */
  bytes: number;
  /** The tag artifact, when a tag was given. */
  tag?: UploadedArtifact;
  /** The zip level the files were uploaded with (0 to 9), as given or chosen by `"auto"`. */
  compressionLevel: number;
  /** Why that level: `"given"`, or the `"auto"` policy's measurement. */
  compressionReason: string;
  /** Hidden files and folders left out: the first hidden part of each path below `localPath`. */
  skippedHidden: string[];
  /**
   * The large files uploaded each as its own artifact without a zip (`dstack-file--...`), with
   * the artifact path of each file. When every file went this way there is no zip, and the
   * result's own name, id, digest and size are those of the first of them.
   */
  fileArtifacts: (UploadedArtifact & { artifactPath: string })[];
}

/** Where a run's artifacts live, from {@link GitHubStore.resolveTag} or {@link GitHubStore.resolveRun}. */
export interface ResolvedRun {
  /** The dstack run. */
  runName: string;
  /** The GitHub workflow run holding its artifacts. */
  workflowRunId: number;
  /** The tag, when resolved from one. */
  tag?: string;
  /** The id of the tag artifact or run marker that was found. */
  artifactId: number;
  /** Newer candidates skipped as untrusted (also named in the store's one warning). */
  skipped: SkippedArtifact[];
  /** When that artifact was made, ISO 8601. */
  createdAt: string;
  /** When it expires, ISO 8601 (null when GitHub gives none). */
  expiresAt: string | null;
  /** For a tag: the workflow run that wrote the tag artifact (who made the tag). */
  taggedBy?: TagMaker;
}

/**
 * The workflow run that wrote a tag artifact, from its `GET .../actions/runs/{id}` answer (the
 * one the trust rules read, so it costs no request of its own).
 */
export interface TagMaker {
  /** The workflow run id. */
  workflowRunId: number;
  /** Its title (`display_title`: a runner workflow run's is its dstack run name). */
  title?: string;
  /** Who started it (`triggering_actor.login`), when GitHub says. */
  actor?: string;
}

/** One data artifact of a run, as {@link GitHubStore.listRunArtifacts} lists it. */
export interface RunArtifact {
  /** The artifact path it holds, e.g. `output/my_model` (for a `file`, the file's own path). */
  artifactPath: string;
  /**
   * `zip`: a folder's files in a zip; `file`: one file as it is (`dstack-file--...`);
   * `archive`: a folder's files in one tar (`dstack-tar--...`).
   */
  kind: "zip" | "file" | "archive";
  /** The GitHub artifact name. */
  name: string;
  /** The GitHub artifact id. */
  id: number;
  /** `sha256:<hex>` as the REST API lists it, or null for an artifact without one. */
  digest: string | null;
  /** The zip's size in bytes. */
  size: number;
  /** When it expires, ISO 8601, or null. */
  expiresAt: string | null;
}

/**
 * The GitHub name of one file of a run uploaded as it is: `dstack-file--<run-name>--<path-slug>`
 * (the slug of the file's own artifact path).
 *
 * @throws StoreError `invalid` for a bad run name or artifact path.
 */
export function fileArtifactName(runName: string, artifactPath: string): string {
  return `${FILE_ARTIFACT_PREFIX}${checkRunName(runName)}--${encodeArtifactPath(artifactPath)}`;
}

/**
 * The GitHub store (see the module comment for names and lookups). Holds no mutable state but
 * its REST client, made on first use (`github-rest.ts`), and the trust rules' caches of one step.
 *
 * Every method rejects with a {@link StoreError} (often a {@link GitHubStoreError}):
 * `invalid` for names and paths, `not-found` for unknown or expired tags, runs and paths,
 * `io` for GitHub refusing or unreachable, digest mismatches and local file-system failures.
 */
export class GitHubStore {
  /** `owner` of the repository. */
  readonly owner: string;
  /** `name` of the repository. */
  readonly repo: string;
  /** The REST API root in use. */
  readonly apiUrl: string;
  private readonly token: string;
  /** The REST routes the store reads (`github-rest.ts`). */
  private readonly api: ArtifactsRest;
  private readonly now: () => number;
  /** Which workflow runs' artifacts count (see `trust.ts`). */
  private readonly trust: TrustedSources;
  private readonly pullRequest: number | undefined;
  private readonly warn: (message: string) => void;
  private readonly retag: { retries: number; minTimeout: number };
  private readonly largeFileBytes: number;
  private readonly archiveMinFiles: number;
  private readonly concurrency: number | undefined;
  private readonly log: ((line: string) => void) | undefined;
  private readonly onProgress: TransferProgressListener | undefined;
  /** Sets the client's blocks per upload while this store's uploads run. */
  private readonly uploadBlocks: UploadBlocks;
  private readonly runMarker: RunMarkerFields | undefined;
  /** {@link GitHubStore.findBaseRun}'s answers in this step, by workflow and artifact path. */
  private readonly baseRuns = new Map<string, Promise<BaseRunFound | undefined>>();
  /**
   * Run markers this store has written or found present, by run name and workflow run (a
   * digest of the runtime token), so that later uploads of the same run in this step skip it.
   */
  private readonly markers = new Map<string, Promise<void>>();

  /**
   * @throws StoreError `invalid` for a repository not of the form `owner/name`, or an
   *   `uploadBlocks` that is not a positive integer.
   */
  constructor(options: GitHubStoreOptions) {
    const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(options.repository);
    if (!m) {
      throw new StoreError(
        "invalid",
        `repository ${JSON.stringify(options.repository)}: expected owner/name`,
      );
    }
    this.owner = m[1] as string;
    this.repo = m[2] as string;
    this.token = options.token;
    this.apiUrl = (options.apiUrl ?? process.env.GITHUB_API_URL ?? DEFAULT_API_URL).replace(
      /\/+$/,
      "",
    );
    this.api = new ArtifactsRest({
      token: this.token,
      owner: this.owner,
      repo: this.repo,
      apiUrl: this.apiUrl,
      retries: options.retries ?? 3,
      retryBaseMs: options.retryBaseMs ?? 1000,
      ...(options.writeSpacingMs !== undefined ? { writeSpacingMs: options.writeSpacingMs } : {}),
      pageSize: Math.max(1, Math.min(PAGE_SIZE, options.pageSize ?? PAGE_SIZE)),
      tokenHint: options.tokenHint ?? "check github-token",
    });
    this.now = options.now ?? Date.now;
    this.pullRequest =
      options.pullRequest === undefined ? undefined : checkPullRequest(options.pullRequest);
    this.warn = options.warn ?? ((m) => process.emitWarning(m, { code: "DSTACK_UNTRUSTED" }));
    this.retag = { retries: options.retagRetries ?? 4, minTimeout: options.retagRetryMs ?? 500 };
    this.largeFileBytes = options.largeFileBytes ?? DEFAULT_LARGE_FILE_BYTES;
    this.archiveMinFiles = options.archiveMinFiles ?? DEFAULT_ARCHIVE_MIN_FILES;
    this.concurrency = options.concurrency;
    this.log = options.log;
    this.onProgress = options.onProgress;
    this.uploadBlocks = new UploadBlocks(
      options.uploadBlocks !== undefined ? { blocks: options.uploadBlocks } : {},
    );
    this.runMarker = options.runMarker;
    this.trust = new TrustedSources({
      ...(options.repositoryId !== undefined ? { repositoryId: options.repositoryId } : {}),
      ...(options.defaultBranch !== undefined ? { defaultBranch: options.defaultBranch } : {}),
      ...(options.runnerWorkflow !== undefined ? { runnerWorkflow: options.runnerWorkflow } : {}),
      ...(options.trustedWorkflows ? { trustedWorkflows: options.trustedWorkflows } : {}),
      getRepository: () => this.api.getRepository(),
      getRun: (id) => this.api.getRun(id),
    });
  }

  /**
   * A store for a workflow step: `GITHUB_TOKEN` (or `token`), `GITHUB_REPOSITORY` (and its id,
   * `GITHUB_REPOSITORY_ID`, when the repository is that one), `GITHUB_API_URL` (else derived from
   * `GITHUB_SERVER_URL`: `https://api.<sub>.ghe.com` for `<sub>.ghe.com`).
   *
   * @throws StoreError `invalid` when the token or repository is missing.
   */
  static fromEnv(
    env: NodeJS.ProcessEnv = process.env,
    overrides: Partial<GitHubStoreOptions> = {},
  ): GitHubStore {
    const token = overrides.token ?? env.GITHUB_TOKEN ?? "";
    const repository = overrides.repository ?? env.GITHUB_REPOSITORY ?? "";
    if (token === "") {
      throw new StoreError("invalid", "no GitHub token: set GITHUB_TOKEN or pass github-token");
    }
    if (repository === "") {
      throw new StoreError("invalid", "no repository: set GITHUB_REPOSITORY (owner/name)");
    }
    const envId = Number(env.GITHUB_REPOSITORY_ID ?? "");
    const sameRepository = repository === env.GITHUB_REPOSITORY;
    return new GitHubStore({
      ...(sameRepository && Number.isSafeInteger(envId) && envId > 0
        ? { repositoryId: envId }
        : {}),
      ...overrides,
      token,
      repository,
      apiUrl:
        overrides.apiUrl ??
        env.GITHUB_API_URL ??
        (env.GITHUB_SERVER_URL ? apiUrlForServer(env.GITHUB_SERVER_URL) : DEFAULT_API_URL),
    });
  }

  /**
   * Uploads a folder (or one file) as the run's artifact path, in the current workflow run (the
   * client's `ACTIONS_RUNTIME_TOKEN`), with the run marker if this workflow run has none yet,
   * and, with `tag`, a tag artifact (replacing one of the same tag in this workflow run).
   *
   * @returns the artifact's name, id, bare-hex digest and size; files and bytes sent; the tag's
   *   artifact; the zip level used and why (`compressionLevel` defaults to `"auto"`).
   * @throws StoreError `invalid` for bad names, paths or compression level, `not-found` for a missing or empty
   *   `localPath`, {@link GitHubStoreError} `duplicate` when this workflow run already holds
   *   that artifact path of that run as the same kind (zip or archive; when one of each is
   *   there, the newer is the artifact path), `io` when the upload fails.
   */
  async upload(options: GitHubUploadOptions): Promise<GitHubUploadResult> {
    const runName = checkRunName(options.runName);
    const artifactPath = checkArtifactPath(options.artifactPath);
    const name = dataArtifactName(runName, artifactPath);
    // A bad or reserved tag is refused before anything is uploaded (the tag artifact goes last).
    if (options.tag !== undefined) this.tagToWrite(options.tag);
    const level = options.compressionLevel ?? "auto";
    if (level !== "auto" && !(Number.isInteger(level) && level >= 0 && level <= 9)) {
      throw new StoreError(
        "invalid",
        `compressionLevel ${JSON.stringify(level)}: expected an integer 0 (store) to 9, or "auto"`,
      );
    }
    const localPath = path.resolve(options.localPath);
    const st = await fsp.stat(localPath).catch(() => undefined);
    if (st === undefined) {
      throw new StoreError("not-found", `${localPath}: no such file or folder to upload`);
    }
    const root = st.isDirectory() ? localPath : path.dirname(localPath);
    const nodes = st.isDirectory()
      ? await scanTree(localPath, localPath)
      : [{ rel: path.basename(localPath), kind: "file" as const, bytes: st.size }];
    // The first hidden part of a path (`.git` for `.git/config`), or undefined.
    const hiddenPrefix = (rel: string) => {
      const parts = rel.split("/");
      const i = parts.findIndex((part) => part.startsWith("."));
      return i < 0 ? undefined : parts.slice(0, i + 1).join("/");
    };
    const skipped = new Set<string>();
    const files = nodes.filter((n) => {
      if (n.kind === "dir" || n.rel === "") return false;
      const prefix = hiddenPrefix(n.rel);
      if (st.isDirectory() && options.includeHiddenFiles !== true && prefix !== undefined) {
        skipped.add(prefix);
        return false;
      }
      return true;
    });
    const skippedHidden = [...skipped];
    if (files.length === 0 && st.isDirectory()) {
      throw new StoreError(
        "not-found",
        skippedHidden.length > 0
          ? `${localPath}: the folder holds only hidden files (${skippedHidden.slice(0, 3).join(", ")}${skippedHidden.length > 3 ? ", ..." : ""}); set include-hidden-files to upload them`
          : `${localPath}: the folder holds no files to upload`,
      );
    }
    // The client zips a link's target (it calls realpath); scanTree already refused links that
    // leave the folder. A link to a folder would be zipped as a broken file: refuse it.
    for (const n of files) {
      if (n.kind !== "link") continue;
      const target = await fsp.stat(path.join(root, n.rel)).catch(() => undefined);
      if (target === undefined || !target.isFile()) {
        throw new StoreError(
          "invalid",
          `${localPath}/${n.rel}: a symbolic link to ${target === undefined ? "nothing (a broken link)" : "a folder"}; GitHub artifacts hold files, so upload the folder it points at instead, or remove the link`,
        );
      }
    }
    const stats = treeStats(files);
    // Large files that a zip would not shrink go up each as its own artifact, in parallel.
    const large: { abs: string; artifactPath: string; bytes: number }[] = [];
    const zipped: { abs: string; rel: string; bytes: number }[] = [];
    for (const n of files) {
      const abs = path.join(root, n.rel);
      const bytes = n.kind === "link" ? (await fsp.stat(abs)).size : n.bytes;
      const store =
        bytes >= this.largeFileBytes &&
        (level === 0 || (level === "auto" && (await chooseCompressionLevel([abs])).level === 0));
      if (store) {
        // A folder's file keeps its place below the artifact path; a single file is
        // `<artifact path>/<its name>`, as in a zip.
        large.push({ abs, artifactPath: checkArtifactPath(`${artifactPath}/${n.rel}`), bytes });
      } else {
        zipped.push({ abs, rel: n.rel, bytes });
      }
    }
    // Many files go as one tar (`archive.ts`), unless one of them has the manifest's name.
    const archived =
      zipped.length > 0 &&
      zipped.length >= this.archiveMinFiles &&
      !zipped.some((f) => f.rel === ARCHIVE_MANIFEST);
    const picked =
      zipped.length === 0
        ? { level: 0, reason: "every file is uploaded as it is, without a zip" }
        : level === "auto"
          ? await chooseCompressionLevel(
              zipped.map((f) => f.abs),
              { together: archived, sizes: zipped.map((f) => f.bytes) },
            )
          : { level, reason: "given" };
    const chosen = archived
      ? {
          level: picked.level,
          reason: `${picked.reason}; ${zipped.length} files packed into one ${picked.level > 0 ? `tar.gz (gzip level ${picked.level})` : "tar"}`,
        }
      : picked;
    const { DefaultArtifactClient } = await loadClient(`upload of ${name}`);
    const client = new DefaultArtifactClient();
    const retention =
      options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {};
    const uploadOptions = { ...retention, compressionLevel: chosen.level };
    const fileNames = large.map((f) => fileArtifactName(runName, f.artifactPath));
    // Progress: each large file by the blocks staged (the client's lines, taken off the log),
    // the zip or archive (its files' bytes, last in the meter) when it is done.
    const zipIndex = large.length;
    const meter = new TransferMeter({
      direction: "upload",
      what: artifactPath,
      sizes: [
        ...large.map((f) => f.bytes),
        ...(zipped.length > 0 ? [zipped.reduce((sum, f) => sum + f.bytes, 0)] : []),
      ],
      ...this.progressListener(),
    });
    meter.begin();
    const quiet = () => undefined;
    // The zip, the large files and the run marker go up together, each its own artifact; all
    // of them settle before the first failure is thrown (nothing is still uploading after).
    // Each upload stages uploadBlocks blocks at once (the client's variable, set meanwhile).
    const [zipDone, filesDone, markerDone] = await withUploadTap(this.uploadBlocks, (tap) =>
      Promise.allSettled([
        zipped.length > 0
          ? tap
              .track(quiet, () =>
                archived
                  ? uploadArchive(client, {
                      name: archiveArtifactName(runName, artifactPath, { gzip: chosen.level > 0 }),
                      files: zipped,
                      gzipLevel: chosen.level,
                      retention,
                    })
                  : uploadWith(
                      client,
                      name,
                      zipped.map((f) => f.abs),
                      root,
                      uploadOptions,
                    ),
              )
              .then((up) => {
                meter.finish(zipIndex);
                return up;
              })
          : undefined,
        settleLimited(
          large,
          this.concurrency ?? transferConcurrency({ items: large.length }),
          async (f, i) => {
            const fileName = fileNames[i] as string;
            const up = await withStagedName(f.abs, fileName, (staged, dir) =>
              tap.track(
                (bytes) => meter.update(i, bytes),
                () =>
                  uploadWith(client, fileName, [staged], dir, { ...retention, skipArchive: true }),
              ),
            );
            meter.finish(i);
            return { ...up, artifactPath: f.artifactPath };
          },
        ),
        tap.track(quiet, () => this.ensureMarker(client, runName, retention)),
      ]),
    );
    for (const done of [zipDone, filesDone, markerDone]) {
      if (done.status === "rejected") throw done.reason;
    }
    const zip = (zipDone as PromiseFulfilledResult<UploadedArtifact | undefined>).value;
    const fileArtifacts = (
      filesDone as PromiseFulfilledResult<(UploadedArtifact & { artifactPath: string })[]>
    ).value;
    const main = zip ?? (fileArtifacts[0] as UploadedArtifact & { artifactPath: string });
    const result: GitHubUploadResult = {
      runName,
      artifactPath,
      name: main.name,
      id: main.id,
      digest: main.digest,
      size: main.size,
      files: stats.files,
      bytes: stats.bytes,
      compressionLevel: chosen.level,
      compressionReason: chosen.reason,
      skippedHidden,
      fileArtifacts,
    };
    if (options.tag !== undefined) {
      result.tag = await this.setTag({
        tag: options.tag,
        runName,
        ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
      });
    }
    return result;
  }

  /**
   * Points a tag at a run from the current workflow run: uploads `dstack-tag--<tag>` (replacing
   * this workflow run's earlier one). Across workflow runs the newest trusted tagging wins. With
   * {@link GitHubStoreOptions.pullRequest} the tag is written as `pr-<n>.<tag>`.
   *
   * Re-tagging in the same workflow run deletes the older tag artifact first; GitHub may refuse
   * the freed name with 409 for a moment after that, so that upload is retried
   * ({@link GitHubStoreOptions.retagRetries}, doubling waits; p-retry).
   *
   * @returns the tag artifact, and the tag as written (`pr-12.best` for `best` in pull request 12).
   * @throws StoreError `invalid` for a bad tag or run name, or a tag in the reserved `pr-<n>.`
   *   namespace; {@link GitHubStoreError} `duplicate` when the 409 outlasts the retries; `io`
   *   when the upload fails.
   */
  async setTag(options: {
    /** The tag. */
    tag: string;
    /** The run it points at. */
    runName: string;
    /**
     * The workflow run holding the run's artifacts when it is not the current one
     * ({@link GitHubStore.tagRun}); recorded in the tag.
     */
    workflowRunId?: number;
    /** Days GitHub keeps the tag artifact; the repository default if unset. */
    retentionDays?: number;
  }): Promise<UploadedArtifact & { tag: string }> {
    const tag = this.tagToWrite(options.tag);
    const tagName = tagArtifactName(tag);
    const runName = checkRunName(options.runName);
    const { DefaultArtifactClient } = await loadClient(`tag ${JSON.stringify(tag)}`);
    const client = new DefaultArtifactClient();
    const existing = await client.getArtifact(tagName).catch(() => undefined);
    if (existing !== undefined) await client.deleteArtifact(tagName);
    const record = {
      version: 1,
      tag,
      runName,
      ...(options.workflowRunId !== undefined ? { workflowRunId: options.workflowRunId } : {}),
      ...(this.pullRequest !== undefined ? { pullRequest: this.pullRequest } : {}),
    };
    const retention =
      options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {};
    const uploaded = await pRetry(() => uploadJson(client, tagName, TAG_FILE, record, retention), {
      // Only a 409 right after our own delete is worth waiting out.
      retries: existing !== undefined ? this.retag.retries : 0,
      minTimeout: this.retag.minTimeout,
      factor: 2,
      randomize: false,
      shouldRetry: ({ error }) => error instanceof GitHubStoreError && error.reason === "duplicate",
    }).catch((e: unknown) => {
      if (existing !== undefined && e instanceof GitHubStoreError && e.reason === "duplicate") {
        throw new GitHubStoreError(
          "io",
          "duplicate",
          `tag ${JSON.stringify(tag)}: GitHub still refuses the name ${tagName} (409) after this workflow run deleted its older tag artifact, through ${this.retag.retries} retries; set the tag again later`,
          { cause: e },
        );
      }
      throw e;
    });
    return { ...uploaded, tag };
  }

  /**
   * The repository's tags, each resolved as {@link GitHubStore.resolveTag} does (the newest
   * unexpired tagging from a trusted workflow run): every `dstack-tag--*` artifact listed by
   * `GET /repos/{o}/{r}/actions/artifacts` (all pages), then one resolution per tag name. Tags
   * with no live trusted tagging are left out (the store's warning names skipped artifacts).
   *
   * @returns `[{ tag, runName, createdAt, taggedBy }]`, by tag name; `taggedBy` is the workflow
   *   run that wrote the tag (its title and actor from the answer the trust rules read: no
   *   request of its own).
   * @throws {@link GitHubStoreError} `permission` / `unauthorized` / `unreachable` from GitHub.
   */
  async listTags(): Promise<
    { tag: string; runName: string; createdAt: string; taggedBy?: TagMaker }[]
  > {
    const names = new Set(
      (await this.api.listAll())
        .filter((a) => a.name.startsWith(TAG_ARTIFACT_PREFIX) && this.isLive(a))
        .map((a) => a.name.slice(TAG_ARTIFACT_PREFIX.length)),
    );
    const tags: { tag: string; runName: string; createdAt: string; taggedBy?: TagMaker }[] = [];
    for (const tag of [...names].sort()) {
      try {
        const resolved = await this.resolveTag(tag);
        tags.push({
          tag,
          runName: resolved.runName,
          createdAt: resolved.createdAt,
          ...(resolved.taggedBy !== undefined ? { taggedBy: resolved.taggedBy } : {}),
        });
      } catch (e) {
        if (!(e instanceof StoreError && (e.code === "not-found" || e.code === "invalid"))) throw e;
      }
    }
    return tags;
  }

  /**
   * Deletes a tag: every `dstack-tag--<tag>` artifact of the repository, whichever workflow run
   * wrote it (`DELETE /repos/{o}/{r}/actions/artifacts/{id}`; the token needs `actions: write`).
   * The runs and their artifacts stay.
   *
   * @returns how many tag artifacts were deleted.
   * @throws StoreError `invalid` for a bad tag or one in the reserved `pr-<n>.` namespace (a pull
   *   request's runs own those); {@link GitHubStoreError} `not-found` when no artifact has that
   *   name, `permission` (naming `actions: write`) / `unauthorized` / `unreachable`.
   */
  async deleteTag(tag: string): Promise<number> {
    const written = this.tagToWrite(tag);
    const name = tagArtifactName(written);
    const found = (await this.api.listNamed(name)).filter((a) => a.name === name);
    if (found.length === 0) {
      throw new GitHubStoreError(
        "not-found",
        "api",
        `no tag ${JSON.stringify(written)} in ${this.owner}/${this.repo}: no workflow run has an artifact named ${name}`,
      );
    }
    for (const a of found) await this.api.deleteArtifact(a.id);
    return found.length;
  }

  /**
   * The tag this store writes for `tag`: itself, or `pr-<n>.<tag>` in a pull request's store.
   *
   * @throws StoreError `invalid` for a bad tag, or one in the reserved `pr-<n>.` namespace.
   */
  private tagToWrite(tag: string): string {
    checkTag(tag);
    if (pullRequestOfTag(tag) !== undefined) {
      throw new StoreError(
        "invalid",
        `tag ${JSON.stringify(tag)}: names starting with pr-<number>. are the tags of pull requests' runs, written only by their own runs; choose another tag`,
      );
    }
    return this.pullRequest === undefined ? tag : checkTag(pullRequestTag(tag, this.pullRequest));
  }

  /**
   * Uploads `dstack-run--<run>` unless this workflow run already has it: GitHub refuses a second
   * artifact of the same name in a workflow run, so the upload is simply tried (one round trip
   * fewer than asking first), once per store, run name and runtime token (a step's token names
   * its workflow run and stays the same for the step; a different token is tried again).
   */
  private ensureMarker(
    client: InstanceType<ArtifactModule["DefaultArtifactClient"]>,
    runName: string,
    uploadOptions: { retentionDays?: number },
  ): Promise<void> {
    const marker = runArtifactName(runName);
    const workflowRun = createHash("sha256")
      .update(process.env.ACTIONS_RUNTIME_TOKEN ?? "")
      .digest("hex");
    const key = `${marker}\0${workflowRun}`;
    let made = this.markers.get(key);
    if (made === undefined) {
      made = (async () => {
        try {
          const record = { version: 1, runName, ...this.runMarker };
          await uploadJson(client, marker, RUN_FILE, record, uploadOptions);
        } catch (e) {
          // Another upload of the same run in this workflow run made it first: fine.
          if (!(e instanceof GitHubStoreError && e.reason === "duplicate")) throw e;
        }
      })();
      this.markers.set(key, made);
      // A failed attempt is tried again by the next upload.
      made.catch(() => this.markers.delete(key));
    }
    return made;
  }

  /**
   * The run a tag points at: the newest unexpired `dstack-tag--<tag>` artifact of a trusted
   * workflow run of the repository (by `created_at`, then id; `trust.ts`), read and
   * digest-checked. A `pr-<n>.<tag>` tag must also have been written by a store of pull request n.
   *
   * @throws StoreError `invalid` for a malformed tag; {@link GitHubStoreError} `not-found`
   *   naming the tag when there is none, `expired` (saying when) when all have expired,
   *   `untrusted` (naming each skipped artifact and why) when none is from a trusted run;
   *   `permission` / `unreachable` / `io` from GitHub.
   */
  async resolveTag(tag: string): Promise<ResolvedRun> {
    const name = tagArtifactName(tag);
    const { found, skipped } = await this.newestLive(name, `tag ${JSON.stringify(tag)}`);
    const workflowRunId = found.workflow_run?.id;
    if (workflowRunId === undefined) {
      throw new GitHubStoreError(
        "io",
        "api",
        `tag ${JSON.stringify(tag)}: GitHub lists artifact ${name} (id ${found.id}) without its workflow run`,
      );
    }
    const record = await this.readJson(found, TAG_FILE);
    const runName = record.runName;
    if (typeof runName !== "string" || !isValidName(runName)) {
      throw new GitHubStoreError(
        "io",
        "api",
        `tag ${JSON.stringify(tag)}: artifact ${name} (id ${found.id}) does not name a run`,
      );
    }
    const pullRequest = pullRequestOfTag(tag);
    if (
      pullRequest !== undefined &&
      (record as { pullRequest?: unknown }).pullRequest !== pullRequest
    ) {
      throw new GitHubStoreError(
        "not-found",
        "untrusted",
        `tag ${JSON.stringify(tag)}: artifact ${name} (id ${found.id}, workflow run ${workflowRunId}) was not written by a run of pull request ${pullRequest}, so it is not used`,
      );
    }
    const maker = await this.trust.run(workflowRunId);
    const taggedBy: TagMaker = {
      workflowRunId,
      ...(maker?.title !== undefined ? { title: maker.title } : {}),
      ...(maker?.actor !== undefined ? { actor: maker.actor } : {}),
    };
    return {
      runName,
      workflowRunId: await this.dataRunOfTag(tag, record, workflowRunId),
      tag,
      artifactId: found.id,
      skipped,
      createdAt: found.created_at ?? "",
      expiresAt: found.expires_at,
      taggedBy,
    };
  }

  /**
   * The workflow run holding the artifacts of a tag's run: the tag's own workflow run, or, for a
   * tag written by {@link GitHubStore.tagRun} in another workflow run, the one its record names
   * (`workflowRunId`), judged by the trust rules again when read.
   *
   * @throws {@link GitHubStoreError} `io` for a record naming no workflow run id, `untrusted`
   *   when the named workflow run is not a trusted source.
   */
  private async dataRunOfTag(tag: string, record: unknown, tagRunId: number): Promise<number> {
    const named = (record as { workflowRunId?: unknown }).workflowRunId;
    if (named === undefined || named === tagRunId) return tagRunId;
    if (typeof named !== "number" || !Number.isSafeInteger(named) || named < 1) {
      throw new GitHubStoreError(
        "io",
        "api",
        `tag ${JSON.stringify(tag)}: its record names workflow run ${JSON.stringify(named)}, not a workflow run id; expected workflowRunId to be a positive integer`,
      );
    }
    const verdict = await this.trust.judge({ id: 0, workflow_run: { id: named } });
    if (!verdict.trusted) {
      throw new GitHubStoreError(
        "not-found",
        "untrusted",
        `tag ${JSON.stringify(tag)} points at workflow run ${named}, which is not a trusted source (${verdict.reason}: ${verdict.detail}); ${this.trust.describeRules()}`,
      );
    }
    return named;
  }

  /**
   * The workflow run holding a dstack run: the newest unexpired `dstack-run--<run-name>` of a
   * trusted workflow run (`trust.ts`).
   *
   * @throws StoreError `invalid`; {@link GitHubStoreError} `not-found` / `expired` /
   *   `untrusted` naming the run.
   */
  async resolveRun(runName: string): Promise<ResolvedRun> {
    return (await this.findRunMarker(runName)).resolved;
  }

  /** {@link GitHubStore.resolveRun}, with the run marker artifact that was found. */
  private async findRunMarker(
    runName: string,
  ): Promise<{ resolved: ResolvedRun; marker: RestArtifact }> {
    const name = runArtifactName(runName);
    const { found, skipped } = await this.newestLive(name, `run ${JSON.stringify(runName)}`);
    const workflowRunId = found.workflow_run?.id;
    if (workflowRunId === undefined) {
      throw new GitHubStoreError(
        "io",
        "api",
        `run ${JSON.stringify(runName)}: GitHub lists artifact ${name} (id ${found.id}) without its workflow run`,
      );
    }
    return {
      resolved: {
        runName,
        workflowRunId,
        artifactId: found.id,
        skipped,
        createdAt: found.created_at ?? "",
        expiresAt: found.expires_at,
      },
      marker: found,
    };
  }

  /**
   * Points a shared tag at a run that another workflow run made, from the current workflow run
   * (the runner workflow's tag-only mode: `dstack tags add TAG RUN --remote`): the run is
   * resolved as {@link GitHubStore.resolveRun} does (a trusted workflow run's newest marker) and
   * its marker read; a run whose marker says it ran code not reviewed on the default branch
   * (`untrusted: true`, or a pull request's number) is refused, so a shared tag never points at a
   * pull request's artifacts. Then {@link GitHubStore.setTag}, with the record naming the
   * workflow run that holds the run's artifacts (`workflowRunId`), where
   * {@link GitHubStore.resolveTag} reads them.
   *
   * @returns the run as resolved, the tag artifact, and the run the tag pointed at before
   *   (`previous`: none when it had no live trusted tagging).
   * @throws StoreError `invalid` for a bad tag or run name or a reserved `pr-<n>.` tag;
   *   {@link GitHubStoreError} `not-found` (no such run), `expired`, `untrusted` (no trusted
   *   marker, or the marker of untrusted code), and `setTag`'s errors.
   */
  async tagRun(options: {
    /** The tag. */
    tag: string;
    /** The run it points at, made by another workflow run of the repository. */
    runName: string;
    /** Days GitHub keeps the tag artifact; the repository default if unset. */
    retentionDays?: number;
  }): Promise<{
    resolved: ResolvedRun;
    tag: UploadedArtifact & { tag: string };
    previous?: string;
  }> {
    this.tagToWrite(options.tag);
    const runName = checkRunName(options.runName);
    const { resolved, marker } = await this.findRunMarker(runName);
    const record = await this.readJson(marker, RUN_FILE);
    if (record.untrusted === true || record.pullRequest !== undefined) {
      const why =
        typeof record.pullRequest === "number"
          ? `pull request #${record.pullRequest}'s code (its runs tag it as ${pullRequestTag(options.tag, record.pullRequest)})`
          : "code not reviewed on the default branch";
      throw new GitHubStoreError(
        "invalid",
        "untrusted",
        `run ${JSON.stringify(runName)} (workflow run ${resolved.workflowRunId}) ran ${why}; a shared tag never points at it, so tag ${JSON.stringify(options.tag)} was not set`,
      );
    }
    // What the tag pointed at, for the message only: a tag that does not resolve (none, expired,
    // untrusted, unreadable) is replaced all the same.
    const previous = await this.resolveTag(options.tag).then(
      (r) => r.runName,
      (e: unknown) => {
        if (e instanceof StoreError) return undefined;
        throw e;
      },
    );
    const tag = await this.setTag({
      tag: options.tag,
      runName,
      workflowRunId: resolved.workflowRunId,
      ...(options.retentionDays !== undefined ? { retentionDays: options.retentionDays } : {}),
    });
    return { resolved, tag, ...(previous !== undefined ? { previous } : {}) };
  }

  /** A run or a tag, resolved. */
  async resolveRef(ref: RunRef): Promise<ResolvedRun> {
    return "tag" in ref ? await this.resolveTag(ref.tag) : await this.resolveRun(ref.run);
  }

  /**
   * The unexpired data artifacts of a run in a workflow run, sorted by artifact path.
   *
   * @throws {@link GitHubStoreError} `permission` / `unreachable` / `io` from GitHub.
   */
  async listRunArtifacts(
    resolved: Pick<ResolvedRun, "runName" | "workflowRunId">,
  ): Promise<RunArtifact[]> {
    const all = await this.api.listOfRun(resolved.workflowRunId);
    const listed: RunArtifact[] = all
      .filter((a) => this.isLive(a))
      .flatMap((a) => {
        const parsed = parseRunArtifactName(a.name, resolved.runName);
        if (parsed === undefined) return [];
        return [
          {
            ...parsed,
            name: a.name,
            id: a.id,
            digest: a.digest ?? null,
            size: a.size_in_bytes,
            expiresAt: a.expires_at,
          },
        ];
      });
    // A zip and an archive of one artifact path (two uploads in one workflow run, on either
    // side of archiveMinFiles): the newer one (the higher id) is the artifact path.
    const folders = new Map<string, RunArtifact>();
    for (const a of listed) {
      if (a.kind === "file") continue;
      const other = folders.get(a.artifactPath);
      if (other === undefined || other.id < a.id) folders.set(a.artifactPath, a);
    }
    return listed
      .filter((a) => a.kind === "file" || folders.get(a.artifactPath) === a)
      .sort((a, b) => (a.artifactPath < b.artifactPath ? -1 : 1));
  }

  /**
   * Downloads a run's artifacts (or a part) into `localPath`, from whichever workflow run holds
   * them. `artifactPath` `""` (default) gives every artifact path as a folder below `localPath`;
   * an artifact path, or a path inside or above one, puts a folder's files directly in
   * `localPath` and a single file as `localPath/<its name>`. Existing files in `localPath` are
   * kept unless overwritten by a downloaded file of the same name.
   *
   * All artifacts are downloaded and digest-checked in a temporary folder beside `localPath`
   * first; on any failure it is removed and `localPath` is left as it was.
   *
   * @throws StoreError `invalid` for bad refs or paths; `not-found` for an unknown run, tag or
   *   artifact path (listing the run's paths); {@link GitHubStoreError} `digest-mismatch`
   *   naming the artifact, `permission`, `unreachable`; `io` for local failures.
   */
  async downloadArtifacts(
    ref: RunRef,
    options: {
      artifactPath?: string;
      localPath: string;
      /**
       * The workflow run to read the run from (a {@link GitHubStore.findBaseRun} answer), instead
       * of the newest trusted marker of `ref`'s run name.
       */
      from?: { runName: string; workflowRunId: number };
    },
  ): Promise<DownloadArtifactsResult & { workflowRunId: number; artifacts: RunArtifact[] }> {
    const want = checkArtifactPath(options.artifactPath ?? "", { allowAll: true });
    const localPath = path.resolve(options.localPath);
    checkArtifactsService(process.env.GITHUB_SERVER_URL, `download of ${refText(ref)}`);
    const clientApiUrl = (process.env.GITHUB_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, "");
    if (clientApiUrl !== this.apiUrl) {
      throw new StoreError(
        "invalid",
        `the artifact client downloads through GITHUB_API_URL=${clientApiUrl}, but this store uses ${this.apiUrl}; set GITHUB_API_URL to the same API`,
      );
    }
    const resolved: Pick<ResolvedRun, "runName" | "workflowRunId" | "tag"> =
      options.from ?? (await this.resolveRef(ref));
    const what =
      resolved.tag !== undefined
        ? `tag ${JSON.stringify(resolved.tag)} (run ${resolved.runName})`
        : `run ${JSON.stringify(resolved.runName)}`;
    const all = await this.listRunArtifacts(resolved);
    const chosen = all.filter(
      (a) =>
        want === "" ||
        a.artifactPath === want ||
        want.startsWith(`${a.artifactPath}/`) ||
        a.artifactPath.startsWith(`${want}/`),
    );
    if (chosen.length === 0) {
      const have = all.map((a) => a.artifactPath).join(", ") || "none";
      throw new StoreError(
        "not-found",
        `${what} has no artifact path ${JSON.stringify(want)} (workflow run ${resolved.workflowRunId}; it has: ${have})`,
      );
    }
    const parent = path.dirname(localPath);
    try {
      await fsp.mkdir(parent, { recursive: true });
    } catch (e) {
      throw ioError(`cannot create ${parent}`, e);
    }
    const staging = path.join(parent, tempName(path.basename(localPath), "download"));
    try {
      await fsp.mkdir(staging);
      const { DefaultArtifactClient } = await loadClient(`download of ${what}`);
      const client = new DefaultArtifactClient();
      const unpacked = { files: 0, bytes: 0 };
      // Progress: a large file's bytes as they land (polled), a zip or an archive when it is done.
      const meter = new TransferMeter({
        direction: "download",
        what,
        sizes: chosen.map((a) => a.size),
        ...this.progressListener(),
      });
      meter.begin();
      // Every artifact in parallel; all of them settle before the staging folder is removed.
      await settleLimited(
        chosen,
        this.concurrency ?? transferConcurrency({ items: chosen.length, max: 8, least: 4 }),
        async (a, i) => {
          const dest = path.join(staging, "all", a.artifactPath);
          if (a.kind === "zip") {
            await this.downloadOne(client, a, dest, what);
          } else if (a.kind === "archive") {
            const raw = path.join(staging, `archive-${i}`);
            await this.downloadOne(client, a, raw, what, { skipDecompress: true });
            const archive = path.join(staging, `archive-${i}.tar`);
            await moveSingleFile(raw, archive);
            // A path inside the archive: only its files are written (all are still checked).
            const inside = want.startsWith(`${a.artifactPath}/`)
              ? { only: want.slice(a.artifactPath.length + 1) }
              : {};
            const got = await unpackArchive({
              archive,
              gzip: a.name.endsWith(ARCHIVE_SUFFIXES.gzip),
              dest,
              label: `artifact ${a.name} (id ${a.id}) of ${what}`,
              ...inside,
            });
            await fsp.rm(archive, { force: true });
            unpacked.files += got.files;
            unpacked.bytes += got.bytes;
          } else {
            const raw = path.join(staging, `file-${i}`);
            const stop = watchBytes(raw, (bytes) => meter.update(i, bytes));
            try {
              await this.downloadOne(client, a, raw, what, { skipDecompress: true });
            } finally {
              stop();
            }
            await moveSingleFile(raw, dest);
          }
          meter.finish(i);
        },
      );
      const picked = want === "" ? path.join(staging, "all") : path.join(staging, "all", want);
      const st = await fsp.lstat(picked).catch(() => undefined);
      if (st === undefined) {
        throw new StoreError(
          "not-found",
          `${what}: no ${JSON.stringify(want)} inside artifact ${chosen.map((a) => a.artifactPath).join(", ")}`,
        );
      }
      let source = picked;
      if (!st.isDirectory()) {
        source = path.join(staging, "file");
        await fsp.mkdir(source);
        await fsp.rename(picked, path.join(source, path.basename(picked)));
      }
      // Archives count what they wrote; zips and files are counted on disk.
      const { files, bytes } = chosen.every((a) => a.kind === "archive")
        ? unpacked
        : treeStats(await scanTree(source, source));
      await fsp.mkdir(localPath, { recursive: true });
      await mergeInto(source, localPath);
      return {
        runName: resolved.runName,
        files,
        bytes,
        localPath,
        workflowRunId: resolved.workflowRunId,
        artifacts: chosen,
      };
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw ioError(`cannot download ${what} into ${localPath}`, e);
    } finally {
      await fsp.rm(staging, { recursive: true, force: true }).catch(() => undefined);
    }
  }

  /**
   * The base run of a pull request's run: the latest successful run of `workflow` on the default
   * branch by the runner workflow, of trusted code, that holds `artifactPath` (default
   * `metrics`); undefined when none (see `base-run.ts`). Answers are kept for this store's life
   * (one step).
   *
   * @throws {@link GitHubStoreError} `permission` / `unreachable` / `io` from GitHub.
   */
  findBaseRun(options: FindBaseRunOptions): Promise<BaseRunFound | undefined> {
    const key = JSON.stringify([
      options.workflow,
      options.artifactPath ?? "",
      options.excludeRunName ?? "",
    ]);
    let found = this.baseRuns.get(key);
    if (found === undefined) {
      found = findBaseRun(
        {
          runnerWorkflow: this.trust.trustedWorkflows[0] as string,
          repositoryId: () => this.trust.repositoryId(),
          defaultBranch: () => this.trust.defaultBranch(),
          listSuccessfulRuns: (o) => this.api.listSuccessfulRuns(o),
          listOfRun: (id) => this.api.listOfRun(id),
          isLive: (a) => this.isLive(a),
          readMarker: (a) => this.readJson(a, RUN_FILE),
        },
        options,
      );
      this.baseRuns.set(key, found);
    }
    return found;
  }

  /**
   * The `metrics:` directions a run's marker records (the job it ran; see `base-run.ts`): the
   * newest unexpired `dstack-run--<run>` of the workflow run holding the run (a
   * {@link GitHubStore.resolveRef} or {@link GitHubStore.downloadArtifacts} answer), read and
   * validated by `markerMetrics`. The marker comes from a workflow run, so it is data: one larger
   * than {@link RUN_MARKER_MAX_BYTES}, not JSON, or recording directions that are not valid gives
   * `undefined` and a warning, never an error.
   *
   * @returns the directions (`{}` for a job without `metrics:`), or `undefined` when the marker
   *   records none (written before markers recorded them, or by a store without a job) or is
   *   ignored.
   * @throws {@link GitHubStoreError} `permission` / `unreachable` / `io` from GitHub.
   */
  async recordedMetrics(
    resolved: Pick<ResolvedRun, "runName" | "workflowRunId">,
  ): Promise<Record<string, "min" | "max"> | undefined> {
    const name = runArtifactName(checkRunName(resolved.runName));
    const marker = (await this.api.listOfRun(resolved.workflowRunId))
      .filter((a) => a.name === name && this.isLive(a))
      .sort(newestArtifactFirst)[0];
    if (marker === undefined) return undefined;
    const ignored = (why: string) => {
      this.warn(
        `run ${JSON.stringify(resolved.runName)}: its marker ${name} (id ${marker.id}, workflow run ${resolved.workflowRunId}) ${why}; its recorded metric directions are ignored`,
      );
      return undefined;
    };
    if (marker.size_in_bytes > RUN_MARKER_MAX_BYTES) {
      return ignored(`is ${marker.size_in_bytes} bytes, more than ${RUN_MARKER_MAX_BYTES}`);
    }
    const parsed = parseRecord(await this.readText(marker, RUN_FILE));
    if ("problem" in parsed) return ignored(parsed.problem);
    const metrics = markerMetrics(parsed.record);
    if (metrics === undefined) return undefined;
    if ("problem" in metrics) return ignored(`is not valid: ${metrics.problem}`);
    return metrics.directions;
  }

  /**
   * The listener of one transfer's progress: {@link GitHubStoreOptions.onProgress} and lines
   * for {@link GitHubStoreOptions.log}, or nothing when neither is set.
   */
  private progressListener(): { onProgress?: TransferProgressListener } {
    const lines = this.log !== undefined ? progressLines({ log: this.log }) : undefined;
    const given = this.onProgress;
    if (lines === undefined && given === undefined) return {};
    return {
      onProgress: (event) => {
        given?.(event);
        lines?.(event);
      },
    };
  }

  /**
   * Downloads one artifact into `dest` through the client and checks its digest
   * (`skipDecompress`: a single-file artifact, written as it is).
   */
  private async downloadOne(
    client: InstanceType<ArtifactModule["DefaultArtifactClient"]>,
    a: {
      id: number;
      name: string;
      digest: string | null;
      kind?: "zip" | "file" | "archive";
      artifactPath?: string;
    },
    dest: string,
    what: string,
    options: { skipDecompress?: boolean } = {},
  ): Promise<void> {
    const which =
      a.kind === "file" && a.artifactPath !== undefined
        ? `file ${a.artifactPath} (artifact ${a.name}, id ${a.id})`
        : `artifact ${a.name} (id ${a.id})`;
    if (a.digest === null || !/^sha256:[0-9a-f]{64}$/.test(a.digest)) {
      throw new GitHubStoreError(
        "io",
        "digest-mismatch",
        `${which} of ${what} has no sha256 digest on GitHub, so it cannot be verified; upload it again`,
      );
    }
    await fsp.mkdir(dest, { recursive: true });
    let result: { digestMismatch?: boolean };
    try {
      result = await client.downloadArtifact(a.id, {
        path: dest,
        expectedHash: a.digest,
        ...(options.skipDecompress ? { skipDecompress: true } : {}),
        findBy: {
          token: this.token,
          repositoryOwner: this.owner,
          repositoryName: this.repo,
          workflowRunId: 0,
        },
      });
    } catch (e) {
      throw this.api.error(`download ${which} of ${what}`, e);
    }
    if (result.digestMismatch) {
      throw new GitHubStoreError(
        "io",
        "digest-mismatch",
        `${which} of ${what}: the download does not match its digest ${a.digest}; it is corrupted or was changed, nothing was written`,
      );
    }
  }

  /**
   * Downloads a small record artifact (a tag, a run marker) and reads its one file, `file`.
   *
   * @returns the file's text.
   * @throws {@link GitHubStoreError} `io` when the artifact does not hold `file`, and the
   *   download's errors.
   */
  private async readText(a: RestArtifact, file: string): Promise<string> {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "dstack-tag-"));
    try {
      const { DefaultArtifactClient } = await loadClient(`download of ${a.name}`);
      await this.downloadOne(
        new DefaultArtifactClient(),
        { id: a.id, name: a.name, digest: a.digest ?? null },
        dir,
        `artifact ${a.name}`,
      );
      return await fsp.readFile(path.join(dir, file), "utf8").catch((e: unknown) => {
        throw new GitHubStoreError(
          "io",
          "api",
          `artifact ${a.name} (id ${a.id}) holds no ${file}`,
          {
            cause: e,
          },
        );
      });
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  }

  /**
   * {@link GitHubStore.readText}, parsed: the record a tag or run marker holds.
   *
   * @returns the file's JSON object.
   * @throws {@link GitHubStoreError} `io` when the file is not a JSON object (it comes from a
   *   workflow run: data, never trusted to have a shape), and {@link GitHubStore.readText}'s.
   */
  private async readJson(a: RestArtifact, file: string): Promise<Record<string, unknown>> {
    const parsed = parseRecord(await this.readText(a, file));
    if ("problem" in parsed) {
      throw new GitHubStoreError(
        "io",
        "api",
        `artifact ${a.name} (id ${a.id}): its ${file} ${parsed.problem}; expected a JSON object`,
      );
    }
    return parsed.record;
  }

  private isLive(a: RestArtifact): boolean {
    return !a.expired && (a.expires_at === null || Date.parse(a.expires_at) > this.now());
  }

  /**
   * The newest unexpired artifact of an exact name from a trusted workflow run (`trust.ts`), and
   * the newer ones skipped as untrusted (named in one warning).
   */
  private async newestLive(
    name: string,
    what: string,
  ): Promise<{ found: RestArtifact; skipped: SkippedArtifact[] }> {
    const found = await this.api.listNamed(name);
    const exact = found.filter((a) => a.name === name);
    const live = exact.filter((a) => this.isLive(a)).sort(newestArtifactFirst);
    if (live.length > 0) {
      const { artifact, skipped } = await this.trust.pick(live);
      if (artifact === undefined) {
        throw new GitHubStoreError(
          "not-found",
          "untrusted",
          `no trusted ${what} in ${this.owner}/${this.repo}: all ${skipped.length} artifacts named ${name} come from untrusted workflow runs and were skipped (${describeSkipped(skipped)}); ${this.trust.describeRules()}`,
        );
      }
      if (skipped.length > 0) {
        this.warn(
          `${what}: skipped ${skipped.length} newer artifact${skipped.length === 1 ? "" : "s"} named ${name} from untrusted workflow runs (${describeSkipped(skipped)}); using artifact ${artifact.id} of workflow run ${artifact.workflow_run?.id}`,
        );
      }
      return { found: artifact, skipped };
    }
    if (exact.length === 0) {
      throw new GitHubStoreError(
        "not-found",
        "api",
        `no ${what} in ${this.owner}/${this.repo}: no workflow run has an artifact named ${name}`,
      );
    }
    const lastExpiry = exact
      .map((a) => a.expires_at ?? "")
      .sort()
      .at(-1);
    const newest = exact.sort(newestArtifactFirst)[0] as RestArtifact;
    const days =
      newest.created_at && newest.expires_at
        ? Math.round((Date.parse(newest.expires_at) - Date.parse(newest.created_at)) / DAY_MS)
        : undefined;
    throw new GitHubStoreError(
      "not-found",
      "expired",
      `${what} expired on ${lastExpiry || "an unknown date"}: its newest artifact ${name} (id ${newest.id}, workflow run ${newest.workflow_run?.id ?? "?"}${days !== undefined ? `, kept ${days} days` : ""}) is gone; upload it again`,
    );
  }
}

/**
 * Loads the ESM-only client on first use, after refusing a server without the artifacts service.
 *
 * @throws StoreError `invalid` on GitHub Enterprise Server (see `github-host.ts`).
 */
async function loadClient(what: string): Promise<ArtifactModule> {
  checkArtifactsService(process.env.GITHUB_SERVER_URL, what);
  return await import("@actions/artifact");
}

/** `tag "best"` or `run "sharp-shrimp-1"`, for messages. */
function refText(ref: RunRef): string {
  return "tag" in ref ? `tag ${JSON.stringify(ref.tag)}` : `run ${JSON.stringify(ref.run)}`;
}

/** `uploadArtifact`, with a 409 turned into a {@link GitHubStoreError} `duplicate`. */
async function uploadWith(
  client: InstanceType<ArtifactModule["DefaultArtifactClient"]>,
  name: string,
  files: string[],
  root: string,
  options: { retentionDays?: number; compressionLevel?: number; skipArchive?: boolean },
): Promise<UploadedArtifact> {
  let r: { id?: number; size?: number; digest?: string };
  try {
    r = await client.uploadArtifact(name, files, root, options);
  } catch (e) {
    const detail = (e instanceof Error ? e.message : String(e)).replaceAll("\n", " ");
    if (/already exists/i.test(detail)) {
      throw new GitHubStoreError(
        "invalid",
        "duplicate",
        `artifact ${name} already exists in this workflow run: GitHub keeps artifact names unique per workflow run, so each artifact path of a run is uploaded once per workflow run`,
        { cause: e },
      );
    }
    throw new GitHubStoreError("io", "api", `upload of artifact ${name} failed: ${detail}`, {
      cause: e,
    });
  }
  if (r.id === undefined || r.digest === undefined) {
    throw new GitHubStoreError(
      "io",
      "api",
      `upload of artifact ${name}: the service returned no id or digest`,
    );
  }
  return { name, id: r.id, digest: r.digest, size: r.size ?? 0 };
}

/**
 * Packs `files` into one tar named `name` (gzipped above level 0; `archive.ts`) in a temporary
 * folder and uploads it as that single file, without the client's zip.
 */
async function uploadArchive(
  client: InstanceType<ArtifactModule["DefaultArtifactClient"]>,
  options: {
    name: string;
    files: { abs: string; rel: string }[];
    gzipLevel: number;
    retention: { retentionDays?: number };
  },
): Promise<UploadedArtifact> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "dstack-tar-"));
  try {
    const file = path.join(dir, options.name);
    await packArchive({ files: options.files, dest: file, gzipLevel: options.gzipLevel });
    return await uploadWith(client, options.name, [file], dir, {
      ...options.retention,
      skipArchive: true,
    });
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** Uploads one small JSON file as an artifact. */
async function uploadJson(
  client: InstanceType<ArtifactModule["DefaultArtifactClient"]>,
  name: string,
  file: string,
  value: unknown,
  options: { retentionDays?: number },
): Promise<UploadedArtifact> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "dstack-meta-"));
  try {
    const full = path.join(dir, file);
    await fsp.writeFile(full, `${JSON.stringify(value)}\n`);
    return await uploadWith(client, name, [full], dir, options);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Parses the text of a record file (a tag's `dstack-tag.json`, a run marker's `dstack-run.json`).
 *
 * @returns `{ record }`: the JSON object; or `{ problem }`: why it is not one ("is not JSON
 *   (...)", "is null, not an object", ...), for the caller's message.
 */
function parseRecord(text: string): { record: Record<string, unknown> } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { problem: `is not JSON (${(e as Error).message})` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    return { problem: `is ${kind}, not an object` };
  }
  return { record: value as Record<string, unknown> };
}
