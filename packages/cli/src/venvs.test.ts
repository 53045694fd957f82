import { existsSync, mkdirSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { openRepoStore } from "@dstack/artifacts";
import { processRef } from "@dstack/executor";
import { describe, expect, it } from "vitest";
import { runDstack, tempDir, tempRepo } from "./testing.js";

const DAY = 86_400_000;

/** A venv as ensureVenv leaves it under `<home>/venvs/<key>`, last used `ageDays` ago. */
function layVenv(home: string, key: string, ageDays: number, bytes = 2048): string {
  const dir = join(home, "venvs", key);
  mkdirSync(join(dir, "lib"), { recursive: true });
  writeFileSync(join(dir, "pyvenv.cfg"), "home = /usr/bin\nversion = 3.11.7\n");
  writeFileSync(join(dir, "lib", "big.py"), "x".repeat(bytes));
  writeFileSync(
    join(dir, ".dstack-venv.json"),
    JSON.stringify({
      interpreter: { path: "/usr/bin/python3.11", version: "3.11.7" },
      requirementsSha256: "0123456789abcdef".repeat(4),
    }),
  );
  writeFileSync(join(dir, ".dstack-ready"), "x\n");
  const when = new Date(Date.now() - ageDays * DAY);
  utimesSync(join(dir, ".dstack-ready"), when, when);
  return dir;
}

function setup() {
  const home = tempDir();
  const repo = tempRepo({ "train.py": "" });
  const env = { ...process.env, DSTACK_HOME: home };
  return { home, repo, env };
}

describe("dstack venvs", () => {
  it("lists each venv with its size, Python, requirements hash and last use", async () => {
    const { home, repo, env } = setup();
    layVenv(home, "aaaa111122223333", 3, 5000);
    const r = await runDstack(["venvs"], repo, env);
    expect(r.status).toBe(0);
    const [head, row] = r.stdout.trimEnd().split("\n");
    expect(head?.split(/\s{2,}/)).toEqual([
      "VENV",
      "TRUST",
      "STATE",
      "SIZE",
      "PYTHON",
      "REQUIREMENTS",
      "LAST USED",
    ]);
    expect(row).toMatch(
      /^aaaa111122223333\s+trusted\s+ready\s+\S+.*\s+3\.11\.7\s+0123456789ab\s+3d ago$/,
    );
    expect(r.stderr).toMatch(/^1 venv, \S+/);
  });

  it("--json gives the same fields", async () => {
    const { home, repo, env } = setup();
    const dir = layVenv(home, "bbbb111122223333", 1);
    const r = await runDstack(["venvs", "--json"], repo, env);
    expect(JSON.parse(r.stdout)).toEqual([
      {
        key: "bbbb111122223333",
        dir,
        trust: "trusted",
        state: "ready",
        bytes: expect.any(Number),
        interpreter: { path: "/usr/bin/python3.11", version: "3.11.7" },
        requirementsSha256: "0123456789abcdef".repeat(4),
        lastUsed: expect.any(String),
      },
    ]);
  });
});

describe("dstack venvs prune", () => {
  const cases: { name: string; args: string[]; gone: string[]; would?: string[] }[] = [
    { name: "default 30d", args: [], gone: ["old"] },
    { name: "--older-than 2d", args: ["--older-than", "2d"], gone: ["old", "week"] },
    { name: "--older-than 90d", args: ["--older-than", "90d"], gone: [] },
    { name: "--unused (no run active)", args: ["--unused"], gone: ["old", "week", "new"] },
    { name: "--dry-run", args: ["--dry-run"], gone: [], would: ["old"] },
  ];
  it.each(cases)("$name", async ({ args, gone, would }) => {
    const { home, repo, env } = setup();
    const dirs = {
      old: layVenv(home, "old", 45),
      week: layVenv(home, "week", 7),
      new: layVenv(home, "new", 0),
    };
    const r = await runDstack(["venvs", "prune", ...args, "--json"], repo, env);
    expect(r.status).toBe(0);
    const out = JSON.parse(r.stdout) as { removed: { key: string }[] };
    expect(out.removed.map((v) => v.key).sort()).toEqual([...(would ?? gone)].sort());
    for (const [key, dir] of Object.entries(dirs)) {
      expect([key, existsSync(dir)]).toEqual([key, !gone.includes(key)]);
    }
  });

  it("prints what it removed, one line a venv and a total", async () => {
    const { home, repo, env } = setup();
    layVenv(home, "old", 45);
    const r = await runDstack(["venvs", "prune"], repo, env);
    expect(r.stderr).toMatch(/^removed .*old \(\S+, last used 45d ago\)\nremoved 1 venv, /);
  });

  const bad = [
    {
      name: "a duration without a unit",
      args: ["--older-than", "30"],
      error: /--older-than: "30" is not a duration/,
    },
    { name: "a unit it does not know", args: ["--older-than", "3w"], error: /s, m, h or d/ },
    { name: "both options", args: ["--older-than", "3d", "--unused"], error: /not both/ },
  ];
  it.each(bad)("refuses $name (exit 2), removing nothing", async ({ args, error }) => {
    const { home, repo, env } = setup();
    const dir = layVenv(home, "old", 45);
    const r = await runDstack(["venvs", "prune", ...args], repo, env);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(error);
    expect(existsSync(dir)).toBe(true);
  });

  it("--unused refuses while a run is active in some repository, naming it", async () => {
    const { home, repo, env } = setup();
    const dir = layVenv(home, "old", 45);
    const { store } = await openRepoStore({ home, cwd: repo });
    const run = await store.createRun({
      workflow: "train",
      job: null,
      repoDir: repo,
      supervisor: processRef(process.pid),
    });
    const r = await runDstack(["venvs", "prune", "--unused"], tempDir(), env);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`runs are active (${run.runName})`);
    expect(existsSync(dir)).toBe(true);
  });
});
