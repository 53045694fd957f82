import { describe, expect, it } from "vitest";
import { type AnnotationFacts, classifyJobEnd, type JobStepFacts } from "./runner-lost.js";

const setUp: JobStepFacts = { name: "Set up job", status: "completed", conclusion: "success" };
const runStep = (conclusion: string | null, status = "completed"): JobStepFacts => ({
  name: "Run dstack/run-python@v1",
  status,
  conclusion,
});
const failure = (message: string): AnnotationFacts => ({ annotation_level: "failure", message });

// Messages as GitHub writes them on the job's check run.
const LOST =
  "The self-hosted runner: spot-a100-7 lost communication with the server. Verify the machine is running and has a healthy network connection. Anything in your workflow that terminates the runner process, starves it for CPU/Memory, or blocks its network access can cause this error.";
const LOST_UNNAMED =
  "The self-hosted runner lost communication with the server. Verify the machine is running and has a healthy network connection.";
const LOST_HOSTED =
  "The hosted runner: GitHub Actions 12 lost communication with the server. Anything in your workflow that terminates the runner process, starves it for CPU/Memory, or blocks its network access can cause this error.";
const SHUTDOWN =
  "The runner has received a shutdown signal. This can happen when the runner service is stopped, or a manually started runner is canceled.";
const EXIT_1 = "Process completed with exit code 1.";

const cases = [
  {
    name: "a named self-hosted runner that lost communication mid-step",
    facts: {
      conclusion: "failure",
      steps: [setUp, runStep("cancelled")],
      annotations: [failure(LOST)],
    },
    kind: "runner-lost",
    evidence: "The self-hosted runner: spot-a100-7 lost communication with the server",
  },
  {
    name: "the older message without the runner's name, step left in progress",
    facts: {
      conclusion: "failure",
      steps: [setUp, runStep(null, "in_progress")],
      annotations: [failure(LOST_UNNAMED)],
    },
    kind: "runner-lost",
    evidence: "The self-hosted runner lost communication with the server",
  },
  {
    name: "a hosted runner that lost communication",
    facts: { conclusion: "failure", steps: [], annotations: [failure(LOST_HOSTED)] },
    kind: "runner-lost",
    evidence: "The hosted runner: GitHub Actions 12 lost communication with the server",
  },
  {
    name: "a runner that received a shutdown signal (spot reclaim), with a warning beside it",
    facts: {
      conclusion: "failure",
      steps: [setUp, runStep("cancelled")],
      annotations: [
        { annotation_level: "warning", message: "Node.js 20 actions are deprecated." },
        failure(SHUTDOWN),
      ],
    },
    kind: "runner-lost",
    evidence: "The runner has received a shutdown signal",
  },
  {
    name: "a script that exited 1: a failed step and the exit-code annotation",
    facts: {
      conclusion: "failure",
      steps: [
        setUp,
        runStep("failure"),
        { name: "Complete job", status: "completed", conclusion: "success" },
      ],
      annotations: [failure(EXIT_1)],
    },
    kind: "not-lost",
  },
  {
    name: "a failed step wins over a lost-runner annotation (the script failed first)",
    facts: {
      conclusion: "failure",
      steps: [setUp, runStep("failure")],
      annotations: [failure(LOST)],
    },
    kind: "not-lost",
  },
  {
    name: "a cancelled job with the shutdown message is someone's cancel",
    facts: {
      conclusion: "cancelled",
      steps: [setUp, runStep("cancelled")],
      annotations: [failure(SHUTDOWN)],
    },
    kind: "not-lost",
  },
  {
    name: "a timed-out job",
    facts: { conclusion: "timed_out", steps: [setUp, runStep("cancelled")], annotations: [] },
    kind: "not-lost",
  },
  {
    name: "a failure without annotations (the token cannot read checks): not resumed",
    facts: { conclusion: "failure", steps: [setUp, runStep("cancelled")], annotations: [] },
    kind: "not-lost",
  },
  {
    name: "the lost-runner words only as a notice, not a failure",
    facts: {
      conclusion: "failure",
      steps: [setUp, runStep("cancelled")],
      annotations: [{ annotation_level: "notice", message: LOST }],
    },
    kind: "not-lost",
  },
  {
    name: "a successful job",
    facts: { conclusion: "success", steps: [setUp, runStep("success")], annotations: [] },
    kind: "not-lost",
  },
];

describe("classifyJobEnd", () => {
  it.each(cases)("$name", ({ facts, kind, evidence }) => {
    const verdict = classifyJobEnd(facts);
    expect(verdict.kind).toBe(kind);
    if (verdict.kind === "runner-lost") expect(verdict.evidence).toBe(evidence);
    else expect(verdict.why).not.toBe("");
  });
});
