/**
 * The shapes of metrics a job logs, and the rule that says which way is better.
 *
 * @module
 */

/** The folder, relative to the job's working directory, that holds metrics files. */
export const METRICS_DIR = "metrics";

/** The file `dstack.metrics.log` appends to, relative to the job's working directory. */
export const METRICS_LOG_FILE = "metrics/dstack.jsonl";

/** The environment variable that names another file for `dstack.metrics.log`. */
export const METRICS_FILE_ENV = "DSTACK_METRICS_FILE";

/** Most metrics read from one run (series and last values together); more are counted in a problem. */
export const METRICS_MAX = 50;

/**
 * Most points kept of one metric while reading. Beyond it, every other point is dropped and only
 * every 2nd, 4th, ... point is read on (the first, last and best are always kept), so a file of
 * 10^6 points costs no more memory than one of 4 096.
 */
export const READ_POINTS_MAX = 4096;

/** A metric value from a last-value `metrics/*.json` file. */
export type MetricValue = number | string | boolean;

/** One metrics file: its path (e.g. `metrics/train.jsonl`) and its UTF-8 text. */
export interface MetricsFile {
  path: string;
  text: string;
}

/** Which way is better: `min` (a loss) or `max` (an accuracy). */
export type Direction = "min" | "max";

/** One point of a curve: the step (as logged; any finite number) and the value. */
export interface MetricPoint {
  step: number;
  value: number;
}

/** One metric's curve, as read. */
export interface MetricSeries {
  /** The name as logged (user text: escape before showing). */
  name: string;
  /** Which way is better ({@link directionOf}). */
  direction: Direction;
  /** The file it was read from, e.g. `metrics/dstack.jsonl`. */
  source: string;
  /**
   * Points in the order logged (steps never go back), at most about 2 x {@link READ_POINTS_MAX}:
   * evenly thinned when there were more, always with the first, last and best.
   */
  points: MetricPoint[];
  /** How many points were read (before thinning). */
  count: number;
  /** The first point logged. */
  first: MetricPoint;
  /** The last point logged. */
  last: MetricPoint;
  /** The best point: the lowest for `min`, the highest for `max` (the earliest on a tie). */
  best: MetricPoint;
}

/** Everything read from a run's metrics files. */
export interface MetricsReport {
  /** Curves from `*.jsonl` and `metrics.csv` files, in the order first seen. */
  series: MetricSeries[];
  /** Values from last-value `metrics/*.json` files; nested keys joined with `.`. */
  scalars: Record<string, MetricValue>;
  /**
   * What was left out and why, each naming `file:line` where there is one, e.g.
   * `metrics/train.jsonl:7: loss: NaN is not a finite number; the point is left out`.
   */
  problems: string[];
}

/** Per-metric directions that override {@link directionOf}'s rule, by exact name. */
export type DirectionOverrides = Readonly<Record<string, Direction>>;

/** Name parts that mean lower is better. */
const LOWER_IS_BETTER = new Set([
  "loss",
  "error",
  "err",
  "perplexity",
  "ppl",
  "mae",
  "mse",
  "rmse",
]);

/**
 * Which way is better for a metric: `min` when a part of its name (split at non-letters and
 * camelCase humps: `val_loss`, `train/loss`, `evalError`, `test.rmse`) is `loss`, `error`, `err`,
 * `perplexity`, `ppl`, `mae`, `mse` or `rmse`, or ends with `loss` (`nllloss`); else `max`.
 * `overrides` (by exact name) win.
 */
export function directionOf(name: string, overrides?: DirectionOverrides): Direction {
  const given = overrides && Object.hasOwn(overrides, name) ? overrides[name] : undefined;
  if (given === "min" || given === "max") return given;
  const parts = name
    .replace(/([a-z0-9])([A-Z])/g, "$1 $2")
    .toLowerCase()
    .split(/[^a-z0-9]+/);
  return parts.some((p) => LOWER_IS_BETTER.has(p) || p.endsWith("loss")) ? "min" : "max";
}

/** Whether `a` is better than `b` in `direction` (a tie is not better). */
export function isBetter(a: number, b: number, direction: Direction): boolean {
  return direction === "min" ? a < b : a > b;
}

/** The arrow that marks a metric's better direction in tables: `↓` lower, `↑` higher. */
export const DIRECTION_ARROW: Readonly<Record<Direction, string>> = Object.freeze({
  min: "↓",
  max: "↑",
});

/** A metric's number for a table or a terminal: integers as is, others to 6 significant digits. */
export function formatMetricNumber(v: number): string {
  return String(Number.isInteger(v) ? v : Number(v.toPrecision(6)));
}

/**
 * The last value of every metric: the last-value files' values, then each curve's last point
 * (a curve wins over a last-value file of the same name).
 */
export function lastValues(report: MetricsReport): Record<string, MetricValue> {
  const out: Record<string, MetricValue> = { ...report.scalars };
  for (const s of report.series) out[s.name] = s.last.value;
  return out;
}
