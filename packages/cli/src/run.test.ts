import { type ChildProcess, spawn } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { describe, expect, it } from "vitest";
import { runDstack, runFolder } from "./testing.js";

const repoRoot = resolve(new URL(".", import.meta.url).pathname, "../../..");
const bin = join(repoRoot, "packages/cli/bin/dstack.js");

function tempDir(prefix = "dstack-run-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A temporary repository (with a .git folder marking its root) holding `files`. */
function repo(files: Record<string, string>): string {
  const dir = tempDir();
  mkdirSync(join(dir, ".git"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

/** Runs `dstack` in-process with its own DSTACK_HOME. */
const dstack = (argv: string[], cwd: string, home: string) =>
  runDstack(argv, cwd, { ...process.env, DSTACK_HOME: home });

/** Starts the dstack bin as a process, collecting its output. */
function spawnDstack(argv: string[], cwd: string, home: string) {
  const child = spawn(process.execPath, [bin, ...argv], {
    cwd,
    env: { ...process.env, DSTACK_HOME: home, NO_COLOR: "1" },
  });
  const out = { stdout: "", stderr: "" };
  child.stdout?.on("data", (d) => {
    out.stdout += d;
  });
  child.stderr?.on("data", (d) => {
    out.stderr += d;
  });
  const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
  return { child, out, exited };
}

async function waitFor(check: () => boolean, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 50));
  }
}

function runNameOf(stderr: string): string {
  const m = /^(\S+-\d+) submitted/m.exec(stderr);
  if (!m?.[1]) throw new Error(`no run name in: ${stderr}`);
  return m[1];
}

describe("dstack run: the Iris example end to end", () => {
  it("trains, saves checkpoints and metrics, tags the best, and a deps job uses the tag", async () => {
    const dir = tempDir();
    cpSync(join(repoRoot, "examples/train"), dir, { recursive: true });
    const home = tempDir();

    const train = await dstack(["run", "train"], dir, home);
    expect(train.stderr).toContain("==> Preparing the environment");
    expect(train.stdout).toMatch(/best val_accuracy (0\.9\d\d|1\.000) at epoch \d+/);
    expect(train.stdout).toContain("tagged the best checkpoint as iris-best");
    expect(train.status).toBe(0);
    const runName = runNameOf(train.stderr);

    const ps = await dstack(["ps", "-a"], dir, home);
    expect(ps.stdout).toMatch(new RegExp(`${runName}\\s+train\\s+done`));

    const list = await dstack(["artifacts", "list", runName], dir, home);
    expect(list.stdout).toContain("checkpoints/best.json");
    expect(list.stdout).toContain("metrics/metrics.json");
    const tagged = await dstack(["artifacts", "list", ":iris-best"], dir, home);
    expect(tagged.stdout).toContain("model/best.json");

    const evaluate = await dstack(["run", "evaluate"], dir, home);
    expect(evaluate.stdout).toMatch(/accuracy on all 150 flowers 0\.9\d\d/);
    expect(evaluate.status).toBe(0);
    // deps are placed in the run's working copy, never over the user's files.
    expect(existsSync(join(dir, "model/best.json"))).toBe(false);

    // The second run reuses the venv built by the first.
    const again = await dstack(["run", "train", "--", "--epochs", "5"], dir, home);
    expect(again.stderr).toContain("reused venv");
    expect(again.stdout).toContain("at epoch");
  }, 120_000);
});

describe("dstack run: the seed 000 pair joined by deps", () => {
  it("train fails until download-model has run, then gets its models/", async () => {
    const dir = tempDir();
    cpSync(join(repoRoot, "examples/pipeline"), dir, { recursive: true });
    const home = tempDir();
    const early = await dstack(["run", "train"], dir, home);
    expect(early.status).toBe(1);
    expect(early.stderr).toContain(
      "deps: workflow download-model has no successful run yet; run it first: dstack run download-model",
    );
    const download = await dstack(["run", "download-model"], dir, home);
    expect(download.stdout).toBe("saved models/vocab.json (21 words)\n");
    // The run wrote models/ in its own working copy: only the artifacts can bring it back.
    expect(existsSync(join(dir, "models"))).toBe(false);
    const train = await dstack(["run", "train"], dir, home);
    expect(train.stdout).toBe("trained on 21 words: 20 bigrams -> output/bigrams.json\n");
    expect(train.status).toBe(0);
  }, 60_000);
});

describe("dstack run python FILE", () => {
  it("a script's own -d, -r and --gpu after -- are passed exactly, without a warning", async () => {
    const dir = repo({ "args.py": "import sys\nprint(sys.argv[1:])\n" });
    const r = await dstack(
      ["run", "python", "args.py", "--", "a b", "-d", "-r", "x", "--gpu", "2", "--"],
      dir,
      tempDir(),
    );
    expect(r.stdout).toBe("['a b', '-d', '-r', 'x', '--gpu', '2', '--']\n");
    expect(r.stderr).not.toContain("warning");
    expect(r.status).toBe(0);
  });

  it("unknown options are passed through in order, without a warning", async () => {
    const dir = repo({ "args.py": "import sys\nprint(sys.argv[1:])\n" });
    const r = await dstack(
      ["run", "python", "args.py", "--epochs", "20", "-v", "--lr=0.1", "data.csv", "-1"],
      dir,
      tempDir(),
    );
    expect(r.stdout).toBe("['--epochs', '20', '-v', '--lr=0.1', 'data.csv', '-1']\n");
    expect(r.stderr).not.toContain("warning");
    expect(r.status).toBe(0);
  });

  it("the warning for options after FILE is printed exactly once, on stderr, first", async () => {
    const dir = repo({
      "args.py": "import os, sys\nprint(sys.argv[1:], os.environ['A'])\n",
    });
    const r = await dstack(
      ["run", "python", "args.py", "--epochs", "2", "-e", "A=1", "x", "--cpu", "1", "--", "-e"],
      dir,
      tempDir(),
    );
    expect(r.stdout).toBe("['--epochs', '2', 'x', '-e'] 1\n");
    const warning =
      "command line: warning: -e A=1, --cpu 1 after args.py are taken as dstack's options (before args.py they are too, without this warning); for the script, put them after --: dstack run python args.py -- --epochs 2 -e A=1 x --cpu 1 -e";
    expect(r.stderr.split("\n")[0]).toBe(warning);
    expect(r.stderr.split(warning)).toHaveLength(2);
    expect(r.stdout).not.toContain("warning");
    expect(r.status).toBe(0);
  });

  it("-h after FILE prints dstack's help, and the warning once", async () => {
    const dir = repo({ "args.py": "print('the script ran')\n" });
    const r = await dstack(["run", "python", "args.py", "-h"], dir, tempDir());
    expect(r.stdout).toContain("usage: dstack run python");
    expect(r.stdout).not.toContain("the script ran");
    expect(r.stderr).toBe(
      "command line: warning: -h after args.py is taken as dstack's option (before args.py it is too, without this warning); for the script, put it after --: dstack run python args.py -- -h\n",
    );
    expect(r.status).toBe(0);
  });

  it("gives the job its environment and the dstack variables", async () => {
    const dir = repo({
      "env.py":
        "import os\nfor k in ('GREETING', 'DSTACK_RUN_NAME', 'PYTHONUNBUFFERED'): print(k, os.environ.get(k))\n",
    });
    const r = await dstack(
      ["run", "python", "-e", "GREETING=hello world", "env.py"],
      dir,
      tempDir(),
    );
    const runName = runNameOf(r.stderr);
    expect(r.stdout).toBe(`GREETING hello world\nDSTACK_RUN_NAME ${runName}\nPYTHONUNBUFFERED 1\n`);
  });

  it("returns the job's exit code and saves artifacts after a failure", async () => {
    const dir = repo({
      "fail.py":
        "import os\nos.makedirs('ckpt', exist_ok=True)\nopen('ckpt/last.pt', 'w').write('w')\nraise SystemExit(3)\n",
    });
    const home = tempDir();
    const r = await dstack(["run", "python", "-a", "ckpt", "fail.py"], dir, home);
    expect(r.status).toBe(3);
    expect(r.stderr).toMatch(/failed: exited with 3/);
    const runName = runNameOf(r.stderr);
    const list = await dstack(["artifacts", "list", runName], dir, home);
    expect(list.stdout).toContain("ckpt/last.pt");
  });

  it("explains a job killed by SIGKILL", async () => {
    const dir = repo({ "oom.py": "import os, signal\nos.kill(os.getpid(), signal.SIGKILL)\n" });
    const r = await dstack(["run", "python", "oom.py"], dir, tempDir());
    expect(r.status).toBe(137);
    expect(r.stderr).toContain("killed by SIGKILL: likely out of memory");
  });

  it("a failing before_run fails the run before the job, and no run stays running", async () => {
    const dir = repo({
      ".dstack/workflows.yaml":
        "workflows:\n  - name: w\n    file: t.py\n    before_run:\n      - echo preparing\n      - exit 4\n",
      "t.py": "print('never')\n",
    });
    const home = tempDir();
    const r = await dstack(["run", "w"], dir, home);
    expect(r.status).toBe(4);
    expect(r.stdout).toBe("preparing\n");
    expect(r.stderr).toContain("failed: before_run failed: exited with 4");
    const ps = await dstack(["ps", "-a"], dir, home);
    expect(ps.stdout).toMatch(/\s+w\s+failed/);
  });

  const cases: { name: string; files: Record<string, string>; argv: string[]; want: string }[] = [
    {
      name: "a missing FILE",
      files: { "x.py": "" },
      argv: ["run", "python", "nope.py"],
      want: "dstack: nope.py: no such file\n",
    },
    {
      name: "a missing requirements file",
      files: {
        ".dstack/workflows.yaml":
          "workflows:\n  - name: w\n    file: t.py\n    requirements: req.txt\n",
        "t.py": "",
      },
      argv: ["run", "w"],
      want: '.dstack/workflows.yaml:4:19: requirements: "req.txt" does not exist',
    },
    {
      name: "a missing interpreter",
      files: {
        ".dstack/workflows.yaml": 'workflows:\n  - name: w\n    file: t.py\n    version: "3.99"\n',
        "t.py": "",
      },
      argv: ["run", "w"],
      want: "failed: version: Python 3.99 was not found",
    },
    {
      name: "a job this host cannot run",
      files: { "t.py": "" },
      argv: ["run", "python", "--gpu", "8", "t.py"],
      want: "failed: this host cannot run the job: resources.gpu.count: asked 8",
    },
    {
      name: "an option after FILE missing its value",
      files: { "t.py": "" },
      argv: ["run", "python", "t.py", "--gpu"],
      want: "command line: --gpu: needs a value; for the script's own --gpu, put it after --: dstack run python t.py -- --gpu\n",
    },
    {
      name: "an unknown workflow",
      files: {
        ".dstack/workflows.yaml": "workflows:\n  - name: train\n    file: t.py\n",
        "t.py": "",
      },
      argv: ["run", "trian"],
      want: 'command line: WORKFLOW: "trian" is not a workflow; did you mean "train"?',
    },
  ];
  it.each(cases)("$name: a clear error and a non-zero exit", async ({ files, argv, want }) => {
    const r = await dstack(argv, repo(files), tempDir());
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain(want);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });

  it("an unwritable DSTACK_HOME is a one-line error", async () => {
    const dir = repo({ "t.py": "" });
    const file = join(tempDir(), "not-a-folder");
    writeFileSync(file, "");
    const r = await dstack(["run", "python", "t.py"], dir, join(file, "home"));
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("not-a-folder");
  });

  it("runs the seed 002 Artifacts API examples verbatim inside a job", async () => {
    const dir = repo({
      "datasets/dataset1/part-0.csv": "a,b\n1,2\n",
      "api.py": [
        "import os",
        "from dstack import artifacts",
        "# Uploads local_path as an artifact of the current run",
        'artifacts.upload(local_path="datasets/dataset1")',
        "# Uploads local_path as an artifact of a new run tagged as my_tag and saves it as artifact_path",
        'artifacts.upload(local_path="datasets/dataset1", artifact_path="data", tag="my_tag")',
        'artifacts.download(tag="my_tag", artifact_path="data", local_path="./copy")',
        "print(sorted(os.listdir('copy')))",
      ].join("\n"),
    });
    const home = tempDir();
    const r = await dstack(["run", "python", "api.py"], dir, home);
    expect(r.stdout).toBe("['part-0.csv']\n");
    expect(r.status).toBe(0);
    const runName = runNameOf(r.stderr);
    const list = await dstack(["artifacts", "list", runName], dir, home);
    expect(list.stdout).toContain("datasets/dataset1/part-0.csv");
    const tagged = await dstack(["artifacts", "list", ":my_tag"], dir, home);
    expect(tagged.stdout).toContain("data/part-0.csv");
  });
});

describe("dstack tags and artifacts download", () => {
  it("adds, moves, lists and deletes tags; uploads a folder as a tagged run; downloads by tag", async () => {
    const dir = repo({
      "w.py": "import os\nos.makedirs('out', exist_ok=True)\nopen('out/m.bin', 'w').write('m')\n",
    });
    const home = tempDir();
    const a = runNameOf((await dstack(["run", "python", "-a", "out", "w.py"], dir, home)).stderr);
    const b = runNameOf((await dstack(["run", "python", "-a", "out", "w.py"], dir, home)).stderr);
    expect((await dstack(["tags", "add", "best", a], dir, home)).stderr).toBe(`tag best -> ${a}\n`);
    expect((await dstack(["tags", "add", "best", b], dir, home)).stderr).toBe(
      `tag best moved from ${a} to ${b}\n`,
    );
    writeFileSync(join(dir, "notes.txt"), "n");
    mkdirSync(join(dir, "data"));
    writeFileSync(join(dir, "data/d.csv"), "1");
    expect((await dstack(["tags", "add", "dataset", "-a", "data"], dir, home)).status).toBe(0);
    const list = await dstack(["tags", "list"], dir, home);
    expect(list.stdout).toMatch(new RegExp(`best\\s+${b}`));
    expect(list.stdout).toMatch(/dataset\s+\S+-\d+/);

    const out = tempDir();
    const down = await dstack(["artifacts", "download", ":best", "-o", out], dir, home);
    expect(down.status).toBe(0);
    expect(readFileSync(join(out, "out/m.bin"), "utf8")).toBe("m");
    const data = await dstack(["artifacts", "download", ":dataset", "-o", out], dir, home);
    expect(data.status).toBe(0);
    expect(readFileSync(join(out, "data/d.csv"), "utf8")).toBe("1");

    expect((await dstack(["tags", "delete", "best"], dir, home)).status).toBe(0);
    const gone = await dstack(["artifacts", "list", ":best"], dir, home);
    expect(gone.status).toBe(1);
    expect(gone.stderr.trim().split("\n")).toHaveLength(1);
    expect(gone.stderr).toContain("best");
  }, 30_000);
});

describe("signals, detached runs, logs and stop", () => {
  const loop = [
    "import os, time",
    "os.makedirs('ckpt', exist_ok=True)",
    "print('started', flush=True)",
    "try:",
    "    time.sleep(60)",
    "except KeyboardInterrupt:",
    "    open('ckpt/interrupted.pt', 'w').write('w')",
    "    print('saved checkpoint', flush=True)",
    "    raise SystemExit(130)",
  ].join("\n");

  it("Ctrl-C is forwarded to the job, artifacts are saved, the run is stopped", async () => {
    const dir = repo({ "loop.py": loop });
    const home = tempDir();
    const { child, out, exited } = spawnDstack(
      ["run", "python", "-a", "ckpt", "loop.py"],
      dir,
      home,
    );
    await waitFor(() => out.stdout.includes("started"));
    (child as ChildProcess).kill("SIGINT");
    expect(await exited).toBe(130);
    expect(out.stdout).toContain("saved checkpoint");
    const runName = runNameOf(out.stderr);
    const ps = await dstack(["ps", "-a"], dir, home);
    expect(ps.stdout).toMatch(new RegExp(`${runName}\\s+-\\s+stopped`));
    const list = await dstack(["artifacts", "list", runName], dir, home);
    expect(list.stdout).toContain("ckpt/interrupted.pt");
  }, 30_000);

  it("-d prints the run name and returns; logs -f follows it; stop stops it", async () => {
    const dir = repo({
      "loop.py": loop.replace("except KeyboardInterrupt:", "except BaseException:"),
    });
    const home = tempDir();
    const started = await dstack(["run", "python", "-d", "-a", "ckpt", "loop.py"], dir, home);
    expect(started.status).toBe(0);
    const runName = started.stdout.trim();
    expect(runName).toMatch(/^[a-z]+-[a-z]+-\d+$/);
    await waitFor(() => {
      const log = join(runFolder(home, runName), "logs.txt");
      return existsSync(log) && readFileSync(log, "utf8").includes("started");
    });
    const active = await dstack(["ps"], dir, home);
    expect(active.stdout).toMatch(new RegExp(`${runName}\\s+-\\s+running`));
    const stopped = await dstack(["stop", runName], dir, home);
    expect(stopped.status).toBe(0);
    expect(stopped.stderr).toMatch(new RegExp(`^${runName} stopped`));
    const logs = await dstack(["logs", runName, "-f"], dir, home);
    expect(logs.stdout).toContain("started\n");
    expect(logs.stdout).toContain("saved checkpoint\n");
  }, 40_000);

  it("an unknown run is a one-line error", async () => {
    const r = await dstack(["logs", "no-such-run-1"], tempDir(), tempDir());
    expect(r.status).toBe(1);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("no-such-run-1");
  });
});
