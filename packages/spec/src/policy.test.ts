import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { formatDiagnostic } from "./diagnostics.js";
import type { GpuRequest, Job } from "./job.js";
import {
  artifactsPolicy,
  checkJobPolicy,
  checkTriggerPolicy,
  emptyPolicy,
  POLICY_FILE,
  type Policy,
  parsePolicy,
  policyDiagnostics,
  REPOSITORY_ROLES,
  type RepositoryRole,
  requiredRole,
} from "./policy.js";

const FULL = `# .dstack/policy.yaml
gpu:
  names: [A100, NVIDIA H100]
  max_count: 4
triggers:
  events: [workflow_dispatch, issue_comment, pull_request, repository_dispatch]
  actors: [alice, Bob]
  permission: write
`;

/** A policy file that must parse without errors. */
function policy(text: string): Policy {
  const r = parsePolicy({ text });
  if (!("policy" in r)) throw new Error(r.diagnostics.map(formatDiagnostic).join("\n"));
  return r.policy;
}

/** Every diagnostic of a policy file, formatted. */
function problems(text: string): string[] {
  return parsePolicy({ text }).diagnostics.map(formatDiagnostic);
}

/** A job as parseWorkflows / runCommandJob give it, with `gpu` as asked. */
function job(gpu?: GpuRequest): Job {
  return {
    workflow: "train",
    provider: "python",
    file: "train.py",
    args: [],
    environment: {},
    artifacts: [],
    workingDir: ".",
    beforeRun: [],
    resources: { interruptible: false, ...(gpu ? { gpu } : {}) },
    deps: [],
  };
}

describe("parsePolicy: valid files", () => {
  it("reads every rule, with the position of its key", () => {
    const r = parsePolicy({ text: FULL });
    expect(r.diagnostics).toEqual([]);
    expect("policy" in r && r.policy).toEqual({
      gpu: { names: ["A100", "NVIDIA H100"], maxCount: 4 },
      triggers: {
        events: ["workflow_dispatch", "issue_comment", "pull_request", "repository_dispatch"],
        actors: ["alice", "Bob"],
        permission: "write",
      },
      positions: {
        "gpu.names": { line: 3, col: 3 },
        "gpu.max_count": { line: 4, col: 3 },
        "triggers.events": { line: 6, col: 3 },
        "triggers.actors": { line: 7, col: 3 },
        "triggers.permission": { line: 8, col: 3 },
      },
      source: POLICY_FILE,
    });
  });

  const empty = [
    { name: "an empty file", text: "" },
    { name: "comments only", text: "# no rules yet\n" },
    { name: "{}", text: "{}\n" },
    { name: "a YAML null", text: "~\n" },
  ];
  it.each(empty)("$name allows everything", ({ text }) => {
    const r = parsePolicy({ text, source: "p.yaml" });
    expect(r).toEqual({ policy: emptyPolicy("p.yaml"), diagnostics: [] });
  });

  it("keeps the source as given", () => {
    const r = parsePolicy({ text: "gpu: {max_count: 1}\n", source: "sub/.dstack/policy.yaml" });
    expect("policy" in r && r.policy.source).toBe("sub/.dstack/policy.yaml");
  });

  it("reads the artifacts rules, with their positions and defaults", () => {
    const text =
      "artifacts:\n  pull_requests_write_shared_tags: true\n  trusted_workflows: [nightly.yml, release.yaml]\n";
    const p = policy(text);
    expect(p.artifacts).toEqual({
      pullRequestsWriteSharedTags: true,
      trustedWorkflows: ["nightly.yml", "release.yaml"],
    });
    expect(p.positions).toEqual({
      "artifacts.pull_requests_write_shared_tags": { line: 2, col: 3 },
      "artifacts.trusted_workflows": { line: 3, col: 3 },
    });
    expect(artifactsPolicy(p)).toEqual({
      pullRequestsWriteSharedTags: true,
      trustedWorkflows: ["nightly.yml", "release.yaml"],
    });
    expect(artifactsPolicy(emptyPolicy())).toEqual({
      pullRequestsWriteSharedTags: false,
      trustedWorkflows: [],
    });
    expect(artifactsPolicy(policy("artifacts: {}\n"))).toEqual(artifactsPolicy(emptyPolicy()));
  });

  it("max_count: 0 is a rule (no GPU jobs), not an absent one", () => {
    expect(policy("gpu:\n  max_count: 0\n").gpu).toEqual({ maxCount: 0 });
  });

  const warnings = [
    {
      name: "an event GitHub does not document, with did-you-mean",
      text: "triggers:\n  events: [workflow_dispatch, pull_requests]\n",
      expected: [
        `${POLICY_FILE}:2:31: warning: triggers.events[1]: "pull_requests" is not an event GitHub documents; did you mean "pull_request"? (events: https://docs.github.com/actions/reference/workflows-and-actions/events-that-trigger-workflows)`,
      ],
    },
    {
      name: "an empty actors list",
      text: "triggers:\n  actors: []\n",
      expected: [
        `${POLICY_FILE}:2:11: warning: triggers.actors: the list is empty, so nobody may start runs; leave triggers.actors out to set no limit`,
      ],
    },
    {
      name: "an empty names list",
      text: "gpu:\n  names: []\n",
      expected: [
        `${POLICY_FILE}:2:10: warning: gpu.names: the list is empty, so no GPU job may run; leave gpu.names out to set no limit`,
      ],
    },
  ];
  it.each(warnings)("warns about $name and keeps the policy", ({ text, expected }) => {
    const r = parsePolicy({ text });
    expect(r.diagnostics.map(formatDiagnostic)).toEqual(expected);
    expect("policy" in r).toBe(true);
  });
});

