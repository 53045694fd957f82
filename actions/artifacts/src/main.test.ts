/**
 * The artifacts action run in-process against the real `@actions/core` (the workflow runs of
 * {@link LOCAL_ACTION_RUNS} through `@github/local-action` instead, as GitHub runs it), against
 * the real parts of DESIGN.md: the unmodified `@actions/artifact` client with Azurite and the Twirp
 * results-service fake, and the OpenAPI-validated REST fake. Two workflow runs: one uploads with
 * a tag, a later one downloads by the tag without knowing the run.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type ArtifactsRestApi,
  type Azurite,
  type ResultsService,
  startArtifactsRestApi,
  startAzurite,
  startResultsService,
} from "@dstack/artifacts/testing";
import { runActionInProcess, runLocalAction } from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ACTION_DIR = path.resolve(import.meta.dirname, "..");
const REPO = "octo/models";

let azurite: Azurite;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;

beforeAll(async () => {
  azurite = await startAzurite();
  service = await startResultsService({ azurite });
  rest = await startArtifactsRestApi({ service, repository: REPO });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "artifacts-action-"));
}, 60_000);

afterAll(async () => {
  await rest?.close();
  await service?.close();
  await azurite?.stop();
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

function write(root: string, files: Record<string, string | Buffer>): void {
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
}

describe("upload with a tag in one workflow run, download by the tag in a later one", () => {
  const weights = randomBytes(3 * 1024 * 1024);

  it("uploads two folders as one run, tags it, and reports ids, digests and links", async () => {
    const ws = path.join(tmp, "ws-1001");
    write(ws, {
      "output/model/weights.bin": weights,
      "output/model/.secret": "token=1",
      "logs/train.log": "loss 0.1\n".repeat(1000),
    });
    const r = await step(1001, {
      mode: "upload",
      path: "output/model\nlogs",
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
      "dstack--brave-bear-7--output~model",
    ]);
    expect(r.outputs["artifact-digests"]).toBe(
      ids.map((id) => stored.find((a) => String(a.id) === id)?.digest).join(","),
    );
    expect(r.outputs["artifact-urls"]).toBe(
      ids.map((id) => `https://github.com/${REPO}/actions/runs/1001/artifacts/${id}`).join(","),
    );
    expect(service.artifacts().some((a) => a.name === "dstack-tag--best")).toBe(true);
    expect(r.summary).toContain("dstack artifacts: run brave-bear-7");
    expect(r.summary).toContain("output/model");
    expect(r.log).toMatch(/output\/model: left out hidden \.secret/);
    // Checkpoint bytes are stored, not deflated; the log is deflated.
    expect(r.log).toMatch(/output\/model: 1 files.*zipped at level 0/);
    expect(r.log).toMatch(/logs: 1 files.*zipped at level 6/);
  }, 90_000);

  it("a later workflow run downloads :best byte for byte without knowing the run", async () => {
    const r = await step(1002, { mode: "download", tag: "best", "local-path": "restored" });
    expect(r.failed).toBeUndefined();
    const dest = path.join(tmp, "ws-1002", "restored");
    expect(r.outputs).toMatchObject({
      "run-name": "brave-bear-7",
      "workflow-run-id": "1001",
      "download-path": dest,
    });
    expect(fs.readFileSync(path.join(dest, "output/model/weights.bin")).equals(weights)).toBe(true);
    expect(fs.existsSync(path.join(dest, "output/model/.secret"))).toBe(false);
    expect(fs.readFileSync(path.join(dest, "logs/train.log"), "utf8")).toContain("loss 0.1");
  }, 90_000);

  it("downloads one artifact path of a run by name", async () => {
    const r = await step(1003, {
      mode: "download",
      run: "brave-bear-7",
      "artifact-path": "logs",
      "local-path": "only-logs",
    });
    expect(r.failed).toBeUndefined();
    expect(fs.readdirSync(path.join(tmp, "ws-1003", "only-logs"))).toEqual(["train.log"]);
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
      failed: /path "nowhere": no such file or folder to upload \(if-no-files-found: error\)/,
    },
    {
      name: "artifact-path with two paths",
      inputs: { mode: "upload", path: "a\nb", "artifact-path": "model" },
      failed: /artifact-path: "model" names where one path goes, but path has 2/,
    },
    {
      name: "a compression level that is not one",
      inputs: { mode: "upload", path: "a", compression: "fast" },
      failed: /compression: "fast" is not allowed; use auto, or a zip level 0 \(store\) to 9/,
    },
    {
      name: "a path outside the workspace without an artifact path",
      inputs: { mode: "upload", path: "/etc/hostname" },
      failed: /path: "\/etc\/hostname" is outside the workspace.*name one with artifact-path/,
    },
  ];
  it.each(cases)("$name", async ({ inputs, failed }) => {
    const before = service.artifacts().length;
    const r = await step(2000 + cases.findIndex((c) => c.inputs === inputs), inputs);
    expect(r.failed).toMatch(failed);
    expect(service.artifacts().length).toBe(before);
  });

  it("an empty folder with if-no-files-found: error fails, naming it", async () => {
    fs.mkdirSync(path.join(tmp, "ws-2050", "empty"), { recursive: true });
    const r = await step(2050, { mode: "upload", path: "empty", "if-no-files-found": "error" });
    expect(r.failed).toMatch(
      /path "empty": the folder holds no files to upload \(if-no-files-found: error\)/,
    );
  });

  it("a missing path only warns by default, and nothing is uploaded", async () => {
    const r = await step(2100, { mode: "upload", path: "nowhere" });
    expect(r.failed).toBeUndefined();
    expect(r.annotations).toContainEqual({
      level: "warning",
      message: expect.stringMatching(
        /path "nowhere": no such file or folder to upload; nothing uploaded/,
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
