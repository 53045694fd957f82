/**
 * `@dstack/artifacts`: where runs, their artifacts and tags are kept, and the bridge the Python
 * Artifacts API (`from dstack import artifacts`) talks to.
 *
 * - {@link LocalStore}: the store under `DSTACK_HOME` (default `~/.dstack`) used by `dstack run`
 *   on this machine; it implements {@link ArtifactStore}, the interface every store shares.
 * - {@link startArtifactsBridge}: a Unix socket for one running job; put its `env` and
 *   {@link PYTHON_PATH} (on `PYTHONPATH`) into the job's environment.
 * - {@link StoreError}: what every store method rejects with (`not-found`, `invalid`, `io`).
 *
 * Sizes are in bytes; times are ISO 8601 strings; artifact paths are POSIX and relative.
 *
 * @packageDocumentation
 */

/**
 * The folder (absolute) that holds the `dstack` Python package, re-exported from
 * `@dstack/python`: put it on a job's `PYTHONPATH` so `from dstack import artifacts` works.
 */
export { PYTHON_PATH } from "@dstack/python";
// The GitHub store is at `@dstack/artifacts/github`: it loads Octokit, which `dstack run` here
// does not need (the CLI bundle stays small and starts fast).
export {
  ARTIFACTS_SOCKET_ENV,
  type ArtifactsBridge,
  type ArtifactsBridgeOptions,
  defaultArtifactPath,
  MAX_SOCKET_PATH_BYTES,
  type RemoteArtifacts,
  startArtifactsBridge,
} from "./bridge.js";
export { StoreError, type StoreErrorCode } from "./errors.js";
export {
  checkArtifactPath,
  isValidName,
  LocalStore,
  type LocalStoreOptions,
} from "./local-store.js";
export {
  type FindUploadFilesOptions,
  type FoundUploadFiles,
  findUploadFiles,
  MAX_SPLIT_ARTIFACTS,
  MAX_UPLOAD_FILES,
  type PatternMatch,
  type UploadFile,
  type UploadGroup,
} from "./patterns.js";
export {
  findRepoRoot,
  listRepoStores,
  migrateFlatStore,
  normalizeRemoteUrl,
  type OpenRepoStoreOptions,
  openRepoStore,
  type RepoIdentity,
  type RepoStoreInfo,
  remoteUrlOf,
  repoIdentity,
  repoStoreName,
} from "./repo-store.js";
export {
  type StagedGroup,
  type StagedUpload,
  type StageUploadGroupsOptions,
  stageUploadGroups,
} from "./staging.js";
export {
  ACTIVE_STATUSES,
  type AddArtifactOptions,
  type ArtifactEntry,
  type ArtifactFile,
  type ArtifactStore,
  type CreateRunOptions,
  type DownloadArtifactsOptions,
  type DownloadArtifactsResult,
  type ProcessRef,
  RUN_STATUSES,
  type RunPatch,
  type RunRecord,
  type RunRef,
  type RunStatus,
  type SaveArtifactsOptions,
  type SaveArtifactsResult,
  type TagRecord,
} from "./types.js";
