/**
 * `dstack run --remote` and `dstack ps --remote` against the OpenAPI-validated GitHub fake with
 * its Actions model (a dispatched run goes queued -> in_progress -> completed on a simulated
 * clock, so following a run never waits for real), in real temporary git repositories; the token
 * from the environment, from a fake `gh` on PATH, or missing.
 */
import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { validateWorkflow, valueLocator } from "@dstack/spec";
import {
  ACTIONS_ROUTES,
  type ActionsModelOptions,
  createActionsModel,
  createContentsModel,
  type FakeActions,
  startFakeGitHub,
} from "@dstack/testing";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { apiUrlForHost, parseRemoteUrl, resolveTarget } from "./remote/github-context.js";
import { runDstack } from "./testing.js";

const repoRoot = resolve(new URL(".", import.meta.url).pathname, "../../..");
const bin = join(repoRoot, "packages/cli/bin/dstack.js");
const GIT = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"];
const WORKFLOWS = `workflows:
  - name: train
    file: train.py
    args: ["--epochs", "1"]
    resources:
      gpu: 1
`;

const open: FakeActions[] = [];
afterEach(async () => {
  for (const f of open.splice(0)) {
    expect(f.github.problems).toEqual([]);
    await f.github.close();
  }
});

/** The Actions model, and the default branch `main` with `policy` as its `.dstack/policy.yaml`. */
async function fake(options: ActionsModelOptions = {}, policy?: string): Promise<FakeActions> {
  const model = createActionsModel(options);
  const contents = createContentsModel({
    owner: model.options.owner,
    repo: model.options.repo,
    defaultBranch: "main",
    files: { main: policy !== undefined ? { ".dstack/policy.yaml": policy } : {} },
  });
  const github = await startFakeGitHub(
    { ...contents.routes, ...model.routes },
    { conditional: model.conditional },
  );
  const f = { github, model };
  open.push(f);
  return f;
}

/** A fresh token per call: plugin-throttling spaces writes a second apart per token. */
const newToken = () => `ghp_test${Math.random().toString(36).slice(2)}${Date.now()}`;

function tempDir(prefix = "dstack-remote-"): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

/** A real git repository on `main` with the workflows file committed and `origin` set. */
async function gitRepo(origin: string | undefined): Promise<string> {
  const dir = tempDir();
  mkdirSync(join(dir, ".dstack"));
  writeFileSync(join(dir, ".dstack/workflows.yaml"), WORKFLOWS);
  writeFileSync(join(dir, "train.py"), "print('hi')\n");
  await execa("git", ["init", "-q", "-b", "main"], { cwd: dir });
  await execa("git", [...GIT, "add", "."], { cwd: dir });
  await execa("git", [...GIT, "commit", "-qm", "first"], { cwd: dir });
  if (origin) await execa("git", ["remote", "add", "origin", origin], { cwd: dir });
  return dir;
}

/** An environment holding only what the test gives (no developer's GITHUB_TOKEN leaks in). */
function envOf(vars: Record<string, string>): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: tempDir("dstack-home-"),
    GIT_CONFIG_NOSYSTEM: "1",
    ...vars,
  };
}

/** Runs dstack in-process on the model's simulated clock. */
function dstack(f: FakeActions, argv: string[], cwd: string, env: NodeJS.ProcessEnv) {
  return runDstack(argv, cwd, env, { sleep: f.model.clock.sleep, now: f.model.clock.now });
}

/** The `authorization` header of every request the fake received. */
function authorizations(f: FakeActions): string[] {
  return [...new Set(f.github.requests.map((r) => String(r.headers.authorization)))];
}

