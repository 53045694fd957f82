/**
 * `dstack labels WORKFLOW [--json] [--allow-gpu-runners]`: the `runs-on` labels a workflow's
 * job needs, by the label scheme of `@dstack/spec`.
 *
 * @module
 */
import { findWorkflow, formatDiagnostic, jobLabels } from "@dstack/spec";
import { loadWorkflows } from "@dstack/spec/node";
import { CliError, findRepoDir, type RunContext } from "../context.js";

/** Options of {@link labelsCommand}, as commander gives them. */
export interface LabelsOptions {
  /** `-C DIR`: the repository folder. */
  cwd?: string;
  /** A JSON list, for `runs-on` with `fromJSON()`. */
  json?: boolean;
  /** Let a job without GPUs run on GPU runners too. */
  allowGpuRunners?: boolean;
}

/**
 * Prints the labels, comma-separated or as JSON.
 *
 * @throws {@link CliError} for an unknown or invalid workflow, or resources no label expresses.
 */
export function labelsCommand(workflow: string, opts: LabelsOptions, ctx: RunContext): number {
  const parsed = loadWorkflows(opts.cwd ?? findRepoDir(ctx.cwd), ctx.cwd);
  for (const d of parsed.diagnostics) ctx.stderr(`${formatDiagnostic(d)}\n`);
  const found = findWorkflow(parsed.jobs, workflow);
  if ("error" in found) {
    throw new CliError(parsed.ok ? found.error : `${workflow}: not valid; fix the errors above`);
  }
  const result = jobLabels(found.job.resources, {
    allowGpuRunners: opts.allowGpuRunners ?? false,
  });
  if ("errors" in result) {
    throw new CliError(result.errors.map((e) => `${workflow}: ${e.message}`).join("\n"));
  }
  ctx.stdout(opts.json ? `${JSON.stringify(result.labels)}\n` : `${result.labels.join(",")}\n`);
  return 0;
}
