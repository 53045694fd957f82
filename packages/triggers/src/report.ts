/**
 * After the dispatch: the run's progress and result on the pull request, in the sticky comment
 * and the commit status of the pinned commit.
 *
 * @module
 */
import { type FollowedOutcome, type GitHubClient, RunConcludedError } from "@dstack/github";
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
  /** Metrics the job wrote, by name (`lastValues` of `@dstack/metrics`). */
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
 * Updates the sticky comment (its metrics compared by the directions of the decision's job,
 * `Job.metrics`) and sets the commit status (`dstack/<workflow>` on the pinned
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
  }).update({
    workflow: d.workflow,
    command: d.command,
    actor: d.actor,
    sha: d.sha,
    // The default branch's workflow says which way each metric is better, not the pull request.
    ...(d.job.metrics ? { metricDirections: d.job.metrics } : {}),
    ...report,
  });
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

/** Options of {@link endedRunReport}. */
export interface EndedRunReportOptions {
  /** The followed run, as `@dstack/github` `dispatchAndFollow` resolved it. */
  outcome: Pick<
    FollowedOutcome,
    "conclusion" | "runName" | "htmlUrl" | "durationMs" | "jobs" | "workflowRunId"
  >;
  /** The run's data artifacts: GitHub's artifact id and the artifact path it was saved from. */
  artifacts: readonly { id: number; path: string }[];
  /** The metrics the run wrote (`report`), or why they could not be read (`problem`). */
  metrics?: { report?: MetricsReport; problem?: string };
  /** The tag the run was asked to write; linked only when the run succeeded. */
  tag?: string;
  /** The web server, e.g. `https://github.com` (`GITHUB_SERVER_URL`), for the artifact links. */
  serverUrl: string;
  /** `owner/name` of the repository the run ran in. */
  repository: string;
}

/**
 * What the pull request shows once the followed run completed: `success`, `cancelled` or
 * `failure` (any other conclusion), its duration and runner (the first job's that has one), its
 * metrics, links to its artifacts (`SERVER/OWNER/NAME/actions/runs/ID/artifacts/ARTIFACT_ID`)
 * and, after a success, its tag. A metrics download that failed becomes the report's `message`;
 * the problems found in the metrics themselves are shown with the charts (`metricsReport`), once.
 */
export function endedRunReport(options: EndedRunReportOptions): RunReport {
  const { outcome, metrics = {} } = options;
  const runner = outcome.jobs.find((j) => j.runnerName)?.runnerName ?? undefined;
  const success = outcome.conclusion === "success";
  return {
    status: success ? "success" : outcome.conclusion === "cancelled" ? "cancelled" : "failure",
    runName: outcome.runName,
    workflowRunUrl: outcome.htmlUrl,
    durationMs: outcome.durationMs,
    ...(runner ? { runner } : {}),
    ...(metrics.report ? { metrics: metrics.report.scalars, metricsReport: metrics.report } : {}),
    artifacts: options.artifacts.map((a) => ({
      name: a.path,
      url: `${options.serverUrl}/${options.repository}/actions/runs/${outcome.workflowRunId}/artifacts/${a.id}`,
    })),
    ...(options.tag !== undefined && success ? { tags: [{ name: options.tag }] } : {}),
    ...(metrics.problem ? { message: metrics.problem } : {}),
  };
}

/**
 * What the pull request shows when dispatching or following threw `error`: `failure` when no
 * workflow run was seen (`workflowRunUrl` empty: GitHub refused the dispatch, ...), `cancelled`
 * when one was (the follow was cut short), with the error's message. `undefined` for a
 * {@link RunConcludedError}: that run completed and {@link endedRunReport} already said how.
 */
export function failedRunReport(
  error: unknown,
  seen: { runName: string; workflowRunUrl: string },
): RunReport | undefined {
  if (seen.workflowRunUrl !== "" && error instanceof RunConcludedError) return undefined;
  return {
    status: seen.workflowRunUrl === "" ? "failure" : "cancelled",
    ...(seen.runName ? { runName: seen.runName } : {}),
    ...(seen.workflowRunUrl ? { workflowRunUrl: seen.workflowRunUrl } : {}),
    message: error instanceof Error ? error.message : String(error),
  };
}