describe("dstack run --remote: dispatch and follow", () => {
  it("dispatches the job resolved as locally, follows it, prints the log, exit 0", async () => {
    const f = await fake({
      jobs: [
        {
          name: "Run",
          log: "2026-01-01T00:00:05.1234567Z epoch 1 loss 0.5\n2026-01-01T00:00:06.0000000Z saved model\n",
        },
      ],
    });
    const dir = await gitRepo("https://github.com/octo-org/octo-repo.git");
    const token = newToken();
    const r = await dstack(
      f,
      ["run", "train", "--remote", "--gpu", "2", "--tag", "best", "--", "--epochs", "3"],
      dir,
      envOf({ GITHUB_TOKEN: token, GITHUB_API_URL: f.github.url }),
    );
    expect(r.stderr).not.toContain(token);
    expect(r.status).toBe(0);
    const run = f.model.runs[0];
    expect(f.model.runs).toHaveLength(1);
    const runName = String(run?.inputs["run-name"]);
    expect(runName).toMatch(/^[a-z]+-[a-z]+-1$/);
    expect(run?.ref).toBe("main");
    expect(run?.inputs.tag).toBe("best");
    // The job input is the job of `dstack run train --gpu 2 -- --epochs 3`, checked again.
    const job = JSON.parse(String(run?.inputs.job));
    expect(validateWorkflow(job, { locator: valueLocator("the job input") }).job).toMatchObject({
      workflow: "train",
      file: "train.py",
      args: ["--epochs", "3"],
      resources: { gpu: { count: 2 } },
    });
    const url = `https://github.com/octo-org/octo-repo/actions/runs/${run?.id}`;
    const lines = r.stderr
      .split("\n")
      .map((l) => l.replace(/ \(\+[\d.]+s\)$/, "").replace(/\(\d+\.\ds\)/, "(Ns)"));
    expect(lines).toEqual([
      "warning: branch main has no upstream: the runner checks out main as it is on GitHub, if it is there (git push -u origin main)",
      `${runName} submitted (workflow train) to octo-org/octo-repo on main: ${url}`,
      "==> queued",
      "==> in_progress",
      '==> job "Run" on runner gpu-box (self-hosted,dstack)',
      "==> completed: success",
      '==> log of job "Run"',
      `${runName} done: workflow run success (Ns) ${url}`,
      "",
    ]);
    expect(r.stdout).toBe("epoch 1 loss 0.5\nsaved model\n");
    expect(authorizations(f)).toEqual([`token ${token}`]);
  });

  const conclusions = [
    { name: "failure exits 1", conclusion: "failure" as const, status: 1, word: "failed" },
    { name: "timed out exits 1", conclusion: "timed_out" as const, status: 1, word: "failed" },
    { name: "success exits 0", conclusion: "success" as const, status: 0, word: "done" },
  ];
  it.each(conclusions)("$name", async ({ conclusion, status, word }) => {
    const f = await fake({ conclusion });
    const dir = await gitRepo("git@github.com:octo-org/octo-repo.git");
    const r = await dstack(
      f,
      ["run", "train", "--remote"],
      dir,
      envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url }),
    );
    expect(r.status).toBe(status);
    expect(r.stderr).toContain(`==> completed: ${conclusion}`);
    expect(r.stderr).toMatch(new RegExp(`-1 ${word}: workflow run ${conclusion} `));
  });

  const spotCases = [
    {
      name: "-i: a lost spot runner's job is dispatched again as NAME-2",
      argv: [],
      runs: 2,
      status: 0,
    },
    { name: "--resume-limit 0: never again", argv: ["--resume-limit", "0"], runs: 1, status: 1 },
  ];
  it.each(spotCases)("$name", async ({ argv, runs, status }) => {
    const f = await fake({
      endings: ["runner-lost", "success"],
      artifacts: [{ name: "dstack-run--{run-name}" }, { name: "dstack--{run-name}--checkpoints" }],
    });
    const dir = await gitRepo("https://github.com/octo-org/octo-repo.git");
    const r = await dstack(
      f,
      ["run", "train", "-i", "--remote", ...argv],
      dir,
      envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url }),
    );
    expect(r.status, r.stderr).toBe(status);
    expect(f.model.runs).toHaveLength(runs);
    const first = String(f.model.runs[0]?.inputs["run-name"]);
    if (runs === 2) {
      expect(f.model.runs[1]?.inputs["run-name"]).toBe(`${first}-2`);
      expect(r.stderr).toContain(
        `==> ${first}: The self-hosted runner: gpu-box lost communication with the server; dispatched again as ${first}-2 (attempt 2), resuming from the artifacts of ${first}`,
      );
      expect(r.stderr).toContain(`${first}-2 submitted (workflow train)`);
      expect(r.stderr).toMatch(new RegExp(`${first}-2 done: workflow run success `));
    } else {
      expect(r.stderr).toMatch(new RegExp(`${first} failed: workflow run failure `));
    }
  });

  it("a --resume-limit that is not a whole number: exit 2, nothing dispatched", async () => {
    const f = await fake();
    const dir = await gitRepo("https://github.com/octo-org/octo-repo.git");
    const r = await dstack(
      f,
      ["run", "train", "-i", "--remote", "--resume-limit", "many"],
      dir,
      envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url }),
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--resume-limit: "many" is not a whole number');
    expect(f.model.runs).toHaveLength(0);
  });

  it("-d prints the run name and how to follow it, and does not follow", async () => {
    const f = await fake();
    const dir = await gitRepo("https://github.com/octo-org/octo-repo");
    const r = await dstack(
      f,
      ["run", "train", "--remote", "-d"],
      dir,
      envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url }),
    );
    expect(r.status).toBe(0);
    const runName = String(f.model.runs[0]?.inputs["run-name"]);
    expect(r.stdout).toBe(`${runName}\n`);
    expect(r.stderr).toContain(
      `https://github.com/octo-org/octo-repo/actions/runs/${f.model.runs[0]?.id}`,
    );
    expect(r.stderr).toContain("dstack ps --remote");
    expect(r.stderr).toContain(`dstack artifacts download ${runName} --remote`);
    expect(f.github.requests.map((q) => q.operationId)).not.toContain("actions/get-workflow-run");
  });

  it("a runner workflow GitHub does not know: says to copy dstack-run.yml", async () => {
    const f = await fake();
    const dir = await gitRepo("https://github.com/octo-org/octo-repo.git");
    const r = await dstack(
      f,
      ["run", "train", "--remote", "--runner-workflow", "gpu.yml"],
      dir,
      envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url }),
    );
    expect(r.status).toBe(1);
    expect(r.stderr.split("\n").slice(1).join("\n")).toBe(
      "dstack: no runner workflow .github/workflows/gpu.yml in octo-org/octo-repo on main: copy .github/workflows/dstack-run.yml from dstack into the repository's .github/workflows/ as gpu.yml, commit and push it (or pass --runner-workflow FILE); check also that the token can see octo-org/octo-repo\n",
    );
    expect(f.model.runs).toHaveLength(0);
  });

  it("a ref GitHub does not have: GitHub's refusal, nothing dispatched", async () => {
    const f = await fake();
    const dir = await gitRepo("https://github.com/octo-org/octo-repo.git");
    const r = await dstack(
      f,
      ["run", "train", "--remote", "--ref", "feature"],
      dir,
      envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url }),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("No ref found for: feature");
    expect(f.model.runs).toHaveLength(0);
  });

  it("the same validation errors as a local run, before anything is sent", async () => {
    const f = await fake();
    const dir = await gitRepo("https://github.com/octo-org/octo-repo.git");
    const env = envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url });
    const remote = await dstack(f, ["run", "train", "--remote", "--memory", "16GBB"], dir, env);
    const local = await dstack(f, ["run", "train", "--memory", "16GBB"], dir, env);
    expect(remote.status).toBe(2);
    expect(remote.stderr).toBe(local.stderr);
    expect(remote.stderr).toContain('--memory: "16GBB"');
    expect(f.github.requests).toHaveLength(0);
  });

  it("the repository policy of the default branch refuses at once: nothing dispatched", async () => {
    const f = await fake({}, "gpu:\n  names: [A100]\n  max_count: 2\n");
    const dir = await gitRepo("https://github.com/octo-org/octo-repo.git");
    const env = envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url });
    const r = await dstack(
      f,
      ["run", "train", "--remote", "--gpu", "4", "--gpu-name", "A100"],
      dir,
      env,
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/4 GPUs.*at most 2/);
    expect(r.stderr).toContain("nothing was dispatched");
    expect(f.model.runs).toHaveLength(0);
    const ok = await dstack(
      f,
      ["run", "train", "--remote", "-d", "--gpu", "2", "--gpu-name", "A100"],
      dir,
      env,
    );
    expect(ok.stderr).not.toContain("policy");
    expect(ok.status).toBe(0);
    expect(f.model.runs).toHaveLength(1);
  });

  it("a policy this token cannot read is a warning; the plan job checks it", async () => {
    const f = await fake({}, "gpu:\n  max_count: 0\n");
    f.github.inject("GET /repos/{owner}/{repo}", {
      answer: {
        status: 403,
        body: {
          message: "Resource not accessible by personal access token",
          documentation_url: "https://docs.github.com/rest",
        },
      },
    });
    const dir = await gitRepo("https://github.com/octo-org/octo-repo.git");
    const env = envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url });
    const r = await dstack(f, ["run", "train", "--remote", "-d"], dir, env);
    expect(r.status).toBe(0);
    expect(r.stderr).toMatch(/warning: could not read \.dstack\/policy\.yaml/);
    expect(f.model.runs).toHaveLength(1);
  });

  it("warns when the branch has commits not pushed to its upstream", async () => {
    const f = await fake();
    const dir = await gitRepo("https://github.com/octo-org/octo-repo.git");
    // An upstream without a network: origin/main at the first commit, then a local commit.
    await execa("git", ["update-ref", "refs/remotes/origin/main", "HEAD"], { cwd: dir });
    await execa("git", ["branch", "-q", "--set-upstream-to=origin/main"], { cwd: dir });
    writeFileSync(join(dir, "train.py"), "print('changed')\n");
    await execa("git", [...GIT, "commit", "-qam", "second"], { cwd: dir });
    const r = await dstack(
      f,
      ["run", "train", "--remote", "-d"],
      dir,
      envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url }),
    );
    expect(r.status).toBe(0);
    expect(r.stderr).toContain(
      "warning: branch main has 1 commit not pushed to origin/main: the runner checks out what is on GitHub (git push first)\n",
    );
  });

  it("Ctrl-C cancels the dispatched workflow run, exit 130", async () => {
    // The bin in a process of its own, on real time: the model's clock stands still, so the run
    // stays queued until the SIGINT.
    const f = await fake();
    const dir = await gitRepo(undefined);
    const child = spawn(
      process.execPath,
      [bin, "run", "train", "--remote", "--repo", "octo-org/octo-repo", "--ref", "main"],
      {
        cwd: dir,
        env: {
          ...envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url }),
          NO_COLOR: "1",
        },
      },
    );
    let stderr = "";
    const queued = new Promise<void>((done) =>
      child.stderr.on("data", (d) => {
        stderr += d;
        if (stderr.includes("==> queued")) done();
      }),
    );
    const exited = new Promise<number | null>((done) => child.on("exit", (code) => done(code)));
    await Promise.race([queued, exited]);
    child.kill("SIGINT");
    expect(await exited).toBe(130);
    const run = f.model.runs[0];
    expect(run?.cancelRequestedAt).toBeDefined();
    expect(stderr).toContain(
      `SIGINT: cancelling ${run?.inputs["run-name"]}; GitHub marks workflow run ${run?.id} cancelled shortly`,
    );
  });
});

