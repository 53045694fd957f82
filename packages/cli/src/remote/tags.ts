/**
 * `dstack tags list|delete --remote`: the repository's tags on GitHub (`dstack-tag--<tag>`
 * artifacts, resolved by the GitHub store's trusted-source rules), and `tags add --remote`'s
 * refusal.
 *
 * @module
 */
import { CliError, type RunContext } from "../context.js";
import { age, table } from "../format.js";
import { withGitHubStore } from "./artifacts.js";
import type { RemoteOptions } from "./session.js";

/**
 * `dstack tags list --remote [--json]`: each tag whose newest live tagging comes from a trusted
 * workflow run, and the run it points at; the same columns and JSON as the local
 * `tags list` (`[{tag, runName, createdAt}]`; `madeBy` is not known on GitHub, so absent).
 *
 * @throws {@link CliError} for no token or repository and GitHub refusals (`actions: read`).
 */
export async function remoteTagsListCommand(
  opts: RemoteOptions & { json?: boolean },
  ctx: RunContext,
): Promise<number> {
  const tags = await withGitHubStore(opts, ctx, (store) => store.listTags());
  if (opts.json) {
    ctx.stdout(`${JSON.stringify(tags, null, 2)}\n`);
    return 0;
  }
  const now = (ctx.now ?? Date.now)();
  const rows = [
    ["TAG", "RUN", "MADE BY", "CREATED"],
    ...tags.map((t) => [t.tag, t.runName, "-", age(t.createdAt, now)]),
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
 * `dstack tags add TAG RUN --remote`: refused with the ways that work. GitHub stores an Actions
 * artifact only from inside a running workflow run (the upload needs its runtime token), and a
 * tag is such an artifact, so a laptop cannot write one.
 *
 * @throws {@link CliError} always.
 */
export async function remoteTagsAddCommand(tag: string, run: string | undefined): Promise<number> {
  throw new CliError(
    `tags add --remote: a tag on GitHub is an Actions artifact, and GitHub accepts artifacts only from a running workflow run, not from a laptop; tag the run where it is made (dstack run --remote --tag ${tag}, or artifacts.upload(..., tag="${tag}") in the job)${run ? `, or download ${run} (dstack artifacts download ${run} --remote) and tag it locally` : ""}`,
  );
}
