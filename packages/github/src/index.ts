/**
 * `@dstack/github`: GitHub REST for dstack. Dispatch a job to a repository's runner workflow
 * exactly once ({@link dispatchRun}), follow its workflow run to the end with conditional
 * requests ({@link followRun}), cancel it ({@link cancelRun}) and read its jobs' logs
 * ({@link fetchJobLog}); or all of it at once ({@link dispatchAndFollow}), through one client with retries and rate limits
 * ({@link createGitHubClient}).
 *
 * @packageDocumentation
 */
export {
  forceCancelRun,
  type StoppedWorkflowRun,
  type StopWorkflowRunOptions,
  stopWorkflowRun,
} from "./cancel.js";
export {
  apiUrlForHost,
  apiUrlOf,
  countingFetch,
  createGitHubClient,
  DEFAULT_API_URL,
  fetchOf,
  type GitHubClient,
  type GitHubClientOptions,
  type RequestCounts,
  sleepFor,
} from "./client.js";
export {
  MAX_CONTENTS_BYTES,
  type ReadRepositoryFileOptions,
  readDefaultBranch,
  readRepositoryFile,
} from "./contents.js";
export {
  checkDispatchInputs,
  type DispatchedRun,
  type DispatchRunOptions,
  dispatchRun,
  type FindRunByNameOptions,
  findRunByName,
  MAX_DISPATCH_INPUTS,
  MAX_DISPATCH_INPUTS_CHARS,
  RUNNER_WORKFLOW_FILE,
} from "./dispatch.js";
export {
  type AttemptOutcome,
  DEFAULT_RESUME_LIMIT,
  type DispatchAndFollowOptions,
  type DispatchJobOptions,
  dispatchAndFollow,
  dispatchJob,
  type FollowedOutcome,
  type JobChange,
  type ResumeNotice,
} from "./dispatch-follow.js";
export {
  answeredStatus,
  GitHubError,
  type GitHubErrorHint,
  type GitHubErrorReason,
  gitHubMessage,
  isRateLimited,
  isTransient,
  type RestErrorOptions,
  RunConcludedError,
  rateLimitWaitMs,
  restError,
  withHint,
} from "./errors.js";
export {
  type CancelRunOptions,
  cancelRun,
  type FetchJobLogOptions,
  type FollowedRun,
  type FollowRunOptions,
  fetchJobLog,
  followRun,
  type ListRunJobsOptions,
  listRunJobs,
  type WorkflowArtifact,
  type WorkflowJob,
  type WorkflowJobStep,
  type WorkflowRunState,
} from "./follow.js";
export {
  type FindRunByTitleOptions,
  findRunByTitle,
  type ReadRunLogsOptions,
  type ReadRunLogsResult,
  readRunLogs,
} from "./logs.js";
export {
  type DefaultBranchPolicy,
  type ReadDefaultBranchPolicyOptions,
  readDefaultBranchPolicy,
} from "./policy.js";
export {
  type AnnotationFacts,
  classifyJobEnd,
  type JobEndFacts,
  type JobEndVerdict,
  type JobStepFacts,
} from "./runner-lost.js";
export {
  isDefaultBranchRef,
  PULL_REQUEST_INPUT,
  plannedRunsOnInput,
  RUNS_ON_INPUT,
  type TrustInputsOptions,
  trustInputs,
  UNTRUSTED_INPUT,
} from "./trust.js";
