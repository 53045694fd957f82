// Every workflow file we ship (and every action.yml), checked by GitHub's own parser
// (@actions/languageservice, through @dstack/testing's validateWorkflowFile), with the inputs of
// our own actions read from this repository; and cases proving the check catches mistakes.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  criticalPathJobs,
  type DeclaredInput,
  formatDiagnostic,
  validateWorkflowFile,
  validateWorkflowText,
  type WorkflowDiagnostic,
} from "@dstack/testing";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";

const root = fileURLToPath(new URL("..", import.meta.url));

/** `dir/*.yml` and `dir/*.yaml`, relative to the repository root; none if `dir` is absent. */
function yamlFiles(dir: string): string[] {
  let names: string[];
  try {
    names = readdirSync(path.join(root, dir));
  } catch {
    return [];
  }
  return names.filter((n) => /\.ya?ml$/.test(n)).map((n) => `${dir}/${n}`);
}

const workflows = [...yamlFiles(".github/workflows"), ...yamlFiles("examples/workflows")];
const actionFiles = readdirSync(path.join(root, "actions"))
  .map((name) => `actions/${name}/action.yml`)
  .filter((file) => yamlFiles(path.dirname(file)).includes(file));

/** A broken action.yml is the failure of its own row below; other rows do not repeat it. */
const unreadableAction = (d: WorkflowDiagnostic) =>
  /cannot read its action\.yml: (actions\/[\w.-]+\/action\.yml):/.exec(d.message)?.[1];

describe("every workflow file we ship", () => {
  it("is found on disk", () => {
    expect(workflows).toEqual(
      expect.arrayContaining([
        ".github/workflows/ci.yml",
        ".github/workflows/dstack-command.yml",
        ".github/workflows/dstack-run.yml",
        ".github/workflows/release.yml",
        "examples/workflows/run-here.yml",
        "examples/workflows/plan-then-run.yml",
        "examples/workflows/dispatch.yml",
        "examples/workflows/call-reusable.yml",
        "examples/workflows/nightly-from-another-repo.yml",
      ]),
    );
    expect(actionFiles).toContain("actions/run-python/action.yml");
  });

  it.each(workflows.map((file) => ({ name: file, file })))(
    "$name passes GitHub's parser",
    async ({ file }) => {
      const diagnostics = await validateWorkflowFile(file, { root });
      const own = diagnostics.filter((d) => !actionFiles.includes(unreadableAction(d) ?? ""));
      expect(own.map(formatDiagnostic)).toEqual([]);
    },
  );

  it.each(actionFiles.map((file) => ({ name: file, file })))(
    "$name passes GitHub's parser",
    async ({ file }) => {
      const diagnostics = await validateWorkflowFile(file, { root });
      expect(diagnostics.map(formatDiagnostic)).toEqual([]);
    },
  );

  // GitHub's script-injection guidance: a `${{ }}` inside `run:` is pasted into the script before
  // the shell reads it; values go through `env:` instead.
  it.each(workflows.map((file) => ({ name: file, file })))(
    "$name keeps expressions out of run: scripts",
    ({ file }) => {
      const doc = parse(readFileSync(path.join(root, file), "utf8")) as {
        jobs?: Record<string, { steps?: { run?: string }[] }>;
      };
      const offending = Object.entries(doc.jobs ?? {}).flatMap(([job, { steps = [] }]) =>
        steps
          .map((step, i) => ({ where: `jobs.${job}.steps[${i}].run`, run: step.run ?? "" }))
          .filter(({ run }) => run.includes("${{"))
          .map(({ where }) => where),
      );
      expect(offending).toEqual([]);
    },
  );
});

// A repository of fixtures in a temp dir: our actions' metadata as tests need it to be.
const fixtureRoot = mkdtempSync(path.join(tmpdir(), "dstack-workflows-"));
afterAll(() => rmSync(fixtureRoot, { recursive: true, force: true }));

const fixtureAction = `name: run-python
description: a fixture
inputs:
  mode:
    description: mode
    default: run
  job:
    description: job
  needed:
    description: required, no default
    required: true
runs:
  using: node24
  main: dist/index.js
`;

const fixtureReusable = `on:
  workflow_call:
    inputs:
      job:
        type: string
        required: true
jobs:
  run:
    runs-on: ubuntu-latest
    steps:
      - run: echo
`;

