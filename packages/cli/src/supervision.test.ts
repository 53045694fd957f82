// Local runs under real signals: whatever happens to the dstack process, the job is either still
// supervised or ended, its artifacts are saved where dstack could still do it, the next command
// reconciles the run, and exit statuses are the ones a shell gives.
import { execFile } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { promisify } from "node:util";
import type { RunRecord } from "@dstack/artifacts";
import { describe, expect, it } from "vitest";
import {
  DSTACK_BIN,
  processAlive,
  runDstack,
  runFolder,
  spawnDstack,
  tempDir,
  tempRepo,
  waitFor,
} from "./testing.js";

const envWith = (home: string): NodeJS.ProcessEnv => ({ ...process.env, DSTACK_HOME: home });
const dstack = (argv: string[], cwd: string, home: string) => runDstack(argv, cwd, envWith(home));

const record = (home: string, runName: string): RunRecord =>
  JSON.parse(readFileSync(join(runFolder(home, runName), "run.json"), "utf8"));
const log = (home: string, runName: string): string => {
  const file = join(runFolder(home, runName), "logs.txt");
  return existsSync(file) ? readFileSync(file, "utf8") : "";
};

function runNameOf(stderr: string): string {
  const m = /^(\S+-\d+) submitted/m.exec(stderr);
  if (!m?.[1]) throw new Error(`no run name in: ${stderr}`);
  return m[1];
}

/**
 * A job that writes a checkpoint, prints `started` and the artifacts bridge's socket, then waits;
 * on SIGTERM it writes a last checkpoint and exits as a shell's SIGTERM would.
 */
const LONG_JOB = [
  "import os, signal, sys, time",
  "os.makedirs('ckpt', exist_ok=True)",
  "open('ckpt/first.pt', 'w').write('1')",
  "def on_term(*_):",
  "    open('ckpt/last.pt', 'w').write('2')",
  "    print('saved last checkpoint', flush=True)",
  "    sys.exit(143)",
  "signal.signal(signal.SIGTERM, on_term)",
  "print('socket', os.environ['DSTACK_ARTIFACTS_SOCKET'], flush=True)",
  "print('started', flush=True)",
  "time.sleep(60)",
].join("\n");

