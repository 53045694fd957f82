/**
 * The metrics part of `mode: run`'s job summary: the curves and values the job saved among its
 * artifacts (`metrics/*.jsonl` from `dstack.metrics.log`, Lightning's `metrics.csv`, last-value
 * `metrics/*.json`), as a table and a Mermaid chart per curve (GitHub renders Mermaid in job
 * summaries' Markdown).
 *
 * @module
 */
import type { DirectionOverrides } from "@dstack/metrics";
import { readMetricsDir } from "@dstack/metrics/node";

/** Options of {@link metricsSummary}. */
export interface MetricsSummaryOptions {
  /**
   * Which way is better for the named metrics (the job's `metrics:`, `Job.metrics`), over the
   * name rule: the arrows and best values follow it.
   */
  directions?: DirectionOverrides;
}

/**
 * The Markdown of the metrics saved under `artifactsDir` (a run's artifacts folder in the local
 * store), with a blank line before it so it follows the summary's HTML; `undefined` when the job
 * saved none. `@dstack/triggers` (the Markdown escaping) is loaded only then.
 */
export async function metricsSummary(
  artifactsDir: string,
  options: MetricsSummaryOptions = {},
): Promise<string | undefined> {
  const directions = options.directions;
  const metrics = await readMetricsDir(artifactsDir, directions ? { directions } : {});
  const none = metrics.series.length === 0 && metrics.problems.length === 0;
  if (none && Object.keys(metrics.scalars).length === 0) return undefined;
  const { renderMetricsMarkdown } = await import("@dstack/triggers");
  const lines = renderMetricsMarkdown({ metrics, ...(directions ? { directions } : {}) });
  return lines.length > 0 ? `\n${lines.join("\n")}\n` : undefined;
}
