/**
 * `mode: command` run in-process against the real `@actions/core` (the first case end to end
 * through `@github/local-action`, GitHub's own local runner), on real
 * `issue_comment` payloads from `@octokit/webhooks-examples` (made comments on a pull request),
 * against one OpenAPI-validated fake GitHub serving both the pull-request model (roles, pull
 * requests, comments, reactions, statuses) and the Actions model (the runner workflow).
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import {
  type ActionsModel,
  type ContentsModel,
  createActionsModel,
  createContentsModel,
  createPullsModel,
  createSimulatedClock,
  type FakeGitHub,
  type FakeHandler,
  type PullsModel,
  runActionInProcess,
  runLocalAction,
  startFakeGitHub,
} from "@dstack/testing";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";

const ACTION_DIR = path.resolve(import.meta.dirname, "..");
const TOKEN = "ghs_commandtesttoken0123456789";
const OWNER = "Codertocat";
const REPO = "Hello-World";
const HEAD = "c".repeat(40);
const COMMITS = ["a".repeat(40), "b".repeat(40), HEAD];

let tmp: string;
let workspace: string;
beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "run-python-command-"));
  workspace = path.join(tmp, "default-branch");
  fs.mkdirSync(path.join(workspace, ".dstack"), { recursive: true });
  fs.writeFileSync(path.join(workspace, "train.py"), "print('training')\n");
  fs.writeFileSync(
    path.join(workspace, ".dstack/workflows.yaml"),
    "workflows:\n  - name: train\n    provider: python\n    file: train.py\n    artifacts: [model]\n    resources:\n      gpu: 1\n",
  );
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

interface Fake {
  github: FakeGitHub;
  actions: ActionsModel;
  pulls: PullsModel;
  contents: ContentsModel;
}
const open: Fake[] = [];
afterEach(async () => {
  for (const f of open.splice(0)) {
    expect(f.github.problems).toEqual([]);
    await f.github.close();
  }
});

/** The fake, with `.dstack/policy.yaml` on the default branch when `policy` is given. */
async function fake(policy?: string): Promise<Fake> {
  const actions = createActionsModel({
    owner: OWNER,
    repo: REPO,
    // The workflow_dispatch inputs of .github/workflows/dstack-run.yml.
    inputs: {
      job: true,
      "run-name": true,
      tag: false,
      "timeout-minutes": false,
      sha: false,
      untrusted: false,
      "pull-request": false,
      "runs-on": false,
    },
    // The default branch of the examples' repository: where commands dispatch the runner workflow.
    refs: ["master"],
    queuedMs: 10_000,
    durationMs: 20_000,
    clock: createSimulatedClock(Date.now()),
    jobs: [{ name: "Run", log: "epoch 1 loss 0.4\n" }],
  });
  const pulls = createPullsModel({
    owner: OWNER,
    repo: REPO,
    roles: { maintainer: "write", reader: "read" },
    pulls: [{ number: 1, commits: COMMITS, labels: [] }],
  });
  // The examples' repository: its default branch is master.
  const contents = createContentsModel({
    owner: OWNER,
    repo: REPO,
    defaultBranch: "master",
    files: { master: policy !== undefined ? { ".dstack/policy.yaml": policy } : {} },
  });
  const routes: Record<string, FakeHandler> = { ...pulls.routes, ...contents.routes };
  for (const [key, handler] of Object.entries(actions.routes)) {
    // The Actions model's clock moves 5 s at every request it answers: runs end in a few polls.
    routes[key] = (request, context) => {
      actions.clock.advance(5000);
      return handler(request, context);
    };
  }
  const github = await startFakeGitHub(routes, { conditional: actions.conditional });
  const f = { github, actions, pulls, contents };
  open.push(f);
  return f;
}

