/**
 * `dstack tags list|delete|add --remote` against the real parts: tags written by `GitHubStore`
 * in workflow runs (the unmodified `@actions/artifact` client, Azurite and the results-service
 * fake), then listed and deleted from a laptop through the CLI (the OpenAPI-validated REST
 * fake), with only a token in the environment; the JSON shape compared with the local command's.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { GitHubStore } from "@dstack/artifacts/github";
import {
  type ActionsStorage,
  ARTIFACT_ROUTES,
  type ArtifactsRestApi,
  type ResultsService,
  startActionsStorage,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runDstack } from "./testing.js";

const REPO = "octo/models";
const TOKEN = "ghp_cli_tags_token_for_tests";
const ENV_KEYS = ["ACTIONS_RUNTIME_TOKEN", "ACTIONS_RESULTS_URL", "GITHUB_API_URL"] as const;

let storage: ActionsStorage;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;
const saved = new Map<string, string | undefined>();

beforeAll(async () => {
  for (const k of ENV_KEYS) saved.set(k, process.env[k]);
  storage = await startActionsStorage({ repository: REPO });
  ({ service, rest } = storage);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dstack-cli-tags-"));
  process.env.GITHUB_API_URL = rest.url;
  // A trusted run tags brave-bear-7 `best` and `prod`; a fork's pull_request run then tags its
  // own run `prod` (newer, untrusted: never listed).
  Object.assign(process.env, service.envFor(rest.workflowRun(1001)));
  const store = new GitHubStore({
    token: TOKEN,
    repository: REPO,
    apiUrl: rest.url,
    writeSpacingMs: 0,
  });
  await store.setTag({ tag: "best", runName: "brave-bear-7" });
  await store.setTag({ tag: "prod", runName: "brave-bear-7" });
  Object.assign(
    process.env,
    service.envFor(
      rest.workflowRun(2001, { event: "pull_request", workflowFile: "ci.yml", fork: true }),
    ),
  );
  await store.setTag({ tag: "prod", runName: "evil-eel-1" });
  // A fork run alone tags `forked`: no trusted tagging, so no such tag.
  await store.setTag({ tag: "forked", runName: "evil-eel-1" });
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

function dstack(argv: string[]) {
  const cwd = fs.mkdtempSync(path.join(tmp, "laptop-"));
  return runDstack([...argv, "--remote", "--repo", REPO], cwd, {
    PATH: process.env.PATH,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: rest.url,
  });
}

const tagArtifacts = (tag: string) =>
  service.artifacts().filter((a) => a.finalized && a.name === `dstack-tag--${tag}`);

describe("dstack tags --remote", () => {
  it("list --json: the trusted tags only, in the local command's shape", async () => {
    const r = await dstack(["tags", "list", "--json"]);
    expect(r.status).toBe(0);
    const tags = JSON.parse(r.stdout) as Record<string, unknown>[];
    expect(tags).toEqual([
      { tag: "best", runName: "brave-bear-7", createdAt: expect.any(String) },
      { tag: "prod", runName: "brave-bear-7", createdAt: expect.any(String) },
    ]);
    expect(r.stderr).toMatch(
      /warning: tag "prod": skipped 1 newer artifact named dstack-tag--prod/,
    );

    // The local command, in a repository with one tag: the same keys.
    const home = fs.mkdtempSync(path.join(tmp, "home-"));
    const repo = fs.mkdtempSync(path.join(tmp, "repo-"));
    fs.mkdirSync(path.join(repo, ".git"));
    fs.mkdirSync(path.join(repo, "data"));
    fs.writeFileSync(path.join(repo, "data/x.txt"), "x\n");
    const env = { PATH: process.env.PATH, DSTACK_HOME: home, HOME: home };
    expect((await runDstack(["tags", "add", "local", "-a", "data"], repo, env)).status).toBe(0);
    const local = JSON.parse((await runDstack(["tags", "list", "--json"], repo, env)).stdout);
    expect(Object.keys(local[0]).sort()).toEqual(Object.keys(tags[0] ?? {}).sort());
  });

  it("list: the local command's table", async () => {
    const r = await dstack(["tags", "list"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TAG\s+RUN\s+MADE BY\s+CREATED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 3))).toEqual([
      ["best", "brave-bear-7", "-"],
      ["prod", "brave-bear-7", "-"],
    ]);
  });

  const refused = [
    {
      name: "a pull request's reserved tag",
      tag: "pr-12.best",
      stderr:
        /^dstack: tag "pr-12\.best": names starting with pr-<number>\. are the tags of pull requests' runs/,
    },
    {
      name: "an unknown tag",
      tag: "nope",
      stderr:
        /^dstack: no tag "nope" in octo\/models: no workflow run has an artifact named dstack-tag--nope\n$/,
    },
  ];
  it.each(refused)("delete of $name is refused, nothing deleted", async ({ tag, stderr }) => {
    const before = service.artifacts().length;
    const r = await dstack(["tags", "delete", tag]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(stderr);
    expect(service.artifacts()).toHaveLength(before);
  });

  it("delete with a token without actions: write names the permission", async () => {
    rest.github.inject(ARTIFACT_ROUTES.deleteArtifact, {
      answer: { status: 403, body: { message: "Resource not accessible by integration" } },
    });
    const r = await dstack(["tags", "delete", "best"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the token needs the "actions: write" permission on octo/models');
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(rest.github.pendingFaults(ARTIFACT_ROUTES.deleteArtifact)).toBe(0);
    expect(tagArtifacts("best")).toHaveLength(1);
  });

  it("delete removes every artifact of the tag, the fork's too; the tag is gone", async () => {
    expect(tagArtifacts("prod")).toHaveLength(2);
    const r = await dstack(["tags", "delete", "prod"]);
    expect(r).toMatchObject({ status: 0, stderr: "tag prod deleted\n" });
    expect(tagArtifacts("prod")).toHaveLength(0);
    const list = await dstack(["tags", "list", "--json"]);
    expect(JSON.parse(list.stdout).map((t: { tag: string }) => t.tag)).toEqual(["best"]);
    expect(rest.github.problems).toEqual([]);
  });

  it("add --remote says why GitHub cannot take a tag from a laptop, and what works", async () => {
    const r = await dstack(["tags", "add", "best", "brave-bear-7"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("GitHub accepts artifacts only from a running workflow run");
    expect(r.stderr).toContain("dstack run --remote --tag best");
  });
});
