/**
 * `dstack metrics diff RUN_A RUN_B --remote`: both runs' `metrics/` downloaded from GitHub
 * Actions artifacts uploaded by `GitHubStore` in workflow runs (the unmodified `@actions/artifact`
 * client, Azurite, the results-service fake, the OpenAPI-validated REST fake), a fork's newer tag
 * skipped by the store's trust rules.
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
const TOKEN = "ghp_cli_metrics_token_for_tests";
const ENV_KEYS = ["ACTIONS_RUNTIME_TOKEN", "ACTIONS_RESULTS_URL", "GITHUB_API_URL"] as const;

let storage: ActionsStorage;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;
const saved = new Map<string, string | undefined>();

/** Uploads `metrics/metrics.jsonl` with `val_loss` values at steps 1.. as `runName`'s. */
async function saveMetrics(store: GitHubStore, runName: string, values: number[], tag?: string) {
  const dir = path.join(tmp, runName, "metrics");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(
    path.join(dir, "metrics.jsonl"),
    values.map((v, i) => `${JSON.stringify({ step: i + 1, val_loss: v })}\n`).join(""),
  );
  await store.upload({
    runName,
    localPath: dir,
    artifactPath: "metrics",
    ...(tag ? { tag } : {}),
  });
}

beforeAll(async () => {
  for (const k of ENV_KEYS) saved.set(k, process.env[k]);
  storage = await startActionsStorage({ repository: REPO });
  ({ service, rest } = storage);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dstack-cli-metrics-"));
  // The artifact client reads GITHUB_API_URL once, when first loaded.
  process.env.GITHUB_API_URL = rest.url;
  const store = new GitHubStore({ token: TOKEN, repository: REPO, apiUrl: rest.url });
  Object.assign(process.env, service.envFor(rest.workflowRun(1001)));
  await saveMetrics(store, "base-bee-1", [1.0, 0.5]);
  Object.assign(process.env, service.envFor(rest.workflowRun(1002)));
  await saveMetrics(store, "new-newt-2", [0.9, 0.4], "cand");
  // A fork's pull_request run tags its own, better-looking metrics `cand` later.
  const fork = rest.workflowRun(2001, {
    event: "pull_request",
    workflowFile: "ci.yml",
    fork: true,
  });
  Object.assign(process.env, service.envFor(fork));
  await saveMetrics(store, "evil-eel-1", [0.01, 0.001], "cand");
  // Runs whose markers record their job's directions, as mode run writes them.
  const recorded = (metrics: Record<string, "min" | "max">) =>
    new GitHubStore({
      token: TOKEN,
      repository: REPO,
      apiUrl: rest.url,
      writeSpacingMs: 0,
      runMarker: { workflow: "train", untrusted: false, metrics },
    });
  Object.assign(process.env, service.envFor(rest.workflowRun(1003)));
  await saveMetrics(recorded({ val_loss: "max" }), "max-ram-1", [1.0, 0.5]);
  Object.assign(process.env, service.envFor(rest.workflowRun(1004)));
  await saveMetrics(recorded({ val_loss: "max" }), "max-rat-2", [0.9, 0.4]);
  Object.assign(process.env, service.envFor(rest.workflowRun(1005)));
  await saveMetrics(recorded({ val_loss: "min" }), "min-yak-1", [1.0, 0.5]);
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

describe("dstack metrics diff --remote", () => {
  it("compares a run with a tag's trusted run, skipping a fork's newer tag", async () => {
    const cwd = fs.mkdtempSync(path.join(tmp, "laptop-"));
    const r = await runDstack(
      ["metrics", "diff", "base-bee-1", ":cand", "--remote", "--repo", REPO],
      cwd,
      { PATH: process.env.PATH, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: rest.url },
    );
    expect(r.status).toBe(0);
    const lines = r.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^METRIC\s+base-bee-1\s+new-newt-2\s+CHANGE$/);
    expect(lines[1]).toMatch(/^val_loss ↓\s+0\.5\s+0\.4\s+-0\.1 \(-20\.0%\) better$/);
    expect(r.stdout).not.toContain("evil-eel-1");
    expect(r.stderr).toMatch(/warning: tag "cand": skipped 1 newer artifact .* fork: /);
    expect(r.stderr).not.toContain(TOKEN);
    expect(rest.github.problems).toEqual([]);
  });

  it.each([
    {
      name: "its only workflow's",
      workflows: "  - name: train\n    file: t.py\n    metrics: { val_loss: max }\n",
      argv: [],
      row: /^val_loss ↑\s+0\.5\s+0\.4\s+-0\.1 \(-20\.0%\) worse$/,
      stderr: "",
    },
    {
      name: "--workflow's, of two that disagree",
      workflows:
        "  - name: train\n    file: t.py\n    metrics: { val_loss: max }\n  - name: tune\n    file: t.py\n    metrics: { val_loss: min }\n",
      argv: ["--workflow", "train"],
      row: /^val_loss ↑\s+0\.5\s+0\.4\s+-0\.1 \(-20\.0%\) worse$/,
      stderr: "",
    },
    {
      name: "the name rule's where two workflows disagree, said in a warning",
      workflows:
        "  - name: train\n    file: t.py\n    metrics: { val_loss: max }\n  - name: tune\n    file: t.py\n    metrics: { val_loss: min }\n",
      argv: [],
      row: /^val_loss ↓\s+0\.5\s+0\.4\s+-0\.1 \(-20\.0%\) better$/,
      stderr:
        "warning: metrics: val_loss is max in train and min in tune; judged by the name rule (choose with --workflow)\n",
    },
  ])(
    "judges by this checkout's workflows file: $name",
    async ({ workflows, argv, row, stderr }) => {
      const cwd = fs.mkdtempSync(path.join(tmp, "laptop-"));
      fs.mkdirSync(path.join(cwd, ".dstack"));
      fs.writeFileSync(path.join(cwd, ".dstack/workflows.yaml"), `workflows:\n${workflows}`);
      fs.writeFileSync(path.join(cwd, "t.py"), "");
      const r = await runDstack(
        ["metrics", "diff", "base-bee-1", "new-newt-2", "--remote", "--repo", REPO, ...argv],
        cwd,
        { PATH: process.env.PATH, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: rest.url },
      );
      expect(r.status).toBe(0);
      expect(r.stdout.trim().split("\n")[1]).toMatch(row);
      expect(r.stderr).toBe(stderr);
    },
  );

  // This checkout's file says val_loss: min (lower is better); the runs' markers may say max.
  it.each([
    {
      name: "both markers' max over the checkout's min",
      argv: ["max-ram-1", "max-rat-2"],
      row: /^val_loss ↑\s+0\.5\s+0\.4\s+-0\.1 \(-20\.0%\) worse$/,
    },
    {
      name: "B's max where the markers differ",
      argv: ["min-yak-1", "max-rat-2"],
      row: /^val_loss ↑\s+0\.5\s+0\.4\s+-0\.1 \(-20\.0%\) worse$/,
    },
    {
      name: "A's marker records none: the checkout's min, B's max over it",
      argv: ["base-bee-1", "max-rat-2"],
      row: /^val_loss ↑\s+0\.5\s+0\.4\s+-0\.1 \(-20\.0%\) worse$/,
    },
    {
      name: "A's max, B's marker records none: the checkout's min over it",
      argv: ["max-ram-1", "new-newt-2"],
      row: /^val_loss ↓\s+0\.5\s+0\.4\s+-0\.1 \(-20\.0%\) better$/,
    },
    {
      name: "--workflow's min over the markers",
      argv: ["max-ram-1", "max-rat-2", "--workflow", "train"],
      row: /^val_loss ↓\s+0\.5\s+0\.4\s+-0\.1 \(-20\.0%\) better$/,
    },
  ])("judges by the runs' recorded directions: $name", async ({ argv, row }) => {
    const cwd = fs.mkdtempSync(path.join(tmp, "laptop-"));
    fs.mkdirSync(path.join(cwd, ".dstack"));
    fs.writeFileSync(
      path.join(cwd, ".dstack/workflows.yaml"),
      "workflows:\n  - name: train\n    file: t.py\n    metrics: { val_loss: min }\n",
    );
    fs.writeFileSync(path.join(cwd, "t.py"), "");
    const r = await runDstack(["metrics", "diff", ...argv, "--remote", "--repo", REPO], cwd, {
      PATH: process.env.PATH,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: rest.url,
    });
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")[1]).toMatch(row);
  });

  it.each([
    {
      name: "an unknown run: the store's message, exit 1",
      argv: ["metrics", "diff", "base-bee-1", "nope-gnu-9", "--remote", "--repo", REPO],
      status: 1,
      stderr: /run "nope-gnu-9"/,
    },
    {
      name: "--repo without --remote is a usage error",
      argv: ["metrics", "diff", "base-bee-1", "new-newt-2", "--repo", REPO],
      status: 2,
      stderr: /--repo: only with --remote/,
    },
  ])("$name", async ({ argv, status, stderr }) => {
    const cwd = fs.mkdtempSync(path.join(tmp, "laptop-"));
    const r = await runDstack(argv, cwd, {
      PATH: process.env.PATH,
      GITHUB_TOKEN: TOKEN,
      GITHUB_API_URL: rest.url,
    });
    expect(r.status).toBe(status);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(stderr);
  });
});