async function fixtures(): Promise<string> {
  const files: Record<string, string> = {
    "actions/run-python/action.yml": fixtureAction,
    "actions/broken/action.yml": "name: broken\ndescription: a: b\n",
    ".github/workflows/reusable.yml": fixtureReusable,
  };
  for (const [file, text] of Object.entries(files)) {
    await mkdir(path.dirname(path.join(fixtureRoot, file)), { recursive: true });
    await writeFile(path.join(fixtureRoot, file), text);
  }
  return fixtureRoot;
}

/** A one-job workflow around `steps` (YAML lines, indented for a step list). */
const workflowWith = (steps: string) => `on: push
jobs:
  a:
    runs-on: ubuntu-latest
    steps:
${steps}`;

interface Case {
  name: string;
  text: string;
  /** `line:column: message` of the diagnostic that must be reported. */
  expected: string;
}

const cases: Case[] = [
  {
    name: "an unknown key",
    text: "on: push\njobs:\n  a:\n    runs-on: ubuntu-latest\n    stesp: []\n",
    expected: "5:5: error: Unexpected value 'stesp'",
  },
  {
    name: "an unknown on: event",
    text: "on:\n  pull_requests:\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - run: echo\n",
    expected: "2:3: error: Unexpected value 'pull_requests'",
  },
  {
    name: "a bad expression",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
    text: workflowWith("      - run: echo\n        if: ${{ fromJSON( }}\n"),
    expected: "7:13: error: Unexpected end of expression: '('",
  },
  {
    name: "an unknown context",
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
    text: workflowWith("      - run: echo\n        if: ${{ github.evnt_name == 'push' }}\n"),
    expected: "7:13: warning: Context access might be invalid: evnt_name",
  },
  {
    name: "a wrong input name for dstack/run-python@v1",
    text: workflowWith(
      "      - uses: dstack/run-python@v1\n        with:\n          needed: x\n          jb: x\n",
    ),
    expected: "9:11: error: Invalid action input 'jb'",
  },
  {
    name: "a wrong input name for OWNER/REPO/actions/run-python@v1",
    text: workflowWith(
      "      - uses: someone/fork/actions/run-python@v1\n        with:\n          needed: x\n          mdoe: plan\n",
    ),
    expected: "9:11: error: Invalid action input 'mdoe'",
  },
  {
    name: "a wrong input name for ./actions/run-python",
    text: workflowWith(
      "      - uses: ./actions/run-python\n        with:\n          needed: x\n          mdoe: plan\n",
    ),
    expected: "9:11: error: Invalid action input 'mdoe'",
  },
  {
    name: "a missing required input",
    text: workflowWith("      - uses: dstack/run-python@v1\n        with:\n          mode: plan\n"),
    expected: "7:9: error: Missing required input `needed`",
  },
  {
    name: "an action.yml that is not YAML",
    text: workflowWith("      - uses: dstack/broken@v1\n"),
    expected:
      "6:15: error: dstack/broken@v1: cannot read its action.yml: actions/broken/action.yml:2:14: Nested mappings are not allowed in compact mappings",
  },
  {
    name: "a wrong input name for a reusable workflow",
    text: "on: push\njobs:\n  a:\n    uses: ./.github/workflows/reusable.yml\n    with:\n      job: x\n      jb: x\n",
    expected: "7:11: error: Invalid input, jb is not defined in the referenced workflow.",
  },
];

describe("the workflow validator reports", () => {
  it.each(cases)("$name", async ({ text, expected }) => {
    const root = await fixtures();
    const diagnostics = await validateWorkflowText(text, "case.yml", {
      root,
      actions: {
        "dstack/run-python": "actions/run-python/action.yml",
        "dstack/broken": "actions/broken/action.yml",
      },
    });
    expect(diagnostics.map(formatDiagnostic)).toContain(`case.yml:${expected}`);
  });

  it("nothing for the same workflows without the mistakes", async () => {
    const root = await fixtures();
    const text = workflowWith(
      "      - uses: dstack/run-python@v1\n        with:\n          needed: x\n          job: x\n      - uses: ./actions/run-python\n        with:\n          needed: x\n",
    );
    const diagnostics = await validateWorkflowText(text, "case.yml", { root });
    expect(diagnostics.map(formatDiagnostic)).toEqual([]);
  });
});

