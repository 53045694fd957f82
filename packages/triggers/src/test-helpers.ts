/**
 * Shared by this package's tests: real webhook payloads from `@octokit/webhooks-examples`,
 * adapted per case, a fake GitHub serving the pull-request model, and workflows to run.
 *
 * @module
 */
import { createRequire } from "node:module";
import { createGitHubClient, type GitHubClient } from "@dstack/github";
import { type Job, parseWorkflows } from "@dstack/spec";
import {
  type FakeGitHub,
  type PullsModel,
  type PullsModelOptions,
  startFakePulls,
} from "@dstack/testing";
import type { WebhookDefinition } from "@octokit/webhooks-examples";
import type {
  IssueCommentCreatedEvent,
  PullRequestLabeledEvent,
  PullRequestSynchronizeEvent,
  WebhookEventName,
} from "@octokit/webhooks-types";
import type { IssueCommentEvent, PullRequestEvent } from "./events.js";

/** The repository of the examples' payloads. */
export const OWNER = "Codertocat";
export const REPO = "Hello-World";

/** A 40-hex commit SHA made of one digit, with its position at the end: `sha("1")` = `1111...1a1`. */
function sha(digit: string): string {
  return `${digit.repeat(38)}a${digit}`;
}

/** Commits of pull request 1 (head last) and of a fork's pull request 2. */
export const COMMITS = ["1", "2", "3"].map(sha);
export const FORK_COMMITS = ["4", "5"].map(sha);

/** The payloads of GitHub's docs (the package's main file is JSON: loaded with require). */
const definitions = createRequire(import.meta.url)(
  "@octokit/webhooks-examples",
) as WebhookDefinition[];

/** The examples of one event, by action. */
function examples<T>(name: WebhookEventName, action: string): T {
  const definition = definitions.find((d) => d.name === name);
  const example = definition?.examples.find((e) => (e as { action?: string }).action === action);
  if (!example) throw new Error(`@octokit/webhooks-examples has no ${name}.${action}`);
  return structuredClone(example) as T;
}

/**
 * An `issue_comment` payload from the examples (`created` on issue #1 by `Codertocat`), made a
 * comment on pull request #`pr` with `body`, by `login`.
 */
export function commentEvent(o: {
  body: string;
  login?: string;
  pr?: number;
  action?: string;
  onIssue?: boolean;
  userType?: string;
  /** When the comment was written, ISO 8601 (default the example's, 2019-05-15T15:20:21Z). */
  createdAt?: string;
}): IssueCommentEvent {
  const event = examples<IssueCommentCreatedEvent>("issue_comment", "created");
  const pr = o.pr ?? 1;
  event.issue.number = pr;
  if (!o.onIssue) {
    event.issue.pull_request = {
      url: `https://api.github.com/repos/${OWNER}/${REPO}/pulls/${pr}`,
      html_url: `https://github.com/${OWNER}/${REPO}/pull/${pr}`,
      diff_url: `https://github.com/${OWNER}/${REPO}/pull/${pr}.diff`,
      patch_url: `https://github.com/${OWNER}/${REPO}/pull/${pr}.patch`,
    };
  }
  event.comment.body = o.body;
  event.comment.user.login = o.login ?? "maintainer";
  if (o.userType) event.comment.user.type = o.userType as "User";
  if (o.createdAt) event.comment.created_at = o.createdAt;
  // An edit or a deletion is the same payload with another action.
  const out: IssueCommentEvent = event;
  if (o.action) out.action = o.action;
  return out;
}

/** A `pull_request` payload from the examples (`labeled` or `synchronize`), made pull request #1 and adapted. */
export function pullRequestEvent(o: {
  action: "labeled" | "synchronize";
  label?: string;
  labels?: string[];
  sender?: string;
  fork?: boolean;
  headSha?: string;
}): PullRequestEvent {
  const event = examples<PullRequestLabeledEvent | PullRequestSynchronizeEvent>(
    "pull_request",
    o.action,
  );
  const pr = event.pull_request;
  event.number = 1;
  pr.number = 1;
  if (o.headSha) pr.head.sha = o.headSha;
  if ("after" in event && o.headSha) event.after = o.headSha;
  if (o.fork && pr.head.repo) {
    pr.head.repo.id = pr.base.repo.id + 1;
    pr.head.repo.full_name = `someone/${REPO}`;
  }
  const template = pr.labels[0];
  if (o.labels && template) pr.labels = o.labels.map((name) => ({ ...template, name }));
  if ("label" in event && event.label && o.label) event.label.name = o.label;
  if (o.sender) event.sender.login = o.sender;
  return event;
}

/** The default branch's workflows: `train` and `eval`. */
export const WORKFLOWS: readonly Job[] = (() => {
  const parsed = parseWorkflows({
    files: [
      {
        path: ".dstack/workflows.yaml",
        text: `workflows:
  - name: train
    provider: python
    file: train.py
    args: ["--epochs", "1"]
    artifacts: ["model"]
    resources:
      gpu: 1
  - name: eval
    provider: python
    file: eval.py
`,
      },
    ],
  });
  if (!parsed.ok) throw new Error(JSON.stringify(parsed.diagnostics));
  return parsed.jobs;
})();

/**
 * A fake GitHub with the model and a client for it, which never waits for real: retry waits
 * scaled to 1 ms per second, writes not spaced (the fake has no secondary rate limit).
 */
export interface Harness {
  github: FakeGitHub;
  model: PullsModel;
  client: GitHubClient;
  close(): Promise<void>;
}

/**
 * Starts a fake with pull request #1 (same repository, {@link COMMITS}) and #2 (from a fork,
 * {@link FORK_COMMITS}), and roles: `maintainer` write, `admin` admin, `reader` read, `triager`
 * triage, `custom` a custom role based on write.
 */
export async function startHarness(options: PullsModelOptions = {}): Promise<Harness> {
  const { github, model } = await startFakePulls({
    owner: OWNER,
    repo: REPO,
    roles: {
      maintainer: "write",
      admin: "admin",
      reader: "read",
      triager: "triage",
      custom: "ml-runner",
    },
    customRoles: { "ml-runner": "write" },
    missingUsers: ["ghost"],
    pulls: [
      { number: 1, commits: [...COMMITS], labels: [] },
      { number: 2, commits: [...FORK_COMMITS], forkOf: `someone/${REPO}` },
    ],
    ...options,
  });
  const token = `ghs_${Math.random().toString(36).slice(2)}`;
  return {
    github,
    model,
    client: createGitHubClient({ token, apiUrl: github.url, retryBaseMs: 1, writeSpacingMs: 0 }),
    close: () => github.close(),
  };
}