describe("parsePolicy: invalid files", () => {
  const cases = [
    {
      name: "an unknown top-level key, with did-you-mean",
      text: "gpus:\n  max_count: 2\n",
      expected: [
        `${POLICY_FILE}:1:1: gpus: unknown key "gpus"; did you mean "gpu"? (allowed: gpu, triggers, artifacts)`,
      ],
    },
    {
      name: "an unknown nested key, with did-you-mean",
      text: "gpu:\n  names: [A100]\n  max_cout: 2\n",
      expected: [
        `${POLICY_FILE}:3:3: gpu.max_cout: unknown key "max_cout"; did you mean "max_count"? (allowed: names, max_count)`,
      ],
    },
    {
      name: "a camelCase key",
      text: "gpu:\n  maxCount: 2\n",
      expected: [
        `${POLICY_FILE}:2:3: gpu.maxCount: unknown key "maxCount"; did you mean "max_count"? (allowed: names, max_count)`,
      ],
    },
    {
      name: "a bad role, with did-you-mean",
      text: "triggers:\n  permission: writ\n",
      expected: [
        `${POLICY_FILE}:2:15: triggers.permission: "writ" is not allowed; did you mean "write"? (allowed: none, read, triage, write, maintain, admin)`,
      ],
    },
    {
      name: "a role GitHub does not have",
      text: "triggers:\n  permission: owner\n",
      expected: [
        `${POLICY_FILE}:2:15: triggers.permission: "owner" is not allowed (allowed: none, read, triage, write, maintain, admin)`,
      ],
    },
    {
      name: "a negative max_count",
      text: "gpu:\n  max_count: -1\n",
      expected: [`${POLICY_FILE}:2:14: gpu.max_count: must be at least 0, got -1`],
    },
    {
      name: "a fractional max_count",
      text: "gpu:\n  max_count: 1.5\n",
      expected: [`${POLICY_FILE}:2:14: gpu.max_count: expected an integer, got 1.5`],
    },
    {
      name: "a quoted max_count",
      text: 'gpu:\n  max_count: "4"\n',
      expected: [`${POLICY_FILE}:2:14: gpu.max_count: expected an integer, got "4"`],
    },
    {
      name: "names as a string, not a list",
      text: "gpu:\n  names: A100\n",
      expected: [`${POLICY_FILE}:2:10: gpu.names: expected a list, got "A100"`],
    },
    {
      name: "an empty GPU name",
      text: 'gpu:\n  names: [A100, ""]\n',
      expected: [`${POLICY_FILE}:2:17: gpu.names[1]: must not be empty`],
    },
    {
      name: "a GPU name that names no model",
      text: "gpu:\n  names:\n    - A100\n    - NVIDIA\n",
      expected: [
        `${POLICY_FILE}:4:7: gpu.names[1]: "NVIDIA" names no GPU model; write the model, e.g. "H100", "A100" or "T4"`,
      ],
    },
    {
      name: "an event in capitals",
      text: "triggers:\n  events: [Push]\n",
      expected: [
        `${POLICY_FILE}:2:12: triggers.events[0]: "Push" is not a GitHub event name; write it as GitHub does, lower case with _, e.g. workflow_dispatch`,
      ],
    },
    {
      name: "a login with a space",
      text: "triggers:\n  actors: [alice, bob smith]\n",
      expected: [
        `${POLICY_FILE}:2:19: triggers.actors[1]: "bob smith" is not a GitHub login; use letters, digits and -, e.g. octocat or dependabot[bot]`,
      ],
    },
    {
      name: "an artifacts key in camelCase, with did-you-mean",
      text: "artifacts:\n  trustedWorkflows: [ci.yml]\n",
      expected: [
        `${POLICY_FILE}:2:3: artifacts.trustedWorkflows: unknown key "trustedWorkflows"; did you mean "trusted_workflows"? (allowed: pull_requests_write_shared_tags, trusted_workflows)`,
      ],
    },
    {
      name: "a trusted workflow given by its path, with did-you-mean",
      text: "artifacts:\n  trusted_workflows: [.github/workflows/nightly.yml]\n",
      expected: [
        `${POLICY_FILE}:2:23: artifacts.trusted_workflows[0]: ".github/workflows/nightly.yml" is not a workflow file name; did you mean "nightly.yml"? (give the file name in .github/workflows/, e.g. nightly.yml)`,
      ],
    },
    {
      name: "a trusted workflow without .yml",
      text: "artifacts:\n  trusted_workflows: [nightly]\n",
      expected: [
        `${POLICY_FILE}:2:23: artifacts.trusted_workflows[0]: "nightly" is not a workflow file name (give the file name in .github/workflows/, e.g. nightly.yml)`,
      ],
    },
    {
      name: "shared tags as a string",
      text: 'artifacts:\n  pull_requests_write_shared_tags: "yes"\n',
      expected: [
        `${POLICY_FILE}:2:36: artifacts.pull_requests_write_shared_tags: expected true or false, got "yes"`,
      ],
    },
    {
      name: "a section that is a list",
      text: "triggers:\n  - push\n",
      expected: [`${POLICY_FILE}:2:3: triggers: expected a map, got a list`],
    },
    {
      name: "a whole file that is a list",
      text: "- gpu\n",
      expected: [`${POLICY_FILE}:1:1: expected a map, got a list`],
    },
    {
      name: "a YAML syntax error",
      text: "gpu:\n  names: [A100\n",
      expected: [expect.stringMatching(/^\.dstack\/policy\.yaml:\d+:\d+: YAML: /)],
    },
    {
      name: "a duplicate key",
      text: "gpu:\n  max_count: 1\n  max_count: 2\n",
      expected: [
        expect.stringMatching(/^\.dstack\/policy\.yaml:3:3: YAML: Map keys must be unique/),
      ],
    },
    {
      name: "several problems at once, in file order",
      text: "gpu:\n  max_count: -2\ntriggers:\n  permission: root\n  actor: [alice]\n",
      expected: [
        `${POLICY_FILE}:2:14: gpu.max_count: must be at least 0, got -2`,
        `${POLICY_FILE}:4:15: triggers.permission: "root" is not allowed (allowed: none, read, triage, write, maintain, admin)`,
        `${POLICY_FILE}:5:3: triggers.actor: unknown key "actor"; did you mean "actors"? (allowed: events, actors, permission)`,
      ],
    },
  ];
  it.each(cases)("$name", ({ text, expected }) => {
    const r = parsePolicy({ text });
    expect("policy" in r).toBe(false);
    expect(problems(text)).toEqual(expected);
  });

  it("never throws on an alias bomb", () => {
    const text = `a: &a [x, x, x, x, x, x, x, x, x, x]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]
d: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]
`;
    expect(problems(text)).toEqual([
      expect.stringMatching(/^\.dstack\/policy\.yaml:1:1: YAML: .*alias/i),
    ]);
  });

  it("never throws on any text", () => {
    fc.assert(
      fc.property(fc.string(), (text) => {
        const r = parsePolicy({ text });
        expect(Array.isArray(r.diagnostics)).toBe(true);
      }),
    );
  });
});