describe("the dstack process of a detached run is killed with SIGKILL", () => {
  it("the next ps ends the job's process group, shows the reason, and removes its temporary folder", async () => {
    const dir = tempRepo({ "loop.py": LONG_JOB });
    const home = tempDir();
    const started = await dstack(["run", "python", "-d", "-a", "ckpt", "loop.py"], dir, home);
    expect(started.status).toBe(0);
    const runName = started.stdout.trim();
    await waitFor(() => log(home, runName).includes("started"));
    await waitFor(() => record(home, runName).jobGroup !== undefined);
    const before = record(home, runName);
    const supervisor = before.supervisor?.pid as number;
    const job = before.jobGroup?.pid as number;
    const temp = before.tempDirs ?? [];
    // The run's working copy and the artifacts bridge's socket folder.
    expect(temp).toHaveLength(2);
    expect(temp[0]).toMatch(/\/dstack-work$/);
    expect(log(home, runName)).toContain(`socket ${temp[1]}/`);

    process.kill(supervisor, "SIGKILL");
    await waitFor(() => !processAlive(supervisor));
    // The job outlived its supervisor: nothing has reconciled the run yet.
    expect(processAlive(job)).toBe(true);

    const ps = await dstack(["ps", "-a"], dir, home);
    expect(ps.status).toBe(0);
    expect(ps.stdout).toMatch(
      new RegExp(
        `${runName}\\s+-\\s+failed.*the dstack process running it \\(pid ${supervisor}\\) is gone; its job \\(process group ${job}\\) was ended`,
      ),
    );
    await waitFor(() => !processAlive(job), 5_000);
    for (const t of temp) expect(existsSync(t)).toBe(false);
    expect(log(home, runName).trimEnd().split("\n").at(-1)).toMatch(
      /\[dstack\] failed: the dstack process running it \(pid \d+\) is gone/,
    );
    // Reconciled once: a second ps changes nothing.
    const again = await dstack(["ps", "-a"], dir, home);
    expect(again.stdout).toContain("failed");
    expect(record(home, runName).status).toBe("failed");
  }, 40_000);

  it("stop then stops it: the job is ended and the run is stopped, not 'already failed'", async () => {
    const dir = tempRepo({ "loop.py": LONG_JOB });
    const home = tempDir();
    const runName = (await dstack(["run", "python", "-d", "loop.py"], dir, home)).stdout.trim();
    await waitFor(() => log(home, runName).includes("started"));
    await waitFor(() => record(home, runName).jobGroup !== undefined);
    const { supervisor, jobGroup } = record(home, runName);
    process.kill(supervisor?.pid as number, "SIGKILL");
    await waitFor(() => !processAlive(supervisor?.pid as number));

    const stop = await dstack(["stop", runName], dir, home);
    expect(stop.status).toBe(0);
    expect(stop.stderr).toMatch(new RegExp(`^${runName} stopped: the dstack process`));
    await waitFor(() => !processAlive(jobGroup?.pid as number), 5_000);
    const logs = await dstack(["logs", runName, "-f"], dir, home);
    expect(logs.stdout.trimEnd().split("\n").at(-1)).toMatch(/^\[dstack\] stopped: /);
  }, 40_000);

  it("the next dstack run reconciles it too, before its own job starts", async () => {
    const dir = tempRepo({ "loop.py": LONG_JOB, "t.py": "print('next')\n" });
    const home = tempDir();
    const runName = (await dstack(["run", "python", "-d", "loop.py"], dir, home)).stdout.trim();
    await waitFor(() => record(home, runName).jobGroup !== undefined);
    await waitFor(() => log(home, runName).includes("started"));
    const { supervisor, jobGroup } = record(home, runName);
    process.kill(supervisor?.pid as number, "SIGKILL");
    await waitFor(() => !processAlive(supervisor?.pid as number));
    const next = await dstack(["run", "python", "t.py"], dir, home);
    expect(next.stdout).toBe("next\n");
    expect(record(home, runName)).toMatchObject({ status: "failed" });
    await waitFor(() => !processAlive(jobGroup?.pid as number), 5_000);
  }, 40_000);

  it("among hundreds of finished runs, the next dstack run still reconciles the one orphan", async () => {
    const dir = tempRepo({ "loop.py": LONG_JOB, "t.py": "print('next')\n" });
    const home = tempDir();
    const runName = (await dstack(["run", "python", "-d", "loop.py"], dir, home)).stdout.trim();
    await waitFor(() => record(home, runName).jobGroup !== undefined);
    await waitFor(() => log(home, runName).includes("started"));
    // Months of finished runs, as records only.
    const runs = dirname(runFolder(home, runName));
    const finished = {
      ...record(home, runName),
      status: "done",
      finishedAt: "2025-01-01T00:00:00Z",
    };
    for (let i = 1; i <= 300; i++) {
      mkdirSync(join(runs, `old-run-${i}`));
      writeFileSync(
        join(runs, `old-run-${i}`, "run.json"),
        JSON.stringify({ ...finished, runName: `old-run-${i}` }),
      );
    }
    const { supervisor, jobGroup } = record(home, runName);
    process.kill(supervisor?.pid as number, "SIGKILL");
    await waitFor(() => !processAlive(supervisor?.pid as number));

    const next = await dstack(["run", "python", "t.py"], dir, home);
    expect(next.stdout).toBe("next\n");
    expect(record(home, runName)).toMatchObject({ status: "failed" });
    await waitFor(() => !processAlive(jobGroup?.pid as number), 5_000);
    expect(record(home, "old-run-300")).toMatchObject({ status: "done" });
  }, 40_000);

  it("a pid that now belongs to another process does not count as the supervisor", async () => {
    const dir = tempRepo({ "t.py": "print('hi')\n" });
    const home = tempDir();
    const r = await dstack(["run", "python", "t.py"], dir, home);
    const runName = runNameOf(r.stderr);
    // Rewrite the record as if it were still running under this test's pid, started at another time.
    const file = join(runFolder(home, runName), "run.json");
    const rec = record(home, runName);
    const fake = { ...rec, status: "running", supervisor: { pid: process.pid, startTime: "1" } };
    writeFileSync(file, JSON.stringify(fake));
    const ps = await dstack(["ps"], dir, home);
    expect(ps.stdout).not.toContain(runName);
    expect(record(home, runName).status).toBe("failed");
  });

  it("a run supervised on another machine sharing DSTACK_HOME is left alone", async () => {
    const dir = tempRepo({ "t.py": "print('hi')\n" });
    const home = tempDir();
    const runName = runNameOf((await dstack(["run", "python", "t.py"], dir, home)).stderr);
    const file = join(runFolder(home, runName), "run.json");
    const fake = {
      ...record(home, runName),
      status: "running",
      hostname: "another-machine",
      supervisor: { pid: 2 ** 22 + 7 },
    };
    writeFileSync(file, JSON.stringify(fake));
    const ps = await dstack(["ps"], dir, home);
    expect(ps.stdout).toMatch(new RegExp(`${runName}\\s+-\\s+running`));
    expect(record(home, runName).status).toBe("running");
  });
});

