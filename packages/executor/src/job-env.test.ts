/**
 * No credentials in the job: the caller's `ACTIONS_*`, `INPUT_*`, tokens and secret values never
 * reach `before_run` or the Python job run by `runJob`, while `from dstack import artifacts` keeps
 * working through the bridge (the local store, and the GitHub store with the unmodified
 * `@actions/artifact` client, Azurite and the results-service fake).
 */
import fs from "node:fs";
import path from "node:path";
import { LocalStore } from "@dstack/artifacts";
import { GitHubStore } from "@dstack/artifacts/github";
import type { HostReport } from "@dstack/host";
import { parseWorkflows } from "@dstack/spec";
import {
  type ActionsStorage,
  type ArtifactsRestApi,
  type ResultsService,
  startActionsStorage,
  tempDir,
  workflowRuns,
  writeTree,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isDeniedJobVariable, jobEnvironment } from "./job-env.js";
import { runJob } from "./run-job.js";

const TOKEN = "ghs_theGithubTokenInput0123456789abcdef";
const RUNTIME = "runtime-token-eyJhbGciOi.abc";
const OIDC = "oidc-request-token-0987654321";

describe("jobEnvironment", () => {
  const parent = {
    PATH: "/usr/bin:/bin",
    HOME: "/home/runner",
    GITHUB_REPOSITORY: "octo/models",
    RUNNER_TEMP: "/tmp/runner",
    ACTIONS_RUNTIME_TOKEN: RUNTIME,
    ACTIONS_RUNTIME_URL: "https://pipelines.example/",
    ACTIONS_RESULTS_URL: "https://results.example/",
    ACTIONS_CACHE_URL: "https://cache.example/",
    ACTIONS_ID_TOKEN_REQUEST_URL: "https://oidc.example/?x=1",
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC,
    ACTIONS_STEP_DEBUG: "true",
    "INPUT_GITHUB-TOKEN": TOKEN,
    INPUT_WORKFLOW: "train",
    GITHUB_TOKEN: TOKEN,
    GH_TOKEN: TOKEN,
    GITHUB_ENV: "/tmp/runner/_runner_file_commands/set_env_1",
    GITHUB_PATH: "/tmp/runner/_runner_file_commands/add_path_1",
    GITHUB_OUTPUT: "/tmp/runner/_runner_file_commands/set_output_1",
    GITHUB_STATE: "/tmp/runner/_runner_file_commands/save_state_1",
    GITHUB_STEP_SUMMARY: "/tmp/runner/_runner_file_commands/step_summary_1",
    UNDEFINED: undefined,
  };
  const cases: {
    name: string;
    options: Parameters<typeof jobEnvironment>[0];
    want: Record<string, string>;
  }[] = [
    {
      name: "drops ACTIONS_*, INPUT_*, the token names and the runner's env, path, output and state files; keeps the summary",
      options: { parent },
      want: {
        PATH: "/usr/bin:/bin",
        HOME: "/home/runner",
        GITHUB_REPOSITORY: "octo/models",
        RUNNER_TEMP: "/tmp/runner",
        GITHUB_STEP_SUMMARY: "/tmp/runner/_runner_file_commands/step_summary_1",
      },
    },
    {
      name: "drops any variable whose value equals or holds a known secret",
      options: {
        parent: { PATH: "/bin", COPY: TOKEN, HEADER: `Authorization: token ${TOKEN}`, KEEP: "x" },
        secrets: [TOKEN],
      },
      want: { PATH: "/bin", KEEP: "x" },
    },
    {
      name: "a short secret drops exact matches only; an empty one nothing",
      options: { parent: { A: "abc", B: "xabcx", C: "" }, secrets: ["abc", ""] },
      want: { B: "xabcx", C: "" },
    },
    {
      name: "the job's literal values go over the parent, denied names included",
      options: {
        parent: { PATH: "/bin", MODE: "parent", GITHUB_TOKEN: TOKEN },
        job: { MODE: "job", GITHUB_TOKEN: "a-literal-the-workflow-declares" },
      },
      want: { PATH: "/bin", MODE: "job", GITHUB_TOKEN: "a-literal-the-workflow-declares" },
    },
    {
      name: "a job value holding a secret is dropped too",
      options: {
        parent: { PATH: "/bin", LEAK: "parent" },
        job: { LEAK: `x${TOKEN}` },
        secrets: [TOKEN],
      },
      want: { PATH: "/bin" },
    },
  ];
  it.each(cases)("$name", ({ options, want }) => {
    expect(jobEnvironment(options)).toEqual(want);
  });

  it.each([
    { name: "ACTIONS_RUNTIME_TOKEN", denied: true },
    { name: "ACTIONS_ID_TOKEN_REQUEST_TOKEN", denied: true },
    { name: "INPUT_GITHUB-TOKEN", denied: true },
    { name: "GH_TOKEN", denied: true },
    { name: "GITHUB_WORKSPACE", denied: false },
    { name: "actions_runtime_token", denied: false },
    { name: "MY_ACTIONS_X", denied: false },
  ])("isDeniedJobVariable($name) is $denied", ({ name, denied }) => {
    expect(isDeniedJobVariable(name)).toBe(denied);
  });
});

