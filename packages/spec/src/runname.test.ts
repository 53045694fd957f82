import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  ADJECTIVES,
  ANIMALS,
  allocateRunName,
  formatRunName,
  parseRunName,
  runNameStem,
} from "./runname.js";

const here = path.dirname(fileURLToPath(import.meta.url));

let tmp = "";
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "runname-"));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** The claim a real caller uses: `mkdir` without `recursive` is atomic; EEXIST means taken. */
function mkdirClaim(dir: string): (name: string) => boolean {
  return (name) => {
    try {
      fs.mkdirSync(path.join(dir, name));
      return true;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === "EEXIST") {
        return false;
      }
      throw e;
    }
  };
}

/** Returns the given numbers in turn, forever. */
function sequence(...values: number[]): () => number {
  let i = 0;
  return () => values[i++ % values.length] ?? 0;
}

describe("word lists", () => {
  it.each([
    { name: "ADJECTIVES", words: ADJECTIVES },
    { name: "ANIMALS", words: ANIMALS },
  ])("$name: about 60+ unique lower-case ascii words, frozen", ({ words }) => {
    expect(words.length).toBeGreaterThanOrEqual(60);
    expect(new Set(words).size).toBe(words.length);
    for (const w of words) {
      expect(w).toMatch(/^[a-z]+$/);
    }
    expect(Object.isFrozen(words)).toBe(true);
  });
});

describe("runNameStem", () => {
  const cases = [
    { name: "lowest", random: sequence(0, 0), want: `${ADJECTIVES[0]}-${ANIMALS[0]}` },
    {
      name: "highest",
      random: sequence(0.999999999, 0.999999999),
      want: `${ADJECTIVES.at(-1)}-${ANIMALS.at(-1)}`,
    },
    {
      name: "out of range is clamped",
      random: sequence(1, -3),
      want: `${ADJECTIVES.at(-1)}-${ANIMALS[0]}`,
    },
    {
      name: "NaN picks the first word",
      random: sequence(Number.NaN, Number.NaN),
      want: `${ADJECTIVES[0]}-${ANIMALS[0]}`,
    },
  ];
  it.each(cases)("$name", ({ random, want }) => {
    expect(runNameStem(random)).toBe(want);
  });

  it("uses both lists and keeps no state", () => {
    fc.assert(
      fc.property(
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
        (a, b) => {
          const stem = runNameStem(sequence(a, b));
          expect(stem).toBe(runNameStem(sequence(a, b)));
          const [adjective, animal, ...rest] = stem.split("-");
          expect(rest).toEqual([]);
          expect(ADJECTIVES).toContain(adjective);
          expect(ANIMALS).toContain(animal);
        },
      ),
    );
  });
});

describe("formatRunName and parseRunName", () => {
  it.each([
    { name: "first run", stem: "sharp-shrimp", n: 1, want: "sharp-shrimp-1" },
    { name: "later run", stem: "wise-otter", n: 42, want: "wise-otter-42" },
  ])("$name", ({ stem, n, want }) => {
    expect(formatRunName(stem, n)).toBe(want);
    expect(parseRunName(want)).toEqual({ stem, n });
  });

  it.each([
    { name: "zero", stem: "sharp-shrimp", n: 0 },
    { name: "fraction", stem: "sharp-shrimp", n: 1.5 },
    { name: "upper case stem", stem: "Sharp-Shrimp", n: 1 },
    { name: "empty stem", stem: "", n: 1 },
    { name: "stem with a digit", stem: "sharp-shrimp-2", n: 1 },
  ])("format refuses $name", ({ stem, n }) => {
    expect(() => formatRunName(stem, n)).toThrow(RangeError);
  });

  it.each([
    "sharp-shrimp",
    "sharp-shrimp-0",
    "sharp-shrimp-01",
    "Sharp-Shrimp-1",
    "sharp-shrimp-1x",
    "-1",
    "sharp--shrimp-1",
    "sharp-shrimp-99999999999999999999",
    "",
  ])("parse refuses %j", (name) => {
    expect(parseRunName(name)).toBeNull();
  });

  it("round-trips", () => {
    fc.assert(
      fc.property(
        fc.array(fc.stringMatching(/^[a-z]{1,8}$/), { minLength: 1, maxLength: 3 }),
        fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }),
        (words, n) => {
          const stem = words.join("-");
          expect(parseRunName(formatRunName(stem, n))).toEqual({ stem, n });
        },
      ),
    );
  });
});

