/**
 * The sticky comment: one comment per pull request, found again by a hidden marker and edited in
 * place, that says what the last command or label started and how it went.
 *
 * @module
 */
import { apiUrlOf, type GitHubClient, restError } from "@dstack/github";
import type { DirectionOverrides, MetricsReport } from "@dstack/metrics";
import { formatDuration as formatDurationIn } from "@dstack/spec";
import { code, codeBlock, codeCell, link } from "./markdown.js";
import type { MetricValue } from "./metrics.js";
import { type BaseRun, renderMetricsMarkdown } from "./metrics-markdown.js";

/** Where a run stands, as the sticky comment shows it. */
export type StickyStatus =
  | "queued"
  | "running"
  | "success"
  | "failure"
  | "cancelled"
  | "refused"
  | "label-removed";

/** A link to something a run produced. */
export interface StickyLink {
  /** The name shown (an artifact or tag name). */
  name: string;
  /** Its page or download URL; absent: the name alone. */
  url?: string;
}

/** What {@link renderSticky} shows. Every text field is user-controlled and escaped. */
export interface StickyState {
  /** The pull request number (part of the marker). */
  pr: number;
  /** Where the run stands. */
  status: StickyStatus;
  /** The workflow. */
  workflow?: string;
  /** The command line as written (`/dstack run ...`), or `label dstack-run`. */
  command?: string;
  /** The login of who asked (shown as code: no mention, no notification). */
  actor?: string;
  /** The pinned commit (full SHA; shown as 12 digits). */
  sha?: string;
  /** The dstack run name. */
  runName?: string;
  /** The workflow run's page. */
  workflowRunUrl?: string;
  /** The runner that ran the job. */
  runner?: string;
  /** How long the run took, in milliseconds. */
  durationMs?: number;
  /**
   * Metrics the job wrote, by name (`lastValues` of `@dstack/metrics`); not shown when
   * `metricsReport` is given.
   */
  metrics?: Record<string, MetricValue>;
  /**
   * Curves and values the job wrote (`@dstack/metrics` `readMetricsDir` of its `metrics`
   * artifact): a table, a Mermaid chart per curve, and their problems.
   */
  metricsReport?: MetricsReport;
  /**
   * The run to compare with (the latest successful run of the same workflow on the default
   * branch): base / this run / change, and the base curve on each chart. `null`: none found,
   * said so. Absent: no comparison.
   */
  base?: BaseRun | null;
  /**
   * Which way is better for the named metrics (the workflow's `metrics:`, `Job.metrics` of
   * `@dstack/spec`), over the name rule, in the comparison's better/worse. Read the reports with
   * the same directions so that their best values follow them too.
   */
  metricDirections?: DirectionOverrides;
  /** The run's artifacts. */
  artifacts?: StickyLink[];
  /** Tags pointing at the run's artifacts. */
  tags?: StickyLink[];
  /** Plain text shown in a code block: a refusal's message, a note. */
  message?: string;
}

/** The hidden first line that marks the sticky comment of pull request `pr`. */
export function stickyMarker(pr: number): string {
  return `<!-- dstack-run:pr-${pr} -->`;
}

const STATUS_TITLE: Record<StickyStatus, string> = {
  queued: "⏳ queued",
  running: "🏃 running",
  success: "✅ success",
  failure: "❌ failure",
  cancelled: "🚫 cancelled",
  refused: "⛔ refused",
  "label-removed": "🏷️ label removed",
};

/** `3723000` -> `1h 2m 3s`; `42000` -> `42s` (`formatDuration` of `@dstack/spec`, style `short`). */
export function formatDuration(ms: number): string {
  return formatDurationIn(ms, { style: "short" });
}

const formatValue = (v: MetricValue): string =>
  typeof v === "number" ? String(Number.isInteger(v) ? v : Number(v.toPrecision(6))) : String(v);

/**
 * Renders the sticky comment: the marker, a title with the status, a table of what is known
 * (workflow, command, commit, who asked, run name linked to its workflow run, runner, duration),
 * the metrics (a table, or with `metricsReport` a table against the base run and a Mermaid chart
 * per curve), links to artifacts and tags, and `message` in a code block.
 *
 * User-controlled text (command, workflow, names, metric names and values, logins, the message)
 * is shown only inside code spans or blocks, so it cannot add markup, HTML, links or mentions.
 */