describe("checkJobPolicy", () => {
  const full = policy(FULL);
  const cases = [
    { name: "a CPU-only job passes every GPU rule", policy: full, gpu: undefined, expected: [] },
    {
      name: "a CPU-only job passes max_count: 0",
      policy: policy("gpu: {max_count: 0}\n"),
      gpu: undefined,
      expected: [],
    },
    {
      name: "a job within the rules passes",
      policy: full,
      gpu: { count: 4, name: "a100" },
      expected: [],
    },
    {
      name: "names match by normalized model (NVIDIA A100-SXM4-80GB = A100)",
      policy: full,
      gpu: { count: 1, name: "NVIDIA A100-SXM4-80GB" },
      expected: [],
    },
    {
      name: "names match by normalized model (h100 = NVIDIA H100 in the policy)",
      policy: full,
      gpu: { count: 1, name: "h100" },
      expected: [],
    },
    {
      name: "a policy name written as the driver prints it",
      policy: policy("gpu:\n  names: [NVIDIA A100-SXM4-80GB]\n"),
      gpu: { count: 1, name: "a100" },
      expected: [],
    },
    {
      name: "a count over max_count",
      policy: full,
      gpu: { count: 8, name: "a100" },
      expected: [
        {
          rule: "gpu.max_count",
          field: "resources.gpu.count",
          message:
            "resources.gpu.count: the job asks for 8 GPUs; .dstack/policy.yaml allows at most 4 per job (gpu.max_count, line 4); ask for 4 or fewer, or raise gpu.max_count",
        },
      ],
    },
    {
      name: "any GPU job with max_count: 0",
      policy: policy("gpu:\n  max_count: 0\n"),
      gpu: { count: 1 },
      expected: [
        {
          rule: "gpu.max_count",
          field: "resources.gpu.count",
          message:
            "resources.gpu.count: the job asks for 1 GPU; .dstack/policy.yaml allows no GPU jobs (gpu.max_count: 0, line 2); run it without GPUs, or raise gpu.max_count",
        },
      ],
    },
    {
      name: "a model outside names",
      policy: full,
      gpu: { count: 1, name: "v100" },
      expected: [
        {
          rule: "gpu.names",
          field: "resources.gpu.name",
          message:
            'resources.gpu.name: the job asks for "v100"; .dstack/policy.yaml allows A100, NVIDIA H100 (gpu.names, line 3); ask for one of them, or add the model to gpu.names',
        },
      ],
    },
    {
      name: "no model while names is set",
      policy: full,
      gpu: { count: 2 },
      expected: [
        {
          rule: "gpu.names",
          field: "resources.gpu.name",
          message:
            "resources.gpu.name: the job asks for 2 GPUs without a model; .dstack/policy.yaml allows only A100, NVIDIA H100 (gpu.names, line 3), so name one (--gpu-name / gpu-name / resources.gpu.name)",
        },
      ],
    },
    {
      name: "both rules broken, in rule order",
      policy: full,
      gpu: { count: 5, name: "t4" },
      expected: [
        expect.objectContaining({ rule: "gpu.max_count" }),
        expect.objectContaining({ rule: "gpu.names" }),
      ],
    },
    {
      name: "a policy without a file has no line to name",
      policy: { ...emptyPolicy(), gpu: { maxCount: 1 } },
      gpu: { count: 2 },
      expected: [
        {
          rule: "gpu.max_count",
          field: "resources.gpu.count",
          message:
            "resources.gpu.count: the job asks for 2 GPUs; .dstack/policy.yaml allows at most 1 per job (gpu.max_count); ask for 1 or fewer, or raise gpu.max_count",
        },
      ],
    },
    {
      name: "the empty policy allows any GPU job",
      policy: emptyPolicy(),
      gpu: { count: 64, name: "h200" },
      expected: [],
    },
  ];
  it.each(cases)("$name", ({ policy: p, gpu, expected }) => {
    expect(checkJobPolicy(p, job(gpu))).toEqual(expected);
  });

  const model = fc.constantFrom("A100", "H100", "NVIDIA H100 80GB HBM3", "Tesla K80", "L4");
  const rule = fc.record({ maxCount: fc.integer({ min: 0, max: 16 }), names: fc.array(model) });

  it("allows every job within max_count that names a listed model", () => {
    fc.assert(
      fc.property(rule, fc.nat(), fc.nat(), (r, c, i) => {
        fc.pre(r.maxCount >= 1 && r.names.length > 0);
        const p: Policy = { ...emptyPolicy(), gpu: r };
        const gpu = { count: 1 + (c % r.maxCount), name: r.names[i % r.names.length] as string };
        expect(checkJobPolicy(p, job(gpu))).toEqual([]);
      }),
    );
  });

  it("refuses every job over max_count", () => {
    fc.assert(
      fc.property(rule, fc.integer({ min: 1, max: 64 }), fc.option(model), (r, over, name) => {
        const p: Policy = { ...emptyPolicy(), gpu: r };
        const gpu = { count: r.maxCount + over, ...(name ? { name } : {}) };
        const rules = checkJobPolicy(p, job(gpu)).map((v) => v.rule);
        expect(rules).toContain("gpu.max_count");
      }),
    );
  });
});

