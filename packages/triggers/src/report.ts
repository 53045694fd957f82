/**
 * After the dispatch: the run's progress and result on the pull request, in the sticky comment
 * and the commit status of the pinned commit.
 *
 * @module
 */
import type { GitHubClient } from "@dstack/github";
import type { MetricsReport } from "@dstack/metrics";
import type { DispatchDecision } from "./handle.js";
import type { MetricValue } from "./metrics.js";
import type { BaseRun } from "./metrics-markdown.js";
import { type CommitStatusState, setCommitStatus } from "./status.js";
import {
  createStickyComment,
  formatDuration,
  type StickyLink,
  type StickyStatus,
} from "./sticky.js";

/** What is known of a dispatched run. */
export interface RunReport {
  /** `queued`, `running`, or how it ended. */
  status: Extract<StickyStatus, "queued" | "running" | "success" | "failure" | "cancelled">;
  /** The dstack run name. */
  runName?: string;
  /** The workflow run's page. */
  workflowRunUrl?: string;
  /** The runner that ran the job. */
  runner?: string;
  /** How long the run took, in milliseconds. */
  durationMs?: number;
  /** Metrics the job wrote (`parseMetrics`). */
  metrics?: Record<string, MetricValue>;
  /** Curves and values the job wrote, charted (see `StickyState.metricsReport`). */
  metricsReport?: MetricsReport;
  /** The default branch's run to compare with; `null`: none found (see `StickyState.base`). */
  base?: BaseRun | null;
  /** The run's artifacts. */
  artifacts?: StickyLink[];
  /** Tags pointing at them. */
  tags?: StickyLink[];
  /** A note, shown in a code block (e.g. metrics problems, a dispatch failure). */
  message?: string;
}

/** Options of {@link reportRun}. */
export interface ReportRunOptions {
  /** A client from `@dstack/github` `createGitHubClient`. */
  client: GitHubClient;
  /** The repository owner. */
  owner: string;
  /** The repository name. */
  repo: string;
  /** The decision the run was dispatched from. */
  decision: DispatchDecision;
  /** Where the run stands. */
  report: RunReport;
  /** Authors of the sticky comment (see `StickyCommentOptions.authors`). */
  stickyAuthors?: readonly string[];
}

const STATE: Record<RunReport["status"], CommitStatusState> = {
  queued: "pending",
  running: "pending",
  success: "success",
  failure: "failure",
  cancelled: "error",
};

/**
 * Updates the sticky comment and sets the commit status (`dstack/<workflow>` on the pinned
 * commit: `pending` while queued or running, then `success`, `failure`, or `error` when cancelled).
 *
 * @throws GitHubError when GitHub refuses either write.
 */
export async function reportRun(options: ReportRunOptions): Promise<void> {
  const { client, owner, repo, decision: d, report } = options;
  await createStickyComment({
    client,
    owner,
    repo,
    pr: d.pr.number,
    ...(options.stickyAuthors ? { authors: options.stickyAuthors } : {}),
  }).update({ workflow: d.workflow, command: d.command, actor: d.actor, sha: d.sha, ...report });
  const took = report.durationMs === undefined ? "" : ` in ${formatDuration(report.durationMs)}`;
  await setCommitStatus({
    client,
    owner,
    repo,
    sha: d.sha,
    state: STATE[report.status],
    context: d.statusContext,
    ...(report.workflowRunUrl ? { targetUrl: report.workflowRunUrl } : {}),
    description: `${report.runName ?? d.workflow}: ${report.status}${took}`,
  });
}
