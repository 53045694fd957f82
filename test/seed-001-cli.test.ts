// Seed 001's own CLI example, verbatim, through the real `dstack` bin:
//
//   dstack run python train.py -r requirements.txt -a model --gpu 4 --gpu-name K80
//
// dstack's options after FILE are dstack's (with one warning line), so the run asks for 4 K80s:
// a host without GPUs refuses it at the host check; a host whose nvidia-smi lists 4 K80s (the
// fake nvidia-smi of @dstack/runner-plugin's tests, with a K80 fixture of @dstack/host) passes
// the check and runs it on the CPU. Without the GPU options it installs the requirements (a
// wheel built here: tests reach no package index) and saves `model`.
//
// This file sits in test/ because it joins three packages' test helpers: the CLI's bin, the
// executor's wheel builder and the runner plugin's fake nvidia-smi.
import { spawnSync } from "node:child_process";
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { fileURLToPath } from "node:url";
import { buildWheel, FAKE_QUERIES, fakeNvidiaSmi, hostFixture } from "@dstack/testing";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "packages/cli/bin/dstack.js");

/** Seed 001, "Alternatively, you can use this provider from the CLI", word for word. */
const SEED_EXAMPLE = [
  "run",
  "python",
  "train.py",
  "-r",
  "requirements.txt",
  "-a",
  "model",
  "--gpu",
  "4",
  "--gpu-name",
  "K80",
];
/** The same without the GPU options. */
const WITHOUT_GPU = SEED_EXAMPLE.slice(0, 7);

/** The one warning line the example prints (options after FILE are dstack's). */
const SEED_WARNING =
  "command line: warning: -r requirements.txt, -a model, --gpu 4, --gpu-name K80 after train.py are taken as dstack's options (before train.py they are too, without this warning); for the script, put them after --: dstack run python train.py -- -r requirements.txt -a model --gpu 4 --gpu-name K80";

const made: string[] = [];
const tempDir = (prefix: string) => {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/** A wheel of `dstackdemo` 1.0 (`ANSWER = 42`) in a folder of its own, for PIP_FIND_LINKS. */
const wheels = tempDir("dstack-seed001-wheels-");
buildWheel({ dir: wheels, name: "dstackdemo", version: "1.0", source: "ANSWER = 42\n" });

/** A project as dstack's Python provider reference describes it: train.py, requirements.txt; train.py saves model/. */
function project(): string {
  const dir = tempDir("dstack-seed001-");
  mkdirSync(join(dir, ".git"));
  writeFileSync(join(dir, "requirements.txt"), "dstackdemo==1.0\n");
  writeFileSync(
    join(dir, "train.py"),
    [
      "import os, sys",
      "import dstackdemo",
      'os.makedirs("model", exist_ok=True)',
      'open("model/weights.txt", "w").write(str(dstackdemo.ANSWER))',
      'print("trained", dstackdemo.ANSWER, sys.argv[1:])',
      "",
    ].join("\n"),
  );
  return dir;
}

/** This machine's PATH without any folder holding an nvidia-smi: a host without GPUs. */
const noGpuPath = (process.env.PATH ?? "")
  .split(delimiter)
  .filter((dir) => dir && !existsSync(join(dir, "nvidia-smi")))
  .join(delimiter);

/** Runs the dstack bin in `cwd` as a process of its own. */
function dstack(argv: string[], cwd: string, env: NodeJS.ProcessEnv) {
  const r = spawnSync(process.execPath, [bin, ...argv], {
    cwd,
    env: { ...process.env, NO_COLOR: "1", PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheels, ...env },
    encoding: "utf8",
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The lines of `text` that are the grammar's warning. */
const warnings = (text: string) => text.split("\n").filter((l) => l.includes("warning:"));

function runNameOf(stderr: string): string {
  const m = /^(\S+-\d+) submitted/m.exec(stderr);
  if (!m?.[1]) throw new Error(`no run name in: ${stderr}`);
  return m[1];
}

describe("seed 001's CLI example through the real dstack bin", () => {
  it("the README shows the warning the example prints", () => {
    expect(readFileSync(join(root, "README.md"), "utf8")).toContain(SEED_WARNING);
  });

  it("seed 001 example verbatim, host without GPUs: refused at the host check naming 4 K80s", () => {
    const home = tempDir("dstack-seed001-home-");
    const r = dstack(SEED_EXAMPLE, project(), { DSTACK_HOME: home, PATH: noGpuPath });
    expect(r.status).toBe(1);
    expect(warnings(r.stderr)).toEqual([SEED_WARNING]);
    expect(r.stderr).toContain(
      "this host cannot run the job: resources.gpu.count: asked 4 k80, this host has 0 (nvidia-smi not found)",
    );
    // Refused before the environment is built or the script runs; no stack trace.
    expect(r.stderr).not.toContain("Preparing the environment");
    expect(r.stdout).toBe("");
    expect(r.stderr).not.toMatch(/\n\s+at /);
  }, 60_000);

  it("seed 001 example verbatim, fake 4x K80 host: passes the host check, installs, saves model", () => {
    const fake = fakeNvidiaSmi({ gpus: hostFixture("tesla-k80-x4.csv") });
    made.push(fake.dir);
    const home = tempDir("dstack-seed001-home-");
    const dir = project();
    const locks = tempDir("dstack-seed001-locks-");
    const r = dstack(SEED_EXAMPLE, dir, {
      DSTACK_HOME: home,
      PATH: `${fake.dir}${delimiter}${noGpuPath}`,
      // The run locks the 4 GPUs it asked for; the fake host's locks stay out of the real one's.
      DSTACK_LOCK_DIR: locks,
    });
    expect(r.stderr).toContain("4x Tesla K80");
    expect(r.stderr).toMatch(
      /GPUs 0 \(GPU-[0-9a-f-]+\), 1 \(GPU-[0-9a-f-]+\), 2 \(GPU-[0-9a-f-]+\), 3 \(GPU-[0-9a-f-]+\) locked for this run/,
    );
    expect(readdirSync(locks).filter((n) => n.endsWith(".lock"))).toEqual([]);
    expect(r.stderr).not.toContain("cannot run");
    expect(fake.calls()).toContain(FAKE_QUERIES.gpus);
    expect(r.stdout).toContain("Successfully installed dstackdemo-1.0");
    expect(r.stdout).toContain("trained 42 []\n");
    expect(warnings(r.stderr)).toEqual([SEED_WARNING]);
    expect(r.status).toBe(0);
    const list = dstack(["artifacts", "list", runNameOf(r.stderr)], dir, { DSTACK_HOME: home });
    expect(list.stdout).toContain("model/weights.txt");
  }, 180_000);

  it("seed 001 example without the GPU options: requirements installed, model saved", () => {
    const home = tempDir("dstack-seed001-home-");
    const dir = project();
    const r = dstack(WITHOUT_GPU, dir, { DSTACK_HOME: home, PATH: noGpuPath });
    expect(r.stdout).toContain("Successfully installed dstackdemo-1.0");
    expect(r.stdout).toContain("trained 42 []\n");
    expect(warnings(r.stderr)).toEqual([
      "command line: warning: -r requirements.txt, -a model after train.py are taken as dstack's options (before train.py they are too, without this warning); for the script, put them after --: dstack run python train.py -- -r requirements.txt -a model",
    ]);
    expect(r.status).toBe(0);
    const list = dstack(["artifacts", "list", runNameOf(r.stderr)], dir, { DSTACK_HOME: home });
    expect(list.stdout).toContain("model/weights.txt");
  }, 180_000);
});
