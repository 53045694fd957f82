/**
 * `.dstack/workflows.yaml` and `.dstack/workflows/*.yaml`: parse with source positions, validate
 * every workflow, merge, and check what spans workflows (duplicate names, deps).
 *
 * @module
 */
import type { ValidateFunction } from "ajv";
import { type Document, LineCounter, parseDocument } from "yaml";
import {
  type Diagnostic,
  type FieldPath,
  formatFieldPath,
  hasErrors,
  sortDiagnostics,
} from "./diagnostics.js";
import { validateWorkflowsFileShape } from "./generated/workflow-validator.js";
import type { Job } from "./job.js";
import { type Locator, yamlDiagnostic, yamlLocator } from "./locator.js";
import { describeValue, didYouMean, translateSchemaErrors, validateWorkflow } from "./validate.js";

/** The main workflows file, relative to the repository root. */
export const WORKFLOWS_FILE = ".dstack/workflows.yaml";
/** The folder whose `*.yaml` / `*.yml` files add workflows, relative to the repository root. */
export const WORKFLOWS_DIR = ".dstack/workflows";

/** One workflows file's text and the path to print in diagnostics. */
export interface WorkflowsSource {
  /** Path as it should be printed, e.g. `.dstack/workflows.yaml`. */
  path: string;
  /** The file's content (UTF-8 text). */
  text: string;
}

/** Options of {@link parseWorkflows}. */
export interface ParseWorkflowsOptions {
  /**
   * The files, main file first, then `.dstack/workflows/*.yaml` sorted by name; workflows are
   * merged in this order.
   */
  files: readonly WorkflowsSource[];
  /** Tells whether a repository-relative path exists; see {@link ValidateWorkflowOptions}. */
  fileExists?: (repoPath: string) => boolean;
}

/** The result of {@link parseWorkflows}. */
export interface ParsedWorkflows {
  /** Valid workflows, normalized, in file order. A workflow with an error is left out. */
  jobs: Job[];
  /** Every error and warning of every file, in file order. */
  diagnostics: Diagnostic[];
  /** `true` when there is no error (warnings allowed). */
  ok: boolean;
}

/** Only the file's outer shape; each workflow is checked by `validateWorkflow` (precompiled, see `validator-code.ts`). */
const fileShapeValidator = validateWorkflowsFileShape as unknown as ValidateFunction;

/**
 * Parses and validates workflows files; reports every problem of every file at once.
 *
 * Rules beyond each workflow: workflow names are unique across all files (the second one is
 * reported, pointing at the first), and `deps: - workflow: NAME` names an existing workflow.
 *
 * @returns never throws on any input text; YAML syntax errors, aliases past 100 expansions and
 *   wrong shapes are diagnostics.
 */