/** Host facts any job without resources satisfies (nvidia-smi is not run). */
const HOST: HostReport = {
  cpus: 2,
  memoryBytes: 4 * 2 ** 30,
  gpus: [],
  gpuDetails: [],
  interruptible: false,
  notes: [],
  sources: { cpus: "os", memory: "os", gpus: "none" },
};

/** A job that dumps its environment (before_run and Python) and uploads a folder with a tag. */
const WORKFLOWS = `workflows:
  - name: envdump
    provider: python
    file: envdump.py
    before_run:
      - python3 -c "import json, os; json.dump(dict(os.environ), open('before.json', 'w'))"
    environment:
      FROM_WORKFLOW: literal
      GITHUB_TOKEN: a-literal-the-workflow-declares
`;
const SCRIPT = `import json, os
from dstack import artifacts
json.dump(dict(os.environ), open("job.json", "w"))
os.makedirs("out", exist_ok=True)
open("out/model.txt", "w").write("weights")
artifacts.upload("out", tag="env-check")
print("uploaded")
`;

/** The caller's environment as an action's process has it on a runner. */
function parentEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ACTIONS_RUNTIME_TOKEN: RUNTIME,
    ACTIONS_RUNTIME_URL: "https://pipelines.example/",
    ACTIONS_RESULTS_URL: "https://results.example/",
    ACTIONS_CACHE_URL: "https://cache.example/",
    ACTIONS_ID_TOKEN_REQUEST_URL: "https://oidc.example/token",
    ACTIONS_ID_TOKEN_REQUEST_TOKEN: OIDC,
    "INPUT_GITHUB-TOKEN": TOKEN,
    INPUT_MODE: "run",
    GITHUB_TOKEN: TOKEN,
    GH_TOKEN: TOKEN,
    MY_COPY_OF_THE_TOKEN: TOKEN,
    GITHUB_REPOSITORY: "octo/models",
    KEEP_ME: "kept",
    ...extra,
  };
}

/** Asserts that a dumped environment carries no credential and what the job may see. */
function expectClean(file: string): Record<string, string> {
  const env = JSON.parse(fs.readFileSync(file, "utf8")) as Record<string, string>;
  const leaked = Object.keys(env).filter(
    (k) => (isDeniedJobVariable(k) && k !== "GITHUB_TOKEN") || k === "MY_COPY_OF_THE_TOKEN",
  );
  expect(leaked).toEqual([]);
  for (const secret of [TOKEN, RUNTIME, OIDC]) {
    expect(Object.entries(env).filter(([, v]) => v.includes(secret))).toEqual([]);
  }
  expect(env.GITHUB_TOKEN).toBe("a-literal-the-workflow-declares");
  expect(env.FROM_WORKFLOW).toBe("literal");
  expect(env.KEEP_ME).toBe("kept");
  expect(env.GITHUB_REPOSITORY).toBe("octo/models");
  expect(env.DSTACK_ARTIFACTS_SOCKET).toMatch(/\.sock$/);
  return env;
}

