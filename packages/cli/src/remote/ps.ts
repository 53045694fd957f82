/**
 * `dstack ps --remote [-a]`: the runs of the repository's runner workflow on GitHub.
 *
 * @module
 */
import { type GitHubClient, restError } from "@dstack/github";
import { CliError, type RunContext } from "../context.js";
import { age, durationSince, table } from "../format.js";
import {
  connect,
  guardedRemote,
  isTagOnlyTitle,
  noRunnerWorkflow,
  type RemoteOptions,
  remoteTarget,
  runnerWorkflowOf,
} from "./session.js";

/** A workflow run's status in `ps`'s words: queued, running, done, failed, or GitHub's conclusion. */
export function psStatus(status: string | null, conclusion: string | null): string {
  if (status !== "completed") return status === "in_progress" ? "running" : (status ?? "queued");
  if (conclusion === "success") return "done";
  if (conclusion === "failure") return "failed";
  return conclusion ?? "completed";
}

/** Finished runs `ps --remote` shows without `-a`, besides the unfinished ones. */
const RECENT_FINISHED = 5;

/**
 * `dstack ps --remote [-a]`: runs of the runner workflow, newest first
 * (`GET /repos/{o}/{r}/actions/workflows/{file}/runs`; a run's title is its dstack run name):
 * RUN, STATUS, SUBMITTED, DURATION, URL. Without `-a`, the unfinished runs and the last
 * {@link RECENT_FINISHED} finished ones (from the newest 100); with `-a`, every page. The
 * finished tag-only runs of `tags add --remote` (titled `tag-<name>`, {@link isTagOnlyTitle}) only wrote a
 * tag, so, as local `ps` shows the finished runs `tags add -a` made only with `-a`, they are left
 * out without `-a` (and counted on stderr).
 *
 * @throws {@link CliError} for no token or repository, a runner workflow GitHub does not know,
 *   and GitHub refusals.
 */
export async function remotePsCommand(
  opts: RemoteOptions & { all?: boolean },
  ctx: RunContext,
): Promise<number> {
  const file = runnerWorkflowOf(opts.runnerWorkflow);
  let token: string | undefined;
  return guardedRemote(
    () => [token],
    async () => {
      const s = await connect(await remoteTarget(opts, ctx.cwd, ctx), ctx);
      token = s.token;
      const { owner, repo } = s.target;
      const params = { owner, repo, workflow_id: file, per_page: 100 };
      let runs: Awaited<
        ReturnType<GitHubClient["rest"]["actions"]["listWorkflowRuns"]>
      >["data"]["workflow_runs"];
      let total: number;
      try {
        if (opts.all) {
          runs = await s.client.paginate(s.client.rest.actions.listWorkflowRuns, params);
          total = runs.length;
        } else {
          const { data } = await s.client.rest.actions.listWorkflowRuns(params);
          runs = data.workflow_runs;
          total = data.total_count;
        }
      } catch (e) {
        if ((e as { status?: unknown }).status === 404) {
          throw new CliError(noRunnerWorkflow(file, `${owner}/${repo}`, undefined));
        }
        throw restError(
          `list the runs of .github/workflows/${file} in ${owner}/${repo}`,
          e,
          s.target.apiUrl,
        );
      }
      const now = (ctx.now ?? Date.now)();
      let finished = 0;
      let tagOnly = 0;
      const shown = opts.all
        ? runs
        : runs.filter((r) => {
            if (r.status !== "completed") return true;
            if (isTagOnlyTitle(r.display_title)) {
              tagOnly++;
              return false;
            }
            return finished++ < RECENT_FINISHED;
          });
      const rows = [["RUN", "STATUS", "SUBMITTED", "DURATION", "URL"]];
      for (const r of shown) {
        const end = r.status === "completed" ? Date.parse(r.updated_at) : now;
        rows.push([
          r.display_title,
          psStatus(r.status, r.conclusion),
          age(r.created_at, now),
          durationSince(r.run_started_at ?? r.created_at, end),
          r.html_url,
        ]);
      }
      ctx.stdout(`${table(rows)}\n`);
      const older = total - shown.length - tagOnly;
      const hidden = [
        ...(older > 0 ? [`${older} older runs`] : []),
        ...(tagOnly > 0
          ? [`${tagOnly} tag-only run${tagOnly === 1 ? "" : "s"} (tags add --remote)`]
          : []),
      ];
      if (hidden.length > 0) {
        ctx.stderr(`${hidden.join(" and ")} not shown; dstack ps --remote -a shows all\n`);
      }
      return 0;
    },
  );
}
