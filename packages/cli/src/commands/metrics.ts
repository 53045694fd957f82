/**
 * `dstack metrics RUN` and `dstack metrics diff RUN_A RUN_B`: the metrics a local run saved
 * among its artifacts (`metrics/*.jsonl` from `dstack.metrics.log`, Lightning's `metrics.csv`,
 * last-value `metrics/*.json`), as a table with a sparkline per curve, or two runs side by side.
 * With `--remote`, the runs' `metrics/` come from GitHub Actions artifacts through the GitHub
 * store (a run or tag resolved to its trusted workflow run, every artifact digest-checked).
 *
 * Which way each metric is better (its arrow, best value, better or worse) follows the workflow's
 * `metrics:` over the name rule: a local run's from the job its run record holds (as it ran); a
 * remote run's from its run marker (`dstack-run.json`, as it ran), or for a marker recording
 * none (written before markers did) from this checkout's `.dstack/workflows.yaml`; with
 * `--workflow NAME`, that workflow's of this checkout's file for either.
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
  type DirectionOverrides,
  formatMetricNumber,
  METRICS_DIR,
  type MetricsReport,
  printable,
  sparkline,
} from "@dstack/metrics";
import { readMetricsDir } from "@dstack/metrics/node";
import { formatDiagnostic, type MetricDirection } from "@dstack/spec";
import { loadWorkflows } from "@dstack/spec/node";
import { CliError, findRepoDir, parseRef, type RunContext, repoStore } from "../context.js";
import { table } from "../format.js";
import type { RemoteOptions } from "../remote/session.js";

/** Options of `dstack metrics`. */
export interface MetricsOptions {
  /** `--json`: the whole report as JSON. */
  json?: boolean;
  /** `--workflow NAME`: judge by that workflow's `metrics:` in this checkout's workflows file. */
  workflow?: string;
}

/** Options of `dstack metrics diff`: `--remote` and where, `--workflow`. */
export interface MetricsDiffOptions extends RemoteOptions {
  /** `--remote`: both runs' `metrics/` from GitHub Actions artifacts. */
  remote?: boolean;
  /** `--workflow NAME`: judge by that workflow's `metrics:` in this checkout's workflows file. */
  workflow?: string;
}

const ARROW = DIRECTION_ARROW;
const fmt = formatMetricNumber;

/**
 * The `metrics:` directions of this checkout's `.dstack/workflows.yaml`: `workflow`'s, or without
 * it every workflow's, a metric that two workflows judge differently left to the name rule (with
 * a warning). No workflows file: none.
 *
 * @throws CliError when `workflow` is given and the file, or that workflow in it, is missing or
 *   not valid (its problems in the message).
 */
function checkoutDirections(ctx: RunContext, workflow?: string): DirectionOverrides {
  const repoDir = findRepoDir(ctx.cwd);
  let parsed: ReturnType<typeof loadWorkflows>;
  try {
    parsed = loadWorkflows(repoDir, ctx.cwd);
  } catch (e) {
    if (workflow === undefined) return {};
    throw new CliError(`--workflow ${workflow}: ${(e as Error).message}`);
  }
  if (workflow !== undefined) {
    const job = parsed.jobs.find((j) => j.workflow === workflow);
    if (job === undefined) {
      const problems = parsed.diagnostics.filter((d) => d.workflow === workflow);
      const names = parsed.jobs.flatMap((j) => (j.workflow ? [j.workflow] : []));
      throw new CliError(
        problems.length > 0
          ? `--workflow ${workflow} is not valid:\n${problems.map(formatDiagnostic).join("\n")}`
          : `--workflow ${workflow}: no such workflow (workflows: ${names.join(", ") || "none"})`,
      );
    }
    return job.metrics ?? {};
  }
  const seen = new Map<string, { direction: MetricDirection; workflow: string }>();
  const disputed = new Set<string>();
  for (const job of parsed.jobs) {
    for (const [name, direction] of Object.entries(job.metrics ?? {})) {
      const first = seen.get(name);
      if (first === undefined) seen.set(name, { direction, workflow: job.workflow ?? "" });
      else if (first.direction !== direction && !disputed.has(name)) {
        disputed.add(name);
        ctx.stderr(
          `warning: metrics: ${printable(name)} is ${first.direction} in ${first.workflow} and ${direction} in ${job.workflow}; judged by the name rule (choose with --workflow)\n`,
        );
      }
    }
  }
  return Object.fromEntries(
    [...seen].filter(([name]) => !disputed.has(name)).map(([name, d]) => [name, d.direction]),
  );
}