describe("checkTriggerPolicy", () => {
  const full = policy(FULL);
  const cases = [
    { name: "an allowed event and login", event: "workflow_dispatch", actors: ["alice"], n: 0 },
    {
      name: "logins match case-insensitively",
      event: "issue_comment",
      actors: ["ALICE", "bob"],
      n: 0,
    },
    { name: "the same login twice is checked once", event: "push", actors: ["eve", "EVE"], n: 2 },
    { name: "an event outside events", event: "schedule", actors: ["alice"], n: 1 },
    { name: "a login outside actors", event: "workflow_dispatch", actors: ["mallory"], n: 1 },
    {
      name: "every login must be allowed (actor and triggering_actor)",
      event: "workflow_dispatch",
      actors: ["alice", "mallory"],
      n: 1,
    },
    { name: "no login at all is refused", event: "workflow_dispatch", actors: [], n: 1 },
  ];
  it.each(cases)("$name", ({ event, actors, n }) => {
    expect(checkTriggerPolicy(full, { event, actors })).toHaveLength(n);
  });

  it("leaves the actor rule out when the caller does not know the actors", () => {
    expect(checkTriggerPolicy(full, { event: "workflow_dispatch" })).toEqual([]);
    expect(checkTriggerPolicy(full, { event: "schedule" }).map((v) => v.rule)).toEqual([
      "triggers.events",
    ]);
  });

  it("says what was refused and what is allowed", () => {
    const p = policy(
      "triggers:\n  events: [workflow_dispatch, issue_comment]\n  actors: [alice, bob]\n",
    );
    expect(checkTriggerPolicy(p, { event: "schedule", actors: ["mallory"] })).toEqual([
      {
        rule: "triggers.events",
        field: "event",
        message:
          "event: runs may not be started by schedule; .dstack/policy.yaml allows workflow_dispatch, issue_comment (triggers.events, line 2); start the run from one of them, or add schedule to triggers.events",
      },
      {
        rule: "triggers.actors",
        field: "actor",
        message:
          "actor: mallory may not start runs; .dstack/policy.yaml allows alice, bob (triggers.actors, line 3); ask one of them to start it, or add mallory to triggers.actors",
      },
    ]);
  });

  it("ignores permission (callers check roles with the REST API)", () => {
    const p = policy("triggers:\n  permission: admin\n");
    expect(checkTriggerPolicy(p, { event: "push", actors: ["anyone"] })).toEqual([]);
  });

  it("the empty policy allows any trigger", () => {
    expect(checkTriggerPolicy(emptyPolicy(), { event: "schedule", actors: [] })).toEqual([]);
  });
});

