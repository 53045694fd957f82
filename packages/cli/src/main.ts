/**
 * `dstack`: the command line: `run`, `ps`, `logs`, `stop`, `artifacts`, `tags`, `metrics`, `venvs`,
 * `validate`, `labels`, `schema`; `run`, `ps`, `logs`, `stop`, `artifacts download` and `tags` also on
 * GitHub with `--remote`.
 *
 * This module is the commander wiring only: each command is a file of `commands/` (the
 * `--remote` ones, loaded on first use, in `remote/`), sharing `context.ts` and `format.ts`.
 *
 * @module
 */

import { Command, CommanderError } from "commander";
import {
  artifactsDownloadCommand,
  artifactsListCommand,
  type DownloadOptions,
} from "./commands/artifacts.js";
import { type LabelsOptions, labelsCommand } from "./commands/labels.js";
import { logsCommand } from "./commands/logs.js";
import { metricsCommand, metricsDiffCommand } from "./commands/metrics.js";
import { type PsOptions, psCommand } from "./commands/ps.js";
import { executeRun, runCommand } from "./commands/run.js";
import { schemaCommand } from "./commands/schema.js";
import { stopCommand } from "./commands/stop.js";
import { tagsAddCommand, tagsDeleteCommand, tagsListCommand } from "./commands/tags.js";
import { validateCommand } from "./commands/validate.js";
import { type VenvsPruneOptions, venvsListCommand, venvsPruneCommand } from "./commands/venvs.js";
import { CliError, type Io, runContext } from "./context.js";

export type { Io } from "./context.js";
export { guardedWriter, processIo } from "./process-io.js";

/** The package version, printed by `dstack --version`. */
export const VERSION = "0.1.0";

/**
 * Runs the `dstack` command line.
 *
 * @param argv - the arguments after `dstack` (`process.argv.slice(2)`).
 * @param io - output streams and the current directory.
 * @returns the exit status: 0 success, 1 invalid input (every problem printed), 2 a usage mistake.
 *   Never throws and never calls `process.exit`.
 */
