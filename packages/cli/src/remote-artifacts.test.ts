/**
 * `dstack artifacts download RUN|:TAG --remote` against the real parts: artifacts
 * uploaded by `GitHubStore` in a workflow run (the unmodified `@actions/artifact` client, Azurite
 * and the results-service fake), then downloaded from a laptop through the CLI (the
 * OpenAPI-validated REST fake, a 302 into Azurite), with only a token in the environment.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GitHubStore } from "@dstack/artifacts/github";
import {
  type ActionsStorage,
  type ArtifactsRestApi,
  type ResultsService,
  startActionsStorage,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDstack } from "./testing.js";

const REPO = "octo/models";
const TOKEN = "ghp_cli_download_token_for_tests";
/** What the artifact client reads from the process environment. */
const ENV_KEYS = ["ACTIONS_RUNTIME_TOKEN", "ACTIONS_RESULTS_URL", "GITHUB_API_URL"] as const;

let storage: ActionsStorage;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;
const saved = new Map<string, string | undefined>();

function write(root: string, files: Record<string, string>): void {
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
}

/** file path -> content below `root`. */
function tree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const e of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (e.isFile()) {
      const abs = path.join(e.parentPath, e.name);
      out[path.relative(root, abs)] = fs.readFileSync(abs, "utf8");
    }
  }
  return out;
}

beforeAll(async () => {
  for (const k of ENV_KEYS) saved.set(k, process.env[k]);
  storage = await startActionsStorage({ repository: REPO });
  ({ service, rest } = storage);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dstack-cli-download-"));
  // The artifact client reads GITHUB_API_URL once, when first loaded.
  process.env.GITHUB_API_URL = rest.url;
  // A workflow run uploads two artifact paths of brave-bear-7 and tags it `best`.
  const run = rest.workflowRun(1001);
  Object.assign(process.env, service.envFor(run));
  const store = new GitHubStore({ token: TOKEN, repository: REPO, apiUrl: rest.url });
  write(path.join(tmp, "ws"), {
    "model/weights.txt": "w=1\n",
    "model/config/params.json": "{}\n",
    "logs/train.log": "loss 0.1\n",
  });
  await store.upload({
    runName: "brave-bear-7",
    localPath: path.join(tmp, "ws/model"),
    artifactPath: "model",
  });
  await store.upload({
    runName: "brave-bear-7",
    localPath: path.join(tmp, "ws/logs"),
    artifactPath: "logs",
    tag: "best",
  });
  // A trusted run tags brave-bear-7 `prod`; later a fork's pull_request run tags its own files
  // `prod` too: the CLI must download the trusted ones and name what it skipped.
  await store.setTag({ tag: "prod", runName: "brave-bear-7" });
  const fork = rest.workflowRun(2001, {
    event: "pull_request",
    workflowFile: "ci.yml",
    fork: true,
  });
  Object.assign(process.env, service.envFor(fork));
  write(path.join(tmp, "evil"), { "model/weights.txt": "pickle\n" });
  await store.upload({
    runName: "evil-eel-1",
    localPath: path.join(tmp, "evil/model"),
    artifactPath: "model",
    tag: "prod",
  });
  // The laptop has no runtime token: downloads go through the REST API with the user's token.
  delete process.env.ACTIONS_RUNTIME_TOKEN;
  delete process.env.ACTIONS_RESULTS_URL;
}, 60_000);

afterAll(async () => {
  await storage?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

describe("dstack artifacts download --remote", () => {
  const cases = [
    {
      name: "by run, every artifact path",
      argv: ["brave-bear-7"],
      out: "all",
      said: "downloaded brave-bear-7 to",
      files: {
        "model/weights.txt": "w=1\n",
        "model/config/params.json": "{}\n",
        "logs/train.log": "loss 0.1\n",
      },
    },
    {
      name: "by tag, one artifact path",
      argv: [":best", "-p", "model"],
      out: "model-only",
      said: "downloaded :best model to",
      files: { "weights.txt": "w=1\n", "config/params.json": "{}\n" },
    },
    {
      name: "by tag, a file inside an artifact path",
      argv: [":best", "-p", "logs/train.log"],
      out: "log",
      said: "downloaded :best logs/train.log to",
      files: { "train.log": "loss 0.1\n" },
    },
  ];
  it.each(cases)("$name", async ({ argv, out, said, files }) => {
    const cwd = fs.mkdtempSync(path.join(tmp, "laptop-"));
    const r = await runDstack(
      ["artifacts", "download", ...argv, "--remote", "--repo", REPO, "-o", out],
      cwd,
      { PATH: process.env.PATH, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: rest.url },
    );
    expect(r).toEqual({
      status: 0,
      stdout: "",
      stderr: `${said} ${path.join(cwd, out)}\n`,
    });
    expect(tree(path.join(cwd, out))).toEqual(files);
    expect(rest.github.problems).toEqual([]);
  });

  it("a fork's newer tag is skipped, with a warning naming it", async () => {
    const cwd = fs.mkdtempSync(path.join(tmp, "laptop-"));
    const r = await runDstack(
      ["artifacts", "download", ":prod", "--remote", "--repo", REPO, "-o", "prod", "-p", "model"],
      cwd,
      { PATH: process.env.PATH, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: rest.url },
    );
    expect(r.status).toBe(0);
    expect(tree(path.join(cwd, "prod"))).toEqual({
      "weights.txt": "w=1\n",
      "config/params.json": "{}\n",
    });
    expect(r.stderr).toMatch(
      /warning: tag "prod": skipped 1 newer artifact named dstack-tag--prod from untrusted workflow runs \(artifact \d+ \(workflow run 2001\): fork: /,
    );
  });

  it("an unknown tag: the store's message, exit 1, nothing written", async () => {
    const cwd = fs.mkdtempSync(path.join(tmp, "laptop-"));
    const r = await runDstack(
      ["artifacts", "download", ":nope", "--remote", "--repo", REPO, "-o", "out"],
      cwd,
      { PATH: process.env.PATH, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: rest.url },
    );
    expect(r).toEqual({
      status: 1,
      stdout: "",
      stderr: `dstack: no tag "nope" in ${REPO}: no workflow run has an artifact named dstack-tag--nope\n`,
    });
    expect(fs.readdirSync(cwd)).toEqual([]);
  });
});
