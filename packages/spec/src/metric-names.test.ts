import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "./diagnostics.js";
import { jobToWorkflow } from "./job-json.js";
import { valueLocator } from "./locator.js";
import { metricNameProblem } from "./metric-names.js";
import { validateWorkflow } from "./validate.js";
import { parseWorkflows } from "./workflows.js";

const FILE = ".dstack/workflows.yaml";

/** A workflows file with one workflow `w` whose `metrics:` block is `lines` (indented under it). */
function fileWithMetrics(lines: string): string {
  const body = lines
    .split("\n")
    .map((l) => `      ${l}`)
    .join("\n");
  return `workflows:\n  - name: w\n    file: train.py\n    metrics:\n${body}\n`;
}

describe("metrics: in a workflow", () => {
  it.each([
    {
      name: "min and max by exact name",
      metrics: "val_loss: min\nf1: max",
      want: { val_loss: "min", f1: "max" },
    },
    {
      name: "against the name rule (a loss that counts higher, an accuracy lower)",
      metrics: "reward_loss: max\nerror_rate_target: min",
      want: { reward_loss: "max", error_rate_target: "min" },
    },
    {
      name: "names with dots, slashes and spaces, quoted",
      metrics: '"eval.f1": max\ntrain/loss: min\n"top 5": max',
      want: { "eval.f1": "max", "train/loss": "min", "top 5": "max" },
    },
    {
      name: "__proto__ stays a metric name",
      metrics: "__proto__: min",
      want: Object.fromEntries([["__proto__", "min"]]),
    },
    { name: "an empty map", metrics: "{}", want: {} },
  ])("accepts $name", ({ metrics, want }) => {
    const r = parseWorkflows({ files: [{ path: FILE, text: fileWithMetrics(metrics) }] });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([]);
    expect(r.jobs[0]?.metrics).toEqual(want);
    expect(Object.hasOwn(r.jobs[0]?.metrics ?? {}, Object.keys(want)[0] ?? "")).toBe(
      Object.keys(want).length > 0,
    );
  });

  it("is absent from the job when the workflow has none", () => {
    const text = "workflows:\n  - name: w\n    file: train.py\n";
    const r = parseWorkflows({ files: [{ path: FILE, text }] });
    expect(r.jobs[0]).not.toHaveProperty("metrics");
  });

  it.each([
    {
      name: "a word for lower that is not min",
      metrics: "val_loss: lower",
      want: `${FILE}:5:17: metrics.val_loss: "lower" is not a direction; did you mean "min"? (allowed: min when lower is better, max when higher is better)`,
    },
    {
      name: "maximize",
      metrics: "f1: maximize",
      want: `${FILE}:5:11: metrics.f1: "maximize" is not a direction; did you mean "max"? (allowed: min when lower is better, max when higher is better)`,
    },
    {
      name: "a typo",
      metrics: "acc: mx",
      want: `${FILE}:5:12: metrics.acc: "mx" is not a direction; did you mean "max"? (allowed: min when lower is better, max when higher is better)`,
    },
    {
      name: "a word with no near direction",
      metrics: "acc: best",
      want: `${FILE}:5:12: metrics.acc: "best" is not a direction (allowed: min when lower is better, max when higher is better)`,
    },
    {
      name: "a number",
      metrics: "acc: 1",
      want: `${FILE}:5:12: metrics.acc: 1 is not a direction (allowed: min when lower is better, max when higher is better)`,
    },
    {
      name: "step, which places points",
      metrics: "loss: min\nstep: max",
      want: `${FILE}:6:7: metrics.step: "step" is the step of each point, not a metric (step and epoch are never metrics)`,
    },
    {
      name: "epoch",
      metrics: "epoch: max",
      want: `${FILE}:5:7: metrics.epoch: "epoch" is the step of each point, not a metric (step and epoch are never metrics)`,
    },
    {
      name: "an empty name",
      metrics: '"": min',
      want: `${FILE}:5:7: metrics."": a metric name must not be empty`,
    },
    {
      name: "a name with a line break",
      metrics: '"val\\nloss": min',
      want: `${FILE}:5:7: metrics.val\nloss: "val\\nloss" holds a line break or another control character; a metric name is one line of text`,
    },
    {
      name: "a name over 200 characters",
      metrics: `${"a".repeat(201)}: max`,
      want: `${FILE}:5:7: metrics.${"a".repeat(201)}: "${"a".repeat(59)}…" is 201 characters; a metric name has at most 200`,
    },
    {
      name: "a list instead of a map",
      metrics: "- val_loss",
      want: `${FILE}:5:7: metrics: expected a map, got a list`,
    },
  ])("refuses $name, saying where, what was given and what is allowed", ({ metrics, want }) => {
    const r = parseWorkflows({ files: [{ path: FILE, text: fileWithMetrics(metrics) }] });
    expect(r.jobs).toEqual([]);
    expect(r.diagnostics.map(formatDiagnostic)).toEqual([want]);
  });

  it("survives the job's JSON round trip (jobToWorkflow, then validateWorkflow)", () => {
    const r = parseWorkflows({
      files: [{ path: FILE, text: fileWithMetrics("val_loss: max\naccuracy: min") }],
    });
    const job = r.jobs[0];
    expect(job?.metrics).toEqual({ val_loss: "max", accuracy: "min" });
    const json = JSON.parse(JSON.stringify(jobToWorkflow(job as NonNullable<typeof job>)));
    expect(json.metrics).toEqual({ val_loss: "max", accuracy: "min" });
    const back = validateWorkflow(json, { locator: valueLocator("the job input") });
    expect(back.diagnostics).toEqual([]);
    expect(back.job).toEqual(job);
  });
});

describe("metricNameProblem", () => {
  it.each([
    { name: "a plain name", value: "val_loss", ok: true },
    { name: "a dotted name", value: "eval.f1", ok: true },
    { name: "200 characters", value: "m".repeat(200), ok: true },
    { name: "200 characters beyond the BMP", value: "📉".repeat(200), ok: true },
    { name: "201 characters", value: "m".repeat(201), ok: false },
    { name: "empty", value: "", ok: false },
    { name: "a tab", value: "a\tb", ok: false },
    { name: "a carriage return", value: "a\rb", ok: false },
    { name: "step", value: "step", ok: false },
    { name: "epoch", value: "epoch", ok: false },
    { name: "Step in capitals (a metric: the reader is case-sensitive)", value: "Step", ok: true },
  ])("$name", ({ value, ok }) => {
    expect(metricNameProblem(value) === undefined).toBe(ok);
  });
});