// The same checks against this repository's own action.yml and runner workflow: a shipped
// workflow that names an input the action does not have fails here.
describe("a shipped workflow with a misspelled input", () => {
  it.each([
    {
      name: "dstack-run.yml: a run-python input",
      file: ".github/workflows/dstack-run.yml",
      from: "          mode: plan\n",
      to: "          mdoe: plan\n",
      expected: "Invalid action input 'mdoe'",
    },
    {
      name: "call-reusable.yml: a dstack-run.yml input",
      file: "examples/workflows/call-reusable.yml",
      from: "      tag: best\n",
      to: "      tga: best\n",
      expected: "Invalid input, tga is not defined in the referenced workflow.",
    },
  ])("is reported: $name", async ({ file, from, to, expected }) => {
    const text = readFileSync(path.join(root, file), "utf8");
    expect(text).toContain(from);
    const diagnostics = await validateWorkflowText(text.replace(from, to), file, { root });
    expect(diagnostics.map((d) => d.message)).toContain(expected);
  });
});

// The pull-request command workflow runs reviewed code only, with the least permissions, and the
// runner workflow checks out the pinned commit.
describe("the pull-request command workflow", () => {
  interface Step {
    uses?: string;
    with?: Record<string, unknown>;
  }
  interface Job {
    permissions?: Record<string, string>;
    steps?: Step[];
    if?: string;
  }
  const read = (file: string) =>
    parse(readFileSync(path.join(root, file), "utf8")) as {
      on: Record<string, { types?: string[] }>;
      permissions?: unknown;
      jobs: Record<string, Job>;
    };

  it("runs on new comments, labels and pushes of pull requests, and on dstack-run dispatches", () => {
    const doc = read(".github/workflows/dstack-command.yml");
    expect(doc.on).toEqual({
      issue_comment: { types: ["created"] },
      pull_request: { types: ["labeled", "synchronize"] },
      repository_dispatch: { types: ["dstack-run"] },
    });
    expect(doc.permissions).toEqual({});
  });

  it("checks out the default branch, never the pull request's head, and calls mode: command", () => {
    const { jobs } = read(".github/workflows/dstack-command.yml");
    const steps = Object.values(jobs).flatMap((j) => j.steps ?? []);
    const checkouts = steps.filter((s) => s.uses?.startsWith("actions/checkout@"));
    expect(checkouts.map((s) => s.with?.ref)).toEqual([
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression
      "${{ github.event.repository.default_branch }}",
    ]);
    expect(checkouts.every((s) => s.with?.["persist-credentials"] === false)).toBe(true);
    expect(JSON.stringify(jobs)).not.toMatch(/pull_request\.head\.(sha|ref)/);
    expect(steps.find((s) => s.uses === "dstack/run-python@v1")?.with?.mode).toBe("command");
  });

  it("asks only for the permissions it uses, per job", () => {
    const { jobs } = read(".github/workflows/dstack-command.yml");
    expect(Object.values(jobs).map((j) => j.permissions)).toEqual([
      {
        contents: "read",
        actions: "write",
        checks: "read",
        "pull-requests": "write",
        issues: "write",
        statuses: "write",
      },
    ]);
  });

  it("skips pull_request events from forks (their token is read-only)", () => {
    const { jobs } = read(".github/workflows/dstack-command.yml");
    expect(jobs.command?.if).toContain(
      "github.event.pull_request.head.repo.full_name == github.repository",
    );
  });

  it("dstack-run.yml checks out the pinned commit in its run job", () => {
    const doc = read(".github/workflows/dstack-run.yml") as unknown as {
      on: Record<string, { inputs: Record<string, { type: string; default?: string }> }>;
      jobs: Record<string, Job>;
    };
    for (const trigger of ["workflow_call", "workflow_dispatch"]) {
      expect(doc.on[trigger]?.inputs.sha).toMatchObject({ type: "string", default: "" });
    }
    const checkout = doc.jobs.run?.steps?.find((s) => s.uses?.startsWith("actions/checkout@"));
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression
    expect(checkout?.with?.ref).toBe("${{ inputs.sha }}");
  });

  it("dstack-run.yml takes planned runs-on labels: its plan job runs only without them", () => {
    const doc = read(".github/workflows/dstack-run.yml") as unknown as {
      on: Record<string, { inputs: Record<string, { type: string; default?: string }> }>;
      jobs: Record<string, Job & { if?: string; "runs-on"?: string }>;
    };
    for (const trigger of ["workflow_call", "workflow_dispatch"]) {
      expect(doc.on[trigger]?.inputs["runs-on"]).toMatchObject({ type: "string", default: "" });
    }
    expect(doc.jobs.plan?.if).toBe("inputs.runs-on == '' && inputs.tag-run == ''");
    expect(doc.jobs.run?.["runs-on"]).toContain("fromJSON(inputs.runs-on != '' && inputs.runs-on");
    const step = doc.jobs.run?.steps?.find((s) => s.uses?.startsWith("dstack/run-python@"));
    // The run step checks the labels it runs on against the job.
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression
    expect(step?.with?.["runs-on"]).toBe("${{ inputs.runs-on }}");
  });
});

