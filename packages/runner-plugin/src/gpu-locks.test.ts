import { spawn } from "node:child_process";
import { once } from "node:events";
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import {
  acquireLocks,
  DEFAULT_LOCK_DIR,
  findJobOwnerPid,
  type GpuLock,
  isProcessAlive,
  LockError,
  listLocks,
  lockDirFromEnv,
  lockPath,
  readLock,
  readProcStat,
  releaseLocks,
} from "@dstack/host";
import { scratch } from "@dstack/testing";
import { buildSync } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";

const { tempDir, liveProcess, deadPid, cleanup } = scratch("dstack-locks-");
afterAll(cleanup);

const A = "GPU-3edf87da-6dc2-bd9a-1484-92b81d6e1f89";
const B = "GPU-62847ac1-d949-38ad-0267-cdf6a2d778cd";
const C = "GPU-fc542acd-8a65-c857-c4ea-f2bc61c8ae9e";
const now = () => new Date("2025-01-02T03:04:05.000Z");

function writeLock(dir: string, lock: Partial<GpuLock> & { gpu: string }): void {
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    lockPath(dir, lock.gpu),
    `${JSON.stringify({ pid: 1, runner: "r", job: "j", since: "s", ...lock })}\n`,
  );
}

describe("acquireLocks", () => {
  it("creates the lock dir (0755) and one O_EXCL lock file per GPU with its JSON", async () => {
    const dir = join(tempDir(), "var", "lock", "dstack");
    const owner = liveProcess();
    const result = await acquireLocks({
      lockDir: dir,
      uuids: [A, B],
      runner: "gpu-box-0",
      job: "o/r run 1 job train",
      ownerPid: owner,
      now,
    });
    expect(result.locked).toEqual([A, B]);
    expect(result.notes).toEqual([]);
    expect(statSync(dir).mode & 0o777).toBe(0o755);
    expect(readdirSync(dir).sort()).toEqual([`gpu-${A}.lock`, `gpu-${B}.lock`]);
    const lock = JSON.parse(readFileSync(join(dir, `gpu-${A}.lock`), "utf8"));
    expect(lock).toEqual({
      gpu: A,
      pid: owner,
      pidStart: readProcStat(owner)?.starttime,
      runner: "gpu-box-0",
      job: "o/r run 1 job train",
      since: "2025-01-02T03:04:05.000Z",
    });
    expect(statSync(join(dir, `gpu-${A}.lock`)).mode & 0o777).toBe(0o644);
  });

  const existing: {
    name: string;
    lock: (owner: number) => Promise<Partial<GpuLock> | "corrupt" | undefined>;
    note?: RegExp;
    error?: RegExp;
  }[] = [
    { name: "no lock: taken, no note", lock: async () => undefined },
    {
      name: "stale: its owner is dead, taken over with a note",
      lock: async () => ({ pid: await deadPid(), runner: "gpu-box-1", job: "o/r run 9 job old" }),
      note: /^took over the stale lock of GPU GPU-3edf.*: runner "gpu-box-1" \(pid \d+, job o\/r run 9 job old, since s\) is not running$/,
    },
    {
      name: "stale: a pid reused by a later process (start time differs)",
      lock: async () => {
        const pid = liveProcess();
        return { pid, pidStart: (readProcStat(pid)?.starttime ?? 0) + 1, runner: "gpu-box-1" };
      },
      note: /^took over the stale lock of GPU .* is not running$/,
    },
    {
      name: "corrupt (empty: its writer died): taken over with a note",
      lock: async () => "corrupt",
      note: /^took over the unreadable lock of GPU .*: its writer died$/,
    },
    {
      name: "already this owner's (the hook ran twice): kept",
      lock: async (owner) => ({ pid: owner, runner: "me" }),
      note: /^GPU GPU-3edf.* was already locked by this job's owner \(pid \d+\)$/,
    },
    {
      name: "held by another runner's live job: refused, naming GPU, runner and pid",
      lock: async () => ({ pid: liveProcess(), runner: "gpu-box-1", job: "o/r run 5 job train" }),
      error:
        /^GPU GPU-3edf87da-6dc2-bd9a-1484-92b81d6e1f89 is locked by runner "gpu-box-1" \(pid \d+, job o\/r run 5 job train, since s\), which is still running; a GPU belongs to one runner at a time: is this GPU configured for both runners \(DSTACK_RUNNER_GPUS\)\?$/,
    },
    {
      name: "held by a live process with this runner's name: refused",
      lock: async () => ({ pid: liveProcess(), runner: "me" }),
      error: /still running; it has this runner's name: are two runners named "me" on this host\?$/,
    },
  ];
  it.each(existing)("$name", async ({ lock, note, error }) => {
    const dir = tempDir();
    const owner = liveProcess();
    const before = await lock(owner);
    if (before === "corrupt") {
      writeFileSync(lockPath(dir, A), "");
    } else if (before !== undefined) {
      writeLock(dir, { gpu: A, ...before });
    }
    const attempt = acquireLocks({
      lockDir: dir,
      uuids: [A],
      runner: "me",
      job: "j2",
      ownerPid: owner,
      now,
    });
    if (error !== undefined) {
      await expect(attempt).rejects.toThrow(error);
      await expect(attempt).rejects.toMatchObject({ name: "LockError", code: "held" });
      expect(readLock(dir, A)).toMatchObject(before as object);
      return;
    }
    const result = await attempt;
    expect(result.locked).toEqual([A]);
    expect(result.notes).toHaveLength(note === undefined ? 0 : 1);
    if (note !== undefined) {
      expect(result.notes[0]).toMatch(note);
    }
    expect(readLock(dir, A)).toMatchObject({ gpu: expect.any(String), pid: owner, runner: "me" });
  });

  it("takes all or none: a GPU held by another runner leaves the others unlocked", async () => {
    const dir = tempDir();
    const other = liveProcess();
    writeLock(dir, { gpu: B, pid: other, runner: "gpu-box-1" });
    await expect(
      acquireLocks({
        lockDir: dir,
        uuids: [A, B, C],
        runner: "me",
        job: "j",
        ownerPid: liveProcess(),
      }),
    ).rejects.toThrow(`GPU ${B} is locked by runner "gpu-box-1" (pid ${other}`);
    expect(listLocks(dir).map(({ uuid }) => uuid)).toEqual([B]);
    expect(readLock(dir, B)).toMatchObject({ pid: other, runner: "gpu-box-1" });
    expect(existsSync(join(dir, ".mutex"))).toBe(false);
  });

  it("two runners racing for one GPU: exactly one gets it", async () => {
    const dir = tempDir();
    const results = await Promise.allSettled(
      ["r1", "r2", "r3", "r4"].map((runner) =>
        acquireLocks({ lockDir: dir, uuids: [A, B], runner, job: "j", ownerPid: liveProcess() }),
      ),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const winner = readLock(dir, A);
    expect(winner).toMatchObject({ runner: expect.stringMatching(/^r\d$/) });
    expect(readLock(dir, B)).toMatchObject({ runner: (winner as GpuLock).runner });
  });

  it("removes a .mutex left by a dead process", async () => {
    const dir = tempDir();
    writeFileSync(join(dir, ".mutex"), JSON.stringify({ pid: await deadPid() }));
    const result = await acquireLocks({
      lockDir: dir,
      uuids: [A],
      runner: "me",
      job: "j",
      ownerPid: liveProcess(),
    });
    expect(result.locked).toEqual([A]);
    expect(existsSync(join(dir, ".mutex"))).toBe(false);
  });

  it("gives up on a .mutex a live process holds past the timeout", async () => {
    const dir = tempDir();
    const holder = liveProcess();
    writeFileSync(join(dir, ".mutex"), JSON.stringify({ pid: holder }));
    const attempt = acquireLocks({
      lockDir: dir,
      uuids: [A],
      runner: "me",
      job: "j",
      ownerPid: liveProcess(),
      mutexTimeoutMs: 200,
    });
    await expect(attempt).rejects.toThrow(
      `${join(dir, ".mutex")} has been held by pid ${holder} for more than 0.2s`,
    );
    await expect(attempt).rejects.toMatchObject({ code: "mutex" });
    expect(listLocks(dir)).toEqual([]);
  });

  const unusable = [
    {
      name: "a lock dir under a file",
      dir: (root: string) => {
        writeFileSync(join(root, "file"), "");
        return join(root, "file", "dstack");
      },
      message:
        /^cannot create lock dir .*\/file\/dstack \(ENOTDIR\); create it for every runner user \(e\.g\. sudo install -d -m 0755 -o <runner user> .*\) or set DSTACK_LOCK_DIR to a folder they can write$/,
    },
    {
      name: "a relative lock dir",
      dir: () => "var/lock/dstack",
      message: /^lock dir "var\/lock\/dstack" is not an absolute path$/,
    },
  ];
  it.each(unusable)("$name: LockError lock-dir", async ({ dir, message }) => {
    const attempt = acquireLocks({
      lockDir: dir(tempDir()),
      uuids: [A],
      runner: "me",
      job: "j",
      ownerPid: process.pid,
    });
    await expect(attempt).rejects.toThrow(message);
    await expect(attempt).rejects.toBeInstanceOf(LockError);
  });

  it("refuses a UUID that is not a safe file name", () => {
    expect(() => lockPath("/x", "../../etc/passwd")).toThrow(
      'GPU UUID "../../etc/passwd" cannot name a lock file (letters, digits and - only)',
    );
  });
});

/**
 * Separate processes racing for the same GPUs, released together: `@dstack/host` bundled with
 * esbuild into a small program, one process per runner, each with its own live owner.
 */
describe("acquireLocks across processes", () => {
  const hostEntry = createRequire(import.meta.url).resolve("@dstack/host");

  function racer(dir: string): string {
    const entry = join(dir, "racer.mjs");
    writeFileSync(
      entry,
      [
        `import { existsSync } from "node:fs";`,
        `import { acquireLocks } from ${JSON.stringify(hostEntry)};`,
        "const [lockDir, go, runner, owner, ...uuids] = process.argv.slice(2);",
        "while (!existsSync(go)) await new Promise((r) => setTimeout(r, 1));",
        "try {",
        '  const r = await acquireLocks({ lockDir, uuids, runner, job: "race", ownerPid: Number(owner) });',
        "  console.log(JSON.stringify({ runner, locked: r.locked, notes: r.notes.length }));",
        "} catch (error) {",
        "  console.log(JSON.stringify({ runner, error: error.code }));",
        "}",
        "",
      ].join("\n"),
    );
    const out = join(dir, "racer.bundle.mjs");
    buildSync({
      entryPoints: [entry],
      bundle: true,
      platform: "node",
      format: "esm",
      outfile: out,
      logLevel: "error",
      // @dstack/host's other modules pull in CommonJS packages (execa's dependencies).
      banner: {
        js: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
    return out;
  }

  const cases = [
    { name: "free GPUs", stale: false },
    { name: "GPUs with stale locks", stale: true },
  ];
  it.each(cases)("$name: exactly one of 8 runners gets all of them", async ({ stale }) => {
    const root = tempDir();
    const lockDir = join(root, "lock");
    const go = join(root, "go");
    const program = racer(root);
    if (stale) {
      const dead = await deadPid();
      for (const gpu of [A, B, C]) {
        writeLock(lockDir, { gpu, pid: dead, runner: "crashed" });
      }
    }
    const runs = Array.from({ length: 8 }, (_, i) => {
      const child = spawn(
        process.execPath,
        [program, lockDir, go, `r${i}`, String(liveProcess()), A, B, C],
        { stdio: ["ignore", "pipe", "inherit"] },
      );
      let out = "";
      child.stdout.on("data", (chunk) => {
        out += String(chunk);
      });
      return once(child, "exit").then(() => JSON.parse(out));
    });
    await new Promise((r) => setTimeout(r, 300));
    writeFileSync(go, "");
    const results = (await Promise.all(runs)) as {
      runner: string;
      locked?: string[];
      notes?: number;
      error?: string;
    }[];
    const winners = results.filter((r) => r.locked !== undefined);
    expect(winners).toHaveLength(1);
    expect(winners[0]?.locked).toEqual([A, B, C]);
    expect(winners[0]?.notes).toBe(stale ? 3 : 0);
    expect(results.filter((r) => r.error === "held")).toHaveLength(7);
    const owner = winners[0]?.runner;
    expect(listLocks(lockDir).map(({ lock }) => (lock as GpuLock).runner)).toEqual([
      owner,
      owner,
      owner,
    ]);
    expect(existsSync(join(lockDir, ".mutex"))).toBe(false);
  });
});

describe("releaseLocks", () => {
  it("releases only this runner's locks; others' and other live owners' stay", async () => {
    const dir = tempDir();
    const me = liveProcess();
    const other = liveProcess();
    const twin = liveProcess();
    writeLock(dir, { gpu: A, pid: me, runner: "me" });
    writeLock(dir, { gpu: B, pid: other, runner: "gpu-box-1" });
    writeLock(dir, { gpu: C, pid: twin, runner: "me" });
    const result = await releaseLocks({
      lockDir: dir,
      uuids: [A, B, C],
      runner: "me",
      ownerPid: me,
    });
    expect(result.released).toEqual([A]);
    expect(result.kept.map((k) => [k.uuid, k.lock.runner])).toEqual([
      [B, "gpu-box-1"],
      [C, "me"],
    ]);
    expect(
      listLocks(dir)
        .map(({ uuid }) => uuid)
        .sort(),
    ).toEqual([B, C].sort());
  });

  const cases = [
    { name: "uuids left out: every lock of this runner", uuids: undefined, released: [A, C] },
    { name: "named uuids only", uuids: [C], released: [C] },
    { name: "a GPU without a lock is skipped", uuids: [A, "GPU-0000"], released: [A] },
  ];
  it.each(cases)("$name", async ({ uuids, released }) => {
    const dir = tempDir();
    writeLock(dir, { gpu: A, pid: await deadPid(), runner: "me" });
    writeLock(dir, { gpu: B, pid: liveProcess(), runner: "gpu-box-1" });
    writeLock(dir, { gpu: C, pid: process.pid, runner: "me" });
    const result = await releaseLocks({
      lockDir: dir,
      runner: "me",
      ownerPid: process.pid,
      ...(uuids === undefined ? {} : { uuids }),
    });
    expect(result.released.sort()).toEqual([...released].sort());
    expect(readLock(dir, B)).toMatchObject({ runner: "gpu-box-1" });
  });

  it("a missing lock dir holds nothing", async () => {
    const result = await releaseLocks({ lockDir: join(tempDir(), "none"), runner: "me" });
    expect(result).toEqual({ released: [], kept: [] });
  });
});

describe("lockDirFromEnv", () => {
  const cases = [
    { name: "unset: /var/lock/dstack", env: {}, dir: DEFAULT_LOCK_DIR },
    { name: "empty: /var/lock/dstack", env: { DSTACK_LOCK_DIR: " " }, dir: DEFAULT_LOCK_DIR },
    { name: "absolute", env: { DSTACK_LOCK_DIR: "/run/dstack" }, dir: "/run/dstack" },
  ];
  it.each(cases)("$name", ({ env, dir }) => {
    expect(lockDirFromEnv(env)).toBe(dir);
  });

  it("refuses a relative path", () => {
    expect(() => lockDirFromEnv({ DSTACK_LOCK_DIR: "locks" })).toThrow(
      'DSTACK_LOCK_DIR: "locks" is not an absolute path; use e.g. /var/lock/dstack',
    );
  });
});

describe("findJobOwnerPid", () => {
  /** A fake /proc: pid -> [comm, ppid]. */
  function fakeProc(tree: Record<number, [string, number]>): string {
    const root = tempDir();
    for (const [pid, [comm, ppid]] of Object.entries(tree)) {
      mkdirSync(join(root, pid));
      const rest = ["S", ppid, ...Array(17).fill(0), 4242, 0].join(" ");
      writeFileSync(join(root, pid, "stat"), `${pid} (${comm}) ${rest}\n`);
    }
    return root;
  }

  const cases = [
    {
      name: "the runner's job worker above the hook's shell",
      tree: {
        100: ["node", 90],
        90: ["bash", 80],
        80: ["Runner.Worker", 70],
        70: ["Runner.Listener", 1],
      } as Record<number, [string, number]>,
      owner: { pid: 80, comm: "Runner.Worker", how: "Runner.Worker" },
    },
    {
      name: "the worker as the direct parent (the hook script execs node)",
      tree: { 100: ["node", 80], 80: ["Runner.Worker", 70], 70: ["Runner.Listener", 1] } as Record<
        number,
        [string, number]
      >,
      owner: { pid: 80, comm: "Runner.Worker", how: "Runner.Worker" },
    },
    {
      name: "no Runner.Worker: the nearest ancestor that is not a shell",
      tree: { 100: ["node", 90], 90: ["bash", 60], 60: ["dotnet", 1] } as Record<
        number,
        [string, number]
      >,
      owner: { pid: 60, comm: "dotnet", how: "ancestor" },
    },
    {
      name: "a comm with spaces and parentheses",
      tree: { 100: ["node", 80], 80: ["my (odd) worker", 1] } as Record<number, [string, number]>,
      owner: { pid: 80, comm: "my (odd) worker", how: "ancestor" },
    },
  ];
  it.each(cases)("$name", ({ tree, owner }) => {
    expect(findJobOwnerPid({ pid: 100, procRoot: fakeProc(tree) })).toEqual(owner);
  });

  it("without /proc: the parent", () => {
    expect(findJobOwnerPid({ pid: 100, procRoot: join(tempDir(), "none") })).toEqual({
      pid: process.ppid,
      how: "parent",
    });
  });

  it("on this machine: a live process above this one", () => {
    const owner = findJobOwnerPid();
    expect(owner.pid).toBeGreaterThan(1);
    expect(isProcessAlive(owner.pid)).toBe(true);
  });
});

describe("isProcessAlive", () => {
  it.each([
    { name: "this process", pid: async () => process.pid, alive: true },
    { name: "an exited process", pid: deadPid, alive: false },
    { name: "pid 0", pid: async () => 0, alive: false },
    { name: "a negative pid", pid: async () => -5, alive: false },
  ])("$name", async ({ pid, alive }) => {
    expect(isProcessAlive(await pid())).toBe(alive);
  });

  it("a start time that does not match: a reused pid", () => {
    const start = readProcStat(process.pid)?.starttime;
    expect(start).toBeTypeOf("number");
    expect(isProcessAlive(process.pid, start)).toBe(true);
    expect(isProcessAlive(process.pid, (start ?? 0) + 1)).toBe(false);
  });
});
