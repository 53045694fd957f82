/**
 * Finding and reading workflows files moved to `@dstack/spec/node`; kept here for importers of
 * `@dstack/executor`.
 *
 * @module
 */
export {
  loadWorkflows,
  locateWorkflows,
  WorkflowsFileError,
  type WorkflowsLocation,
} from "@dstack/spec/node";
