/**
 * `mode: run` against the real parts: the step in-process against the real
 * `@actions/core` (the Iris example end to end through `@github/local-action`, GitHub's own local
 * runner), real python3 and venvs, and for artifacts the unmodified `@actions/artifact`
 * client with Azurite, the Twirp results-service fake and the OpenAPI-validated REST fake. The
 * cancel cases run the bundled dist/ as the runner does: a node process that gets SIGINT (or is
 * killed), then the post entry with the state the main step wrote to `GITHUB_STATE`.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { LocalStore } from "@dstack/artifacts";
import {
  type ActionsStorage,
  type ArtifactsRestApi,
  REPO_ROOT,
  type ResultsService,
  runActionInProcess,
  runLocalAction,
  startActionsStorage,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type MatcherPattern, PYTHON_TRACEBACK_MATCHER } from "./matcher.js";

const ACTION_DIR = path.resolve(import.meta.dirname, "..");
const REPO = "octo/models";
const TOKEN = "ghs_fake_token_for_run_mode";

let storage: ActionsStorage;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;

beforeAll(async () => {
  storage = await startActionsStorage({ repository: REPO });
  ({ service, rest } = storage);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "run-python-run-"));
}, 60_000);

afterAll(async () => {
  await storage?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

function write(root: string, files: Record<string, string>): void {
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
}

/** The environment of a step of workflow run `id` in `workspace`. */
function stepEnv(id: number, workspace: string): Record<string, string> {
  const runnerTemp = path.join(tmp, `temp-${id}`);
  fs.mkdirSync(runnerTemp, { recursive: true });
  return {
    ...service.envFor(rest.workflowRun(id)),
    GITHUB_API_URL: rest.url,
    GITHUB_REPOSITORY: REPO,
    GITHUB_RUN_ID: String(id),
    GITHUB_WORKSPACE: workspace,
    RUNNER_TEMP: runnerTemp,
    RUNNER_NAME: "gpu-box-1",
    DSTACK_HOME: path.join(tmp, "home"),
    PATH: process.env.PATH ?? "",
  };
}

function step(
  id: number,
  workspace: string,
  inputs: Record<string, string>,
  runner: typeof runLocalAction = runActionInProcess,
) {
  return runner({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    inputs: { mode: "run", "github-token": TOKEN, ...inputs },
    env: stepEnv(id, workspace),
  });
}

/**
 * Applies a problem matcher file to log lines as the runner does (actions/runner
 * `IssueMatcher`): for a multi-line matcher each pattern must match the line after the one its
 * predecessor matched; a match of the last pattern yields an issue with the captures collected.
 */
function applyMatchers(lines: readonly string[]) {
  const issues: { owner: string; file?: string; line?: number; message?: string }[] = [];
  for (const matcher of PYTHON_TRACEBACK_MATCHER.problemMatcher) {
    const patterns = matcher.pattern.map((p: MatcherPattern) => ({
      ...p,
      re: new RegExp(p.regexp),
    }));
    // states[i]: captures after patterns 0..i matched, ending on the previous line.
    let states: (Record<string, string> | undefined)[] = patterns.map(() => undefined);
    for (const text of lines) {
      const next: (Record<string, string> | undefined)[] = patterns.map(() => undefined);
      patterns.forEach((p, i) => {
        const before = i === 0 ? {} : states[i - 1];
        if (before === undefined) return;
        const m = p.re.exec(text);
        if (!m) return;
        const got = { ...before };
        if (p.file !== undefined) got.file = m[p.file] as string;
        if (p.line !== undefined) got.line = m[p.line] as string;
        if (p.message !== undefined) got.message = m[p.message] as string;
        if (i === patterns.length - 1) {
          issues.push({
            owner: matcher.owner,
            ...(got.file !== undefined ? { file: got.file } : {}),
            ...(got.line !== undefined ? { line: Number(got.line) } : {}),
            ...(got.message !== undefined ? { message: got.message } : {}),
          });
        } else next[i] = got;
      });
      states = next;
    }
  }
  return issues;
}

