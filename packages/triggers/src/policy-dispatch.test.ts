// The repository policy in the handlers, and handleRepositoryDispatch, against real webhook
// payloads from @octokit/webhooks-examples (adapted per case) and the OpenAPI-validated fake:
// what is refused, what is written (nothing, for a repository_dispatch), what is dispatched.
import { createRequire } from "node:module";
import { type Policy, parsePolicy } from "@dstack/spec";
import { describe, expect, it } from "vitest";
import { handleRepositoryDispatch } from "./dispatch-event.js";
import type { RepositoryDispatchEvent } from "./events.js";
import { handleIssueComment, handlePullRequestLabel } from "./handle.js";
import {
  COMMITS,
  commentEvent,
  type Harness,
  OWNER,
  pullRequestEvent,
  REPO,
  startHarness,
  WORKFLOWS,
} from "./test-helpers.js";

function policy(text: string): Policy {
  const parsed = parsePolicy({ text });
  if (!("policy" in parsed)) throw new Error(JSON.stringify(parsed.diagnostics));
  return parsed.policy;
}

const LIMITS = policy("gpu:\n  names: [A100]\n  max_count: 2\n");

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness();
  try {
    await fn(h);
    expect(h.github.problems).toEqual([]);
  } finally {
    await h.close();
  }
}

/** GitHub's repository_dispatch example, made a `dstack-run` to this repository by `sender`. */
function dispatchEvent(
  clientPayload: unknown,
  sender = "maintainer",
  action = "dstack-run",
): RepositoryDispatchEvent {
  const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as {
    name: string;
    examples: unknown[];
  }[];
  const event = structuredClone(
    definitions.find((d) => d.name === "repository_dispatch")?.examples[0],
  ) as RepositoryDispatchEvent & { repository: { full_name: string } };
  event.action = action;
  event.client_payload = clientPayload;
  event.repository.owner.login = OWNER;
  event.repository.name = REPO;
  event.repository.full_name = `${OWNER}/${REPO}`;
  event.sender.login = sender;
  return event;
}

describe.concurrent("the policy in the pull-request handlers", () => {
  it.each([
    {
      name: "more GPUs than max_count",
      body: "/dstack run train --gpu 4 --gpu-name A100",
      match: /at most 2/,
    },
    { name: "a model outside names", body: "/dstack run train --gpu-name T4", match: /t4/i },
    { name: "GPUs without a model", body: "/dstack run train", match: /A100/ },
  ])(
    "a comment asking for $name is refused with a reply; nothing else is written",
    async ({ body, match }) => {
      await withHarness(async (h) => {
        const d = await handleIssueComment({
          client: h.client,
          event: commentEvent({ body, login: "maintainer", pr: 1 }),
          workflows: WORKFLOWS,
          policy: LIMITS,
        });
        expect(d).toMatchObject({ kind: "refuse", reason: "policy", posted: true });
        expect(d.kind === "refuse" && d.message).toMatch(match);
        expect(h.model.statuses).toHaveLength(0);
        const replies = h.model.comments.filter((c) => c.body.includes("repository policy"));
        expect(replies).toHaveLength(1);
      });
    },
  );

  it("an allowed command passes the policy", async () => {
    await withHarness(async (h) => {
      const d = await handleIssueComment({
        client: h.client,
        event: commentEvent({
          body: "/dstack run train --gpu 2 --gpu-name a100",
          login: "maintainer",
          pr: 1,
        }),
        workflows: WORKFLOWS,
        policy: LIMITS,
      });
      expect(d).toMatchObject({ kind: "dispatch", sha: COMMITS.at(-1) });
    });
  });

  it("triggers.permission raises the role a commenter needs", async () => {
    await withHarness(async (h) => {
      const d = await handleIssueComment({
        client: h.client,
        event: commentEvent({ body: "/dstack run eval", login: "maintainer", pr: 1 }),
        workflows: WORKFLOWS,
        policy: policy("triggers:\n  permission: admin\n"),
      });
      expect(d).toMatchObject({ kind: "refuse", reason: "not-authorized" });
      expect(d.kind === "refuse" && d.message).toMatch(/write role.*admin or above/);
    });
  });

  it("an actor outside triggers.actors is refused before the command is read", async () => {
    await withHarness(async (h) => {
      const d = await handleIssueComment({
        client: h.client,
        event: commentEvent({ body: "/dstack run nope", login: "maintainer", pr: 1 }),
        workflows: WORKFLOWS,
        policy: policy("triggers:\n  actors: [admin]\n"),
      });
      expect(d).toMatchObject({ kind: "refuse", reason: "policy" });
      expect(d.kind === "refuse" && d.message).toMatch(/maintainer may not start runs/);
    });
  });

  it("the label is refused when pull_request is not among triggers.events", async () => {
    await withHarness(async (h) => {
      const d = await handlePullRequestLabel({
        client: h.client,
        event: pullRequestEvent({
          action: "labeled",
          label: "dstack-run",
          sender: "maintainer",
        }),
        workflows: WORKFLOWS,
        workflow: "eval",
        policy: policy("triggers:\n  events: [issue_comment]\n"),
      });
      expect(d).toMatchObject({ kind: "refuse", reason: "policy" });
      expect(d.kind === "refuse" && d.message).toMatch(/pull_request/);
      expect(h.model.statuses).toHaveLength(0);
    });
  });
});

