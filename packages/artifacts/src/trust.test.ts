/**
 * The trust rules on their own (pure), and {@link TrustedSources}' picking order and caching with
 * counting stand-ins for the two REST reads (the REST fake's answers are covered by
 * github-store-trust.test.ts).
 */
import { describe, expect, it } from "vitest";
import {
  describeSkipped,
  judgeWorkflowRun,
  needsDefaultBranch,
  pullRequestOfTag,
  pullRequestTag,
  TrustedSources,
  type WorkflowRunFacts,
  workflowFileOf,
} from "./trust.js";

const ID = 10;
const rules = { repositoryId: ID, trustedWorkflows: ["dstack-run.yml"], defaultBranch: "main" };
const run = (over: Partial<WorkflowRunFacts>): WorkflowRunFacts => ({
  id: 1,
  event: "workflow_dispatch",
  path: ".github/workflows/dstack-run.yml",
  headBranch: "main",
  headRepositoryId: ID,
  ...over,
});

describe("judgeWorkflowRun", () => {
  const cases = [
    { name: "the runner workflow, dispatched", run: run({}), want: "trusted" },
    { name: "the runner workflow on a branch", run: run({ headBranch: "exp" }), want: "trusted" },
    {
      name: "the runner workflow with GitHub's @ref suffix",
      run: run({ path: ".github/workflows/dstack-run.yml@refs/heads/exp", headBranch: "exp" }),
      want: "trusted",
    },
    {
      name: "the runner workflow from a fork",
      run: run({ headRepositoryId: 99, event: "pull_request" }),
      want: "fork",
    },
    { name: "a run without a head repository", run: run({ headRepositoryId: null }), want: "fork" },
    {
      name: "the runner workflow by pull_request (the PR's copy)",
      run: run({ event: "pull_request", headBranch: "feat" }),
      want: "event",
    },
    {
      name: "ci.yml pushed on main",
      run: run({ path: ".github/workflows/ci.yml", event: "push" }),
      want: "trusted",
    },
    {
      name: "ci.yml by repository_dispatch on main",
      run: run({ path: ".github/workflows/ci.yml", event: "repository_dispatch" }),
      want: "trusted",
    },
    {
      name: "ci.yml pushed on a branch",
      run: run({ path: ".github/workflows/ci.yml", event: "push", headBranch: "wip" }),
      want: "branch",
    },
    {
      name: "ci.yml by pull_request_target",
      run: run({ path: ".github/workflows/ci.yml", event: "pull_request_target" }),
      want: "event",
    },
    {
      name: "ci.yml by workflow_run on main",
      run: run({ path: ".github/workflows/ci.yml", event: "workflow_run" }),
      want: "event",
    },
    {
      name: "a dynamic workflow (Dependabot)",
      run: run({ path: "dynamic/dependabot/dependabot-updates", event: "dynamic" }),
      want: "workflow",
    },
  ];
  it.each(cases)("$name: $want", ({ run: r, want }) => {
    const verdict = judgeWorkflowRun(r, rules);
    expect(verdict.trusted ? "trusted" : verdict.reason).toBe(want);
  });

  it("asks for the default branch only when a default-branch event of another workflow needs it", () => {
    expect(needsDefaultBranch(run({}), rules)).toBe(false);
    expect(
      needsDefaultBranch(run({ path: ".github/workflows/ci.yml", event: "pull_request" }), rules),
    ).toBe(false);
    expect(
      needsDefaultBranch(run({ path: ".github/workflows/ci.yml", event: "push" }), rules),
    ).toBe(true);
    const { defaultBranch: _, ...without } = rules;
    expect(() =>
      judgeWorkflowRun(run({ path: ".github/workflows/ci.yml", event: "push" }), without),
    ).toThrow(/default branch is needed/);
  });

  it("reads the workflow file of a run's path", () => {
    expect(workflowFileOf(".github/workflows/build.yml@main")).toBe("build.yml");
    expect(workflowFileOf(".github/workflows/sub/x.yml")).toBeUndefined();
    expect(workflowFileOf("dynamic/pages/pages-build-deployment")).toBeUndefined();
  });
});

describe("TrustedSources", () => {
  const facts: Record<number, WorkflowRunFacts> = {
    1: run({ id: 1, path: ".github/workflows/ci.yml", event: "pull_request", headBranch: "x" }),
    2: run({ id: 2 }),
    3: run({ id: 3, path: ".github/workflows/ci.yml", event: "push" }),
  };
  const sources = () => {
    const calls = { repo: 0, runs: [] as number[] };
    const t = new TrustedSources({
      getRepository: async () => {
        calls.repo++;
        return { id: ID, defaultBranch: "main" };
      },
      getRun: async (id) => {
        calls.runs.push(id);
        return facts[id];
      },
    });
    return { t, calls };
  };
  const artifact = (id: number, runId?: number, head = ID) => ({
    id,
    workflow_run: runId === undefined ? null : { id: runId, head_repository_id: head },
  });

  it("judges newest first and stops at the first trusted candidate", async () => {
    const { t, calls } = sources();
    const got = await t.pick([
      artifact(50, 1),
      artifact(49, 7, 99),
      artifact(48, 2),
      artifact(47, 3),
    ]);
    expect(got.artifact?.id).toBe(48);
    expect(got.skipped.map((s) => [s.artifactId, s.reason])).toEqual([
      [50, "event"],
      [49, "fork"],
    ]);
    // The fork is told by the artifact alone; run 3 is never fetched; the branch never needed.
    expect(calls.runs).toEqual([1, 2]);
    expect(calls.repo).toBe(1);
    await t.pick([artifact(51, 1), artifact(48, 2)]);
    expect(calls.runs).toEqual([1, 2]);
  });

  it("a run that is gone and an artifact without a run are skipped, and named", async () => {
    const { t } = sources();
    const got = await t.pick([artifact(60, 404), artifact(61)]);
    expect(got.artifact).toBeUndefined();
    expect(describeSkipped(got.skipped)).toBe(
      "artifact 60 (workflow run 404): workflow: its workflow run is gone (404); artifact 61 (workflow run unknown): workflow: GitHub lists it without its workflow run",
    );
  });

  it("refuses trusted workflow names that are not file names", () => {
    const bad = {
      getRepository: async () => ({ id: 1, defaultBranch: "main" }),
      getRun: async () => undefined,
    };
    expect(() => new TrustedSources({ ...bad, trustedWorkflows: ["ci.yml", "a/b.yml"] })).toThrow(
      /trustedWorkflows\[1\]: "a\/b\.yml" is not a workflow file name/,
    );
  });
});

describe("pull-request tag namespace", () => {
  it.each([
    { tag: "best", pr: 12, written: "pr-12.best" },
    { tag: "v1.0", pr: 3, written: "pr-3.v1.0" },
  ])("$tag in pull request $pr is $written", ({ tag, pr, written }) => {
    expect(pullRequestTag(tag, pr)).toBe(written);
    expect(pullRequestOfTag(written)).toBe(pr);
  });
  it.each(["best", "pr-x.best", "pr12.best", "apr-1.best"])("%s is in no namespace", (tag) => {
    expect(pullRequestOfTag(tag)).toBeUndefined();
  });
});