/** GitHub's `issue_comment.created` example, made a comment on pull request #1. */
function commentEvent(body: string, login: string): string {
  const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as {
    name: string;
    examples: { action?: string }[];
  }[];
  const example = structuredClone(
    definitions
      .find((d) => d.name === "issue_comment")
      ?.examples.find((e) => e.action === "created"),
    // biome-ignore lint/suspicious/noExplicitAny: a webhook payload adapted field by field
  ) as Record<string, any>;
  example.issue.number = 1;
  example.issue.pull_request = {
    url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/1`,
    html_url: `https://github.com/${OWNER}/${REPO}/pull/1`,
    diff_url: `https://github.com/${OWNER}/${REPO}/pull/1.diff`,
    patch_url: `https://github.com/${OWNER}/${REPO}/pull/1.patch`,
  };
  example.comment.body = body;
  example.comment.user.login = login;
  const file = path.join(tmp, `event-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(example));
  return file;
}

/** GitHub's `pull_request` example of `action`, made pull request #1 at {@link HEAD} by `sender`. */
function pullRequestEvent(action: "labeled" | "synchronize", sender: string): string {
  const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as {
    name: string;
    examples: { action?: string }[];
  }[];
  const example = structuredClone(
    definitions.find((d) => d.name === "pull_request")?.examples.find((e) => e.action === action),
    // biome-ignore lint/suspicious/noExplicitAny: a webhook payload adapted field by field
  ) as Record<string, any>;
  example.number = 1;
  example.pull_request.number = 1;
  example.pull_request.head.sha = HEAD;
  if (action === "synchronize") example.after = HEAD;
  const template = example.pull_request.labels[0] ?? {
    id: 1,
    name: "x",
    color: "fff",
    default: false,
  };
  example.pull_request.labels = [{ ...template, name: "dstack-run" }];
  if (example.label) example.label.name = "dstack-run";
  example.sender.login = sender;
  const file = path.join(tmp, `event-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(example));
  return file;
}

function label(f: Fake, action: "labeled" | "synchronize", sender: string) {
  return runActionInProcess({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    inputs: {
      mode: "command",
      "github-token": TOKEN,
      "poll-interval-ms": "10",
      "write-spacing-ms": "0",
      label: "dstack-run",
      workflow: "train",
    },
    env: {
      GITHUB_WORKSPACE: workspace,
      GITHUB_API_URL: f.github.url,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_RUN_ID: "778",
      GITHUB_EVENT_NAME: "pull_request",
      GITHUB_EVENT_PATH: pullRequestEvent(action, sender),
    },
  });
}

function command(
  f: Fake,
  body: string,
  login: string,
  runner: typeof runLocalAction = runActionInProcess,
) {
  return runner({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    inputs: {
      mode: "command",
      "github-token": TOKEN,
      "poll-interval-ms": "10",
      "write-spacing-ms": "0",
    },
    env: {
      GITHUB_WORKSPACE: workspace,
      GITHUB_API_URL: f.github.url,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_REF_NAME: "main",
      GITHUB_RUN_ID: "777",
      GITHUB_EVENT_NAME: "issue_comment",
      GITHUB_EVENT_PATH: commentEvent(body, login),
    },
  });
}

/**
 * GitHub's `repository_dispatch` example, made `event_type: dstack-run` with `clientPayload`,
 * sent by `sender` to this repository.
 */
