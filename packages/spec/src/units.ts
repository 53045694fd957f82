/**
 * Sizes (memory, GPU memory, shared memory) as written by users, held as one integer unit: bytes.
 *
 * Units follow the SI / IEC split exactly (IEC 80000-13):
 * - decimal: `B`, `KB` = 10^3, `MB` = 10^6, `GB` = 10^9, `TB` = 10^12, `PB` = 10^15 bytes;
 * - binary: `KiB` = 2^10, `MiB` = 2^20, `GiB` = 2^30, `TiB` = 2^40, `PiB` = 2^50 bytes, also written
 *   Kubernetes-style as `Ki`, `Mi`, `Gi`, `Ti`.
 *
 * Units are case-insensitive (`16gb` = `16GB`); a space may stand between number and unit.
 * A bare number or a bare `G`/`g` (docker's binary shorthand, Kubernetes' decimal one) is refused
 * as ambiguous, with both spellings offered. Decimal `GB` is what dstack's docs write (`memory: 32GB`)
 * and what GPU and cloud vendors print on the box, so `16GB` asks for 16 * 10^9 bytes.
 *
 * @module
 */

/** Bytes per unit, keyed by the lower-cased unit. */
const UNIT_BYTES: Readonly<Record<string, number>> = {
  b: 1,
  kb: 1e3,
  mb: 1e6,
  gb: 1e9,
  tb: 1e12,
  pb: 1e15,
  kib: 2 ** 10,
  mib: 2 ** 20,
  gib: 2 ** 30,
  tib: 2 ** 40,
  pib: 2 ** 50,
  ki: 2 ** 10,
  mi: 2 ** 20,
  gi: 2 ** 30,
  ti: 2 ** 40,
};

/** The largest size accepted: 1 PB. Keeps every size an exact integer in a JS number. */
export const MAX_SIZE_BYTES = 1e15;

const SIZE_RE = /^\s*(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)\s*$/i;

/** A size that could not be read: `message` says what is allowed, for {@link parseSize}. */
export interface SizeError {
  /** A sentence that names the given text and the allowed forms. */
  message: string;
}

/**
 * Reads a size such as `16GB`, `512MiB`, `1.5GB` or `8 Gi` into bytes.
 *
 * @param text - the size as written.
 * @returns `{ bytes }`: a positive integer number of bytes, or `{ error }` saying what was
 *   given and what is allowed. Never throws.
 */
export function parseSize(text: string): { bytes: number } | { error: SizeError } {
  const m = SIZE_RE.exec(text);
  const allowed = "use e.g. 16GB (10^9 bytes), 512MiB (2^20 bytes) or 1.5GB";
  if (!m) {
    return { error: { message: `${JSON.stringify(text)} is not a size; ${allowed}` } };
  }
  const [, num = "", unitRaw = ""] = m;
  const unit = unitRaw.toLowerCase();
  if (unit === "") {
    return {
      error: {
        message: `${JSON.stringify(text)} has no unit; write ${num}GB (10^9 bytes) or ${num}GiB (2^30 bytes)`,
      },
    };
  }
  if (unit === "k" || unit === "m" || unit === "g" || unit === "t") {
    const u = unit.toUpperCase();
    return {
      error: {
        message: `${JSON.stringify(text)} is ambiguous; write ${num}${u}B (10^${{ K: 3, M: 6, G: 9, T: 12 }[u]} bytes) or ${num}${u}iB (2^${{ K: 10, M: 20, G: 30, T: 40 }[u]} bytes)`,
      },
    };
  }
  const per = UNIT_BYTES[unit];
  if (per === undefined) {
    return {
      error: { message: `${JSON.stringify(text)} has an unknown unit "${unitRaw}"; ${allowed}` },
    };
  }
  // Exact decimal arithmetic: 1.5GB is 1500000000 bytes, 0.3KB is 300, and a size that is not a
  // whole number of bytes (1.5B, 1.0000000005GB) is refused rather than rounded.
  const [whole = "", fraction = ""] = num.split(".");
  const numerator = BigInt(`${whole}${fraction}` || "0") * BigInt(per);
  const denominator = 10n ** BigInt(fraction.length);
  if (numerator === 0n) {
    return { error: { message: `${JSON.stringify(text)} must be greater than zero` } };
  }
  if (numerator % denominator !== 0n) {
    return {
      error: { message: `${JSON.stringify(text)} is not a whole number of bytes; ${allowed}` },
    };
  }
  const bytes = numerator / denominator;
  if (bytes > BigInt(MAX_SIZE_BYTES)) {
    return { error: { message: `${JSON.stringify(text)} is larger than the largest size, 1PB` } };
  }
  return { bytes: Number(bytes) };
}

/**
 * Formats bytes for people, in the decimal unit users write (`16GB`, `1.5GB`, `512MB`), dropping
 * trailing zeros; the inverse of {@link parseSize} for decimal sizes.
 *
 * @param bytes - a non-negative number of bytes.
 */
export function formatSize(bytes: number): string {
  for (const [unit, per] of [
    ["PB", 1e15],
    ["TB", 1e12],
    ["GB", 1e9],
    ["MB", 1e6],
    ["KB", 1e3],
  ] as const) {
    if (bytes >= per) {
      return `${Number((bytes / per).toFixed(3))}${unit}`;
    }
  }
  return `${bytes}B`;
}

/**
 * How {@link formatDuration} writes a duration:
 * - `table` (default): fixed-width pieces for tables, `42s`, `3m07s`, `125m00s`;
 * - `short`: `1h 2m 3s`, `2m 0s`, `42s` (the pull request's sticky comment and commit status);
 * - `words`: `1 h 2 min 3 s`, `4 min`, `0 s`, zero parts left out (an action's job summary).
 */
export type DurationStyle = "table" | "short" | "words";

/**
 * A duration of `ms` milliseconds for people, rounded to whole seconds (negative counts as 0),
 * in the {@link DurationStyle} `style`. With `tenths` (any style), seconds to a tenth, for a
 * run's progress that counts up from its start: `4.2s`, `187.4s`.
 */
export function formatDuration(
  ms: number,
  options: { style?: DurationStyle; tenths?: boolean } = {},
): string {
  if (options.tenths) return `${(Math.max(0, ms) / 1000).toFixed(1)}s`;
  const total = Math.max(0, Math.round(ms / 1000));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  switch (options.style ?? "table") {
    case "table":
      return total < 60
        ? `${total}s`
        : `${Math.floor(total / 60)}m${String(total % 60).padStart(2, "0")}s`;
    case "short":
      return [h ? `${h}h` : "", h || m ? `${m}m` : "", `${s}s`].filter(Boolean).join(" ");
    case "words": {
      const parts: string[] = [];
      if (h > 0) parts.push(`${h} h`);
      if (m > 0) parts.push(`${m} min`);
      if (s > 0 || parts.length === 0) parts.push(`${s} s`);
      return parts.join(" ");
    }
  }
}

/**
 * A count and its noun for people, singular for exactly one: `1 file`, `0 files`, `3 files`.
 * Every message that counts files (the CLI, the executor's run log, the actions' logs) says it
 * this way, never `1 files`.
 *
 * @param n - the count (a whole number).
 * @param singular - the noun for one (`file`).
 * @param plural - the noun for any other count; default `singular` + `s`.
 */
export function formatCount(n: number, singular: string, plural = `${singular}s`): string {
  return `${n} ${n === 1 ? singular : plural}`;
}
