/**
 * Metrics a job reports, for the sticky comment.
 *
 * The contract: a job writes JSON objects to files `metrics/*.json` under its working directory
 * and lists `metrics` in its `artifacts`, e.g. `json.dump({"accuracy": 0.97}, open("metrics/eval.json", "w"))`.
 * The folder is saved with the run's other artifacts; after the run, the command mode downloads
 * that artifact (by run name, as `dstack artifacts` does) and passes the files to
 * {@link parseMetrics}. Nothing new runs on the runner, and a job without metrics has none.
 * Curves (`metrics/*.jsonl`, Lightning's `metrics.csv`) are read by `@dstack/metrics`.
 *
 * @module
 */

import {
  lastValues,
  METRICS_DIR,
  METRICS_MAX,
  type MetricsFile,
  type MetricValue,
  parseMetricsFiles,
} from "@dstack/metrics";

export { METRICS_DIR, METRICS_MAX, type MetricsFile, type MetricValue };

/** The result of {@link parseMetrics}. */
export interface ParsedMetrics {
  /** Metrics by name, in file order (files sorted by path); nested keys joined with `.`. */
  metrics: Record<string, MetricValue>;
  /** What was skipped and why: `metrics/a.json: not JSON (...)`, `metrics/a.json: loss: a list`. */
  problems: string[];
}

/**
 * Reads metrics files: each `.json` file must hold a JSON object whose values are numbers,
 * strings (cut to 200 characters), booleans or objects of those (flattened: `{"eval": {"f1":
 * 0.9}}` is `eval.f1`). Lists and `null` are skipped with a problem; a later file's key replaces
 * an earlier one's. JSON-lines and CSV curves give their last values. The last values of
 * `@dstack/metrics` `parseMetricsFiles`, which has the curves too. Never throws.
 */
export function parseMetrics(files: readonly MetricsFile[]): ParsedMetrics {
  const report = parseMetricsFiles(files);
  return { metrics: lastValues(report), problems: report.problems };
}
