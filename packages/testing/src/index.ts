/**
 * Test helpers shared by the workspaces. Private; imported by tests and benchmarks only.
 *
 * @module
 */

export {
  type ActionStepResult,
  type RunActionStepOptions,
  runActionStep,
} from "./action-step.js";
export {
  ACTIONS_ROUTES,
  type ActionsModel,
  type ActionsModelOptions,
  createActionsModel,
  createSimulatedClock,
  criticalPathJobs,
  type DeclaredInput,
  type FakeActions,
  type ModelArtifact,
  type ModelConclusion,
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
export {
  dstackActions,
  formatDiagnostic,
  type ValidateWorkflowOptions,
  validateWorkflowFile,
  validateWorkflowText,
  type WorkflowDiagnostic,
} from "./workflows.js";
