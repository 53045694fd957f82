import { chmodSync, existsSync, readdirSync, readFileSync, utimesSync } from "node:fs";
import { join } from "node:path";
import { buildWheel, tempDir, writeTree } from "@dstack/testing";
import { execa } from "execa";
import { describe, expect, it } from "vitest";
import { findInterpreter, InterpreterError } from "./interpreter.js";
import { explainExit, runSupervised } from "./process.js";
import { ensureVenv, VenvError } from "./venv.js";

describe("findInterpreter", () => {
  it("without a version takes python3 from PATH, resolved to the real binary", async () => {
    const py = await findInterpreter({ env: process.env });
    expect(py.source).toBe("PATH");
    expect(py.version).toMatch(/^3\.\d+\.\d+$/);
    const r = await execa(py.path, ["-c", "import sys; print(sys.executable)"]);
    expect(r.stdout).toBe(py.path);
  });

  it("finds the host's own minor version", async () => {
    const host = await findInterpreter({ env: process.env });
    const minor = host.version.split(".").slice(0, 2).join(".");
    const py = await findInterpreter({ version: minor, env: process.env });
    expect(py.version.startsWith(`${minor}.`)).toBe(true);
  });

  it("finds a version in the runner tool cache (where actions/setup-python installs)", async () => {
    const cache = tempDir();
    const python = join(cache, "Python/3.77.1/x64/bin/python3");
    // A stand-in interpreter: answers the probe with its path and version.
    writeTree(cache, {
      "Python/3.77.1/x64/bin/python3": `#!/bin/sh\necho "${python}"\necho 3.77.1\n`,
    });
    chmodSync(python, 0o755);
    const py = await findInterpreter({
      version: "3.77",
      env: { PATH: "/usr/bin:/bin", RUNNER_TOOL_CACHE: cache, PYENV_ROOT: tempDir() },
    });
    expect(py).toEqual({ path: python, version: "3.77.1", source: "tool cache" });
  });

  it("caches probe answers in cacheDir until the interpreter changes", async () => {
    const cache = tempDir();
    const calls = join(cache, "calls");
    const python = join(cache, "Python/3.78.0/x64/bin/python3");
    writeTree(cache, {
      "Python/3.78.0/x64/bin/python3": `#!/bin/sh\necho x >> "${calls}"\necho "${python}"\necho 3.78.0\n`,
    });
    chmodSync(python, 0o755);
    const options = {
      version: "3.78",
      env: { PATH: "/usr/bin:/bin", RUNNER_TOOL_CACHE: cache, PYENV_ROOT: tempDir() },
      // A DSTACK_HOME that does not exist yet (a fresh runner): the cache makes it.
      cacheDir: join(tempDir(), "home", "not-yet"),
    };
    const probes = () => readFileSync(calls, "utf8").split("\n").filter(Boolean).length;
    const first = await findInterpreter(options);
    expect(await findInterpreter(options)).toEqual(first);
    expect(probes()).toBe(1);
    utimesSync(python, new Date(), new Date(Date.now() + 5_000));
    expect(await findInterpreter(options)).toEqual(first);
    expect(probes()).toBe(2);
  });

  it("names the missing version and lists those it found", async () => {
    const err = await findInterpreter({ version: "3.99", env: process.env }).catch((e) => e);
    expect(err).toBeInstanceOf(InterpreterError);
    expect(err.message).toMatch(
      /^version: Python 3\.99 was not found on PATH, in pyenv or through uv; found 3\.\d+/,
    );
  });

  it("says when there is no python3 at all", async () => {
    const err = await findInterpreter({ env: { PATH: tempDir() } }).catch((e) => e);
    expect(err.message).toBe(
      "python3 is not on PATH; install Python 3, or set version: in the workflow",
    );
  });
});

