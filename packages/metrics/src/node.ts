/**
 * `@dstack/metrics/node`: a run's metrics read from a folder on disk (a run's saved artifacts,
 * or a downloaded `metrics` artifact), streamed line by line so a file of any size costs
 * bounded memory.
 *
 * @module
 */
import { createReadStream } from "node:fs";
import { lstat, readdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline";
import { parse as parseCsv } from "csv-parse";
import { createMetricsCollector, type MetricsCollectorOptions } from "./collect.js";
import { CSV_OPTIONS, metricsFileKind } from "./parse.js";
import { METRICS_DIR, type MetricsReport } from "./types.js";

export {
  createMetricsCollector,
  type MetricsCollector,
  type MetricsCollectorOptions,
} from "./collect.js";

/** Most metrics files read from one folder. */
export const METRICS_FILES_MAX = 100;

/** Largest last-value `.json` file read, in bytes (curves go to `.jsonl`, which has no limit). */
export const METRICS_JSON_MAX_BYTES = 1024 * 1024;

/** Deepest folder searched for Lightning's `metrics.csv` (`lightning_logs/version_0/` is 2). */
const SEARCH_DEPTH = 6;

/** Most folder entries looked at while searching. */
const SEARCH_ENTRIES_MAX = 20_000;

/**
 * The metrics files under `root`, as POSIX paths relative to it, sorted: every `.jsonl`,
 * `.ndjson`, `.csv` and `.json` file under `metrics/`, and every file named `metrics.csv`
 * (Lightning's `CSVLogger` writes `<save_dir>/<name>/version_<n>/metrics.csv`) at most 6
 * folders deep. Symbolic links are not followed. At most {@link METRICS_FILES_MAX} files.
 */
export async function findMetricsFiles(root: string): Promise<string[]> {
  const found: string[] = [];
  let seen = 0;
  const walk = async (rel: string, depth: number): Promise<void> => {
    let entries: import("node:fs").Dirent[];
    try {
      entries = await readdir(path.join(root, rel), { withFileTypes: true });
    } catch {
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (++seen > SEARCH_ENTRIES_MAX || found.length >= METRICS_FILES_MAX) return;
      const child = rel ? `${rel}/${e.name}` : e.name;
      if (e.isDirectory() && depth < SEARCH_DEPTH) {
        await walk(child, depth + 1);
      } else if (e.isFile()) {
        const inMetrics = child.startsWith(`${METRICS_DIR}/`);
        if ((inMetrics && metricsFileKind(child)) || e.name === "metrics.csv") found.push(child);
      }
    }
  };
  await walk("", 0);
  return found.sort();
}

/**
 * Reads the metrics files under `root` ({@link findMetricsFiles}): JSON lines and CSV streamed,
 * last-value JSON files up to {@link METRICS_JSON_MAX_BYTES}. A folder without metrics gives an
 * empty report; a file that cannot be read is a problem. Never throws for the files' content.
 */
export async function readMetricsDir(
  root: string,
  options: MetricsCollectorOptions = {},
): Promise<MetricsReport> {
  const c = createMetricsCollector(options);
  for (const rel of await findMetricsFiles(root)) {
    const file = path.join(root, rel);
    try {
      const kind = metricsFileKind(rel);
      if (kind === "object") {
        const size = (await lstat(file)).size;
        if (size > METRICS_JSON_MAX_BYTES) {
          c.problem(
            rel,
            `${rel}: ${size} bytes; a last-value file holds at most ${METRICS_JSON_MAX_BYTES} (log curves to a .jsonl file)`,
          );
          continue;
        }
        c.jsonObject(rel, await readFile(file, "utf8"));
      } else if (kind === "lines") {
        const lines = createInterface({
          input: createReadStream(file, "utf8"),
          crlfDelay: Infinity,
        });
        let n = 0;
        for await (const text of lines) c.jsonLine(rel, ++n, text);
      } else {
        const parser = createReadStream(file).pipe(
          parseCsv({
            ...CSV_OPTIONS,
            on_skip: (err) => {
              c.problem(
                rel,
                `${rel}:${err?.lines ?? "?"}: not CSV (${err?.message ?? "a bad row"})`,
              );
              return undefined;
            },
          }),
        );
        for await (const row of parser as AsyncIterable<{
          record: string[];
          info: { lines: number };
        }>) {
          c.csvRecord(rel, row.info.lines, row.record);
        }
      }
    } catch (e) {
      c.problem(rel, `${rel}: cannot be read (${(e as Error).message})`);
    }
  }
  return c.result();
}
