/**
 * The workflow run of the runner workflow that a `--remote` command names by its dstack run name.
 *
 * @module
 */
import { findRunByTitle, type WorkflowRunState } from "@dstack/github";
import { CliError } from "../context.js";
import { noRunnerWorkflow, type Session } from "./session.js";

/**
 * The newest workflow run of `.github/workflows/{file}` whose title is `runName` (the runner
 * workflow's `run-name:` is the dstack run name), among its newest 1000 runs.
 *
 * @throws {@link CliError} when no run has that name, or GitHub does not know the workflow.
 */
export async function findRemoteRun(
  s: Session,
  file: string,
  runName: string,
): Promise<WorkflowRunState> {
  const { owner, repo } = s.target;
  let run: WorkflowRunState | undefined;
  try {
    run = await findRunByTitle(s.client, { owner, repo, workflowFile: file, runName });
  } catch (e) {
    if ((e as { status?: unknown }).status === 404) {
      throw new CliError(noRunnerWorkflow(file, `${owner}/${repo}`, undefined));
    }
    throw e;
  }
  if (run === undefined) {
    throw new CliError(
      `no run ${runName} among the runs of .github/workflows/${file} in ${owner}/${repo}; dstack ps --remote -a lists them`,
    );
  }
  return run;
}