describe("policyDiagnostics", () => {
  it("points each violation at its rule in the file", () => {
    const p = policy(FULL);
    const violations = [
      ...checkJobPolicy(p, job({ count: 8, name: "v100" })),
      ...checkTriggerPolicy(p, { event: "schedule", actors: ["mallory"] }),
    ];
    const diagnostics = policyDiagnostics(p, violations);
    expect(diagnostics.map((d) => [d.severity, d.source, d.line, d.col, d.field])).toEqual([
      ["error", POLICY_FILE, 4, 3, "gpu.max_count"],
      ["error", POLICY_FILE, 3, 3, "gpu.names"],
      ["error", POLICY_FILE, 6, 3, "triggers.events"],
      ["error", POLICY_FILE, 7, 3, "triggers.actors"],
    ]);
    expect(formatDiagnostic(diagnostics[0] as (typeof diagnostics)[0])).toBe(
      ".dstack/policy.yaml:4:3: gpu.max_count: resources.gpu.count: the job asks for 8 GPUs; .dstack/policy.yaml allows at most 4 per job (gpu.max_count, line 4); ask for 4 or fewer, or raise gpu.max_count",
    );
  });

  it("leaves the position out where the rule has none", () => {
    const p: Policy = { ...emptyPolicy("x.yaml"), gpu: { maxCount: 0 } };
    const [d] = policyDiagnostics(p, checkJobPolicy(p, job({ count: 1 })));
    expect(d).toEqual({
      severity: "error",
      source: "x.yaml",
      field: "gpu.max_count",
      message: expect.stringContaining("allows no GPU jobs (gpu.max_count: 0)"),
    });
  });
});

