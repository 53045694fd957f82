/**
 * `dstack ps`: this repository's runs in the local store, or every repository's; `--remote` goes
 * to `../remote/ps.ts`.
 *
 * @module
 */
import { basename } from "node:path";
import { type LocalStore, listRepoStores, type RunRecord } from "@dstack/artifacts";
import { ACTIVE_STATUSES, reconcileRun } from "@dstack/executor";
import { dstackHome, type RunContext, repoStore } from "../context.js";
import { age, durationSince, table } from "../format.js";

/** Options of {@link psCommand}, as commander gives them. */
export interface PsOptions {
  /** Finished runs too. */
  all?: boolean;
  /** The runs of every repository's store, with a REPO column. */
  allRepos?: boolean;
  /** A JSON array instead of a table. */
  json?: boolean;
}

/**
 * `dstack ps [-a] [--all-repos] [--json]`: this repository's active runs, or all with `-a`,
 * newest first; `--all-repos` lists every repository's, naming each run's repository.
 */
export async function psCommand(opts: PsOptions, ctx: RunContext): Promise<number> {
  const stores: { store: LocalStore; repo?: string }[] = opts.allRepos
    ? (await listRepoStores(dstackHome(ctx.env))).map((s) => ({
        store: s.store,
        repo: s.repo?.name ?? basename(s.dir),
      }))
    : [{ store: await repoStore(ctx) }];
  const runs: { run: RunRecord; repo?: string; tags: string[] }[] = [];
  for (const { store, repo } of stores) {
    const tags = await store.listTags();
    for (const listed of await store.listRuns()) {
      const run = await reconcileRun(store, listed, { env: ctx.env });
      const named = tags.filter((t) => t.runName === run.runName).map((t) => t.tag);
      runs.push({ run, tags: named, ...(repo !== undefined ? { repo } : {}) });
    }
  }
  runs.sort((a, b) => (a.run.submittedAt < b.run.submittedAt ? 1 : -1));
  const shown = opts.all ? runs : runs.filter((r) => ACTIVE_STATUSES.has(r.run.status));
  if (opts.json) {
    const out = shown.map(({ run: { job: _job, ...run }, repo, tags }) => ({
      ...(repo !== undefined ? { repo } : {}),
      ...run,
      tags,
    }));
    ctx.stdout(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  const head = ["RUN", "WORKFLOW", "STATUS", "SUBMITTED", "DURATION", "EXIT", "TAGS", "REASON"];
  const rows = [opts.allRepos ? ["REPO", ...head] : head];
  for (const { run: r, repo, tags } of shown) {
    const row = [
      r.runName,
      r.workflow ?? "-",
      r.status,
      age(r.submittedAt),
      durationSince(r.startedAt, r.finishedAt ? Date.parse(r.finishedAt) : Date.now()),
      r.exitCode !== undefined ? String(r.exitCode) : (r.signal ?? "-"),
      tags.join(",") || "-",
      // Why a run failed or stopped; a run that is done or active needs no reason.
      r.status === "failed" || r.status === "stopped" ? (r.message ?? "-") : "",
    ];
    rows.push(opts.allRepos ? [repo ?? "-", ...row] : row);
  }
  ctx.stdout(`${table(rows)}\n`);
  if (!opts.all && shown.length < runs.length) {
    const hidden = runs.length - shown.length;
    ctx.stderr(
      `${hidden} finished run${hidden === 1 ? "" : "s"} not shown; dstack ps -a shows all\n`,
    );
  }
  return 0;
}