describe("mode: run on examples/train", () => {
  it("runs the Iris example, uploads its artifacts, sets the tags, writes outputs and a summary", async () => {
    const ws = path.join(tmp, "iris");
    fs.cpSync(path.join(REPO_ROOT, "examples/train"), ws, { recursive: true });
    // End to end: through @github/local-action, a process of its own, as GitHub runs the step.
    const r = await step(
      3001,
      ws,
      { workflow: "train", "run-name": "iris-run-3001", tag: "release" },
      runLocalAction,
    );
    expect(r.failed).toBeUndefined();
    expect(r.outputs).toMatchObject({ "run-name": "iris-run-3001", "exit-code": "0" });
    const ids = (r.outputs["artifact-ids"] ?? "").split(",");
    expect(ids).toHaveLength(2);
    const byId = service.artifacts().filter((a) => ids.includes(String(a.id)));
    expect(byId.map((a) => a.name).sort()).toEqual([
      "dstack--iris-run-3001--checkpoints",
      "dstack--iris-run-3001--metrics",
    ]);
    const names = service.artifacts().map((a) => a.name);
    // The tag input points at the run; the script's own artifacts.upload(tag=...) went to GitHub
    // too, as a run of its own.
    expect(names).toContain("dstack-tag--release");
    expect(names).toContain("dstack-tag--iris-best");
    expect(names.some((n) => n.startsWith("dstack--iris-run-3001-iris-best-"))).toBe(true);
    // One log group per phase.
    for (const title of [
      "Checking this host",
      "Finding Python",
      "Preparing the environment",
      "Running python train.py",
      "Saving artifacts",
    ]) {
      expect(r.log).toContain(`::group::${title}`);
    }
    expect(r.log).toContain("::add-matcher::");
    expect(r.log).toContain("::remove-matcher owner=dstack-python-traceback::");
    expect(r.summary).toContain("dstack run iris-run-3001");
    expect(r.summary).toContain("gpu-box-1");
    expect(r.summary).toContain("cpu: 1, memory: 256MB");
    expect(r.summary).toMatch(/Python<\/td><td>3\.\d+/);
    expect(r.summary).toContain(`/actions/runs/3001/artifacts/${byId[0]?.id}`);
    expect(r.summary).toMatch(/done: exited with 0/);
  }, 120_000);

  it("a later workflow run downloads the tag the run set, through dstack/artifacts' store", async () => {
    const { GitHubStore } = await import("@dstack/artifacts/github");
    // The artifact client reads the REST root from the environment, as in a step.
    process.env.GITHUB_API_URL = rest.url;
    const store = new GitHubStore({ token: TOKEN, repository: REPO, apiUrl: rest.url });
    const dest = path.join(tmp, "restored");
    const got = await store.downloadArtifacts({ tag: "release" }, { localPath: dest });
    expect(got.runName).toBe("iris-run-3001");
    expect(fs.existsSync(path.join(dest, "checkpoints", "best.json"))).toBe(true);
    expect(JSON.parse(fs.readFileSync(path.join(dest, "metrics", "metrics.json"), "utf8"))).toEqual(
      expect.objectContaining({}),
    );
  });

  it("its run marker names the workflow and trusted code: the base run pull requests of train compare with", async () => {
    const { GitHubStore } = await import("@dstack/artifacts/github");
    process.env.GITHUB_API_URL = rest.url;
    const store = new GitHubStore({ token: TOKEN, repository: REPO, apiUrl: rest.url });
    expect(await store.findBaseRun({ workflow: "train" })).toMatchObject({
      runName: "iris-run-3001",
      workflowRunId: 3001,
    });
    expect(await store.findBaseRun({ workflow: "evaluate" })).toBeUndefined();
  });
});

describe("mode: run, failures", () => {
  const ws = () => {
    const dir = path.join(tmp, "jobs");
    write(dir, {
      ".dstack/workflows.yaml": [
        "workflows:",
        "  - name: crash",
        "    provider: python",
        "    file: crash.py",
        "    artifacts: [checkpoints]",
        "  - name: big",
        "    provider: python",
        "    file: crash.py",
        "    resources:",
        "      gpu:",
        "        count: 8",
        "        name: H100",
        "",
      ].join("\n"),
      "crash.py": [
        "import os",
        "os.makedirs('checkpoints', exist_ok=True)",
        "open('checkpoints/step-1.bin', 'w').write('weights')",
        "",
        "def train():",
        "    raise ValueError('loss is NaN at step 2')",
        "",
        "train()",
        "",
      ].join("\n"),
    });
    return dir;
  };

  it("a crash fails the step with its exit, still uploads the checkpoint, and the traceback becomes an annotation", async () => {
    const dir = ws();
    const r = await step(3002, dir, { workflow: "crash", "run-name": "crash-3002", tag: "never" });
    expect(r.failed).toBe("crash-3002 failed: exited with 1");
    expect(r.outputs["exit-code"]).toBe("1");
    expect(r.outputs["artifact-ids"]).toMatch(/^\d+$/);
    const names = service.artifacts().map((a) => a.name);
    expect(names).toContain("dstack--crash-3002--checkpoints");
    expect(names).not.toContain("dstack-tag--never");
    expect(r.annotations).toContainEqual({
      level: "warning",
      message: "tag: never was not moved to crash-3002: the run failed",
    });
    const issues = applyMatchers(r.log.split("\n"));
    expect(issues).toEqual([
      expect.objectContaining({
        file: path.join(dir, "crash.py"),
        line: 6,
        message: "ValueError: loss is NaN at step 2",
      }),
    ]);
    expect(r.summary).toContain("failed: exited with 1");
  }, 120_000);

  it("a runner without the resources fails fast, naming what it lacks, before Python runs", async () => {
    const r = await step(3003, ws(), { workflow: "big", "run-name": "big-3003" });
    expect(r.failed).toMatch(/^big-3003 failed: this host cannot run the job: .*gpu/i);
    expect(r.log).not.toContain("::group::Finding Python");
    expect(r.outputs["exit-code"]).toBeUndefined();
    expect(r.summary).toMatch(/resources asked<\/td><td>gpu: 8 x h100</i);
  }, 60_000);

  it.each([
    { name: "a run name with --", runName: "a--b", want: /^run-name: "a--b" is not a run name/ },
    {
      name: "a run name with a slash",
      runName: "../x",
      want: /^run-name: "\.\.\/x" is not a run name/,
    },
  ])(
    "$name is refused before anything runs",
    async ({ runName, want }) => {
      const r = await step(3004, ws(), { workflow: "crash", "run-name": runName });
      expect(r.failed).toMatch(want);
      expect(r.log).not.toContain("::group::");
    },
    60_000,
  );
});

