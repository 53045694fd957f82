/**
 * The two triggers of a run from a pull request, as decisions:
 * - a comment `/dstack run WORKFLOW ...` ({@link handleIssueComment});
 * - the `dstack-run` label, removed again by the next push ({@link handlePullRequestLabel}).
 *
 * Each handler reads the event, asks GitHub what it must know now (the actor's role, the pull
 * request's head), answers on the pull request (a reaction, a reply to a refusal, the sticky
 * comment and a pending commit status for an accepted run) and returns what to do. It never
 * dispatches: the caller (run-python `mode: command`) dispatches a `dispatch` decision to the
 * runner workflow at `decision.ref` with `decision.inputs`, then reports with `reportRun`.
 *
 * @module
 */
import { apiUrlOf, type GitHubClient, restError } from "@dstack/github";
import {
  checkJobPolicy,
  checkTriggerPolicy,
  findWorkflow,
  formatDiagnostic,
  type Job,
  type Policy,
  type PolicyViolation,
  requiredRole,
  runCommandJob,
} from "@dstack/spec";
import { authorizeActor, type PermissionLevel } from "./authorize.js";
import { parseCommand } from "./command.js";
import type { IssueCommentEvent, PullRequestEvent } from "./events.js";
import { isFork, type PinnedPullRequest, pinPullRequest } from "./pin.js";
import type { Refusal } from "./refusal.js";
import { replyText } from "./replies.js";
import { setCommitStatus, statusContext } from "./status.js";
import { createStickyComment } from "./sticky.js";

/** The label that starts a run, by default. */
export const DEFAULT_LABEL = "dstack-run";

/** Run a job: everything the dispatch needs. */
export interface DispatchDecision {
  kind: "dispatch";
  /** The job, validated, with the command's options applied. */
  job: Job;
  /** The workflow's name. */
  workflow: string;
  /** The commit to run (full SHA); the runner workflow's `sha` input. */
  sha: string;
  /** The pull request, as read when the event was handled. */
  pr: PinnedPullRequest;
  /**
   * The branch to dispatch the runner workflow on: the default branch, whose reviewed workflow
   * files run (never the pull request's head).
   */
  ref: string;
  /** Extra `workflow_dispatch` inputs of the runner workflow: `{ sha }` (checked out by its run job). */
  inputs: { sha: string };
  /** Who asked (login). */
  actor: string;
  /** The command line as written, or `label dstack-run`. */
  command: string;
  /** The commit status context set to `pending`: `dstack/<workflow>`. */
  statusContext: string;
  /** The sticky comment's id (created or updated as `queued`). */
  stickyCommentId: number;
  /** Cosmetic steps that failed (a reaction): worth a log line, not a failure. */
  warnings: string[];
}

/** Do not run: the reply (already posted when `posted`) says why. */
export interface RefuseDecision {
  kind: "refuse";
  /** See {@link Refusal}. */
  reason: Refusal["reason"];
  /** Plain text: why, and how to fix it. */
  message: string;
  /** The Markdown reply ({@link replyText}). */
  reply: string;
  /** Whether the reply was posted as a comment (false where the token cannot write, e.g. forks' `pull_request` events). */
  posted: boolean;
  /** Cosmetic steps that failed (a reaction). */
  warnings: string[];
}

/** Not for us (not a pull request, not a command, an edit): nothing was written. */
export interface IgnoreDecision {
  kind: "ignore";
  /** Why, for a log line. */
  why: string;
}

/** What a handler decided. */
export type Decision = DispatchDecision | RefuseDecision | IgnoreDecision;

/** Options shared by both handlers. */
interface HandlerOptions {
  /** A client from `@dstack/github` `createGitHubClient`, with the workflow token (see `dstack-command.yml`). */
  client: GitHubClient;
  /**
   * The valid workflows of `.dstack/workflows.yaml` on the default branch (`@dstack/executor`
   * `loadWorkflows(...).jobs` of a checkout of the default branch).
   */
  workflows: readonly Job[];
  /**
   * The lowest role that may start runs. Default `write`; the policy's `triggers.permission`
   * raises it.
   */
  minimum?: PermissionLevel;
  /**
   * The repository policy (`@dstack/spec` `parsePolicy` of `.dstack/policy.yaml` on the default
   * branch): its trigger rules are checked against the event and the actor, its GPU rules against
   * the resolved job, before anything is dispatched. Absent: no policy.
   */
  policy?: Policy;
  /** Authors of the sticky comment (see `StickyCommentOptions.authors`). */
  stickyAuthors?: readonly string[];
}

