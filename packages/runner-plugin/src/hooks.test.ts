import { spawn } from "node:child_process";
import { once } from "node:events";
import { chmodSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import {
  type GpuLock,
  HostError,
  isProcessAlive,
  type LockError,
  listLocks,
  lockPath,
  readLock,
} from "@dstack/host";
import {
  type FakeGpuState,
  fakeNvidiaSmi,
  fixtureUuids,
  hostFixture,
  scratch,
} from "@dstack/testing";
import { buildSync } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { HIDE_GPUS_LINES } from "./github-env.js";
import { HookError, jobLabel } from "./hook-context.js";
import { installHooks } from "./install-hooks.js";
import { jobCompleted } from "./job-completed.js";
import { jobStarted } from "./job-started.js";

const { tempDir, liveProcess: sleeper, deadPid, track, cleanup } = scratch("dstack-hooks-");
afterAll(cleanup);

/** Zombie-aware: a killed child of this process counts as gone before it is reaped. */
const alive = (pid: number) => isProcessAlive(pid);

const H100 = hostFixture("h100-80gb-hbm3-x8.csv");
const H = fixtureUuids(H100);
const MIXED = hostFixture("mixed-a100-80gb-pcie-x2-t4-x2.csv");
const M = fixtureUuids(MIXED);
const DRIVER = hostFixture("driver-failure.txt");
const NO_DEVICES = hostFixture("no-devices.txt");
const DRIVER_LINE = DRIVER.split("\n")[0] as string;
const quiet = () => {};

/** A host: a fake nvidia-smi, a lock dir, a GITHUB_ENV file and a runner hook's environment. */
function host(state: FakeGpuState, extra: NodeJS.ProcessEnv = {}) {
  const dir = tempDir();
  const fake = fakeNvidiaSmi(state, join(dir, "bin"));
  const lockDir = join(dir, "lock");
  const githubEnv = join(dir, "github_env");
  writeFileSync(githubEnv, "");
  const env = (more: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
    PATH: fake.dir,
    GITHUB_ENV: githubEnv,
    GITHUB_REPOSITORY: "acme/models",
    GITHUB_RUN_ID: "42",
    GITHUB_RUN_ATTEMPT: "1",
    GITHUB_JOB: "train",
    RUNNER_NAME: "gpu-box-0",
    DSTACK_LOCK_DIR: lockDir,
    ...extra,
    ...more,
  });
  return {
    dir,
    fake,
    lockDir,
    githubEnv,
    env,
    exported: () => readFileSync(githubEnv, "utf8"),
    locked: () => listLocks(lockDir).map(({ uuid, lock }) => [uuid, (lock as GpuLock).runner]),
  };
}

function gpusMkdir(path: string): string {
  mkdirSync(path, { recursive: true });
  return path;
}

describe("jobLabel", () => {
  it.each([
    {
      name: "all parts",
      env: {
        GITHUB_REPOSITORY: "o/r",
        GITHUB_RUN_ID: "1",
        GITHUB_RUN_ATTEMPT: "2",
        GITHUB_JOB: "j",
      },
      label: "o/r run 1 attempt 2 job j",
    },
    { name: "none", env: {}, label: "unknown job" },
  ])("$name", ({ env, label }) => {
    expect(jobLabel(env)).toBe(label);
  });
});

