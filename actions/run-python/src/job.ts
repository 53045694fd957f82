/**
 * The job an action step runs or plans, from one of three sources, checked by the rules of
 * `@dstack/spec` (user mistakes are values, not exceptions):
 * - `job`: JSON in the workflows file's keys, as `mode: plan` outputs it (`jobToWorkflow`);
 * - `workflow`: a workflow of the repository's `.dstack/workflows.yaml` (and `.dstack/workflows/`);
 * - inline keys (`file`, `gpu`, ...): a workflow of their own, fields named by their input.
 *
 * @module
 */
import { loadWorkflows, WorkflowsFileError } from "@dstack/executor";
import {
  type Diagnostic,
  findWorkflow,
  type Job,
  validateWorkflow,
  valueLocator,
  WORKFLOWS_FILE,
} from "@dstack/spec";

/** The inline inputs and the workflows-file fields they stand for (the keys of
 * dstack's Python provider). */
export const INLINE_INPUTS = {
  file: "file",
  args: "args",
  requirements: "requirements",
  "python-version": "version",
  env: "environment",
  artifacts: "artifacts",
  "working-directory": "working_dir",
  "before-run": "before_run",
  cpu: "resources.cpu",
  memory: "resources.memory",
  gpu: "resources.gpu.count",
  "gpu-name": "resources.gpu.name",
  "gpu-memory": "resources.gpu.memory",
  "shm-size": "resources.shm_size",
  interruptible: "resources.interruptible",
} as const;

/** An inline input's name. */
export type InlineInput = keyof typeof INLINE_INPUTS;

/** Where the job comes from. */
export type JobSource =
  | { kind: "job"; json: string }
  | { kind: "workflow"; name: string; repoDir: string }
  | { kind: "inline"; values: Partial<Record<InlineInput, string>> };

/** {@link resolveJob}'s answer: the job, or every problem found (with warnings either way). */
export type ResolvedJob = { job: Job; diagnostics: Diagnostic[] } | { diagnostics: Diagnostic[] };

function error(source: string, field: string, message: string): Diagnostic {
  return { severity: "error", source, field, message };
}

/** Builds the raw workflow from inline inputs: counts as numbers, lines as lists. */
function inlineWorkflow(values: Partial<Record<InlineInput, string>>): Record<string, unknown> {
  const count = (s: string): string | number => (/^\d+$/.test(s) ? Number(s) : s);
  const lines = (s: string) =>
    s
      .split("\n")
      .map((l) => l.trim())
      .filter((l) => l !== "");
  const raw: Record<string, unknown> = { name: "python", provider: "python" };
  const resources: Record<string, unknown> = {};
  const gpu: Record<string, unknown> = {};
  for (const [input, value] of Object.entries(values) as [InlineInput, string][]) {
    if (value === "") continue;
    switch (input) {
      case "file":
      case "args":
      case "requirements":
        raw[input] = value;
        break;
      case "python-version":
        raw.version = value;
        break;
      case "working-directory":
        raw.working_dir = value;
        break;
      case "artifacts":
        raw.artifacts = lines(value);
        break;
      case "before-run":
        raw.before_run = lines(value);
        break;
      case "env":
        raw.environment = lines(value);
        break;
      case "cpu":
        resources.cpu = count(value);
        break;
      case "memory":
        resources.memory = value;
        break;
      case "shm-size":
        resources.shm_size = value;
        break;
      case "interruptible":
        resources.interruptible = value === "true" ? true : value === "false" ? false : value;
        break;
      case "gpu":
        gpu.count = count(value);
        break;
      case "gpu-name":
        gpu.name = value;
        break;
      case "gpu-memory":
        gpu.memory = value;
        break;
    }
  }
  if (Object.keys(gpu).length > 0) resources.gpu = gpu;
  if (Object.keys(resources).length > 0) raw.resources = resources;
  return raw;
}

/**
 * Resolves the job of a step. Never throws on user input: problems come back as diagnostics
 * (with file, line and column for the workflows file; the input's name for inline keys).
 */
export function resolveJob(source: JobSource): ResolvedJob {
  if (source.kind === "job") {
    let raw: unknown;
    try {
      raw = JSON.parse(source.json);
    } catch (e) {
      return {
        diagnostics: [
          error(
            "job input",
            "job",
            `not JSON (${(e as Error).message}); pass the job output of a mode: plan step`,
          ),
        ],
      };
    }
    const r = validateWorkflow(raw, { locator: valueLocator("job input") });
    return r.job && !r.diagnostics.some((d) => d.severity === "error")
      ? { job: r.job, diagnostics: r.diagnostics }
      : { diagnostics: r.diagnostics };
  }
  if (source.kind === "workflow") {
    let parsed: ReturnType<typeof loadWorkflows>;
    try {
      parsed = loadWorkflows(source.repoDir, source.repoDir);
    } catch (e) {
      if (!(e instanceof WorkflowsFileError)) throw e;
      return {
        diagnostics: [
          error(
            WORKFLOWS_FILE,
            "workflow",
            `workflow ${JSON.stringify(source.name)}: ${e.message}; check out the repository first (actions/checkout), or give the job inline (file, ...)`,
          ),
        ],
      };
    }
    const found = findWorkflow(parsed.jobs, source.name);
    if ("error" in found) {
      // A workflow with errors is left out of `jobs`: its own errors say why it is missing.
      const own = parsed.diagnostics.filter((d) => d.severity === "error");
      return {
        diagnostics: own.length > 0 ? own : [error(WORKFLOWS_FILE, "workflow", found.error)],
      };
    }
    return {
      job: found.job,
      diagnostics: parsed.diagnostics.filter((d) => d.severity !== "error"),
    };
  }
  const byField = new Map<string, string>(
    Object.entries(INLINE_INPUTS).map(([input, field]) => [field, input]),
  );
  const locator = valueLocator("inputs", (field) => {
    const input = byField.get(field) ?? byField.get(field.replace(/\[\d+\]$/, ""));
    return input === undefined ? undefined : `${input} (${field})`;
  });
  const r = validateWorkflow(inlineWorkflow(source.values), { locator });
  if (!r.job || r.diagnostics.some((d) => d.severity === "error"))
    return { diagnostics: r.diagnostics };
  return { job: { ...r.job, workflow: null }, diagnostics: r.diagnostics };
}
