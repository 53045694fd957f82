import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readMetricsDir } from "./node.js";
import { parseMetricsFiles } from "./parse.js";
import { directionOf, lastValues, METRICS_MAX, READ_POINTS_MAX } from "./types.js";

/** Each series as `name: step=value ...`, to compare whole curves in one line. */
function curves(files: { path: string; text: string }[]) {
  const r = parseMetricsFiles(files);
  return {
    series: Object.fromEntries(
      r.series.map((s) => [s.name, s.points.map((p) => `${p.step}=${p.value}`).join(" ")]),
    ),
    problems: r.problems,
  };
}

const LIGHTNING_CSV = `epoch,step,train_loss,val_acc,val_loss
0,49,0.91,,
0,49,,0.71,0.80
1,99,0.52,,
1,99,,0.83,0.55
`;

describe("parseMetricsFiles", () => {
  it.each([
    {
      name: "JSON lines of several metrics",
      files: [
        {
          path: "metrics/dstack.jsonl",
          text: '{"step": 1, "loss": 0.9, "acc": 0.5}\n{"step": 2, "loss": 0.4}\n\n{"step": 3, "loss": 0.5, "acc": 0.75, "epoch": 1}\n',
        },
      ],
      series: { loss: "1=0.9 2=0.4 3=0.5", acc: "1=0.5 3=0.75" },
      problems: [],
    },
    {
      name: "Lightning's CSVLogger, empty cells where a row lacks a metric",
      files: [{ path: "lightning_logs/version_0/metrics.csv", text: LIGHTNING_CSV }],
      series: {
        train_loss: "49=0.91 99=0.52",
        val_acc: "49=0.71 99=0.83",
        val_loss: "49=0.8 99=0.55",
      },
      problems: [],
    },
    {
      name: "Python's NaN and Infinity: the point left out, the rest of the line kept",
      files: [
        {
          path: "metrics/a.jsonl",
          text: '{"step": 1, "loss": NaN, "acc": 0.5}\n{"step": 2, "loss": -Infinity}\n{"step": 3, "loss": 1}',
        },
      ],
      series: { acc: "1=0.5", loss: "3=1" },
      problems: [
        "metrics/a.jsonl:1: loss: NaN is not a finite number; the point is left out",
        "metrics/a.jsonl:2: loss: -Infinity is not a finite number; the point is left out",
      ],
    },
    {
      name: "a line that is not JSON, not an object, without a step, with a string value",
      files: [
        {
          path: "metrics/b.jsonl",
          text: '{"step": 1, "loss": 2}\n{"step": 2, "loss": \n[1, 2]\n{"loss": 1}\n{"step": "3", "loss": 1}\n{"step": 4, "loss": "low"}\n',
        },
      ],
      series: { loss: "1=2" },
      problems: [
        expect.stringMatching(/^metrics\/b\.jsonl:2: not JSON \(/),
        'metrics/b.jsonl:3: not a JSON object; write {"step": N, "name": value, ...}',
        'metrics/b.jsonl:4: no "step"; each line needs one',
        'metrics/b.jsonl:5: "step" is a string, not a number',
        "metrics/b.jsonl:6: loss: a string, not a number; the point is left out",
      ],
    },
    {
      name: "a step going backwards",
      files: [
        {
          path: "metrics/c.jsonl",
          text: '{"step": 5, "loss": 1}\n{"step": 3, "loss": 2}\n{"step": 5, "loss": 0.5}',
        },
      ],
      series: { loss: "5=1 5=0.5" },
      problems: [
        "metrics/c.jsonl:2: loss: step 3 comes after step 5; steps must not go back, the point is left out",
      ],
    },
    {
      name: "a CSV without a step column, a CSV with a bad cell and an unclosed quote",
      files: [
        { path: "metrics/x.csv", text: "epoch,loss\n0,1\n" },
        { path: "metrics/y.csv", text: 'step,loss\n1,0.5\n2,abc\n3,"0.1\n' },
      ],
      series: { loss: "1=0.5" },
      problems: [
        'metrics/x.csv:1: no "step" column; the file is left out',
        'metrics/y.csv:3: loss: "abc" is not a finite number; the point is left out',
        expect.stringMatching(/^metrics\/y\.csv:4: not CSV \(Quote Not Closed/),
      ],
    },
    {
      name: "the same metric in two files: shown from the first",
      files: [
        { path: "metrics/b.jsonl", text: '{"step": 1, "loss": 2}' },
        { path: "metrics/a.jsonl", text: '{"step": 1, "loss": 1}' },
      ],
      series: { loss: "1=1" },
      problems: ["metrics/b.jsonl:1: loss: also logged in metrics/a.jsonl; shown from there only"],
    },
    {
      name: "a file of another kind",
      files: [{ path: "metrics/notes.txt", text: "hi" }],
      series: {},
      problems: ["metrics/notes.txt: not a metrics file; use .jsonl, .csv or .json"],
    },
  ])("$name", ({ files, series, problems }) => {
    expect(curves(files)).toEqual({ series, problems });
  });

  it("keeps last-value JSON files working beside curves", () => {
    const r = parseMetricsFiles([
      {
        path: "metrics/eval.json",
        text: '{"accuracy": 0.97, "eval": {"f1": 0.9}, "model": "cnn"}',
      },
      { path: "metrics/dstack.jsonl", text: '{"step": 1, "loss": 0.9}\n{"step": 2, "loss": 0.3}' },
    ]);
    expect(r.scalars).toEqual({ accuracy: 0.97, "eval.f1": 0.9, model: "cnn" });
    expect(lastValues(r)).toEqual({ accuracy: 0.97, "eval.f1": 0.9, model: "cnn", loss: 0.3 });
    expect(r.problems).toEqual([]);
  });

  it.each([
    {
      name: "flat and nested objects, later files win",
      files: [
        { path: "metrics/b.json", text: '{"loss": 0.1}' },
        {
          path: "metrics/a.json",
          text: '{"loss": 0.5, "eval": {"f1": 0.9, "ok": true}, "model": "resnet"}',
        },
      ],
      values: { loss: 0.1, "eval.f1": 0.9, "eval.ok": true, model: "resnet" },
      problems: [],
    },
    {
      name: "not JSON, not an object, lists and null",
      files: [
        { path: "metrics/x.json", text: "{" },
        { path: "metrics/y.json", text: "[1]" },
        { path: "metrics/z.json", text: '{"curve": [1, 2], "none": null, "acc": 1}' },
      ],
      values: { acc: 1 },
      problems: [
        expect.stringMatching(/^metrics\/x\.json: not JSON/),
        "metrics/y.json: not a JSON object",
        "metrics/z.json: curve: a list; use numbers, strings or booleans",
        "metrics/z.json: none: null; use numbers, strings or booleans",
      ],
    },
  ])("last-value JSON files: $name", ({ files, values, problems }) => {
    const r = parseMetricsFiles(files);
    expect(lastValues(r)).toEqual(values);
    expect(r.problems).toEqual(problems);
  });

  it("keeps at most METRICS_MAX (50) metrics, and says how many it left out", () => {
    const many = Object.fromEntries(Array.from({ length: 60 }, (_, i) => [`m${i}`, i]));
    const r = parseMetricsFiles([{ path: "metrics/m.json", text: JSON.stringify(many) }]);
    expect(Object.keys(lastValues(r))).toHaveLength(METRICS_MAX);
    expect(r.problems).toEqual(["10 more metrics not shown (at most 50)"]);
  });

  it("tracks last and best by direction, the earliest best on a tie", () => {
    const r = parseMetricsFiles([
      {
        path: "metrics/m.jsonl",
        text: [
          { step: 1, val_loss: 0.5, acc: 0.6 },
          { step: 2, val_loss: 0.2, acc: 0.9 },
          { step: 3, val_loss: 0.2, acc: 0.9 },
          { step: 4, val_loss: 0.4, acc: 0.8 },
        ]
          .map((o) => JSON.stringify(o))
          .join("\n"),
      },
    ]);
    const [loss, acc] = r.series;
    expect(loss).toMatchObject({
      direction: "min",
      best: { step: 2, value: 0.2 },
      last: { step: 4, value: 0.4 },
    });
    expect(acc).toMatchObject({ direction: "max", best: { step: 2, value: 0.9 }, count: 4 });
  });

  it("lists at most 5 problems per file and counts the rest", () => {
    const text = Array.from({ length: 1000 }, () => "not json").join("\n");
    const r = parseMetricsFiles([{ path: "metrics/junk.jsonl", text }]);
    expect(r.problems).toHaveLength(6);
    expect(r.problems[5]).toBe("metrics/junk.jsonl: 995 more problems not shown");
  });

  it("reads 10^6 points in bounded memory: thinned, first, last and best exact", () => {
    const n = 1_000_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) {
      // A noisy decreasing loss whose best is at a step that thinning would skip.
      const loss = i === 777_777 ? 0.001 : 1 / (1 + i / 1000) + 0.01;
      lines.push(`{"step":${i},"loss":${loss}}`);
    }
    const started = performance.now();
    const r = parseMetricsFiles([{ path: "metrics/big.jsonl", text: lines.join("\n") }]);
    const ms = performance.now() - started;
    const [s] = r.series;
    expect(s?.count).toBe(n);
    expect(s?.points.length).toBeLessThanOrEqual(2 * READ_POINTS_MAX + 2);
    expect(s?.points.length).toBeGreaterThan(READ_POINTS_MAX / 2);
    expect(s?.first).toEqual({ step: 0, value: 1.01 });
    expect(s?.last.step).toBe(n - 1);
    expect(s?.best).toEqual({ step: 777_777, value: 0.001 });
    expect(s?.points).toContainEqual({ step: 777_777, value: 0.001 });
    const steps = s?.points.map((p) => p.step) ?? [];
    expect(steps).toEqual([...steps].sort((a, b) => a - b));
    expect(ms).toBeLessThan(20_000);
  });

  it("property: any text in any kind of file gives a report, never a throw", () => {
    fc.assert(
      fc.property(
        fc.constantFrom("metrics/a.jsonl", "metrics/a.csv", "metrics/a.json"),
        fc.string({ maxLength: 200 }),
        (p, text) => {
          const r = parseMetricsFiles([{ path: p, text }]);
          for (const s of r.series) {
            for (const pt of s.points)
              expect(Number.isFinite(pt.value) && Number.isFinite(pt.step)).toBe(true);
          }
        },
      ),
    );
  });
});

describe("directionOf", () => {
  it.each([
    ["loss", "min"],
    ["val_loss", "min"],
    ["train/loss", "min"],
    ["evalError", "min"],
    ["test.rmse", "min"],
    ["perplexity", "min"],
    ["mae", "min"],
    ["nllloss", "min"],
    ["accuracy", "max"],
    ["val_acc", "max"],
    ["f1", "max"],
    ["glossary_size", "max"],
  ])("%s is %s", (name, want) => {
    expect(directionOf(name)).toBe(want);
  });

  it("takes overrides by exact name", () => {
    expect(directionOf("latency_ms", { latency_ms: "min" })).toBe("min");
    expect(directionOf("loss", { loss: "max" })).toBe("max");
  });
});

describe("readMetricsDir", () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "dstack-metrics-"));
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it("finds metrics/* and Lightning's metrics.csv, streams them, and agrees with parseMetricsFiles", async () => {
    const files = {
      "metrics/dstack.jsonl":
        '{"step": 1, "loss": 0.9}\n{"step": 0, "loss": 1}\n{"step": 2, "loss": NaN}\n',
      "metrics/eval.json": '{"accuracy": 0.97}',
      "logs/mnist/version_0/metrics.csv": LIGHTNING_CSV,
      "checkpoints/model.pt": "binary",
      "notes.csv": "step,x\n1,2\n",
    };
    for (const [rel, text] of Object.entries(files)) {
      fs.mkdirSync(path.join(dir, path.dirname(rel)), { recursive: true });
      fs.writeFileSync(path.join(dir, rel), text);
    }
    fs.symlinkSync("/etc", path.join(dir, "metrics", "outside"));
    const fromDisk = await readMetricsDir(dir);
    const fromText = parseMetricsFiles(
      ["metrics/dstack.jsonl", "metrics/eval.json", "logs/mnist/version_0/metrics.csv"].map(
        (p) => ({
          path: p,
          text: files[p as keyof typeof files],
        }),
      ),
    );
    expect(fromDisk).toEqual(fromText);
    expect(fromDisk.series.map((s) => s.name)).toEqual([
      "train_loss",
      "val_acc",
      "val_loss",
      "loss",
    ]);
    expect(fromDisk.problems).toEqual([
      "metrics/dstack.jsonl:2: loss: step 0 comes after step 1; steps must not go back, the point is left out",
      "metrics/dstack.jsonl:3: loss: NaN is not a finite number; the point is left out",
    ]);
  });

  it("gives an empty report for a folder without metrics, or none at all", async () => {
    expect(await readMetricsDir(dir)).toEqual({ series: [], scalars: {}, problems: [] });
    expect(await readMetricsDir(path.join(dir, "nope"))).toEqual({
      series: [],
      scalars: {},
      problems: [],
    });
  });
});
