/**
 * `dstack tags list|add|delete --remote`: the repository's tags on GitHub (`dstack-tag--<tag>`
 * artifacts, resolved by the GitHub store's trusted-source rules). `tags add` dispatches the
 * runner workflow in its tag-only mode, since GitHub takes an artifact only from inside a running
 * workflow run.
 *
 * @module
 */
import { pullRequestOfTag, runArtifactName, tagArtifactName } from "@dstack/artifacts/github";
import {
  cancelRun,
  type DispatchedRun,
  dispatchRun,
  type FollowedRun,
  fetchJobLog,
  followRun,
  GitHubError,
  readDefaultBranch,
  trustInputs,
} from "@dstack/github";
import { allocateRunName } from "@dstack/spec";
import pc from "picocolors";
import { CliError, type RunContext } from "../context.js";
import { age, table, withoutTimestamp } from "../format.js";
import { withGitHubStore } from "./artifacts.js";
import { recentTitles } from "./run.js";
import {
  connect,
  guardedRemote,
  noRunnerWorkflow,
  onInterrupt,
  type RemoteOptions,
  remoteTarget,
  runnerWorkflowOf,
  type Session,
  TAG_ONLY_TITLE_PREFIX,
} from "./session.js";

/**
 * The runner workflow's input that makes a dispatch tag-only: the run to point the `tag` input
 * at (`.github/workflows/dstack-run.yml`: its tag job alone runs).
 */
export const TAG_RUN_INPUT = "tag-run";

/**
 * `dstack tags list --remote [--json]`: each tag whose newest live tagging comes from a trusted
 * workflow run, and the run it points at; the local `tags list`'s columns and JSON
 * (`[{tag, runName, createdAt, madeBy?, madeByActor?}]`). MADE BY is the workflow run that
 * wrote the tag: its title (the dstack run name of a runner workflow run: the job's run that
 * tagged, the run itself for `dstack run --remote --tag`, `tag-...` for `tags add --remote`) and
 * who started it (`madeByActor`, GitHub's `triggering_actor`), read from the answer the trust
 * rules already fetched: no request per tag.
 *
 * @throws {@link CliError} for no token or repository and GitHub refusals (`actions: read`).
 */
export async function remoteTagsListCommand(
  opts: RemoteOptions & { json?: boolean },
  ctx: RunContext,
): Promise<number> {
  const tags = (await withGitHubStore(opts, ctx, (store) => store.listTags())).map(
    ({ taggedBy, ...t }) => ({
      ...t,
      ...(taggedBy?.title !== undefined ? { madeBy: taggedBy.title } : {}),
      ...(taggedBy?.actor !== undefined ? { madeByActor: taggedBy.actor } : {}),
    }),
  );
  if (opts.json) {
    ctx.stdout(`${JSON.stringify(tags, null, 2)}\n`);
    return 0;
  }
  const now = (ctx.now ?? Date.now)();
  const madeBy = (t: { madeBy?: string; madeByActor?: string }) =>
    t.madeBy === undefined
      ? "-"
      : `${t.madeBy}${t.madeByActor !== undefined ? ` (@${t.madeByActor})` : ""}`;
  const rows = [
    ["TAG", "RUN", "MADE BY", "CREATED"],
    ...tags.map((t) => [t.tag, t.runName, madeBy(t), age(t.createdAt, now)]),
  ];
  ctx.stdout(`${table(rows)}\n`);
  return 0;
}

/**
 * `dstack tags delete TAG --remote`: deletes every `dstack-tag--TAG` artifact of the repository
 * (the runs and their artifacts stay). Needs a token with `actions: write`; a tag of the
 * reserved `pr-<n>.` namespace belongs to its pull request's runs and is refused.
 *
 * @throws {@link CliError} for no such tag, a reserved tag, a token without `actions: write`.
 */