describe("the token", () => {
  /** A `gh` script in its own folder that records its arguments and answers as told. */
  function fakeGh(body: string): { dir: string; argsFile: string } {
    const dir = tempDir("dstack-gh-");
    const argsFile = join(dir, "args");
    writeFileSync(join(dir, "gh"), `#!/bin/sh\necho "$@" > "${argsFile}"\n${body}\n`);
    chmodSync(join(dir, "gh"), 0o755);
    return { dir, argsFile };
  }

  const ps = ["ps", "--remote", "--repo", "octo-org/octo-repo"];

  it("GH_TOKEN when GITHUB_TOKEN is not set", async () => {
    const f = await fake();
    const token = newToken();
    const r = await dstack(
      f,
      ps,
      tempDir(),
      envOf({ GH_TOKEN: token, GITHUB_API_URL: f.github.url }),
    );
    expect(r.status).toBe(0);
    expect(authorizations(f)).toEqual([`token ${token}`]);
  });

  it("gh auth token from a gh on PATH, run without a shell", async () => {
    const f = await fake();
    const token = newToken();
    const gh = fakeGh(`echo ${token}`);
    const r = await dstack(f, ps, tempDir(), envOf({ PATH: gh.dir, GITHUB_API_URL: f.github.url }));
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(authorizations(f)).toEqual([`token ${token}`]);
    // --api-url / GITHUB_API_URL names the host gh is asked about.
    expect(readFileSync(gh.argsFile, "utf8")).toBe(
      `auth token --hostname ${new URL(f.github.url).host}\n`,
    );
  });

  const missing = [
    {
      name: "no gh on PATH",
      gh: undefined,
      want: 'dstack: no GitHub token: GITHUB_TOKEN and GH_TOKEN are not set, and gh (the GitHub CLI) is not installed; set GITHUB_TOKEN to a token with "actions: write" on the repository (a fine-grained token: Actions read and write), or log in with the GitHub CLI: gh auth login\n',
    },
    {
      name: "gh not logged in",
      gh: 'echo "You are not logged into any GitHub hosts. To log in, run: gh auth login" >&2; exit 1',
      want: 'dstack: no GitHub token: GITHUB_TOKEN and GH_TOKEN are not set, and gh auth token failed (You are not logged into any GitHub hosts. To log in, run: gh auth login); set GITHUB_TOKEN to a token with "actions: write" on the repository (a fine-grained token: Actions read and write), or log in with the GitHub CLI: gh auth login\n',
    },
  ];
  it.each(missing)("$name: a clear error, nothing sent", async ({ gh, want }) => {
    const f = await fake();
    const path = gh === undefined ? tempDir("dstack-empty-path-") : fakeGh(gh).dir;
    const r = await dstack(f, ps, tempDir(), envOf({ PATH: path }));
    expect(r).toEqual({ status: 1, stdout: "", stderr: want });
    expect(f.github.requests).toHaveLength(0);
  });

  it("a token GitHub refuses: says which variables to check, never the token", async () => {
    const f = await fake();
    f.github.inject(ACTIONS_ROUTES.listWorkflowRuns, {
      answer: { status: 401, body: { message: "Bad credentials" } },
    });
    const token = newToken();
    const r = await dstack(
      f,
      ["ps", "--remote", "--repo", "octo-org/octo-repo"],
      tempDir(),
      envOf({ GITHUB_TOKEN: token, GITHUB_API_URL: f.github.url }),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /Bad credentials.*; check the token \(GITHUB_TOKEN, GH_TOKEN or gh auth status\)\n$/,
    );
    expect(r.stderr).not.toContain(token);
  });
});

