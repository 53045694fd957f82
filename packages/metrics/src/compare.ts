/**
 * This run against a base run (the latest successful run of the same workflow on the default
 * branch): each metric's last value in both, the change, and whether it is better.
 *
 * @module
 */
import {
  type Direction,
  type DirectionOverrides,
  directionOf,
  isBetter,
  lastValues,
  type MetricsReport,
} from "./types.js";

/** One metric in both runs. */
export interface MetricComparison {
  /** The metric's name (user text). */
  name: string;
  /** Which way is better. */
  direction: Direction;
  /** The base run's last value; absent when the base run did not log it. */
  base?: number;
  /** This run's last value; absent when this run did not log it. */
  value?: number;
  /** `value - base`, when both are there. */
  change?: number;
  /** `change / |base|`, when both are there and `base` is not 0. */
  relative?: number;
  /**
   * `better` or `worse` in `direction`, `same` when equal, `new` when only this run logged it,
   * `missing` when only the base run did.
   */
  verdict: "better" | "worse" | "same" | "new" | "missing";
}

/** Options of {@link compareMetrics}. */
export interface CompareMetricsOptions {
  /** Per-metric directions over {@link directionOf}'s rule. */
  directions?: DirectionOverrides;
}

/** The numeric last values of a report (curves and last-value files). */
function numbers(report: MetricsReport): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, v] of Object.entries(lastValues(report))) {
    if (typeof v === "number" && Number.isFinite(v)) out.set(k, v);
  }
  return out;
}

/**
 * Compares the numeric last values of `run` and `base`, metric by metric: this run's metrics in
 * its order, then those only the base run has. The direction is `options.directions`' for a
 * metric it names; else a curve's is the one it was read with, a last-value metric's
 * {@link directionOf}'s.
 */
export function compareMetrics(
  run: MetricsReport,
  base: MetricsReport,
  options: CompareMetricsOptions = {},
): MetricComparison[] {
  const mine = numbers(run);
  const theirs = numbers(base);
  const directions = new Map<string, Direction>();
  for (const s of [...base.series, ...run.series]) directions.set(s.name, s.direction);
  const names = [...mine.keys(), ...[...theirs.keys()].filter((k) => !mine.has(k))];
  return names.map((name) => {
    const given = options.directions;
    const direction =
      given && Object.hasOwn(given, name)
        ? directionOf(name, given)
        : (directions.get(name) ?? directionOf(name));
    const value = mine.get(name);
    const b = theirs.get(name);
    if (value === undefined) return { name, direction, base: b as number, verdict: "missing" };
    if (b === undefined) return { name, direction, value, verdict: "new" };
    const change = value - b;
    const verdict = change === 0 ? "same" : isBetter(value, b, direction) ? "better" : "worse";
    return {
      name,
      direction,
      base: b,
      value,
      change,
      ...(b !== 0 ? { relative: change / Math.abs(b) } : {}),
      verdict,
    };
  });
}
