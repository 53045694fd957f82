/**
 * `.dstack/policy.yaml`: the repository's guard on cost (which GPUs, how many per job) and on who
 * starts runs (which events, which logins, which repository role).
 *
 * Parsing follows `workflows.ts`: YAML with positions, the schema of `schema.ts`
 * ({@link PolicyFileSchema}), then named rules; user mistakes are diagnostics, never exceptions.
 * The checks ({@link checkJobPolicy}, {@link checkTriggerPolicy}) are pure and return violations
 * that {@link policyDiagnostics} turns into annotations at the rule that was broken.
 *
 * ```yaml
 * gpu:
 *   names: [A100, H100]
 *   max_count: 4
 * triggers:
 *   events: [workflow_dispatch, issue_comment]
 *   actors: [alice, bob]
 *   permission: write
 * artifacts:
 *   pull_requests_write_shared_tags: false
 *   trusted_workflows: [nightly.yml]
 * ```
 *
 * @module
 */
import type { ErrorObject } from "ajv";
import { LineCounter, parseDocument } from "yaml";
import {
  type Diagnostic,
  type FieldPath,
  formatFieldPath,
  hasErrors,
  sortDiagnostics,
} from "./diagnostics.js";
import { gpuNameProblem, normalizeGpuName } from "./gpu.js";
import type { Job } from "./job.js";
import { yamlDiagnostic, yamlLocator } from "./locator.js";
import {
  ACTOR_PATTERN,
  EVENT_NAME_PATTERN,
  PolicyFileSchema,
  REPOSITORY_ROLES,
  WORKFLOW_FILE_PATTERN,
} from "./schema.js";
import { createAjv, describeValue, didYouMean, translateSchemaErrors } from "./validate.js";

export { REPOSITORY_ROLES } from "./schema.js";

/** The policy file, relative to the repository root. */
export const POLICY_FILE = ".dstack/policy.yaml";

/** A repository role; see {@link REPOSITORY_ROLES} (lowest first). */
export type RepositoryRole = (typeof REPOSITORY_ROLES)[number];

/**
 * The events that trigger GitHub Actions workflows (GitHub docs, "Events that trigger workflows").
 * A `triggers.events` name outside this list is a warning, not an error: GitHub adds events, and
 * a policy should not break when it does.
 */
export const ACTIONS_EVENTS: readonly string[] = Object.freeze([
  "branch_protection_rule",
  "check_run",
  "check_suite",
  "create",
  "delete",
  "deployment",
  "deployment_status",
  "discussion",
  "discussion_comment",
  "fork",
  "gollum",
  "issue_comment",
  "issues",
  "label",
  "merge_group",
  "milestone",
  "page_build",
  "project",
  "project_card",
  "project_column",
  "public",
  "pull_request",
  "pull_request_review",
  "pull_request_review_comment",
  "pull_request_target",
  "push",
  "registry_package",
  "release",
  "repository_dispatch",
  "schedule",
  "status",
  "watch",
  "workflow_call",
  "workflow_dispatch",
  "workflow_run",
]);

/** The policy rules by field path, as {@link PolicyViolation.rule} and `positions` name them. */
const RULES = [
  ["gpu", "names"],
  ["gpu", "max_count"],
  ["triggers", "events"],
  ["triggers", "actors"],
  ["triggers", "permission"],
  ["artifacts", "pull_requests_write_shared_tags"],
  ["artifacts", "trusted_workflows"],
] as const;

/**
 * The normalized policy. An absent field sets no limit; {@link emptyPolicy} sets none at all.
 * Keys are camelCase here, snake_case in the file (`max_count` -> `maxCount`).
 */
