/**
 * Metrics a job reports, for the sticky comment.
 *
 * The contract: a job writes JSON objects to files `metrics/*.json` under its working directory
 * and lists `metrics` in its `artifacts`, e.g. `json.dump({"accuracy": 0.97}, open("metrics/eval.json", "w"))`.
 * The folder is saved with the run's other artifacts; after the run, the command mode downloads
 * that artifact (by run name, as `dstack artifacts` does) and passes the files to
 * {@link parseMetrics}. Nothing new runs on the runner, and a job without metrics has none.
 *
 * @module
 */

/** The folder, relative to the job's working directory, whose `*.json` files hold metrics. */
export const METRICS_DIR = "metrics";

/** Most metrics shown; more are counted in a problem. */
export const METRICS_MAX = 50;

/** A metric value as shown. */
export type MetricValue = number | string | boolean;

/** One metrics file: its path (e.g. `metrics/eval.json`) and its UTF-8 text. */
export interface MetricsFile {
  path: string;
  text: string;
}

/** The result of {@link parseMetrics}. */
export interface ParsedMetrics {
  /** Metrics by name, in file order (files sorted by path); nested keys joined with `.`. */
  metrics: Record<string, MetricValue>;
  /** What was skipped and why: `metrics/a.json: not JSON (...)`, `metrics/a.json: loss: a list`. */
  problems: string[];
}

/**
 * Reads metrics files: each must hold a JSON object whose values are numbers, strings (cut to
 * 200 characters), booleans or objects of those (flattened: `{"eval": {"f1": 0.9}}` is
 * `eval.f1`). Lists and `null` are skipped with a problem; a later file's key replaces an
 * earlier one's. Never throws.
 */
export function parseMetrics(files: readonly MetricsFile[]): ParsedMetrics {
  const metrics: Record<string, MetricValue> = {};
  const problems: string[] = [];
  let dropped = 0;
  const put = (path: string, key: string, value: unknown, depth: number): void => {
    if (typeof value === "number" || typeof value === "boolean") {
      if (typeof value === "number" && !Number.isFinite(value)) {
        problems.push(`${path}: ${key}: not a finite number`);
      } else if (key in metrics || Object.keys(metrics).length < METRICS_MAX) {
        metrics[key] = value;
      } else {
        dropped++;
      }
    } else if (typeof value === "string") {
      if (key in metrics || Object.keys(metrics).length < METRICS_MAX) {
        metrics[key] = value.length > 200 ? `${value.slice(0, 199)}…` : value;
      } else {
        dropped++;
      }
    } else if (value !== null && typeof value === "object" && !Array.isArray(value) && depth < 4) {
      for (const [k, v] of Object.entries(value)) put(path, key ? `${key}.${k}` : k, v, depth + 1);
    } else {
      const what = Array.isArray(value) ? "a list" : value === null ? "null" : "nested too deep";
      problems.push(`${path}: ${key || "(the file)"}: ${what}; use numbers, strings or booleans`);
    }
  };
  for (const file of [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0))) {
    let value: unknown;
    try {
      value = JSON.parse(file.text);
    } catch (e) {
      problems.push(`${file.path}: not JSON (${(e as Error).message})`);
      continue;
    }
    if (value === null || typeof value !== "object" || Array.isArray(value)) {
      problems.push(`${file.path}: not a JSON object`);
      continue;
    }
    put(file.path, "", value, 0);
  }
  if (dropped > 0) problems.push(`${dropped} more metrics not shown (at most ${METRICS_MAX})`);
  return { metrics, problems };
}
