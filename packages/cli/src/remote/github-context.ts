/**
 * Where a `--remote` command goes and as whom, from a laptop: the repository (`--repo`, else the
 * `origin` remote), the REST API root (`--api-url`, `GITHUB_API_URL`, else from the remote's
 * host), the ref (`--ref`, else the current branch, with a warning when it is not pushed), and
 * the token (`GITHUB_TOKEN`, `GH_TOKEN`, else `gh auth token`).
 *
 * `git` and `gh` run through execa with an argument list and no shell.
 *
 * @module
 */
import { apiUrlForHost, DEFAULT_API_URL } from "@dstack/github";
import { execa } from "execa";
import { CliError } from "../context.js";

/** A repository on a GitHub host. */
export interface GitHubRepository {
  /** The owner (user or organization). */
  owner: string;
  /** The repository name, without `.git`. */
  repo: string;
  /** The web host, e.g. `github.com` or `ghe.example.com` (`host:port` for an https remote with a port). */
  host: string;
}

/** Where a `--remote` command talks to. */
export interface RemoteTarget extends GitHubRepository {
  /** The REST API root, e.g. `https://api.github.com` or `https://ghe.example.com/api/v3`. */
  apiUrl: string;
}

/** Owner and repository names as GitHub allows them. */
const NAME = /^[A-Za-z0-9_.-]+$/;

/** `git@host:owner/repo(.git)`: the scp-like syntax of ssh remotes (git-clone(1), "GIT URLS"). */
const SCP_LIKE = /^(?:[^@/\s]+@)?([^:/\s]+):(?!\/)(.+)$/;

/**
 * Reads `owner/repo` and the host from a Git remote URL: `https://host/owner/repo(.git)`,
 * `ssh://git@host(:port)/owner/repo(.git)`, `git@host:owner/repo(.git)` (a trailing `/` allowed).
 *
 * @returns the repository, or `undefined` for a URL of another shape (a local path, a deeper path).
 */
export function parseRemoteUrl(url: string): GitHubRepository | undefined {
  let host: string;
  let path: string;
  const text = url.trim();
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) {
    let parsed: URL;
    try {
      parsed = new URL(text);
    } catch {
      return undefined;
    }
    if (!["https:", "http:", "ssh:", "git:", "git+ssh:", "ssh+git:"].includes(parsed.protocol)) {
      return undefined;
    }
    // An ssh port is not the web's; an https port is.
    host = parsed.protocol.startsWith("http") ? parsed.host : parsed.hostname;
    path = decodeURIComponent(parsed.pathname);
  } else {
    const m = SCP_LIKE.exec(text);
    if (!m) return undefined;
    host = m[1] as string;
    path = m[2] as string;
  }
  const parts = path
    .replace(/^\/+|\/+$/g, "")
    .replace(/\.git$/, "")
    .split("/");
  const [owner, repo] = parts;
  if (parts.length !== 2 || !owner || !repo || !NAME.test(owner) || !NAME.test(repo)) {
    return undefined;
  }
  return { owner, repo, host: host.toLowerCase() };
}

/** The REST API root of a GitHub host (`@dstack/github`'s, here for this module's callers). */
export { apiUrlForHost };

/** A remote URL without credentials (`https://user:secret@host/...` -> `https://host/...`), for messages. */
function withoutCredentials(url: string): string {
  return url.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^@/]*@/i, "$1");
}

/** Replaces every occurrence of each secret in `text` with `***`. */
export function redact(text: string, secrets: readonly (string | undefined)[]): string {
  let out = text;
  for (const s of secrets) {
    if (s && s.length >= 4) out = out.split(s).join("***");
  }
  return out;
}

/** Runs git with an argument list (no shell) in `cwd`; `undefined` when it fails. */
async function git(
  args: string[],
  cwd: string,
  env: NodeJS.ProcessEnv,
): Promise<string | undefined> {
  const r = await execa("git", args, {
    cwd,
    env,
    extendEnv: false,
    reject: false,
    stdin: "ignore",
  });
  return r.failed ? undefined : String(r.stdout).trim();
}

/**
 * The repository and API root of a `--remote` command.
 *
 * - repository: `repo` (`--repo OWNER/NAME`), else `git remote get-url origin` in `cwd`;
 * - API root: `apiUrl` (`--api-url`), else `GITHUB_API_URL`, else from the remote's host
 *   ({@link apiUrlForHost}), else `https://api.github.com`.
 *
 * @throws {@link CliError} (exit 2) for a `--repo` not of the form OWNER/NAME; (exit 1) when there
 *   is no `--repo` and no GitHub `origin` remote, saying to pass `--repo`.
 */
export async function resolveTarget(options: {
  repo?: string | undefined;
  apiUrl?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
}): Promise<RemoteTarget> {
  let found: GitHubRepository;
  let fromRemote = false;
  if (options.repo !== undefined) {
    const [owner, repo, ...rest] = options.repo.split("/");
    if (rest.length > 0 || !owner || !repo || !NAME.test(owner) || !NAME.test(repo)) {
      throw new CliError(
        `--repo: ${JSON.stringify(options.repo)} is not a repository; write OWNER/NAME, e.g. octo-org/models`,
        2,
      );
    }
    found = { owner, repo, host: "github.com" };
  } else {
    const url = await git(["remote", "get-url", "origin"], options.cwd, options.env);
    if (url === undefined) {
      throw new CliError(
        `no repository: ${options.cwd} has no git remote "origin"; pass --repo OWNER/NAME`,
      );
    }
    const parsed = parseRemoteUrl(url);
    if (!parsed) {
      throw new CliError(
        `no repository: the remote "origin" (${withoutCredentials(url)}) is not a GitHub repository URL (https://HOST/OWNER/NAME or git@HOST:OWNER/NAME); pass --repo OWNER/NAME`,
      );
    }
    found = parsed;
    fromRemote = true;
  }
  const given = options.apiUrl ?? (options.env.GITHUB_API_URL || undefined);
  const apiUrl = (given ?? (fromRemote ? apiUrlForHost(found.host) : DEFAULT_API_URL)).replace(
    /\/+$/,
    "",
  );
  if (!fromRemote && apiUrl !== DEFAULT_API_URL) {
    // --repo on GitHub Enterprise: the host (for gh auth token) is the API's.
    try {
      found.host = new URL(apiUrl).host;
    } catch {
      throw new CliError(`--api-url: ${JSON.stringify(apiUrl)} is not a URL`, 2);
    }
  }
  return { ...found, apiUrl };
}

