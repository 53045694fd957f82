/**
 * The GitHub store for `dstack artifacts download --remote` (`@dstack/artifacts/github`): a tag
 * resolves to its trusted run, every artifact is digest-checked. The artifact client reads
 * `GITHUB_API_URL` from the process environment; it must be the API the repository is on (the
 * store refuses otherwise). Long transfers show their progress (`progress.ts`).
 *
 * @module
 */
import { GitHubStore } from "@dstack/artifacts/github";
import pc from "picocolors";
import type { RunContext } from "../context.js";
import { resolveToken } from "./github-context.js";
import { transferProgress } from "./progress.js";
import { guardedRemote, type RemoteOptions, remoteTarget, TOKEN_HINT } from "./session.js";

/**
 * Runs `fn` with the GitHub store of the repository `--repo` (else the `origin` remote) names.
 *
 * @throws CliError for no token or repository, and the store's `StoreError`s (unknown run or
 *   tag, no such artifact path, digest mismatch) as messages without the token.
 */
export async function withGitHubStore<T>(
  opts: RemoteOptions,
  ctx: RunContext,
  fn: (store: GitHubStore) => Promise<T>,
): Promise<T> {
  let token: string | undefined;
  return guardedRemote(
    () => [token],
    async () => {
      const target = await remoteTarget(opts, ctx.cwd, ctx);
      token = (await resolveToken({ env: ctx.env, cwd: ctx.cwd, host: target.host })).token;
      const store = new GitHubStore({
        token,
        repository: `${target.owner}/${target.repo}`,
        apiUrl: target.apiUrl,
        tokenHint: TOKEN_HINT,
        ...(ctx.writeSpacingMs !== undefined ? { writeSpacingMs: ctx.writeSpacingMs } : {}),
        // Tags and runs resolve to trusted workflow runs only; skipped ones are named here.
        warn: (w) => ctx.stderr(`${pc.createColors(ctx.isTTY).yellow(`warning: ${w}`)}\n`),
        // Long transfers: a bar on a terminal, else a line at most every 10 s or 10 %.
        onProgress: transferProgress({
          log: (line) => ctx.stderr(`${line}\n`),
          ...(ctx.terminal !== undefined ? { terminal: ctx.terminal } : {}),
        }),
      });
      return fn(store);
    },
  );
}
