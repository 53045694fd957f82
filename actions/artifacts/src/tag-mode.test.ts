/**
 * `mode: tag` run in-process against the real `@actions/core`, the unmodified `@actions/artifact`
 * client with Azurite and the results-service fake, and the OpenAPI-validated REST fake: a step
 * of a tag-only workflow run points a tag at a run another workflow run made, and refuses runs
 * of untrusted code (a fork's pull request, a pull-request command's run).
 */
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
  startActionsStorage,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ACTION_DIR = path.resolve(import.meta.dirname, "..");
const REPO = "octo/models";
const TOKEN = "ghs_fake_token_for_tag_mode";

let storage: ActionsStorage;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;

beforeAll(async () => {
  storage = await startActionsStorage({ repository: REPO });
  ({ service, rest } = storage);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "artifacts-tag-mode-"));
  // The runs to tag, uploaded as their own steps would.
  const upload = async (
    run: BackendIds,
    runName: string,
    options: Partial<ConstructorParameters<typeof GitHubStore>[0]> = {},
  ) => {
    const dir = fs.mkdtempSync(path.join(tmp, "model-"));
    fs.writeFileSync(path.join(dir, "weights.bin"), runName);
    const env = { ...service.envFor(run), GITHUB_API_URL: rest.url };
    const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
    Object.assign(process.env, env);
    try {
      await new GitHubStore({
        token: TOKEN,
        repository: REPO,
        apiUrl: rest.url,
        warn: () => {},
        writeSpacingMs: 0,
        ...options,
      }).upload({ runName, localPath: dir, artifactPath: "model" });
    } finally {
      for (const [k, v] of Object.entries(saved)) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    }
  };
  await upload(rest.workflowRun(1001), "brave-bear-7");
  await upload(rest.workflowRun(1002), "calm-cat-2");
  await upload(
    rest.workflowRun(2001, { event: "pull_request", workflowFile: "ci.yml", fork: true }),
    "evil-eel-1",
  );
  await upload(rest.workflowRun(3001, { event: "repository_dispatch" }), "pr-eel-1", {
    pullRequest: 12,
    runMarker: { workflow: "train", untrusted: true, pullRequest: 12 },
  });
}, 60_000);

afterAll(async () => {
  await storage?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** The tag step of tag-only workflow run `id`. */
function tagStep(id: number, inputs: Record<string, string>) {
  const workspace = fs.mkdtempSync(path.join(tmp, "ws-"));
  return runActionInProcess({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    inputs: { mode: "tag", "github-token": TOKEN, ...inputs },
    env: {
      ...service.envFor(rest.workflowRun(id, { title: `tag-run-${id}` })),
      GITHUB_API_URL: rest.url,
      GITHUB_REPOSITORY: REPO,
      GITHUB_RUN_ID: String(id),
      GITHUB_WORKSPACE: workspace,
    },
  });
}

const tagArtifacts = (tag: string) =>
  service.artifacts().filter((a) => a.finalized && a.name === `dstack-tag--${tag}`);

describe("mode: tag", () => {
  it("points the tag at the run made by another workflow run, in this one", async () => {
    const r = await tagStep(4001, { run: "brave-bear-7", tag: "best" });
    expect(r.failed).toBeUndefined();
    const [tag] = tagArtifacts("best");
    expect(r.outputs).toMatchObject({
      "run-name": "brave-bear-7",
      "workflow-run-id": "1001",
      "artifact-ids": String(tag?.id),
      "artifact-digests": tag?.digest,
    });
    expect(r.log).toContain("tag best -> brave-bear-7 (workflow run 1001;");
    expect(r.summary).toContain("Tagged <code>best</code> -> run <code>brave-bear-7</code>");
    const resolved = await new GitHubStore({
      token: TOKEN,
      repository: REPO,
      apiUrl: rest.url,
      writeSpacingMs: 0,
    }).resolveTag("best");
    expect(resolved).toMatchObject({
      runName: "brave-bear-7",
      workflowRunId: 1001,
      taggedBy: { workflowRunId: 4001, title: "tag-run-4001" },
    });
  });

  it("moving a tag says from which run, in the local command's words", async () => {
    const r = await tagStep(4004, { run: "calm-cat-2", tag: "best" });
    expect(r.failed).toBeUndefined();
    expect(r.log).toContain("tag best moved from brave-bear-7 to calm-cat-2 (workflow run 1002;");
    // Back, for the cases below.
    expect((await tagStep(4005, { run: "brave-bear-7", tag: "best" })).failed).toBeUndefined();
  });

  const refused = [
    {
      name: "a fork's pull request run",
      run: "evil-eel-1",
      failed: /no trusted run "evil-eel-1" in octo\/models/,
    },
    {
      name: "a pull-request command's run",
      run: "pr-eel-1",
      failed: /run "pr-eel-1" \(workflow run 3001\) ran pull request #12's code/,
    },
    {
      name: "a run that does not exist",
      run: "nope-nope-1",
      failed: /no run "nope-nope-1" in octo\/models/,
    },
  ];
  it.each(refused)("refuses $name: the step fails and no tag is written", async (c) => {
    const r = await tagStep(4002, { run: c.run, tag: "prod" });
    expect(r.failed).toMatch(c.failed);
    expect(r.exitCode).toBe(1);
    expect(tagArtifacts("prod")).toHaveLength(0);
  });

  it("needs both run and tag", async () => {
    const r = await tagStep(4003, { tag: "prod" });
    expect(r.failed).toBe(
      "run: required for mode tag; give the run to tag (run) and the tag (tag)",
    );
  });

  it("every request and answer matched GitHub's OpenAPI description", () => {
    expect(rest.github.problems).toEqual([]);
  });
});