describe("the repository", () => {
  const urls = [
    {
      name: "https with .git",
      url: "https://github.com/octo-org/octo-repo.git",
      host: "github.com",
    },
    {
      name: "https without .git",
      url: "https://github.com/octo-org/octo-repo",
      host: "github.com",
    },
    {
      name: "https with a trailing /",
      url: "https://github.com/octo-org/octo-repo/",
      host: "github.com",
    },
    {
      name: "https with credentials",
      url: "https://x:secret@github.com/octo-org/octo-repo.git",
      host: "github.com",
    },
    { name: "scp-like ssh", url: "git@github.com:octo-org/octo-repo.git", host: "github.com" },
    {
      name: "scp-like ssh without .git",
      url: "git@github.com:octo-org/octo-repo",
      host: "github.com",
    },
    {
      name: "ssh URL with a port",
      url: "ssh://git@github.com:22/octo-org/octo-repo.git",
      host: "github.com",
    },
    {
      name: "Enterprise https",
      url: "https://ghe.example.com/octo-org/octo-repo.git",
      host: "ghe.example.com",
    },
    {
      name: "Enterprise ssh",
      url: "git@ghe.example.com:octo-org/octo-repo.git",
      host: "ghe.example.com",
    },
  ];
  it.each(urls)("$name", ({ url, host }) => {
    expect(parseRemoteUrl(url)).toEqual({ owner: "octo-org", repo: "octo-repo", host });
  });

  const refused = [
    { name: "a local path", url: "/srv/git/octo-repo.git" },
    { name: "a deeper path", url: "https://gitlab.example.com/group/sub/octo-repo.git" },
    { name: "a file URL", url: "file:///srv/git/octo-org/octo-repo.git" },
  ];
  it.each(refused)("refuses $name", ({ url }) => {
    expect(parseRemoteUrl(url)).toBeUndefined();
  });

  const targets: { name: string; origin: string; env: Record<string, string>; apiUrl: string }[] = [
    {
      name: "from an https remote: api.github.com",
      origin: "https://github.com/octo-org/octo-repo.git",
      env: {},
      apiUrl: "https://api.github.com",
    },
    {
      name: "from an ssh remote on an Enterprise host: HOST/api/v3",
      origin: "git@ghe.example.com:octo-org/octo-repo.git",
      env: {},
      apiUrl: "https://ghe.example.com/api/v3",
    },
    {
      name: "GitHub Enterprise Cloud with data residency: api.SUBDOMAIN.ghe.com",
      origin: "https://octocorp.ghe.com/octo-org/octo-repo.git",
      env: {},
      apiUrl: "https://api.octocorp.ghe.com",
    },
    {
      name: "GITHUB_API_URL wins over the remote's host",
      origin: "git@ghe.example.com:octo-org/octo-repo.git",
      env: { GITHUB_API_URL: "https://ghe.internal/api/v3/" },
      apiUrl: "https://ghe.internal/api/v3",
    },
  ];
  it.each(targets)("$name (a real git repository)", async ({ origin, env, apiUrl }) => {
    const dir = await gitRepo(origin);
    const target = await resolveTarget({ cwd: dir, env: envOf(env) });
    expect(target).toMatchObject({ owner: "octo-org", repo: "octo-repo", apiUrl });
    expect(apiUrlForHost("github.com")).toBe("https://api.github.com");
  });

  // docs.github.com/enterprise-cloud@latest/rest/quickstart: GHE.com serves the REST API at
  // https://api.SUBDOMAIN.ghe.com; GitHub Enterprise Server at https://HOST/api/v3.
  const hosts = [
    { name: "github.com", host: "github.com", apiUrl: "https://api.github.com" },
    { name: "www.github.com", host: "www.github.com", apiUrl: "https://api.github.com" },
    {
      name: "a GHE.com subdomain",
      host: "octocorp.ghe.com",
      apiUrl: "https://api.octocorp.ghe.com",
    },
    {
      name: "GHE.com, upper case",
      host: "OctoCorp.GHE.com",
      apiUrl: "https://api.octocorp.ghe.com",
    },
    { name: "GHES", host: "ghe.example.com", apiUrl: "https://ghe.example.com/api/v3" },
    {
      name: "GHES with a port",
      host: "ghe.example.com:8443",
      apiUrl: "https://ghe.example.com:8443/api/v3",
    },
    {
      name: "a host merely ending in ghe.com",
      host: "notghe.com",
      apiUrl: "https://notghe.com/api/v3",
    },
  ];
  it.each(hosts)("apiUrlForHost: $name", ({ host, apiUrl }) => {
    expect(apiUrlForHost(host)).toBe(apiUrl);
  });

  it("ps --remote finds the repository from an ssh remote", async () => {
    const f = await fake();
    const dir = await gitRepo("git@github.com:octo-org/octo-repo.git");
    const r = await dstack(
      f,
      ["ps", "--remote"],
      dir,
      envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url }),
    );
    expect(r.status).toBe(0);
    expect(f.github.requests[0]?.params).toMatchObject({
      owner: "octo-org",
      repo: "octo-repo",
      workflow_id: "dstack-run.yml",
    });
  });

  const bad = [
    {
      name: "no origin remote",
      origin: undefined,
      argv: ["ps", "--remote"],
      want: /^dstack: no repository: .* has no git remote "origin"; pass --repo OWNER\/NAME\n$/,
      status: 1,
    },
    {
      name: "a remote that is not GitHub's shape, credentials hidden",
      origin: "https://x:secret@gitlab.example.com/group/sub/octo-repo.git",
      argv: ["ps", "--remote"],
      want: /^dstack: no repository: the remote "origin" \(https:\/\/gitlab\.example\.com\/group\/sub\/octo-repo\.git\) is not a GitHub repository URL/,
      status: 1,
    },
    {
      name: "--repo not OWNER/NAME",
      origin: undefined,
      argv: ["ps", "--remote", "--repo", "octo-repo"],
      want: /^dstack: --repo: "octo-repo" is not a repository; write OWNER\/NAME, e.g. octo-org\/models\n$/,
      status: 2,
    },
    {
      name: "--repo without --remote",
      origin: undefined,
      argv: ["ps", "--repo", "octo-org/octo-repo"],
      want: /^dstack: --repo: only with --remote\n$/,
      status: 2,
    },
  ];
  it.each(bad)("$name", async ({ origin, argv, want, status }) => {
    const f = await fake();
    const dir = await gitRepo(origin);
    const r = await dstack(
      f,
      argv,
      dir,
      envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url }),
    );
    expect(r.stderr).toMatch(want);
    expect(r.stderr).not.toContain("secret");
    expect(r.status).toBe(status);
  });
});

