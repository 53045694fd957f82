/**
 * `@dstack/cli`: the `dstack` command line as a function, for tests and embedding.
 *
 * @packageDocumentation
 */
export { type Io, main, VERSION } from "./main.js";
export {
  CliError,
  loadWorkflows,
  locateWorkflows,
  type WorkflowsLocation,
} from "./workflows-files.js";
