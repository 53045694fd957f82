/**
 * User mistakes as values. Every parser and validator of this package returns diagnostics instead
 * of throwing, so a caller can print them all at once.
 *
 * @module
 */

/** A path to a field, as keys and list indexes: `["resources", "gpu", "count"]`. */
export type FieldPath = readonly (string | number)[];

/** One problem found in a job description. */
export interface Diagnostic {
  /** `error` stops the job; `warning` is printed and the job goes on. */
  severity: "error" | "warning";
  /**
   * Where the description came from: a file path as given (`.dstack/workflows.yaml`) or
   * `command line` for argv.
   */
  source: string;
  /** 1-based line in `source`, when it is a file. */
  line?: number;
  /** 1-based column in `source`, when it is a file. */
  col?: number;
  /**
   * The field as users write it: `resources.memory`, `artifacts[1]`, or an option (`--memory`).
   * Empty for problems of a whole file (YAML syntax).
   */
  field: string;
  /** What was given and what is allowed, in one sentence. */
  message: string;
  /** The workflow the problem belongs to, when known. */
  workflow?: string;
}

/**
 * Formats a diagnostic as `FILE:LINE:COL: field.path: message` (or `SOURCE: field: message` where
 * there is no position), the form editors and GitHub problem matchers read.
 *
 * @example `.dstack/workflows.yaml:7:9: resources.memory: "16GBB" is not a size; use e.g. 16GB`
 */
export function formatDiagnostic(d: Diagnostic): string {
  const where = d.line === undefined ? d.source : `${d.source}:${d.line}:${d.col ?? 1}`;
  const prefix = d.severity === "warning" ? "warning: " : "";
  return d.field
    ? `${where}: ${prefix}${d.field}: ${d.message}`
    : `${where}: ${prefix}${d.message}`;
}

/**
 * Renders a field path the way users write it: `workflows[0].resources.gpu`; an empty key is `""`.
 *
 * @param path - keys and indexes.
 */
export function formatFieldPath(path: FieldPath): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") {
      out += `[${part}]`;
    } else {
      // An empty key (`"": min`) is shown as written, not as nothing after the dot.
      const key = part === "" ? '""' : part;
      out += out ? `.${key}` : key;
    }
  }
  return out;
}

/** Whether any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/**
 * Orders diagnostics as an editor lists them: by source in first-seen order, then line, then
 * column; the order among equals is kept (the sort is stable).
 */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const sources = [...new Set(diagnostics.map((d) => d.source))];
  return [...diagnostics].sort(
    (a, b) =>
      sources.indexOf(a.source) - sources.indexOf(b.source) ||
      (a.line ?? 0) - (b.line ?? 0) ||
      (a.col ?? 0) - (b.col ?? 0),
  );
}
