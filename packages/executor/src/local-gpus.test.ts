/**
 * The GPUs a run owns, through runJob on a fake nvidia-smi answering with recorded outputs of
 * `@dstack/host`: a local run takes N free GPUs with the host's per-GPU locks, a runner's job
 * sees only that runner's GPUs, and a broken driver stops only jobs that ask for GPUs.
 */
import { existsSync, writeFileSync } from "node:fs";
import { delimiter, join } from "node:path";
import { LocalStore } from "@dstack/artifacts";
import { listLocks } from "@dstack/host";
import { parseWorkflows } from "@dstack/spec";
import { fakeNvidiaSmi, hostFixture, scratch, tempDir, writeTree } from "@dstack/testing";
import { afterAll, describe, expect, it } from "vitest";
import { LOCAL_RUNNER } from "./local-gpus.js";
import { type RunResult, runJob } from "./run-job.js";
import { reconcileRun } from "./supervision.js";

const { deadPid, cleanup } = scratch("dstack-local-gpus-");
afterAll(cleanup);

/** A repository with one workflow, `job`, running `job.py` with `resources`. */
function repo(resources: string, script: string): { dir: string; workflows: string } {
  const workflows = `workflows:
  - name: job
    provider: python
    file: job.py
${resources}`;
  return {
    dir: writeTree(tempDir(), { ".dstack/workflows.yaml": workflows, "job.py": script }),
    workflows,
  };
}

/** Creates run `runName` of the repository's workflow and runs it; resolves with its end. */
async function run(options: {
  store: LocalStore;
  home: string;
  runName: string;
  repo: { dir: string; workflows: string };
  env: NodeJS.ProcessEnv;
}): Promise<{ result: RunResult; lines: string[]; info: string[] }> {
  const { store, home, runName, env } = options;
  const job = parseWorkflows({
    files: [{ path: ".dstack/workflows.yaml", text: options.repo.workflows }],
  }).jobs[0];
  if (!job) throw new Error("the test workflow did not parse");
  await store.createRun({ workflow: "job", job, repoDir: options.repo.dir, runName });
  const lines: string[] = [];
  const info: string[] = [];
  const result = await runJob({
    store,
    runName,
    home,
    env,
    out: { phase: () => {}, line: (l) => lines.push(l), info: (l) => info.push(l) },
  });
  return { result, lines, info };
}

/** An environment with the fake nvidia-smi first on PATH, and a lock dir of the test's own. */
function hostEnv(smiDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PATH: `${smiDir}${delimiter}${process.env.PATH}`,
    DSTACK_LOCK_DIR: tempDir(),
    ...extra,
  };
  delete env.GITHUB_ACTIONS;
  delete env.DSTACK_RUNNER_GPUS;
  delete env.CUDA_VISIBLE_DEVICES;
  return { ...env, ...extra };
}

