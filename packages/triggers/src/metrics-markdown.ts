/**
 * A run's metrics as Markdown, for the sticky comment and job summaries: a table of each
 * metric's last and best value (or, against a base run, base / this run / change, the better
 * direction marked), a Mermaid chart per curve, and the problems met while reading.
 *
 * @module
 */
import {
  type CompareMetricsOptions,
  compareMetrics,
  DIRECTION_ARROW,
  formatMetricNumber,
  type MetricComparison,
  type MetricSeries,
  type MetricsReport,
  mermaidBlock,
} from "@dstack/metrics";
import { code, codeBlock, codeCell, link } from "./markdown.js";

/** Most charts drawn; the other metrics are in the table only. */
export const CHARTS_MAX = 8;

/** The run a pull request's run is compared with. */
export interface BaseRun {
  /** Its dstack run name. */
  runName: string;
  /** Its workflow run's page. */
  url?: string;
  /** Its metrics (`parseMetricsFiles` or `readMetricsDir` of `@dstack/metrics`). */
  metrics: MetricsReport;
}

/** Options of {@link renderMetricsMarkdown}. */
export interface MetricsMarkdownOptions {
  /** This run's metrics. */
  metrics: MetricsReport;
  /**
   * The base run (the latest successful run of the same workflow on the default branch): a
   * comparison table and a second line on each chart. `null`: none was found, and the text says
   * so. Absent: no comparison.
   */
  base?: BaseRun | null;
  /** Per-metric directions over the name rule of `@dstack/metrics` `directionOf`. */
  directions?: CompareMetricsOptions["directions"];
  /** Most charts (default {@link CHARTS_MAX}). */
  chartsMax?: number;
  /** Heading level of the section title (default 4, `####`). */
  headingLevel?: number;
}

const ARROW = DIRECTION_ARROW;

/** `-0.03 (-14.3%) ✅ better`, `+2 ❌ worse`, `0 same`, `new`, `not logged`. */
function changeText(c: MetricComparison): string {
  if (c.verdict === "new") return "new";
  if (c.verdict === "missing") return "not logged";
  const change = c.change ?? 0;
  const sign = change > 0 ? "+" : change < 0 ? "−" : "";
  const rel =
    c.relative !== undefined && change !== 0
      ? ` (${sign}${Math.abs(c.relative * 100).toFixed(1)}%)`
      : "";
  const mark =
    c.verdict === "better" ? " ✅ better" : c.verdict === "worse" ? " ❌ worse" : " same";
  return `${sign}${formatMetricNumber(Math.abs(change))}${rel}${mark}`;
}

/** A cell of a number, or `–` when absent. */
const num = (v: number | undefined): string =>
  v === undefined ? "–" : codeCell(formatMetricNumber(v));

/**
 * Renders a run's metrics as Markdown lines (no trailing blank line). Every metric name and
 * string value is inside a code span; charts are fenced `mermaid` blocks whose text keeps only
 * characters that cannot end a string, the diagram or the fence (`@dstack/metrics`
 * `chartText`), so user text adds no markup, HTML, links or mentions. Empty when there are no
 * metrics and no problems.
 */
export function renderMetricsMarkdown(options: MetricsMarkdownOptions): string[] {
  const { metrics, base } = options;
  const heading = "#".repeat(options.headingLevel ?? 4);
  const scalars = Object.entries(metrics.scalars);
  if (metrics.series.length === 0 && scalars.length === 0 && metrics.problems.length === 0) {
    return [];
  }
  const out: string[] = [`${heading} Metrics`, ""];
  if (base !== undefined) {
    if (base === null) {
      out.push(
        "No base run: no successful run of this workflow on the default branch to compare with.",
        "",
      );
    } else {
      out.push(
        `Compared with ${link(code(base.runName), base.url)}, the latest successful run of this workflow on the default branch:`,
        "",
      );
      const rows = compareMetrics(metrics, base.metrics, {
        ...(options.directions ? { directions: options.directions } : {}),
      });
      if (rows.length > 0) {
        out.push("| metric | base | this run | change |", "|---|---:|---:|---|");
        for (const c of rows) {
          out.push(
            `| ${codeCell(c.name)} ${ARROW[c.direction]} | ${num(c.base)} | ${num(c.value)} | ${changeText(c)} |`,
          );
        }
        out.push("", "↓ lower is better, ↑ higher is better; values are each run's last.", "");
      }
    }
  }
  if (base === undefined || base === null) {
    if (metrics.series.length > 0) {
      out.push("| metric | last | best | points |", "|---|---:|---:|---:|");
      for (const s of metrics.series) {
        out.push(
          `| ${codeCell(s.name)} ${ARROW[s.direction]} | ${num(s.last.value)} at ${s.last.step} | ${num(s.best.value)} at ${s.best.step} | ${s.count} |`,
        );
      }
      out.push("");
    }
    if (scalars.length > 0) {
      out.push("| metric | value |", "|---|---:|");
      for (const [k, v] of scalars) {
        out.push(
          `| ${codeCell(k)} | ${codeCell(typeof v === "number" ? formatMetricNumber(v) : String(v))} |`,
        );
      }
      out.push("");
    }
  }
  const max = options.chartsMax ?? CHARTS_MAX;
  const baseSeries = new Map<string, MetricSeries>(
    (base?.metrics.series ?? []).map((s) => [s.name, s]),
  );
  const charted = metrics.series.slice(0, max);
  for (const s of charted) {
    const other = baseSeries.get(s.name);
    out.push(mermaidBlock(s, other ? { base: other } : {}), "");
  }
  if (charted.length > 0 && base) {
    out.push(`On each chart the first line is this run, the second ${code(base.runName)}.`, "");
  }
  if (metrics.series.length > charted.length) {
    out.push(
      `${metrics.series.length - charted.length} more curves are in the table only (at most ${max} charts).`,
      "",
    );
  }
  if (metrics.problems.length > 0) out.push(codeBlock(metrics.problems.join("\n")), "");
  while (out.at(-1) === "") out.pop();
  return out;
}
