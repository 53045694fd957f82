/**
 * `@dstack/metrics`: the training metrics a job logs, as data and as pictures. A job writes
 * JSON lines `{"step": N, "name": value}` (what `dstack.metrics.log` appends to
 * `metrics/dstack.jsonl`), Lightning's `CSVLogger` CSV, or last-value `metrics/*.json`;
 * {@link parseMetricsFiles} (or `readMetricsDir` of `@dstack/metrics/node`, which streams
 * from disk) reads them with bounded memory into curves with their last and best points
 * ({@link directionOf} says which way is better) and problems named by `file:line`;
 * {@link mermaidChart} draws a curve as a Mermaid `xychart-beta`, optionally over a base run's;
 * {@link sparkline} draws one for a terminal; {@link compareMetrics} sets a run against a base
 * run. Pure: no file system here.
 *
 * @packageDocumentation
 */
export {
  CHART_POINTS_MAX,
  chartPoints,
  chartText,
  formatChartNumber,
  type MermaidChartOptions,
  mermaidBlock,
  mermaidChart,
  printable,
  sparkline,
} from "./chart.js";
export {
  createMetricsCollector,
  type MetricsCollector,
  type MetricsCollectorOptions,
  PROBLEMS_PER_FILE,
} from "./collect.js";
export { type CompareMetricsOptions, compareMetrics, type MetricComparison } from "./compare.js";
export { CSV_OPTIONS, type MetricsFileKind, metricsFileKind, parseMetricsFiles } from "./parse.js";
export {
  DIRECTION_ARROW,
  type Direction,
  type DirectionOverrides,
  directionOf,
  formatMetricNumber,
  isBetter,
  lastValues,
  METRICS_DIR,
  METRICS_FILE_ENV,
  METRICS_LOG_FILE,
  METRICS_MAX,
  type MetricPoint,
  type MetricSeries,
  type MetricsFile,
  type MetricsReport,
  type MetricValue,
  READ_POINTS_MAX,
} from "./types.js";
