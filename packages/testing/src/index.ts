/**
 * Test helpers shared by the workspaces. Private; imported by tests only.
 *
 * @module
 */

export {
  type FakeGitHub,
  type FakeHandler,
  type FakeReply,
  type FakeRequest,
  gitHubApi,
  startFakeGitHub,
} from "./github.js";
export {
  type LocalActionResult,
  REPO_ROOT,
  type RunLocalActionOptions,
  runLocalAction,
} from "./local-action.js";
export {
  dstackActions,
  formatDiagnostic,
  type ValidateWorkflowOptions,
  validateWorkflowFile,
  validateWorkflowText,
  type WorkflowDiagnostic,
} from "./workflows.js";
