/**
 * The Python Artifacts API on a runner: a job's `from dstack import artifacts` talks to the
 * bridge, and the bridge sends uploads and downloads to the GitHub store (the unmodified
 * `@actions/artifact` client with Azurite and the Twirp fake, the OpenAPI-validated REST fake).
 * A tag set by a job in one workflow run is downloaded by a job in a later one.
 */
import { execFile } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import {
  type ActionsStorageSession,
  type ArtifactsRestApi,
  type BackendIds,
  enterActionsStorage,
  type ResultsService,
  readTree,
  workflowRuns,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ArtifactsBridge, startArtifactsBridge } from "./bridge.js";
import { GitHubStore } from "./github-store.js";
import { PYTHON_PATH } from "./index.js";
import { LocalStore } from "./local-store.js";

const REPO = "octo/models";

let storage: ActionsStorageSession;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;
const runs = workflowRuns();
const workflowRun = runs.add;

beforeAll(async () => {
  storage = await enterActionsStorage({ repository: REPO, runs, tmpPrefix: "bridge-github-" });
  ({ service, rest, tmp } = storage);
}, 60_000);

afterAll(() => storage?.close());

/** Runs `script` as a job of workflow run `ids`, its bridge sending to the GitHub store. */
async function job(ids: BackendIds, runName: string, script: string) {
  process.env.ACTIONS_RUNTIME_TOKEN = service.envFor(ids).ACTIONS_RUNTIME_TOKEN;
  const home = path.join(tmp, `home-${runName}`);
  const repo = path.join(tmp, `repo-${runName}`);
  fs.mkdirSync(repo, { recursive: true });
  const store = new LocalStore({ home });
  const remote = new GitHubStore({ token: "ghs_test", repository: REPO, apiUrl: rest.url });
  // With a remote store, uploads and downloads never touch the local one.
  const bridge: ArtifactsBridge = await startArtifactsBridge({ store, runName, remote });
  const file = path.join(repo, "job.py");
  fs.writeFileSync(file, script);
  try {
    return await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      execFile(
        "python3",
        [file],
        {
          cwd: repo,
          env: { PATH: process.env.PATH, PYTHONPATH: PYTHON_PATH, ...bridge.env },
        },
        (error, stdout, stderr) =>
          resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    }).then((r) => ({ ...r, repo }));
  } finally {
    await bridge.close();
  }
}

describe("the Python API on a runner uses the GitHub store", () => {
  it("a job uploads under a tag in workflow run 501; a job in run 502 downloads it", async () => {
    const first = await job(
      workflowRun(501),
      "sharp-shrimp-501",
      [
        "import os",
        "from dstack import artifacts",
        "os.makedirs('out/ckpt', exist_ok=True)",
        "open('out/ckpt/w.bin', 'wb').write(bytes(range(256)) * 1000)",
        "open('out/metrics.json', 'w').write('{\"acc\": 0.97}')",
        "artifacts.upload('out', artifact_path='model', tag='best')",
        "artifacts.upload('out/metrics.json')",
        "print('uploaded')",
      ].join("\n"),
    );
    expect(first.stderr).toBe("");
    expect(first.code).toBe(0);
    const names = service.artifacts().map((a) => a.name);
    expect(names).toContain("dstack--sharp-shrimp-501-best-1--model");
    expect(names).toContain("dstack-tag--best");
    expect(names).toContain("dstack--sharp-shrimp-501--out~metrics.json");

    const second = await job(
      workflowRun(502),
      "calm-cat-502",
      [
        "from dstack import artifacts",
        "artifacts.download(tag='best', local_path='restored')",
        "print(open('restored/model/metrics.json').read())",
      ].join("\n"),
    );
    expect(second.stderr).toBe("");
    expect(second.stdout.trim()).toBe('{"acc": 0.97}');
    const tree = readTree(path.join(second.repo, "restored"));
    expect(Object.keys(tree).sort()).toEqual(["model/ckpt/w.bin", "model/metrics.json"]);
    expect(fs.readFileSync(path.join(second.repo, "restored/model/ckpt/w.bin")).length).toBe(
      256_000,
    );
  });

  it("an unknown tag raises in Python with the store's message", async () => {
    const r = await job(
      workflowRun(503),
      "quiet-owl-503",
      "from dstack import artifacts\nartifacts.download(tag='bset', local_path='x')\n",
    );
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/no tag "bset" in octo\/models/);
    expect(fs.existsSync(path.join(r.repo, "x"))).toBe(false);
  });
});
