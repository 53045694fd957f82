import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { mermaidBlocks, parseXyChart } from "@dstack/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { metricsSummary } from "./summary-metrics.js";

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "run-python-metrics-"));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(files: Record<string, string>): void {
  for (const [p, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  }
}

describe("metricsSummary", () => {
  it("charts the curves a run saved and lists its problems", async () => {
    write({
      "metrics/dstack.jsonl": [
        '{"step":0,"loss":1.5,"val_accuracy":0.4}',
        '{"step":1,"loss":0.7,"val_accuracy":0.8}',
        '{"step":2,"loss":0.4,"val_accuracy":0.9}',
        "oops",
      ].join("\n"),
      "lightning_logs/version_0/metrics.csv": "epoch,step,train_loss\n0,9,2.5\n0,19,1.25\n",
      "checkpoints/epoch-2.pt": "weights",
    });
    const md = await metricsSummary(dir);
    expect(md?.startsWith("\n#### Metrics\n")).toBe(true);
    expect(md).toContain("| `loss` ↓ | `0.4` at 2 | `0.4` at 2 | 3 |");
    expect(md).toContain("| `train_loss` ↓ | `1.25` at 19 | `1.25` at 19 | 2 |");
    expect(md).toContain("metrics/dstack.jsonl:4: not JSON");
    const charts = await Promise.all(mermaidBlocks(md ?? "").map(parseXyChart));
    expect(charts.map((c) => [c.yAxisTitle, c.lines])).toEqual([
      ["train_loss", [[2.5, 1.25]]],
      ["loss", [[1.5, 0.7, 0.4]]],
      ["val_accuracy", [[0.4, 0.8, 0.9]]],
    ]);
  });

  it("is undefined when the run saved no metrics", async () => {
    write({ "checkpoints/model.pt": "weights" });
    expect(await metricsSummary(dir)).toBeUndefined();
    expect(await metricsSummary(path.join(dir, "missing"))).toBeUndefined();
  });
});

describe("metricsSummary with the workflow's metrics: directions", () => {
  // val_accuracy read by the name rule is higher-is-better; reward_loss lower-is-better.
  const CURVES = [
    '{"step":0,"reward_loss":1.0,"val_accuracy":0.4}',
    '{"step":1,"reward_loss":3.0,"val_accuracy":0.9}',
    '{"step":2,"reward_loss":2.0,"val_accuracy":0.6}',
  ].join("\n");
  it.each([
    {
      name: "the name rule",
      directions: undefined,
      rows: [
        "| `reward_loss` ↓ | `2` at 2 | `1` at 0 | 3 |",
        "| `val_accuracy` ↑ | `0.6` at 2 | `0.9` at 1 | 3 |",
      ],
    },
    {
      name: "overridden both ways",
      directions: { reward_loss: "max", val_accuracy: "min" } as const,
      rows: [
        "| `reward_loss` ↑ | `2` at 2 | `3` at 1 | 3 |",
        "| `val_accuracy` ↓ | `0.6` at 2 | `0.4` at 0 | 3 |",
      ],
    },
  ])("marks the arrows and best values by $name", async ({ directions, rows }) => {
    write({ "metrics/dstack.jsonl": CURVES });
    const md = await metricsSummary(dir, directions ? { directions } : {});
    for (const row of rows) expect(md).toContain(row);
    // Each chart's title (read by Mermaid's parser) names the same best point as the table.
    const charts = await Promise.all(mermaidBlocks(md ?? "").map(parseXyChart));
    expect(charts.map((c) => c.title.replace(/^.*, best /, ""))).toEqual(
      rows.map(
        (r) => `${(r.split("|")[3] ?? "").trim().replaceAll("`", "").replace(" at ", " at step ")}`,
      ),
    );
  });
});
