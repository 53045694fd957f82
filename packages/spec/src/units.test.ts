import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  type DurationStyle,
  formatCount,
  formatDuration,
  formatSize,
  MAX_SIZE_BYTES,
  parseSize,
} from "./units.js";

/** Bytes per unit as written, per IEC 80000-13 (and Kubernetes' Ki/Mi/Gi/Ti). */
const UNITS: readonly { unit: string; bytes: number }[] = [
  { unit: "B", bytes: 1 },
  { unit: "KB", bytes: 1e3 },
  { unit: "MB", bytes: 1e6 },
  { unit: "GB", bytes: 1e9 },
  { unit: "TB", bytes: 1e12 },
  { unit: "KiB", bytes: 2 ** 10 },
  { unit: "MiB", bytes: 2 ** 20 },
  { unit: "GiB", bytes: 2 ** 30 },
  { unit: "TiB", bytes: 2 ** 40 },
  { unit: "Ki", bytes: 2 ** 10 },
  { unit: "Mi", bytes: 2 ** 20 },
  { unit: "Gi", bytes: 2 ** 30 },
  { unit: "Ti", bytes: 2 ** 40 },
];

const DECIMAL_UNITS: readonly { unit: string; bytes: number }[] = UNITS.slice(0, 5);

const DECIMAL_BYTES: Readonly<Record<string, number>> = Object.fromEntries(
  DECIMAL_UNITS.map(({ unit, bytes }) => [unit, bytes]),
);

describe("parseSize: sizes", () => {
  const cases = [
    { name: "16GB", bytes: 16e9 },
    { name: "16gb", bytes: 16e9 },
    { name: "16 GB", bytes: 16e9 },
    { name: " 16GB ", bytes: 16e9 },
    { name: "16Gb", bytes: 16e9 },
    { name: "1.5GB", bytes: 1.5e9 },
    { name: "512MiB", bytes: 536870912 },
    { name: "512mib", bytes: 536870912 },
    { name: "8Gi", bytes: 8 * 2 ** 30 },
    { name: "8 Gi", bytes: 8 * 2 ** 30 },
    { name: "1TB", bytes: 1e12 },
    { name: "1TiB", bytes: 2 ** 40 },
    { name: "100B", bytes: 100 },
    { name: "1B", bytes: 1 },
    { name: "0.5KB", bytes: 500 },
    { name: "0.3KB", bytes: 300 },
    { name: ".5GB", bytes: 5e8 },
    { name: "1.5KiB", bytes: 1536 },
    { name: "0.001KB", bytes: 1 },
    { name: "32GB", bytes: 32e9 },
    { name: "1000TB", bytes: 1e15 },
    { name: "909TiB", bytes: 909 * 2 ** 40 },
  ];
  it.each(cases)("$name", ({ name, bytes }) => {
    expect(parseSize(name)).toStrictEqual({ bytes });
  });
});

describe("parseSize: refused", () => {
  const cases = [
    { name: "", message: "is not a size" },
    { name: "GB", message: "is not a size" },
    { name: "16", message: "has no unit; write 16GB (10^9 bytes) or 16GiB (2^30 bytes)" },
    { name: "16G", message: "is ambiguous; write 16GB (10^9 bytes) or 16GiB (2^30 bytes)" },
    { name: "8g", message: "is ambiguous; write 8GB (10^9 bytes) or 8GiB (2^30 bytes)" },
    { name: "512M", message: "is ambiguous; write 512MB (10^6 bytes) or 512MiB (2^20 bytes)" },
    { name: "4k", message: "is ambiguous; write 4KB (10^3 bytes) or 4KiB (2^10 bytes)" },
    { name: "1T", message: "is ambiguous; write 1TB (10^12 bytes) or 1TiB (2^40 bytes)" },
    { name: "16GBB", message: 'has an unknown unit "GBB"' },
    { name: "-1GB", message: "is not a size" },
    { name: "0GB", message: "must be greater than zero" },
    { name: "0.0B", message: "must be greater than zero" },
    { name: "1.5B", message: "is not a whole number of bytes" },
    { name: "0.0001KB", message: "is not a whole number of bytes" },
    { name: "2PB", message: "is larger than the largest size, 1PB" },
    { name: "1001TB", message: "is larger than the largest size, 1PB" },
    { name: "910TiB", message: "is larger than the largest size, 1PB" },
    { name: "1e9GB", message: "is not a size" },
    { name: "1,5GB", message: "is not a size" },
    { name: "16 G B", message: "is not a size" },
    { name: "GB16", message: "is not a size" },
    { name: "Infinity GB", message: "is not a size" },
  ];
  it.each(cases)("$name", ({ name, message }) => {
    const r = parseSize(name);
    expect(r).toHaveProperty("error");
    if (!("error" in r)) return;
    // Every message names the text as given, quoted.
    expect(r.error.message).toContain(JSON.stringify(name));
    expect(r.error.message).toContain(message);
  });

  it("messages say what is allowed", () => {
    const r = parseSize("16GBB");
    expect(r).toStrictEqual({
      error: {
        message:
          '"16GBB" has an unknown unit "GBB"; use e.g. 16GB (10^9 bytes), 512MiB (2^20 bytes) or 1.5GB',
      },
    });
  });

  // A size is a positive whole number of bytes: what rounds to zero, or has a fraction of a byte,
  // is refused however large its unit (as 1.5B is).
  const finer = [
    { name: "0.0000000001GB", note: "0.1 bytes" },
    { name: "0.0000000000001TB", note: "0.1 bytes" },
    { name: "1.0000000005GB", note: "1000000000.5 bytes" },
    { name: "1.0000000000005TB", note: "1000000000000.5 bytes" },
  ];
  it.each(finer)("$name ($note) is not a whole positive number of bytes", ({ name }) => {
    const r = parseSize(name);
    expect(r).toHaveProperty("error");
  });
});

