/**
 * Metrics files given as text (a pure entry: no file system): each file read by its kind.
 *
 * @module
 */
import { parse as parseCsv } from "csv-parse/sync";
import { createMetricsCollector, type MetricsCollectorOptions } from "./collect.js";
import type { MetricsFile, MetricsReport } from "./types.js";

/** How a metrics file is read: JSON lines, CSV records, or one last-value JSON object. */
export type MetricsFileKind = "lines" | "csv" | "object";

/**
 * The kind of a metrics file by its name: `.jsonl` and `.ndjson` are JSON lines, `.csv` is CSV
 * (Lightning's `CSVLogger`), `.json` a last-value object; anything else is not a metrics file.
 */
export function metricsFileKind(path: string): MetricsFileKind | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith(".jsonl") || lower.endsWith(".ndjson")) return "lines";
  if (lower.endsWith(".csv")) return "csv";
  if (lower.endsWith(".json")) return "object";
  return undefined;
}

/** Options of csv-parse for Lightning's CSV: rows of any length, a bad row skipped, not fatal. */
export const CSV_OPTIONS = {
  info: true,
  relax_column_count: true,
  skip_empty_lines: true,
  skip_records_with_error: true,
} as const;

/**
 * Reads metrics files given as text, in path order, each by {@link metricsFileKind}; a file of
 * another kind is a problem. Never throws: every problem is in the report.
 */
export function parseMetricsFiles(
  files: readonly MetricsFile[],
  options: MetricsCollectorOptions = {},
): MetricsReport {
  const c = createMetricsCollector(options);
  const sorted = [...files].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  for (const file of sorted) {
    const kind = metricsFileKind(file.path);
    if (kind === "object") {
      c.jsonObject(file.path, file.text);
    } else if (kind === "lines") {
      let line = 0;
      let start = 0;
      const text = file.text;
      while (start <= text.length) {
        const end = text.indexOf("\n", start);
        const stop = end < 0 ? text.length : end;
        line++;
        c.jsonLine(file.path, line, text.slice(start, stop).replace(/\r$/, ""));
        if (end < 0) break;
        start = end + 1;
      }
    } else if (kind === "csv") {
      // A skipped row is reported where it is, among the rows, as the streaming reader does.
      const skipped: { line: number; text: string }[] = [];
      const rows = parseCsv(file.text, {
        ...CSV_OPTIONS,
        on_skip: (err) => {
          const line = Number(err?.lines ?? 0);
          skipped.push({
            line,
            text: `${file.path}:${line}: not CSV (${err?.message ?? "a bad row"})`,
          });
          return undefined;
        },
      }) as unknown as { record: string[]; info: { lines: number } }[];
      for (const { record, info } of rows) {
        while (skipped[0] && skipped[0].line < info.lines)
          c.problem(file.path, skipped.shift()?.text ?? "");
        c.csvRecord(file.path, info.lines, record);
      }
      for (const s of skipped) c.problem(file.path, s.text);
    } else {
      c.problem(file.path, `${file.path}: not a metrics file; use .jsonl, .csv or .json`);
    }
  }
  return c.result();
}
