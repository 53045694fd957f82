/**
 * `dstack stop RUN --remote`: a run on GitHub cancelled, and force-cancelled if it ignores that.
 *
 * @module
 */
import { stopWorkflowRun } from "@dstack/github";
import { CliError, type RunContext } from "../context.js";
import { formatDuration } from "../format.js";
import { findRemoteRun } from "./find-run.js";
import { psStatus } from "./ps.js";
import {
  connect,
  guardedRemote,
  type RemoteOptions,
  remoteTarget,
  runnerWorkflowOf,
} from "./session.js";

/** Options of {@link remoteStopCommand}. */
export interface RemoteStopOptions extends RemoteOptions {
  /** Milliseconds to wait after the cancel before force-cancelling. Default 60 000. */
  graceMs?: number;
  /** Milliseconds between polls of the run's state. Default 5000. */
  pollMs?: number;
}

/**
 * `dstack stop RUN --remote`: finds the runner workflow's run titled RUN, cancels it
 * (`POST .../runs/{id}/cancel`: GitHub cancels the job, whose run-python post step saves the
 * job's checkpoints as artifacts), waits up to the grace period (60 s) for it to complete, then
 * force-cancels it (`POST .../runs/{id}/force-cancel`, which may skip post steps) and waits 60 s
 * more. Prints `RUN stopped: ...` or `RUN is already <status>` on stderr, as the local `stop`.
 *
 * @throws {@link CliError} for no token or repository, no run of that name, a token without
 *   `actions: write`, and a run still not completed after the force-cancel.
 */
export async function remoteStopCommand(
  runName: string,
  opts: RemoteStopOptions,
  ctx: RunContext,
): Promise<number> {
  const file = runnerWorkflowOf(opts.runnerWorkflow);
  const graceMs = opts.graceMs ?? 60_000;
  let token: string | undefined;
  return guardedRemote(
    () => [token],
    async () => {
      const s = await connect(await remoteTarget(opts, ctx.cwd, ctx), ctx);
      token = s.token;
      const found = await findRemoteRun(s, file, runName);
      const url = found.htmlUrl;
      if (found.status === "completed") {
        ctx.stderr(`${runName} is already ${psStatus(found.status, found.conclusion)}: ${url}\n`);
        return 0;
      }
      const { outcome, run } = await stopWorkflowRun(s.client, {
        owner: s.target.owner,
        repo: s.target.repo,
        workflowRunId: found.workflowRunId,
        graceMs,
        ...(opts.pollMs !== undefined ? { pollMs: opts.pollMs } : {}),
        ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
        ...(ctx.now ? { now: ctx.now } : {}),
        onForce: () =>
          ctx.stderr(
            `${runName} did not stop within ${formatDuration(graceMs)} of the cancel; force-cancelling it\n`,
          ),
      });
      switch (outcome) {
        case "already-completed":
          ctx.stderr(`${runName} is already ${psStatus(run.status, run.conclusion)}: ${url}\n`);
          return 0;
        case "cancelled":
          ctx.stderr(
            `${runName} stopped: workflow run ${run.conclusion ?? "cancelled"}; the job's checkpoints were saved as artifacts by run-python's post step: ${url}\n`,
          );
          return 0;
        case "force-cancelled":
          ctx.stderr(
            `${runName} stopped: workflow run force-cancelled; its post steps may not have run, so checkpoints after the last upload may be missing: ${url}\n`,
          );
          return 0;
        default:
          throw new CliError(
            `${runName} is still ${psStatus(run.status, run.conclusion)} after cancel and force-cancel: ${url}`,
          );
      }
    },
  );
}
