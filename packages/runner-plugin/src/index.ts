/**
 * `@dstack/runner-plugin`: the `dstack-runner` command as functions, for tests and embedding.
 *
 * @packageDocumentation
 */
export * from "./arc.js";
export * from "./configure.js";
export * from "./hooks.js";
export * from "./install-hooks.js";
export * from "./jitconfig.js";
export * from "./labels.js";
export * from "./locks.js";
export { main, PERSISTENT_WARNING, type RunnerIo } from "./main.js";
export {
  checkRunnerVersion,
  compareVersions,
  MIN_RUNNER_VERSION,
  RUNNER_LISTENER,
  type RunnerVersionOptions,
  readRunnerVersion,
} from "./runner-version.js";
export * from "./split.js";