describe.concurrent("handleRepositoryDispatch", () => {
  it("accepts a dstack-run: the payload's overrides, ref, tag and run name; writes nothing", async () => {
    await withHarness(async (h) => {
      const d = await handleRepositoryDispatch({
        client: h.client,
        event: dispatchEvent({
          workflow: "train",
          args: "--epochs 5 --lr 0.1",
          env: { SEED: 7 },
          resources: { gpu: 2 },
          ref: "v1.2.0",
          tag: "nightly",
          run_name: "nightly-train-3",
        }),
        workflows: WORKFLOWS,
      });
      expect(d).toMatchObject({
        kind: "dispatch",
        workflow: "train",
        ref: "master",
        inputs: { sha: "v1.2.0" },
        actor: "maintainer",
        tag: "nightly",
        runName: "nightly-train-3",
      });
      if (d.kind !== "dispatch") return;
      expect(d.job.args).toEqual(["--epochs", "5", "--lr", "0.1"]);
      expect(d.job.environment).toMatchObject({ SEED: "7" });
      expect(d.job.resources.gpu?.count).toBe(2);
      // Only the sender's role was read.
      expect(h.github.requests.map((r) => r.operationId)).toEqual([
        "repos/get-collaborator-permission-level",
      ]);
    });
  });

  it("without a ref, the default branch's head runs (no sha input)", async () => {
    await withHarness(async (h) => {
      const d = await handleRepositoryDispatch({
        client: h.client,
        event: dispatchEvent({ workflow: "eval" }),
        workflows: WORKFLOWS,
      });
      expect(d).toMatchObject({ kind: "dispatch", inputs: {} });
    });
  });

  it.each([
    { name: "another event_type", payload: {}, action: "deploy", kind: "ignore" },
    {
      name: "a read-only sender",
      payload: { workflow: "train" },
      sender: "reader",
      reason: "not-authorized",
    },
    { name: "null", payload: null, reason: "malformed-payload" },
    { name: "a list", payload: ["train"], reason: "malformed-payload" },
    {
      name: "11 properties",
      payload: Object.fromEntries(Array.from({ length: 11 }, (_, i) => [`k${i}`, i])),
      reason: "malformed-payload",
    },
    { name: "an unknown workflow", payload: { workflow: "trian" }, reason: "unknown-workflow" },
    {
      name: "a bad GPU count",
      payload: { workflow: "train", resources: { gpu: { count: 0 } } },
      reason: "malformed-payload",
    },
    {
      name: "over the policy",
      payload: { workflow: "train", resources: { gpu: { count: 4, name: "A100" } } },
      reason: "policy",
    },
  ])("$name: not dispatched", async ({ payload, action, sender, kind, reason }) => {
    await withHarness(async (h) => {
      const d = await handleRepositoryDispatch({
        client: h.client,
        event: dispatchEvent(payload, sender, action),
        workflows: WORKFLOWS,
        policy: LIMITS,
      });
      expect(d.kind).toBe(kind ?? "refuse");
      if (d.kind === "refuse") {
        expect(d.reason).toBe(reason);
        expect(d.posted).toBe(false);
        expect(d.reply).toContain("repository_dispatch dstack-run");
      }
      // Nothing is written anywhere.
      expect(h.github.requests.every((r) => r.method === "GET")).toBe(true);
    });
  });
});