describe("ensureVenv", () => {
  const setup = () => {
    const home = tempDir();
    const wheels = tempDir();
    buildWheel({ dir: wheels, name: "dstackdemo", version: "1.0", source: "ANSWER = 42\n" });
    const repo = writeTree(tempDir(), { "requirements.txt": "dstackdemo==1.0\n" });
    const env = { ...process.env, PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheels };
    return { home, repo, env };
  };

  it("installs requirements from a locally built wheel, then reuses the venv", async () => {
    const { home, repo, env } = setup();
    const interpreter = await findInterpreter({ env });
    const lines: string[] = [];
    const options = {
      home,
      interpreter,
      requirements: { path: join(repo, "requirements.txt"), text: "dstackdemo==1.0\n" },
      cwd: repo,
      env,
      onLine: (l: string) => lines.push(l),
    };
    const first = await ensureVenv(options);
    expect(first.reused).toBe(false);
    expect(lines.join("\n")).toContain("Successfully installed dstackdemo-1.0");
    const r = await execa(first.python, ["-c", "import dstackdemo; print(dstackdemo.ANSWER)"]);
    expect(r.stdout).toBe("42");
    const second = await ensureVenv(options);
    expect(second).toEqual({ ...first, reused: true });
  }, 120_000);

  it("builds one venv when two runs ask at once", async () => {
    const { home, repo, env } = setup();
    const interpreter = await findInterpreter({ env });
    const options = {
      home,
      interpreter,
      requirements: { path: join(repo, "requirements.txt"), text: "dstackdemo==1.0\n" },
      cwd: repo,
      env,
      onLine: () => {},
    };
    const [a, b] = await Promise.all([ensureVenv(options), ensureVenv(options)]);
    expect([a.reused, b.reused].sort()).toEqual([false, true]);
    expect(a.dir).toBe(b.dir);
    expect(readdirSync(join(home, "venvs")).filter((n) => !n.endsWith(".lock"))).toHaveLength(1);
  }, 120_000);

  it("a failing pip leaves no venv behind and names the command", async () => {
    const { home, repo, env } = setup();
    const interpreter = await findInterpreter({ env });
    const req = writeTree(repo, { "bad.txt": "no-such-package==9.9\n" });
    const err = await ensureVenv({
      home,
      interpreter,
      requirements: { path: join(req, "bad.txt"), text: "no-such-package==9.9\n" },
      cwd: repo,
      env,
      onLine: () => {},
    }).catch((e) => e);
    expect(err).toBeInstanceOf(VenvError);
    expect(err.message).toMatch(
      /^pip install -r .*bad\.txt failed \(exited with 1\); its output is above$/,
    );
    expect(readdirSync(join(home, "venvs")).filter((n) => !n.endsWith(".lock"))).toEqual([]);
  }, 120_000);
});

