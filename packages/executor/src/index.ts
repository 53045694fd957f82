/**
 * `@dstack/executor`: runs one Python job on this host.
 *
 * @packageDocumentation
 */
export {
  type FindInterpreterOptions,
  findInterpreter,
  type Interpreter,
  InterpreterError,
  versionMatches,
} from "./interpreter.js";
export {
  isDeniedJobVariable,
  JOB_ENV_DENIED_NAMES,
  JOB_ENV_DENIED_PREFIXES,
  type JobEnvironmentOptions,
  jobEnvironment,
} from "./job-env.js";
export {
  explainExit,
  type ProcessEnd,
  type RunSupervisedOptions,
  runSupervised,
} from "./process.js";
export {
  type Phase,
  type RunJobOptions,
  type RunOutput,
  type RunResult,
  runJob,
} from "./run-job.js";
export {
  ACTIVE_STATUSES,
  type EndProcessGroupOptions,
  isRunning,
  processRef,
  type ReconcileRunOptions,
  reconcileRun,
} from "./supervision.js";
export {
  type EnsureVenvOptions,
  ensureVenv,
  TRUSTED_VENVS,
  UNTRUSTED_VENVS,
  type Venv,
  VenvError,
  venvKey,
} from "./venv.js";
export {
  type CachedVenv,
  listVenvs,
  type PruneVenvsOptions,
  type PruneVenvsResult,
  pruneVenvs,
} from "./venv-cache.js";
export {
  loadWorkflows,
  locateWorkflows,
  WorkflowsFileError,
  type WorkflowsLocation,
} from "./workflows-files.js";
export {
  type MakeWorkingCopyOptions,
  makeWorkingCopy,
  type WorkingCopy,
} from "./working-copy.js";