describe("the traceback matcher", () => {
  it.each([
    {
      name: "a plain traceback: the innermost frame",
      lines: [
        "Traceback (most recent call last):",
        '  File "/w/train.py", line 9, in <module>',
        "    main()",
        '  File "/w/model.py", line 3, in main',
        "    raise RuntimeError('CUDA out of memory')",
        "RuntimeError: CUDA out of memory",
      ],
      want: [{ file: "/w/model.py", line: 3, message: "RuntimeError: CUDA out of memory" }],
    },
    {
      name: "Python 3.11 markers under the line",
      lines: [
        "Traceback (most recent call last):",
        '  File "/w/train.py", line 4, in <module>',
        "    x = 1 / 0",
        "        ~~^~~",
        "ZeroDivisionError: division by zero",
      ],
      want: [{ file: "/w/train.py", line: 4, message: "ZeroDivisionError: division by zero" }],
    },
    {
      name: "a SyntaxError (no function)",
      lines: [
        '  File "/w/train.py", line 2',
        "    def f(:",
        "          ^",
        "SyntaxError: invalid syntax",
      ],
      want: [{ file: "/w/train.py", line: 2, message: "SyntaxError: invalid syntax" }],
    },
    {
      name: "a dotted exception without a message",
      lines: ['  File "/w/a.py", line 7, in run', "    loop()", "KeyboardInterrupt"],
      want: [{ file: "/w/a.py", line: 7, message: "KeyboardInterrupt" }],
    },
    {
      name: "ordinary output",
      lines: ["epoch 1 loss 0.5", "  File saved", "    indented", "Done: ok"],
      want: [],
    },
  ])("$name", ({ lines, want }) => {
    expect(applyMatchers(lines).map(({ owner: _o, ...rest }) => rest)).toEqual(want);
  });

  it("matches what a real python3 prints", async () => {
    const file = path.join(tmp, "real_crash.py");
    fs.writeFileSync(file, "def f(d):\n    return d['missing']\n\nf({})\n");
    const { execa } = await import("execa");
    const r = await execa("python3", [file], { reject: false });
    const issues = applyMatchers(r.stderr.split("\n"));
    expect(issues.map(({ owner: _o, ...rest }) => rest)).toEqual([
      { file, line: 2, message: "KeyError: 'missing'" },
    ]);
  });
});

/** Reads a `GITHUB_STATE`/`GITHUB_OUTPUT` file (`name<<delimiter` blocks) into a map. */
function readFileCommands(file: string): Record<string, string> {
  const out: Record<string, string> = {};
  const lines = fs.existsSync(file) ? fs.readFileSync(file, "utf8").split("\n") : [];
  for (let i = 0; i < lines.length; i++) {
    const m = /^([^<]+)<<(.+)$/.exec(lines[i] as string);
    if (!m) continue;
    const value: string[] = [];
    for (i++; i < lines.length && lines[i] !== m[2]; i++) value.push(lines[i] as string);
    out[m[1] as string] = value.join("\n");
  }
  return out;
}

