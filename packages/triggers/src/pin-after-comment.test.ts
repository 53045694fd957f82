// A command runs the head its author saw: pushes recorded in the repository activity log after
// the comment refuse it (naming the new commits and the @SHA lines to run either commit), against
// the OpenAPI-validated fake serving the pull request, its commits and the activity log.
import { fakeFaults, PULLS_ROUTES } from "@dstack/testing";
import { describe, expect, it } from "vitest";
import { handleIssueComment } from "./handle.js";
import { COMMITS, commentEvent, type Harness, startHarness, WORKFLOWS } from "./test-helpers.js";

/** The comment's time; pushes are placed around it. */
const COMMENTED = "2026-03-02T10:00:00Z";
const HEAD = COMMITS.at(-1) ?? "";
const NEW = ["7", "8"].map((d) => `${d.repeat(38)}b${d}`);
const REWRITTEN = `${"9".repeat(38)}c9`;

async function withHarness(fn: (h: Harness) => Promise<void>): Promise<void> {
  const h = await startHarness();
  try {
    await fn(h);
  } finally {
    await h.close();
  }
}

/** Handles a maintainer's `body` on pull request #1, written at {@link COMMENTED}. */
async function command(h: Harness, body: string) {
  const event = commentEvent({ body, login: "maintainer", createdAt: COMMENTED });
  h.model.comments.push({ id: event.comment.id, issueNumber: 1, body, login: "maintainer" });
  return handleIssueComment({ client: h.client, event, workflows: WORKFLOWS });
}

const bot = (h: Harness) => h.model.comments.filter((c) => c.login === "github-actions[bot]");
const activityReads = (h: Harness) =>
  h.github.requests.filter((r) => r.route === PULLS_ROUTES.listActivity.replace(/^GET /, ""));

describe.concurrent("a command runs the head as it was when the comment was written", () => {
  it.each([
    { name: "no push since the pull request was opened", pushes: [] as string[] },
    { name: "a push an hour before the comment", pushes: ["2026-03-02T09:00:00Z"] },
    { name: "a push one second before the comment", pushes: ["2026-03-02T09:59:59Z"] },
  ])("$name: the head is pinned", async ({ pushes }) => {
    await withHarness(async (h) => {
      for (const [i, at] of pushes.entries()) h.model.push(1, [NEW[i] ?? ""], { at });
      const head = h.model.pulls[0]?.commits.at(-1);
      const d = await command(h, "/dstack run train --gpu 2");
      if (d.kind !== "dispatch") throw new Error(JSON.stringify(d));
      expect(d.sha).toBe(head);
      expect(activityReads(h)).toHaveLength(1);
      expect(activityReads(h)[0]?.query.get("ref")).toBe("refs/heads/feature");
      expect(h.github.problems).toEqual([]);
    });
  });
});

interface PushCase {
  name: string;
  pushes: { at: string; commits: string[]; force?: boolean }[];
  says: string[];
  not?: string;
}

