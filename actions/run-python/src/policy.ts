/**
 * The repository policy, `.dstack/policy.yaml`: which GPU models and how many GPUs a job
 * may ask for, and who may start runs from which events. `@dstack/spec` parses and checks it;
 * this module reads it from the right place and enforces it in the modes that start runs on
 * runners: `plan` (the gate of the runner workflow, `dstack-run.yml`), `dispatch` and `command`
 * (before anything is dispatched).
 *
 * Where it is read from: the repository's **default branch**, through the REST API
 * (`GET /repos/{o}/{r}/contents/.dstack/policy.yaml?ref=<default branch>`), never the checkout: a
 * branch that loosens the policy does not loosen it for its own runs. Without a token the
 * checkout's file is read, with a warning. A policy that does not parse fails the step (closed,
 * not open); no file means no limits.
 *
 * Who started the run: `GITHUB_EVENT_NAME`, and `GITHUB_ACTOR` with `GITHUB_TRIGGERING_ACTOR`
 * (a re-run's user). `github-actions[bot]` is the workflow token of this repository: a run that
 * `mode: dispatch` or `mode: command` dispatched, after checking the policy against its own
 * event and actor; it is not checked again as an actor (its event, `workflow_dispatch`, is).
 *
 * @module
 */
import { readFile } from "node:fs/promises";
import * as core from "@actions/core";
import { type GitHubClient, readDefaultBranchPolicy } from "@dstack/github";
import {
  checkJobPolicy,
  checkTriggerPolicy,
  type Diagnostic,
  emptyPolicy,
  type Job,
  POLICY_FILE,
  type Policy,
  type PolicyViolation,
  policyDiagnostics,
} from "@dstack/spec";
import { readPolicyFile } from "@dstack/spec/node";
import { annotate } from "./annotate.js";
import { stepClient } from "./client.js";
import { InputError } from "./inputs.js";

/** The login of a repository's workflow token (`GITHUB_TOKEN`) as an actor. */
export const WORKFLOW_TOKEN_ACTOR = "github-actions[bot]";

/** Options of {@link loadPolicy}. */
export interface LoadPolicyOptions {
  /** The workflow token; empty: read the checkout's file instead of the default branch's. */
  token: string;
  /** The checkout (`GITHUB_WORKSPACE`), read when there is no token. */
  repoDir: string;
  /** A client to reuse; else one is made from `token` and `GITHUB_API_URL`. */
  client?: GitHubClient;
  /**
   * The default branch, when the caller already read the event payload; else it is read from
   * `GITHUB_EVENT_PATH`, then from `GET /repos/{owner}/{repo}`.
   */
  defaultBranch?: string;
}

/** A loaded policy and where it came from (for the log). */
export interface LoadedPolicy {
  policy: Policy;
  /** `.dstack/policy.yaml at main (the default branch)`, `... in the checkout`, or `no ...`. */
  from: string;
  /** The default branch, when the policy was read from it (later steps need not ask again). */
  defaultBranch?: string;
}

