/**
 * What every command works with: where it writes ({@link Io}), the {@link RunContext} of the
 * process, the user-facing {@link CliError}, and this repository's local store. No command
 * imports another command; they all import this module.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  findRepoRoot,
  isValidName,
  LocalStore,
  listRepoStores,
  openRepoStore,
  StoreError,
} from "@dstack/artifacts";

/** Where the CLI writes and which folder it runs in; tests pass their own. */
export interface Io {
  /** Writes to standard output (text already ends with a newline where one is meant). */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** The current directory (absolute). */
  cwd: string;
  /** The environment (`DSTACK_HOME`, `PATH`, ...) that jobs inherit. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal: colours only then. Default `false`. */
  isTTY?: boolean;
  /**
   * Standard error when it is a terminal: long transfers of artifacts draw a live progress bar
   * on it. Unset (the default): they print plain progress lines through `stderr`.
   */
  terminal?: NodeJS.WritableStream;
  /**
   * For tests: how the `--remote` commands wait between polls of GitHub (default real time).
   * A simulated clock's `sleep` makes following a run instant.
   */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** For tests: the clock of the `--remote` commands, epoch milliseconds (default `Date.now`). */
  now?: () => number;
  /**
   * For tests: the least time between two writes (dispatch, cancel, delete) of the `--remote`
   * commands' GitHub client, in milliseconds. Default the client's: a second, as GitHub asks of
   * mutative requests; a test against the local fake GitHub passes 0.
   */
  writeSpacingMs?: number;
}

/** {@link Io} with its defaults filled in: what every command gets. */
export interface RunContext extends Io {
  /** The environment jobs inherit. */
  env: NodeJS.ProcessEnv;
  /** Whether stdout is a terminal (colours only then). */
  isTTY: boolean;
}

/** The context of a command from the {@link Io} `main` was given. */
export function runContext(io: Io): RunContext {
  return { ...io, env: io.env ?? process.env, isTTY: io.isTTY ?? false };
}

/** A user-facing failure of the CLI: printed as is (no stack trace), exit status 1 or 2. */
export class CliError extends Error {
  /** @param exitCode - 1 for a problem with the input, 2 for a usage mistake. */
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
    this.name = "CliError";
  }
}

/**
 * The `dstack` bin, for starting a detached run in a process of its own. Resolved from this
 * module, which is `lib/context.js` unbundled and part of `dist/dstack.js` bundled: both one
 * folder below the package root.
 */
export const DSTACK_BIN = fileURLToPath(new URL("../bin/dstack.js", import.meta.url));

/**
 * The repository a command works in: the nearest folder at or above `cwd` holding `.dstack/`
 * or `.git`, else `cwd` itself.
 */
export function findRepoDir(cwd: string): string {
  return findRepoRoot(cwd);
}

/** `DSTACK_HOME`, or `~/.dstack`. */
export function dstackHome(env: NodeJS.ProcessEnv): string {
  return LocalStore.home(env);
}

/**
 * The local store of the repository the command runs in: `DSTACK_HOME/repos/<name>-<hash>/`
 * (see `openRepoStore` of `@dstack/artifacts`), so runs, tags and `deps` never mix repositories.
 */
export async function repoStore(
  ctx: Pick<Io, "cwd"> & { env: NodeJS.ProcessEnv },
): Promise<LocalStore> {
  return (await openRepoStore({ home: dstackHome(ctx.env), cwd: ctx.cwd })).store;
}

/** `RUN` or `:TAG`, as `dstack artifacts`, `tags` and `metrics` take it. */
export function parseRef(ref: string): { run: string } | { tag: string } {
  return ref.startsWith(":") ? { tag: ref.slice(1) } : { run: ref };
}

/**
 * Runs `fn`, which looks `ref` up in this repository's store; when the run or tag is not there
 * but another repository's store has it, the error says which repository (runs and tags are kept
 * per repository) instead of only listing this one's.
 */
export async function inThisRepo<T>(
  ctx: RunContext,
  store: LocalStore,
  ref: { run: string } | { tag: string },
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (!(e instanceof StoreError) || e.code !== "not-found") throw e;
    const what = "run" in ref ? `run ${ref.run}` : `tag ${ref.tag}`;
    for (const other of await listRepoStores(dstackHome(ctx.env)).catch(() => [])) {
      if (other.store.home === store.home) continue;
      const there =
        "run" in ref
          ? isValidName(ref.run) && existsSync(other.store.runDir(ref.run))
          : isValidName(ref.tag) && existsSync(join(other.dir, "tags", `${ref.tag}.json`));
      if (there) {
        const name = other.repo ? `${other.repo.name} (${other.repo.root})` : other.dir;
        throw new CliError(
          `${what} is not in this repository's runs; it belongs to repository ${name}: run the command there (dstack ps -a --all-repos lists every repository's runs)`,
        );
      }
    }
    throw e;
  }
}
