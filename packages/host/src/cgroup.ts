/**
 * CPU and memory limits from cgroup v2, and MemTotal from /proc/meminfo.
 *
 * cgroup v2 (https://docs.kernel.org/admin-guide/cgroup-v2.html):
 * - `cpu.max` is `$MAX $PERIOD`: the group may use `$MAX` microseconds of CPU time every
 *   `$PERIOD`, so `$MAX / $PERIOD` CPUs; `max` as `$MAX` means no limit.
 * - `memory.max` is a byte count, or `max` for no limit.
 * - a process's group is the `0::PATH` line of `/proc/self/cgroup`; the limits that apply are those
 *   of that group and of every ancestor up to the root (the root group has neither file), so the
 *   smallest one found along the way counts. Inside a container with its own cgroup namespace
 *   the path is `/` and `/sys/fs/cgroup` is the container's group.
 *
 * cgroup v1 (`cpu.cfs_quota_us`, `memory.limit_in_bytes`) is not read: a v1-only host reports
 * the machine's CPUs and MemTotal.
 *
 * `/proc/meminfo` (https://docs.kernel.org/filesystems/proc.html): `MemTotal: N kB`, where kB
 * means KiB (1024 bytes).
 *
 * Paths in notes are as seen from `root` (`/sys/fs/cgroup/cpu.max`), not the root's own path.
 *
 * @module
 */

import { readFile } from "node:fs/promises";
import { join, posix } from "node:path";

/** A limit found in one cgroup file. */
export interface CgroupLimit {
  /** CPUs (may be fractional: 1.5) for `cpu.max`, bytes for `memory.max`. */
  value: number;
  /** The file, as seen from the root: `/sys/fs/cgroup/cpu.max`. */
  file: string;
  /** The file's content, trimmed: `150000 100000`. */
  raw: string;
}

/** The smallest limit along the cgroup path, and notes on files that could not be read. */
export interface CgroupReading {
  /** The smallest limit found; absent when every file says `max` or none exists. */
  limit?: CgroupLimit;
  /** One line per file that exists but could not be understood (it is then ignored). */
  notes: string[];
}

async function readText(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, "utf8");
  } catch {
    return undefined;
  }
}

/**
 * The cgroup directories that apply to this process, deepest first, as seen from `root`:
 * `/sys/fs/cgroup/a/b`, `/sys/fs/cgroup/a`, `/sys/fs/cgroup`. Without a readable `0::` line in
 * `/proc/self/cgroup`, or with a path outside the namespace (`/..`), only `/sys/fs/cgroup`.
 */
export async function cgroupDirs(root: string): Promise<string[]> {
  const text = await readText(join(root, "proc/self/cgroup"));
  const match = text === undefined ? null : /^0::(\/.*)$/m.exec(text);
  let path = match?.[1] === undefined ? "/" : posix.normalize(match[1].trim());
  if (path.startsWith("/..") || !path.startsWith("/")) {
    path = "/";
  }
  const dirs: string[] = [];
  for (;;) {
    dirs.push(path === "/" ? "/sys/fs/cgroup" : posix.join("/sys/fs/cgroup", path));
    if (path === "/") {
      return dirs;
    }
    path = posix.dirname(path);
  }
}

/** `max 100000` -> no limit; `150000 100000` -> 1.5; a lone `$MAX` uses the default period. */
function parseCpuMax(raw: string): number | null | undefined {
  const m = /^(max|\d+)(?:\s+(\d+))?$/.exec(raw);
  if (!m) {
    return undefined;
  }
  const [, max = "", period = "100000"] = m;
  if (max === "max") {
    return null;
  }
  const quota = Number(max);
  const per = Number(period);
  if (quota <= 0 || per <= 0) {
    return undefined;
  }
  return quota / per;
}

/** `max` -> no limit; digits -> bytes. */
function parseMemoryMax(raw: string): number | null | undefined {
  if (raw === "max") {
    return null;
  }
  return /^\d+$/.test(raw) ? Number(raw) : undefined;
}

async function readSmallest(
  root: string,
  dirs: readonly string[],
  name: "cpu.max" | "memory.max",
): Promise<CgroupReading> {
  const parse = name === "cpu.max" ? parseCpuMax : parseMemoryMax;
  const contents = await Promise.all(
    dirs.map(async (dir) => {
      const file = posix.join(dir, name);
      return { file, text: await readText(join(root, file)) };
    }),
  );
  const notes: string[] = [];
  let limit: CgroupLimit | undefined;
  for (const { file, text } of contents) {
    if (text === undefined) {
      continue;
    }
    const raw = text.trim();
    const value = parse(raw);
    if (value === undefined) {
      notes.push(`ignored ${file}: ${JSON.stringify(raw)} is not a cgroup v2 ${name} value`);
    } else if (value !== null && (limit === undefined || value < limit.value)) {
      limit = { value, file, raw };
    }
  }
  return limit === undefined ? { notes } : { limit, notes };
}

/**
 * The CPU limit (`cpu.max`, in CPUs, possibly fractional) of this process's cgroup and its
 * ancestors: the smallest one, if any.
 */
export function readCpuMax(root: string, dirs: readonly string[]): Promise<CgroupReading> {
  return readSmallest(root, dirs, "cpu.max");
}

/** The memory limit (`memory.max`, bytes) of this process's cgroup and its ancestors, if any. */
export function readMemoryMax(root: string, dirs: readonly string[]): Promise<CgroupReading> {
  return readSmallest(root, dirs, "memory.max");
}

/**
 * MemTotal from `<root>/proc/meminfo`, in bytes (`kB` there is KiB: * 1024).
 *
 * @returns `{ bytes, kib }`, or `undefined` when the file or the line is missing.
 */
export async function readMemTotal(
  root: string,
): Promise<{ bytes: number; kib: number } | undefined> {
  const text = await readText(join(root, "proc/meminfo"));
  const match = text === undefined ? null : /^MemTotal:\s+(\d+)\s*kB\s*$/m.exec(text);
  if (match?.[1] === undefined) {
    return undefined;
  }
  const kib = Number(match[1]);
  return { bytes: kib * 1024, kib };
}
