/**
 * What the sticky comment and the command mode share of `@dstack/metrics`, which reads a run's
 * metrics (`parseMetricsFiles`, `readMetricsDir` of `@dstack/metrics/node`).
 *
 * The contract: a job writes its metrics under `metrics/` in its working directory (JSON lines,
 * Lightning's `metrics.csv`, last-value `metrics/*.json`) and lists `metrics` in its
 * `artifacts`. The folder is saved with the run's other artifacts; after the run, the command
 * mode downloads that artifact (by run name, as `dstack artifacts` does) and reads it. Nothing new
 * runs on the runner, and a job without metrics has none.
 *
 * @module
 */

import { METRICS_DIR, type MetricValue } from "@dstack/metrics";

export { METRICS_DIR, type MetricValue };