/** The default branch from the event payload (every repository event carries it), if there. */
export async function eventDefaultBranch(): Promise<string | undefined> {
  const file = process.env.GITHUB_EVENT_PATH;
  if (!file) return undefined;
  try {
    const event = JSON.parse(await readFile(file, "utf8")) as {
      repository?: { default_branch?: unknown };
    };
    const branch = event.repository?.default_branch;
    return typeof branch === "string" && branch !== "" ? branch : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Reads and parses the policy; annotates its problems at `.dstack/policy.yaml:line:col`.
 *
 * @throws InputError when the file does not parse or breaks a rule of its own (fail closed);
 *   GitHubError when GitHub cannot be asked (403 names `contents: read`).
 */
export async function loadPolicy(options: LoadPolicyOptions): Promise<LoadedPolicy> {
  const [owner = "", repo = ""] = (process.env.GITHUB_REPOSITORY ?? "").split("/");
  let read: { policy?: Policy; diagnostics: Diagnostic[] } | undefined;
  let from: string;
  let defaultBranch: string | undefined;
  if (options.token !== "" && owner !== "" && repo !== "") {
    const client = options.client ?? stepClient({ token: options.token });
    const known = options.defaultBranch ?? (await eventDefaultBranch());
    const found = await readDefaultBranchPolicy({
      client,
      owner,
      repo,
      ...(known !== undefined ? { defaultBranch: known } : {}),
    });
    defaultBranch = found.ref;
    read = found.exists ? found : undefined;
    from = `${POLICY_FILE} at ${found.ref} (the default branch)`;
  } else {
    read = readPolicyFile({ root: options.repoDir });
    from = `${POLICY_FILE} in the checkout`;
    if (read !== undefined) {
      core.warning(
        `${POLICY_FILE}: read from the checkout, because there is no github-token or GITHUB_REPOSITORY to read the default branch's; with them, the default branch's policy applies whatever branch runs`,
      );
    }
  }
  const branch = defaultBranch !== undefined ? { defaultBranch } : {};
  if (read === undefined) {
    return { policy: emptyPolicy(), from: `no ${POLICY_FILE}: no limits`, ...branch };
  }
  annotate(read.diagnostics);
  if (read.policy === undefined) {
    const n = read.diagnostics.filter((d) => d.severity === "error").length;
    throw new InputError(
      `${from} has ${n} problem${n === 1 ? "" : "s"} (see the annotations above); no run starts until it is fixed`,
    );
  }
  return { policy: read.policy, from, ...branch };
}

/** Who started this workflow run: its event and the actors to check. */
export interface WorkflowTrigger {
  /** `GITHUB_EVENT_NAME`. */
  event: string;
  /** `GITHUB_ACTOR` and `GITHUB_TRIGGERING_ACTOR`, distinct, without the workflow token's bot. */
  actors: string[];
}

/** Reads {@link WorkflowTrigger} from the environment of a step. */
export function workflowTrigger(env: NodeJS.ProcessEnv = process.env): WorkflowTrigger {
  const actors = [env.GITHUB_ACTOR, env.GITHUB_TRIGGERING_ACTOR].filter(
    (a): a is string => typeof a === "string" && a !== "" && a !== WORKFLOW_TOKEN_ACTOR,
  );
  return { event: env.GITHUB_EVENT_NAME ?? "", actors: [...new Set(actors)] };
}

/** Options of {@link enforcePolicy}. */
export interface EnforcePolicyOptions {
  loaded: LoadedPolicy;
  /** The job about to be planned or dispatched. */
  job: Job;
  /** Who started it; default {@link workflowTrigger} of this step. */
  trigger?: WorkflowTrigger;
  /** The token, for the role check (`triggers.permission`). */
  token: string;
}

/**
 * Checks the job and its trigger against the policy: GPU models and count, events, actors, and
 * (with `triggers.permission`) each actor's role through the REST API
 * (`GET /repos/{o}/{r}/collaborators/{user}/permission`).
 *
 * @throws InputError naming every broken rule (annotated at the rule in `.dstack/policy.yaml`);
 *   GitHubError when the role cannot be read.
 */
export async function enforcePolicy(options: EnforcePolicyOptions): Promise<void> {
  const { loaded, job } = options;
  const { policy } = loaded;
  const trigger = options.trigger ?? workflowTrigger();
  core.info(`policy: ${loaded.from}`);
  // No actor left to check: the run was started by this repository's workflow token, whose
  // dispatching step checked its own actor (see the module's comment).
  const checked = trigger.actors.length > 0 ? trigger : { event: trigger.event };
  const violations: PolicyViolation[] = [
    ...checkJobPolicy(policy, job),
    ...(trigger.event !== "" ? checkTriggerPolicy(policy, checked) : []),
  ];
  const minimum = policy.triggers.permission;
  if (minimum !== undefined && trigger.actors.length > 0) {
    const [owner = "", repo = ""] = (process.env.GITHUB_REPOSITORY ?? "").split("/");
    if (options.token === "" || owner === "") {
      throw new InputError(
        `${POLICY_FILE}: triggers.permission asks for ${minimum} or above, and the role of ${trigger.actors.join(", ")} cannot be read without github-token`,
      );
    }
    const { authorizeActor } = await import("@dstack/triggers");
    const client = stepClient({ token: options.token });
    for (const login of trigger.actors) {
      const auth = await authorizeActor({ client, owner, repo, login, minimum });
      if (!auth.ok) {
        violations.push({
          rule: "triggers.permission",
          field: "actor",
          message: `actor: ${login} has the ${auth.permission} role on ${owner}/${repo}; ${POLICY_FILE} lets ${minimum} or above start runs (triggers.permission)`,
        });
      }
    }
  }
  if (violations.length === 0) return;
  annotate(policyDiagnostics(policy, violations));
  throw new InputError(
    `the repository policy refuses this run (${violations.length} rule${violations.length === 1 ? "" : "s"}; see the annotations above): ${violations.map((v) => v.message).join("; ")}`,
  );
}
