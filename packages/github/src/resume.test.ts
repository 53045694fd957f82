import { type Job, validateWorkflow, valueLocator } from "@dstack/spec";
import { ACTIONS_ROUTES, type ActionsModelOptions, type ModelEnding } from "@dstack/testing";
import { afterEach, describe, expect, it } from "vitest";
import {
  type DispatchAndFollowOptions,
  dispatchAndFollow,
  type ResumeNotice,
} from "./dispatch-follow.js";
import { type Harness, JOB_INPUT, startHarness } from "./test-helpers.js";

const open: Harness[] = [];

afterEach(async () => {
  for (const h of open.splice(0)) {
    expect(h.github.problems).toEqual([]);
    await h.close();
  }
});

/** The job input as mode run checks it again on the runner. */
const parseJob = (json: string): Job => {
  const got = validateWorkflow(JSON.parse(json), { locator: valueLocator("job input") });
  expect(got.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
  return got.job as Job;
};
const BASE = parseJob(JOB_INPUT);
const SPOT: Job = { ...BASE, resources: { ...BASE.resources, interruptible: true } };

interface Case {
  name: string;
  job: Job;
  endings: ModelEnding[];
  resumeLimit?: number;
  /**
   * What each run uploads before it ends: `true` = its run marker `dstack-run--<run name>` and
   * `dstack--<run name>--checkpoints`, as the GitHub store writes them; or the artifact names
   * (`{run-name}` replaced by the model).
   */
  uploads?: boolean | string[];
  /** The run names dispatched, in order (what `dstack ps --remote` lists). */
  runNames: string[];
  conclusion: string;
  /** The `deps` and `DSTACK_RUN_ATTEMPT` of each dispatched job, in order. */
  jobs: { deps: Job["deps"]; attempt: string | undefined }[];
  /** Whether the verdict was read (annotation requests made). */
  readsAnnotations: boolean;
  logs?: RegExp;
}

const cases: Case[] = [
  {
    name: "a lost spot runner: resumed once, with the first attempt's artifacts as a dep and DSTACK_RUN_ATTEMPT=2",
    job: SPOT,
    endings: ["runner-lost", "success"],
    uploads: true,
    runNames: ["sharp-shrimp-1", "sharp-shrimp-1-2"],
    conclusion: "success",
    jobs: [
      { deps: [], attempt: undefined },
      { deps: [{ run: "sharp-shrimp-1" }], attempt: "2" },
    ],
    readsAnnotations: true,
  },
  {
    name: "a runner lost before anything was uploaded: resumed without a dep",
    job: SPOT,
    endings: ["runner-lost", "success"],
    uploads: false,
    runNames: ["sharp-shrimp-1", "sharp-shrimp-1-2"],
    conclusion: "success",
    jobs: [
      { deps: [], attempt: undefined },
      { deps: [], attempt: "2" },
    ],
    readsAnnotations: true,
  },
  {
    name: "large files only (dstack-file--) with the run marker: the attempt is a dep",
    job: SPOT,
    endings: ["runner-lost", "success"],
    uploads: ["dstack-run--{run-name}", "dstack-file--{run-name}--checkpoints~epoch-0001.pt"],
    runNames: ["sharp-shrimp-1", "sharp-shrimp-1-2"],
    conclusion: "success",
    jobs: [
      { deps: [], attempt: undefined },
      { deps: [{ run: "sharp-shrimp-1" }], attempt: "2" },
    ],
    readsAnnotations: true,
  },
  {
    name: "data but no run marker (lost between the two uploads): no dep that could not resolve",
    job: SPOT,
    endings: ["runner-lost", "success"],
    uploads: ["dstack--{run-name}--checkpoints"],
    runNames: ["sharp-shrimp-1", "sharp-shrimp-1-2"],
    conclusion: "success",
    jobs: [
      { deps: [], attempt: undefined },
      { deps: [], attempt: "2" },
    ],
    readsAnnotations: true,
  },
  {
    name: "a script that fails on its own is not dispatched again",
    job: SPOT,
    endings: ["failure"],
    uploads: true,
    runNames: ["sharp-shrimp-1"],
    conclusion: "failure",
    jobs: [{ deps: [], attempt: undefined }],
    readsAnnotations: true,
  },
  {
    name: "the limit: two resumes, then the third loss is the end",
    job: SPOT,
    endings: ["runner-lost", "runner-lost", "runner-lost", "success"],
    resumeLimit: 2,
    uploads: true,
    runNames: ["sharp-shrimp-1", "sharp-shrimp-1-2", "sharp-shrimp-1-3"],
    conclusion: "failure",
    jobs: [
      { deps: [], attempt: undefined },
      { deps: [{ run: "sharp-shrimp-1" }], attempt: "2" },
      { deps: [{ run: "sharp-shrimp-1" }, { run: "sharp-shrimp-1-2" }], attempt: "3" },
    ],
    readsAnnotations: true,
    logs: /sharp-shrimp-1-3: The self-hosted runner: gpu-box lost communication with the server; not dispatched again: 2 resumes already/,
  },
  {
    name: "resumeLimit 0 never resumes",
    job: SPOT,
    endings: ["runner-lost", "success"],
    resumeLimit: 0,
    runNames: ["sharp-shrimp-1"],
    conclusion: "failure",
    jobs: [{ deps: [], attempt: undefined }],
    readsAnnotations: false,
  },
  {
    name: "interruptible: false is never resumed, even when its runner was lost",
    job: BASE,
    endings: ["runner-lost", "success"],
    uploads: true,
    runNames: ["sharp-shrimp-1"],
    conclusion: "failure",
    jobs: [{ deps: [], attempt: undefined }],
    readsAnnotations: false,
  },
  {
    name: "a cancelled run is not dispatched again",
    job: SPOT,
    endings: ["cancelled", "success"],
    runNames: ["sharp-shrimp-1"],
    conclusion: "cancelled",
    jobs: [{ deps: [], attempt: undefined }],
    readsAnnotations: false,
  },
  {
    name: "a job's own deps stay first",
    job: { ...SPOT, deps: [{ tag: "pretrained" }] },
    endings: ["runner-lost", "success"],
    uploads: true,
    runNames: ["sharp-shrimp-1", "sharp-shrimp-1-2"],
    conclusion: "success",
    jobs: [
      { deps: [{ tag: "pretrained" }], attempt: undefined },
      { deps: [{ tag: "pretrained" }, { run: "sharp-shrimp-1" }], attempt: "2" },
    ],
    readsAnnotations: true,
  },
];

describe("dispatchAndFollow resumes interruptible jobs whose runner was lost", () => {
  it.each(cases)("$name", async (c) => {
    const model: ActionsModelOptions = {
      endings: c.endings,
      ...(c.uploads
        ? {
            artifacts: (c.uploads === true
              ? ["dstack-run--{run-name}", "dstack--{run-name}--checkpoints"]
              : c.uploads
            ).map((name) => ({ name })),
          }
        : {}),
    };
    const h = await startHarness(model);
    open.push(h);
    const resumes: ResumeNotice[] = [];
    const logs: string[] = [];
    const options: DispatchAndFollowOptions = {
      client: h.client,
      repository: `${h.at.owner}/${h.at.repo}`,
      ref: "main",
      job: c.job,
      runName: "sharp-shrimp-1",
      sleep: h.at.sleep,
      now: h.at.now,
      onResume: (r) => resumes.push(r),
      log: (m) => logs.push(m),
      ...(c.resumeLimit !== undefined ? { resumeLimit: c.resumeLimit } : {}),
    };
    const outcome = await dispatchAndFollow(options);

    expect(h.model.runs.map((r) => r.displayTitle)).toEqual(c.runNames);
    expect(h.model.runs.map((r) => r.inputs["run-name"])).toEqual(c.runNames);
    const jobs = h.model.runs.map((r) => parseJob(String(r.inputs.job)));
    expect(jobs.map((j) => ({ deps: j.deps, attempt: j.environment.DSTACK_RUN_ATTEMPT }))).toEqual(
      c.jobs,
    );
    expect(outcome.conclusion).toBe(c.conclusion);
    expect(outcome.runName).toBe(c.runNames.at(-1));
    expect(outcome.attempts?.map((a) => a.runName)).toEqual(c.runNames);
    expect(outcome.attempts?.map((a) => a.workflowRunId)).toEqual(h.model.runs.map((r) => r.id));
    // One notice per new attempt, naming the lost one and GitHub's words.
    expect(resumes.map((r) => [r.attempt, r.runName, r.lostRunName])).toEqual(
      c.runNames.slice(1).map((name, i) => [i + 2, name, c.runNames[i]]),
    );
    for (const r of resumes) expect(r.evidence).toMatch(/lost communication with the server$/);
    const annotationRequests = h.github.requests.filter(
      (r) => `${r.method} ${r.route}` === ACTIONS_ROUTES.annotations,
    );
    expect(annotationRequests.length > 0).toBe(c.readsAnnotations);
    // The verdict reads the steps of the jobs listed at each run's end: one listing per run.
    const jobListings = h.github.requests.filter(
      (r) => `${r.method} ${r.route}` === ACTIONS_ROUTES.listJobs,
    );
    expect(jobListings.map((r) => r.params.run_id)).toEqual(h.model.runs.map((r) => String(r.id)));
    if (c.logs) expect(logs.join("\n")).toMatch(c.logs);
  });

  it("a token that cannot read check runs: logged, and not resumed", async () => {
    const h = await startHarness({ endings: ["runner-lost", "success"] });
    open.push(h);
    h.github.inject(ACTIONS_ROUTES.annotations, {
      answer: {
        status: 403,
        body: {
          message: "Resource not accessible by integration",
          documentation_url: "https://docs.github.com/rest/checks/runs#list-check-run-annotations",
        },
      },
    });
    const logs: string[] = [];
    const outcome = await dispatchAndFollow({
      client: h.client,
      repository: `${h.at.owner}/${h.at.repo}`,
      ref: "main",
      job: SPOT,
      runName: "sharp-shrimp-1",
      sleep: h.at.sleep,
      now: h.at.now,
      log: (m) => logs.push(m),
    });
    expect(h.model.runs).toHaveLength(1);
    expect(outcome.conclusion).toBe("failure");
    expect(logs.join("\n")).toMatch(/checks: read/);
  });
});
