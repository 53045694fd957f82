/**
 * The artifacts action run in-process against the real `@actions/core` (the workflow runs of
 * {@link LOCAL_ACTION_RUNS} through `@github/local-action` instead, as GitHub runs it), against
 * the real parts: the unmodified `@actions/artifact` client with Azurite and the Twirp
 * results-service fake, and the OpenAPI-validated REST fake. Two workflow runs: one uploads with
 * a tag, a later one downloads by the tag without knowing the run.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GitHubStore } from "@dstack/artifacts/github";
import {
  type ActionsStorage,
  type ArtifactsRestApi,
  type BackendIds,
  type ResultsService,
  runActionInProcess,
  runLocalAction,
  startActionsStorage,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ACTION_DIR = path.resolve(import.meta.dirname, "..");
const REPO = "octo/models";

let storage: ActionsStorage;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;

beforeAll(async () => {
  storage = await startActionsStorage({ repository: REPO });
  ({ service, rest } = storage);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "artifacts-action-"));
}, 60_000);

afterAll(async () => {
  await storage?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/**
 * The workflow runs whose step goes through `@github/local-action` (GitHub's own local runner, a
 * process of its own), end to end: the tagged upload and the download by tag. The others run
 * in-process (the same `run()`, the real `@actions/core`), seconds faster each.
 */
const LOCAL_ACTION_RUNS = new Set([1001, 1002]);

/** A step of workflow run `id`: its runtime token, workspace and GitHub variables. */
function step(id: number, inputs: Record<string, string>, workspace = path.join(tmp, `ws-${id}`)) {
  fs.mkdirSync(workspace, { recursive: true });
  const run = rest.workflowRun(id);
  return (LOCAL_ACTION_RUNS.has(id) ? runLocalAction : runActionInProcess)({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    // The runner fills in `${{ github.* }}` defaults; local-action passes them through as text.
    inputs: { "github-token": "ghs_fake_token_for_tests", repository: REPO, ...inputs },
    env: {
      ...service.envFor(run),
      GITHUB_API_URL: rest.url,
      GITHUB_REPOSITORY: REPO,
      GITHUB_RUN_ID: String(id),
      GITHUB_WORKSPACE: workspace,
      GITHUB_TOKEN: "ghs_fake_token_for_tests",
    },
  });
}

