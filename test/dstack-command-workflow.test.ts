// The shipped .github/workflows/dstack-command.yml, its job's `if:` and concurrency group
// evaluated by GitHub's own expression engine (@actions/expressions) against real webhook
// payloads (@octokit/webhooks-examples): outsiders' comments start nothing, and no one's event
// shares a concurrency group with another person's pending command.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { data, Evaluator, Lexer, Parser } from "@actions/expressions";
import { truthy } from "@actions/expressions/result";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = fileURLToPath(new URL("..", import.meta.url));
const workflow = parse(
  readFileSync(path.join(root, ".github/workflows/dstack-command.yml"), "utf8"),
) as { jobs: { command: { if: string; concurrency: { group: string } } } };
const job = workflow.jobs.command;

// biome-ignore lint/suspicious/noExplicitAny: webhook payloads adapted field by field
type Payload = Record<string, any>;
const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as {
  name: string;
  examples: Payload[];
}[];
function example(name: string, action?: string): Payload {
  const found = definitions
    .find((d) => d.name === name)
    ?.examples.find((e) => action === undefined || e.action === action);
  if (!found) throw new Error(`no ${name} ${action ?? ""} example`);
  return structuredClone(found);
}

/** The `github` context of a run started by `payload`. */
function githubContext(eventName: string, payload: Payload, runId: number): data.Dictionary {
  const actor = payload.comment?.user?.login ?? payload.sender?.login ?? "";
  const json = JSON.stringify({
    event_name: eventName,
    event: payload,
    repository: payload.repository.full_name,
    actor,
    run_id: String(runId),
  });
  return new data.Dictionary({
    key: "github",
    value: JSON.parse(json, data.reviver) as data.Dictionary,
  });
}

function evaluate(expression: string, context: data.Dictionary) {
  const lexed = new Lexer(expression).lex();
  const parsed = new Parser(lexed.tokens, ["github", "vars"], []).parse();
  return new Evaluator(parsed, context).evaluate();
}

/** The job's `if:` (a bare expression) for an event. */
const starts = (eventName: string, payload: Payload) =>
  truthy(evaluate(job.if, githubContext(eventName, payload, 1)));

/** The job's concurrency group (text with `${{ }}`) for an event. */
const groupOf = (eventName: string, payload: Payload, runId = 1) =>
  job.concurrency.group.replace(/\$\{\{(.*?)\}\}/g, (_, e: string) =>
    evaluate(e.trim(), githubContext(eventName, payload, runId)).coerceString(),
  );

/** A `/dstack run train` comment on pull request 1 by `login` with `association`. */
function comment(login: string, association: string, body = "/dstack run train"): Payload {
  const e = example("issue_comment", "created");
  e.issue.number = 1;
  e.issue.pull_request = { url: "https://api.github.com/repos/Codertocat/Hello-World/pulls/1" };
  e.comment.body = body;
  e.comment.user.login = login;
  e.comment.author_association = association;
  e.sender.login = login;
  return e;
}

describe("dstack-command.yml: who starts the job", () => {
  it.each([
    { association: "OWNER", runs: true },
    { association: "MEMBER", runs: true },
    { association: "COLLABORATOR", runs: true },
    { association: "CONTRIBUTOR", runs: false },
    { association: "FIRST_TIME_CONTRIBUTOR", runs: false },
    { association: "FIRST_TIMER", runs: false },
    { association: "MANNEQUIN", runs: false },
    { association: "NONE", runs: false },
  ])("a /dstack comment by an author_association $association: $runs", ({ association, runs }) => {
    expect(starts("issue_comment", comment("someone", association))).toBe(runs);
  });

  it.each([
    { name: "a maintainer's comment without /dstack", payload: comment("m", "OWNER", "LGTM") },
    {
      name: "a maintainer's /dstack comment on a plain issue",
      payload: (() => {
        const e = comment("m", "OWNER");
        delete e.issue.pull_request;
        return e;
      })(),
    },
  ])("$name: not started", ({ payload }) => {
    expect(starts("issue_comment", payload)).toBe(false);
  });

  it("the dstack-run label on a pull request of this repository starts it; from a fork, not", () => {
    const labeled = example("pull_request", "labeled");
    labeled.label.name = "dstack-run";
    labeled.pull_request.head.repo.full_name = labeled.repository.full_name;
    expect(starts("pull_request", labeled)).toBe(true);
    labeled.pull_request.head.repo.full_name = "mallory/Hello-World";
    expect(starts("pull_request", labeled)).toBe(false);
  });

  it("a repository_dispatch starts it (the action checks the sender's role)", () => {
    expect(starts("repository_dispatch", example("repository_dispatch"))).toBe(true);
  });
});

describe("dstack-command.yml: no one's event can replace another person's pending command", () => {
  it("an outsider's and a read-only member's comments are in other groups than a maintainer's", () => {
    const maintainer = groupOf("issue_comment", comment("maintainer", "OWNER"));
    expect(maintainer).toBe("dstack-command-1-maintainer");
    expect(groupOf("issue_comment", comment("outsider", "NONE"))).not.toBe(maintainer);
    expect(groupOf("issue_comment", comment("reader", "MEMBER"))).not.toBe(maintainer);
  });

  it("a label or a push by someone else is in another group", () => {
    const labeled = example("pull_request", "labeled");
    labeled.number = 1;
    labeled.pull_request.number = 1;
    labeled.sender.login = "triager";
    expect(groupOf("pull_request", labeled)).toBe("dstack-command-1-triager");
  });

  it("the same maintainer's next command shares the group (it waits, or replaces their own pending one)", () => {
    expect(groupOf("issue_comment", comment("maintainer", "OWNER", "/dstack run eval"))).toBe(
      groupOf("issue_comment", comment("maintainer", "OWNER")),
    );
  });

  it("each repository_dispatch is its own group", () => {
    const e = example("repository_dispatch");
    expect(groupOf("repository_dispatch", e, 7)).not.toBe(groupOf("repository_dispatch", e, 8));
  });
});