/** Options of {@link handleIssueComment}. */
export interface HandleIssueCommentOptions extends HandlerOptions {
  /** The `issue_comment` webhook payload (`github.event` in the workflow). */
  event: IssueCommentEvent;
}

/** Options of {@link handlePullRequestLabel}. */
export interface HandlePullRequestLabelOptions extends HandlerOptions {
  /** The `pull_request` webhook payload. */
  event: PullRequestEvent;
  /** The label that starts a run. Default {@link DEFAULT_LABEL}. */
  label?: string;
  /** The workflow the label runs (a name in `workflows`). */
  workflow: string;
}

type Reaction = "+1" | "-1" | "rocket" | "confused" | "eyes";

async function react(
  client: GitHubClient,
  at: { owner: string; repo: string; commentId: number },
  content: Reaction,
  warnings: string[],
): Promise<void> {
  try {
    await client.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
      owner: at.owner,
      repo: at.repo,
      comment_id: at.commentId,
      content,
    });
  } catch (e) {
    warnings.push(
      restError(`react ${content} to comment ${at.commentId}`, e, apiUrlOf(client)).message,
    );
  }
}

async function refuse(
  options: { client: GitHubClient; owner: string; repo: string; pr: number; post: boolean },
  refusal: Refusal,
  context: { command?: string; actor?: string },
  warnings: string[],
): Promise<RefuseDecision> {
  const reply = replyText(refusal, context);
  if (options.post) {
    try {
      await options.client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        owner: options.owner,
        repo: options.repo,
        issue_number: options.pr,
        body: reply,
      });
    } catch (e) {
      throw restError(
        `reply on pull request #${options.pr} of ${options.owner}/${options.repo}`,
        e,
        apiUrlOf(options.client),
      );
    }
  }
  return {
    kind: "refuse",
    reason: refusal.reason,
    message: refusal.message,
    reply,
    posted: options.post,
    warnings,
  };
}

/** Marks an accepted run on the pull request: the sticky comment (`queued`) and a pending status. */
async function accept(
  options: HandlerOptions & { owner: string; repo: string },
  d: Omit<DispatchDecision, "kind" | "stickyCommentId" | "statusContext" | "inputs">,
): Promise<DispatchDecision> {
  const { client, owner, repo } = options;
  const context = statusContext(d.workflow);
  const sticky = createStickyComment({
    client,
    owner,
    repo,
    pr: d.pr.number,
    ...(options.stickyAuthors ? { authors: options.stickyAuthors } : {}),
  });
  const stickyCommentId = await sticky.update({
    status: "queued",
    workflow: d.workflow,
    command: d.command,
    actor: d.actor,
    sha: d.sha,
  });
  await setCommitStatus({
    client,
    owner,
    repo,
    sha: d.sha,
    state: "pending",
    context,
    description: `queued by ${d.actor}`,
  });
  return {
    kind: "dispatch",
    ...d,
    inputs: { sha: d.sha },
    statusContext: context,
    stickyCommentId,
  };
}

/** Resolves the workflow and the command's options into a job, or a refusal. */
export function jobFor(
  workflows: readonly Job[],
  run: Parameters<typeof runCommandJob>[0]["command"],
): { job: Job } | { refusal: Refusal } {
  const result = runCommandJob({ command: run, workflows });
  if ("job" in result) return result;
  const unknown = result.errors.some((d) => d.field === "WORKFLOW");
  return {
    refusal: {
      reason: unknown ? "unknown-workflow" : "invalid-override",
      message: `${result.errors.map(formatDiagnostic).join("\n")}${unknown ? "\n\nWorkflows are read from .dstack/workflows.yaml on the default branch." : ""}`,
    },
  };
}

/** The role a handler requires: `minimum` (default `write`), raised by the policy. */
export function minimumRole(options: {
  minimum?: PermissionLevel;
  policy?: Policy;
}): PermissionLevel {
  const minimum = options.minimum ?? "write";
  return options.policy ? requiredRole(options.policy, minimum) : minimum;
}

/** A `policy` refusal naming every broken rule, or `undefined` when none is broken. */
export function policyRefusal(violations: readonly PolicyViolation[]): Refusal | undefined {
  if (violations.length === 0) return undefined;
  return {
    reason: "policy",
    message: `${violations.map((v) => v.message).join("\n")}\n\nThe policy is .dstack/policy.yaml on the default branch.`,
  };
}

/** The policy's trigger rules for `event` by `actor`. */
export function triggerRefusal(
  policy: Policy | undefined,
  event: string,
  actor: string,
): Refusal | undefined {
  return policy ? policyRefusal(checkTriggerPolicy(policy, { event, actors: [actor] })) : undefined;
}

