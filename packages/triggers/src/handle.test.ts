// The handlers against real webhook payloads (adapted per case) and the OpenAPI-validated fake
// GitHub: which requests they make, what they write on the pull request, what they decide.
import { describe, expect, it } from "vitest";
import { handleIssueComment, handlePullRequestLabel } from "./handle.js";
import { reportRun } from "./report.js";
import { stickyMarker } from "./sticky.js";
import {
  COMMITS,
  commentEvent,
  FORK_COMMITS,
  type Harness,
  pullRequestEvent,
  startHarness,
  WORKFLOWS,
} from "./test-helpers.js";

const HEAD = COMMITS.at(-1) ?? "";
/** Runs `fn` against a fresh fake, closed after it (tests run concurrently: no shared state). */
async function withHarness(
  fn: (h: Harness) => Promise<void>,
  options?: Parameters<typeof startHarness>[0],
): Promise<void> {
  const h = await startHarness(options);
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

/** `METHOD route` of every request made, in order. */
const calls = (h: Harness) => h.github.requests.map((r) => `${r.method} ${r.route}`);

describe.concurrent("handleIssueComment dispatches", () => {
  it.each([
    {
      name: "a writer's command: the head commit, options applied",
      body: "Looks good.\n/dstack run train --gpu 2 -- --epochs 3",
      login: "maintainer",
      pr: 1,
      sha: HEAD,
      gpus: 2,
      args: ["--epochs", "3"],
    },
    {
      name: "an admin's command with a pinned older commit (prefix)",
      body: `/dstack run train @${COMMITS[1]?.slice(0, 9)}`,
      login: "admin",
      pr: 1,
      sha: COMMITS[1],
      gpus: 1,
      args: ["--epochs", "1"],
    },
    {
      name: "a custom role based on write",
      body: "/dstack run eval",
      login: "custom",
      pr: 1,
      sha: HEAD,
      gpus: undefined,
      args: [],
    },
    {
      name: "a fork's pull request with the reviewed commit named",
      body: `/dstack run train @${FORK_COMMITS[0]}`,
      login: "maintainer",
      pr: 2,
      sha: FORK_COMMITS[0],
      gpus: 1,
      args: ["--epochs", "1"],
    },
  ])("$name", async ({ body, login, pr, sha, gpus, args }) => {
    await withHarness(async (h) => {
      const event = commentEvent({ body, login, pr });
      h.model.comments.push({ id: event.comment.id, issueNumber: pr, body, login });
      const d = await handleIssueComment({ client: h.client, event, workflows: WORKFLOWS });
      if (d.kind !== "dispatch") throw new Error(JSON.stringify(d));
      expect(d.sha).toBe(sha);
      expect(d.inputs).toEqual({ sha });
      expect(d.ref).toBe("master"); // the examples' default branch
      expect(d.job.resources.gpu?.count).toBe(gpus);
      expect(d.job.args).toEqual(args);
      expect(d.pr.fork).toBe(pr === 2);
      expect(h.model.reactions).toEqual([{ commentId: event.comment.id, content: "rocket" }]);
      expect(h.model.statuses).toEqual([
        {
          sha,
          state: "pending",
          context: `dstack/${d.workflow}`,
          description: `queued by ${login}`,
        },
      ]);
      const sticky = h.model.comments.find((c) => c.id === d.stickyCommentId);
      expect(sticky?.body.startsWith(stickyMarker(pr))).toBe(true);
      expect(sticky?.body).toContain("⏳ queued");
      expect(sticky?.body).toContain(`\`${sha?.slice(0, 12)}\``);
      expect(h.github.problems).toEqual([]);
    });
  });
});

describe.concurrent("handleIssueComment refuses, replies and dispatches nothing", () => {
  it.each([
    {
      name: "a read-only commenter",
      body: "/dstack run train",
      login: "reader",
      reason: "not-authorized",
      reaction: "-1",
      says: "reader has the read role on Codertocat/Hello-World; starting runs needs write or above",
    },
    {
      name: "a triager (may label, not run)",
      body: "/dstack run train",
      login: "triager",
      reason: "not-authorized",
      reaction: "-1",
      says: "triager has the triage role",
    },
    {
      name: "a user GitHub does not know",
      body: "/dstack run train",
      login: "ghost",
      reason: "not-authorized",
      reaction: "-1",
      says: "ghost has the none role",
    },
    {
      name: "a fork's pull request without a pinned commit",
      body: "/dstack run train",
      pr: 2,
      reason: "fork-without-sha",
      reaction: "confused",
      says: `name the commit you reviewed: /dstack run WORKFLOW @${FORK_COMMITS[1]?.slice(0, 12)}`,
    },
    {
      name: "a commit not in the pull request",
      body: "/dstack run train @deadbeef",
      reason: "sha-not-in-pull-request",
      reaction: "confused",
      says: "@deadbeef is not a commit of pull request #1 (3 commits; the head is 333333333333)",
    },
    {
      name: "a fork's commit named on another pull request",
      body: `/dstack run train @${FORK_COMMITS[0]}`,
      reason: "sha-not-in-pull-request",
      reaction: "confused",
      says: "is not a commit of pull request #1",
    },
    {
      name: "a malformed command",
      body: "/dstack run train --gpus 2",
      reason: "malformed",
      reaction: "confused",
      says: "--gpus: unknown option; did you mean --gpu?",
    },
    {
      name: "an unknown workflow",
      body: "/dstack run trian",
      reason: "unknown-workflow",
      reaction: "confused",
      says: '"trian" is not a workflow; did you mean "train"? (workflows: train, eval)',
    },
    {
      name: "a bad option value",
      body: "/dstack run train --memory 16GBB",
      reason: "invalid-override",
      reaction: "confused",
      says: "--memory",
    },
    {
      name: "a request for help",
      body: "/dstack help",
      reason: "help",
      reaction: "confused",
      says: "usage: /dstack run WORKFLOW [@SHA] [OPTIONS] [-- ARGS ...]",
    },
  ])("$name", async ({ body, login = "maintainer", pr = 1, reason, reaction, says }) => {
    await withHarness(async (h) => {
      const event = commentEvent({ body, login, pr });
      h.model.comments.push({ id: event.comment.id, issueNumber: pr, body, login });
      const d = await handleIssueComment({ client: h.client, event, workflows: WORKFLOWS });
      if (d.kind !== "refuse") throw new Error(JSON.stringify(d));
      expect(d.reason).toBe(reason);
      expect(d.message).toContain(says);
      expect(h.model.reactions).toEqual([{ commentId: event.comment.id, content: reaction }]);
      const replies = h.model.comments.filter((c) => c.login === "github-actions[bot]");
      expect(replies.map((c) => c.body)).toEqual([d.reply]);
      expect(d.reply).toContain(says.split("\n")[0]);
      // Nothing that starts or announces a run: no status, no sticky comment.
      expect(h.model.statuses).toEqual([]);
      expect(replies[0]?.body.startsWith(stickyMarker(pr))).toBe(false);
      expect(calls(h)).not.toContain("POST /repos/{owner}/{repo}/statuses/{sha}");
      expect(h.github.problems).toEqual([]);
    });
  });

  it("a closed pull request", async () => {
    await withHarness(async (h) => {
      const pr = h.model.pulls[0];
      if (pr) pr.state = "closed";
      const event = commentEvent({ body: "/dstack run train" });
      h.model.comments.push({
        id: event.comment.id,
        issueNumber: 1,
        body: "",
        login: "maintainer",
      });
      const d = await handleIssueComment({ client: h.client, event, workflows: WORKFLOWS });
      expect(d).toMatchObject({ kind: "refuse", reason: "closed" });
      expect(h.model.statuses).toEqual([]);
    });
  });

  it("reads the role from the API, not author_association", async () => {
    await withHarness(async (h) => {
      const event = commentEvent({ body: "/dstack run train", login: "reader" });
      expect(event.comment).toMatchObject({ author_association: "OWNER" });
      const d = await handleIssueComment({ client: h.client, event, workflows: WORKFLOWS });
      expect(d).toMatchObject({ kind: "refuse", reason: "not-authorized" });
      expect(calls(h)[0]).toBe("GET /repos/{owner}/{repo}/collaborators/{username}/permission");
    });
  });
});

describe.concurrent("handleIssueComment ignores, without a request", () => {
  it.each([
    {
      name: "an edited comment",
      event: commentEvent({ body: "/dstack run train", action: "edited" }),
    },
    {
      name: "a deleted comment",
      event: commentEvent({ body: "/dstack run train", action: "deleted" }),
    },
    {
      name: "a comment on a plain issue",
      event: commentEvent({ body: "/dstack run train", onIssue: true }),
    },
    { name: "a comment without a command", event: commentEvent({ body: "LGTM" }) },
    { name: "a quoted command", event: commentEvent({ body: "> /dstack run train\n\nNo." }) },
    {
      name: "a bot's comment",
      event: commentEvent({
        body: "/dstack run train",
        login: "github-actions[bot]",
        userType: "Bot",
      }),
    },
  ])("$name", async ({ event }) => {
    await withHarness(async (h) => {
      const d = await handleIssueComment({ client: h.client, event, workflows: WORKFLOWS });
      expect(d.kind).toBe("ignore");
      expect(h.github.requests).toEqual([]);
    });
  });
});

describe("the sticky comment", () => {
  it("is updated in place by the next command and the run's report; a pasted marker is not ours", async () => {
    await withHarness(async (h) => {
      // Someone pastes the marker into their own comment: it must not be taken for ours.
      h.model.comments.push({
        id: 1,
        issueNumber: 1,
        body: `${stickyMarker(1)}\nfake`,
        login: "reader",
      });
      const first = commentEvent({ body: "/dstack run eval", login: "maintainer" });
      h.model.comments.push({
        id: first.comment.id,
        issueNumber: 1,
        body: "",
        login: "maintainer",
      });
      const d1 = await handleIssueComment({ client: h.client, event: first, workflows: WORKFLOWS });
      if (d1.kind !== "dispatch") throw new Error(JSON.stringify(d1));
      expect(d1.stickyCommentId).not.toBe(1);

      await reportRun({
        client: h.client,
        owner: h.model.owner,
        repo: h.model.repo,
        decision: d1,
        report: {
          status: "success",
          runName: "sharp-shrimp-1",
          workflowRunUrl: "https://github.com/Codertocat/Hello-World/actions/runs/42",
          runner: "gpu-box-1",
          durationMs: 192_000,
          metrics: { accuracy: 0.97 },
          artifacts: [
            {
              name: "model",
              url: "https://github.com/Codertocat/Hello-World/actions/runs/42/artifacts/7",
            },
          ],
          tags: [{ name: "best" }],
        },
      });
      const second = commentEvent({ body: "/dstack run train", login: "admin" });
      h.model.comments.push({
        id: second.comment.id + 1,
        issueNumber: 1,
        body: "",
        login: "admin",
      });
      second.comment.id += 1;
      const d2 = await handleIssueComment({
        client: h.client,
        event: second,
        workflows: WORKFLOWS,
      });
      if (d2.kind !== "dispatch") throw new Error(JSON.stringify(d2));
      expect(d2.stickyCommentId).toBe(d1.stickyCommentId);

      const ours = h.model.comments.filter((c) => c.login === "github-actions[bot]");
      expect(ours).toHaveLength(1);
      expect(h.model.comments.find((c) => c.id === 1)?.body).toBe(`${stickyMarker(1)}\nfake`);
      expect(calls(h).filter((c) => c.startsWith("PATCH"))).toHaveLength(2);
      expect(h.model.statuses.map((s) => [s.context, s.state, s.targetUrl])).toEqual([
        ["dstack/eval", "pending", undefined],
        ["dstack/eval", "success", "https://github.com/Codertocat/Hello-World/actions/runs/42"],
        ["dstack/train", "pending", undefined],
      ]);
      expect(h.model.statuses[1]?.description).toBe("sharp-shrimp-1: success in 3m 12s");
      expect(h.github.problems).toEqual([]);
    });
  });

  it("finds the commit of a long pull request on a later page", async () => {
    const commits = Array.from({ length: 150 }, (_, i) => i.toString(16).padStart(40, "a"));
    await withHarness(
      async (h) => {
        const event = commentEvent({ body: `/dstack run eval @${commits[140]?.slice(-10)}` });
        // 10 hex digits of the tail are not a prefix: refused; the full SHA is found on page 2.
        h.model.comments.push({
          id: event.comment.id,
          issueNumber: 1,
          body: "",
          login: "maintainer",
        });
        const refused = await handleIssueComment({ client: h.client, event, workflows: WORKFLOWS });
        expect(refused).toMatchObject({ kind: "refuse", reason: "sha-not-in-pull-request" });
        event.comment.body = `/dstack run eval @${commits[140]}`;
        const d = await handleIssueComment({ client: h.client, event, workflows: WORKFLOWS });
        expect(d).toMatchObject({ kind: "dispatch", sha: commits[140] });
        const pages = h.github.requests.filter((r) => r.route.endsWith("/commits"));
        expect(pages.map((r) => r.query.get("page") ?? "1")).toEqual(["1", "2", "1", "2"]);
        expect(h.github.problems).toEqual([]);
      },
      { pulls: [{ number: 1, commits }] },
    );
  });
});

describe.concurrent("handlePullRequestLabel", () => {
  it("a writer's label dispatches the head commit of the event", async () => {
    await withHarness(async (h) => {
      const event = pullRequestEvent({
        action: "labeled",
        label: "dstack-run",
        headSha: HEAD,
        sender: "maintainer",
      });
      const d = await handlePullRequestLabel({
        client: h.client,
        event,
        workflows: WORKFLOWS,
        workflow: "train",
      });
      if (d.kind !== "dispatch") throw new Error(JSON.stringify(d));
      expect(d).toMatchObject({
        sha: HEAD,
        inputs: { sha: HEAD },
        command: "label dstack-run",
        actor: "maintainer",
      });
      expect(h.model.statuses).toMatchObject([
        { sha: HEAD, state: "pending", context: "dstack/train" },
      ]);
      expect(calls(h)).toEqual([
        "GET /repos/{owner}/{repo}/collaborators/{username}/permission",
        "GET /repos/{owner}/{repo}/issues/{issue_number}/comments",
        "POST /repos/{owner}/{repo}/issues/{issue_number}/comments",
        "POST /repos/{owner}/{repo}/statuses/{sha}",
      ]);
      expect(h.github.problems).toEqual([]);
    });
  });

  it("a triager's label is refused and removed", async () => {
    await withHarness(async (h) => {
      const pr = h.model.pulls[0];
      if (pr) pr.labels = ["dstack-run"];
      const event = pullRequestEvent({ action: "labeled", label: "dstack-run", sender: "triager" });
      const d = await handlePullRequestLabel({
        client: h.client,
        event,
        workflows: WORKFLOWS,
        workflow: "train",
      });
      expect(d).toMatchObject({ kind: "refuse", reason: "not-authorized", posted: true });
      expect(pr?.labels).toEqual([]);
      expect(h.model.statuses).toEqual([]);
      expect(h.model.comments.map((c) => c.body)).toEqual([(d as { reply: string }).reply]);
      expect(h.github.problems).toEqual([]);
    });
  });

  it.each([
    {
      name: "a fork's pull request: refused, nothing written (its token is read-only)",
      event: pullRequestEvent({ action: "labeled", label: "dstack-run", fork: true }),
      kind: "refuse",
    },
    {
      name: "another label",
      event: pullRequestEvent({ action: "labeled", label: "bug" }),
      kind: "ignore",
    },
    {
      name: "a push to a pull request without the label",
      event: pullRequestEvent({ action: "synchronize", labels: ["bug"] }),
      kind: "ignore",
    },
  ])("$name", async ({ event, kind }) => {
    await withHarness(async (h) => {
      const d = await handlePullRequestLabel({
        client: h.client,
        event,
        workflows: WORKFLOWS,
        workflow: "train",
      });
      expect(d.kind).toBe(kind);
      expect(h.github.requests).toEqual([]);
    });
  });

  it("an unknown workflow in the configuration is refused", async () => {
    await withHarness(async (h) => {
      const event = pullRequestEvent({
        action: "labeled",
        label: "dstack-run",
        sender: "maintainer",
      });
      const d = await handlePullRequestLabel({
        client: h.client,
        event,
        workflows: WORKFLOWS,
        workflow: "trian",
      });
      expect(d).toMatchObject({ kind: "refuse", reason: "unknown-workflow" });
      expect((d as { message: string }).message).toContain('did you mean "train"?');
      expect(h.model.statuses).toEqual([]);
    });
  });

  it("a push removes the label and says so in the sticky comment", async () => {
    await withHarness(async (h) => {
      const pr = h.model.pulls[0];
      if (pr) pr.labels = ["bug", "dstack-run"];
      const event = pullRequestEvent({
        action: "synchronize",
        labels: ["bug", "dstack-run"],
        headSha: HEAD,
      });
      const d = await handlePullRequestLabel({
        client: h.client,
        event,
        workflows: WORKFLOWS,
        workflow: "train",
      });
      expect(d).toMatchObject({
        kind: "ignore",
        why: "a push to #1: the dstack-run label was removed",
      });
      expect(pr?.labels).toEqual(["bug"]);
      const [sticky] = h.model.comments;
      expect(sticky?.body.startsWith(stickyMarker(1))).toBe(true);
      expect(sticky?.body).toContain("label removed");
      expect(sticky?.body).toContain(
        `A new push (${HEAD.slice(0, 12)}) removed the dstack-run label`,
      );
      expect(h.github.problems).toEqual([]);
    });
  });
});