describe("dstack ps --remote", () => {
  it("lists unfinished runs and the last five finished ones; -a lists all", async () => {
    // Seven runs a minute apart; each takes 10 s queued and 3 min in progress.
    const f = await fake({ queuedMs: 10_000, durationMs: 180_000, listDelayMs: 0 });
    const dir = await gitRepo("https://github.com/octo-org/octo-repo.git");
    const names: string[] = [];
    for (let i = 0; i < 7; i++) {
      const env = envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url });
      const r = await dstack(f, ["run", "train", "--remote", "-d"], dir, env);
      expect(r.status).toBe(0);
      names.push(r.stdout.trim());
      f.model.clock.advance(60_000);
    }
    // Now: 7 min after the first; runs 1 to 4 completed, 5 to 7 in progress.
    const env = envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url });
    const url = (i: number) =>
      `https://github.com/octo-org/octo-repo/actions/runs/${f.model.runs[i]?.id}`;
    const row = (i: number, status: string, submitted: string, duration: string) => [
      names[i],
      status,
      submitted,
      duration,
      url(i),
    ];
    const expected = [
      row(6, "running", "1m ago", "1m00s"),
      row(5, "running", "2m ago", "2m00s"),
      row(4, "running", "3m ago", "3m00s"),
      row(3, "done", "4m ago", "3m10s"),
      row(2, "done", "5m ago", "3m10s"),
      row(1, "done", "6m ago", "3m10s"),
      row(0, "done", "7m ago", "3m10s"),
    ];
    const parse = (stdout: string) =>
      stdout
        .trim()
        .split("\n")
        .map((l) => l.split(/ {2,}/));
    const all = await dstack(f, ["ps", "--remote", "-a"], dir, env);
    expect(all.status).toBe(0);
    expect(parse(all.stdout)).toEqual([
      ["RUN", "STATUS", "SUBMITTED", "DURATION", "URL"],
      ...expected,
    ]);
    expect(all.stderr).toBe("");

    // Without -a, at most five finished runs: two more finish, six in all.
    f.model.clock.advance(100_000);
    const some = await dstack(f, ["ps", "--remote"], dir, env);
    const rows = parse(some.stdout).slice(1);
    expect(rows.map((r) => [r[0], r[1]])).toEqual([
      [names[6], "running"],
      [names[5], "done"],
      [names[4], "done"],
      [names[3], "done"],
      [names[2], "done"],
      [names[1], "done"],
    ]);
    // Run 0 is the sixth finished one.
    expect(some.stderr).toBe("1 older runs not shown; dstack ps --remote -a shows all\n");
  });

  it("leaves finished tag-only runs (tags add --remote) out without -a, as local ps does", async () => {
    const f = await fake({
      queuedMs: 10_000,
      durationMs: 180_000,
      listDelayMs: 0,
      inputs: { job: false, "run-name": true, tag: false, "runs-on": false, "tag-run": false },
    });
    const dir = await gitRepo("https://github.com/octo-org/octo-repo.git");
    const env = () => envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url });
    const run = async () => {
      const r = await dstack(f, ["run", "train", "--remote", "-d"], dir, env());
      expect(r.status).toBe(0);
      return r.stdout.trim();
    };
    /** A tag-only dispatch as `tags add best RUN --remote` makes it (it follows it to its end). */
    const tagOnly = async (title: string, target: string) => {
      const res = await fetch(
        `${f.github.url}/repos/octo-org/octo-repo/actions/workflows/dstack-run.yml/dispatches`,
        {
          method: "POST",
          headers: {
            authorization: `token ${newToken()}`,
            accept: "application/vnd.github+json",
            "content-type": "application/json",
          },
          body: JSON.stringify({
            ref: "main",
            inputs: { "run-name": title, tag: "best", "tag-run": target },
          }),
        },
      );
      expect(res.status).toBe(204);
    };
    const a = await run();
    f.model.clock.advance(60_000);
    await tagOnly("tag-calm-cat-1", a);
    f.model.clock.advance(60_000);
    const b = await run();
    f.model.clock.advance(300_000);
    // Unfinished: shown as every unfinished run is.
    await tagOnly("tag-calm-cat-2", b);
    const parse = (stdout: string) =>
      stdout
        .trim()
        .split("\n")
        .slice(1)
        .map((l) => l.split(/ {2,}/).slice(0, 2));
    const some = await dstack(f, ["ps", "--remote"], dir, env());
    expect(some.status).toBe(0);
    expect(parse(some.stdout)).toEqual([
      ["tag-calm-cat-2", "queued"],
      [b, "done"],
      [a, "done"],
    ]);
    expect(some.stderr).toBe(
      "1 tag-only run (tags add --remote) not shown; dstack ps --remote -a shows all\n",
    );
    const all = await dstack(f, ["ps", "--remote", "-a"], dir, env());
    expect(all.status).toBe(0);
    expect(parse(all.stdout)).toEqual([
      ["tag-calm-cat-2", "queued"],
      [b, "done"],
      ["tag-calm-cat-1", "done"],
      [a, "done"],
    ]);
    expect(all.stderr).toBe("");
  });

  it("a runner workflow GitHub does not know: says to copy dstack-run.yml", async () => {
    const f = await fake({ workflowFile: "other.yml" });
    const r = await dstack(
      f,
      ["ps", "--remote", "--repo", "octo-org/octo-repo"],
      tempDir(),
      envOf({ GITHUB_TOKEN: newToken(), GITHUB_API_URL: f.github.url }),
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "no runner workflow .github/workflows/dstack-run.yml in octo-org/octo-repo: copy .github/workflows/dstack-run.yml",
    );
  });
});