export interface Policy {
  /** The GPU rules (`gpu:`). */
  gpu: {
    /**
     * `gpu.names`: the GPU models jobs may ask for, as written (`"NVIDIA A100"`, `"H100"`);
     * compared by {@link normalizeGpuName}'s key. When set, a GPU job must name one of them.
     */
    names?: string[];
    /** `gpu.max_count`: the most GPUs one job may ask for, an integer >= 0 (0: no GPU jobs). */
    maxCount?: number;
  };
  /** The trigger rules (`triggers:`). */
  triggers: {
    /** `triggers.events`: GitHub event names (`github.event_name`) that may start runs. */
    events?: string[];
    /** `triggers.actors`: GitHub logins that may start runs, as written; matched case-insensitively. */
    actors?: string[];
    /** `triggers.permission`: the lowest repository role that may start runs. */
    permission?: RepositoryRole;
  };
  /**
   * The artifact rules (`artifacts:`), present only when the file has the section; read them
   * with {@link artifactsPolicy}, which fills in the defaults.
   */
  artifacts?: {
    /** `artifacts.pull_requests_write_shared_tags`: runs of pull-request code may move shared tags. */
    pullRequestsWriteSharedTags?: boolean;
    /** `artifacts.trusted_workflows`: more workflow file names whose runs' tags and artifacts count. */
    trustedWorkflows?: string[];
  };
  /**
   * The rule's position in the file by its field path (`gpu.names`, `gpu.max_count`,
   * `triggers.events`, `triggers.actors`, `triggers.permission`, `artifacts.*`): the 1-based line
   * and column of the rule's key, for annotations. Only rules present in the file have one.
   */
  positions: Record<string, { line: number; col: number }>;
  /** The file path as given (default {@link POLICY_FILE}). */
  source: string;
}

/** One broken rule, from {@link checkJobPolicy} or {@link checkTriggerPolicy}. */
export interface PolicyViolation {
  /**
   * The policy rule: `gpu.names` | `gpu.max_count` | `triggers.events` | `triggers.actors` |
   * `triggers.permission`.
   */
  rule: string;
  /**
   * The job's field or the trigger's part that broke it: `resources.gpu.count`,
   * `resources.gpu.name`, `event`, `actor`.
   */
  field: string;
  /**
   * One sentence, field first: what was asked, what the policy allows, where the rule is, how to
   * proceed. E.g. `resources.gpu.count: the job asks for 8 GPUs; .dstack/policy.yaml allows at
   * most 4 per job (gpu.max_count, line 3); ask for 4 or fewer, or raise gpu.max_count`.
   */
  message: string;
}

/**
 * A policy that allows everything: what a repository without `.dstack/policy.yaml` has.
 *
 * @param source - the path to name in messages; default {@link POLICY_FILE}.
 */
export function emptyPolicy(source: string = POLICY_FILE): Policy {
  return { gpu: {}, triggers: {}, positions: {}, source };
}

const EVENTS_DOCS =
  "https://docs.github.com/actions/reference/workflows-and-actions/events-that-trigger-workflows";

/**
 * Parses and validates `.dstack/policy.yaml`; reports every problem at once.
 *
 * Rules: the shape of {@link PolicyFileSchema} (every key optional; unknown keys are errors with
 * a did-you-mean; `gpu.max_count` an integer >= 0; `triggers.permission` one of
 * {@link REPOSITORY_ROLES}; event names `^[a-z_]+$`; logins as GitHub spells them;
 * `artifacts.trusted_workflows` file names in `.github/workflows/`, a path getting a did-you-mean
 * of its file name; `artifacts.pull_requests_write_shared_tags` a boolean); a GPU name
 * that names no model (`"NVIDIA"` alone: {@link normalizeGpuName} leaves nothing, so it could
 * never match) is an error. Warnings: an event name GitHub does not document (did-you-mean), and
 * an empty list (it allows nothing). `gpu.ts` has no list of known GPU models, so any other
 * non-empty name is accepted.
 *
 * An empty file, or one of comments only, or `{}`, is a valid policy that allows everything.
 *
 * @param options.text - the file's content (UTF-8 text).
 * @param options.source - the path to print; default {@link POLICY_FILE}.
 * @returns `{ policy, diagnostics }` (warnings only) or `{ diagnostics }` with at least one
 *   error. Never throws on any input text.
 */