describe("formatSize", () => {
  const cases = [
    { bytes: 16e9, want: "16GB" },
    { bytes: 1.5e9, want: "1.5GB" },
    { bytes: 512, want: "512B" },
    { bytes: 0, want: "0B" },
    { bytes: 999, want: "999B" },
    { bytes: 1000, want: "1KB" },
    { bytes: 1500, want: "1.5KB" },
    { bytes: 512e6, want: "512MB" },
    { bytes: 1e12, want: "1TB" },
    { bytes: 1e15, want: "1PB" },
    { bytes: 2 ** 30, want: "1.074GB" },
  ];
  it.each(cases)("$want", ({ bytes, want }) => {
    expect(formatSize(bytes)).toBe(want);
  });
});

describe("formatCount", () => {
  const cases = [
    { n: 1, singular: "file", want: "1 file" },
    { n: 0, singular: "file", want: "0 files" },
    { n: 2, singular: "file", want: "2 files" },
    { n: 10004, singular: "file", want: "10004 files" },
    { n: 1, singular: "entry", plural: "entries", want: "1 entry" },
    { n: 3, singular: "entry", plural: "entries", want: "3 entries" },
  ];
  it.each(cases)("$want", ({ n, singular, plural, want }) => {
    expect(formatCount(n, singular, plural)).toBe(want);
  });
});

describe("properties", () => {
  it.each(UNITS)("n$unit is exactly n * $bytes bytes, up to the 1PB maximum", ({ unit, bytes }) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), fc.boolean(), (n, lower) => {
        const text = `${n}${lower ? unit.toLowerCase() : unit}`;
        const r = parseSize(text);
        if (n * bytes <= MAX_SIZE_BYTES) {
          expect(r).toStrictEqual({ bytes: n * bytes });
        } else {
          expect(r).toStrictEqual({
            error: { message: `${JSON.stringify(text)} is larger than the largest size, 1PB` },
          });
        }
      }),
      { numRuns: 300 },
    );
  });

  it.each(DECIMAL_UNITS)("formatSize(parseSize(n$unit)) round-trips", ({ unit }) => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 1_000_000 }), (n) => {
        const r = parseSize(`${n}${unit}`);
        if (!("bytes" in r)) return; // over the maximum, checked above
        const text = formatSize(r.bytes);
        expect(parseSize(text)).toStrictEqual(r);
        // Below 1000 the unit as written is already the one formatSize picks.
        if (n < 1000) expect(text).toBe(`${n}${unit}`);
      }),
      { numRuns: 300 },
    );
  });

  it.each(DECIMAL_UNITS.slice(1))(
    "formatSize(parseSize(x$unit)) gives x$unit back for x with up to 3 decimals",
    ({ unit }) => {
      fc.assert(
        fc.property(fc.integer({ min: 1000, max: 999_999 }), (milli) => {
          const text = `${milli / 1000}${unit}`;
          const r = parseSize(text);
          expect(r).toStrictEqual({
            bytes: Math.round((milli * (DECIMAL_BYTES[unit] ?? Number.NaN)) / 1000),
          });
          if (!("bytes" in r)) return;
          expect(formatSize(r.bytes)).toBe(text);
        }),
        { numRuns: 300 },
      );
    },
  );
});

describe("formatDuration", () => {
  const cases: {
    name: string;
    ms: number;
    style?: DurationStyle;
    tenths?: boolean;
    want: string;
  }[] = [
    { name: "table, under a minute", ms: 42_000, want: "42s" },
    { name: "table, minutes with padded seconds", ms: 187_400, style: "table", want: "3m07s" },
    { name: "table, hours stay minutes", ms: 7_500_000, style: "table", want: "125m00s" },
    { name: "negative is 0", ms: -5_000, want: "0s" },
    { name: "tenths", ms: 4_249, tenths: true, want: "4.2s" },
    { name: "short, hours", ms: 3_723_000, style: "short", want: "1h 2m 3s" },
    { name: "short, whole minutes", ms: 120_000, style: "short", want: "2m 0s" },
    { name: "short, seconds", ms: 42_000, style: "short", want: "42s" },
    { name: "words, hours", ms: 3_723_000, style: "words", want: "1 h 2 min 3 s" },
    { name: "words, zero parts left out", ms: 240_000, style: "words", want: "4 min" },
    { name: "words, rounds to seconds", ms: 400, style: "words", want: "0 s" },
  ];
  it.each(cases)("$name", ({ ms, style, tenths, want }) => {
    expect(
      formatDuration(ms, {
        ...(style !== undefined ? { style } : {}),
        ...(tenths !== undefined ? { tenths } : {}),
      }),
    ).toBe(want);
  });
});
