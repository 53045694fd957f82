/**
 * How the commands print: tables, ages, durations, sizes and log lines. One formatter each, so
 * `ps`, `ps --remote`, `tags list` and the run progress agree.
 *
 * @module
 */
import { formatCount, formatDuration as formatDurationIn, formatSize } from "@dstack/spec";

export { formatCount, formatSize };

/** Rows as left-aligned columns two spaces apart, the first row the header. */
export function table(rows: string[][]): string {
  const widths = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? "").length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(widths[i] ?? 0))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

/** How long ago `iso` was, as `12s ago`, `3m ago`, `2h ago`, `5d ago`; `-` when unknown. */
export function age(iso: string | undefined, now = Date.now()): string {
  if (!iso) return "-";
  const s = Math.max(0, Math.round((now - Date.parse(iso)) / 1000));
  if (s < 60) return `${s}s ago`;
  if (s < 3600) return `${Math.round(s / 60)}m ago`;
  if (s < 86400) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

/**
 * A duration of `ms` milliseconds (negative counts as 0): in whole seconds and minutes for
 * tables (`42s`, `3m07s`); with `tenths`, in seconds to a tenth for a run's progress, which
 * counts up from its start (`4.2s`, `187.4s`). `formatDuration` of `@dstack/spec`, style `table`.
 */
export function formatDuration(ms: number, options: { tenths?: boolean } = {}): string {
  return formatDurationIn(ms, { style: "table", ...options });
}

/** The duration from `startIso` to `endMs` (epoch milliseconds), as {@link formatDuration}; `-` without a start. */
export function durationSince(startIso: string | undefined, endMs: number): string {
  return startIso ? formatDuration(endMs - Date.parse(startIso)) : "-";
}

/**
 * A log line without the timestamp GitHub and the local store write before each line
 * (`2026-01-01T00:00:00.0000000Z `).
 */
export function withoutTimestamp(line: string): string {
  return line.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z ?/, "");
}
