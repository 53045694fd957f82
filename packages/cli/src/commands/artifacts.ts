/**
 * `dstack artifacts list|download RUN|:TAG`: the artifacts of a run or a tag, from the local
 * store, or (`download --remote`) from GitHub Actions artifacts through the GitHub store. Both
 * stores download the same way (`downloadArtifacts`), so one function serves both.
 *
 * @module
 */
import { resolve } from "node:path";
import type { LocalStore } from "@dstack/artifacts";
import { inThisRepo, parseRef, type RunContext, repoStore } from "../context.js";
import { formatSize, table } from "../format.js";
import type { RemoteOptions } from "../remote/session.js";

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

/** What `artifacts download` needs of a store: the local store's and the GitHub store's method. */
export type ArtifactsSource = Pick<LocalStore, "downloadArtifacts">;

/** Options of {@link artifactsDownloadCommand}, as commander gives them. */
export interface DownloadOptions extends RemoteOptions {
  /** `-o DIR`: where to put them (default the current folder). */
  output?: string;
  /** `-p PATH`: only this artifact path. */
  artifactPath?: string;
  /** `--remote`: from GitHub Actions artifacts. */
  remote?: boolean;
}

/**
 * `dstack artifacts download RUN|:TAG [-o DIR] [-p ARTIFACT_PATH] [--remote]`: from this
 * repository's local store, or with `--remote` from the GitHub store (a tag resolved to its
 * trusted run, every artifact digest-checked; see `../remote/artifacts.ts`).
 */
export async function artifactsDownloadCommand(
  ref: string,
  opts: DownloadOptions,
  ctx: RunContext,
): Promise<number> {
  if (opts.remote) {
    const { withGitHubStore } = await import("../remote/artifacts.js");
    return withGitHubStore(opts, ctx, (store) => download(store, ref, opts, ctx));
  }
  const store = await repoStore(ctx);
  return inThisRepo(ctx, store, parseRef(ref), () => download(store, ref, opts, ctx));
}

/** Downloads `ref`'s artifacts from `store` under `-o` and says where. */
async function download(
  store: ArtifactsSource,
  ref: string,
  opts: DownloadOptions,
  ctx: RunContext,
): Promise<number> {
  const localPath = resolve(ctx.cwd, opts.output ?? ".");
  await store.downloadArtifacts(parseRef(ref), {
    artifactPath: opts.artifactPath ?? "",
    localPath,
  });
  ctx.stderr(
    `downloaded ${ref}${opts.artifactPath ? ` ${opts.artifactPath}` : ""} to ${localPath}\n`,
  );
  return 0;
}