describe("jobStarted: the job gets its GPUs", () => {
  const cases: {
    name: string;
    state: FakeGpuState;
    gpus?: string;
    exported: string;
    locked: string[];
  }[] = [
    {
      name: "every GPU of an 8x H100 host (DSTACK_RUNNER_GPUS unset)",
      state: { gpus: H100 },
      exported: `CUDA_VISIBLE_DEVICES=0,1,2,3,4,5,6,7\nCUDA_DEVICE_ORDER=PCI_BUS_ID\nNVIDIA_VISIBLE_DEVICES=${H.join(",")}\n`,
      locked: H,
    },
    {
      name: "two GPUs by UUID, given out of order: index order",
      state: { gpus: MIXED },
      gpus: `${M[3]},${M[0]}`,
      exported: `CUDA_VISIBLE_DEVICES=0,3\nCUDA_DEVICE_ORDER=PCI_BUS_ID\nNVIDIA_VISIBLE_DEVICES=${M[0]},${M[3]}\n`,
      locked: [M[0], M[3]] as string[],
    },
    {
      name: "two GPUs by index",
      state: { gpus: MIXED },
      gpus: "2,3",
      exported: `CUDA_VISIBLE_DEVICES=2,3\nCUDA_DEVICE_ORDER=PCI_BUS_ID\nNVIDIA_VISIBLE_DEVICES=${M[2]},${M[3]}\n`,
      locked: [M[2], M[3]] as string[],
    },
    {
      name: "a process on another instance's GPU does not matter",
      state: { gpus: MIXED, apps: `${M[1]}, ${process.pid}, 2048\n` },
      gpus: "0",
      exported: `CUDA_VISIBLE_DEVICES=0\nCUDA_DEVICE_ORDER=PCI_BUS_ID\nNVIDIA_VISIBLE_DEVICES=${M[0]}\n`,
      locked: [M[0]] as string[],
    },
  ];
  it.each(cases)("$name", async ({ state, gpus, exported, locked }) => {
    const h = host(state, gpus === undefined ? {} : { DSTACK_RUNNER_GPUS: gpus });
    const printed: string[] = [];
    const result = await jobStarted({
      env: h.env(),
      ownerPid: process.pid,
      print: (line) => printed.push(line),
    });
    expect(h.exported()).toBe(exported);
    expect(result.githubEnv).toEqual(exported.trimEnd().split("\n"));
    expect(result.locked.sort()).toEqual([...locked].sort());
    expect(h.locked().sort()).toEqual(locked.map((u) => [u, "gpu-box-0"]).sort());
    expect(readLock(h.lockDir, locked[0] as string)).toMatchObject({
      pid: process.pid,
      runner: "gpu-box-0",
      job: "acme/models run 42 attempt 1 job train",
    });
    expect(result.lines).toEqual(printed);
    expect(printed[0]).toBe(
      `runner "gpu-box-0", acme/models run 42 attempt 1 job train: locking ${locked.length} GPU${locked.length === 1 ? "" : "s"} for the job's owner, pid ${process.pid} (given)`,
    );
    expect(printed.at(-1)).toBe(
      `exported to the job's steps (GITHUB_ENV): ${exported.trimEnd().split("\n").join(" ")}`,
    );
    expect(h.fake.calls()).toEqual([
      "--query-gpu=index,name,memory.total,uuid --format=csv,noheader,nounits",
      "--query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits",
    ]);
  });

  const noGpu = [
    {
      name: "a CPU runner: nvidia-smi not installed",
      state: { gpus: "" },
      path: (h: ReturnType<typeof host>) => gpusMkdir(join(h.dir, "empty-bin")),
      line: "no NVIDIA GPU on this host (nvidia-smi not found on PATH): nothing to lock, nothing exported",
    },
    {
      name: "a container without GPUs: No devices were found (exit 6)",
      state: { fail: NO_DEVICES, exitCode: 6 },
      line: "no NVIDIA GPU on this host (nvidia-smi: No devices were found): nothing to lock, nothing exported",
    },
    {
      name: "nvidia-smi lists nothing",
      state: { gpus: "" },
      line: "no NVIDIA GPU on this host (nvidia-smi lists no GPU): nothing to lock, nothing exported",
    },
  ];
  it.each(noGpu)("$name: succeeds, nothing locked or exported", async ({ state, path, line }) => {
    const h = host(state);
    const env = h.env(path === undefined ? {} : { PATH: path(h) });
    const result = await jobStarted({ env, ownerPid: process.pid, print: quiet });
    expect(result.lines).toEqual([line]);
    expect(h.exported()).toBe("");
    expect(h.locked()).toEqual([]);
  });

  it("a CPU-only instance on a GPU host (DSTACK_RUNNER_GPUS=): every GPU hidden", async () => {
    const h = host({ gpus: H100 }, { DSTACK_RUNNER_GPUS: "" });
    const result = await jobStarted({ env: h.env(), ownerPid: process.pid, print: quiet });
    expect(h.exported()).toBe("CUDA_VISIBLE_DEVICES=\nNVIDIA_VISIBLE_DEVICES=void\n");
    expect(result.githubEnv).toEqual([...HIDE_GPUS_LINES]);
    expect(h.locked()).toEqual([]);
    expect(h.fake.calls()).toEqual([]);
  });

  it("another GPU fell off the bus: this instance's GPUs (by UUID) still answer, with a warning", async () => {
    const h = host(
      {
        gpus: H100.split("\n")
          .filter((l) => !l.startsWith("2,"))
          .join("\n"),
        stderr: "Unable to determine the device handle for GPU 0000:0B:00.0: Unknown Error",
        exitCode: 15,
      },
      { DSTACK_RUNNER_GPUS: `${H[0]},${H[1]}` },
    );
    const result = await jobStarted({ env: h.env(), ownerPid: process.pid, print: quiet });
    expect(result.locked).toEqual([H[0], H[1]]);
    expect(result.lines).toContain(
      '::warning::a GPU of this host that this runner does not use is not answering (nvidia-smi exit code 15: "Unable to determine the device handle for GPU 0000:0B:00.0: Unknown Error"); this job\'s GPUs answer',
    );
  });

  it("a stale lock of a dead job worker is taken over, with a note", async () => {
    const h = host({ gpus: H100 }, { DSTACK_RUNNER_GPUS: "0" });
    const dead = await deadPid();
    mkdirSync(h.lockDir, { recursive: true });
    writeFileSync(
      lockPath(h.lockDir, H[0] as string),
      JSON.stringify({
        gpu: H[0],
        pid: dead,
        runner: "gpu-box-0",
        job: "acme/models run 41 job train",
        since: "2025-01-01T00:00:00.000Z",
      }),
    );
    const result = await jobStarted({ env: h.env(), ownerPid: process.pid, print: quiet });
    expect(result.lines).toContain(
      `note: took over the stale lock of GPU ${H[0]}: runner "gpu-box-0" (pid ${dead}, job acme/models run 41 job train, since 2025-01-01T00:00:00.000Z) is not running`,
    );
    expect(readLock(h.lockDir, H[0] as string)).toMatchObject({
      pid: process.pid,
      job: "acme/models run 42 attempt 1 job train",
    });
    expect(h.exported()).toContain("CUDA_VISIBLE_DEVICES=0\n");
  });
});