/** A store holding a submitted run of the envdump job in a fresh repository. */
async function submitted(home: string, runName: string) {
  const repo = writeTree(tempDir(), {
    ".dstack/workflows.yaml": WORKFLOWS,
    "envdump.py": SCRIPT,
  });
  const parsed = parseWorkflows({
    files: [{ path: ".dstack/workflows.yaml", text: WORKFLOWS }],
  });
  const job = parsed.jobs[0];
  if (!job) throw new Error(JSON.stringify(parsed.diagnostics));
  const store = new LocalStore({ home });
  await store.createRun({ workflow: "envdump", job, repoDir: repo, runName });
  return { store, repo };
}

const silent = { phase: () => {}, line: () => {}, info: () => {} };

describe("runJob keeps the caller's credentials from the job", () => {
  it("before_run and the job see none; artifacts.upload works through the bridge", async () => {
    const home = tempDir();
    const { store, repo } = await submitted(home, "clean-env-1");
    const lines: string[] = [];
    const result = await runJob({
      store,
      runName: "clean-env-1",
      home,
      env: parentEnv(),
      secrets: [TOKEN],
      host: HOST,
      out: { ...silent, line: (l) => lines.push(l) },
    });
    expect(result.message).toBe("exited with 0");
    expect(result.status).toBe("done");
    expectClean(path.join(repo, "before.json"));
    expectClean(path.join(repo, "job.json"));
    expect(lines).toContain("uploaded");
    const tagged = await store.getRun((await store.getTag("env-check")).runName);
    expect(tagged.artifacts.map((a) => [a.path, a.files])).toEqual([["out", 1]]);
  }, 60_000);
});

describe("runJob on a runner: the job uploads to GitHub without the runtime token", () => {
  const REPO = "octo/models";
  let storage: ActionsStorage;
  let service: ResultsService;
  let rest: ArtifactsRestApi;
  const runs = workflowRuns();
  const saved = new Map<string, string | undefined>();
  const KEYS = ["ACTIONS_RUNTIME_TOKEN", "ACTIONS_RESULTS_URL", "GITHUB_SERVER_URL"];

  beforeAll(async () => {
    for (const k of KEYS) saved.set(k, process.env[k]);
    storage = await startActionsStorage({ repository: REPO, runs });
    ({ service, rest } = storage);
  }, 60_000);

  afterAll(async () => {
    await storage?.close();
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  });

  it("the bridge in this process holds the credentials; the job's environment has none", async () => {
    // `@actions/artifact` reads the runtime token and results URL from this process's environment.
    const runtime = service.envFor(runs.add(701));
    Object.assign(process.env, runtime);
    const home = tempDir();
    const { store, repo } = await submitted(home, "clean-remote-701");
    const remote = new GitHubStore({ token: TOKEN, repository: REPO, apiUrl: rest.url });
    const result = await runJob({
      store,
      runName: "clean-remote-701",
      home,
      env: parentEnv(runtime),
      secrets: [TOKEN],
      host: HOST,
      remote,
      out: silent,
    });
    expect(result.message).toBe("exited with 0");
    const env = expectClean(path.join(repo, "job.json"));
    expect(Object.values(env)).not.toContain(runtime.ACTIONS_RUNTIME_TOKEN);
    expect(Object.keys(env)).not.toContain("ACTIONS_RESULTS_URL");
    const names = service.artifacts().map((a) => a.name);
    expect(names).toContain("dstack-tag--env-check");
    expect(names).toContain("dstack--clean-remote-701-env-check-1--out");
  }, 60_000);
});
