/**
 * `dstack stop RUN`: a local run stopped as a cancelled GitHub Actions job is.
 *
 * @module
 */
import { setTimeout as sleep } from "node:timers/promises";
import { ACTIVE_STATUSES, isRunning, reconcileRun } from "@dstack/executor";
import { CliError, inThisRepo, type RunContext, repoStore } from "../context.js";

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
  const run = await reconcileRun(store, before, { as: "stopped", env: ctx.env });
  if (!ACTIVE_STATUSES.has(run.status)) {
    ctx.stderr(
      ACTIVE_STATUSES.has(before.status)
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
    const now = await reconcileRun(store, await store.getRun(runName), { env: ctx.env });
    if (!ACTIVE_STATUSES.has(now.status)) {
      ctx.stderr(`${runName} ${now.status}: ${now.message ?? ""}\n`);
      return 0;
    }
    await sleep(200);
  }
  throw new CliError(`${runName} is still ${run.status} after SIGINT; its process is ${run.pid}`);
}
