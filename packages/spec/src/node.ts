/**
 * `@dstack/spec/node`: the job model's files on disk (node only; the main entry stays free of
 * `node:fs`): the workflows files ({@link loadWorkflows}) and the repository policy
 * ({@link readPolicyFile}).
 *
 * @packageDocumentation
 */
export { type PolicyFile, type ReadPolicyFileOptions, readPolicyFile } from "./policy-file.js";
export {
  loadWorkflows,
  locateWorkflows,
  WorkflowsFileError,
  type WorkflowsLocation,
} from "./workflows-files.js";