export function parsePolicy(options: {
  text: string;
  source?: string;
}): { policy: Policy; diagnostics: Diagnostic[] } | { diagnostics: Diagnostic[] } {
  const source = options.source ?? POLICY_FILE;
  const diagnostics: Diagnostic[] = [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(options.text, {
    lineCounter,
    prettyErrors: false,
    strict: true,
    uniqueKeys: true,
    version: "1.2",
  });
  for (const w of doc.warnings) diagnostics.push(yamlDiagnostic(source, lineCounter, w, "warning"));
  if (doc.errors.length > 0) {
    for (const e of doc.errors) diagnostics.push(yamlDiagnostic(source, lineCounter, e, "error"));
    return { diagnostics: sortDiagnostics(diagnostics) };
  }
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    // yaml throws for alias bombs ("Excessive alias count") and alias cycles.
    diagnostics.push({
      severity: "error",
      source,
      line: 1,
      col: 1,
      field: "",
      message: `YAML: ${(e as Error).message}`,
    });
    return { diagnostics };
  }
  if (value === null || value === undefined) {
    return { policy: emptyPolicy(source), diagnostics };
  }

  const locator = yamlLocator({ source, doc, lineCounter, base: [] });
  const report = (
    severity: Diagnostic["severity"],
    path: FieldPath,
    message: string,
    o?: { key?: boolean },
  ): void => {
    const pos = locator.position(path, o);
    diagnostics.push({
      severity,
      source,
      ...(pos ? { line: pos.line, col: pos.col } : {}),
      field: formatFieldPath(path),
      message,
    });
  };
  const error = (path: FieldPath, message: string, o?: { key?: boolean }) =>
    report("error", path, message, o);

  // Compiled here, not at import: about 4 ms that every importer of @dstack/spec (the actions'
  // cold start) would pay, for a file read once per run.
  const policyValidator = createAjv().compile(PolicyFileSchema);
  if (!policyValidator(value)) {
    // Patterns get messages of their own; translateSchemaErrors knows only workflow names.
    const errors: ErrorObject[] = [];
    for (const e of policyValidator.errors ?? []) {
      const pattern = (e.parentSchema as { pattern?: string } | undefined)?.pattern;
      const path = e.instancePath.slice(1).split("/");
      const at: FieldPath = path.map((p) => (/^\d+$/.test(p) ? Number(p) : p));
      if (e.keyword === "pattern" && pattern === EVENT_NAME_PATTERN) {
        error(
          at,
          `${describeValue(e.data)} is not a GitHub event name; write it as GitHub does, lower case with _, e.g. workflow_dispatch`,
        );
      } else if (e.keyword === "pattern" && pattern === WORKFLOW_FILE_PATTERN) {
        // `.github/workflows/ci.yml` names the file by its path: suggest the file name.
        const base = typeof e.data === "string" ? e.data.split("/").pop() : undefined;
        const hint =
          base && base !== e.data && new RegExp(WORKFLOW_FILE_PATTERN).test(base)
            ? `; did you mean ${JSON.stringify(base)}?`
            : "";
        error(
          at,
          `${describeValue(e.data)} is not a workflow file name${hint} (give the file name in .github/workflows/, e.g. nightly.yml)`,
        );
      } else if (e.keyword === "pattern" && pattern === ACTOR_PATTERN) {
        error(
          at,
          `${describeValue(e.data)} is not a GitHub login; use letters, digits and -, e.g. octocat or dependabot[bot]`,
        );
      } else {
        errors.push(e);
      }
    }
    translateSchemaErrors(errors, value, { error });
  }
  if (typeof value !== "object" || Array.isArray(value)) {
    return { diagnostics: sortDiagnostics(diagnostics) };
  }

  const v = value as { gpu?: unknown; triggers?: unknown; artifacts?: unknown };
  const section = (s: unknown): Record<string, unknown> =>
    s && typeof s === "object" && !Array.isArray(s) ? (s as Record<string, unknown>) : {};
  const gpu = section(v.gpu);
  const triggers = section(v.triggers);
  const artifacts = section(v.artifacts);
  const strings = (list: unknown): string[] | undefined =>
    Array.isArray(list) ? list.filter((x): x is string => typeof x === "string") : undefined;

  const policy = emptyPolicy(source);
  const names = strings(gpu.names);
  if (names) {
    names.forEach((name, i) => {
      const problem = gpuNameProblem(name);
      if (problem) error(["gpu", "names", i], problem);
    });
    policy.gpu.names = names;
  }
  if (Number.isInteger(gpu.max_count) && (gpu.max_count as number) >= 0) {
    policy.gpu.maxCount = gpu.max_count as number;
  }
  const events = strings(triggers.events);
  if (events) {
    const eventRe = new RegExp(EVENT_NAME_PATTERN);
    events.forEach((event, i) => {
      if (!eventRe.test(event) || ACTIONS_EVENTS.includes(event)) return;
      const hint = didYouMean(event, ACTIONS_EVENTS);
      report(
        "warning",
        ["triggers", "events", i],
        `${JSON.stringify(event)} is not an event GitHub documents${hint ? `; did you mean ${JSON.stringify(hint)}?` : ""} (events: ${EVENTS_DOCS})`,
      );
    });
    policy.triggers.events = events;
  }
  const actors = strings(triggers.actors);
  if (actors) policy.triggers.actors = actors;
  if (
    typeof triggers.permission === "string" &&
    (REPOSITORY_ROLES as readonly string[]).includes(triggers.permission)
  ) {
    policy.triggers.permission = triggers.permission as RepositoryRole;
  }
  if (v.artifacts !== undefined) {
    policy.artifacts = {};
    if (typeof artifacts.pull_requests_write_shared_tags === "boolean") {
      policy.artifacts.pullRequestsWriteSharedTags = artifacts.pull_requests_write_shared_tags;
    }
    const trusted = strings(artifacts.trusted_workflows);
    if (trusted) policy.artifacts.trustedWorkflows = trusted;
  }

  const emptyMeaning: Record<string, string> = {
    "gpu.names": "no GPU job may run",
    "triggers.events": "no event may start runs",
    "triggers.actors": "nobody may start runs",
  };
  for (const path of RULES) {
    const [a, b] = path;
    const raw = { gpu, triggers, artifacts }[a][b];
    if (raw === undefined) continue;
    const rule = `${a}.${b}`;
    const pos = locator.position(path, { key: true });
    if (pos) policy.positions[rule] = pos;
    const meaning = emptyMeaning[rule];
    if (meaning && Array.isArray(raw) && raw.length === 0) {
      report(
        "warning",
        path,
        `the list is empty, so ${meaning}; leave ${rule} out to set no limit`,
      );
    }
  }

  const sorted = sortDiagnostics(diagnostics);
  return hasErrors(sorted) ? { diagnostics: sorted } : { policy, diagnostics: sorted };
}