describe("runSupervised", () => {
  it("passes args exactly (spaces, a script's own -d), streams lines, returns the exit code", async () => {
    const dir = writeTree(tempDir(), {
      "args.py": "import sys\nfor a in sys.argv[1:]: print(repr(a))\nsys.exit(3)\n",
    });
    const lines: string[] = [];
    const end = await runSupervised({
      file: "python3",
      args: ["args.py", "a b", "-d", "$HOME", "--gpu", "2"],
      cwd: dir,
      env: process.env,
      onLine: (l) => lines.push(l),
    });
    expect(lines).toEqual(["'a b'", "'-d'", "'$HOME'", "'--gpu'", "'2'"]);
    expect(end).toEqual({ exitCode: 3, stopped: false });
  });

  it("forwards a stop (Ctrl-C) to the job, which can save a checkpoint", async () => {
    const dir = writeTree(tempDir(), {
      "loop.py": [
        "import time",
        // Inside the try: the stop is sent as soon as "started" is read, which can be before
        // print() has returned (a race that CI hit once).
        "try:",
        "    print('started', flush=True)",
        "    time.sleep(60)",
        "except KeyboardInterrupt:",
        "    print('saving checkpoint', flush=True)",
        "    raise SystemExit(130)",
      ].join("\n"),
    });
    const stop = new AbortController();
    const lines: string[] = [];
    const end = await runSupervised({
      file: "python3",
      args: ["loop.py"],
      cwd: dir,
      env: process.env,
      onLine: (l) => {
        lines.push(l);
        if (l === "started") stop.abort("SIGINT");
      },
      stop: stop.signal,
    });
    expect(lines).toEqual(["started", "saving checkpoint"]);
    expect(end).toEqual({ exitCode: 130, stopped: true });
  });

  it("kills a job that ignores SIGTERM after the grace period, with its children", async () => {
    const dir = writeTree(tempDir(), {
      "stubborn.py": [
        "import signal, subprocess, sys, time",
        "signal.signal(signal.SIGTERM, signal.SIG_IGN)",
        "child = subprocess.Popen([sys.executable, '-c', 'import signal,time; signal.signal(signal.SIGTERM, signal.SIG_IGN); time.sleep(60)'])",
        "print(child.pid, flush=True)",
        "time.sleep(60)",
      ].join("\n"),
    });
    const stop = new AbortController();
    let childPid = 0;
    const started = Date.now();
    const end = await runSupervised({
      file: "python3",
      args: ["stubborn.py"],
      cwd: dir,
      env: process.env,
      onLine: (l) => {
        childPid = Number(l);
        stop.abort("SIGTERM");
      },
      stop: stop.signal,
      graceMs: 300,
    });
    expect(end).toEqual({ signal: "SIGKILL", stopped: true, killedAfterMs: 300 });
    expect(explainExit(end)).toBe(
      "killed by SIGKILL: dstack sent it after the 0.3 s grace period, the job had not exited after the stop request (stopped)",
    );
    expect(Date.now() - started).toBeLessThan(10_000);
    await new Promise((r) => setTimeout(r, 100));
    // Gone, or a zombie waiting for init to reap it: either way no longer running.
    const stat = existsSync(`/proc/${childPid}/stat`)
      ? readFileSync(`/proc/${childPid}/stat`, "utf8")
      : "";
    expect(stat === "" || /^\d+ \(.*\) Z/.test(stat)).toBe(true);
  });

  it("a program that cannot start ends with 127 and says why", async () => {
    const lines: string[] = [];
    const end = await runSupervised({
      file: "/nonexistent/python",
      args: [],
      cwd: tempDir(),
      env: process.env,
      onLine: (l) => lines.push(l),
    });
    expect(end).toEqual({ exitCode: 127, stopped: false });
    expect(lines[0]).toContain("/nonexistent/python");
  });
});

describe("explainExit", () => {
  it.each([
    { name: "success", end: { exitCode: 0, stopped: false }, want: "exited with 0" },
    { name: "failure", end: { exitCode: 2, stopped: false }, want: "exited with 2" },
    {
      name: "137 is likely out of memory",
      end: { exitCode: 137, stopped: false },
      want: "exit 137 (128 + SIGKILL): likely out of memory (the kernel's OOM killer), or a kill after the stop grace period",
    },
    {
      name: "130 after Ctrl-C",
      end: { exitCode: 130, stopped: true },
      want: "exit 130 (128 + SIGINT) (stopped)",
    },
    {
      name: "killed by a signal",
      end: { signal: "SIGKILL", stopped: false },
      want: "killed by SIGKILL: likely out of memory (the kernel's OOM killer), or a kill after the stop grace period",
    },
    {
      name: "SIGKILL dstack sent after the grace period",
      end: { signal: "SIGKILL", stopped: true, killedAfterMs: 10_000 },
      want: "killed by SIGKILL: dstack sent it after the 10 s grace period, the job had not exited after the stop request (stopped)",
    },
    {
      name: "137 after dstack's SIGKILL (a shell in between)",
      end: { exitCode: 137, stopped: true, killedAfterMs: 10_000 },
      want: "killed by SIGKILL: dstack sent it after the 10 s grace period, the job had not exited after the stop request (stopped)",
    },
    {
      name: "SIGSEGV by name",
      end: { signal: "SIGSEGV", stopped: false },
      want: "killed by SIGSEGV",
    },
    {
      name: "not found",
      end: { exitCode: 127, stopped: false },
      want: "exit 127: the program was not found or could not start",
    },
  ])("$name", ({ end, want }) => {
    expect(explainExit(end)).toBe(want);
  });
});

describe("testing helpers", () => {
  it("buildWheel writes an installable wheel file", () => {
    const dir = tempDir();
    const path = buildWheel({ dir, name: "w", version: "2.0", source: "" });
    expect(existsSync(path)).toBe(true);
    expect(path.endsWith("w-2.0-py3-none-any.whl")).toBe(true);
  });
});
