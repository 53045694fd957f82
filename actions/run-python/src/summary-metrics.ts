/**
 * The metrics part of `mode: run`'s job summary: the curves and values the job saved among its
 * artifacts (`metrics/*.jsonl` from `dstack.metrics.log`, Lightning's `metrics.csv`, last-value
 * `metrics/*.json`), as a table and a Mermaid chart per curve (GitHub renders Mermaid in job
 * summaries' Markdown).
 *
 * @module
 */
import { readMetricsDir } from "@dstack/metrics/node";

/**
 * The Markdown of the metrics saved under `artifactsDir` (a run's artifacts folder in the local
 * store), with a blank line before it so it follows the summary's HTML; `undefined` when the job
 * saved none. `@dstack/triggers` (the Markdown escaping) is loaded only then.
 */
export async function metricsSummary(artifactsDir: string): Promise<string | undefined> {
  const metrics = await readMetricsDir(artifactsDir);
  const none = metrics.series.length === 0 && metrics.problems.length === 0;
  if (none && Object.keys(metrics.scalars).length === 0) return undefined;
  const { renderMetricsMarkdown } = await import("@dstack/triggers");
  const lines = renderMetricsMarkdown({ metrics });
  return lines.length > 0 ? `\n${lines.join("\n")}\n` : undefined;
}