/** `(gpu.max_count, line 3)`: the rule and its line, when the file had one. */
function where(policy: Policy, rule: string, extra = ""): string {
  const pos = policy.positions[rule];
  return `(${rule}${extra}${pos ? `, line ${pos.line}` : ""})`;
}

/**
 * Checks a job (the {@link Job} of `job.ts`, as {@link runCommandJob} or {@link parseWorkflows}
 * give it) against the GPU rules. Pure.
 *
 * - `gpu.max_count`: `resources.gpu.count` must be at most it (with 0, no GPU job passes);
 * - `gpu.names`: a GPU job must name a model (`resources.gpu.name`), and that model must be one
 *   of the names, compared by {@link normalizeGpuName}'s key (`NVIDIA A100-SXM4-80GB` = `A100`).
 *   A job without a name is refused because its `runs-on` labels (subset matching) would let it
 *   land on a runner with any GPU.
 *
 * A job without GPUs passes both rules.
 *
 * @returns the violations, in rule order; `[]` when the job is allowed.
 */
export function checkJobPolicy(policy: Policy, job: Job): PolicyViolation[] {
  const gpu = job.resources.gpu;
  if (!gpu) return [];
  const out: PolicyViolation[] = [];
  const file = policy.source;
  const plural = (n: number) => `${n} GPU${n === 1 ? "" : "s"}`;
  const { maxCount, names } = policy.gpu;
  if (maxCount !== undefined && gpu.count > maxCount) {
    const rule = "gpu.max_count";
    out.push({
      rule,
      field: "resources.gpu.count",
      message:
        maxCount === 0
          ? `resources.gpu.count: the job asks for ${plural(gpu.count)}; ${file} allows no GPU jobs ${where(policy, rule, ": 0")}; run it without GPUs, or raise ${rule}`
          : `resources.gpu.count: the job asks for ${plural(gpu.count)}; ${file} allows at most ${maxCount} per job ${where(policy, rule)}; ask for ${maxCount} or fewer, or raise ${rule}`,
    });
  }
  if (names !== undefined) {
    const rule = "gpu.names";
    const allowed = names.length > 0 ? names.join(", ") : "no GPU model";
    if (gpu.name === undefined) {
      out.push({
        rule,
        field: "resources.gpu.name",
        message: `resources.gpu.name: the job asks for ${plural(gpu.count)} without a model; ${file} allows only ${allowed} ${where(policy, rule)}, so name one (--gpu-name / gpu-name / resources.gpu.name)`,
      });
    } else {
      const model = normalizeGpuName(gpu.name);
      if (!names.some((n) => normalizeGpuName(n) === model)) {
        out.push({
          rule,
          field: "resources.gpu.name",
          message: `resources.gpu.name: the job asks for ${JSON.stringify(gpu.name)}; ${file} allows ${allowed} ${where(policy, rule)}; ask for one of them, or add the model to ${rule}`,
        });
      }
    }
  }
  return out;
}

