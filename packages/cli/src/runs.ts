/**
 * The commands over the local store's runs: `ps`, `logs`, `stop`, `artifacts`, `tags`.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { basename, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  isValidName,
  type LocalStore,
  listRepoStores,
  type RunRecord,
  StoreError,
} from "@dstack/artifacts";
import { ACTIVE_STATUSES, isRunning, processRef, reconcileRun } from "@dstack/executor";
import { formatSize } from "@dstack/spec";
import { dstackHome, findRepoDir, type RunContext, repoStore } from "./run.js";
import { CliError } from "./workflows-files.js";

const ACTIVE: ReadonlySet<string> = ACTIVE_STATUSES;

/**
 * A run marked active whose dstack process is gone (killed, machine rebooted) gets its job's
 * process group ended and is marked `failed` with the reason (see `reconcileRun` of
 * `@dstack/executor`), so no run stays "running" for ever and no job runs unsupervised.
 */
export async function reconcile(store: LocalStore, run: RunRecord): Promise<RunRecord> {
  return reconcileRun(store, run);
}

/**
 * Runs `fn`, which looks `ref` up in this repository's store; when the run or tag is not there
 * but another repository's store has it, the error says which repository (runs and tags are kept
 * per repository) instead of only listing this one's.
 */
async function inThisRepo<T>(
  ctx: RunContext,
  store: LocalStore,
  ref: { run: string } | { tag: string },
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof StoreError) || e.code !== "not-found") throw e;
    const what = "run" in ref ? `run ${ref.run}` : `tag ${ref.tag}`;
    for (const other of await listRepoStores(dstackHome(ctx.env)).catch(() => [])) {
      if (other.store.home === store.home) continue;
      const there =
        "run" in ref
          ? isValidName(ref.run) && existsSync(other.store.runDir(ref.run))
          : isValidName(ref.tag) && existsSync(join(other.dir, "tags", `${ref.tag}.json`));
      if (there) {
        const name = other.repo ? `${other.repo.name} (${other.repo.root})` : other.dir;
        throw new CliError(
          `${what} is not in this repository's runs; it belongs to repository ${name}: run the command there (dstack ps -a --all-repos lists every repository's runs)`,
        );
      }
    }
    throw e;
  }
}

