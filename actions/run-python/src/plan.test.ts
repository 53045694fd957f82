/**
 * `mode: plan` run in-process against the real `@actions/core` (the first case end to end
 * through `@github/local-action`, GitHub's own local runner), on the examples and on inline keys;
 * the `runs-on` it prints is checked against the runner labels `@dstack/spec` gives hosts (a
 * runner that has the resources matches, one that lacks them does not).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { jobLabels, labelsMatch, runnerLabels } from "@dstack/spec";
import { REPO_ROOT, runActionInProcess, runLocalAction } from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ACTION_DIR = path.resolve(import.meta.dirname, "..");
const GB = 1e9;
let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "run-python-plan-"));
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

function plan(
  inputs: Record<string, string>,
  workspace = path.join(REPO_ROOT, "examples/train"),
  runner: typeof runLocalAction = runActionInProcess,
) {
  return runner({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    inputs: { mode: "plan", "github-token": "ghs_fake", ...inputs },
    env: { GITHUB_WORKSPACE: workspace },
  });
}

const a100x8 = {
  cpus: 64,
  memoryBytes: 512 * GB,
  gpus: Array.from({ length: 8 }, () => ({
    name: "NVIDIA A100-SXM4-80GB",
    memoryBytes: 81920 * 2 ** 20,
  })),
  shmSizeBytes: 64 * GB,
  interruptible: false,
};
const cpuOnly = { cpus: 4, memoryBytes: 16 * GB, gpus: [], interruptible: false };

describe("mode: plan", () => {
  it("plans the train workflow of examples/train: labels, job JSON, python-version", async () => {
    // End to end: through @github/local-action, a process of its own, as GitHub runs the step.
    const r = await plan({ workflow: "train" }, undefined, runLocalAction);
    expect(r.failed).toBeUndefined();
    const runsOn = JSON.parse(r.outputs["runs-on"] ?? "null") as string[];
    expect(runsOn).toEqual(
      expect.arrayContaining(["self-hosted", "dstack", "no-gpu", "on-demand", "cpu-ge-1"]),
    );
    expect(labelsMatch(runsOn, runnerLabels(cpuOnly))).toBe(true);
    expect(labelsMatch(runsOn, runnerLabels(a100x8))).toBe(false);
    const job = JSON.parse(r.outputs.job ?? "null");
    expect(job).toMatchObject({
      name: "train",
      file: "train.py",
      artifacts: ["checkpoints", "metrics"],
    });
    expect(r.outputs["python-version"]).toBe("");
  }, 90_000);

  it("plans inline keys asking for 2 A100s of 40GB: an 8xA100 runner matches, a CPU runner does not", async () => {
    const r = await plan({
      file: "train.py",
      gpu: "2",
      "gpu-name": "A100",
      "gpu-memory": "40GB",
      memory: "64GB",
      "python-version": "3.11",
    });
    expect(r.failed).toBeUndefined();
    const runsOn = JSON.parse(r.outputs["runs-on"] ?? "null") as string[];
    expect(runsOn).toContain("gpu-a100");
    expect(runsOn).toContain("gpu-count-ge-2");
    expect(labelsMatch(runsOn, runnerLabels(a100x8))).toBe(true);
    expect(labelsMatch(runsOn, runnerLabels(cpuOnly))).toBe(false);
    const expected = jobLabels({
      gpu: { count: 2, name: "a100", memoryBytes: 40 * GB },
      memoryBytes: 64 * GB,
      interruptible: false,
    });
    expect(runsOn).toEqual("labels" in expected ? expected.labels : []);
    expect(r.outputs["python-version"]).toBe("3.11");
  });

  it("the job output of a plan is accepted as the job input of the next step", async () => {
    const first = await plan({ workflow: "train" });
    const second = await plan({ job: first.outputs.job ?? "" });
    expect(second.failed).toBeUndefined();
    expect(second.outputs).toEqual(first.outputs);
  });
});

describe("bad input fails the step, saying what and where", () => {
  it("an unknown workflow, with a did-you-mean", async () => {
    const r = await plan({ workflow: "trian" });
    expect(r.failed).toMatch(/the job has 1 problem/);
    expect(r.annotations.map((a) => a.message).join("\n")).toMatch(/"trian".*did you mean "train"/);
  });

  it("both workflow and inline keys", async () => {
    const r = await plan({ workflow: "train", gpu: "1" });
    expect(r.failed).toMatch(
      /workflow: "train" names a workflow .* leave out the inline keys \(gpu\)/,
    );
  });

  it("a bad size in the workflows file is annotated at its file, line and column", async () => {
    const repo = path.join(tmp, "bad-size");
    fs.mkdirSync(path.join(repo, ".dstack"), { recursive: true });
    fs.writeFileSync(path.join(repo, "train.py"), "print(1)\n");
    fs.writeFileSync(
      path.join(repo, ".dstack/workflows.yaml"),
      "workflows:\n  - name: train\n    provider: python\n    file: train.py\n    resources:\n      memory: 16GBB\n",
    );
    const r = await plan({ workflow: "train" }, repo);
    expect(r.failed).toMatch(/the job has 1 problem/);
    expect(r.log).toMatch(
      /::error file=\.dstack\/workflows\.yaml,line=6,.*col=15.*::.*resources\.memory: "16GBB" has an unknown unit/,
    );
  });

  it("a bad inline count names the input", async () => {
    const r = await plan({ file: "train.py", gpu: "two" });
    expect(r.annotations.map((a) => a.message).join("\n")).toMatch(/gpu \(resources\.gpu\.count\)/);
  });

  it("more GPUs than any runner label expresses", async () => {
    const r = await plan({ file: "train.py", gpu: "64" });
    expect(r.failed).toMatch(/no runner labels express this job's resources: .*64/);
  });
});