/**
 * Checks who started a run and from which event against `triggers.events` and
 * `triggers.actors`. Pure.
 *
 * Events match exactly (GitHub's names are lower case); logins match case-insensitively, as
 * GitHub's do. With `triggers.actors` set, every login in `actors` must be in it (both
 * `github.actor` and `github.triggering_actor`, since a re-run is started by someone else than
 * the first run), and an empty `actors` is refused (no one known to allow). `actors` left out
 * means the caller cannot know who starts the run (a laptop before dispatching, or a run started
 * by this repository's workflow token, checked where it was dispatched): the actor rule is not
 * checked then. The role check
 * (`triggers.permission`) needs the REST API: callers do it, with {@link requiredRole}; this
 * function ignores `permission`.
 *
 * @param trigger.event - the event name (`github.event_name`), e.g. `issue_comment`.
 * @param trigger.actors - the logins to check, e.g. `github.actor` and `github.triggering_actor`;
 *   left out: not checked.
 * @returns the violations (the event's first, then one per refused login); `[]` when allowed.
 */
export function checkTriggerPolicy(
  policy: Policy,
  trigger: { event: string; actors?: readonly string[] },
): PolicyViolation[] {
  const out: PolicyViolation[] = [];
  const file = policy.source;
  const { events, actors } = policy.triggers;
  if (events !== undefined && !events.includes(trigger.event)) {
    const rule = "triggers.events";
    out.push({
      rule,
      field: "event",
      message: `event: runs may not be started by ${trigger.event || "an unnamed event"}; ${file} allows ${events.join(", ") || "no event"} ${where(policy, rule)}; start the run from one of them, or add ${trigger.event || "the event"} to ${rule}`,
    });
  }
  if (actors !== undefined && trigger.actors !== undefined) {
    const rule = "triggers.actors";
    const allowed = new Set(actors.map((a) => a.toLowerCase()));
    const list = actors.join(", ") || "nobody";
    if (trigger.actors.length === 0) {
      out.push({
        rule,
        field: "actor",
        message: `actor: no login was given for who started the run; ${file} allows only ${list} ${where(policy, rule)}, so the run cannot be allowed`,
      });
    }
    const seen = new Set<string>();
    for (const actor of trigger.actors) {
      const key = actor.toLowerCase();
      if (seen.has(key)) continue;
      seen.add(key);
      if (allowed.has(key)) continue;
      out.push({
        rule,
        field: "actor",
        message: `actor: ${actor || "an unnamed login"} may not start runs; ${file} allows ${list} ${where(policy, rule)}; ask one of them to start it, or add ${actor || "the login"} to ${rule}`,
      });
    }
  }
  return out;
}

/**
 * Turns violations into error diagnostics positioned at the rule in the policy file, for
 * annotations: `source` is `policy.source`, `line`/`col` those of `policy.positions[rule]` (left
 * out when the rule has no position), `field` the rule, `message` the violation's.
 */
export function policyDiagnostics(
  policy: Policy,
  violations: readonly PolicyViolation[],
): Diagnostic[] {
  return violations.map((v) => {
    const pos = policy.positions[v.rule];
    return {
      severity: "error",
      source: policy.source,
      ...(pos ? { line: pos.line, col: pos.col } : {}),
      field: v.rule,
      message: v.message,
    };
  });
}

/**
 * The repository role a run's starter must have: the higher of `minimum` (what the caller
 * requires anyway, e.g. `write` for a pull-request command) and `triggers.permission`, by
 * {@link REPOSITORY_ROLES} order.
 */
export function requiredRole(policy: Policy, minimum: RepositoryRole): RepositoryRole {
  const p = policy.triggers.permission;
  if (p === undefined) return minimum;
  return REPOSITORY_ROLES.indexOf(p) > REPOSITORY_ROLES.indexOf(minimum) ? p : minimum;
}

/** The artifact rules with their defaults, from {@link artifactsPolicy}. */
export interface ArtifactsPolicy {
  /** Runs of pull-request code may move shared tags; default false (they tag `pr-<n>.<tag>`). */
  pullRequestsWriteSharedTags: boolean;
  /** Workflow file names trusted besides the runner workflow; default none. */
  trustedWorkflows: string[];
}

/**
 * The policy's `artifacts:` rules with defaults filled in: `pull_requests_write_shared_tags`
 * false, `trusted_workflows` empty. Pure.
 */
export function artifactsPolicy(policy: Policy): ArtifactsPolicy {
  return {
    pullRequestsWriteSharedTags: policy.artifacts?.pullRequestsWriteSharedTags ?? false,
    trustedWorkflows: [...(policy.artifacts?.trustedWorkflows ?? [])],
  };
}