describe("signals to an attached dstack run", () => {
  const cases = [
    { name: "Ctrl-C (SIGINT)", signal: "SIGINT" as const, status: 130 },
    { name: "SIGTERM", signal: "SIGTERM" as const, status: 143 },
    { name: "a hang-up (SIGHUP, the terminal closed)", signal: "SIGHUP" as const, status: 129 },
  ];
  it.each(cases)(
    "$name stops the job, saves its checkpoints, exits $status, leaves no temporary folder",
    async ({ signal, status }) => {
      const job =
        signal === "SIGINT"
          ? LONG_JOB.replace(
              "time.sleep(60)",
              "try:\n    time.sleep(60)\nexcept KeyboardInterrupt:\n    on_term()",
            )
          : LONG_JOB;
      const dir = tempRepo({ "loop.py": job });
      const home = tempDir();
      const { child, out, exited } = spawnDstack(
        ["run", "python", "-a", "ckpt", "loop.py"],
        dir,
        envWith(home),
      );
      await waitFor(() => out.stdout.includes("started"));
      const socket = /^socket (\S+)$/m.exec(out.stdout)?.[1] as string;
      child.kill(signal);
      expect(await exited).toBe(status);
      const runName = runNameOf(out.stderr);
      expect(record(home, runName).status).toBe("stopped");
      const list = await dstack(["artifacts", "list", runName], dir, home);
      expect(list.stdout).toContain("ckpt/first.pt");
      expect(list.stdout).toContain("ckpt/last.pt");
      expect(existsSync(join(socket, ".."))).toBe(false);
    },
    30_000,
  );
});

describe("a closed stdout (dstack run ... | head -2)", () => {
  it("stops the printing only: the run completes, its log is whole, dstack exits 0", async () => {
    const dir = tempRepo({
      "many.py": [
        "import os, time",
        "for i in range(300):",
        "    print('line', i, flush=True)",
        "    time.sleep(0.002)",
        "os.makedirs('out', exist_ok=True)",
        "open('out/done.txt', 'w').write('ok')",
      ].join("\n"),
    });
    const home = tempDir();
    const { stdout } = await promisify(execFile)(
      "bash",
      [
        "-c",
        `"${process.execPath}" "${DSTACK_BIN}" run python -a out many.py 2>err.txt | head -2; echo "status \${PIPESTATUS[0]}"`,
      ],
      { cwd: dir, env: { ...envWith(home), NO_COLOR: "1" } },
    );
    expect(stdout).toBe("line 0\nline 1\nstatus 0\n");
    const runName = runNameOf(readFileSync(join(dir, "err.txt"), "utf8"));
    expect(record(home, runName).status).toBe("done");
    expect(log(home, runName)).toContain("line 299\n");
    const list = await dstack(["artifacts", "list", runName], dir, home);
    expect(list.stdout).toContain("out/done.txt");
  }, 30_000);
});