describe("mode: run when the workflow is cancelled (the bundled dist, as the runner runs it)", () => {
  const slow = [
    "import os, signal, sys, time",
    "open('job.pid', 'w').write(str(os.getpid()))",
    "os.makedirs('checkpoints', exist_ok=True)",
    "def stop(signum, frame):",
    "    open('checkpoints/last.bin', 'w').write('saved on stop')",
    "    sys.exit(130)",
    "signal.signal(signal.SIGINT, stop)",
    "step = 0",
    "while True:",
    "    step += 1",
    "    open(f'checkpoints/step-{step}.bin', 'w').write('w' * 1000)",
    "    print(f'step {step}', flush=True)",
    "    time.sleep(0.1)",
    "",
  ].join("\n");

  /** Starts dist/index.js with the step's inputs and files; resolves when the job printed `step 3`. */
  async function startMain(id: number) {
    const ws = path.join(tmp, `cancel-${id}`);
    write(ws, {
      ".dstack/workflows.yaml":
        "workflows:\n  - name: slow\n    provider: python\n    file: slow.py\n    artifacts: [checkpoints]\n",
      "slow.py": slow,
    });
    const files = {
      state: path.join(ws, "..", `state-${id}`),
      output: path.join(ws, "..", `out-${id}`),
      env: path.join(ws, "..", `env-${id}`),
      summary: path.join(ws, "..", `summary-${id}`),
    };
    for (const f of Object.values(files)) fs.writeFileSync(f, "");
    const env = {
      ...stepEnv(id, ws),
      GITHUB_STATE: files.state,
      GITHUB_OUTPUT: files.output,
      GITHUB_ENV: files.env,
      GITHUB_STEP_SUMMARY: files.summary,
      INPUT_MODE: "run",
      INPUT_WORKFLOW: "slow",
      "INPUT_RUN-NAME": `slow-${id}`,
      "INPUT_GITHUB-TOKEN": TOKEN,
    };
    const child = spawn(process.execPath, [path.join(ACTION_DIR, "dist/index.js")], {
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let log = "";
    const exited = new Promise<number | null>((done) => child.on("close", (code) => done(code)));
    await new Promise<void>((ready, fail) => {
      const onData = (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes("step 3")) ready();
      };
      child.stdout.on("data", onData);
      child.stderr.on("data", onData);
      child.on("exit", () => fail(new Error(`main exited early:\n${log}`)));
    });
    return { ws, env, files, child, exited, log: () => log };
  }

  async function runPostEntry(env: Record<string, string>, stateFile: string) {
    const state = readFileCommands(stateFile);
    const stateEnv = Object.fromEntries(Object.entries(state).map(([k, v]) => [`STATE_${k}`, v]));
    const { execa } = await import("execa");
    return execa(process.execPath, [path.join(ACTION_DIR, "dist/post.js")], {
      env: { ...env, ...stateEnv },
      reject: false,
    });
  }

  it("SIGINT: the job saves a last checkpoint, the main step uploads it, the post step has nothing left", async () => {
    const main = await startMain(3101);
    main.child.kill("SIGINT");
    expect(await main.exited).toBe(1);
    expect(main.log()).toMatch(/::error::slow-3101 stopped/);
    const state = readFileCommands(main.files.state);
    expect(state).toMatchObject({ mode: "run", "run-name": "slow-3101", uploaded: "true" });
    const artifact = service.artifacts().find((a) => a.name === "dstack--slow-3101--checkpoints");
    expect(artifact).toBeDefined();
    const store = new LocalStore({ home: path.join(tmp, "temp-3101", "dstack") });
    const saved = path.join(store.artifactsDir("slow-3101"), "checkpoints", "last.bin");
    expect(fs.readFileSync(saved, "utf8")).toBe("saved on stop");
    const post = await runPostEntry(main.env, main.files.state);
    expect(post.exitCode).toBe(0);
    expect(post.stdout).not.toContain("uploading");
    expect(
      service.artifacts().filter((a) => a.name === "dstack--slow-3101--checkpoints"),
    ).toHaveLength(1);
  }, 90_000);

  it("killed: the post step saves what the job wrote and uploads it", async () => {
    const main = await startMain(3102);
    main.child.kill("SIGKILL");
    await main.exited;
    // The job's process group outlives the killed step, as on a runner; stop it.
    const pid = Number(fs.readFileSync(path.join(main.ws, "job.pid"), "utf8"));
    try {
      process.kill(-pid, "SIGKILL");
    } catch {
      process.kill(pid, "SIGKILL");
    }
    const post = await runPostEntry(main.env, main.files.state);
    expect(post.exitCode).toBe(0);
    expect(post.stdout).toContain("slow-3102 stopped: uploading its artifacts");
    expect(service.artifacts().map((a) => a.name)).toContain("dstack--slow-3102--checkpoints");
    const store = new LocalStore({ home: path.join(tmp, "temp-3102", "dstack") });
    const record = await store.getRun("slow-3102");
    expect(record.status).toBe("stopped");
    expect(record.artifacts[0]?.files).toBeGreaterThanOrEqual(3);
  }, 90_000);
});