describe("requiredRole", () => {
  const cases: {
    name: string;
    permission?: RepositoryRole;
    minimum: RepositoryRole;
    expected: RepositoryRole;
  }[] = [
    { name: "no permission rule keeps the minimum", minimum: "write", expected: "write" },
    { name: "a higher rule wins", permission: "maintain", minimum: "write", expected: "maintain" },
    {
      name: "a lower rule does not lower the minimum",
      permission: "read",
      minimum: "write",
      expected: "write",
    },
    { name: "equal", permission: "admin", minimum: "admin", expected: "admin" },
    { name: "none and none", permission: "none", minimum: "none", expected: "none" },
  ];
  it.each(cases)("$name", ({ permission, minimum, expected }) => {
    const p: Policy = { ...emptyPolicy(), triggers: permission ? { permission } : {} };
    expect(requiredRole(p, minimum)).toBe(expected);
  });

  it("is the max of both by REPOSITORY_ROLES order", () => {
    const role = fc.constantFrom(...REPOSITORY_ROLES);
    fc.assert(
      fc.property(role, role, (permission, minimum) => {
        const r = requiredRole({ ...emptyPolicy(), triggers: { permission } }, minimum);
        expect(REPOSITORY_ROLES.indexOf(r)).toBe(
          Math.max(REPOSITORY_ROLES.indexOf(permission), REPOSITORY_ROLES.indexOf(minimum)),
        );
      }),
    );
  });
});