export async function remoteTagsDeleteCommand(
  tag: string,
  opts: RemoteOptions,
  ctx: RunContext,
): Promise<number> {
  await withGitHubStore(opts, ctx, (store) => store.deleteTag(tag));
  ctx.stderr(`tag ${tag} deleted\n`);
  return 0;
}

/**
 * `dstack tags add TAG RUN --remote`: points TAG at RUN on GitHub. A tag there is an Actions
 * artifact, which GitHub takes only from inside a running workflow run, so this dispatches the
 * runner workflow on the default branch in its tag-only mode (inputs `tag`, {@link TAG_RUN_INPUT}
 * and a `run-name` of its own, `tag-<name>`, unique among the workflow's recent titles, which is
 * how the run is found when GitHub does not return its id): one small job on a GitHub-hosted
 * runner, none of the repository's code, writes the tag after checking that RUN comes from a
 * trusted workflow run and not from a pull request's or another branch's code. Follows it to its
 * end and prints what the local command prints (`tag T -> RUN`, or `moved from`), read from the
 * tag job's log; a refusal there is this command's error. Ctrl-C or SIGTERM cancels it.
 *
 * @returns 0 when the tag was set; 130 after Ctrl-C, 143 after SIGTERM.
 * @throws {@link CliError} for `-a` (an upload needs a workflow run of its own), no RUN, a bad or
 *   reserved (`pr-<n>.`) tag, no token or repository, a runner workflow GitHub does not know or
 *   without the tag-only mode, GitHub refusals, and the tag job's refusal (no such run, untrusted).
 */
export async function remoteTagsAddCommand(
  tag: string,
  run: string | undefined,
  opts: RemoteOptions & { artifact?: string[] },
  ctx: RunContext,
): Promise<number> {
  if (opts.artifact && opts.artifact.length > 0) {
    throw new CliError(
      `tags add -a --remote: GitHub takes artifacts only from a running workflow run; upload them there (dstack run --remote --tag ${tag}, or artifacts.upload(..., tag="${tag}") in the job), or tag them here without --remote`,
      2,
    );
  }
  if (!run) throw new CliError("tags add --remote: give the RUN to tag", 2);
  const file = runnerWorkflowOf(opts.runnerWorkflow);
  let token: string | undefined;
  return guardedRemote(
    () => [token],
    async () => {
      // The names, checked before anything is dispatched (the tag step checks them again).
      tagArtifactName(tag);
      runArtifactName(run);
      if (pullRequestOfTag(tag) !== undefined) {
        throw new CliError(
          `tag ${JSON.stringify(tag)}: names starting with pr-<number>. are the tags of pull requests' runs, written only by their own runs; choose another tag`,
        );
      }
      const s = await connect(await remoteTarget(opts, ctx.cwd, ctx), ctx);
      token = s.token;
      return tagRemote(s, { tag, run, file }, ctx);
    },
  );
}

