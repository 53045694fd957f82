/**
 * Venvs of untrusted runs (code not on the default branch) are never reused by trusted runs, and
 * untrusted runs never write the trusted cache: real venvs, real pip, a wheel built locally.
 */
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { LocalStore } from "@dstack/artifacts";
import type { HostReport } from "@dstack/host";
import { parseWorkflows } from "@dstack/spec";
import { buildWheel, tempDir, writeTree } from "@dstack/testing";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { findInterpreter } from "./interpreter.js";
import { runJob } from "./run-job.js";
import { ensureVenv, TRUSTED_VENVS, UNTRUSTED_VENVS } from "./venv.js";

const REQUIREMENTS = "dstackdemo==1.0\n";

function wheels(): Record<string, string> {
  const dir = tempDir();
  buildWheel({ dir, name: "dstackdemo", version: "1.0", source: "ANSWER = 42\n" });
  return { PIP_NO_INDEX: "1", PIP_FIND_LINKS: dir };
}

/** The venv folders (not lock files) in `<home>/<name>`, or `[]` when it does not exist. */
function venvs(home: string, name: string): string[] {
  const dir = join(home, name);
  return existsSync(dir) ? readdirSync(dir).filter((n) => !n.endsWith(".lock")) : [];
}

describe("ensureVenv keeps untrusted runs' venvs apart", () => {
  it("same requirements: neither kind reuses the other's venv, each reuses its own", async () => {
    const home = tempDir();
    const env = { ...process.env, ...wheels() };
    const repo = writeTree(tempDir(), { "requirements.txt": REQUIREMENTS });
    const interpreter = await findInterpreter({ env });
    const options = {
      home,
      interpreter,
      requirements: { path: join(repo, "requirements.txt"), text: REQUIREMENTS },
      cwd: repo,
      env,
      onLine: () => {},
    };
    const trusted = await ensureVenv(options);
    expect(trusted).toMatchObject({ reused: false, dir: expect.stringContaining(TRUSTED_VENVS) });
    const marker = join(trusted.dir, "pyvenv.cfg");
    const before = statSync(marker).mtimeMs;

    // An untrusted run with the very same requirements builds its own.
    const untrusted = await ensureVenv({ ...options, untrusted: true });
    expect(untrusted.reused).toBe(false);
    expect(untrusted.dir).toBe(join(home, UNTRUSTED_VENVS, trusted.dir.split("/").at(-1) ?? ""));
    // What it installs into its venv stays there.
    writeFileSync(join(untrusted.dir, "backdoor.pth"), "import os\n");

    expect(await ensureVenv({ ...options, untrusted: true })).toEqual({
      ...untrusted,
      reused: true,
    });
    expect(await ensureVenv(options)).toEqual({ ...trusted, reused: true });
    expect(statSync(marker).mtimeMs).toBe(before);
    expect(venvs(home, TRUSTED_VENVS)).toHaveLength(1);
    expect(existsSync(join(trusted.dir, "backdoor.pth"))).toBe(false);
    const r = await execa(trusted.python, ["-c", "import dstackdemo; print(dstackdemo.ANSWER)"]);
    expect(r.stdout).toBe("42");
  }, 120_000);
});

describe("runJob with untrusted: true", () => {
  it("builds the venv under venvs-untrusted and leaves the trusted cache alone", async () => {
    const home = tempDir();
    const workflows = `workflows:
  - name: probe
    provider: python
    file: probe.py
    requirements: requirements.txt
`;
    const repo = writeTree(tempDir(), {
      ".dstack/workflows.yaml": workflows,
      "requirements.txt": REQUIREMENTS,
      "probe.py": "import sys, dstackdemo\nprint(sys.prefix)\n",
    });
    const job = parseWorkflows({ files: [{ path: ".dstack/workflows.yaml", text: workflows }] })
      .jobs[0];
    if (!job) throw new Error("the test workflow did not parse");
    const store = new LocalStore({ home });
    await store.createRun({ workflow: "probe", job, repoDir: repo, runName: "pr-run-1" });
    const lines: string[] = [];
    const host: HostReport = {
      cpus: 2,
      memoryBytes: 4 * 2 ** 30,
      gpus: [],
      gpuDetails: [],
      interruptible: false,
      notes: [],
      sources: { cpus: "os", memory: "os", gpus: "none" },
    };
    const result = await runJob({
      store,
      runName: "pr-run-1",
      home,
      env: { ...process.env, ...wheels() },
      untrusted: true,
      host,
      out: { phase: () => {}, line: (l) => lines.push(l), info: () => {} },
    });
    expect(result.message).toBe("exited with 0");
    expect(lines.at(-1)).toMatch(new RegExp(`^${join(home, UNTRUSTED_VENVS)}/[0-9a-f]{16}$`));
    expect(venvs(home, UNTRUSTED_VENVS)).toHaveLength(1);
    expect(existsSync(join(home, TRUSTED_VENVS))).toBe(false);
    // Nor are its interpreter probes kept for later runs.
    expect(existsSync(join(home, "interpreters.json"))).toBe(false);
    expect(readFileSync(store.logPath("pr-run-1"), "utf8")).toContain(
      `created venv ${join(home, UNTRUSTED_VENVS)}`,
    );
  }, 120_000);
});