describe.concurrent("commits after the comment refuse the command, nothing is dispatched", () => {
  it.each<PushCase>([
    {
      name: "a push between the comment and the job",
      pushes: [{ at: "2026-03-02T10:30:00Z", commits: [NEW[0] ?? ""] }],
      says: [
        "2026-03-02T10:30:00Z push by octocat: 333333333333 -> 777777777777",
        "Commits not reviewed (1): 777777777777",
        "To run the commit that was reviewed: /dstack run train @333333333333 --gpu 2",
        "To run the new head after reviewing it: /dstack run train @777777777777 --gpu 2",
      ],
    },
    {
      name: "a push in the same second as the comment (whole seconds: counted as after)",
      pushes: [{ at: COMMENTED, commits: [NEW[0] ?? ""] }],
      says: ["Commits not reviewed (1): 777777777777"],
    },
    {
      name: "two pushes after the comment, both named",
      pushes: [
        { at: "2026-03-02T10:01:00Z", commits: [NEW[0] ?? ""] },
        { at: "2026-03-02T11:00:00Z", commits: [NEW[1] ?? ""] },
      ],
      says: [
        "333333333333 -> 777777777777",
        "777777777777 -> 888888888888",
        "Commits not reviewed (2): 777777777777, 888888888888",
        "@333333333333 --gpu 2",
        "@888888888888 --gpu 2",
      ],
    },
    {
      name: "a force push that rewrote the reviewed head",
      pushes: [{ at: "2026-03-02T10:05:00Z", commits: [REWRITTEN], force: true }],
      says: [
        "force push by octocat: 333333333333 -> 999999999999",
        "The reviewed head 333333333333 is no longer a commit of the pull request (a force push replaced it).",
        "To run the new head after reviewing it: /dstack run train @999999999999 --gpu 2",
      ],
      not: "To run the commit that was reviewed",
    },
  ])("$name", async ({ pushes, says, not }) => {
    await withHarness(async (h) => {
      for (const p of pushes) h.model.push(1, p.commits, { at: p.at, force: p.force ?? false });
      const d = await command(h, "/dstack run train --gpu 2");
      if (d.kind !== "refuse") throw new Error(JSON.stringify(d));
      expect(d.reason).toBe("pushed-after-command");
      for (const line of says) expect(d.message).toContain(line);
      if (not) expect(d.message).not.toContain(not);
      expect(d.message).toContain(`written (${COMMENTED})`);
      // The reply is posted; nothing that starts or announces a run.
      expect(bot(h).map((c) => c.body)).toEqual([d.reply]);
      expect(d.reply).toContain("commits came after the command");
      expect(h.model.statuses).toEqual([]);
      expect(h.model.reactions.map((r) => r.content)).toEqual(["confused"]);
      expect(h.github.problems).toEqual([]);
    });
  });

  it("a push after the comment among many older ones: the log is read newest first, one page", async () => {
    await withHarness(async (h) => {
      // 150 older pushes: more than a page; the reader must stop at the first one before the comment.
      for (let i = 0; i < 150; i++) {
        const sha = i.toString(16).padStart(40, "a");
        h.model.push(1, [sha], {
          at: new Date(Date.parse(COMMENTED) - (150 - i) * 60_000).toISOString(),
        });
      }
      h.model.push(1, [NEW[0] ?? ""], { at: "2026-03-02T12:00:00Z" });
      const d = await command(h, "/dstack run train");
      expect(d).toMatchObject({ kind: "refuse", reason: "pushed-after-command" });
      expect(activityReads(h)).toHaveLength(1);
    });
  });

  it("more pushes after the comment than a page holds: every page is read", async () => {
    await withHarness(async (h) => {
      for (let i = 0; i < 120; i++) {
        const sha = i.toString(16).padStart(40, "b");
        h.model.push(1, [sha], {
          at: new Date(Date.parse(COMMENTED) + (i + 1) * 1000).toISOString(),
        });
      }
      const d = await command(h, "/dstack run train");
      if (d.kind !== "refuse") throw new Error(JSON.stringify(d));
      expect(d.message).toContain("Commits not reviewed (120):");
      expect(d.message).toContain(", ...");
      expect(activityReads(h)).toHaveLength(2);
      expect(h.github.problems).toEqual([]);
    });
  });
});

describe.concurrent("@SHA keeps working", () => {
  it("names a commit reviewed before a later push: pinned, the activity log is not read", async () => {
    await withHarness(async (h) => {
      h.model.push(1, [NEW[0] ?? ""], { at: "2026-03-02T10:30:00Z" });
      const d = await command(h, `/dstack run train @${HEAD.slice(0, 10)}`);
      if (d.kind !== "dispatch") throw new Error(JSON.stringify(d));
      expect(d.sha).toBe(HEAD);
      expect(activityReads(h)).toEqual([]);
    });
  });
});

describe.concurrent("an activity log GitHub will not give fails closed", () => {
  it.each([
    { name: "403 (a token without contents: read)", status: 403 },
    { name: "404 (a server without the activity log)", status: 404 },
  ])("$name: refused, asking for @SHA; nothing pinned", async ({ status }) => {
    await withHarness(async (h) => {
      h.github.inject(PULLS_ROUTES.listActivity, {
        answer: { status, body: { message: "Not available", documentation_url: "" } },
      });
      const d = await command(h, "/dstack run train --gpu 2");
      if (d.kind !== "refuse") throw new Error(JSON.stringify(d));
      expect(d.reason).toBe("head-unverified");
      expect(d.message).toContain("activity log of branch feature");
      expect(d.message).toContain(
        "Name the commit you reviewed: /dstack run train @333333333333 --gpu 2 (the head now).",
      );
      expect(bot(h).map((c) => c.body)).toEqual([d.reply]);
      expect(h.model.statuses).toEqual([]);
    });
  });

  it("a 5xx after the retries: the handler throws, nothing is pinned", async () => {
    await withHarness(async (h) => {
      for (let i = 0; i < 5; i++)
        h.github.inject(PULLS_ROUTES.listActivity, fakeFaults.serverError());
      await expect(command(h, "/dstack run train")).rejects.toThrow(
        /activity log of branch feature/,
      );
      expect(h.model.statuses).toEqual([]);
    });
  });
});