/** The tag-only dispatch of {@link remoteTagsAddCommand}, followed to its end. */
async function tagRemote(
  s: Session,
  o: { tag: string; run: string; file: string },
  ctx: RunContext,
): Promise<number> {
  const { owner, repo } = s.target;
  const where = `${owner}/${repo}`;
  const color = pc.createColors(ctx.isTTY);
  let ref: string;
  try {
    ref = await readDefaultBranch({ client: s.client, owner, repo });
  } catch (e) {
    if (!(e instanceof GitHubError)) throw e;
    throw new CliError(
      `tags add --remote: a tag-only run is dispatched on the default branch of ${where}, which could not be read (${e.message})`,
    );
  }
  // On the default branch, so `{}`: the tag step refuses a dispatch marked untrusted.
  const trust = trustInputs({ dispatchRef: ref, defaultBranch: ref });
  const taken = await recentTitles(s, o.file, ref);
  const title = `${TAG_ONLY_TITLE_PREFIX}${await allocateRunName({
    claim: (name) => !taken.has(`${TAG_ONLY_TITLE_PREFIX}${name}`),
  })}`;

  const interrupt = onInterrupt();
  const timing = {
    signal: interrupt.signal,
    ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
    ...(ctx.now ? { now: ctx.now } : {}),
    log: (m: string) => ctx.stderr(`${color.dim(m)}\n`),
  };
  try {
    let dispatched: DispatchedRun;
    try {
      dispatched = await dispatchRun(s.client, {
        owner,
        repo,
        workflowFile: o.file,
        ref,
        inputs: { ...trust, tag: o.tag, [TAG_RUN_INPUT]: o.run },
        runName: title,
        ...timing,
      });
    } catch (e) {
      if (interrupt.signal.aborted) {
        ctx.stderr(
          `\n${interrupt.reason()}: stopped before GitHub confirmed the dispatch of ${title}; tag ${o.tag} may still be set\n`,
        );
        return interrupt.exitCode();
      }
      throw dispatchRefused(e, { file: o.file, where, ref });
    }
    const url = dispatched.htmlUrl;
    ctx.stderr(`${color.dim(`tagging ${o.tag} -> ${o.run} on GitHub: ${title} ${url}`)}\n`);
    let followed: FollowedRun;
    try {
      followed = await followRun(s.client, {
        owner,
        repo,
        workflowRunId: dispatched.workflowRunId,
        ...timing,
      });
    } catch (e) {
      if (!interrupt.signal.aborted) throw e;
      await cancelRun(s.client, {
        owner,
        repo,
        workflowRunId: dispatched.workflowRunId,
        signal: AbortSignal.timeout(30_000),
      }).catch(() => undefined);
      ctx.stderr(`\n${interrupt.reason()}: cancelling ${title}: ${url}\n`);
      return interrupt.exitCode();
    }
    const lines = await jobLogLines(s, followed);
    if (followed.conclusion === "success") {
      const said = lines
        .map((l) => /^tag \S+ (?:-> \S+|moved from \S+ to \S+)/.exec(l)?.[0])
        .find((l) => l !== undefined);
      ctx.stderr(`${said ?? `tag ${o.tag} -> ${o.run}`}\n`);
      return 0;
    }
    const errors = lines.filter((l) => l.startsWith("##[error]")).map((l) => l.slice(9));
    throw new CliError(
      `tag ${o.tag} was not set: ${errors.length > 0 ? errors.join("; ") : `the tag-only workflow run ${title} ended ${followed.conclusion ?? "without a conclusion"}`} (${url})`,
    );
  } finally {
    interrupt.dispose();
  }
}

/**
 * The log lines of the jobs that ran (`GET .../actions/jobs/{id}/logs`), without GitHub's
 * timestamps; a log that cannot be read adds none.
 */
async function jobLogLines(s: Session, followed: FollowedRun): Promise<string[]> {
  const { owner, repo } = s.target;
  const lines: string[] = [];
  for (const job of followed.jobs) {
    if (job.conclusion === "skipped" || !job.runnerName) continue;
    const log = await fetchJobLog(s.client, { owner, repo, jobId: job.id }).catch(() => "");
    for (const line of log.split(/\r?\n/)) if (line !== "") lines.push(withoutTimestamp(line));
  }
  return lines;
}

/** A refused tag-only dispatch, in the CLI's words: no runner workflow, or one without the mode. */
function dispatchRefused(e: unknown, at: { file: string; where: string; ref: string }): unknown {
  if (!(e instanceof GitHubError)) return e;
  if (e.reason === "not-found") return new CliError(noRunnerWorkflow(at.file, at.where, at.ref));
  if (e.reason === "invalid-inputs" && /tag-run|job/.test(e.message)) {
    return new CliError(
      `${e.message}\nthe runner workflow .github/workflows/${at.file} on ${at.ref} has no tag-only mode (its ${TAG_RUN_INPUT} input): copy the current .github/workflows/dstack-run.yml from dstack`,
    );
  }
  return e;
}
