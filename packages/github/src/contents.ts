/**
 * Reading one file of a repository at a ref through the REST API, so that a rule file (the
 * repository policy, `.dstack/policy.yaml`) comes from the default branch and not from whatever a
 * workflow checked out.
 *
 * @module
 */
import { apiUrlOf, type GitHubClient } from "./client.js";
import { GitHubError, restError } from "./errors.js";

/** The largest file {@link readRepositoryFile} reads: GitHub's limit for `content` in JSON (1 MB). */
export const MAX_CONTENTS_BYTES = 1_000_000;

/** Options of {@link readRepositoryFile}. */
export interface ReadRepositoryFileOptions {
  /** A client from {@link createGitHubClient}; its token needs `contents: read`. */
  client: GitHubClient;
  /** The repository owner. */
  owner: string;
  /** The repository name. */
  repo: string;
  /** The file's path from the repository root, `/`-separated (e.g. `.dstack/policy.yaml`). */
  path: string;
  /** The branch, tag or commit SHA to read it at (e.g. the default branch). */
  ref: string;
}

/**
 * Reads a UTF-8 text file with `GET /repos/{owner}/{repo}/contents/{path}?ref=`
 * (docs.github.com/rest/repos/contents#get-repository-content). The JSON answer carries the file
 * as base64 up to 1 MB.
 *
 * @returns the text, or `undefined` when the file is not there at `ref` (404).
 * @throws GitHubError `invalid` when the path is a folder, a link or a submodule, or larger than
 *   {@link MAX_CONTENTS_BYTES}; otherwise what {@link restError} maps (403 names `contents: read`;
 *   401, 5xx after retries, unreachable). A missing repository or ref is also a 404 and reads as
 *   no file: callers that must tell them apart check the ref first.
 */
export async function readRepositoryFile(
  options: ReadRepositoryFileOptions,
): Promise<string | undefined> {
  const { client, owner, repo, path, ref } = options;
  const what = `read ${path} at ${ref} in ${owner}/${repo}`;
  let data: unknown;
  try {
    ({ data } = await client.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner,
      repo,
      path,
      ref,
    }));
  } catch (e) {
    if ((e as { status?: unknown }).status === 404) return undefined;
    const error = restError(what, e, apiUrlOf(client));
    if (error.reason === "permission") {
      throw new GitHubError(
        "permission",
        `${error.message}; give the workflow's token contents: read (permissions: contents: read)`,
        { status: 403, cause: e },
      );
    }
    throw error;
  }
  const file = data as { type?: unknown; encoding?: unknown; content?: unknown; size?: unknown };
  if (Array.isArray(data) || file.type !== "file") {
    const kind = Array.isArray(data) ? "folder" : String(file.type);
    throw new GitHubError("invalid", `${what}: it is a ${kind}, not a file`);
  }
  if (typeof file.size === "number" && file.size > MAX_CONTENTS_BYTES) {
    throw new GitHubError(
      "invalid",
      `${what}: ${file.size} bytes, more than the ${MAX_CONTENTS_BYTES} bytes a rule file may have`,
    );
  }
  if (file.encoding !== "base64" || typeof file.content !== "string") {
    throw new GitHubError(
      "invalid",
      `${what}: GitHub sent it as ${String(file.encoding)}, not base64`,
    );
  }
  return Buffer.from(file.content, "base64").toString("utf8");
}

/**
 * The repository's default branch, from `GET /repos/{owner}/{repo}`
 * (docs.github.com/rest/repos/repos#get-a-repository).
 *
 * @throws GitHubError as {@link restError} maps it (404: no such repository, or the token cannot
 *   see it).
 */
export async function readDefaultBranch(options: {
  client: GitHubClient;
  owner: string;
  repo: string;
}): Promise<string> {
  const { client, owner, repo } = options;
  try {
    const { data } = await client.request("GET /repos/{owner}/{repo}", { owner, repo });
    return data.default_branch;
  } catch (e) {
    throw restError(`read the default branch of ${owner}/${repo}`, e, apiUrlOf(client));
  }
}
