/**
 * `dstack validate [PATH] [--json]`: the workflows files, and every workflow against the
 * repository policy on disk when there is one, every problem with its position.
 *
 * @module
 */
import { join, relative } from "node:path";
import {
  checkJobPolicy,
  type Diagnostic,
  formatCount,
  formatDiagnostic,
  type Job,
  POLICY_FILE,
  policyDiagnostics,
} from "@dstack/spec";
import { loadWorkflows, readPolicyFile } from "@dstack/spec/node";
import { findRepoDir, type RunContext } from "../context.js";

/**
 * Adds the repository policy's problems to a validation: the policy file's own (with line:col),
 * and each workflow that the policy would refuse on a runner (an error at the rule, naming the
 * workflow). Local runs do not enforce the policy; `mode: plan` and commands do, so a workflow
 * the policy refuses cannot run on a runner.
 */
function withPolicy<
  T extends { root: string; jobs: Job[]; diagnostics: Diagnostic[]; ok: boolean },
>(parsed: T, cwd: string): T & { policySource?: string } {
  const file = join(parsed.root, POLICY_FILE);
  const source = relative(cwd, file) || file;
  const read = readPolicyFile({ root: parsed.root, source });
  if (read === undefined) return parsed;
  const diagnostics = [...parsed.diagnostics, ...read.diagnostics];
  if (read.policy !== undefined) {
    for (const job of parsed.jobs) {
      for (const d of policyDiagnostics(read.policy, checkJobPolicy(read.policy, job))) {
        diagnostics.push({
          ...d,
          message: `workflow ${job.workflow ?? "python"}: ${d.message}`,
          ...(job.workflow ? { workflow: job.workflow } : {}),
        });
      }
    }
  }
  return {
    ...parsed,
    diagnostics,
    ok: !diagnostics.some((d) => d.severity === "error"),
    policySource: source,
  };
}

/**
 * `dstack validate [PATH] [--json]`: prints `{ok, jobs, diagnostics}` with `--json`, else each
 * problem on stderr and a one-line verdict.
 *
 * @returns 0 when everything is valid, 1 otherwise.
 */
export function validateCommand(
  path: string | undefined,
  opts: { json?: boolean },
  ctx: RunContext,
): number {
  const target = path ?? findRepoDir(ctx.cwd);
  const parsed = withPolicy(loadWorkflows(target, ctx.cwd), ctx.cwd);
  if (opts.json) {
    ctx.stdout(
      `${JSON.stringify({ ok: parsed.ok, jobs: parsed.jobs, diagnostics: parsed.diagnostics }, null, 2)}\n`,
    );
  } else {
    for (const d of parsed.diagnostics) ctx.stderr(`${formatDiagnostic(d)}\n`);
    if (parsed.ok) {
      const names = parsed.jobs.map((j) => j.workflow).join(", ");
      ctx.stdout(
        `${formatCount(parsed.files.length, "file")}, ${formatCount(parsed.jobs.length, "workflow")} valid: ${names}${parsed.policySource ? `, within ${parsed.policySource}` : ""}\n`,
      );
    } else {
      const errors = parsed.diagnostics.filter((d) => d.severity === "error").length;
      ctx.stderr(`${errors} error${errors === 1 ? "" : "s"}\n`);
    }
  }
  return parsed.ok ? 0 : 1;
}