/**
 * A run (`RUN` or `:TAG`) of this repository's local store: its name, its artifacts folder and
 * the `metrics:` directions of the job it ran.
 */
async function localRun(
  ref: string,
  ctx: RunContext,
): Promise<{ runName: string; dir: string; directions: DirectionOverrides }> {
  const store = await repoStore(ctx);
  // resolveRef reads the whole run record: the job it ran with it.
  const run = await store.resolveRef(parseRef(ref));
  return {
    runName: run.runName,
    dir: store.artifactsDir(run.runName),
    directions: run.job?.metrics ?? {},
  };
}

/** Reads a metrics folder, judging each metric by `directions` over the name rule. */
function readWith(dir: string, directions: DirectionOverrides): Promise<MetricsReport> {
  return readMetricsDir(dir, Object.keys(directions).length > 0 ? { directions } : {});
}

/**
 * A run (`RUN` or `:TAG`) of the GitHub store: its `metrics/` downloaded into `parent` and the
 * `metrics:` directions its run marker records (`GitHubStore.recordedMetrics`: undefined when it
 * records none, or none valid).
 *
 * @throws the store's `StoreError`s (unknown run or tag, no `metrics` artifact path).
 */
async function remoteRun(
  ref: string,
  store: GitHubStore,
  parent: string,
): Promise<{ runName: string; dir: string; directions: DirectionOverrides | undefined }> {
  const dir = await mkdtemp(path.join(parent, "run-"));
  const got = await store.downloadArtifacts(parseRef(ref), {
    artifactPath: METRICS_DIR,
    localPath: path.join(dir, METRICS_DIR),
  });
  return { runName: got.runName, dir, directions: await store.recordedMetrics(got) };
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
 * the whole report (points thinned as read). Problems go to stderr. Directions: the run's job's
 * `metrics:`, or with `--workflow` that workflow's in this checkout.
 */
export async function metricsCommand(
  ref: string,
  opts: MetricsOptions,
  ctx: RunContext,
): Promise<number> {
  const run = await localRun(ref, ctx);
  const directions =
    opts.workflow !== undefined ? checkoutDirections(ctx, opts.workflow) : run.directions;
  const runName = run.runName;
  const report = await readWith(run.dir, directions);
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
 * runs from GitHub Actions artifacts (only their `metrics/` artifact path). Both runs are judged
 * alike: by `--workflow`'s directions; else by both jobs' `metrics:` (B's where they differ),
 * as the local run records or the remote run's marker holds them; a remote run whose marker
 * holds none is judged by this checkout's workflows file.
 */
export async function metricsDiffCommand(
  refA: string,
  refB: string,
  ctx: RunContext,
  opts: MetricsDiffOptions = {},
): Promise<number> {
  if (opts.remote) {
    // A bad --workflow is refused before anything is downloaded.
    const chosen = opts.workflow !== undefined ? checkoutDirections(ctx, opts.workflow) : undefined;
    const { withGitHubStore } = await import("../remote/artifacts.js");
    const parent = await mkdtemp(path.join(os.tmpdir(), "dstack-metrics-"));
    try {
      return await withGitHubStore(opts, ctx, async (store) => {
        const a = await remoteRun(refA, store, parent);
        const b = await remoteRun(refB, store, parent);
        // A run whose marker records no directions (an older marker): this checkout's file.
        let checkout: DirectionOverrides | undefined;
        const fallback = () => {
          checkout ??= checkoutDirections(ctx);
          return checkout;
        };
        const directions = chosen ?? {
          ...(a.directions ?? fallback()),
          ...(b.directions ?? fallback()),
        };
        return printDiff(
          { runName: a.runName, report: await readWith(a.dir, directions) },
          { runName: b.runName, report: await readWith(b.dir, directions) },
          ctx,
        );
      });
    } finally {
      await rm(parent, { recursive: true, force: true });
    }
  }
  const a = await localRun(refA, ctx);
  const b = await localRun(refB, ctx);
  const directions =
    opts.workflow !== undefined
      ? checkoutDirections(ctx, opts.workflow)
      : { ...a.directions, ...b.directions };
  return printDiff(
    { runName: a.runName, report: await readWith(a.dir, directions) },
    { runName: b.runName, report: await readWith(b.dir, directions) },
    ctx,
  );
}

/** Prints the comparison of `a` and `b` (see {@link metricsDiffCommand}). */
function printDiff(
  a: { runName: string; report: MetricsReport },
  b: { runName: string; report: MetricsReport },
  ctx: RunContext,
): number {
  printProblems(a.runName, a.report, ctx);
  printProblems(b.runName, b.report, ctx);
  // Both reports were read with the same directions: each curve carries its own.
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
