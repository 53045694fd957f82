/**
 * `dstack venvs` and `dstack venvs prune`: the venvs `dstack run` cached in `DSTACK_HOME`.
 *
 * @module
 */
import { listRepoStores } from "@dstack/artifacts";
import {
  ACTIVE_STATUSES,
  type CachedVenv,
  listVenvs,
  pruneVenvs,
  reconcileRun,
} from "@dstack/executor";
import { CliError, dstackHome, type RunContext } from "../context.js";
import { age, formatCount, formatSize, table } from "../format.js";

const UNIT_MS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/**
 * A duration as `--older-than` takes it: a whole number and a unit, `s`, `m`, `h` or `d`
 * (`30d`, `12h`), in milliseconds.
 *
 * @throws {@link CliError} (exit status 2) naming what was given and what is allowed.
 */
function parseAge(text: string): number {
  const m = /^(\d+)([smhd])$/.exec(text.trim());
  if (!m) {
    throw new CliError(
      `--older-than: "${text}" is not a duration; give a whole number and s, m, h or d (30d, 12h)`,
      2,
    );
  }
  return Number(m[1]) * (UNIT_MS[m[2] as string] as number);
}

/** The JSON shape of one venv (`dstack venvs --json`). */
function venvJson(v: CachedVenv) {
  return {
    key: v.key,
    dir: v.dir,
    trust: v.untrusted ? "untrusted" : "trusted",
    state: v.state,
    bytes: v.bytes,
    interpreter: v.interpreter,
    requirementsSha256: v.requirementsSha256 ?? null,
    lastUsed: v.lastUsed,
  };
}

/** `dstack venvs [--json]`: the cached venvs, trusted then untrusted. */
export async function venvsListCommand(opts: { json?: boolean }, ctx: RunContext): Promise<number> {
  const venvs = await listVenvs(dstackHome(ctx.env));
  if (opts.json) {
    ctx.stdout(`${JSON.stringify(venvs.map(venvJson), null, 2)}\n`);
    return 0;
  }
  const rows = [
    ["VENV", "TRUST", "STATE", "SIZE", "PYTHON", "REQUIREMENTS", "LAST USED"],
    ...venvs.map((v) => [
      v.key,
      v.untrusted ? "untrusted" : "trusted",
      v.state,
      formatSize(v.bytes),
      v.interpreter.version ?? "-",
      v.requirementsSha256?.slice(0, 12) ?? "-",
      age(v.lastUsed),
    ]),
  ];
  ctx.stdout(`${table(rows)}\n`);
  const total = venvs.reduce((n, v) => n + v.bytes, 0);
  ctx.stderr(`${formatCount(venvs.length, "venv")}, ${formatSize(total)} in all\n`);
  return 0;
}

/** Options of {@link venvsPruneCommand}, as commander gives them. */
export interface VenvsPruneOptions {
  /** Last use older than this (`30d`) is pruned; default `30d`. */
  olderThan?: string;
  /** Every venv, when no run of any repository is active (a run's venv is not recorded). */
  unused?: boolean;
  /** Name what would go, remove nothing. */
  dryRun?: boolean;
  /** Print `{removed, building}` as JSON. */
  json?: boolean;
}

/**
 * `dstack venvs prune [--older-than 30d] [--unused] [--dry-run] [--json]`: removes the venvs no
 * run used for the given time (default 30 days). `--unused` removes every venv, provided no run
 * is active in any repository's store (a run does not record its venv, so while any run is active
 * none counts as unused); it refuses, naming the active runs, otherwise. A venv being built (its
 * lock held) is never removed.
 *
 * @throws {@link CliError} for a bad `--older-than`, both options, or `--unused` with active runs.
 */
export async function venvsPruneCommand(opts: VenvsPruneOptions, ctx: RunContext): Promise<number> {
  if (opts.unused && opts.olderThan !== undefined) {
    throw new CliError("give --older-than or --unused, not both", 2);
  }
  const olderThanMs = opts.unused ? -1 : parseAge(opts.olderThan ?? "30d");
  if (opts.unused) {
    const active: string[] = [];
    for (const { store } of await listRepoStores(dstackHome(ctx.env))) {
      for (const listed of await store.listRuns()) {
        const run = await reconcileRun(store, listed, { env: ctx.env });
        if (ACTIVE_STATUSES.has(run.status)) active.push(run.runName);
      }
    }
    if (active.length > 0) {
      throw new CliError(
        `--unused: runs are active (${active.join(", ")}) and may be using any venv; nothing was removed (wait for them, or give --older-than)`,
      );
    }
  }
  const result = await pruneVenvs({
    home: dstackHome(ctx.env),
    olderThanMs,
    ...(opts.dryRun ? { dryRun: true } : {}),
  });
  if (opts.json) {
    ctx.stdout(
      `${JSON.stringify(
        { removed: result.removed.map(venvJson), building: result.building.map(venvJson) },
        null,
        2,
      )}\n`,
    );
    return 0;
  }
  const verb = opts.dryRun ? "would remove" : "removed";
  for (const v of result.removed) {
    ctx.stderr(`${verb} ${v.dir} (${formatSize(v.bytes)}, last used ${age(v.lastUsed)})\n`);
  }
  for (const v of result.building) ctx.stderr(`kept ${v.dir}: another run is building it\n`);
  const freed = result.removed.reduce((n, v) => n + v.bytes, 0);
  const n = result.removed.length;
  ctx.stderr(`${verb} ${formatCount(n, "venv")}, ${formatSize(freed)}\n`);
  return 0;
}