/** The ref a remote run goes to, and what the user should know about it. */
export interface ResolvedRef {
  /** The branch or tag name. */
  ref: string;
  /** Warnings: commits not pushed, uncommitted changes, no upstream. */
  warnings: string[];
}

/**
 * The ref of `dstack run --remote`: `ref` (`--ref`), else the current branch
 * (`git rev-parse --abbrev-ref HEAD`). For the current branch, warns when the runner would not
 * see what is here: commits not pushed (`git rev-list --count @{u}..HEAD`), no upstream branch,
 * uncommitted changes (`git status --porcelain`). The runner checks out what is on GitHub.
 *
 * @throws {@link CliError} when there is no `--ref` and no current branch (not a repository,
 *   no commits, a detached HEAD), saying to pass `--ref`.
 */
export async function resolveRef(options: {
  ref?: string | undefined;
  cwd: string;
  env: NodeJS.ProcessEnv;
}): Promise<ResolvedRef> {
  if (options.ref !== undefined) {
    if (options.ref.trim() === "") throw new CliError("--ref: empty; give a branch or tag", 2);
    return { ref: options.ref, warnings: [] };
  }
  const { cwd, env } = options;
  const branch = await git(["rev-parse", "--abbrev-ref", "HEAD"], cwd, env);
  if (branch === undefined || branch === "") {
    throw new CliError(
      `no branch: ${cwd} is not a git repository with commits; pass --ref BRANCH (a branch or tag on GitHub)`,
    );
  }
  if (branch === "HEAD") {
    throw new CliError(
      "no branch: HEAD is detached; pass --ref BRANCH (a branch or tag on GitHub that holds this commit)",
    );
  }
  const warnings: string[] = [];
  const upstream = await git(
    ["rev-parse", "--abbrev-ref", "--symbolic-full-name", "@{u}"],
    cwd,
    env,
  );
  if (upstream === undefined) {
    warnings.push(
      `branch ${branch} has no upstream: the runner checks out ${branch} as it is on GitHub, if it is there (git push -u origin ${branch})`,
    );
  } else {
    const ahead = Number(await git(["rev-list", "--count", "@{u}..HEAD"], cwd, env));
    if (ahead > 0) {
      warnings.push(
        `branch ${branch} has ${ahead} commit${ahead === 1 ? "" : "s"} not pushed to ${upstream}: the runner checks out what is on GitHub (git push first)`,
      );
    }
  }
  const status = await git(["status", "--porcelain", "--untracked-files=no"], cwd, env);
  if (status) {
    warnings.push("uncommitted changes are not on GitHub: the runner checks out the pushed commit");
  }
  return { ref: branch, warnings };
}

/** Where a token came from, for messages (never the token itself). */
export type TokenSource = "GITHUB_TOKEN" | "GH_TOKEN" | "gh auth token";

/**
 * The token of a `--remote` command: `GITHUB_TOKEN`, else `GH_TOKEN`, else `gh auth token`
 * (GitHub CLI; `--hostname HOST` for a host other than github.com), run with `env`'s `PATH`.
 * It needs `actions: write` to dispatch and cancel, `actions: read` to follow and download.
 *
 * @throws {@link CliError} when there is none: `gh` missing or not logged in, saying how to
 *   provide one. The message never holds a token.
 */
export async function resolveToken(options: {
  env: NodeJS.ProcessEnv;
  cwd: string;
  host: string;
}): Promise<{ token: string; source: TokenSource }> {
  const { env } = options;
  if (env.GITHUB_TOKEN?.trim()) return { token: env.GITHUB_TOKEN.trim(), source: "GITHUB_TOKEN" };
  if (env.GH_TOKEN?.trim()) return { token: env.GH_TOKEN.trim(), source: "GH_TOKEN" };
  const args = ["auth", "token"];
  if (options.host !== "github.com") args.push("--hostname", options.host);
  const how = `set GITHUB_TOKEN to a token with "actions: write" on the repository (a fine-grained token: Actions read and write), or log in with the GitHub CLI: gh auth login${options.host === "github.com" ? "" : ` --hostname ${options.host}`}`;
  const r = await execa("gh", args, {
    cwd: options.cwd,
    env,
    extendEnv: false,
    reject: false,
    stdin: "ignore",
    timeout: 30_000,
  });
  const token = String(r.stdout ?? "").trim();
  if (!r.failed && token !== "") return { token, source: "gh auth token" };
  if (r.code === "ENOENT") {
    throw new CliError(
      `no GitHub token: GITHUB_TOKEN and GH_TOKEN are not set, and gh (the GitHub CLI) is not installed; ${how}`,
    );
  }
  const said = redact(
    String(r.stderr ?? "")
      .trim()
      .split("\n")[0] ?? "",
    [token],
  );
  throw new CliError(
    `no GitHub token: GITHUB_TOKEN and GH_TOKEN are not set, and gh auth token failed${said ? ` (${said})` : ""}; ${how}`,
  );
}
