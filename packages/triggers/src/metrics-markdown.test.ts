import { readFileSync } from "node:fs";
import { parseMetricsFiles } from "@dstack/metrics";
import { mermaidBlocks, parseXyChart } from "@dstack/testing";
import { describe, expect, it } from "vitest";
import { renderMetricsMarkdown } from "./metrics-markdown.js";
import { renderSticky, stickyMarker } from "./sticky.js";

/** Strips code spans and fenced blocks the way GFM reads them, leaving only rendered text. */
function outsideCode(markdown: string): string {
  return markdown
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, "")
    .replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");
}

const jsonl = (rows: Record<string, number>[]) => rows.map((r) => JSON.stringify(r)).join("\n");

const RUN = parseMetricsFiles([
  {
    path: "metrics/dstack.jsonl",
    text: jsonl(
      Array.from({ length: 120 }, (_, i) => ({
        step: i,
        loss: 1 / (1 + i),
        accuracy: 0.5 + i / 300,
      })),
    ),
  },
  { path: "metrics/eval.json", text: '{"f1": 0.91, "model": "cnn"}' },
]);

const BASE = parseMetricsFiles([
  {
    path: "metrics/dstack.jsonl",
    text: jsonl(
      Array.from({ length: 80 }, (_, i) => ({ step: i, loss: 2 / (1 + i), accuracy: 0.6 })),
    ),
  },
  { path: "metrics/eval.json", text: '{"f1": 0.93, "old_metric": 3}' },
]);

