/**
 * `dstack logs RUN [-f]`: a local run's log, followed until the run ends.
 *
 * @module
 */
import { existsSync, readFileSync, statSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { ACTIVE_STATUSES, reconcileRun } from "@dstack/executor";
import { inThisRepo, type RunContext, repoStore } from "../context.js";
import { withoutTimestamp } from "../format.js";

/** A line of the log file, without its timestamp unless asked to keep it. */
function logText(line: string, timestamps: boolean): string {
  return timestamps ? line : withoutTimestamp(line);
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
      const run = await reconcileRun(store, await store.getRun(runName), { env: ctx.env });
      drain();
      if (!ACTIVE_STATUSES.has(run.status)) break;
      await sleep(200);
    }
  }
  if (rest) ctx.stdout(`${logText(rest, opts.timestamps ?? false)}\n`);
  return 0;
}
