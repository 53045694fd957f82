/**
 * Every test stand-in of the workspaces, by what it stands in for. Private; imported by tests and
 * benchmarks only; no published package exports test support.
 *
 * - GitHub REST: `github.ts` (the OpenAPI-validated fake), the Actions, contents and pulls models,
 *   and `artifact-routes.ts`, the one fake of the artifacts REST routes;
 * - the Actions results service and Azurite: `azurite.ts`, `results-service.ts`,
 *   `artifacts-rest.ts`, and `actions-storage.ts`, the one set-up every test uses;
 * - GPUs and nvidia-smi: `gpus.ts`;
 * - local-action and in-process actions: `local-action.ts`, `action-step.ts`;
 * - Python: `python.ts` (wheels built locally);
 * - files, jobs, workflow files and charts: `trees.ts`, `jobs.ts`, `workflows.ts`, `mermaid.ts`.
 *
 * @module
 */

export {
  type AnnotationProperties,
  type InProcessActionResult,
  type InProcessAnnotation,
  type RunActionInProcessOptions,
  runActionInProcess,
} from "./action-in-process.js";
export {
  ACTIONS_ROUTES,
  type ActionsModel,
  type ActionsModelOptions,
  createActionsModel,
  createSimulatedClock,
  criticalPathJobs,
  type DeclaredInput,
  type FakeActions,
  lostRunnerMessage,
  type ModelArtifact,
  type ModelConclusion,
  type ModelEnding,
  type ModelJob,
  type ModelRun,
  type ModelRunState,
  SIMULATED_EPOCH,
  type SimulatedClock,
  startFakeActions,
  type WorkflowJobOrder,
  type WorkflowRunJsonOptions,
  workflowRunJson,
} from "./actions-model.js";
export {
  ACTIONS_STORAGE_ENV_KEYS,
  type ActionsStorage,
  type ActionsStorageOptions,
  type ActionsStorageSession,
  type EnterActionsStorageOptions,
  enterActionsStorage,
  startActionsStorage,
} from "./actions-storage.js";
export {
  ARTIFACT_ROUTES,
  type ArtifactRoutesOptions,
  artifactRoutes,
  type RestArtifact,
} from "./artifact-routes.js";
export {
  type ArtifactsRestApi,
  type ArtifactsRestApiOptions,
  FAKE_DEFAULT_BRANCH,
  FAKE_FORK_ID,
  FAKE_REPOSITORY_ID,
  type RunFacts,
  startArtifactsRestApi,
  type WorkflowRuns,
  workflowRuns,
} from "./artifacts-rest.js";
export {
  AZURITE_ACCOUNT_KEY,
  AZURITE_ACCOUNT_NAME,
  type Azurite,
  startAzurite,
} from "./azurite.js";
export {
  CONTENTS_ROUTES,
  type ContentsModel,
  type ContentsModelOptions,
  createContentsModel,
} from "./contents-model.js";
export {
  type FakeContext,
  type FakeFault,
  type FakeGitHub,
  type FakeGitHubOptions,
  type FakeHandler,
  type FakeReply,
  type FakeRequest,
  fakeFaults,
  gitHubApi,
  openApiExample,
  startFakeGitHub,
} from "./github.js";
export {
  FAKE_QUERIES,
  type FakeGpuState,
  type FakeNvidiaSmi,
  fakeNvidiaSmi,
  fixtureReport,
  fixtureUuids,
  hostFixture,
  type Scratch,
  scratch,
} from "./gpus.js";
export { makeJob, wordsRandom } from "./jobs.js";
export {
  type LocalActionResult,
  REPO_ROOT,
  type RunLocalActionOptions,
  runLocalAction,
} from "./local-action.js";
export { mermaidBlocks, type ParsedXyChart, parseXyChart } from "./mermaid.js";
export {
  createPullsModel,
  type FakePulls,
  type ModelActivity,
  type ModelComment,
  type ModelPullRequest,
  type ModelStatus,
  PULLS_ROUTES,
  type PullsModel,
  type PullsModelOptions,
  startFakePulls,
} from "./pulls-model.js";
export { buildWheel } from "./python.js";
export {
  ARTIFACT_SERVICE,
  type BackendIds,
  type ResultsService,
  type ResultsServiceOptions,
  type StoredArtifact,
  startResultsService,
} from "./results-service.js";
export { type TarEntry, writeTar } from "./tar.js";
export { leftovers, readTree, tempDir, writeTree } from "./trees.js";
export {
  dstackActions,
  formatDiagnostic,
  type ValidateWorkflowOptions,
  validateWorkflowFile,
  validateWorkflowText,
  type WorkflowDiagnostic,
} from "./workflows.js";