describe("dstack run --gpu N on a host with more GPUs", () => {
  it("takes N free GPUs as CUDA_VISIBLE_DEVICES; a concurrent run gets the others; a third is refused; all released", async () => {
    const smi = fakeNvidiaSmi({ gpus: hostFixture("tesla-k80-x4.csv") });
    const home = tempDir();
    const store = new LocalStore({ home });
    const env = hostEnv(smi.dir);
    const lockDir = env.DSTACK_LOCK_DIR as string;
    const gate = join(tempDir(), "go");
    // Each job prints its GPUs, then waits until both are running, so they overlap.
    const script = [
      "import os, time",
      'print("gpus=" + os.environ["CUDA_VISIBLE_DEVICES"], flush=True)',
      'print("order=" + os.environ["CUDA_DEVICE_ORDER"], flush=True)',
      'print("uuids=" + os.environ["NVIDIA_VISIBLE_DEVICES"], flush=True)',
      `open(${JSON.stringify(`${gate}-`)} + os.environ["DSTACK_RUN_NAME"], "w").close()`,
      "for _ in range(600):",
      `    if os.path.exists(${JSON.stringify(gate)}): break`,
      "    time.sleep(0.05)",
    ].join("\n");
    const two = repo("    resources:\n      gpu:\n        count: 2\n", script);
    const a = run({ store, home, runName: "run-a", repo: two, env });
    const b = run({ store, home, runName: "run-b", repo: two, env });
    // Both jobs are running (each holds its 2 GPUs): a third run finds none free.
    for (let i = 0; i < 600 && !(existsSync(`${gate}-run-a`) && existsSync(`${gate}-run-b`)); i++) {
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(listLocks(lockDir)).toHaveLength(4);
    const one = repo("    resources:\n      gpu:\n        count: 1\n", "print('never')\n");
    const third = await run({ store, home, runName: "run-c", repo: one, env });
    writeFileSync(gate, "");
    const [ra, rb] = await Promise.all([a, b]);

    expect(third.result.status).toBe("failed");
    expect(third.result.message).toMatch(
      /^this host cannot run the job now: 1 GPU asked, 0 free of 4: GPU GPU-[0-9a-f-]+ is locked by runner "dstack-local" \(pid \d+, job run-[ab]/,
    );
    expect(third.lines).not.toContain("never");
    for (const r of [ra, rb]) {
      expect(r.result.message).toBe("exited with 0");
      expect(r.lines.find((l) => l.startsWith("order="))).toBe("order=PCI_BUS_ID");
    }
    const ids = (r: typeof ra) =>
      (r.lines.find((l) => l.startsWith("gpus=")) ?? "").slice(5).split(",");
    expect(ids(ra)).toHaveLength(2);
    expect(ids(rb)).toHaveLength(2);
    expect([...ids(ra), ...ids(rb)].sort()).toEqual(["0", "1", "2", "3"]);
    const uuids = (r: typeof ra) =>
      (r.lines.find((l) => l.startsWith("uuids=")) ?? "").slice(6).split(",");
    expect(new Set([...uuids(ra), ...uuids(rb)]).size).toBe(4);
    expect(ra.info.some((l) => l.startsWith(`GPUs ${ids(ra)[0]} (`))).toBe(true);
    // Released at the end: the lock dir holds no lock of a local run.
    expect(
      listLocks(lockDir).filter(({ lock }) => lock !== "corrupt" && lock.runner === LOCAL_RUNNER),
    ).toEqual([]);
    smi.remove();
  }, 120_000);

  it("takes over the locks a killed run left (its owner is gone)", async () => {
    const smi = fakeNvidiaSmi({ gpus: hostFixture("tesla-t4-x1.csv") });
    const home = tempDir();
    const env = hostEnv(smi.dir);
    const lockDir = env.DSTACK_LOCK_DIR as string;
    const uuid = (hostFixture("tesla-t4-x1.csv").trim().split(",").at(-1) ?? "").trim();
    // What a run killed with SIGKILL leaves: a lock whose owner is no longer running.
    writeTree(lockDir, {
      [`gpu-${uuid}.lock`]: `${JSON.stringify({ gpu: uuid, pid: 2 ** 22 + 7, runner: LOCAL_RUNNER, job: "killed-run", since: new Date(0).toISOString() })}\n`,
    });
    const r = await run({
      store: new LocalStore({ home }),
      home,
      runName: "after-kill",
      repo: repo(
        "    resources:\n      gpu:\n        count: 1\n",
        "import os\nprint(os.environ['CUDA_VISIBLE_DEVICES'])\n",
      ),
      env,
    });
    expect(r.result.message).toBe("exited with 0");
    expect(r.lines).toContain("0");
    expect(r.info.join("\n")).toContain(`note: took over the stale lock of GPU ${uuid}`);
    expect(listLocks(lockDir)).toEqual([]);
    smi.remove();
  }, 60_000);
});

describe("reconcileRun of a run whose dstack process was killed", () => {
  it("releases the GPUs it locked, and only those of gone local runs", async () => {
    const home = tempDir();
    const lockDir = tempDir();
    const env = { ...process.env, DSTACK_HOME: home, DSTACK_LOCK_DIR: lockDir };
    const store = new LocalStore({ home });
    const job = parseWorkflows({
      files: [{ path: ".dstack/workflows.yaml", text: repo("", "").workflows }],
    }).jobs[0];
    if (!job) throw new Error("the test workflow did not parse");
    const gone = await deadPid();
    await store.createRun({ workflow: "job", job, repoDir: tempDir(), runName: "killed" });
    const run = await store.updateRun("killed", {
      status: "running",
      pid: gone,
      supervisor: { pid: gone },
    });
    const lock = (uuid: string, pid: number, runner: string) => ({
      [`gpu-${uuid}.lock`]: `${JSON.stringify({ gpu: uuid, pid, runner, job: "killed", since: new Date().toISOString() })}\n`,
    });
    writeTree(lockDir, {
      ...lock("GPU-a", gone, LOCAL_RUNNER),
      ...lock("GPU-b", gone, LOCAL_RUNNER),
      ...lock("GPU-c", process.pid, LOCAL_RUNNER),
      ...lock("GPU-d", gone, "gpu-box-1"),
    });
    const after = await reconcileRun(store, run, { env });
    expect(after.status).toBe("failed");
    expect(listLocks(lockDir).map(({ uuid }) => uuid)).toEqual(["GPU-c", "GPU-d"]);
  }, 60_000);
});

describe("the job-time host check sees the runner's share of the host", () => {
  const cases = [
    {
      name: "a runner owning GPUs 2,3 of 8: a 2-GPU job runs",
      count: 2,
      status: "done",
      message: "exited with 0",
    },
    {
      name: "a runner owning GPUs 2,3 of 8: a 3-GPU job is refused",
      count: 3,
      status: "failed",
      message: "this host cannot run the job: resources.gpu.count: asked 3, this host has 2",
    },
  ];
  it.each(cases)(
    "$name",
    async ({ count, status, message }) => {
      const smi = fakeNvidiaSmi({ gpus: hostFixture("h100-80gb-hbm3-x8.csv") });
      const home = tempDir();
      // On a runner: its job-started hook has locked its GPUs already.
      const env = hostEnv(smi.dir, { GITHUB_ACTIONS: "true", DSTACK_RUNNER_GPUS: "2,3" });
      const r = await run({
        store: new LocalStore({ home }),
        home,
        runName: `share-${count}`,
        repo: repo(`    resources:\n      gpu:\n        count: ${count}\n`, "print('ran')\n"),
        env,
      });
      expect(r.result.status).toBe(status);
      expect(r.result.message).toBe(message);
      expect(r.result.host?.gpuDetails.map((g) => g.index)).toEqual([2, 3]);
      expect(r.info[0]).toMatch(/^\d+ CPUs?, .* memory, 2x NVIDIA H100 80GB HBM3/);
      const note = r.result.host?.notes.find((n) => n.startsWith("this runner owns")) ?? "";
      const m =
        /^this runner owns GPUs 2,3 of 8 \(DSTACK_RUNNER_GPUS\): (\d+) of (\d+) CPUs, 2\/8 of the memory and \/dev\/shm$/.exec(
          note,
        );
      expect(m).not.toBeNull();
      expect(Number(m?.[1])).toBe(Math.max(1, Math.floor(Number(m?.[2]) / 4)));
      expect(r.result.host?.cpus).toBe(Number(m?.[1]));
      // No local lock is taken on a runner.
      expect(listLocks(env.DSTACK_LOCK_DIR as string)).toEqual([]);
      smi.remove();
    },
    60_000,
  );
});

describe("a broken nvidia-smi (driver not loaded)", () => {
  const cases = [
    {
      name: "a job without GPUs: a warning, and the job runs",
      resources: "",
      status: "done",
      message: "exited with 0",
      warning: true,
    },
    {
      name: "a job with GPUs: refused, naming the driver",
      resources: "    resources:\n      gpu:\n        count: 1\n",
      status: "failed",
      message:
        /^nvidia-smi failed with exit code 9: .*NVIDIA driver.*; is the NVIDIA driver loaded\? try nvidia-smi$/,
      warning: false,
    },
  ];
  it.each(cases)(
    "$name",
    async ({ resources, status, message, warning }) => {
      const smi = fakeNvidiaSmi({ fail: hostFixture("driver-failure.txt"), exitCode: 9 });
      const home = tempDir();
      const r = await run({
        store: new LocalStore({ home }),
        home,
        runName: "broken-driver",
        repo: repo(resources, "print('ran')\n"),
        env: hostEnv(smi.dir),
      });
      expect(r.result.status).toBe(status);
      if (typeof message === "string") expect(r.result.message).toBe(message);
      else expect(r.result.message).toMatch(message);
      expect(r.lines.includes("ran")).toBe(warning);
      expect(
        r.info.some((l) =>
          /^warning: nvidia-smi failed with exit code 9: .*; continuing without GPUs$/.test(l),
        ),
      ).toBe(warning);
      smi.remove();
    },
    60_000,
  );
});