/** The policy's GPU rules for `job`. */
export function jobRefusal(policy: Policy | undefined, job: Job): Refusal | undefined {
  return policy ? policyRefusal(checkJobPolicy(policy, job)) : undefined;
}

/**
 * Handles an `issue_comment` event. In order:
 * 1. ignores anything but a new comment (`created`: an edit could change a command after it was
 *    read), comments on issues that are not pull requests, comments by bots, and comments
 *    without a `/dstack` line;
 * 2. reads the commenter's role ({@link authorizeActor}; never `author_association`) and refuses
 *    below `minimum`, before anything else is said (no workflow names for outsiders);
 * 3. parses the command ({@link parseCommand}) and resolves the workflow and its options with
 *    `@dstack/spec` `runCommandJob`, refusing a malformed command, an unknown workflow or a bad
 *    value;
 * 4. pins the commit ({@link pinPullRequest}): `@SHA` (required for forks), else the head as it
 *    was when the comment was written (`comment.created_at`): a push since then refuses the
 *    command, naming the new commits;
 * 5. answers: on refusal a reaction (`-1` for a role too low, else `confused`) and a reply
 *    comment; on acceptance a `rocket` reaction, the sticky comment (`queued`) and a `pending`
 *    commit status on the pinned commit.
 *
 * @returns the decision; a `dispatch` decision has not been dispatched yet.
 * @throws GitHubError when GitHub fails on a step that matters (the role, the pull request, the
 *   reply, the sticky comment, the status). A failed reaction is only a warning.
 */
export async function handleIssueComment(options: HandleIssueCommentOptions): Promise<Decision> {
  const { client, event } = options;
  if (event.action !== "created") {
    return { kind: "ignore", why: `comment ${event.action}: only new comments are commands` };
  }
  if (!event.issue.pull_request) {
    return { kind: "ignore", why: `#${event.issue.number} is an issue, not a pull request` };
  }
  const user = event.comment.user;
  if (!user || user.type === "Bot") {
    return { kind: "ignore", why: "comments by bots are not commands" };
  }
  const parsed = parseCommand(event.comment.body ?? "");
  if ("none" in parsed) return { kind: "ignore", why: "no /dstack line in the comment" };

  const owner = event.repository.owner.login;
  const repo = event.repository.name;
  const number = event.issue.number;
  const warnings: string[] = [];
  const at = { owner, repo, commentId: event.comment.id };
  const context = { command: parsed.line, actor: user.login };
  const no = async (refusal: Refusal, reaction: Reaction = "confused") => {
    await react(client, at, reaction, warnings);
    return refuse({ client, owner, repo, pr: number, post: true }, refusal, context, warnings);
  };

  const auth = await authorizeActor({
    client,
    owner,
    repo,
    login: user.login,
    minimum: minimumRole(options),
  });
  if (!auth.ok) {
    return no(
      {
        reason: "not-authorized",
        message: `${user.login} has the ${auth.permission} role on ${owner}/${repo}; starting runs needs ${auth.minimum} or above. A maintainer can review the pull request and comment the command.`,
      },
      "-1",
    );
  }
  const byTrigger = triggerRefusal(options.policy, "issue_comment", user.login);
  if (byTrigger) return no(byTrigger, "-1");
  if ("error" in parsed) {
    return no({ reason: parsed.help ? "help" : "malformed", message: parsed.error });
  }
  const { command } = parsed;
  const resolved = jobFor(options.workflows, command.run);
  if ("refusal" in resolved) return no(resolved.refusal);
  const byJob = jobRefusal(options.policy, resolved.job);
  if (byJob) return no(byJob);
  const pinned = await pinPullRequest({
    client,
    owner,
    repo,
    number,
    ...(command.sha
      ? { requestedSha: command.sha }
      : { commentedAt: event.comment.created_at, command }),
  });
  if ("refusal" in pinned) return no(pinned.refusal);

  await react(client, at, "rocket", warnings);
  return accept(
    { ...options, owner, repo },
    {
      job: resolved.job,
      workflow: command.workflow,
      sha: pinned.pin.sha,
      pr: pinned.pin,
      ref: event.repository.default_branch,
      actor: user.login,
      command: parsed.line,
      warnings,
    },
  );
}

/**
 * Handles a `pull_request` event for the label trigger:
 * - `labeled` with `label`: refuses a pull request from a fork (a `pull_request` workflow gets a
 *   read-only token there, and a fork's pushes are not a maintainer's; use a comment with `@SHA`),
 *   a labeler below `minimum` (the label is removed again: the triage role may add labels) and a
 *   closed pull request; else pins the head commit of the event (what the labeler saw) and
 *   accepts like a command (sticky comment `queued`, `pending` status);
 * - `synchronize` (a push) on a labeled pull request: removes the label
 *   (`DELETE /repos/{o}/{r}/issues/{n}/labels/{name}`) and says so in the sticky comment, so
 *   the new commits need a new review;
 * - anything else: ignored.
 *
 * @throws GitHubError when GitHub fails on a step that matters.
 */