describe("exit statuses as a shell gives them", () => {
  const cases = [
    {
      name: "a segfault",
      code: "import ctypes\nctypes.string_at(0)\n",
      status: 139,
      says: "SIGSEGV",
    },
    {
      name: "a kill with SIGKILL",
      code: "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n",
      status: 137,
      says: "killed by SIGKILL: likely out of memory",
    },
    { name: "an exit code", code: "raise SystemExit(3)\n", status: 3, says: "exited with 3" },
  ];
  it.each(cases)("$name: $status", async ({ code, status, says }) => {
    const dir = tempRepo({ "job.py": code });
    const r = await dstack(["run", "python", "job.py"], dir, tempDir());
    expect(r.status).toBe(status);
    expect(r.stderr).toContain(says);
  });

  it("a failing before_run exits with its own code, and ps shows it", async () => {
    const dir = tempRepo({
      ".dstack/workflows.yaml":
        "workflows:\n  - name: w\n    file: t.py\n    before_run:\n      - echo preparing\n      - exit 4\n",
      "t.py": "print('never')\n",
    });
    const home = tempDir();
    const r = await dstack(["run", "w"], dir, home);
    expect(r.status).toBe(4);
    expect(r.stderr).toContain("failed: before_run failed: exited with 4");
    const ps = await dstack(["ps", "-a"], dir, home);
    expect(ps.stdout).toMatch(/\s+w\s+failed\s+\S+ ago\s+\S+\s+4\s+-\s+before_run failed/);
  });
});

describe("commands that fail leave nothing behind", () => {
  it("tags add -a with a missing path makes no run", async () => {
    const dir = tempRepo({ "data/d.csv": "1" });
    const home = tempDir();
    const r = await dstack(["tags", "add", "t", "-a", "data", "-a", "/nonexistent"], dir, home);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "dstack: /nonexistent: no such file or folder; nothing was uploaded and no run was made\n",
    );
    const ps = await dstack(["ps", "-a"], dir, home);
    expect(ps.stdout.trim().split("\n")).toHaveLength(1);
    expect((await dstack(["tags", "list"], dir, home)).stdout).not.toContain("t ");
  });

  it("tags add -a that fails while copying removes the run it made", async () => {
    const dir = tempRepo({ "data/d.csv": "1" });
    const home = tempDir();
    // "../x" exists but is not a valid artifact path: the copy fails after the run was made.
    const r = await dstack(["tags", "add", "t", "-a", "data", "-a", ".."], dir, home);
    expect(r.status).toBe(1);
    const ps = await dstack(["ps", "-a"], dir, home);
    expect(ps.stdout.trim().split("\n")).toHaveLength(1);
  });

  const finals = [
    { name: "done", patch: { status: "done" } },
    { name: "failed", patch: { status: "failed", message: "exited with 1" } },
    { name: "stopped", patch: { status: "stopped", message: "stopped" } },
    {
      name: "running under a dead dstack process",
      patch: { status: "running", supervisor: { pid: 2 ** 22 + 7 } },
    },
    {
      name: "submitted an hour ago with no supervisor recorded",
      patch: { status: "submitted", submittedAt: new Date(Date.now() - 3_600_000).toISOString() },
    },
  ];
  it.each(finals)(
    "logs -f ends for a run $name",
    async ({ patch }) => {
      const dir = tempRepo({ "t.py": "print('hello')\n" });
      const home = tempDir();
      const runName = runNameOf((await dstack(["run", "python", "t.py"], dir, home)).stderr);
      const file = join(runFolder(home, runName), "run.json");
      const { supervisor: _s, pid: _p, ...rest } = record(home, runName);
      writeFileSync(file, JSON.stringify({ ...rest, ...patch }));
      const logs = await dstack(["logs", runName, "-f"], dir, home);
      expect(logs.status).toBe(0);
      expect(logs.stdout).toContain("hello\n");
      expect(["done", "failed", "stopped"]).toContain(record(home, runName).status);
    },
    10_000,
  );
});
