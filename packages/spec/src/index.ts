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
export * from "./argv.js";
export * from "./diagnostics.js";
export * from "./dispatch-payload.js";
export * from "./gpu.js";
export * from "./job.js";
export * from "./job-json.js";
export * from "./labels.js";
export type { Locator, Position } from "./locator.js";
export { valueLocator, yamlLocator } from "./locator.js";
export * from "./policy.js";
export * from "./runname.js";
export * from "./satisfies.js";
export {
  ENV_NAME_PATTERN,
  POLICY_SCHEMA_ID,
  policyJsonSchema,
  type RawWorkflow,
  SCHEMA_ID,
  WORKFLOW_NAME_PATTERN,
  workflowsJsonSchema,
} from "./schema.js";
export * from "./units.js";
export {
  checkRepoPath,
  didYouMean,
  TAG_PATTERN,
  type ValidateWorkflowOptions,
  validateWorkflow,
} from "./validate.js";
export * from "./workflows.js";