/** How long ago `iso` was, as `12s ago`, `3m ago`, `2h ago`, `5d ago`; `-` when unknown. */
export function age(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

function duration(run: RunRecord): string {
  if (!run.startedAt) return "-";
  const end = run.finishedAt ? Date.parse(run.finishedAt) : Date.now();
  const s = Math.max(0, Math.round((end - Date.parse(run.startedAt)) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** Rows as left-aligned columns two spaces apart, the first row the header. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

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
      const run = await reconcile(store, listed);
      const named = tags.filter((t) => t.runName === run.runName).map((t) => t.tag);
      runs.push({ run, tags: named, ...(repo !== undefined ? { repo } : {}) });
    }
  }
  runs.sort((a, b) => (a.run.submittedAt < b.run.submittedAt ? 1 : -1));
  const shown = opts.all ? runs : runs.filter((r) => ACTIVE.has(r.run.status));
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
      duration(r),
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

/** Strips the timestamp the log file keeps before each line. */
function logText(line: string, timestamps: boolean): string {
  return timestamps ? line : line.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z /, "");
}

/** `dstack logs RUN [-f] [--timestamps]`. */
export async function logsCommand(
  runName: string,
  opts: { follow?: boolean; timestamps?: boolean },
  ctx: RunContext,
): Promise<number> {
  const store = await repoStore(ctx);
  await inThisRepo(ctx, store, { run: runName }, () => store.getRun(runName));
  const path = store.logPath(runName);
  let offset = 0;
  let rest = "";
  const drain = () => {
    if (!existsSync(path)) return;
    const size = statSync(path).size;
    if (size <= offset) return;
    const text = readFileSync(path).subarray(offset, size).toString("utf8");
    offset = size;
    const lines = (rest + text).split("\n");
    rest = lines.pop() ?? "";
    for (const l of lines) ctx.stdout(`${logText(l, opts.timestamps ?? false)}\n`);
  };
  drain();
  if (opts.follow) {
    for (;;) {
      const run = await reconcile(store, await store.getRun(runName));
      drain();
      if (!ACTIVE.has(run.status)) break;
      await sleep(200);
    }
  }
  if (rest) ctx.stdout(`${logText(rest, opts.timestamps ?? false)}\n`);
  return 0;
}

/**
 * `dstack stop RUN`: sends SIGINT to the dstack process running it, which forwards it to the
 * job's process group (Python raises KeyboardInterrupt, so `try`/`finally` can write a last
 * checkpoint, as on a GitHub Actions cancellation), kills the group after the grace period (10 s),
 * saves artifacts and marks the run stopped. Waits up to `waitMs` (default 20 000) for that.
 */
export async function stopCommand(
  runName: string,
  opts: { waitMs?: number },
  ctx: RunContext,
): Promise<number> {
  const store = await repoStore(ctx);
  const before = await inThisRepo(ctx, store, { run: runName }, () => store.getRun(runName));
  // A run whose dstack process is gone is stopped here: its job's process group is ended.
  const run = await reconcileRun(store, before, { as: "stopped" });
  if (!ACTIVE.has(run.status)) {
    ctx.stderr(
      ACTIVE.has(before.status)
        ? `${runName} ${run.status}: ${run.message ?? ""}\n`
        : `${runName} is already ${run.status}\n`,
    );
    return 0;
  }
  if (run.pid === undefined || !isRunning(run.supervisor ?? { pid: run.pid })) {
    await store.updateRun(runName, {
      status: "stopped",
      finishedAt: new Date().toISOString(),
      message: "stopped before it started",
    });
    ctx.stderr(`${runName} stopped\n`);
    return 0;
  }
  process.kill(run.pid, "SIGINT");
  const deadline = Date.now() + (opts.waitMs ?? 20_000);
  while (Date.now() < deadline) {
    const now = await reconcile(store, await store.getRun(runName));
    if (!ACTIVE.has(now.status)) {
      ctx.stderr(`${runName} ${now.status}: ${now.message ?? ""}\n`);
      return 0;
    }
    await sleep(200);
  }
  throw new CliError(`${runName} is still ${run.status} after SIGINT; its process is ${run.pid}`);
}

/** `RUN` or `:TAG`, as `dstack artifacts` takes it. */
export function parseRef(ref: string): { run: string } | { tag: string } {
  return ref.startsWith(":") ? { tag: ref.slice(1) } : { run: ref };
}

/** `dstack artifacts list RUN|:TAG [--json]`. */
export async function artifactsListCommand(
  ref: string,
  ctx: RunContext,
  opts: { json?: boolean } = {},
): Promise<number> {
  const store = await repoStore(ctx);
  const files = await inThisRepo(ctx, store, parseRef(ref), () =>
    store.listArtifacts(parseRef(ref)),
  );
  if (opts.json) {
    ctx.stdout(`${JSON.stringify(files, null, 2)}\n`);
    return 0;
  }
  const rows = [["PATH", "SIZE"], ...files.map((f) => [f.path, formatSize(f.bytes)])];
  ctx.stdout(`${table(rows)}\n`);
  return 0;
}

/** `dstack artifacts download RUN|:TAG [-o DIR] [-p ARTIFACT_PATH]`. */
export async function artifactsDownloadCommand(
  ref: string,
  opts: { output?: string; artifactPath?: string },
  ctx: RunContext,
): Promise<number> {
  const store = await repoStore(ctx);
  const localPath = resolve(ctx.cwd, opts.output ?? ".");
  await inThisRepo(ctx, store, parseRef(ref), () =>
    store.downloadArtifacts(parseRef(ref), {
      artifactPath: opts.artifactPath ?? "",
      localPath,
    }),
  );
  ctx.stderr(
    `downloaded ${ref}${opts.artifactPath ? ` ${opts.artifactPath}` : ""} to ${localPath}\n`,
  );
  return 0;
}

/** `dstack tags list [--json]`: this repository's tags. */
export async function tagsListCommand(
  ctx: RunContext,
  opts: { json?: boolean } = {},
): Promise<number> {
  const store = await repoStore(ctx);
  const tags = await store.listTags();
  if (opts.json) {
    ctx.stdout(`${JSON.stringify(tags, null, 2)}\n`);
    return 0;
  }
  const rows = [
    ["TAG", "RUN", "CREATED"],
    ...tags.map((t) => [t.tag, t.runName, age(t.createdAt)]),
  ];
  ctx.stdout(`${table(rows)}\n`);
  return 0;
}

/**
 * `dstack tags add TAG RUN` points TAG at a run's artifacts; `dstack tags add TAG -a PATH ...`
 * uploads local folders as a new run and tags it (seed 002's upload(tag=...)).
 */
export async function tagsAddCommand(
  tag: string,
  run: string | undefined,
  opts: { artifact?: string[] },
  ctx: RunContext,
): Promise<number> {
  const store = await repoStore(ctx);
  let runName = run;
  if (opts.artifact && opts.artifact.length > 0) {
    if (run) throw new CliError("give a RUN or -a PATH, not both", 2);
    // Every path is checked before the run exists; a failure after that removes the run, so a
    // failed command leaves nothing behind.
    const missing = opts.artifact.filter((p) => !existsSync(resolve(ctx.cwd, p)));
    if (missing.length > 0) {
      throw new CliError(
        `${missing.join(", ")}: no such file or folder; nothing was uploaded and no run was made`,
      );
    }
    const record = await store.createRun({
      workflow: null,
      job: null,
      repoDir: findRepoDir(ctx.cwd),
      supervisor: processRef(process.pid),
    });
    try {
      for (const path of opts.artifact) {
        await store.addArtifact(record.runName, {
          localPath: resolve(ctx.cwd, path),
          artifactPath: path,
        });
      }
      await store.updateRun(record.runName, {
        status: "done",
        finishedAt: new Date().toISOString(),
        message: `uploaded for tag ${tag}`,
        pid: undefined,
      });
    } catch (e) {
      await store.deleteRun(record.runName);
      throw e;
    }
    runName = record.runName;
  }
  if (!runName) throw new CliError("give the RUN to tag, or -a PATH to upload", 2);
  const target = runName;
  await inThisRepo(ctx, store, { run: target }, () => store.getRun(target));
  const { previous } = await store.setTag(tag, runName);
  ctx.stderr(
    previous && previous !== runName
      ? `tag ${tag} moved from ${previous} to ${runName}\n`
      : `tag ${tag} -> ${runName}\n`,
  );
  return 0;
}

/** `dstack tags delete TAG`. */
export async function tagsDeleteCommand(tag: string, ctx: RunContext): Promise<number> {
  const store = await repoStore(ctx);
  await store.deleteTag(tag);
  ctx.stderr(`tag ${tag} deleted\n`);
  return 0;
}
