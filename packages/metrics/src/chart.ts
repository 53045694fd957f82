/**
 * Curves for people: a Mermaid `xychart-beta` per metric (GitHub renders Mermaid in Markdown:
 * docs.github.com, "Creating diagrams"), and a one-line sparkline for terminals.
 *
 * @module
 */
import type { MetricPoint, MetricSeries } from "./types.js";

/** Most points on one chart. */
export const CHART_POINTS_MAX = 50;

/** Most characters of a metric name in a chart. */
const CHART_NAME_MAX = 60;

/**
 * `max` indices of `0..n-1` (all of them when `n <= max`), evenly spaced, sorted, with both ends
 * and the index `keep` (when given) among them: it replaces the nearest evenly spaced one.
 */
function pickIndices(n: number, max: number, keep?: number): number[] {
  if (n <= max) return Array.from({ length: n }, (_, i) => i);
  if (max < 2) return [n - 1];
  const picked = Array.from({ length: max }, (_, k) => Math.round((k * (n - 1)) / (max - 1)));
  if (keep !== undefined && keep > 0 && keep < n - 1 && !picked.includes(keep)) {
    let nearest = 1;
    for (let k = 1; k < max - 1; k++) {
      if (Math.abs((picked[k] as number) - keep) < Math.abs((picked[nearest] as number) - keep)) {
        nearest = k;
      }
    }
    picked[nearest] = keep;
    picked.sort((a, b) => a - b);
  }
  return picked;
}

/**
 * At most `max` of `series`' points, in order: always the first, the last and the best, the rest
 * evenly spaced by position.
 */
export function chartPoints(series: MetricSeries, max = CHART_POINTS_MAX): MetricPoint[] {
  const pts = series.points;
  const best = pts.findIndex((p) => p.step === series.best.step && p.value === series.best.value);
  return pickIndices(pts.length, max, best < 0 ? undefined : best).map(
    (i) => pts[i] as MetricPoint,
  );
}

const plain = new Intl.NumberFormat("en-US", {
  useGrouping: false,
  maximumSignificantDigits: 6,
});

/**
 * A number as Mermaid's xychart grammar reads it: plain decimal digits, never exponent notation
 * (`1e-7` does not parse), 6 significant digits: `0.0000001`, `12345.7`, `-0.5`; `-0` is `0`.
 */
export function formatChartNumber(value: number): string {
  return value === 0 ? "0" : plain.format(value);
}

/**
 * A metric name as text inside a Mermaid string: letters, digits, spaces and `()[].,/:_+=-`
 * kept, every other character (quotes, backticks, `#`, `;`, `<`, `>`, `%` and `{}` of Mermaid
 * directives, line breaks, controls)
 * becomes `_`, at most 60 characters. Nothing left can end the string, the diagram or the
 * Markdown fence around it.
 */
export function chartText(name: string): string {
  const safe = [...name].map((c) => (/^[\p{L}\p{N} ()[\].,/:_+=-]$/u.test(c) ? c : "_")).join("");
  const cut =
    [...safe].length > CHART_NAME_MAX
      ? `${[...safe].slice(0, CHART_NAME_MAX - 1).join("")}…`
      : safe;
  return cut.trim() === "" ? "metric" : cut;
}

/** Options of {@link mermaidChart}. */
export interface MermaidChartOptions {
  /** The same metric in the base run: drawn as the second line, over the same steps. */
  base?: MetricSeries;
  /** Most points (default {@link CHART_POINTS_MAX}). */
  maxPoints?: number;
}

/** The value of a curve at `step`: its last point at or before it, else its first point. */
function valueAt(points: readonly MetricPoint[], step: number): number {
  let v = points[0]?.value ?? 0;
  for (const p of points) {
    if (p.step > step) break;
    v = p.value;
  }
  return v;
}

/**
 * The Mermaid source (without the fence) of one metric's curve: the title names the metric and
 * its last and best values with their steps, the x axis holds the steps (at most 50, first, last
 * and best kept), the y axis the values. With `base`, a second line draws the base run's value
 * at each of the same steps (its last value at or before the step), over the union of both
 * runs' steps.
 */
export function mermaidChart(series: MetricSeries, options: MermaidChartOptions = {}): string {
  const max = options.maxPoints ?? CHART_POINTS_MAX;
  const name = chartText(series.name);
  const fmt = formatChartNumber;
  const title = `${name}: last ${fmt(series.last.value)} at step ${fmt(series.last.step)}, best ${fmt(series.best.value)} at step ${fmt(series.best.step)}`;
  const mine = chartPoints(series, max);
  const lines: number[][] = [];
  let steps: number[];
  if (options.base && options.base.points.length > 0) {
    const theirs = chartPoints(options.base, max);
    const union = [...new Set([...mine, ...theirs].map((p) => p.step))].sort((a, b) => a - b);
    // Thin the union evenly, keeping both ends and this run's best step.
    steps = pickIndices(union.length, max, union.indexOf(series.best.step)).map(
      (i) => union[i] as number,
    );
    lines.push(steps.map((s) => valueAt(series.points, s)));
    lines.push(steps.map((s) => valueAt(options.base?.points ?? [], s)));
  } else {
    steps = mine.map((p) => p.step);
    lines.push(mine.map((p) => p.value));
  }
  return [
    "xychart-beta",
    `  title "${title}"`,
    `  x-axis "step" [${steps.map(fmt).join(", ")}]`,
    `  y-axis "${name}"`,
    ...lines.map((l) => `  line [${l.map(fmt).join(", ")}]`),
  ].join("\n");
}

/** {@link mermaidChart} in a fenced `mermaid` code block, for Markdown. */
export function mermaidBlock(series: MetricSeries, options: MermaidChartOptions = {}): string {
  return `\`\`\`mermaid\n${mermaidChart(series, options)}\n\`\`\``;
}

const BARS = "▁▂▃▄▅▆▇█";

/**
 * A sparkline of `values` (at most `width` characters; longer input is sampled evenly, ends
 * kept): `▁▂▄▇█`. A flat curve is a row of `▄`; empty input is empty.
 */
export function sparkline(values: readonly number[], width = 40): string {
  if (values.length === 0) return "";
  const n = Math.min(width, values.length);
  const picked =
    values.length <= width
      ? values
      : Array.from(
          { length: n },
          (_, k) => values[Math.round((k * (values.length - 1)) / Math.max(1, n - 1))] as number,
        );
  const lo = Math.min(...picked);
  const hi = Math.max(...picked);
  if (hi === lo) return "▄".repeat(picked.length);
  return picked.map((v) => BARS[Math.round(((v - lo) / (hi - lo)) * (BARS.length - 1))]).join("");
}

/**
 * `name` for a terminal: control characters (C0, C1, and the bidirectional overrides that can
 * reorder a line) become `?`, at most 80 characters.
 */
export function printable(name: string): string {
  const safe = name.replace(/[\p{Cc}\u200e\u200f\u202a-\u202e\u2066-\u2069]/gu, "?");
  return safe.length > 80 ? `${safe.slice(0, 79)}…` : safe;
}