export function parseWorkflows(options: ParseWorkflowsOptions): ParsedWorkflows {
  const diagnostics: Diagnostic[] = [];
  const entries: { name?: string; job?: Job; raw: unknown; locator: Locator }[] = [];

  for (const { path, text } of options.files) {
    const lineCounter = new LineCounter();
    const doc = parseDocument(text, {
      lineCounter,
      prettyErrors: false,
      strict: true,
      uniqueKeys: true,
      version: "1.2",
    });
    for (const w of doc.warnings) diagnostics.push(yamlDiagnostic(path, lineCounter, w, "warning"));
    if (doc.errors.length > 0) {
      for (const e of doc.errors) diagnostics.push(yamlDiagnostic(path, lineCounter, e, "error"));
      continue;
    }
    const wholeFileError = (message: string) =>
      diagnostics.push({ severity: "error", source: path, line: 1, col: 1, field: "", message });
    let value: unknown;
    try {
      value = doc.toJS({ maxAliasCount: 100 });
    } catch (e) {
      // yaml throws for alias bombs ("Excessive alias count") and alias cycles.
      wholeFileError(`YAML: ${(e as Error).message}`);
      continue;
    }
    const fileLocator = yamlLocator({ source: path, doc, lineCounter, base: [] });
    if (value === null || value === undefined) {
      wholeFileError("the file is empty; it needs a workflows: list");
      continue;
    }
    if (!fileShapeValidator(value)) {
      const report = (p: FieldPath, message: string, o?: { key?: boolean }) => {
        const pos = fileLocator.position(p, o);
        diagnostics.push({
          severity: "error",
          source: path,
          ...(pos ?? {}),
          field: formatFieldPath(p),
          message,
        });
      };
      translateSchemaErrors(fileShapeValidator.errors ?? [], value, { error: report });
      if (
        !value ||
        typeof value !== "object" ||
        !Array.isArray((value as { workflows?: unknown }).workflows)
      ) {
        continue;
      }
    }
    const list = (value as { workflows: unknown[] }).workflows;
    list.forEach((raw, i) => {
      const locator = yamlLocator({
        source: path,
        doc: doc as Document,
        lineCounter,
        base: ["workflows", i],
      });
      const name =
        raw && typeof raw === "object" && typeof (raw as { name?: unknown }).name === "string"
          ? (raw as { name: string }).name
          : undefined;
      if (raw === null || typeof raw !== "object" || Array.isArray(raw)) return; // shape error above
      const result = validateWorkflow(raw, {
        locator,
        ...(options.fileExists ? { fileExists: options.fileExists } : {}),
      });
      diagnostics.push(...result.diagnostics);
      entries.push({
        ...(name ? { name } : {}),
        ...(result.job ? { job: result.job } : {}),
        raw,
        locator,
      });
    });
  }

  // Rules across workflows.
  const firstByName = new Map<string, Locator>();
  const names = [...new Set(entries.flatMap((e) => (e.name ? [e.name] : [])))];
  const invalid = new Set<Job>();
  const error = (e: (typeof entries)[number], path: FieldPath, message: string): void => {
    const pos = e.locator.position(path);
    diagnostics.push({
      severity: "error",
      source: e.locator.source,
      ...(pos ?? {}),
      field: e.locator.field(path),
      message,
      ...(e.name ? { workflow: e.name } : {}),
    });
    if (e.job) invalid.add(e.job);
  };
  for (const e of entries) {
    if (!e.name) continue;
    const first = firstByName.get(e.name);
    if (first) {
      const pos = first.position(["name"]);
      error(
        e,
        ["name"],
        `${JSON.stringify(e.name)} is already the name of a workflow (${first.source}${pos ? `:${pos.line}:${pos.col}` : ""}); workflow names must be unique`,
      );
    } else {
      firstByName.set(e.name, e.locator);
    }
    const deps = (e.raw as { deps?: unknown }).deps;
    if (!Array.isArray(deps)) continue;
    deps.forEach((d, i) => {
      const target = (d as { workflow?: unknown } | null)?.workflow;
      if (typeof target !== "string" || names.includes(target)) return;
      const hint = didYouMean(target, names);
      error(
        e,
        ["deps", i, "workflow"],
        `${describeValue(target)} is not a workflow${hint ? `; did you mean ${JSON.stringify(hint)}?` : ""} (workflows: ${names.join(", ") || "none"})`,
      );
    });
  }

  const jobs = entries.flatMap((e) => (e.job && !invalid.has(e.job) ? [e.job] : []));
  return { jobs, diagnostics: sortDiagnostics(diagnostics), ok: !hasErrors(diagnostics) };
}

/**
 * Finds a workflow by name among parsed jobs.
 *
 * @returns `{ job }`, or `{ error }` naming the workflow, the closest name and the ones there are.
 */
export function findWorkflow(jobs: readonly Job[], name: string): { job: Job } | { error: string } {
  const job = jobs.find((j) => j.workflow === name);
  if (job) return { job };
  const names = jobs.flatMap((j) => (j.workflow ? [j.workflow] : []));
  const hint = didYouMean(name, names);
  return {
    error: `${JSON.stringify(name)} is not a workflow${hint ? `; did you mean ${JSON.stringify(hint)}?` : ""} (workflows: ${names.join(", ") || "none"})`,
  };
}
