import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  CHARTS_MAX,
  COMMAND_PREFIX,
  COMMAND_USAGE,
  DEFAULT_LABEL,
  PERMISSION_LEVELS,
  PULL_REQUEST_COMMITS_LIMIT,
  REPLY_MARKER,
  SHA_TOKEN_PATTERN,
  STATUS_DESCRIPTION_MAX,
  authorizeActor,
  code,
  codeBlock,
  codeCell,
  createStickyComment,
  findCommandLine,
  formatDuration,
  formatMetricNumber,
  handleIssueComment,
  handlePullRequestLabel,
  handleRepositoryDispatch,
  isFork,
  jobFor,
  jobRefusal,
  link,
  minimumRole,
  parseCommand,
  parseMetrics,
  pinPullRequest,
  policyRefusal,
  renderCommand,
  renderMetricsMarkdown,
  renderSticky,
  replyText,
  reportRun,
  setCommitStatus,
  statusContext,
  stickyMarker,
  triggerRefusal
} from "./chunk-TGNLXGRD.js";
import "./chunk-JOHSBRTS.js";
import {
  METRICS_DIR,
  METRICS_MAX
} from "./chunk-JKJATBYZ.js";
import "./chunk-MDTW7KAN.js";
import "./chunk-GUKMPEGV.js";
import "./chunk-WHLF2K26.js";
import "./chunk-6ETKDQGE.js";
import "./chunk-4DSC3WTW.js";
import "./chunk-HTFTXNBD.js";
import "./chunk-NQND4VWP.js";
import "./chunk-2XQLGBSN.js";
export {
  CHARTS_MAX,
  COMMAND_PREFIX,
  COMMAND_USAGE,
  DEFAULT_LABEL,
  METRICS_DIR,
  METRICS_MAX,
  PERMISSION_LEVELS,
  PULL_REQUEST_COMMITS_LIMIT,
  REPLY_MARKER,
  SHA_TOKEN_PATTERN,
  STATUS_DESCRIPTION_MAX,
  authorizeActor,
  code,
  codeBlock,
  codeCell,
  createStickyComment,
  findCommandLine,
  formatDuration,
  formatMetricNumber,
  handleIssueComment,
  handlePullRequestLabel,
  handleRepositoryDispatch,
  isFork,
  jobFor,
  jobRefusal,
  link,
  minimumRole,
  parseCommand,
  parseMetrics,
  pinPullRequest,
  policyRefusal,
  renderCommand,
  renderMetricsMarkdown,
  renderSticky,
  replyText,
  reportRun,
  setCommitStatus,
  statusContext,
  stickyMarker,
  triggerRefusal
};