// `dstack tags add TAG RUN --remote` dispatches the runner workflow with `tag-run`: one job on a
// GitHub-hosted runner, none of the repository's code, and nothing else of the run.
describe("dstack-run.yml tag-only mode (tag-run)", () => {
  interface Step {
    name?: string;
    if?: string;
    uses?: string;
    run?: string;
    with?: Record<string, unknown>;
  }
  interface Job {
    if?: string;
    needs?: string | string[];
    "runs-on"?: unknown;
    permissions?: Record<string, string>;
    steps?: Step[];
  }
  const doc = parse(readFileSync(path.join(root, ".github/workflows/dstack-run.yml"), "utf8")) as {
    on: Record<string, { inputs: Record<string, DeclaredInput & { required?: boolean }> }>;
    jobs: Record<string, Job>;
  };
  const declared = doc.on.workflow_dispatch?.inputs ?? {};
  const runs = (job: string, dispatched: Record<string, unknown>) =>
    criticalPathJobs({ jobs: doc.jobs, job, inputs: declared, dispatched }).includes(job);

  it.each([
    {
      name: "a tag-only dispatch runs the tag job alone",
      dispatched: { "run-name": "tag-calm-cat-1", tag: "best", "tag-run": "brave-bear-7" },
      expected: { plan: false, run: false, tag: true },
    },
    {
      name: "a planned dispatch runs the run job, never the tag job",
      dispatched: { "run-name": "brave-bear-7", job: "{}", "runs-on": '["self-hosted"]' },
      expected: { plan: false, run: true, tag: false },
    },
    {
      name: "a dispatch without labels plans, then runs; no tag job",
      dispatched: { "run-name": "brave-bear-7", job: "{}", tag: "best" },
      expected: { plan: true, run: true, tag: false },
    },
  ])("$name", ({ dispatched, expected }) => {
    expect({
      plan: runs("plan", dispatched),
      run: runs("run", dispatched),
      tag: runs("tag", dispatched),
    }).toEqual(expected);
  });

  it("the tag job: a GitHub-hosted runner, actions: read only, no checkout, no repository code", () => {
    const job = doc.jobs.tag;
    expect(job?.["runs-on"]).toBe("ubuntu-latest");
    expect(job?.permissions).toEqual({ actions: "read" });
    const steps = job?.steps ?? [];
    expect(steps.some((s) => s.uses?.startsWith("actions/checkout@"))).toBe(false);
    // The one shell step refuses an untrusted dispatch, with no value of an input in its script.
    for (const step of steps.filter((s) => s.run !== undefined)) {
      expect(step.run).not.toContain("${{");
      expect(step.if).toBe("inputs.untrusted || inputs.pull-request != ''");
    }
    const tag = steps.find((s) => s.uses?.startsWith("dstack/artifacts@"));
    expect(tag?.with).toEqual({
      mode: "tag",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression
      run: "${{ inputs.tag-run }}",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression
      tag: "${{ inputs.tag }}",
    });
  });

  it("workflow_call keeps its inputs: job required, tag-run optional", () => {
    expect(doc.on.workflow_call?.inputs.job).toMatchObject({ required: true });
    for (const trigger of ["workflow_call", "workflow_dispatch"]) {
      expect(doc.on[trigger]?.inputs["tag-run"]).toMatchObject({ type: "string", default: "" });
    }
    // A tag-only dispatch sends no job.
    expect(declared.job).toMatchObject({ required: false, default: "" });
    expect(Object.keys(declared).length).toBeLessThanOrEqual(25);
  });
});