describe("allocateRunName", () => {
  const random = sequence(0.5, 0.25);
  const stem = runNameStem(random);

  it("claims stem-1 when free", async () => {
    expect(await allocateRunName({ claim: () => true, random })).toBe(`${stem}-1`);
  });

  it("skips claimed names, sync or async claims", async () => {
    const taken = new Set([`${stem}-1`, `${stem}-2`, `${stem}-4`]);
    const tried: string[] = [];
    const claim = (name: string) => {
      tried.push(name);
      return !taken.has(name);
    };
    expect(await allocateRunName({ claim, random })).toBe(`${stem}-3`);
    expect(tried).toEqual([`${stem}-1`, `${stem}-2`, `${stem}-3`]);
    expect(
      await allocateRunName({
        claim: async (name) => !taken.has(name) && name !== `${stem}-3`,
        random,
      }),
    ).toBe(`${stem}-5`);
  });

  it("gives up after maxAttempts with a clear error", async () => {
    await expect(allocateRunName({ claim: () => false, random, maxAttempts: 5 })).rejects.toThrow(
      `could not allocate a run name: ${stem}-1 to ${stem}-5 are all taken (5 attempts); remove old runs or raise maxAttempts`,
    );
    let calls = 0;
    await expect(
      allocateRunName({
        claim: () => {
          calls++;
          return false;
        },
        random,
      }),
    ).rejects.toThrow("(1000 attempts)");
    expect(calls).toBe(1000);
    await expect(allocateRunName({ claim: () => true, maxAttempts: 0 })).rejects.toThrow(
      RangeError,
    );
  });

  it("passes on what claim throws", async () => {
    await expect(
      allocateRunName({
        claim: () => {
          throw new Error("EACCES");
        },
      }),
    ).rejects.toThrow("EACCES");
  });

  it("uses Math.random by default", async () => {
    const name = await allocateRunName({ claim: mkdirClaim(tmp) });
    expect(parseRunName(name)?.n).toBe(1);
    expect(fs.existsSync(path.join(tmp, name))).toBe(true);
  });

  it("8 concurrent allocations with the same stem get 8 distinct names (mkdir claims)", async () => {
    const claim = mkdirClaim(tmp);
    const jittered = async (name: string) => {
      await new Promise((r) => setTimeout(r, Math.random() * 5));
      return claim(name);
    };
    const names = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        allocateRunName({ claim: i % 2 ? claim : jittered, random: sequence(0.5, 0.25) }),
      ),
    );
    expect(new Set(names).size).toBe(8);
    expect([...names].sort()).toEqual(
      Array.from({ length: 8 }, (_, i) => `${stem}-${i + 1}`).sort(),
    );
    expect(fs.readdirSync(tmp).sort()).toEqual([...names].sort());
  });

  // Node 20 has no --experimental-strip-types, so the children import runname.ts compiled by the
  // repository's own tsc into a temp folder: the real allocateRunName, in 4 real processes.
  const tsc = path.resolve(here, "../../../node_modules/typescript/bin/tsc");
  it.skipIf(!fs.existsSync(tsc))(
    "4 processes allocating at once never share a name",
    async () => {
      const out = path.join(tmp, "lib");
      const runs = path.join(tmp, "runs");
      fs.mkdirSync(runs);
      const compiled = spawnSync(
        process.execPath,
        [
          tsc,
          "--outDir",
          out,
          "--rootDir",
          here,
          "--module",
          "nodenext",
          "--moduleResolution",
          "nodenext",
          "--target",
          "es2022",
          "--skipLibCheck",
          "--types",
          "",
          path.join(here, "runname.ts"),
        ],
        { cwd: tmp, encoding: "utf8" },
      );
      expect(compiled.stdout + compiled.stderr).toBe("");
      expect(compiled.status).toBe(0);
      fs.writeFileSync(path.join(out, "package.json"), '{"type":"module"}\n');
      const go = path.join(tmp, "go");
      const perChild = 50;
      const script = `
        import fs from "node:fs";
        import path from "node:path";
        const { allocateRunName } = await import(${JSON.stringify(pathToFileURL(path.join(out, "runname.js")).href)});
        const runs = ${JSON.stringify(runs)};
        const claim = (name) => {
          try { fs.mkdirSync(path.join(runs, name)); return true; }
          catch (e) { if (e.code === "EEXIST") return false; throw e; }
        };
        process.stdout.write("ready\\n");
        while (!fs.existsSync(${JSON.stringify(go)})) await new Promise((r) => setTimeout(r, 1));
        const names = [];
        for (let i = 0; i < ${perChild}; i++) {
          names.push(await allocateRunName({ claim, random: () => 0.5 }));
        }
        process.stdout.write(JSON.stringify(names) + "\\n");
      `;
      const children = Array.from({ length: 4 }, () => {
        const child = spawn(process.execPath, ["--input-type=module", "-e", script], {
          stdio: ["ignore", "pipe", "pipe"],
        });
        let stdout = "";
        let stderr = "";
        child.stdout.setEncoding("utf8").on("data", (d: string) => {
          stdout += d;
        });
        child.stderr.setEncoding("utf8").on("data", (d: string) => {
          stderr += d;
        });
        const ready = new Promise<void>((resolve) => {
          const check = () => (stdout.startsWith("ready\n") ? resolve() : setTimeout(check, 5));
          check();
        });
        const done = new Promise<{ code: number | null; stdout: string; stderr: string }>(
          (resolve) => {
            child.on("close", (code) => resolve({ code, stdout, stderr }));
          },
        );
        return { ready, done };
      });
      await Promise.all(children.map((c) => c.ready));
      fs.writeFileSync(go, "");
      const results = await Promise.all(children.map((c) => c.done));
      const all: string[] = [];
      for (const r of results) {
        expect(r.stderr).toBe("");
        expect(r.code).toBe(0);
        const names = JSON.parse(r.stdout.split("\n")[1] ?? "[]") as string[];
        expect(names).toHaveLength(perChild);
        all.push(...names);
      }
      const fixedStem = runNameStem(() => 0.5);
      expect(new Set(all).size).toBe(4 * perChild);
      expect(all.map((n) => parseRunName(n)?.n).sort((a = 0, b = 0) => a - b)).toEqual(
        Array.from({ length: 4 * perChild }, (_, i) => i + 1),
      );
      expect(all.every((n) => parseRunName(n)?.stem === fixedStem)).toBe(true);
    },
    30_000,
  );
});
