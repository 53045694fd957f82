/**
 * `dstack`: the command line. This issue's commands: `validate`, `labels`, `schema`.
 *
 * @module
 */

import { findWorkflow, formatDiagnostic, jobLabels, workflowsJsonSchema } from "@dstack/spec";
import { Command, CommanderError } from "commander";
import { CliError, loadWorkflows } from "./workflows-files.js";

/** Where the CLI writes and which folder it runs in; tests pass their own. */
export interface Io {
  /** Writes to standard output (text already ends with a newline where one is meant). */
  stdout(text: string): void;
  /** Writes to standard error. */
  stderr(text: string): void;
  /** The current directory (absolute). */
  cwd: string;
}

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
  let status = 0;
  const program = new Command("dstack")
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
      "check .dstack/workflows.yaml (and .dstack/workflows/*.yaml); print every problem with its position",
    )
    .argument("[path]", "a repository folder or a workflows file", ".")
    .option("--json", "print {ok, jobs, diagnostics} as JSON, jobs normalized")
    .action((path: string, opts: { json?: boolean }) => {
      const parsed = loadWorkflows(path, io.cwd);
      if (opts.json) {
        io.stdout(
          `${JSON.stringify({ ok: parsed.ok, jobs: parsed.jobs, diagnostics: parsed.diagnostics }, null, 2)}\n`,
        );
      } else {
        for (const d of parsed.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
        if (parsed.ok) {
          const names = parsed.jobs.map((j) => j.workflow).join(", ");
          io.stdout(
            `${parsed.files.length === 1 ? "1 file" : `${parsed.files.length} files`}, ${parsed.jobs.length} workflow${parsed.jobs.length === 1 ? "" : "s"} valid: ${names}\n`,
          );
        } else {
          const errors = parsed.diagnostics.filter((d) => d.severity === "error").length;
          io.stderr(`${errors} error${errors === 1 ? "" : "s"}\n`);
        }
      }
      status = parsed.ok ? 0 : 1;
    });

  program
    .command("labels")
    .description(
      "print the runs-on labels a workflow's job needs (the label scheme of @dstack/spec)",
    )
    .argument("<workflow>", "a workflow name from .dstack/workflows.yaml")
    .option("-C, --cwd <dir>", "the repository folder", ".")
    .option("--json", "print a JSON list, for runs-on with fromJSON()")
    .option("--allow-gpu-runners", "let a job without GPUs run on GPU runners too")
    .action(
      (workflow: string, opts: { cwd: string; json?: boolean; allowGpuRunners?: boolean }) => {
        const parsed = loadWorkflows(opts.cwd, io.cwd);
        for (const d of parsed.diagnostics) io.stderr(`${formatDiagnostic(d)}\n`);
        const found = findWorkflow(parsed.jobs, workflow);
        if ("error" in found) {
          throw new CliError(
            parsed.ok ? found.error : `${workflow}: not valid; fix the errors above`,
          );
        }
        const result = jobLabels(found.job.resources, {
          allowGpuRunners: opts.allowGpuRunners ?? false,
        });
        if ("errors" in result) {
          throw new CliError(result.errors.map((e) => `${workflow}: ${e.message}`).join("\n"));
        }
        io.stdout(
          opts.json ? `${JSON.stringify(result.labels)}\n` : `${result.labels.join(",")}\n`,
        );
      },
    );

  program
    .command("schema")
    .description("print the JSON Schema of .dstack/workflows.yaml, for editors")
    .action(() => {
      io.stdout(`${JSON.stringify(workflowsJsonSchema(), null, 2)}\n`);
    });

  try {
    await program.parseAsync([...argv], { from: "user" });
    return status;
  } catch (e) {
    if (e instanceof CommanderError) {
      // Help and version exit 0; usage mistakes were already printed by commander.
      return e.exitCode === 0 ? 0 : 2;
    }
    if (e instanceof CliError) {
      io.stderr(`dstack: ${e.message}\n`);
      return e.exitCode;
    }
    io.stderr(`dstack: internal error: ${(e as Error)?.message ?? String(e)}\n`);
    return 1;
  }
}