/** Runs `fn` in this process as a step of workflow run `run` (its runtime token and workspace). */
async function inProcessRun<T>(run: BackendIds, fn: () => Promise<T>): Promise<T> {
  // GITHUB_API_URL too: @actions/github reads it once, when @actions/artifact first loads it in
  // this process, and the in-process steps after this one download through that client.
  const env = { ...service.envFor(run), GITHUB_API_URL: rest.url, GITHUB_WORKSPACE: tmp };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  Object.assign(process.env, env);
  try {
    return await fn();
  } finally {
    for (const [k, v] of Object.entries(saved)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
}

function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
}

/** Every file below `root`, as sorted POSIX paths (hidden ones included, so leftovers show). */
function listFiles(root: string): string[] {
  return (fs.readdirSync(root, { recursive: true, withFileTypes: true }) as fs.Dirent[])
    .filter((d) => d.isFile())
    .map((d) => path.relative(root, path.join(d.parentPath, d.name)).split(path.sep).join("/"))
    .sort();
}

describe("upload with a tag in one workflow run, download by the tag in a later one", () => {
  const weights = randomBytes(3 * 1024 * 1024);

  it("uploads upload-artifact patterns with exclusions as one run, tags it, and reports ids, digests and links", async () => {
    const ws = path.join(tmp, "ws-1001");
    write(ws, {
      "output/model/weights.bin": weights,
      "output/model/.secret": "token=1",
      "output/model/partial.tmp": "half a checkpoint",
      "logs/train.log": "loss 0.1\n".repeat(1000),
      "logs/run1/metrics.json": `{"loss": 0.1}\n`.repeat(200),
      "logs/run1/debug-1.json": "{}",
      "logs/run2/deep/metrics.json": `{"loss": 0.2}\n`,
    });
    const r = await step(1001, {
      mode: "upload",
      // The workspace is the root (the patterns' least common ancestor): one artifact path per
      // top-level folder, files at their workspace paths.
      path: "output/model\n!output/model/*.tmp\nlogs/**/*.json\n!logs/**/debug-*.json",
      run: "brave-bear-7",
      tag: "best",
      "github-token": "ghs_fake_token_for_tests",
    });
    expect(r.failed).toBeUndefined();
    expect(r.outputs["run-name"]).toBe("brave-bear-7");
    const ids = (r.outputs["artifact-ids"] ?? "").split(",");
    expect(ids).toHaveLength(2);
    const stored = service.artifacts().filter((a) => ids.includes(String(a.id)));
    expect(stored.map((a) => a.name).sort()).toEqual([
      "dstack--brave-bear-7--logs",
      "dstack--brave-bear-7--output",
    ]);
    expect(r.outputs["artifact-digests"]).toBe(
      ids.map((id) => stored.find((a) => String(a.id) === id)?.digest).join(","),
    );
    expect(r.outputs["artifact-urls"]).toBe(
      ids.map((id) => `https://github.com/${REPO}/actions/runs/1001/artifacts/${id}`).join(","),
    );
    expect(service.artifacts().some((a) => a.name === "dstack-tag--best")).toBe(true);
    expect(r.summary).toContain("dstack artifacts: run brave-bear-7");
    expect(r.log).toMatch(/path: 3 files selected, below the workspace -> output, logs/);
    // Checkpoint bytes are stored, not deflated; the metrics are deflated.
    expect(r.log).toMatch(/output: 1 file, .*zipped at level 0/);
    expect(r.log).toMatch(/logs: 2 files.*zipped at level 6/);
  }, 90_000);

  it("a second step of the same workflow run puts one pattern's root under artifact-path", async () => {
    const r = await step(1001, {
      mode: "upload",
      path: "logs/**/*.json\n!logs/**/debug-*.json",
      "artifact-path": "metrics",
      run: "brave-bear-7",
    });
    expect(r.failed).toBeUndefined();
    expect(r.log).toMatch(/path: 2 files selected, below logs -> metrics/);
  });

  it("a later workflow run downloads :best: exactly the selected files, at their paths", async () => {
    // Before it, a fork's pull_request run tags its own files `best`: never used, and named.
    const fork = rest.workflowRun(1900, {
      event: "pull_request",
      workflowFile: "ci.yml",
      fork: true,
    });
    write(path.join(tmp, "evil"), { "output/model/weights.bin": "pickle\n" });
    await inProcessRun(fork, () =>
      new GitHubStore({
        token: "ghs_fake_token_for_tests",
        repository: REPO,
        apiUrl: rest.url,
      }).upload({
        runName: "evil-eel-1",
        localPath: path.join(tmp, "evil/output"),
        artifactPath: "output",
        tag: "best",
      }),
    );
    const r = await step(1002, { mode: "download", tag: "best", "local-path": "restored" });
    expect(r.failed).toBeUndefined();
    expect(r.annotations).toContainEqual({
      level: "warning",
      message: expect.stringMatching(
        /^tag "best": skipped 1 newer artifact named dstack-tag--best from untrusted workflow runs \(artifact \d+ \(workflow run 1900\): fork: /,
      ),
    });
    const dest = path.join(tmp, "ws-1002", "restored");
    expect(r.outputs).toMatchObject({
      "run-name": "brave-bear-7",
      "workflow-run-id": "1001",
      "download-path": dest,
    });
    // Workspace paths (the root is the workspace), and the second step's files below `metrics`
    // at their paths below `logs`; nothing excluded, nothing hidden.
    expect(listFiles(dest)).toEqual([
      "logs/run1/metrics.json",
      "logs/run2/deep/metrics.json",
      "metrics/run1/metrics.json",
      "metrics/run2/deep/metrics.json",
      "output/model/weights.bin",
    ]);
    expect(fs.readFileSync(path.join(dest, "output/model/weights.bin")).equals(weights)).toBe(true);
    expect(fs.readFileSync(path.join(dest, "metrics/run2/deep/metrics.json"), "utf8")).toBe(
      `{"loss": 0.2}\n`,
    );
  }, 90_000);

  it("one artifact path of a run by name gives upload-artifact's layout", async () => {
    const r = await step(1003, {
      mode: "download",
      run: "brave-bear-7",
      "artifact-path": "metrics",
      "local-path": "only-metrics",
    });
    expect(r.failed).toBeUndefined();
    expect(listFiles(path.join(tmp, "ws-1003", "only-metrics"))).toEqual([
      "run1/metrics.json",
      "run2/deep/metrics.json",
    ]);
  });
});

describe("bad input fails the step with a clear message and writes nothing", () => {
  const cases: { name: string; inputs: Record<string, string>; failed: RegExp }[] = [
    {
      name: "an unknown mode",
      inputs: { mode: "sync" },
      failed: /mode: "sync" is not allowed; use one of upload, download/,
    },
    {
      name: "both run and tag",
      inputs: { mode: "download", run: "brave-bear-7", tag: "best" },
      failed: /run \/ tag: give exactly one of them/,
    },
    {
      name: "an unknown tag, named",
      inputs: { mode: "download", tag: "bets" },
      failed:
        /no tag "bets" in octo\/models: no workflow run has an artifact named dstack-tag--bets/,
    },
    {
      name: "a missing path with if-no-files-found: error",
      inputs: { mode: "upload", path: "nowhere", "if-no-files-found": "error" },
      failed:
        /path: "nowhere" matches no files: nowhere does not exist \(if-no-files-found: error\); nothing was uploaded/,
    },
    {
      name: "a pattern climbing out of the workspace",
      inputs: { mode: "upload", path: "logs/**\n../**" },
      failed: /path: "\.\.\/\*\*" reaches outside the workspace .*ws-2004/,
    },
    {
      name: "a compression level that is not one",
      inputs: { mode: "upload", path: "a", compression: "fast" },
      failed: /compression: "fast" is not allowed; use auto, or a zip level 0 \(store\) to 9/,
    },
    {
      name: "an absolute path outside the workspace, even with an artifact path",
      inputs: { mode: "upload", path: "/etc/hostname", "artifact-path": "host" },
      failed: /path: "\/etc\/hostname" reaches outside the workspace/,
    },
  ];
  it.each(cases)("$name", async ({ inputs, failed }) => {
    const before = service.artifacts().length;
    const r = await step(2000 + cases.findIndex((c) => c.inputs === inputs), inputs);
    expect(r.failed).toMatch(failed);
    expect(service.artifacts().length).toBe(before);
  });

  it("an exclusion that removes every match, with if-no-files-found: error, uploads nothing", async () => {
    write(path.join(tmp, "ws-2050"), { "logs/a.json": "{}", "checkpoints/a.pt": "w" });
    const before = service.artifacts().length;
    const r = await step(2050, {
      mode: "upload",
      path: "logs/**\n!logs/*.json",
      "if-no-files-found": "error",
    });
    expect(r.failed).toMatch(
      /path: "logs\/\*\*" matches 1 file, but "!logs\/\*\.json" excludes every one \(if-no-files-found: error\); nothing was uploaded/,
    );
    expect(service.artifacts().length).toBe(before);
  });

  it("a missing path only warns by default, and nothing is uploaded", async () => {
    const r = await step(2100, { mode: "upload", path: "nowhere" });
    expect(r.failed).toBeUndefined();
    expect(r.annotations).toContainEqual({
      level: "warning",
      message: expect.stringMatching(
        /path: "nowhere" matches no files: nowhere does not exist; nothing uploaded for it/,
      ),
    });
    expect(r.outputs["artifact-ids"]).toBe("");
  });

  it("a token without actions: read is told which permission is missing", async () => {
    rest.deny(true);
    try {
      const r = await step(2200, { mode: "download", tag: "best", "local-path": "denied" });
      expect(r.failed).toMatch(
        /GitHub answered 403.*the token needs the "actions: read" permission/,
      );
      expect(fs.existsSync(path.join(tmp, "ws-2200", "denied"))).toBe(false);
    } finally {
      rest.deny(false);
    }
  });

  it("every REST request and answer matched GitHub's OpenAPI description", () => {
    expect(rest.github.problems).toEqual([]);
  });
});

describe("the checked-in bundle", () => {
  it("dist/index.js runs on its own: a bad input fails the step with an ::error:: and exit code 1", async () => {
    const { execa } = await import("execa");
    const r = await execa("node", [path.join(ACTION_DIR, "dist", "index.js")], {
      env: { INPUT_MODE: "sync", GITHUB_OUTPUT: "", GITHUB_STEP_SUMMARY: "" },
      extendEnv: false,
      reject: false,
    });
    expect(r.exitCode).toBe(1);
    expect(r.stdout).toContain('::error::mode: "sync" is not allowed; use one of upload, download');
  });
});