export async function main(argv: readonly string[], io: Io): Promise<number> {
  const ctx = runContext(io);
  let status = 0;
  const set = (code: number) => {
    status = code;
  };
  // `run` has its own grammar (the argv of dstack's Python provider reference, owned by @dstack/spec and shared with the
  // pull-request command): dstack's options wherever they stand before --, the script's words
  // kept in order, and everything after -- the script's, exactly.
  if (argv[0] === "run" || argv[0] === "__exec") {
    return guarded(io, () =>
      argv[0] === "run"
        ? runCommand(argv.slice(1), ctx)
        : executeRun(argv[1] ?? "", ctx, argv[2], argv[3] !== undefined ? { tag: argv[3] } : {}),
    );
  }
  const program = new DstackCommand("dstack")
    .description(
      "Run Python training jobs here, on self-hosted GPU runners, or on any runner whose labels match",
    )
    .version(VERSION)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command("validate")
    .description(
      "check .dstack/workflows.yaml (and .dstack/workflows/*.yaml), and every workflow against .dstack/policy.yaml when there is one; print every problem with its position",
    )
    .argument(
      "[path]",
      "a repository folder or a workflows file (default: the repository of the current folder, found as dstack run finds it)",
    )
    .option("--json", "print {ok, jobs, diagnostics} as JSON, jobs normalized")
    .action((path: string | undefined, opts: { json?: boolean }) =>
      set(validateCommand(path, opts, ctx)),
    );

  program
    .command("labels")
    .description(
      "print the runs-on labels a workflow's job needs (the label scheme of @dstack/spec)",
    )
    .argument("<workflow>", "a workflow name from .dstack/workflows.yaml")
    .option(
      "-C, --cwd <dir>",
      "the repository folder (default: the repository of the current folder)",
    )
    .option("--json", "print a JSON list, for runs-on with fromJSON()")
    .option("--allow-gpu-runners", "let a job without GPUs run on GPU runners too")
    .action((workflow: string, opts: LabelsOptions) => set(labelsCommand(workflow, opts, ctx)));

  program
    .command("run")
    .description(
      "run a workflow or a Python file here: dstack run WORKFLOW | dstack run python FILE (dstack run -h)",
    )
    .helpOption(false);

  program
    .command("ps")
    .description(
      "list runs: active ones, or all with -a; with --remote, the runs of the repository's runner workflow on GitHub",
    )
    .option("-a, --all", "show finished runs too")
    .option(
      "--all-repos",
      "the runs of every repository, with a REPO column (default: this repository's)",
    )
    .option("--json", "print the runs as a JSON array")
    .remoteOptions("list runs on GitHub (token: GITHUB_TOKEN, GH_TOKEN or `gh auth token`)", {
      runnerWorkflow: true,
    })
    .action(async (opts: RemoteCliOptions & PsOptions) => {
      if (!remoteOnly(opts)) return set(await psCommand(opts, ctx));
      const { remotePsCommand } = await import("./remote/ps.js");
      set(await remotePsCommand(opts, ctx));
    });

  program
    .command("logs")
    .description("print a run's log")
    .argument("<run>", "the run name")
    .option("-f, --follow", "keep printing until the run ends")
    .option("-t, --timestamps", "keep each line's timestamp")
    .remoteOptions("a run on GitHub (token: GITHUB_TOKEN, GH_TOKEN or `gh auth token`)", {
      runnerWorkflow: true,
    })
    .action(
      async (run: string, opts: RemoteCliOptions & { follow?: boolean; timestamps?: boolean }) => {
        if (!remoteOnly(opts)) return set(await logsCommand(run, opts, ctx));
        const { remoteLogsCommand } = await import("./remote/logs.js");
        set(await remoteLogsCommand(run, opts, ctx));
      },
    );

  program
    .command("stop")
    .description(
      "stop a run: SIGINT to its job (KeyboardInterrupt), a kill after 10 s, artifacts saved",
    )
    .argument("<run>", "the run name")
    .remoteOptions(
      "a run on GitHub: cancel its workflow run, force-cancel it if it has not stopped after 60 s",
      { runnerWorkflow: true },
    )
    .action(async (run: string, opts: RemoteCliOptions) => {
      if (!remoteOnly(opts)) return set(await stopCommand(run, {}, ctx));
      const { remoteStopCommand } = await import("./remote/stop.js");
      set(await remoteStopCommand(run, opts, ctx));
    });

  const artifacts = program
    .command("artifacts")
    .description("list and download artifacts of a run or a tag");
  artifacts
    .command("list")
    .argument("<ref>", "a run name, or :TAG")
    .description("list the artifact files of a run or a tag")
    .option("--json", "print [{path, bytes, link?}] as JSON")
    .action(async (ref: string, opts: { json?: boolean }) =>
      set(await artifactsListCommand(ref, ctx, opts)),
    );
  artifacts
    .command("download")
    .argument("<ref>", "a run name, or :TAG")
    .description("download the artifacts of a run or a tag")
    .option("-o, --output <dir>", "where to put them", ".")
    .option("-p, --artifact-path <path>", "only this artifact path")
    .remoteOptions(
      "from GitHub Actions artifacts (token: GITHUB_TOKEN, GH_TOKEN or `gh auth token`)",
    )
    .action(async (ref: string, opts: RemoteCliOptions & DownloadOptions) => {
      remoteOnly(opts);
      set(await artifactsDownloadCommand(ref, opts, ctx));
    });

  const tags = program.command("tags").description("name runs' artifacts with tags");
  tags
    .command("list")
    .description("list this repository's tags")
    .option("--json", "print [{tag, runName, createdAt, madeBy?}] as JSON")
    .remoteOptions("the tags on GitHub (dstack-tag--* artifacts of trusted workflow runs)")
    .action(async (opts: RemoteCliOptions & { json?: boolean }) => {
      if (!remoteOnly(opts)) return set(await tagsListCommand(ctx, opts));
      const { remoteTagsListCommand } = await import("./remote/tags.js");
      set(await remoteTagsListCommand(opts, ctx));
    });
  tags
    .command("add")
    .description("tag a run's artifacts (TAG RUN), or upload folders as a tagged run (TAG -a PATH)")
    .argument("<tag>", "the tag")
    .argument("[run]", "the run to tag")
    .option("-a, --artifact <path...>", "a local folder to upload under the tag")
    .remoteOptions(
      "on GitHub: a tag-only run of the runner workflow writes the tag (a hosted runner, RUN trusted only)",
      { runnerWorkflow: true },
    )
    .action(
      async (
        tag: string,
        run: string | undefined,
        opts: RemoteCliOptions & { artifact?: string[] },
      ) => {
        if (!remoteOnly(opts)) return set(await tagsAddCommand(tag, run, opts, ctx));
        const { remoteTagsAddCommand } = await import("./remote/tags.js");
        set(await remoteTagsAddCommand(tag, run, opts, ctx));
      },
    );
  tags
    .command("delete")
    .description("delete a tag (the run and its artifacts stay)")
    .argument("<tag>", "the tag")
    .remoteOptions("on GitHub: delete the tag's artifacts (token with actions: write)")
    .action(async (tag: string, opts: RemoteCliOptions) => {
      if (!remoteOnly(opts)) return set(await tagsDeleteCommand(tag, ctx));
      const { remoteTagsDeleteCommand } = await import("./remote/tags.js");
      set(await remoteTagsDeleteCommand(tag, opts, ctx));
    });

  const venvs = program
    .command("venvs")
    .description("list or prune the venvs dstack run cached in DSTACK_HOME");
  venvs
    .command("list", { isDefault: true })
    .description(
      "list the cached venvs (venvs/ and venvs-untrusted/): size, Python, requirements hash, last use",
    )
    .option("--json", "print the venvs as a JSON array")
    .action(async (opts: { json?: boolean }) => set(await venvsListCommand(opts, ctx)));
  venvs
    .command("prune")
    .description(
      "remove cached venvs no run used for --older-than (default 30d); never one being built",
    )
    .option("--older-than <age>", "last used longer ago than this: N followed by s, m, h or d")
    .option("--unused", "remove every venv, when no run of any repository is active")
    .option("--dry-run", "name what would be removed, remove nothing")
    .option("--json", "print {removed, building} as JSON")
    .action(async (opts: VenvsPruneOptions) => set(await venvsPruneCommand(opts, ctx)));

  const metrics = program
    .command("metrics")
    .description("show a run's metrics (last, best, a sparkline per curve), or diff two runs")
    .argument("<run>", "a run name, or :TAG")
    .option("--json", "print the curves, values and problems as JSON")
    .option("-w, --workflow <name>", WORKFLOW_DIRECTIONS_HELP)
    .action(async (run: string, opts: { json?: boolean; workflow?: string }) =>
      set(await metricsCommand(run, opts, ctx)),
    );
  metrics
    .command("diff")
    .description("compare the last values of two runs' metrics: A, B, the change from A to B")
    .argument("<run-a>", "a run name, or :TAG")
    .argument("<run-b>", "a run name, or :TAG")
    .remoteOptions(
      "both runs' metrics/ from GitHub Actions artifacts (token: GITHUB_TOKEN, GH_TOKEN or `gh auth token`)",
    )
    .option("-w, --workflow <name>", WORKFLOW_DIRECTIONS_HELP)
    .addHelpText(
      "after",
      "\nWhich way each metric is better follows the workflow's metrics: (e.g. val_loss: min), else\nthe name rule (loss, error, ... lower; others higher): the jobs' as they ran (B's where they\ndiffer), with --remote as the runs' markers record them; a remote run whose marker records\nnone (made before markers did) by this checkout's .dstack/workflows.yaml (every workflow's\nwhere they agree); with --workflow that workflow's.",
    )
    .action(async (a: string, b: string, _opts: unknown, cmd: Command) => {
      // `metrics` has -w too and, parsing first, takes it wherever it is written.
      const opts = cmd.optsWithGlobals<RemoteCliOptions & { workflow?: string }>();
      remoteOnly(opts);
      set(await metricsDiffCommand(a, b, ctx, opts));
    });

  program
    .command("schema")
    .description("print the JSON Schema of .dstack/workflows.yaml, for editors")
    .action(() => set(schemaCommand(ctx)));

  return guarded(io, async () => {
    await program.parseAsync([...argv], { from: "user" });
    return status;
  });
}

