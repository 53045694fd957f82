/**
 * Reading metrics: one collector takes JSON lines, CSV records and last-value JSON objects,
 * keeps a bounded number of points per metric, and names every problem by `file:line`.
 *
 * The formats:
 * - **JSON lines** (`metrics/*.jsonl`, what `dstack.metrics.log` writes): one object a line,
 *   `{"step": 10, "loss": 0.31, "accuracy": 0.9}`. `step` is a finite number; every other key
 *   is a metric whose value is a finite number (`null` means "not logged at this step"; `epoch`
 *   is not a metric).
 * - **Lightning's `CSVLogger`** (`metrics.csv`): a header of column names, among them `step`
 *   (and `epoch`, not a metric), then one row per logging call, with an empty cell where a row
 *   lacks a metric.
 * - **Last values** (`metrics/*.json`): one JSON object of numbers, strings and booleans
 *   (nested objects are flattened: `{"eval": {"f1": 0.9}}` is `eval.f1`).
 *
 * @module
 */
import { NOT_METRIC_NAMES } from "@dstack/spec";
import {
  type Direction,
  type DirectionOverrides,
  directionOf,
  isBetter,
  METRICS_MAX,
  type MetricPoint,
  type MetricSeries,
  type MetricsReport,
  type MetricValue,
  READ_POINTS_MAX,
} from "./types.js";

/** Most problems listed per file; the rest are counted. */
export const PROBLEMS_PER_FILE = 5;

/**
 * Keys of a JSON line, and CSV columns, that are not metrics: `NOT_METRIC_NAMES` of
 * `@dstack/spec`, the rule a workflow's `metrics:` names follow too.
 */
const NOT_METRICS = new Set(NOT_METRIC_NAMES);

/** Options of {@link createMetricsCollector}. */
export interface MetricsCollectorOptions {
  /** Per-metric directions by exact name, over {@link directionOf}'s rule. */
  directions?: DirectionOverrides;
  /** Most points kept per metric while reading (default {@link READ_POINTS_MAX}). */
  maxPoints?: number;
  /** Most metrics (default {@link METRICS_MAX}). */
  maxMetrics?: number;
}

/**
 * Takes a run's metrics piece by piece and gives a {@link MetricsReport}. Feed each file's lines
 * or records in order, files one after another; nothing it is given throws.
 */
export interface MetricsCollector {
  /** One line of a JSON-lines file (`line` counts from 1). Blank lines are skipped. */
  jsonLine(path: string, line: number, text: string): void;
  /** One CSV record (`line`: where it starts, from 1); the first record of a file is its header. */
  csvRecord(path: string, line: number, record: readonly string[]): void;
  /** The whole text of a last-value JSON file. */
  jsonObject(path: string, text: string): void;
  /** A problem found outside the collector (a file that could not be read), as given. */
  problem(path: string, text: string): void;
  /** What was read so far. */
  result(): MetricsReport;
}

/** A point with its position among the points read (for merging the kept ones back in order). */
interface Indexed extends MetricPoint {
  i: number;
}

interface SeriesState {
  name: string;
  direction: Direction;
  source: string;
  kept: Indexed[];
  stride: number;
  count: number;
  first: Indexed;
  last: Indexed;
  best: Indexed;
}

/** `value` as a `JSON.parse` of a line with `NaN`/`Infinity` gives it after {@link parseJsonLine}. */
const NON_FINITE = "\u0000non-finite:";

/**
 * `JSON.parse`, and where that fails, again with bare `NaN`, `Infinity` and `-Infinity` values
 * (what Python's `json.dumps` writes for them) turned into marked strings, so one bad value does
 * not hide the rest of its line.
 */
function parseJsonLine(text: string): { value: unknown } | { error: string } {
  try {
    return { value: JSON.parse(text) };
  } catch (e) {
    const patched = text.replace(
      /([:,[]\s*)(-?Infinity|NaN)(?=\s*[,}\]])/g,
      (_m, before: string, word: string) => `${before}${JSON.stringify(NON_FINITE + word)}`,
    );
    if (patched !== text) {
      try {
        return { value: JSON.parse(patched) };
      } catch {
        // Not JSON for another reason: report the first error.
      }
    }
    return { error: (e as Error).message };
  }
}

