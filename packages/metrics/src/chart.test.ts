import { mermaidBlocks, parseXyChart } from "@dstack/testing";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  chartPoints,
  chartText,
  formatChartNumber,
  mermaidBlock,
  mermaidChart,
  printable,
  sparkline,
} from "./chart.js";
import { compareMetrics } from "./compare.js";
import { parseMetricsFiles } from "./parse.js";
import type { DirectionOverrides, MetricSeries } from "./types.js";

/** One series read from JSON lines of `name` at the given steps and values. */
function series(name: string, points: [number, number][]): MetricSeries {
  const text = points.map(([step, v]) => JSON.stringify({ step, [name]: v })).join("\n");
  const r = parseMetricsFiles([{ path: "metrics/m.jsonl", text }]);
  const s = r.series[0];
  if (!s) throw new Error(`no series: ${r.problems.join("; ")}`);
  return s;
}

const curve = (n: number, f: (i: number) => number): [number, number][] =>
  Array.from({ length: n }, (_, i) => [i * 10, f(i)]);

describe("mermaidChart, read back by Mermaid's own parser", () => {
  it("draws a short curve as is, with last and best in the title", async () => {
    const s = series("val_loss", [
      [0, 1.2],
      [1, 0.5],
      [2, 0.25],
      [3, 0.3],
    ]);
    const chart = await parseXyChart(mermaidChart(s));
    expect(chart).toEqual({
      title: "val_loss: last 0.3 at step 3, best 0.25 at step 2",
      xAxis: { title: "step", categories: ["0", "1", "2", "3"] },
      yAxisTitle: "val_loss",
      lines: [[1.2, 0.5, 0.25, 0.3]],
    });
  });

  it("thins a long curve to 50 points, keeping first, last and best", async () => {
    const s = series(
      "accuracy",
      curve(5000, (i) => (i === 3333 ? 0.999 : 0.5 + i / 20000)),
    );
    const chart = await parseXyChart(mermaidChart(s));
    expect(chart.xAxis.categories).toHaveLength(50);
    expect(chart.xAxis.categories[0]).toBe("0");
    expect(chart.xAxis.categories.at(-1)).toBe("49990");
    expect(chart.xAxis.categories).toContain("33330");
    expect(chart.lines[0]).toContain(0.999);
    expect(chart.title).toBe("accuracy: last 0.74995 at step 49990, best 0.999 at step 33330");
  });

  it("draws the base run as a second line over the union of steps", async () => {
    const mine = series("loss", [
      [0, 1],
      [10, 0.5],
      [20, 0.2],
    ]);
    const base = series("loss", [
      [0, 1.1],
      [15, 0.6],
      [30, 0.4],
    ]);
    const chart = await parseXyChart(mermaidChart(mine, { base }));
    expect(chart.xAxis.categories).toEqual(["0", "10", "15", "20", "30"]);
    expect(chart.lines).toEqual([
      [1, 0.5, 0.5, 0.2, 0.2],
      [1.1, 1.1, 0.6, 0.6, 0.4],
    ]);
  });

  it("keeps at most 50 steps with a long base run too", async () => {
    const mine = series(
      "loss",
      curve(300, (i) => 1 / (i + 1)),
    );
    const base = series(
      "loss",
      curve(700, (i) => 2 / (i + 1)).map(([s, v]) => [s + 5, v]),
    );
    const chart = await parseXyChart(mermaidChart(mine, { base }));
    expect(chart.xAxis.categories.length).toBeLessThanOrEqual(50);
    expect(chart.lines).toHaveLength(2);
    expect(chart.lines[0]).toHaveLength(chart.xAxis.categories.length);
  });

  it.each([
    { name: "tiny and huge values", values: [1e-9, 2.5e22, -3e-7], want: [1e-9, 2.5e22, -3e-7] },
    {
      name: "more digits than shown",
      values: [0.123456789, 1234567.89],
      want: [0.123457, 1234570],
    },
  ])("writes numbers Mermaid reads: $name", async ({ values, want }) => {
    const s = series(
      "x",
      values.map((v, i) => [i, v]),
    );
    const chart = await parseXyChart(mermaidChart(s));
    expect(chart.lines[0]).toEqual(want);
    expect(mermaidChart(s)).not.toMatch(/\de/);
  });

  it.each([
    { name: "a quote that ends the string", metric: 'loss" \n  line [1]' },
    { name: "a Markdown fence", metric: "loss\n```\n<img src=x onerror=alert(1)>" },
    { name: "HTML and an entity", metric: "<b>acc</b> &amp; #quot;" },
    { name: "a comment and a directive", metric: "%%{init: {}}%% ; acc" },
    { name: "only symbols", metric: "\"'`<>" },
  ])("keeps a hostile metric name inert: $name", async ({ metric }) => {
    const s = series(metric, [
      [0, 1],
      [1, 2],
    ]);
    const block = mermaidBlock(s);
    // Still one diagram, closed where it should be, with no way out of the fence.
    expect(mermaidBlocks(block)).toEqual([mermaidChart(s)]);
    expect(mermaidChart(s)).toMatch(
      /^xychart-beta\n {2}title "[^"\n]*"\n {2}x-axis "step" \[[-\d., ]*\]\n {2}y-axis "[^"\n]*"\n {2}line \[[-\d., ]*\]$/,
    );
    expect(mermaidChart(s)).not.toMatch(/[`<>#;&%{}]/);
    const chart = await parseXyChart(mermaidChart(s));
    expect(chart.title.startsWith(chartText(metric))).toBe(true);
    expect(chart.lines).toEqual([[1, 2]]);
  });

  it("property: every metric name gives a chart Mermaid parses, two lines of data intact", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 30 }),
        fc.array(fc.double({ noNaN: true, noDefaultInfinity: true, min: -1e30, max: 1e30 }), {
          minLength: 1,
          maxLength: 8,
        }),
        async (name, values) => {
          const s = series(
            name,
            values.map((v, i) => [i, v]),
          );
          const chart = await parseXyChart(mermaidChart(s, { base: s }));
          expect(chart.lines).toHaveLength(2);
          expect(chart.lines[0]).toEqual(values.map((v) => Number(formatChartNumber(v))));
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe("chartPoints", () => {
  it("keeps first, last and best, in order, at most max", () => {
    const s = series(
      "loss",
      curve(1000, (i) => (i === 501 ? 0 : 1)),
    );
    const pts = chartPoints(s, 10);
    expect(pts).toHaveLength(10);
    expect(pts[0]?.step).toBe(0);
    expect(pts.at(-1)?.step).toBe(9990);
    expect(pts).toContainEqual({ step: 5010, value: 0 });
    expect(pts.map((p) => p.step)).toEqual([...pts.map((p) => p.step)].sort((a, b) => a - b));
  });
});

describe("sparkline and printable", () => {
  it.each([
    { name: "rising", values: [0, 1, 2, 3, 4, 5, 6, 7], want: "▁▂▃▄▅▆▇█" },
    { name: "flat", values: [2, 2, 2], want: "▄▄▄" },
    { name: "empty", values: [], want: "" },
    { name: "one point", values: [5], want: "▄" },
  ])("sparkline: $name", ({ values, want }) => {
    expect(sparkline(values)).toBe(want);
  });

  it("samples long input to the width, ends kept", () => {
    const line = sparkline(
      Array.from({ length: 1000 }, (_, i) => i),
      20,
    );
    expect(line).toHaveLength(20);
    expect(line.startsWith("▁")).toBe(true);
    expect(line.endsWith("█")).toBe(true);
  });

  it("turns terminal control characters into ?", () => {
    expect(printable("loss\u001b[2J\u202e\r\n")).toBe("loss?[2J???");
  });
});

describe("compareMetrics", () => {
  it("compares last values by direction, new and missing metrics included", () => {
    const run = parseMetricsFiles([
      {
        path: "metrics/a.jsonl",
        text: '{"step": 1, "loss": 0.5, "acc": 0.8}\n{"step": 2, "loss": 0.3, "acc": 0.7}',
      },
      { path: "metrics/eval.json", text: '{"f1": 0.9, "bleu": 20, "model": "cnn"}' },
    ]);
    const base = parseMetricsFiles([
      { path: "metrics/a.jsonl", text: '{"step": 5, "loss": 0.4, "acc": 0.75, "old": 1}' },
      { path: "metrics/eval.json", text: '{"f1": 0.9, "bleu": 0}' },
    ]);
    expect(compareMetrics(run, base)).toEqual([
      {
        name: "f1",
        direction: "max",
        base: 0.9,
        value: 0.9,
        change: 0,
        relative: 0,
        verdict: "same",
      },
      { name: "bleu", direction: "max", base: 0, value: 20, change: 20, verdict: "better" },
      {
        name: "loss",
        direction: "min",
        base: 0.4,
        value: 0.3,
        change: expect.closeTo(-0.1, 10),
        relative: expect.closeTo(-0.25, 10),
        verdict: "better",
      },
      {
        name: "acc",
        direction: "max",
        base: 0.75,
        value: 0.7,
        change: expect.closeTo(-0.05, 10),
        relative: expect.closeTo(-0.0667, 3),
        verdict: "worse",
      },
      { name: "old", direction: "max", base: 1, verdict: "missing" },
    ]);
  });
});

describe("compareMetrics with directions", () => {
  // Curves read by the name rule (loss lower, acc higher), last-value bleu higher.
  const run = parseMetricsFiles([
    { path: "metrics/a.jsonl", text: '{"step": 1, "loss": 0.5, "acc": 0.8}' },
    { path: "metrics/eval.json", text: '{"bleu": 30}' },
  ]);
  const base = parseMetricsFiles([
    { path: "metrics/a.jsonl", text: '{"step": 1, "loss": 0.4, "acc": 0.7}' },
    { path: "metrics/eval.json", text: '{"bleu": 20}' },
  ]);
  it.each<{ name: string; directions: DirectionOverrides; want: string[] }>([
    { name: "the name rule", directions: {}, want: ["worse", "better", "better"] },
    {
      name: "overrides of curves read by the name rule, and of a last value",
      directions: { loss: "max", acc: "min", bleu: "min" },
      want: ["better", "worse", "worse"],
    },
    {
      name: "an override of one metric only",
      directions: { acc: "min" },
      want: ["worse", "worse", "better"],
    },
  ])("$name", ({ directions, want }) => {
    const rows = compareMetrics(run, base, { directions });
    expect(rows.map((r) => r.name)).toEqual(["bleu", "loss", "acc"]);
    const byName = Object.fromEntries(rows.map((r) => [r.name, r.verdict]));
    expect([byName.loss, byName.acc, byName.bleu]).toEqual(want);
  });
});
