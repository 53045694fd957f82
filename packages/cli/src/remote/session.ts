/**
 * What every `--remote` command shares: where it goes and as whom ({@link connect}), how its
 * failures read on a laptop ({@link guardedRemote}: the CLI's own hint for a refused token, no
 * token in any message), and the runner workflow it talks to.
 *
 * @module
 */
import {
  createGitHubClient,
  type GitHubClient,
  type GitHubErrorHint,
  RUNNER_WORKFLOW_FILE,
  withHint,
} from "@dstack/github";
import { parseRunName } from "@dstack/spec";
import { CliError, type RunContext } from "../context.js";
import { type RemoteTarget, redact, resolveTarget, resolveToken } from "./github-context.js";

/** The options `ps` and `artifacts download` take with `--remote`. */
export interface RemoteOptions {
  /** `--repo OWNER/NAME`. */
  repo?: string;
  /** `--api-url URL`. */
  apiUrl?: string;
  /** `--runner-workflow FILE` (ps). */
  runnerWorkflow?: string;
}

/** The GitHub side of a command: where, as whom, and a client. */
export interface Session {
  target: RemoteTarget;
  token: string;
  client: GitHubClient;
}

/** What the CLI says about a token GitHub refused: where `dstack` found it. */
export const TOKEN_HINT = "check the token (GITHUB_TOKEN, GH_TOKEN or gh auth status)";

/** The CLI's hints for GitHub's refusals, given to every GitHubError it prints. */
export const CLI_HINTS: GitHubErrorHint = { unauthorized: TOKEN_HINT };

/** The repository and API root of a command from `--repo`, `--api-url` and the checkout at `cwd`. */
export function remoteTarget(
  opts: Pick<RemoteOptions, "repo" | "apiUrl">,
  cwd: string,
  ctx: RunContext,
): Promise<RemoteTarget> {
  return resolveTarget({ repo: opts.repo, apiUrl: opts.apiUrl, cwd, env: ctx.env });
}

/** Resolves the token for `target`'s host and makes the client. */
export async function connect(target: RemoteTarget, ctx: RunContext): Promise<Session> {
  const { token } = await resolveToken({ env: ctx.env, cwd: ctx.cwd, host: target.host });
  const client = createGitHubClient({
    token,
    apiUrl: target.apiUrl,
    warn: (m) => ctx.stderr(`${redact(m, [token])}\n`),
    ...(ctx.writeSpacingMs !== undefined ? { writeSpacingMs: ctx.writeSpacingMs } : {}),
  });
  return { target, token, client };
}

/**
 * Runs `fn`, turning GitHub and store failures into {@link CliError}s whose text holds no token
 * and whose advice is the CLI's ({@link CLI_HINTS}). The token lives in the client only; this
 * is the last guard should an answer ever echo it.
 */
export async function guardedRemote<T>(
  tokens: () => (string | undefined)[],
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (caught) {
    const e = withHint(caught, CLI_HINTS);
    const message = e instanceof Error ? e.message : String(e);
    const code = e instanceof CliError ? e.exitCode : 1;
    throw new CliError(redact(message, tokens()), code);
  }
}

/** The runner workflow file (`--runner-workflow`), checked to be a file name. */
export function runnerWorkflowOf(given: string | undefined): string {
  const file = given ?? RUNNER_WORKFLOW_FILE;
  if (!/^[A-Za-z0-9_.-]+\.ya?ml$/.test(file)) {
    throw new CliError(
      `--runner-workflow: ${JSON.stringify(file)} is not a workflow file name; give the file under .github/workflows/, e.g. ${RUNNER_WORKFLOW_FILE}`,
      2,
    );
  }
  return file;
}

/** The message for a runner workflow GitHub does not know: copy ours. */
export function noRunnerWorkflow(file: string, where: string, ref: string | undefined): string {
  return `no runner workflow .github/workflows/${file} in ${where}${ref ? ` on ${ref}` : ""}: copy .github/workflows/dstack-run.yml from dstack into the repository's .github/workflows/${file === RUNNER_WORKFLOW_FILE ? "" : ` as ${file}`}, commit and push it (or pass --runner-workflow FILE); check also that the token can see ${where}`;
}

/** What the title (`run-name`) of a tag-only run of the runner workflow starts with. */
export const TAG_ONLY_TITLE_PREFIX = "tag-";

/**
 * Whether a runner workflow run's title is a tag-only run's (`tag-<run name>`, from
 * `tags add --remote`) rather than a dstack run's: a run's title is its allocated name
 * (`adjective-animal-N`), and `tag` is none of the adjectives. Here, not in `tags.ts`, so that
 * `ps --remote`, which leaves finished tag-only runs out, does not load the tag command's code.
 */
export function isTagOnlyTitle(title: string): boolean {
  return (
    title.startsWith(TAG_ONLY_TITLE_PREFIX) &&
    parseRunName(title.slice(TAG_ONLY_TITLE_PREFIX.length)) !== null
  );
}

/** Ctrl-C and SIGTERM while a `--remote` command waits on GitHub; see {@link onInterrupt}. */
export interface Interrupt {
  /** Aborted, its reason the signal's name, at the first SIGINT or SIGTERM. */
  signal: AbortSignal;
  /** The signal that aborted {@link Interrupt.signal} (`SIGINT` or `SIGTERM`). */
  reason: () => NodeJS.Signals;
  /** The exit status after it: 130 after SIGINT, 143 after SIGTERM (128 + the signal number). */
  exitCode: () => number;
  /** Stops listening: call it in a `finally`. */
  dispose: () => void;
}

/**
 * Listens for SIGINT and SIGTERM until `dispose()`, turning the first into an aborted signal, so
 * that a command following a workflow run stops (or cancels it) and exits with the shell's status.
 */
export function onInterrupt(): Interrupt {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) controller.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const reason = () => String(controller.signal.reason) as NodeJS.Signals;
  return {
    signal: controller.signal,
    reason,
    exitCode: () => (reason() === "SIGTERM" ? 143 : 130),
    dispose: () => {
      process.off("SIGINT", onSignal);
      process.off("SIGTERM", onSignal);
    },
  };
}
