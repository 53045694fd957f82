/**
 * `@dstack/spec`: the job model. Pure: no file system, network or processes.
 *
 * - `.dstack/workflows.yaml` parsing and validation with positions ({@link parseWorkflows});
 * - the `dstack run` argv grammar ({@link parseRunArgv}, {@link runCommandJob});
 * - sizes ({@link parseSize}), the JSON Schema ({@link workflowsJsonSchema});
 * - the runner label scheme ({@link runnerLabels}, {@link jobLabels}) and host matching
 *   ({@link hostSatisfies}); run names ({@link allocateRunName});
 * - `.dstack/policy.yaml` ({@link parsePolicy}, {@link checkJobPolicy},
 *   {@link checkTriggerPolicy}) and the `client_payload` of a `dstack-run` dispatch
 *   ({@link parseDispatchPayload}).
 *
 * @packageDocumentation
 */
export {
  ARGV_LOCATOR,
  type ParsedRunArgv,
  parseRunArgv,
  type RemoteRunOptions,
  RUN_USAGE,
  type RunCommand,
  runCommandJob,
} from "./argv.js";
export {
  type Diagnostic,
  type FieldPath,
  formatDiagnostic,
  formatFieldPath,
  hasErrors,
  sortDiagnostics,
} from "./diagnostics.js";
export {
  DISPATCH_EVENT_TYPE,
  type DispatchRequest,
  MAX_DISPATCH_PAYLOAD_CHARS,
  MAX_DISPATCH_PAYLOAD_PROPERTIES,
  MAX_DISPATCH_REF_CHARS,
  parseDispatchPayload,
} from "./dispatch-payload.js";
export {
  GPU_MEMORY_TOLERANCE,
  gpuMemoryMatches,
  gpuNameProblem,
  normalizeGpuName,
} from "./gpu.js";
export {
  type Dep,
  type GpuRequest,
  type HostFacts,
  type HostGpu,
  type Job,
  METRIC_DIRECTIONS,
  type MetricDirection,
  PROVIDERS,
  type Provider,
  type Resources,
} from "./job.js";
export { jobToWorkflow } from "./job-json.js";
export {
  BASE_LABELS,
  CPU_LADDER,
  EPHEMERAL_LABEL,
  GPU_COUNT_LADDER,
  GPU_MEMORY_LADDER_GB,
  gpuModelLabel,
  type JobLabelsOptions,
  jobLabels,
  type LabelError,
  labelsMatch,
  MAX_RUNNER_LABELS,
  MEMORY_LADDER_GB,
  NO_GPU_LABEL,
  ON_DEMAND_LABEL,
  runnerLabels,
  SHM_LADDER_GB,
} from "./labels.js";
export type { Locator, Position } from "./locator.js";
export { valueLocator, yamlLocator } from "./locator.js";
export { METRIC_NAME_MAX, metricNameProblem, NOT_METRIC_NAMES } from "./metric-names.js";
export {
  ACTIONS_EVENTS,
  type ArtifactsPolicy,
  artifactsPolicy,
  checkJobPolicy,
  checkTriggerPolicy,
  emptyPolicy,
  POLICY_FILE,
  type Policy,
  type PolicyViolation,
  parsePolicy,
  policyDiagnostics,
  REPOSITORY_ROLES,
  type RepositoryRole,
  requiredRole,
} from "./policy.js";
export {
  ADJECTIVES,
  type AllocateRunNameOptions,
  ANIMALS,
  allocateRunName,
  formatRunName,
  parseRunName,
  runNameStem,
} from "./runname.js";
export {
  hostSatisfies,
  type Unmet,
} from "./satisfies.js";
export {
  ENV_NAME_PATTERN,
  POLICY_SCHEMA_ID,
  policyJsonSchema,
  type RawWorkflow,
  SCHEMA_ID,
  WORKFLOW_NAME_PATTERN,
  workflowsJsonSchema,
} from "./schema.js";
export {
  type DurationStyle,
  formatCount,
  formatDuration,
  formatSize,
  MAX_SIZE_BYTES,
  parseSize,
  type SizeError,
} from "./units.js";
export {
  checkRepoPath,
  didYouMean,
  TAG_PATTERN,
  type ValidateWorkflowOptions,
  validateWorkflow,
} from "./validate.js";
export {
  findWorkflow,
  type ParsedWorkflows,
  type ParseWorkflowsOptions,
  parseWorkflows,
  WORKFLOWS_DIR,
  WORKFLOWS_FILE,
  type WorkflowsSource,
} from "./workflows.js";
