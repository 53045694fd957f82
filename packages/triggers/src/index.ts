/**
 * `@dstack/triggers`: runs started from a pull request. A maintainer comments
 * `/dstack run train --gpu 2 -- --epochs 3` ({@link parseCommand}), or adds the `dstack-run`
 * label; the handlers ({@link handleIssueComment}, {@link handlePullRequestLabel}) check the
 * actor's role through the REST API ({@link authorizeActor}), pin the reviewed commit
 * ({@link pinPullRequest}), resolve the workflow of the default branch, answer on the pull
 * request and return a decision; {@link reportRun} keeps the sticky comment
 * ({@link createStickyComment}, {@link renderSticky}) and the commit status
 * ({@link setCommitStatus}) up to date. {@link handleRepositoryDispatch} decides on a
 * `repository_dispatch` (`event_type: dstack-run`) the same way. Every handler checks the
 * repository policy (`policy` option) before it accepts.
 *
 * @packageDocumentation
 */
export {
  type Authorization,
  type AuthorizeActorOptions,
  authorizeActor,
  PERMISSION_LEVELS,
  type PermissionLevel,
} from "./authorize.js";
export {
  COMMAND_PREFIX,
  COMMAND_USAGE,
  findCommandLine,
  type ParseCommandResult,
  type PullRequestCommand,
  parseCommand,
  renderCommand,
  SHA_TOKEN_PATTERN,
} from "./command.js";
export {
  type HandleRepositoryDispatchOptions,
  handleRepositoryDispatch,
  type RepositoryDispatchDecision,
} from "./dispatch-event.js";
export type {
  EventPullRequestRepo,
  EventRepository,
  EventUser,
  IssueCommentEvent,
  PullRequestEvent,
  RepositoryDispatchEvent,
} from "./events.js";
export {
  DEFAULT_LABEL,
  type Decision,
  type DispatchDecision,
  type HandleIssueCommentOptions,
  type HandlePullRequestLabelOptions,
  handleIssueComment,
  handlePullRequestLabel,
  type IgnoreDecision,
  jobFor,
  jobRefusal,
  minimumRole,
  policyRefusal,
  type RefuseDecision,
  triggerRefusal,
} from "./handle.js";
export { code, codeBlock, codeCell, link } from "./markdown.js";
export { METRICS_DIR, type MetricValue } from "./metrics.js";
export {
  type BaseRun,
  type MetricsMarkdownOptions,
  renderMetricsMarkdown,
} from "./metrics-markdown.js";
export {
  isFork,
  type PinnedPullRequest,
  type PinPullRequestOptions,
  PULL_REQUEST_COMMITS_LIMIT,
  pinPullRequest,
} from "./pin.js";
export type { Refusal, RefusalReason } from "./refusal.js";
export { REPLY_MARKER, type ReplyTextOptions, replyText } from "./replies.js";
export {
  type EndedRunReportOptions,
  endedRunReport,
  failedRunReport,
  type ReportRunOptions,
  type RunReport,
  reportRun,
} from "./report.js";
export {
  type CommitStatusState,
  type SetCommitStatusOptions,
  STATUS_DESCRIPTION_MAX,
  setCommitStatus,
  statusContext,
} from "./status.js";
export {
  createStickyComment,
  formatDuration,
  renderSticky,
  type StickyComment,
  type StickyCommentOptions,
  type StickyLink,
  type StickyState,
  type StickyStatus,
  stickyMarker,
} from "./sticky.js";
