/**
 * Only `@dstack/host` runs nvidia-smi: every other package asks it (readHostFacts,
 * readGpuInventory, readComputeApps, readGpuMemoryUsed), so there is one reading of the driver's
 * answers and one set of rules for its failures.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import * as host from "@dstack/host";
import { describe, expect, it } from "vitest";

const ROOT = join(import.meta.dirname, "..");

/** The TypeScript sources (not tests) of every package and action but `host` and `testing`. */
function sources(): string[] {
  const out: string[] = [];
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, e.name);
      if (e.isDirectory()) walk(path);
      else if (e.name.endsWith(".ts") && !e.name.endsWith(".test.ts")) out.push(path);
    }
  };
  for (const group of ["packages", "actions"]) {
    for (const name of readdirSync(join(ROOT, group))) {
      if (group === "packages" && (name === "host" || name === "testing")) continue;
      try {
        walk(join(ROOT, group, name, "src"));
      } catch {
        // no src folder
      }
    }
  }
  return out;
}

/** A line of a doc comment or a `//` comment: documents, never runs. */
function isComment(line: string): boolean {
  return /^\s*(?:\*|\/\*|\/\/)/.test(line);
}

/** What running nvidia-smi looks like in code: a spawn of it, its queries, host's runner. */
const SPAWNS = [
  /\b(?:execa|execaSync|spawn|spawnSync|execFile|execFileSync|exec|execSync)\(\s*["'`]nvidia-smi\b/,
  /--query-(?:gpu|compute-apps)=/,
  /\brunNvidiaSmi\b/,
];

describe("nvidia-smi is run by @dstack/host only", () => {
  it("no other package's source spawns nvidia-smi or writes its queries", () => {
    const files = sources();
    expect(files.length).toBeGreaterThan(20);
    const found = files.flatMap((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .flatMap((line, i) =>
          !isComment(line) && SPAWNS.some((re) => re.test(line))
            ? [`${relative(ROOT, file)}:${i + 1}: ${line.trim()}`]
            : [],
        ),
    );
    expect(found).toEqual([]);
  });

  it("the patterns catch what they look for", () => {
    const caught = [
      'await execa("nvidia-smi", args)',
      "spawn('nvidia-smi', ['-L'])",
      '"--query-compute-apps=gpu_uuid,pid,used_memory"',
      "return runNvidiaSmi({ command, env, timeoutMs, args });",
    ];
    for (const line of caught) expect(SPAWNS.some((re) => re.test(line))).toBe(true);
    expect(SPAWNS.some((re) => re.test('nvidiaSmi: options.nvidiaSmi ?? "nvidia-smi",'))).toBe(
      false,
    );
  });

  it("@dstack/host does not export its nvidia-smi runner", () => {
    expect("runNvidiaSmi" in host).toBe(false);
    expect(typeof host.readGpuInventory).toBe("function");
  });
});
