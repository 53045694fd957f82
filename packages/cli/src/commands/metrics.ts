/**
 * `dstack metrics RUN` and `dstack metrics diff RUN_A RUN_B`: the metrics a local run saved
 * among its artifacts (`metrics/*.jsonl` from `dstack.metrics.log`, Lightning's `metrics.csv`,
 * last-value `metrics/*.json`), as a table with a sparkline per curve, or two runs side by side.
 * With `--remote`, the runs' `metrics/` come from GitHub Actions artifacts through the GitHub
 * store (a run or tag resolved to its trusted workflow run, every artifact digest-checked).
 *
 * @module
 */

import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { GitHubStore } from "@dstack/artifacts/github";
import {
  compareMetrics,
  DIRECTION_ARROW,
  formatMetricNumber,
  METRICS_DIR,
  type MetricsReport,
  printable,
  sparkline,
} from "@dstack/metrics";
import { readMetricsDir } from "@dstack/metrics/node";
import { parseRef, type RunContext, repoStore } from "../context.js";
import { table } from "../format.js";
import type { RemoteOptions } from "../remote/session.js";

/** Options of `dstack metrics diff`: `--remote` and where. */
export interface MetricsDiffOptions extends RemoteOptions {
  /** `--remote`: both runs' `metrics/` from GitHub Actions artifacts. */
  remote?: boolean;
}

const ARROW = DIRECTION_ARROW;
const fmt = formatMetricNumber;

/** The metrics of a run (`RUN` or `:TAG`) from its artifacts in this repository's local store. */
async function runMetrics(
  ref: string,
  ctx: RunContext,
): Promise<{ runName: string; report: MetricsReport }> {
  const store = await repoStore(ctx);
  const run = await store.resolveRef(parseRef(ref));
  return { runName: run.runName, report: await readMetricsDir(store.artifactsDir(run.runName)) };
}

/**
 * The metrics of a run (`RUN` or `:TAG`) from the GitHub store: its `metrics/` downloaded into a
 * temporary folder (removed after) and read as a local run's.
 *
 * @throws the store's `StoreError`s (unknown run or tag, no `metrics` artifact path).
 */
async function remoteRunMetrics(
  ref: string,
  store: GitHubStore,
): Promise<{ runName: string; report: MetricsReport }> {
  const dir = await mkdtemp(path.join(os.tmpdir(), "dstack-metrics-"));
  try {
    const got = await store.downloadArtifacts(parseRef(ref), {
      artifactPath: METRICS_DIR,
      localPath: path.join(dir, METRICS_DIR),
    });
    return { runName: got.runName, report: await readMetricsDir(dir) };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** Prints a report's problems to stderr, each line `dstack: RUN: problem`. */
function printProblems(runName: string, report: MetricsReport, ctx: RunContext): void {
  for (const p of report.problems) ctx.stderr(`${runName}: ${printable(p)}\n`);
}

const NO_METRICS =
  "no metrics; log them with dstack.metrics.log(step=..., name=value) and list `metrics` in the workflow's artifacts";

/**
 * `dstack metrics RUN [--json]`: per metric its last and best values with their steps, the
 * number of points and a sparkline (curves), or the value (last-value files). `--json` prints
 * the whole report (points thinned as read). Problems go to stderr.
 */
export async function metricsCommand(
  ref: string,
  opts: { json?: boolean },
  ctx: RunContext,
): Promise<number> {
  const { runName, report } = await runMetrics(ref, ctx);
  if (opts.json) {
    ctx.stdout(`${JSON.stringify({ run: runName, ...report }, null, 2)}\n`);
    return 0;
  }
  printProblems(runName, report, ctx);
  const scalars = Object.entries(report.scalars);
  if (report.series.length === 0 && scalars.length === 0) {
    ctx.stderr(`${runName}: ${NO_METRICS}\n`);
    return 0;
  }
  const rows = [["METRIC", "LAST", "BEST", "POINTS", "CURVE"]];
  for (const s of report.series) {
    rows.push([
      `${printable(s.name)} ${ARROW[s.direction]}`,
      `${fmt(s.last.value)} @ ${fmt(s.last.step)}`,
      `${fmt(s.best.value)} @ ${fmt(s.best.step)}`,
      String(s.count),
      sparkline(s.points.map((p) => p.value)),
    ]);
  }
  for (const [name, v] of scalars) {
    rows.push([printable(name), typeof v === "number" ? fmt(v) : printable(String(v)), "", "", ""]);
  }
  ctx.stdout(`${table(rows)}\n`);
  return 0;
}

/**
 * `dstack metrics diff RUN_A RUN_B`: each metric's last value in A and B, the change from A to
 * B, and whether B is better or worse (↓ lower is better, ↑ higher is better). `--remote`: both
 * runs from GitHub Actions artifacts (only their `metrics/` artifact path).
 */
export async function metricsDiffCommand(
  refA: string,
  refB: string,
  ctx: RunContext,
  opts: MetricsDiffOptions = {},
): Promise<number> {
  if (opts.remote) {
    const { withGitHubStore } = await import("../remote/artifacts.js");
    return withGitHubStore(opts, ctx, async (store) =>
      printDiff(await remoteRunMetrics(refA, store), await remoteRunMetrics(refB, store), ctx),
    );
  }
  return printDiff(await runMetrics(refA, ctx), await runMetrics(refB, ctx), ctx);
}

/** Prints the comparison of `a` and `b` (see {@link metricsDiffCommand}). */
function printDiff(
  a: { runName: string; report: MetricsReport },
  b: { runName: string; report: MetricsReport },
  ctx: RunContext,
): number {
  printProblems(a.runName, a.report, ctx);
  printProblems(b.runName, b.report, ctx);
  const rows = compareMetrics(b.report, a.report);
  if (rows.length === 0) {
    ctx.stderr(`${a.runName}, ${b.runName}: ${NO_METRICS}\n`);
    return 0;
  }
  const out = [["METRIC", a.runName, b.runName, "CHANGE"]];
  for (const c of rows) {
    let change = c.verdict === "new" ? "only in B" : c.verdict === "missing" ? "only in A" : "same";
    if (c.change !== undefined && c.change !== 0) {
      const sign = c.change > 0 ? "+" : "-";
      const rel =
        c.relative !== undefined ? ` (${sign}${Math.abs(c.relative * 100).toFixed(1)}%)` : "";
      change = `${sign}${fmt(Math.abs(c.change))}${rel} ${c.verdict}`;
    }
    out.push([
      `${printable(c.name)} ${ARROW[c.direction]}`,
      c.base === undefined ? "-" : fmt(c.base),
      c.value === undefined ? "-" : fmt(c.value),
      change,
    ]);
  }
  ctx.stdout(`${table(out)}\n`);
  return 0;
}