function repositoryDispatchEvent(clientPayload: unknown, sender: string, eventType = "dstack-run") {
  const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as {
    name: string;
    examples: unknown[];
  }[];
  const example = structuredClone(
    definitions.find((d) => d.name === "repository_dispatch")?.examples[0],
    // biome-ignore lint/suspicious/noExplicitAny: a webhook payload adapted field by field
  ) as Record<string, any>;
  example.action = eventType;
  example.client_payload = clientPayload;
  example.repository.owner.login = OWNER;
  example.repository.name = REPO;
  example.repository.full_name = `${OWNER}/${REPO}`;
  example.sender.login = sender;
  const file = path.join(tmp, `event-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(example));
  return file;
}

function repositoryDispatch(f: Fake, clientPayload: unknown, sender: string) {
  return runActionInProcess({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    inputs: {
      mode: "command",
      "github-token": TOKEN,
      "poll-interval-ms": "10",
      "write-spacing-ms": "0",
    },
    env: {
      GITHUB_WORKSPACE: workspace,
      GITHUB_API_URL: f.github.url,
      GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
      GITHUB_RUN_ID: "779",
      GITHUB_EVENT_NAME: "repository_dispatch",
      GITHUB_EVENT_PATH: repositoryDispatchEvent(clientPayload, sender),
    },
  });
}

const POLICY = `# The team's guard on cost
gpu:
  names: [A100, H100]
  max_count: 4
triggers:
  events: [issue_comment, repository_dispatch, workflow_dispatch]
`;

const dispatches = (f: Fake) =>
  f.github.requests.filter((r) => r.operationId === "actions/create-workflow-dispatch");

describe("mode: command", { timeout: 90_000 }, () => {
  it("a maintainer's /dstack run: pinned to the head, dispatched on the default branch, sticky comment and status follow the run", async () => {
    const f = await fake();
    // End to end: through @github/local-action, a process of its own, as GitHub runs the step.
    const r = await command(
      f,
      "Looks good.\n/dstack run train --gpu 2 -- --epochs 3",
      "maintainer",
      runLocalAction,
    );
    expect(r.failed).toBeUndefined();
    const sent = dispatches(f);
    expect(sent).toHaveLength(1);
    const body = sent[0]?.body as { ref: string; inputs: Record<string, string> };
    expect(body.ref).toBe("master");
    expect(body.inputs.sha).toBe(HEAD);
    const job = JSON.parse(body.inputs.job ?? "{}");
    expect(job).toMatchObject({
      name: "train",
      args: ["--epochs", "3"],
      resources: { gpu: { count: 2 } },
    });
    expect(r.outputs.conclusion).toBe("success");
    // The reaction goes to the comment of the payload (not in the model: a cosmetic warning).
    expect(
      f.github.requests.find((q) => q.operationId === "reactions/create-for-issue-comment")?.body,
    ).toEqual({ content: "rocket" });
    const statuses = f.pulls.statuses.filter((s) => s.sha === HEAD);
    expect(statuses.map((s) => s.state)).toEqual(expect.arrayContaining(["pending", "success"]));
    expect(statuses.at(-1)?.state).toBe("success");
    const sticky = f.pulls.comments.filter((c) => c.body.includes("<!-- dstack-run:"));
    expect(sticky).toHaveLength(1);
    expect(sticky[0]?.body).toContain(r.outputs["workflow-run-url"]);
    expect(sticky[0]?.body).toMatch(/success/i);
    expect(r.log).not.toContain(TOKEN);
  });

  it("a read-only user's command is refused on the pull request and nothing is dispatched", async () => {
    const f = await fake();
    const r = await command(f, "/dstack run train", "reader");
    expect(r.failed).toMatch(/^refused \(not-authorized\): reader has/);
    expect(dispatches(f)).toHaveLength(0);
    expect(f.pulls.statuses).toHaveLength(0);
    expect(f.pulls.comments.some((c) => /write/i.test(c.body))).toBe(true);
    expect(r.summary).toContain("dstack: not run");
  });

  it("an unknown workflow is refused, naming the workflows there are", async () => {
    const f = await fake();
    const r = await command(f, "/dstack run trian", "maintainer");
    expect(r.failed).toMatch(/^refused/);
    expect(r.failed).toMatch(/train/);
    expect(dispatches(f)).toHaveLength(0);
  });

  it("the dstack-run label added by a maintainer runs the label's workflow at the head", async () => {
    const f = await fake();
    const r = await label(f, "labeled", "maintainer");
    expect(r.failed).toBeUndefined();
    const body = dispatches(f)[0]?.body as { inputs: Record<string, string> };
    expect(body.inputs.sha).toBe(HEAD);
    expect(JSON.parse(body.inputs.job ?? "{}")).toMatchObject({ name: "train" });
    expect(f.pulls.statuses.at(-1)).toMatchObject({ sha: HEAD, state: "success" });
  });

  it("a new push removes the label and runs nothing", async () => {
    const f = await fake();
    const r = await label(f, "synchronize", "maintainer");
    expect(r.failed).toBeUndefined();
    expect(dispatches(f)).toHaveLength(0);
    expect(f.github.requests.some((q) => q.operationId === "issues/remove-label")).toBe(true);
  });

  it("a comment without a command does nothing", async () => {
    const f = await fake();
    const r = await command(f, "Thanks!", "maintainer");
    expect(r.failed).toBeUndefined();
    expect(r.log).toContain("nothing to do");
    // Only the policy was read: no role, no pull request, no reaction.
    expect(f.github.requests.map((q) => q.operationId)).toEqual(["repos/get-content"]);
  });
  it("a command over the policy's GPU limit is refused on the pull request, nothing dispatched", async () => {
    const f = await fake(POLICY);
    const r = await command(f, "/dstack run train --gpu 8 --gpu-name A100", "maintainer");
    expect(r.failed).toMatch(/^refused \(policy\): .*8 GPUs.*at most 4/);
    expect(dispatches(f)).toHaveLength(0);
    expect(f.pulls.statuses).toHaveLength(0);
    const reply = f.pulls.comments.find((c) => c.body.includes("repository policy"));
    expect(reply?.body).toMatch(/at most 4/);
    // Read from the default branch (master), not from the checkout.
    expect(f.contents.reads).toEqual([{ path: ".dstack/policy.yaml", ref: "master" }]);
  });

  it("a GPU model the policy does not allow is refused; an allowed one runs", async () => {
    const f = await fake(POLICY);
    const refused = await command(f, "/dstack run train --gpu-name V100", "maintainer");
    expect(refused.failed).toMatch(/^refused \(policy\): .*v100/i);
    expect(dispatches(f)).toHaveLength(0);
    const ok = await command(f, "/dstack run train --gpu 2 --gpu-name H100", "maintainer");
    expect(ok.failed).toBeUndefined();
    expect(dispatches(f)).toHaveLength(1);
  });

  it("the label is refused when the policy does not allow pull_request events", async () => {
    const f = await fake(POLICY);
    const r = await label(f, "labeled", "maintainer");
    expect(r.failed).toMatch(/^refused \(policy\): .*pull_request/);
    expect(dispatches(f)).toHaveLength(0);
  });

  it("a policy that does not parse fails the step at its line, and nothing runs", async () => {
    const f = await fake("gpu:\n  max_count: many\n");
    const r = await command(f, "/dstack run train", "maintainer");
    expect(r.failed).toMatch(/policy\.yaml.*problem/);
    expect(
      r.annotations.some((a) => /\.dstack\/policy\.yaml:2:\d+: gpu\.max_count/.test(a.message)),
    ).toBe(true);
    expect(dispatches(f)).toHaveLength(0);
  });

  it("repository_dispatch dstack-run: the payload's workflow, args, resources, ref and tag are dispatched", async () => {
    const f = await fake(POLICY);
    const r = await repositoryDispatch(
      f,
      {
        workflow: "train",
        args: ["--epochs", "3"],
        resources: { gpu: { count: 2, name: "A100" } },
        ref: "release-1",
        tag: "nightly",
        run_name: "nightly-train-1",
      },
      "maintainer",
    );
    expect(r.failed).toBeUndefined();
    const sent = dispatches(f);
    expect(sent).toHaveLength(1);
    const body = sent[0]?.body as { ref: string; inputs: Record<string, string> };
    expect(body.ref).toBe("master");
    expect(body.inputs).toMatchObject({
      sha: "release-1",
      tag: "nightly",
      "run-name": "nightly-train-1",
    });
    expect(JSON.parse(body.inputs.job ?? "{}")).toMatchObject({
      name: "train",
      args: ["--epochs", "3"],
      resources: { gpu: { count: 2, name: expect.stringMatching(/^a100$/i) } },
    });
    expect(r.outputs["run-name"]).toBe("nightly-train-1");
    expect(r.outputs.conclusion).toBe("success");
    // No pull request to write to.
    expect(f.pulls.comments).toHaveLength(0);
  });

  // Through the whole action, one case per kind of refusal; every rule of the payload has a unit
  // test in @dstack/spec (dispatch-payload.test.ts) and @dstack/triggers (policy-dispatch.test.ts).
  it.each([
    { name: "a payload that is not an object", payload: "train", match: /client_payload/ },
    {
      name: "an unknown key",
      payload: { workflow: "train", resource: { gpu: 1 } },
      match: /resource.*resources/,
    },
    {
      name: "an oversized payload",
      payload: { workflow: "train", args: ["x".repeat(70_000)] },
      match: /65535|65,535/,
    },
    { name: "an unknown workflow", payload: { workflow: "trian" }, match: /"train"/ },
    {
      name: "over the policy",
      payload: { workflow: "train", resources: { gpu: { count: 16, name: "H100" } } },
      match: /at most 4/,
    },
  ])(
    "repository_dispatch: $name fails with the problem in the summary, nothing dispatched",
    async ({ payload, match }) => {
      const f = await fake(POLICY);
      const r = await repositoryDispatch(f, payload, "maintainer");
      expect(r.failed).toMatch(/^refused \(/);
      expect(r.failed).toMatch(match);
      expect(r.summary).toContain("dstack: not run");
      expect(r.summary).toMatch(match);
      expect(dispatches(f)).toHaveLength(0);
    },
  );

  it("repository_dispatch from a read-only sender is refused", async () => {
    const f = await fake();
    const r = await repositoryDispatch(f, { workflow: "train" }, "reader");
    expect(r.failed).toMatch(/^refused \(not-authorized\): reader has the read role/);
    expect(dispatches(f)).toHaveLength(0);
  });

  it("repository_dispatch of another event_type is not ours", async () => {
    const f = await fake();
    const r = await runActionInProcess({
      actionDir: ACTION_DIR,
      entrypoint: "src/step.ts",
      inputs: { mode: "command", "github-token": TOKEN },
      env: {
        GITHUB_WORKSPACE: workspace,
        GITHUB_API_URL: f.github.url,
        GITHUB_REPOSITORY: `${OWNER}/${REPO}`,
        GITHUB_EVENT_NAME: "repository_dispatch",
        GITHUB_EVENT_PATH: repositoryDispatchEvent({}, "maintainer", "on-demand-test"),
      },
    });
    expect(r.failed).toBeUndefined();
    expect(r.log).toContain("nothing to do");
    expect(dispatches(f)).toHaveLength(0);
  });
});