describe("jobStarted: the job is refused, nothing is left locked, no GPU is exported", () => {
  const fenced = "CUDA_VISIBLE_DEVICES=\nNVIDIA_VISIBLE_DEVICES=void\n";
  const fellOff = {
    gpus: H100.split("\n")
      .filter((l) => !l.startsWith("2,"))
      .join("\n"),
    stderr: "Unable to determine the device handle for GPU 0000:0B:00.0: Unknown Error",
    exitCode: 15,
  };
  const said = '"Unable to determine the device handle for GPU 0000:0B:00.0: Unknown Error"';
  const cases: {
    name: string;
    state: FakeGpuState;
    env?: NodeJS.ProcessEnv;
    type: typeof HookError | typeof HostError | typeof LockError;
    code: string;
    message: string | RegExp;
    exported?: string;
  }[] = [
    {
      name: "driver not loaded (exit 9)",
      state: { fail: DRIVER, exitCode: 9 },
      type: HostError,
      code: "gpu-driver",
      message: `nvidia-smi failed with exit code 9: ${JSON.stringify(DRIVER_LINE)}; is the NVIDIA driver loaded? try nvidia-smi`,
    },
    {
      name: "no driver: nvidia-smi not installed while DSTACK_RUNNER_GPUS names GPUs",
      state: {},
      env: { DSTACK_RUNNER_GPUS: "0,1", PATH: "/nonexistent-dstack-bin" },
      type: HostError,
      code: "gpu-driver",
      message:
        "DSTACK_RUNNER_GPUS=0,1 names GPUs, but nvidia-smi not found on PATH; is the NVIDIA driver loaded? try nvidia-smi",
    },
    {
      name: "no GPU visible while DSTACK_RUNNER_GPUS names GPUs",
      state: { fail: NO_DEVICES, exitCode: 6 },
      env: { DSTACK_RUNNER_GPUS: H[0] },
      type: HostError,
      code: "gpu-driver",
      message: `DSTACK_RUNNER_GPUS=${H[0]} names GPUs, but nvidia-smi: No devices were found; is the NVIDIA driver loaded? try nvidia-smi`,
    },
    {
      name: "a GPU UUID not on this host",
      state: { gpus: MIXED },
      env: { DSTACK_RUNNER_GPUS: `${M[0]},GPU-00000000-0000-0000-0000-000000000000` },
      type: HookError,
      code: "gpu-missing",
      message: `DSTACK_RUNNER_GPUS=${M[0]},GPU-00000000-0000-0000-0000-000000000000: GPU GPU-00000000-0000-0000-0000-000000000000 is not on this host; nvidia-smi lists 0 (${M[0]}), 1 (${M[1]}), 2 (${M[2]}), 3 (${M[3]}); the job was not started`,
    },
    {
      name: "an index past the last GPU",
      state: { gpus: MIXED },
      env: { DSTACK_RUNNER_GPUS: "3,4" },
      type: HookError,
      code: "gpu-missing",
      message: /^DSTACK_RUNNER_GPUS=3,4: GPU 4 is not on this host; nvidia-smi lists 0 \(GPU-/,
    },
    {
      name: "a GPU that stopped answering ([Unknown Error] fields)",
      state: {
        gpus: H100.replace(/^2, .*$/m, `2, [Unknown Error], [Unknown Error], ${H[2]}`),
        exitCode: 15,
      },
      env: { DSTACK_RUNNER_GPUS: `${H[2]}` },
      type: HookError,
      code: "gpu-missing",
      message: `DSTACK_RUNNER_GPUS=${H[2]}: GPU ${H[2]} is not answering: nvidia-smi printed "2, [Unknown Error], [Unknown Error], ${H[2]}"`,
    },
    {
      name: "a GPU that fell off the bus (not listed, exit 15)",
      state: fellOff,
      env: { DSTACK_RUNNER_GPUS: `${H[0]},${H[2]}` },
      type: HookError,
      code: "gpu-missing",
      message: `DSTACK_RUNNER_GPUS=${H[0]},${H[2]}: GPU ${H[2]} is not on this host (nvidia-smi exit code 15: ${said}); nvidia-smi lists 0 (${H[0]})`,
    },
    {
      name: "a GPU off the bus and GPUs named by index: indexes shift, refused",
      state: fellOff,
      env: { DSTACK_RUNNER_GPUS: "0,1" },
      type: HookError,
      code: "gpu-missing",
      message: `a GPU of this host is not answering (nvidia-smi exit code 15: ${said}); DSTACK_RUNNER_GPUS names GPUs by index, and indexes shift while a GPU is missing, so the job was not started; name them by UUID`,
    },
    {
      name: "a GPU off the bus and the runner uses every GPU",
      state: fellOff,
      type: HookError,
      code: "gpu-missing",
      message: `a GPU of this host is not answering (nvidia-smi exit code 15: ${said}); this runner uses every GPU of the host (DSTACK_RUNNER_GPUS unset), so the job was not started`,
    },
    {
      name: "the compute-apps query fails: cannot tell whether the GPUs are free",
      state: { gpus: H100, appsError: "Unknown Error" },
      env: { DSTACK_RUNNER_GPUS: "0" },
      type: HostError,
      code: "gpu-driver",
      message:
        'nvidia-smi --query-compute-apps=gpu_uuid,pid,used_memory failed with exit code 255: "Unknown Error"; cannot tell whether the GPUs are free',
    },
    {
      name: "a GPU off the bus and a stray process on this instance's GPU",
      state: { ...fellOff, apps: `${H[1]}, ${process.pid}, 777\n` },
      env: { DSTACK_RUNNER_GPUS: `${H[0]},${H[1]}` },
      type: HookError,
      code: "gpu-busy",
      message: new RegExp(
        `^GPU 1 \\(${H[1]}\\) is busy: pid ${process.pid} \\(.*\\) holds 777 MiB;`,
      ),
    },
    {
      name: "a GPU off the bus and the compute-apps query fails otherwise",
      state: { ...fellOff, appsError: "Unknown Error" },
      env: { DSTACK_RUNNER_GPUS: `${H[0]}` },
      type: HostError,
      code: "gpu-driver",
      message: /failed with exit code 255: "Unknown Error"; cannot tell whether the GPUs are free$/,
    },
    {
      name: "a malformed DSTACK_RUNNER_GPUS",
      state: { gpus: H100 },
      env: { DSTACK_RUNNER_GPUS: "0;1" },
      type: HookError,
      code: "bad-env",
      message: /^DSTACK_RUNNER_GPUS=0;1: "0;1" is neither a GPU index nor a GPU UUID/,
    },
    {
      name: "a GPU named twice, by index and UUID",
      state: { gpus: H100 },
      env: { DSTACK_RUNNER_GPUS: `0,${H[0]}` },
      type: HookError,
      code: "bad-env",
      message: `DSTACK_RUNNER_GPUS: GPU 0 (${H[0]}) is listed twice, by index and by UUID`,
    },
  ];
  it.each(cases)("$name", async ({ state, env, type, code, message }) => {
    const h = host(state, env);
    const attempt = jobStarted({ env: h.env(), ownerPid: process.pid, print: quiet });
    await expect(attempt).rejects.toBeInstanceOf(type);
    await expect(attempt).rejects.toMatchObject({ code });
    await expect(attempt).rejects.toThrow(message);
    expect(h.locked()).toEqual([]);
    expect(h.exported()).toBe(fenced);
  });

  it("a busy GPU: refused naming the process, its pid and MiB; locks released", async () => {
    const stray = sleeper();
    const h = host(
      {
        gpus: H100,
        apps: `${H[5]}, 999999, 10\n${H[1]}, ${stray}, 1024\n${H[1]}, ${process.pid}, 300\n`,
      },
      { DSTACK_RUNNER_GPUS: "0,1" },
    );
    const attempt = jobStarted({ env: h.env(), ownerPid: process.pid, print: quiet });
    await expect(attempt).rejects.toMatchObject({ name: "HookError", code: "gpu-busy" });
    await expect(attempt).rejects.toThrow(
      new RegExp(
        `^GPU 1 \\(${H[1]}\\) is busy: pid ${stray} \\(sleep\\) holds 1024 MiB, pid ${process.pid} \\(.*\\) holds 300 MiB; the job was not started: end that process or wait for it, then re-run the job$`,
      ),
    );
    expect(h.locked()).toEqual([]);
    expect(h.exported()).toBe(fenced);
    expect(alive(stray)).toBe(true);
  });

  it("a busy GPU whose process shows no pid and no MiB ([N/A])", async () => {
    const h = host(
      { gpus: MIXED, apps: `${M[0]}, [N/A], [N/A]\n`, keepDeadPids: true },
      { DSTACK_RUNNER_GPUS: "0" },
    );
    await expect(jobStarted({ env: h.env(), ownerPid: process.pid, print: quiet })).rejects.toThrow(
      `GPU 0 (${M[0]}) is busy: a process (pid not shown) holds an unknown amount of memory; the job was not started`,
    );
    expect(h.locked()).toEqual([]);
  });

  it("a live lock of another runner: refused naming GPU, runner and pid; nothing taken", async () => {
    const h = host({ gpus: H100 }, { DSTACK_RUNNER_GPUS: "0,1,2" });
    const other = sleeper();
    mkdirSync(h.lockDir, { recursive: true });
    const theirs = {
      gpu: H[1],
      pid: other,
      runner: "gpu-box-1",
      job: "acme/models run 40 job eval",
      since: "2025-01-01T00:00:00.000Z",
    };
    writeFileSync(lockPath(h.lockDir, H[1] as string), JSON.stringify(theirs));
    const attempt = jobStarted({ env: h.env(), ownerPid: process.pid, print: quiet });
    await expect(attempt).rejects.toMatchObject({ name: "LockError", code: "held" });
    await expect(attempt).rejects.toThrow(
      `GPU ${H[1]} is locked by runner "gpu-box-1" (pid ${other}, job acme/models run 40 job eval, since 2025-01-01T00:00:00.000Z), which is still running; a GPU belongs to one runner at a time: is this GPU configured for both runners (DSTACK_RUNNER_GPUS)?`,
    );
    expect(h.locked()).toEqual([[H[1], "gpu-box-1"]]);
    expect(readLock(h.lockDir, H[1] as string)).toEqual(theirs);
    expect(h.exported()).toBe(fenced);
  });

  const unwritable = [
    { name: "a folder", path: (dir: string) => gpusMkdir(join(dir, "a-folder")), code: "EISDIR" },
    {
      name: "in a missing folder",
      path: (dir: string) => join(dir, "missing", "env"),
      code: "ENOENT",
    },
  ];
  it.each(unwritable)("GITHUB_ENV is $name: error, locks released", async ({ path, code }) => {
    const h = host({ gpus: H100 }, { DSTACK_RUNNER_GPUS: "0,1" });
    const githubEnv = path(h.dir);
    const attempt = jobStarted({
      env: h.env({ GITHUB_ENV: githubEnv }),
      ownerPid: process.pid,
      print: quiet,
    });
    await expect(attempt).rejects.toMatchObject({ name: "HookError", code: "github-env" });
    await expect(attempt).rejects.toThrow(
      `cannot append to GITHUB_ENV file ${githubEnv} (${code}); the job's GPU variables could not be set, so the job was not started and its GPU locks were released`,
    );
    expect(h.locked()).toEqual([]);
  });

  const notAHook = [
    {
      name: "GITHUB_ENV not set",
      env: { GITHUB_ENV: undefined },
      message:
        /^GITHUB_ENV is not set: dstack-runner hook job-started runs as the runner's job-started hook/,
    },
    {
      name: "RUNNER_NAME not set",
      env: { RUNNER_NAME: "" },
      message:
        /^RUNNER_NAME is not set: dstack-runner hook job-started runs as the runner's job-started hook/,
    },
  ];
  it.each(notAHook)("$name: refused before anything", async ({ env, message }) => {
    const h = host({ gpus: H100 });
    await expect(
      jobStarted({ env: h.env(env), ownerPid: process.pid, print: quiet }),
    ).rejects.toThrow(message);
    expect(h.fake.calls()).toEqual([]);
    expect(h.locked()).toEqual([]);
  });
});

describe("two runner instances configured on the same GPU", () => {
  it("the second is refused while the first runs, and starts once it is done", async () => {
    const h = host({ gpus: H100 });
    const workerA = sleeper();
    const workerB = sleeper();
    const a = h.env({ RUNNER_NAME: "gpu-box-0", DSTACK_RUNNER_GPUS: "0,1" });
    const b = h.env({ RUNNER_NAME: "gpu-box-1", DSTACK_RUNNER_GPUS: "1,2", GITHUB_RUN_ID: "43" });
    await jobStarted({ env: a, ownerPid: workerA, print: quiet });
    await expect(jobStarted({ env: b, ownerPid: workerB, print: quiet })).rejects.toThrow(
      `GPU ${H[1]} is locked by runner "gpu-box-0" (pid ${workerA}, job acme/models run 42 attempt 1 job train`,
    );
    expect(h.locked().sort()).toEqual(
      [
        [H[0], "gpu-box-0"],
        [H[1], "gpu-box-0"],
      ].sort(),
    );
    await jobCompleted({ env: a, ownerPid: workerA, print: quiet, graceMs: 100 });
    const second = await jobStarted({ env: b, ownerPid: workerB, print: quiet });
    expect(second.locked).toEqual([H[1], H[2]]);
  });
});

describe("jobCompleted", () => {
  it("ends a leftover process on the job's GPU with SIGTERM, releases the locks, reports memory", async () => {
    const h = host({ gpus: H100 }, { DSTACK_RUNNER_GPUS: "0,1" });
    await jobStarted({ env: h.env(), ownerPid: process.pid, print: quiet });
    const leftover = sleeper();
    h.fake.set({ apps: `${H[1]}, ${leftover}, 1024\n` });
    const printed: string[] = [];
    const result = await jobCompleted({
      env: h.env(),
      ownerPid: process.pid,
      graceMs: 5000,
      print: (line) => printed.push(line),
    });
    expect(alive(leftover)).toBe(false);
    expect(result.ended).toEqual([
      { pid: leftover, name: "sleep", uuids: [H[1]], usedMiB: 1024, outcome: "exited" },
    ]);
    expect(result.released.sort()).toEqual([H[0], H[1]].sort());
    expect(h.locked()).toEqual([]);
    expect(result.memory).toEqual([
      { uuid: H[0], index: 0, usedMiB: 0 },
      { uuid: H[1], index: 1, usedMiB: 0 },
    ]);
    expect(printed).toEqual([
      `ended leftover pid ${leftover} (sleep) on GPU 1 (${H[1]}), 1024 MiB: exited after SIGTERM`,
      `released the locks of GPU 0 (${H[0]}), GPU 1 (${H[1]})`,
      `GPU 0 (${H[0]}): 0 MiB of GPU memory still allocated`,
      `GPU 1 (${H[1]}): 0 MiB of GPU memory still allocated`,
    ]);
    expect(result.warnings).toEqual([]);
  });

  it("kills a process that ignores SIGTERM after the grace period", async () => {
    const h = host({ gpus: MIXED }, { DSTACK_RUNNER_GPUS: "2" });
    await jobStarted({ env: h.env(), ownerPid: process.pid, print: quiet });
    const stubborn = spawn(
      process.execPath,
      ["-e", "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
      { stdio: ["ignore", "pipe", "ignore"] },
    );
    track(stubborn);
    await once(stubborn.stdout, "data");
    const pid = stubborn.pid as number;
    h.fake.set({ apps: `${M[2]}, ${pid}, 512\n` });
    const result = await jobCompleted({
      env: h.env(),
      ownerPid: process.pid,
      graceMs: 300,
      print: quiet,
    });
    expect(alive(pid)).toBe(false);
    expect(result.ended).toEqual([
      { pid, name: "node", uuids: [M[2]], usedMiB: 512, outcome: "killed" },
    ]);
    expect(result.lines[0]).toBe(
      `ended leftover pid ${pid} (node) on GPU 2 (${M[2]}), 512 MiB: killed with SIGKILL after 0.3s`,
    );
    expect(h.locked()).toEqual([]);
  });

  it("never signals the hook itself or its parents", async () => {
    const h = host({ gpus: MIXED }, { DSTACK_RUNNER_GPUS: "0" });
    await jobStarted({ env: h.env(), ownerPid: process.pid, print: quiet });
    h.fake.set({ apps: `${M[0]}, ${process.pid}, 100\n${M[0]}, ${process.ppid}, 100\n` });
    const result = await jobCompleted({
      env: h.env(),
      ownerPid: process.pid,
      graceMs: 100,
      print: quiet,
    });
    expect(result.ended.map((e) => e.outcome)).toEqual(["spared", "spared"]);
    expect(result.warnings[0]).toMatch(
      new RegExp(
        `^left pid ${process.pid} \\(.*\\) on GPU 0 \\(${M[0]}\\), 100 MiB running: it is this hook, one of its parents or the job's owner$`,
      ),
    );
    expect(h.locked()).toEqual([]);
  });

  it("leaves another runner's GPUs, processes and locks alone", async () => {
    const h = host({ gpus: H100 });
    const otherWorker = sleeper();
    const theirs = sleeper();
    await jobStarted({
      env: h.env({ DSTACK_RUNNER_GPUS: "0" }),
      ownerPid: process.pid,
      print: quiet,
    });
    await jobStarted({
      env: h.env({ DSTACK_RUNNER_GPUS: "2", RUNNER_NAME: "gpu-box-1" }),
      ownerPid: otherWorker,
      print: quiet,
    });
    h.fake.set({ apps: `${H[2]}, ${theirs}, 4096\n` });
    const result = await jobCompleted({
      env: h.env(),
      ownerPid: process.pid,
      graceMs: 100,
      print: quiet,
    });
    expect(alive(theirs)).toBe(true);
    expect(result.ended).toEqual([]);
    expect(result.released).toEqual([H[0]]);
    expect(h.locked()).toEqual([[H[2], "gpu-box-1"]]);
    expect(result.lines[0]).toBe(`no leftover process on GPU 0 (${H[0]})`);
  });

  it("holds no lock (a CPU runner, or job-started refused): nothing to do", async () => {
    const h = host({ gpus: H100 });
    const result = await jobCompleted({ env: h.env(), ownerPid: process.pid, print: quiet });
    expect(result.lines).toEqual(['runner "gpu-box-0" holds no GPU lock: nothing to clean up']);
    expect(h.fake.calls()).toEqual([]);
  });

  it("the driver fails after the job: warnings, and the locks are still released", async () => {
    const h = host({ gpus: H100 }, { DSTACK_RUNNER_GPUS: "3" });
    await jobStarted({ env: h.env(), ownerPid: process.pid, print: quiet });
    h.fake.set({ fail: DRIVER, exitCode: 9 });
    const result = await jobCompleted({ env: h.env(), ownerPid: process.pid, print: quiet });
    expect(result.released).toEqual([H[3]]);
    expect(h.locked()).toEqual([]);
    const driver = `nvidia-smi failed with exit code 9: ${JSON.stringify(DRIVER_LINE)}; is the NVIDIA driver loaded? try nvidia-smi`;
    expect(result.warnings).toEqual([
      `cannot list the GPUs: ${driver}`,
      `cannot list leftover processes: ${driver}`,
      `cannot read GPU memory used: ${driver}`,
    ]);
    expect(result.lines).toContain(`released the locks of GPU ${H[3]}`);
  });

  it("without RUNNER_NAME: an error", async () => {
    const h = host({ gpus: H100 });
    await expect(
      jobCompleted({ env: h.env({ RUNNER_NAME: undefined }), ownerPid: process.pid, print: quiet }),
    ).rejects.toThrow(/^RUNNER_NAME is not set: dstack-runner hook job-completed runs as/);
  });
});

/**
 * The whole path as the runner takes it: `installHooks` scripts, run with `bash -e <script>` by a
 * process named `Runner.Worker` (a symlink to bash), executing a `dstack-runner` bin bundled from
 * this source with esbuild; the job's owner is found through /proc.
 */
describe("end to end: installed hooks run by a fake Runner.Worker", () => {
  const here = dirname(fileURLToPath(import.meta.url));

  function buildBin(dir: string): string {
    const entry = join(dir, "entry.mjs");
    writeFileSync(
      entry,
      [
        `import { jobCompleted } from ${JSON.stringify(join(here, "job-completed.ts"))};`,
        `import { jobStarted } from ${JSON.stringify(join(here, "job-started.ts"))};`,
        "const event = process.argv[3];",
        "try {",
        '  if (process.argv[2] !== "hook") throw new Error("unexpected " + process.argv.slice(2));',
        '  if (event === "job-started") await jobStarted();',
        "  else await jobCompleted({ graceMs: 2000 });",
        "} catch (error) {",
        '  console.log("::error::" + error.message);',
        "  process.exitCode = 1;",
        "}",
        "",
      ].join("\n"),
    );
    const bin = join(dir, "dstack-runner.mjs");
    buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: bin,
      logLevel: "error",
      banner: {
        js: "#!/usr/bin/env node\nimport { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    chmodSync(bin, 0o755);
    return bin;
  }

  it("job-started locks and exports, the job runs, job-completed ends its leftover and unlocks", async () => {
    const h = host({ gpus: H100 }, { DSTACK_RUNNER_GPUS: `${H[4]},${H[5]}` });
    const runnerDir = join(h.dir, "actions runner's dir");
    mkdirSync(runnerDir);
    const bin = buildBin(h.dir);
    const installed = installHooks({
      runnerDir,
      bin,
      nodePath: process.execPath,
      hooksDir: join(h.dir, "hooks"),
    });
    const worker = join(h.dir, "Runner.Worker");
    symlinkSync("/bin/bash", worker);
    const job = spawn(
      worker,
      [
        "-c",
        'bash -e "$1"; echo "started-exit=$?"; read -r _; bash -e "$2"; echo "completed-exit=$?"',
        "worker",
        installed.scripts.started,
        installed.scripts.completed,
      ],
      {
        env: h.env({ PATH: `${h.fake.dir}:${process.env.PATH}` }),
        stdio: ["pipe", "pipe", "inherit"],
      },
    );
    track(job);
    let out = "";
    job.stdout.on("data", (chunk) => {
      out += String(chunk);
    });
    while (!out.includes("started-exit=")) {
      await once(job.stdout, "data");
    }
    expect(out).toContain("started-exit=0");
    expect(out).toMatch(
      new RegExp(`locking 2 GPUs for the job's owner, pid ${job.pid} \\(Runner.Worker\\)`),
    );
    expect(h.exported()).toBe(
      `CUDA_VISIBLE_DEVICES=4,5\nCUDA_DEVICE_ORDER=PCI_BUS_ID\nNVIDIA_VISIBLE_DEVICES=${H[4]},${H[5]}\n`,
    );
    expect(readLock(h.lockDir, H[4] as string)).toMatchObject({
      pid: job.pid,
      runner: "gpu-box-0",
    });

    const leftover = sleeper();
    h.fake.set({ apps: `${H[5]}, ${leftover}, 2048\n` });
    job.stdin.end("\n");
    await once(job, "exit");
    expect(out).toContain("completed-exit=0");
    expect(out).toContain(
      `ended leftover pid ${leftover} (sleep) on GPU 5 (${H[5]}), 2048 MiB: exited after SIGTERM`,
    );
    expect(alive(leftover)).toBe(false);
    expect(h.locked()).toEqual([]);
  });

  it("a refused job-started exits non-zero with the reason, and a later job is not blocked", async () => {
    const h = host({ gpus: H100, fail: DRIVER, exitCode: 9 });
    const runnerDir = join(h.dir, "runner");
    mkdirSync(runnerDir);
    const installed = installHooks({
      runnerDir,
      bin: buildBin(h.dir),
      nodePath: process.execPath,
      hooksDir: join(h.dir, "hooks"),
    });
    const run = spawn("bash", ["-e", installed.scripts.started], {
      env: h.env({ PATH: `${h.fake.dir}:${process.env.PATH}` }),
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    run.stdout.on("data", (chunk) => {
      out += String(chunk);
    });
    const [code] = await once(run, "exit");
    expect(code).toBe(1);
    expect(out).toBe(
      `::error::nvidia-smi failed with exit code 9: ${JSON.stringify(DRIVER_LINE)}; is the NVIDIA driver loaded? try nvidia-smi\n`,
    );
    expect(h.locked()).toEqual([]);
  });
});
