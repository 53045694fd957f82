import { existsSync, mkdirSync, statSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { tempDir } from "@dstack/testing";
import lockfile from "proper-lockfile";
import { describe, expect, it } from "vitest";
import type { Interpreter } from "./interpreter.js";
import { ensureVenv, READY_MARKER, VENV_INFO, venvKey } from "./venv.js";
import { listVenvs, pruneVenvs } from "./venv-cache.js";

const DAY = 86_400_000;
const NOW = Date.parse("2026-06-01T00:00:00Z");

interface Layout {
  key: string;
  untrusted?: boolean;
  /** Days since last use (the ready marker's mtime, or the folder's when not ready). */
  ageDays: number;
  ready: boolean;
  /** Write `.dstack-venv.json`, or only `pyvenv.cfg` as older venvs have. */
  info?: boolean;
  /** Bytes of a file in site-packages. */
  bytes?: number;
}

/** Lays a venv out as ensureVenv leaves it: `<home>/venvs[-untrusted]/<key>/`, pyvenv.cfg, marker. */
function layVenv(home: string, v: Layout): string {
  const dir = join(home, v.untrusted ? "venvs-untrusted" : "venvs", v.key);
  mkdirSync(join(dir, "lib", "site-packages"), { recursive: true });
  writeFileSync(
    join(dir, "pyvenv.cfg"),
    "home = /usr/bin\ninclude-system-site-packages = false\nversion = 3.11.7\n",
  );
  writeFileSync(join(dir, "lib", "site-packages", "mod.py"), "x".repeat(v.bytes ?? 100));
  if (v.info) {
    writeFileSync(
      join(dir, VENV_INFO),
      JSON.stringify({
        interpreter: { path: "/opt/py/bin/python3.12", version: "3.12.1" },
        requirementsSha256: "ab".repeat(32),
      }),
    );
  }
  const when = new Date(NOW - v.ageDays * DAY);
  if (v.ready) {
    writeFileSync(join(dir, READY_MARKER), "2026-01-01T00:00:00Z\n");
    utimesSync(join(dir, READY_MARKER), when, when);
  }
  utimesSync(dir, when, when);
  return dir;
}

describe("listVenvs", () => {
  it("reads each venv of venvs/ and venvs-untrusted/, skipping lock folders", async () => {
    const home = tempDir();
    layVenv(home, { key: "aaaa", ageDays: 2, ready: true, info: true, bytes: 1000 });
    layVenv(home, { key: "bbbb", ageDays: 40, ready: true, bytes: 10 });
    layVenv(home, { key: "cccc", untrusted: true, ageDays: 1, ready: false });
    mkdirSync(join(home, "venvs", "zzzz.lock"));
    const venvs = await listVenvs(home);
    expect(venvs.map((v) => [v.key, v.untrusted, v.state])).toEqual([
      ["aaaa", false, "ready"],
      ["bbbb", false, "ready"],
      ["cccc", true, "incomplete"],
    ]);
    const [a, b] = venvs;
    expect(a?.interpreter).toEqual({ path: "/opt/py/bin/python3.12", version: "3.12.1" });
    expect(a?.requirementsSha256).toBe("ab".repeat(32));
    // pyvenv.cfg and mod.py and the two markers.
    expect(a?.bytes).toBeGreaterThan(1000);
    expect(a?.lastUsed).toBe(new Date(NOW - 2 * DAY).toISOString());
    expect(b?.interpreter).toEqual({ path: "/usr/bin/python3", version: "3.11.7" });
    expect(b?.requirementsSha256).toBeUndefined();
  });

  it("is empty for a home without venvs", async () => {
    expect(await listVenvs(tempDir())).toEqual([]);
  });

  it("calls a venv whose lock another process holds building", async () => {
    const home = tempDir();
    const dir = layVenv(home, { key: "dddd", ageDays: 90, ready: false });
    const release = await lockfile.lock(dir, { realpath: false, lockfilePath: `${dir}.lock` });
    try {
      expect((await listVenvs(home))[0]?.state).toBe("building");
    } finally {
      await release();
    }
  });
});

describe("pruneVenvs", () => {
  const cases = [
    {
      name: "30 days: removes the old ready and the old incomplete",
      days: 30,
      gone: ["old", "crashed"],
    },
    { name: "100 days: removes nothing", days: 100, gone: [] },
    { name: "1 day: all but the one used today", days: 1, gone: ["old", "crashed", "week"] },
    { name: "negative: every one", days: -1, gone: ["old", "crashed", "week", "today"] },
  ];
  it.each(cases)("$name", async ({ days, gone }) => {
    const home = tempDir();
    const dirs = {
      old: layVenv(home, { key: "old", ageDays: 45, ready: true }),
      crashed: layVenv(home, { key: "crashed", untrusted: true, ageDays: 60, ready: false }),
      week: layVenv(home, { key: "week", ageDays: 7, ready: true }),
      today: layVenv(home, { key: "today", ageDays: 0.1, ready: true }),
    };
    const result = await pruneVenvs({ home, olderThanMs: days < 0 ? -1 : days * DAY, now: NOW });
    expect(result.removed.map((v) => v.key).sort()).toEqual([...gone].sort());
    for (const [key, dir] of Object.entries(dirs)) {
      expect([key, existsSync(dir)]).toEqual([key, !gone.includes(key)]);
      // The lock pruning took is released.
      expect(existsSync(`${dir}.lock`)).toBe(false);
    }
  });

  it("with dryRun removes nothing and names what it would", async () => {
    const home = tempDir();
    const dir = layVenv(home, { key: "old", ageDays: 45, ready: true });
    const result = await pruneVenvs({ home, olderThanMs: 30 * DAY, now: NOW, dryRun: true });
    expect(result.removed.map((v) => v.key)).toEqual(["old"]);
    expect(existsSync(dir)).toBe(true);
  });

  it("never removes a venv being built (its lock held), however old", async () => {
    const home = tempDir();
    const dir = layVenv(home, { key: "busy", ageDays: 400, ready: false });
    const release = await lockfile.lock(dir, { realpath: false, lockfilePath: `${dir}.lock` });
    try {
      const result = await pruneVenvs({ home, olderThanMs: -1, now: NOW });
      expect(result.removed).toEqual([]);
      expect(result.building.map((v) => v.key)).toEqual(["busy"]);
      expect(existsSync(join(dir, "pyvenv.cfg"))).toBe(true);
    } finally {
      await release();
    }
  });
});

describe("ensureVenv and the last use", () => {
  it("reusing a ready venv sets its ready marker's mtime to now", async () => {
    const home = tempDir();
    const interpreter: Interpreter = {
      path: "/usr/bin/python3",
      version: "3.11.7",
      source: "PATH",
    };
    const text = "numpy==2.0\n";
    const dir = layVenv(home, { key: venvKey(interpreter, text), ageDays: 45, ready: true });
    const before = Date.now();
    const venv = await ensureVenv({
      home,
      interpreter,
      requirements: { path: join(home, "requirements.txt"), text },
      cwd: home,
      env: process.env,
      onLine: () => {},
    });
    expect(venv).toEqual({ dir, python: join(dir, "bin", "python"), reused: true });
    expect(statSync(join(dir, READY_MARKER)).mtimeMs).toBeGreaterThanOrEqual(before - 1000);
  });
});
