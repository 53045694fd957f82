/**
 * The repository policy in `mode: plan` (the runner workflow's gate) and `mode: dispatch`, run
 * in-process against the real `@actions/core` and the OpenAPI-validated fake GitHub: the policy
 * comes from the default branch (a branch's own `.dstack/policy.yaml` cannot loosen it), GPU
 * models and counts, events, actors and roles are enforced, and a refused job is neither planned
 * nor dispatched. (`mode: plan` and `mode: dispatch` run through `@github/local-action` in
 * plan.test.ts and dispatch.test.ts.)
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type ActionsModel,
  type ContentsModel,
  createActionsModel,
  createContentsModel,
  createPullsModel,
  type FakeGitHub,
  runActionInProcess,
  startFakeGitHub,
} from "@dstack/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const ACTION_DIR = path.resolve(import.meta.dirname, "..");
const OWNER = "octo-org";
const REPO = "octo-repo";
const TOKEN = "ghs_policytesttoken0123456789";

const POLICY = `# .dstack/policy.yaml of the default branch
gpu:
  names: [A100, H100]
  max_count: 4
triggers:
  events: [workflow_dispatch, push]
`;

let tmp: string;
let branch: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "run-python-policy-"));
  // A branch's checkout whose own policy would allow anything: it must not count.
  branch = path.join(tmp, "branch");
  fs.mkdirSync(path.join(branch, ".dstack"), { recursive: true });
  fs.writeFileSync(path.join(branch, "train.py"), "print('training')\n");
  fs.writeFileSync(path.join(branch, ".dstack/policy.yaml"), "gpu:\n  max_count: 64\n");
  fs.writeFileSync(
    path.join(branch, ".dstack/workflows.yaml"),
    "workflows:\n  - name: train\n    provider: python\n    file: train.py\n    resources:\n      gpu:\n        count: 8\n        name: A100\n",
  );
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Fake {
  github: FakeGitHub;
  contents: ContentsModel;
  actions: ActionsModel;
}
const open: FakeGitHub[] = [];
afterEach(async () => {
  for (const g of open.splice(0)) {
    expect(g.problems).toEqual([]);
    await g.close();
  }
});

/** The fake, with `policy` as the default branch's `.dstack/policy.yaml` (`null`: no file). */
async function fake(policy: string | null = POLICY): Promise<Fake> {
  const contents = createContentsModel({
    owner: OWNER,
    repo: REPO,
    defaultBranch: "trunk",
    files: { trunk: policy !== null ? { ".dstack/policy.yaml": policy } : {} },
  });
  const pulls = createPullsModel({
    owner: OWNER,
    repo: REPO,
    roles: { writer: "write", lead: "maintain" },
  });
  const actions = createActionsModel({
    owner: OWNER,
    repo: REPO,
    inputs: {
      job: true,
      "run-name": true,
      tag: false,
      "timeout-minutes": false,
      sha: false,
      "runs-on": false,
    },
    refs: ["trunk"],
  });
  const github = await startFakeGitHub(
    { ...contents.routes, ...pulls.routes, ...actions.routes },
    { conditional: actions.conditional },
  );
  open.push(github);
  return { github, contents, actions };
}

function step(
  f: Fake,
  inputs: Record<string, string>,
  env: Record<string, string> = {},
  workspace = branch,
) {
  return runActionInProcess({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    inputs: { mode: "plan", "github-token": TOKEN, ...inputs },
    env: {
      GITHUB_WORKSPACE: workspace,
      GITHUB_API_URL: f.github.url,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_REF_NAME: "trunk",
      GITHUB_RUN_ID: "991",
      GITHUB_EVENT_NAME: "workflow_dispatch",
      GITHUB_ACTOR: "writer",
      GITHUB_EVENT_PATH: "",
      ...env,
    },
  });
}