export async function handlePullRequestLabel(
  options: HandlePullRequestLabelOptions,
): Promise<Decision> {
  const { client, event } = options;
  const label = options.label ?? DEFAULT_LABEL;
  const owner = event.repository.owner.login;
  const repo = event.repository.name;
  const pr = event.pull_request;
  const number = pr.number;
  const fork = isFork(pr);
  const hasLabel = (pr.labels ?? []).some((l) => l.name.toLowerCase() === label.toLowerCase());
  const removeLabel = async (): Promise<void> => {
    try {
      await client.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", {
        owner,
        repo,
        issue_number: number,
        name: label,
      });
    } catch (e) {
      // 404: someone removed it already, which is what we wanted.
      if ((e as { status?: unknown }).status !== 404) {
        throw restError(`remove the label ${label} from #${number}`, e, apiUrlOf(client));
      }
    }
  };

  if (event.action === "synchronize") {
    if (!hasLabel)
      return { kind: "ignore", why: `a push to #${number}, which has no ${label} label` };
    if (fork)
      return { kind: "ignore", why: `a push to #${number}, from a fork: labels never run forks` };
    await removeLabel();
    const sticky = createStickyComment({
      client,
      owner,
      repo,
      pr: number,
      ...(options.stickyAuthors ? { authors: options.stickyAuthors } : {}),
    });
    await sticky.update({
      status: "label-removed",
      sha: event.after ?? pr.head.sha,
      message: `A new push (${(event.after ?? pr.head.sha).slice(0, 12)}) removed the ${label} label: review the new commits, then add the label again to run them.`,
    });
    return { kind: "ignore", why: `a push to #${number}: the ${label} label was removed` };
  }
  if (event.action !== "labeled" || event.label?.name.toLowerCase() !== label.toLowerCase()) {
    return {
      kind: "ignore",
      why: `pull_request ${event.action}: not the ${label} label being added`,
    };
  }
  const context = { command: `label ${label}`, actor: event.sender.login };
  const warnings: string[] = [];
  if (fork) {
    return refuse(
      { client, owner, repo, pr: number, post: false },
      {
        reason: "fork-label",
        message: `Pull request #${number} comes from a fork (${pr.head.repo?.full_name ?? "a deleted repository"}): the ${label} label does not run it. Review the code, then comment /dstack run ${options.workflow} @${pr.head.sha.slice(0, 12)}.`,
      },
      context,
      warnings,
    );
  }
  const auth = await authorizeActor({
    client,
    owner,
    repo,
    login: event.sender.login,
    minimum: minimumRole(options),
  });
  const post = { client, owner, repo, pr: number, post: true };
  if (!auth.ok) {
    await removeLabel();
    return refuse(
      post,
      {
        reason: "not-authorized",
        message: `${event.sender.login} has the ${auth.permission} role on ${owner}/${repo}; the ${label} label starts runs only when added by ${auth.minimum} or above. The label was removed.`,
      },
      context,
      warnings,
    );
  }
  if (pr.state !== "open") {
    return refuse(
      post,
      {
        reason: "closed",
        message: `Pull request #${number} is ${pr.state}; runs start only on open pull requests.`,
      },
      context,
      warnings,
    );
  }
  const found = findWorkflow(options.workflows, options.workflow);
  if ("error" in found) {
    return refuse(
      post,
      {
        reason: "unknown-workflow",
        message: `label ${label}: ${found.error}. The workflow comes from the label input of the dstack-command workflow and .dstack/workflows.yaml on the default branch.`,
      },
      context,
      warnings,
    );
  }
  const byPolicy =
    triggerRefusal(options.policy, "pull_request", event.sender.login) ??
    jobRefusal(options.policy, found.job);
  if (byPolicy) return refuse(post, byPolicy, context, warnings);
  const pin: PinnedPullRequest = {
    number,
    sha: pr.head.sha,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    fork,
    headRepo: pr.head.repo?.full_name ?? null,
    htmlUrl: pr.html_url,
  };
  return accept(
    { ...options, owner, repo },
    {
      job: found.job,
      workflow: options.workflow,
      sha: pin.sha,
      pr: pin,
      ref: event.repository.default_branch,
      actor: event.sender.login,
      command: context.command,
      warnings,
    },
  );
}