/**
 * Commander's command, with {@link DstackCommand.remoteOptions} for the commands that also work
 * on GitHub; subcommands are made of this class too (commander's `createCommand`).
 */
class DstackCommand extends Command {
  override createCommand(name?: string): DstackCommand {
    return new DstackCommand(name);
  }

  /**
   * Adds the options of a command that also works on GitHub, the same on every such command:
   * `--remote` (its help text `remote`, what it does for this command), `--repo`,
   * `--runner-workflow` when `options.runnerWorkflow`, and `--api-url`. Commander gives them as
   * {@link RemoteCliOptions}; {@link remoteOnly} refuses the others without `--remote`.
   */
  remoteOptions(remote: string, options: { runnerWorkflow?: boolean } = {}): this {
    this.option("--remote", remote);
    this.option(
      "--repo <owner/name>",
      "with --remote: the repository (default: the origin remote)",
    );
    if (options.runnerWorkflow) {
      this.option(
        "--runner-workflow <file>",
        "with --remote: the runner workflow under .github/workflows/ (default dstack-run.yml)",
      );
    }
    return this.option(
      "--api-url <url>",
      "with --remote: the REST API root (default GITHUB_API_URL)",
    );
  }
}

/** The options {@link DstackCommand.remoteOptions} adds, as commander gives them. */
interface RemoteCliOptions {
  remote?: boolean;
  repo?: string;
  runnerWorkflow?: string;
  apiUrl?: string;
}

/** `--workflow` of `dstack metrics` and `metrics diff`. */
const WORKFLOW_DIRECTIONS_HELP =
  "judge which way each metric is better by this workflow's metrics: in this checkout's .dstack/workflows.yaml (default: the run's own job; with --remote, as its marker records it, else every workflow's of the file)";

/**
 * Whether a command goes to GitHub (`--remote`).
 *
 * @throws {@link CliError} (exit 2) for `--repo`, `--runner-workflow` or `--api-url` without `--remote`.
 */
function remoteOnly(opts: RemoteCliOptions): boolean {
  if (opts.remote) return true;
  const given = [
    opts.repo !== undefined && "--repo",
    opts.runnerWorkflow !== undefined && "--runner-workflow",
    opts.apiUrl !== undefined && "--api-url",
  ].filter(Boolean);
  if (given.length > 0) throw new CliError(`${given.join(", ")}: only with --remote`, 2);
  return false;
}

/**
 * Runs a command, turning every throw into a one-line message and an exit status: usage
 * mistakes 2, errors with a `code` from the store or a CLI error 1. No stack traces.
 */
async function guarded(io: Io, command: () => Promise<number>): Promise<number> {
  try {
    return await command();
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage mistakes were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliError) {
      io.stderr(`dstack: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr(`dstack: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}