/** How a value that is not a finite number is described in a problem. */
function describe(value: unknown): string {
  if (typeof value === "string" && value.startsWith(NON_FINITE)) {
    return `${value.slice(NON_FINITE.length)} is not a finite number`;
  }
  if (typeof value === "number") return `${value} is not a finite number`;
  if (Array.isArray(value)) return "a list, not a number";
  if (typeof value === "object") return "an object, not a number";
  return `a ${typeof value}, not a number`;
}

/** `text` cut to `max` characters, with `…`. */
function cut(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Creates a {@link MetricsCollector}. */
export function createMetricsCollector(options: MetricsCollectorOptions = {}): MetricsCollector {
  const maxPoints = Math.max(4, options.maxPoints ?? READ_POINTS_MAX);
  const maxMetrics = options.maxMetrics ?? METRICS_MAX;
  const series = new Map<string, SeriesState>();
  const scalars: Record<string, MetricValue> = {};
  const problems: string[] = [];
  const perFile = new Map<string, number>();
  const otherSource = new Set<string>();
  const headers = new Map<string, { names: string[]; step: number }>();
  let dropped = 0;
  const droppedNames = new Set<string>();

  const report = (path: string, text: string): void => {
    const n = (perFile.get(path) ?? 0) + 1;
    perFile.set(path, n);
    if (n <= PROBLEMS_PER_FILE) problems.push(text);
  };
  const room = (name: string): boolean => {
    if (series.has(name) || Object.hasOwn(scalars, name)) return true;
    if (series.size + Object.keys(scalars).length < maxMetrics) return true;
    if (!droppedNames.has(name)) {
      droppedNames.add(name);
      dropped++;
    }
    return false;
  };

  const add = (path: string, where: string, name: string, step: number, value: number): void => {
    let s = series.get(name);
    if (s === undefined) {
      if (!room(name)) return;
      const p = { step, value, i: 0 };
      s = {
        name,
        direction: directionOf(name, options.directions),
        source: path,
        kept: [p],
        stride: 1,
        count: 1,
        first: p,
        last: p,
        best: p,
      };
      series.set(name, s);
      return;
    }
    if (s.source !== path) {
      if (!otherSource.has(`${path}\n${name}`)) {
        otherSource.add(`${path}\n${name}`);
        report(path, `${where}: ${name}: also logged in ${s.source}; shown from there only`);
      }
      return;
    }
    if (step < s.last.step) {
      report(
        path,
        `${where}: ${name}: step ${step} comes after step ${s.last.step}; steps must not go back, the point is left out`,
      );
      return;
    }
    const p = { step, value, i: s.count };
    s.count++;
    s.last = p;
    if (isBetter(value, s.best.value, s.direction)) s.best = p;
    if (p.i % s.stride === 0) {
      s.kept.push(p);
      if (s.kept.length >= 2 * maxPoints) {
        s.kept = s.kept.filter((_, k) => k % 2 === 0);
        s.stride *= 2;
      }
    }
  };

  /** The step of a JSON line or CSV row, or a problem. */
  const stepOf = (raw: unknown): number | string => {
    if (typeof raw === "number" && Number.isFinite(raw)) return raw;
    if (raw === undefined || raw === null || raw === "") return 'no "step"; each line needs one';
    return `"step" is ${describe(raw)}`;
  };

  return {
    jsonLine(path, line, text) {
      if (text.trim() === "") return;
      const where = `${path}:${line}`;
      const parsed = parseJsonLine(text);
      if ("error" in parsed) {
        report(path, `${where}: not JSON (${cut(parsed.error, 120)})`);
        return;
      }
      const obj = parsed.value;
      if (obj === null || typeof obj !== "object" || Array.isArray(obj)) {
        report(path, `${where}: not a JSON object; write {"step": N, "name": value, ...}`);
        return;
      }
      const record = obj as Record<string, unknown>;
      const step = stepOf(record.step);
      if (typeof step === "string") {
        report(path, `${where}: ${step}`);
        return;
      }
      for (const [name, value] of Object.entries(record)) {
        if (NOT_METRICS.has(name) || value === null) continue;
        if (typeof value !== "number" || !Number.isFinite(value)) {
          report(path, `${where}: ${cut(name, 100)}: ${describe(value)}; the point is left out`);
          continue;
        }
        add(path, where, name, step, value);
      }
    },

    csvRecord(path, line, record) {
      const header = headers.get(path);
      if (header === undefined) {
        const names = record.map((c) => c.trim());
        const step = names.indexOf("step");
        headers.set(path, { names, step });
        if (step < 0) report(path, `${path}:${line}: no "step" column; the file is left out`);
        return;
      }
      if (header.step < 0) return;
      const where = `${path}:${line}`;
      const rawStep = (record[header.step] ?? "").trim();
      const step = rawStep === "" ? Number.NaN : Number(rawStep);
      if (!Number.isFinite(step)) {
        report(
          path,
          `${where}: "step" is ${rawStep === "" ? "empty" : JSON.stringify(cut(rawStep, 40))}; the row is left out`,
        );
        return;
      }
      for (let k = 0; k < header.names.length; k++) {
        const name = header.names[k] ?? "";
        const cell = (record[k] ?? "").trim();
        if (NOT_METRICS.has(name) || cell === "" || name === "") continue;
        const value = Number(cell);
        if (!Number.isFinite(value)) {
          report(
            path,
            `${where}: ${cut(name, 100)}: ${JSON.stringify(cut(cell, 40))} is not a finite number; the point is left out`,
          );
          continue;
        }
        add(path, where, name, step, value);
      }
    },

    jsonObject(path, text) {
      let value: unknown;
      try {
        value = JSON.parse(text);
      } catch (e) {
        report(path, `${path}: not JSON (${cut((e as Error).message, 120)})`);
        return;
      }
      if (value === null || typeof value !== "object" || Array.isArray(value)) {
        report(path, `${path}: not a JSON object`);
        return;
      }
      const put = (key: string, v: unknown, depth: number): void => {
        if (typeof v === "number" || typeof v === "boolean") {
          if (typeof v === "number" && !Number.isFinite(v)) {
            report(path, `${path}: ${key}: not a finite number`);
          } else if (room(key)) {
            scalars[key] = v;
          }
        } else if (typeof v === "string") {
          if (room(key)) scalars[key] = cut(v, 200);
        } else if (v !== null && typeof v === "object" && !Array.isArray(v) && depth < 4) {
          for (const [k, inner] of Object.entries(v))
            put(key ? `${key}.${k}` : k, inner, depth + 1);
        } else {
          const what = Array.isArray(v) ? "a list" : v === null ? "null" : "nested too deep";
          report(
            path,
            `${path}: ${key || "(the file)"}: ${what}; use numbers, strings or booleans`,
          );
        }
      };
      put("", value, 0);
    },

    problem(path, text) {
      report(path, text);
    },

    result() {
      const out: MetricSeries[] = [];
      for (const s of series.values()) {
        const byIndex = new Map<number, Indexed>();
        for (const p of [...s.kept, s.best, s.last]) byIndex.set(p.i, p);
        const points = [...byIndex.values()]
          .sort((a, b) => a.i - b.i)
          .map(({ step, value }) => ({ step, value }));
        out.push({
          name: s.name,
          direction: s.direction,
          source: s.source,
          points,
          count: s.count,
          first: { step: s.first.step, value: s.first.value },
          last: { step: s.last.step, value: s.last.value },
          best: { step: s.best.step, value: s.best.value },
        });
      }
      const all = [...problems];
      for (const [path, n] of perFile) {
        if (n > PROBLEMS_PER_FILE)
          all.push(`${path}: ${n - PROBLEMS_PER_FILE} more problems not shown`);
      }
      if (dropped > 0) all.push(`${dropped} more metrics not shown (at most ${maxMetrics})`);
      return { series: out, scalars: { ...scalars }, problems: all };
    },
  };
}