describe("the sticky comment with curves", () => {
  it("compares with the base run: base, this run, change, better direction marked, and charts Mermaid parses", async () => {
    const body = renderSticky({
      pr: 3,
      status: "success",
      workflow: "train",
      metricsReport: RUN,
      base: {
        runName: "calm-cat-12",
        url: "https://github.com/o/r/actions/runs/12",
        metrics: BASE,
      },
    });
    expect(body).toContain(
      "Compared with [`calm-cat-12`](https://github.com/o/r/actions/runs/12), the latest successful run of this workflow on the default branch:",
    );
    expect(body).toContain("| metric | base | this run | change |");
    expect(body).toContain("| `f1` ↑ | `0.93` | `0.91` | −0.02 (−2.2%) ❌ worse |");
    expect(body).toContain("| `loss` ↓ | `0.025` | `0.00833333` | −0.0166667 (−66.7%) ✅ better |");
    expect(body).toContain("| `accuracy` ↑ | `0.6` | `0.896667` | +0.296667 (+49.4%) ✅ better |");
    expect(body).toContain("| `old_metric` ↑ | `3` | – | not logged |");
    expect(body).toContain("On each chart the first line is this run, the second `calm-cat-12`.");
    const blocks = mermaidBlocks(body);
    expect(blocks).toHaveLength(2);
    const loss = await parseXyChart(blocks[0] ?? "");
    expect(loss.title).toBe("loss: last 0.00833333 at step 119, best 0.00833333 at step 119");
    expect(loss.lines).toHaveLength(2);
    expect(loss.xAxis.categories.length).toBeLessThanOrEqual(50);
    expect(loss.xAxis.categories.at(-1)).toBe("119");
    // The base line holds its last value (step 79) past its end.
    expect(loss.lines[1]?.at(-1)).toBe(0.025);
  });

  it("says there is no base run when none was found", () => {
    const body = renderSticky({ pr: 3, status: "success", metricsReport: RUN, base: null });
    expect(body).toContain(
      "No base run: no successful run of this workflow on the default branch to compare with.",
    );
    expect(body).toContain("| `loss` ↓ | `0.00833333` at 119 | `0.00833333` at 119 | 120 |");
    expect(body).toContain("| `f1` | `0.91` |");
    expect(body).toContain("| `model` | `cnn` |");
    expect(mermaidBlocks(body)).toHaveLength(2);
  });

  it("keeps hostile metric names and problems inside code, and charts inert", async () => {
    const name = "<img src=x onerror=alert(1)> @octocat [x](https://evil.example) ```";
    const report = parseMetricsFiles([
      {
        path: "metrics/a.jsonl",
        text: `${JSON.stringify({ step: 1, [name]: 1 })}\n{"step": 2, "x": NaN}\n`,
      },
      { path: "metrics/b.json", text: JSON.stringify({ [`${name}|pipe`]: "```\n@everyone" }) },
    ]);
    const body = renderSticky({
      pr: 9,
      status: "success",
      metricsReport: report,
      base: { runName: "base @octocat", metrics: report },
    });
    const rendered = outsideCode(body.replace(stickyMarker(9), ""));
    expect(rendered).not.toMatch(/@|<img|evil|onerror/);
    expect(body).toContain(
      "metrics/a.jsonl:2: x: NaN is not a finite number; the point is left out",
    );
    for (const block of mermaidBlocks(body)) {
      const chart = await parseXyChart(block);
      expect(chart.title).not.toMatch(/[<>`@]/);
    }
  });

  it("draws at most 8 charts and says how many more are in the table", () => {
    const report = parseMetricsFiles([
      {
        path: "metrics/many.jsonl",
        text: jsonl([
          Object.fromEntries([["step", 1], ...Array.from({ length: 11 }, (_, i) => [`m${i}`, i])]),
        ]),
      },
    ]);
    const lines = renderMetricsMarkdown({ metrics: report });
    expect(mermaidBlocks(lines.join("\n"))).toHaveLength(8);
    expect(lines).toContain("3 more curves are in the table only (at most 8 charts).");
  });

  it("renders nothing without metrics or problems", () => {
    expect(
      renderMetricsMarkdown({ metrics: { series: [], scalars: {}, problems: [] }, base: null }),
    ).toEqual([]);
  });
});

describe("the README's example of the comment", () => {
  it("is what renderMetricsMarkdown writes, and its chart parses with Mermaid", async () => {
    const readme = readFileSync(new URL("../../../README.md", import.meta.url), "utf8");
    const from = readme.indexOf("## Metrics");
    const m = /````markdown\n([\s\S]*?)\n````/.exec(readme.slice(from));
    const shown = m?.[1] ?? "";
    const rows = (r: number[][]) =>
      r
        .map(([step, a, b, c]) =>
          JSON.stringify({ step, train_loss: a, val_loss: b, val_accuracy: c }),
        )
        .join("\n");
    const run = [
      [0, 1.842, 1.201, 0.708],
      [1, 0.712, 0.402, 0.889],
      [2, 0.371, 0.251, 0.931],
      [3, 0.248, 0.186, 0.95],
      [4, 0.187, 0.152, 0.961],
      [5, 0.149, 0.131, 0.967],
      [6, 0.122, 0.118, 0.969],
      [7, 0.101, 0.112, 0.972],
    ];
    const base = [
      [0, 1.901, 1.288, 0.681],
      [1, 0.802, 0.455, 0.872],
      [2, 0.429, 0.297, 0.917],
      [3, 0.301, 0.224, 0.939],
      [4, 0.231, 0.189, 0.95],
      [5, 0.188, 0.166, 0.956],
      [6, 0.16, 0.151, 0.958],
      [7, 0.141, 0.147, 0.961],
    ];
    const rendered = renderMetricsMarkdown({
      metrics: parseMetricsFiles([{ path: "metrics/dstack.jsonl", text: rows(run) }]),
      base: {
        runName: "calm-heron-4198",
        url: "https://github.com/acme/models/actions/runs/4198",
        metrics: parseMetricsFiles([{ path: "metrics/dstack.jsonl", text: rows(base) }]),
      },
      chartsMax: 1,
    }).join("\n");
    expect(shown.length).toBeGreaterThan(100);
    expect(rendered.startsWith(shown)).toBe(true);
    const [chart] = mermaidBlocks(shown);
    expect((await parseXyChart(chart ?? "")).lines).toHaveLength(2);
  });
});
