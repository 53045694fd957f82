// Diagnostics of @dstack/spec as workflow annotations (at file:line:col when known).
import * as core from "@actions/core";
import { type Diagnostic, formatDiagnostic } from "@dstack/spec";

/** Reports diagnostics as annotations (errors and warnings, at file:line:col when known). */
export function annotate(diagnostics: readonly Diagnostic[]): void {
  for (const d of diagnostics) {
    const properties = {
      ...(d.line !== undefined ? { file: d.source } : {}),
      ...(d.line !== undefined ? { startLine: d.line } : {}),
      ...(d.col !== undefined ? { startColumn: d.col } : {}),
    };
    if (d.severity === "error") core.error(formatDiagnostic(d), properties);
    else core.warning(formatDiagnostic(d), properties);
  }
}
