/**
 * Runs started from outside GitHub: a `repository_dispatch` with `event_type: dstack-run` and a
 * `client_payload` naming the workflow, its arguments, resource overrides, the ref to run, a tag
 * and a run name (`@dstack/spec` `parseDispatchPayload`). A scheduler, a data pipeline or a laptop
 * sends it with `POST /repos/{o}/{r}/dispatches` and a token that may write to the repository.
 *
 * Like a pull-request command, the decision is made here and dispatched by the caller
 * (run-python `mode: command`): the sender's role is read through the REST API, the policy is
 * checked, and the workflow comes from the default branch. There is no pull request to answer
 * on: a refusal's reply is for the job summary.
 *
 * @module
 */
import type { GitHubClient } from "@dstack/github";
import { DISPATCH_EVENT_TYPE, type Job, type Policy, parseDispatchPayload } from "@dstack/spec";
import { authorizeActor, type PermissionLevel } from "./authorize.js";
import type { RepositoryDispatchEvent } from "./events.js";
import {
  type IgnoreDecision,
  jobFor,
  jobRefusal,
  minimumRole,
  type RefuseDecision,
  triggerRefusal,
} from "./handle.js";
import type { Refusal } from "./refusal.js";
import { replyText } from "./replies.js";

/** Run the job of a `repository_dispatch`: everything the dispatch needs. */
export interface RepositoryDispatchDecision {
  kind: "dispatch";
  /** The job, validated, with the payload's overrides applied. */
  job: Job;
  /** The workflow's name. */
  workflow: string;
  /** The branch to dispatch the runner workflow on: the default branch. */
  ref: string;
  /**
   * Extra `workflow_dispatch` inputs of the runner workflow: `{ sha }` = the payload's `ref`
   * (a branch, tag or commit the run job checks out), or none for the default branch's head.
   */
  inputs: { sha?: string };
  /** The sender (login). */
  actor: string;
  /** The payload's `tag`, when given. */
  tag?: string;
  /** The payload's `run_name`, when given. */
  runName?: string;
  /** A one-line description for the log: `repository_dispatch dstack-run: train by octocat`. */
  command: string;
  /** Always empty: nothing cosmetic is attempted. */
  warnings: string[];
}

/** Options of {@link handleRepositoryDispatch}. */
export interface HandleRepositoryDispatchOptions {
  /** A client with the workflow token (reads the sender's role). */
  client: GitHubClient;
  /** The `repository_dispatch` webhook payload. */
  event: RepositoryDispatchEvent;
  /** The valid workflows of `.dstack/workflows.yaml` on the default branch. */
  workflows: readonly Job[];
  /** The lowest role that may start runs. Default `write`; the policy raises it. */
  minimum?: PermissionLevel;
  /** The repository policy (`.dstack/policy.yaml` of the default branch); absent: none. */
  policy?: Policy;
}

/**
 * Handles a `repository_dispatch` event: ignores event types other than
 * {@link DISPATCH_EVENT_TYPE}; refuses a sender below the required role, a trigger the policy
 * does not allow, a payload `parseDispatchPayload` refuses (shape, size, values, naming each
 * field as `client_payload.<path>`), an unknown workflow or a bad override, and a job the policy
 * does not allow. Nothing is written to GitHub.
 *
 * @throws GitHubError when the sender's role cannot be read.
 */
export async function handleRepositoryDispatch(
  options: HandleRepositoryDispatchOptions,
): Promise<RepositoryDispatchDecision | RefuseDecision | IgnoreDecision> {
  const { client, event } = options;
  if (event.action !== DISPATCH_EVENT_TYPE) {
    return {
      kind: "ignore",
      why: `repository_dispatch ${JSON.stringify(event.action)}: runs start on event_type ${DISPATCH_EVENT_TYPE}`,
    };
  }
  const actor = event.sender.login;
  const owner = event.repository.owner.login;
  const repo = event.repository.name;
  const command = `repository_dispatch ${DISPATCH_EVENT_TYPE}`;
  const no = (refusal: Refusal): RefuseDecision => ({
    kind: "refuse",
    reason: refusal.reason,
    message: refusal.message,
    reply: replyText(refusal, { command, actor }),
    posted: false,
    warnings: [],
  });
  const auth = await authorizeActor({
    client,
    owner,
    repo,
    login: actor,
    minimum: minimumRole(options),
  });
  if (!auth.ok) {
    return no({
      reason: "not-authorized",
      message: `${actor} has the ${auth.permission} role on ${owner}/${repo}; starting runs needs ${auth.minimum} or above.`,
    });
  }
  const byTrigger = triggerRefusal(options.policy, "repository_dispatch", actor);
  if (byTrigger) return no(byTrigger);
  const parsed = parseDispatchPayload(event.client_payload);
  if ("errors" in parsed) {
    return no({
      reason: "malformed-payload",
      message: parsed.errors
        .map((d) => (d.field ? `${d.field}: ${d.message}` : d.message))
        .join("\n"),
    });
  }
  const { request } = parsed;
  const resolved = jobFor(options.workflows, request.command);
  if ("refusal" in resolved) return no(resolved.refusal);
  const byJob = jobRefusal(options.policy, resolved.job);
  if (byJob) return no(byJob);
  const workflow =
    typeof request.command.target === "object" ? request.command.target.workflow : "python";
  return {
    kind: "dispatch",
    job: resolved.job,
    workflow,
    ref: event.repository.default_branch,
    inputs: request.ref !== undefined ? { sha: request.ref } : {},
    actor,
    ...(request.tag !== undefined ? { tag: request.tag } : {}),
    ...(request.runName !== undefined ? { runName: request.runName } : {}),
    command: `${command}: ${workflow} by ${actor}`,
    warnings: [],
  };
}