describe("the repository policy", { timeout: 60_000 }, () => {
  it("mode: plan refuses 8 GPUs under the default branch's limit of 4, whatever the branch's policy says", async () => {
    const f = await fake();
    const r = await step(f, { workflow: "train" });
    expect(r.failed).toMatch(/policy refuses this run/);
    expect(r.failed).toMatch(/8 GPUs.*at most 4/);
    expect(r.outputs["runs-on"]).toBeUndefined();
    // Annotated at the rule in the policy file: max_count is on line 4.
    expect(
      r.annotations.some((a) => /^\.dstack\/policy\.yaml:4:\d+: gpu\.max_count/.test(a.message)),
    ).toBe(true);
    // The default branch came from the API (no event payload), then its file.
    expect(f.contents.reads).toEqual([{ path: ".dstack/policy.yaml", ref: "trunk" }]);
    expect(r.log).not.toContain(TOKEN);
  });

  it.each<{ name: string; inputs: Record<string, string>; ok: boolean; match?: RegExp }>([
    {
      name: "an allowed model and count",
      inputs: { file: "train.py", gpu: "4", "gpu-name": "H100" },
      ok: true,
    },
    { name: "a CPU-only job", inputs: { file: "train.py" }, ok: true },
    {
      name: "a model the policy leaves out",
      inputs: { file: "train.py", gpu: "1", "gpu-name": "V100" },
      ok: false,
      match: /v100/i,
    },
    {
      name: "GPUs without a model",
      inputs: { file: "train.py", gpu: "1" },
      ok: false,
      match: /A100, H100/,
    },
    {
      name: "5 GPUs",
      inputs: { file: "train.py", gpu: "5", "gpu-name": "A100" },
      ok: false,
      match: /at most 4/,
    },
  ])("mode: plan with inline keys: $name", async ({ inputs, ok, match }) => {
    const f = await fake();
    const r = await step(f, inputs);
    if (ok) {
      expect(r.failed).toBeUndefined();
      expect(JSON.parse(r.outputs["runs-on"] ?? "[]")).toContain("dstack");
    } else {
      expect(r.failed).toMatch(match ?? /./);
      expect(r.outputs["runs-on"]).toBeUndefined();
    }
  });

  it("an event the policy leaves out is refused; the runner workflow's workflow_dispatch by the workflow token passes", async () => {
    const f = await fake(`${POLICY}  actors: [lead]\n`);
    const scheduled = await step(
      f,
      { file: "train.py" },
      { GITHUB_EVENT_NAME: "schedule", GITHUB_ACTOR: "lead" },
    );
    expect(scheduled.failed).toMatch(/schedule/);
    const byBot = await step(f, { file: "train.py" }, { GITHUB_ACTOR: "github-actions[bot]" });
    expect(byBot.failed).toBeUndefined();
    const byOther = await step(f, { file: "train.py" }, { GITHUB_ACTOR: "writer" });
    expect(byOther.failed).toMatch(/writer may not start runs/);
    // A re-run by someone else is checked too.
    const rerun = await step(
      f,
      { file: "train.py" },
      { GITHUB_ACTOR: "lead", GITHUB_TRIGGERING_ACTOR: "writer" },
    );
    expect(rerun.failed).toMatch(/writer/);
  });

  it("triggers.permission reads each actor's role through the REST API", async () => {
    const f = await fake(`${POLICY}  permission: maintain\n`);
    const writer = await step(f, { file: "train.py" }, { GITHUB_ACTOR: "writer" });
    expect(writer.failed).toMatch(/writer has the write role.*maintain or above/);
    const lead = await step(f, { file: "train.py" }, { GITHUB_ACTOR: "lead" });
    expect(lead.failed).toBeUndefined();
    expect(
      f.github.requests.filter((q) => q.operationId === "repos/get-collaborator-permission-level"),
    ).toHaveLength(2);
  });

  it("the default branch is read from the event payload when there is one", async () => {
    const f = await fake();
    const event = path.join(tmp, "dispatch-event.json");
    fs.writeFileSync(
      event,
      JSON.stringify({ repository: { default_branch: "trunk" }, inputs: {} }),
    );
    const r = await step(f, { file: "train.py" }, { GITHUB_EVENT_PATH: event });
    expect(r.failed).toBeUndefined();
    expect(f.github.requests.map((q) => q.operationId)).toEqual(["repos/get-content"]);
  });

  it("no policy file: no limits", async () => {
    const f = await fake(null);
    const r = await step(f, { workflow: "train" });
    expect(r.failed).toBeUndefined();
    expect(r.log).toContain("no .dstack/policy.yaml");
  });

  it("without a token the checkout's policy applies, with a warning", async () => {
    const f = await fake();
    // No repository to ask (an empty github-token input gets the action's default).
    const r = await step(f, { workflow: "train" }, { GITHUB_REPOSITORY: "" });
    // The branch's own policy (64 GPUs) allows the job; the warning says why it was read.
    expect(r.failed).toBeUndefined();
    expect(
      r.annotations.some((a) => a.level === "warning" && /read from the checkout/.test(a.message)),
    ).toBe(true);
    expect(f.github.requests).toHaveLength(0);
  });

  it("a token without contents: read fails the step, naming the permission", async () => {
    const f = await fake();
    f.github.inject("GET /repos/{owner}/{repo}/contents/{path}", {
      answer: {
        status: 403,
        body: {
          message: "Resource not accessible by integration",
          documentation_url: "https://docs.github.com/rest",
        },
      },
    });
    const event = path.join(tmp, "dispatch-event-403.json");
    fs.writeFileSync(event, JSON.stringify({ repository: { default_branch: "trunk" } }));
    const r = await step(f, { file: "train.py" }, { GITHUB_EVENT_PATH: event });
    expect(r.failed).toMatch(/contents: read/);
    expect(r.outputs["runs-on"]).toBeUndefined();
  });

  it("mode: dispatch refuses before dispatching", async () => {
    const f = await fake();
    const r = await step(f, {
      mode: "dispatch",
      workflow: "train",
      "poll-interval-ms": "10",
      "write-spacing-ms": "0",
    });
    expect(r.failed).toMatch(/policy refuses this run/);
    expect(
      f.github.requests.some((q) => q.operationId === "actions/create-workflow-dispatch"),
    ).toBe(false);
    expect(f.actions.runs).toHaveLength(0);
  });
});
