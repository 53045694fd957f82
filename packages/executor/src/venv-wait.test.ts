import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { buildWheel, tempDir, writeTree } from "@dstack/testing";
import { describe, expect, it } from "vitest";
import { findInterpreter } from "./interpreter.js";
import { ensureVenv, VENV_INFO } from "./venv.js";

describe("ensureVenv while another run builds the same venv", () => {
  it("says that it waits (onWait), then reuses the venv the other run built", async () => {
    const home = tempDir();
    const wheels = tempDir();
    buildWheel({ dir: wheels, name: "dstackwait", version: "1.0", source: "X = 1\n" });
    const repo = writeTree(tempDir(), { "requirements.txt": "dstackwait==1.0\n" });
    const env = { ...process.env, PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheels };
    const interpreter = await findInterpreter({ env });
    const waited: { who: string; dir: string }[] = [];
    const options = (who: string) => ({
      home,
      interpreter,
      requirements: { path: join(repo, "requirements.txt"), text: "dstackwait==1.0\n" },
      cwd: repo,
      env,
      onLine: () => {},
      onWait: (dir: string) => waited.push({ who, dir }),
    });
    const first = ensureVenv(options("first"));
    const venvs = join(home, "venvs");
    // The first run holds the lock once its lock folder exists.
    while (!(existsSync(venvs) && readdirSync(venvs).some((n) => n.endsWith(".lock")))) {
      await new Promise((r) => setTimeout(r, 10));
    }
    const second = await ensureVenv(options("second"));
    const built = await first;
    expect(built.reused).toBe(false);
    expect(second).toEqual({ ...built, reused: true });
    expect(waited).toEqual([{ who: "second", dir: built.dir }]);
    // What it was built from, for `dstack venvs`.
    expect(JSON.parse(readFileSync(join(built.dir, VENV_INFO), "utf8"))).toEqual({
      interpreter: { path: interpreter.path, version: interpreter.version },
      requirementsSha256: "f48ead1cc9b451478f0b1cd35ad23e38568bc92b36108adb15ea6793badd6c62",
    });
  }, 120_000);
});
