/**
 * `@dstack/cli`: the `dstack` command line as a function, for tests and embedding.
 *
 * @packageDocumentation
 */
export { loadWorkflows, locateWorkflows, type WorkflowsLocation } from "@dstack/spec/node";
export { CliError, type Io } from "./context.js";
export { main, VERSION } from "./main.js";
