/**
 * A normalized {@link Job} written back in the workflows file's own keys (dstack's Python provider), so a job can
 * travel as JSON (a `run-python` `mode: plan` output, a `workflow_dispatch` input) and be checked
 * again, by the same rules, where it arrives: `validateWorkflow(jobToWorkflow(job))` gives `job`.
 *
 * @module
 */
import type { Job } from "./job.js";

/**
 * The workflow form of a job: `name`, `provider`, `file`, `args`, `requirements`, `version`,
 * `environment`, `artifacts`, `working_dir`, `before_run`, `resources` (sizes as exact byte
 * counts, `"16000000000B"`; the GPU name as normalized), `deps`, `metrics` (when the job has
 * it). A job without a workflow name gets `name: "python"` (what an inline `dstack run python
 * FILE` job is checked as).
 */
export function jobToWorkflow(job: Job): Record<string, unknown> {
  const r = job.resources;
  const gpu =
    r.gpu === undefined
      ? undefined
      : {
          count: r.gpu.count,
          ...(r.gpu.name !== undefined ? { name: r.gpu.name } : {}),
          ...(r.gpu.memoryBytes !== undefined ? { memory: `${r.gpu.memoryBytes}B` } : {}),
        };
  return {
    name: job.workflow ?? "python",
    provider: job.provider,
    file: job.file,
    args: job.args,
    ...(job.requirements !== undefined ? { requirements: job.requirements } : {}),
    ...(job.version !== undefined ? { version: job.version } : {}),
    environment: job.environment,
    artifacts: job.artifacts,
    working_dir: job.workingDir,
    before_run: job.beforeRun,
    resources: {
      ...(r.cpu !== undefined ? { cpu: r.cpu } : {}),
      ...(r.memoryBytes !== undefined ? { memory: `${r.memoryBytes}B` } : {}),
      ...(gpu !== undefined ? { gpu } : {}),
      ...(r.shmSizeBytes !== undefined ? { shm_size: `${r.shmSizeBytes}B` } : {}),
      interruptible: r.interruptible,
    },
    ...(job.deps.length > 0 ? { deps: job.deps } : {}),
    ...(job.metrics !== undefined ? { metrics: { ...job.metrics } } : {}),
  };
}
