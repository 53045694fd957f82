/**
 * `dstack logs RUN --remote [-f]`: the log of a run on GitHub, followed until it completes.
 *
 * @module
 */
import { readRunLogs } from "@dstack/github";
import pc from "picocolors";
import type { RunContext } from "../context.js";
import { withoutTimestamp } from "../format.js";
import { findRemoteRun } from "./find-run.js";
import { psStatus } from "./ps.js";
import {
  connect,
  guardedRemote,
  onInterrupt,
  type RemoteOptions,
  remoteTarget,
  runnerWorkflowOf,
} from "./session.js";

/** Options of {@link remoteLogsCommand}. */
export interface RemoteLogsOptions extends RemoteOptions {
  /** `-f`: keep printing new lines until the run completes. */
  follow?: boolean;
  /** `-t`: keep GitHub's timestamp before each line. */
  timestamps?: boolean;
  /** Milliseconds between polls while following. Default 5000. */
  intervalMs?: number;
}

/**
 * `dstack logs RUN --remote [-f] [-t]`: finds the runner workflow's run titled RUN
 * (`GET .../workflows/{file}/runs`), prints its jobs' logs (GitHub's per-line timestamps
 * stripped as for a local run unless `-t`), and with `-f` polls every 5 s for new lines until
 * the run completes. Where GitHub does not serve a running job's log, says so once and prints
 * it at completion. Ctrl-C (SIGINT) or SIGTERM stops following only (exit 130 or 143); the run
 * goes on.
 *
 * @returns 0, or 130/143 when following was interrupted.
 * @throws {@link CliError} for no token or repository, no run of that name, GitHub refusals.
 */
export async function remoteLogsCommand(
  runName: string,
  opts: RemoteLogsOptions,
  ctx: RunContext,
): Promise<number> {
  const file = runnerWorkflowOf(opts.runnerWorkflow);
  const color = pc.createColors(ctx.isTTY);
  let token: string | undefined;
  // Ctrl-C stops following with -f; without it, the default: the process ends.
  const interrupt = opts.follow ? onInterrupt() : undefined;
  try {
    return await guardedRemote(
      () => [token],
      async () => {
        const s = await connect(await remoteTarget(opts, ctx.cwd, ctx), ctx);
        token = s.token;
        const run = await findRemoteRun(s, file, runName);
        const result = await readRunLogs(s.client, {
          owner: s.target.owner,
          repo: s.target.repo,
          workflowRunId: run.workflowRunId,
          follow: opts.follow ?? false,
          intervalMs: opts.intervalMs,
          ...(interrupt ? { signal: interrupt.signal } : {}),
          ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
          ...(ctx.now ? { now: ctx.now } : {}),
          onJob: (job) =>
            ctx.stderr(`${color.cyan(`==> log of job ${JSON.stringify(job.name)}`)}\n`),
          onLine: (line) => ctx.stdout(`${opts.timestamps ? line : withoutTimestamp(line)}\n`),
          onNoLiveLog: (job) =>
            ctx.stderr(
              `${color.dim(`GitHub does not serve the log of job ${JSON.stringify(job.name)} while it runs; ${opts.follow ? `it is printed when ${runName} completes` : `dstack logs ${runName} --remote -f prints it when ${runName} completes`}: ${run.htmlUrl}`)}\n`,
            ),
          log: (m) => ctx.stderr(`${color.dim(m)}\n`),
        });
        if (result.stopped && interrupt) {
          ctx.stderr(
            `\n${interrupt.reason()}: stopped following; ${runName} goes on (dstack stop ${runName} --remote stops it): ${run.htmlUrl}\n`,
          );
          return interrupt.exitCode();
        }
        if (result.run.status !== "completed") {
          ctx.stderr(
            `${runName} is still ${psStatus(result.run.status, result.run.conclusion)}: ${run.htmlUrl}\n`,
          );
        }
        return 0;
      },
    );
  } finally {
    interrupt?.dispose();
  }
}