export function renderSticky(state: StickyState): string {
  const rows: [string, string][] = [];
  if (state.workflow !== undefined) rows.push(["Workflow", codeCell(state.workflow)]);
  if (state.command !== undefined) rows.push(["Command", codeCell(state.command)]);
  if (state.sha !== undefined) rows.push(["Commit", codeCell(state.sha.slice(0, 12))]);
  if (state.actor !== undefined) rows.push(["Requested by", codeCell(state.actor)]);
  if (state.runName !== undefined || state.workflowRunUrl !== undefined) {
    rows.push(["Run", link(codeCell(state.runName ?? "workflow run"), state.workflowRunUrl)]);
  }
  if (state.runner !== undefined) rows.push(["Runner", codeCell(state.runner)]);
  if (state.durationMs !== undefined) rows.push(["Duration", formatDuration(state.durationMs)]);

  const out = [stickyMarker(state.pr), `### dstack run: ${STATUS_TITLE[state.status]}`, ""];
  if (rows.length > 0) {
    out.push("| | |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`), "");
  }
  const metrics = Object.entries(state.metrics ?? {});
  if (state.metricsReport) {
    const lines = renderMetricsMarkdown({
      metrics: state.metricsReport,
      ...(state.base !== undefined ? { base: state.base } : {}),
      ...(state.metricDirections ? { directions: state.metricDirections } : {}),
    });
    if (lines.length > 0) out.push(...lines, "");
  } else if (metrics.length > 0) {
    out.push(
      "**Metrics**",
      "",
      "| metric | value |",
      "|---|---:|",
      ...metrics.map(([k, v]) => `| ${codeCell(k)} | ${codeCell(formatValue(v))} |`),
      "",
    );
  }
  const links = (items: StickyLink[]) => items.map((a) => link(code(a.name), a.url)).join(", ");
  if (state.artifacts?.length) out.push(`**Artifacts**: ${links(state.artifacts)}`, "");
  if (state.tags?.length) out.push(`**Tags**: ${links(state.tags)}`, "");
  if (state.message) out.push(codeBlock(state.message), "");
  return `${out.join("\n").trimEnd()}\n`;
}

/** Options of {@link createStickyComment}. */
export interface StickyCommentOptions {
  /** A client from `@dstack/github` `createGitHubClient` (`pull-requests: write` or `issues: write`). */
  client: GitHubClient;
  /** The repository owner. */
  owner: string;
  /** The repository name. */
  repo: string;
  /** The pull request number. */
  pr: number;
  /**
   * Logins whose comments may be the sticky one. Default `["github-actions[bot]"]` (the
   * workflow token's user); a GitHub App's token comments as `<app-slug>[bot]`. Anyone can paste
   * the marker into a comment: only a comment by one of these, starting with the marker, counts.
   */
  authors?: readonly string[];
}

/** The sticky comment of one pull request. */
export interface StickyComment {
  /** The existing comment's id, or `undefined` (lists the comments, every page, once). */
  find(): Promise<number | undefined>;
  /**
   * Renders `state` and edits the comment (`PATCH /repos/{o}/{r}/issues/comments/{id}`), or
   * creates it (`POST /repos/{o}/{r}/issues/{n}/comments`) the first time.
   *
   * @returns the comment id.
   * @throws GitHubError when GitHub refuses.
   */
  update(state: Omit<StickyState, "pr">): Promise<number>;
}

/**
 * The sticky comment of a pull request, found by {@link stickyMarker} at the start of a comment
 * by one of `authors` (`GET /repos/{o}/{r}/issues/{n}/comments`).
 */
export function createStickyComment(options: StickyCommentOptions): StickyComment {
  const { client, owner, repo, pr } = options;
  const authors = new Set((options.authors ?? ["github-actions[bot]"]).map((a) => a.toLowerCase()));
  const marker = stickyMarker(pr);
  const where = `pull request #${pr} of ${owner}/${repo}`;
  let id: number | undefined;
  let looked = false;
  const find = async (): Promise<number | undefined> => {
    if (looked) return id;
    try {
      const comments = await client.paginate(
        "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
        { owner, repo, issue_number: pr, per_page: 100 },
      );
      const found = comments.find(
        (c) =>
          (c.body ?? "").startsWith(marker) && authors.has((c.user?.login ?? "").toLowerCase()),
      );
      id = found ? Number(found.id) : undefined;
      looked = true;
      return id;
    } catch (e) {
      throw restError(`list the comments of ${where}`, e, apiUrlOf(client));
    }
  };
  return {
    find,
    async update(state) {
      const body = renderSticky({ ...state, pr });
      const existing = await find();
      try {
        if (existing !== undefined) {
          await client.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
            owner,
            repo,
            comment_id: existing,
            body,
          });
          return existing;
        }
        const { data } = await client.request(
          "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
          { owner, repo, issue_number: pr, body },
        );
        // Comment ids are int64 in GitHub's description; they fit a double.
        id = Number(data.id);
        return id;
      } catch (e) {
        throw restError(`write the dstack comment on ${where}`, e, apiUrlOf(client));
      }
    },
  };
}
