import { GitHubError, RunConcludedError } from "@dstack/github";
import { describe, expect, it } from "vitest";
import { endedRunReport, failedRunReport, type RunReport } from "./report.js";

const seen = {
  runName: "train-7",
  workflowRunUrl: "https://github.com/octo-org/octo-repo/actions/runs/42",
};

describe("failedRunReport", () => {
  const cases: {
    name: string;
    error: unknown;
    seen: { runName: string; workflowRunUrl: string };
    want: RunReport | undefined;
  }[] = [
    {
      name: "a run that completed with a failure was reported when it ended",
      error: new RunConcludedError({
        ...seen,
        htmlUrl: seen.workflowRunUrl,
        conclusion: "failure",
      }),
      seen,
      want: undefined,
    },
    {
      name: "an error whose text merely mentions a conclusion is still reported (typed, not matched)",
      error: new Error("the dispatched workflow run x (y) ended with conclusion failure"),
      seen,
      want: {
        status: "cancelled",
        ...seen,
        message: "the dispatched workflow run x (y) ended with conclusion failure",
      },
    },
    {
      name: "a refused dispatch (no run seen) is a failure",
      error: new GitHubError("not-found", "dispatch: no runner workflow on main"),
      seen: { runName: "", workflowRunUrl: "" },
      want: { status: "failure", message: "dispatch: no runner workflow on main" },
    },
    {
      name: "a follow cut short after the run was seen is a cancel",
      error: new GitHubError("unreachable", "GitHub answered 502"),
      seen,
      want: { status: "cancelled", ...seen, message: "GitHub answered 502" },
    },
  ];
  it.each(cases)("$name", ({ error, seen, want }) => {
    expect(failedRunReport(error, seen)).toEqual(want);
  });
});

describe("endedRunReport", () => {
  const outcome = {
    runName: "train-7",
    htmlUrl: seen.workflowRunUrl,
    workflowRunId: 42,
    durationMs: 61_000,
    jobs: [{ runnerName: null }, { runnerName: "dstack-gpu-1" }] as unknown as Parameters<
      typeof endedRunReport
    >[0]["outcome"]["jobs"],
  };
  const base = {
    artifacts: [{ id: 9, path: "checkpoints/best" }],
    serverUrl: "https://github.com",
    repository: "octo-org/octo-repo",
    tag: "best",
  };
  const cases: {
    name: string;
    conclusion: string;
    metrics?: { problem?: string };
    want: Partial<RunReport>;
  }[] = [
    {
      name: "success links the tag",
      conclusion: "success",
      want: { status: "success", tags: [{ name: "best" }] },
    },
    { name: "cancelled", conclusion: "cancelled", want: { status: "cancelled" } },
    {
      name: "any other conclusion is a failure, without the tag",
      conclusion: "timed_out",
      want: { status: "failure" },
    },
    {
      name: "a metrics problem is the message",
      conclusion: "success",
      metrics: { problem: "metrics: 403" },
      want: { status: "success", tags: [{ name: "best" }], message: "metrics: 403" },
    },
  ];
  it.each(cases)("$name", ({ conclusion, metrics, want }) => {
    const r = endedRunReport({
      ...base,
      outcome: { ...outcome, conclusion },
      ...(metrics ? { metrics } : {}),
    });
    expect(r).toMatchObject({
      runName: "train-7",
      workflowRunUrl: seen.workflowRunUrl,
      durationMs: 61_000,
      runner: "dstack-gpu-1",
      artifacts: [
        {
          name: "checkpoints/best",
          url: "https://github.com/octo-org/octo-repo/actions/runs/42/artifacts/9",
        },
      ],
      ...want,
    });
    if (want.tags === undefined) expect(r.tags).toBeUndefined();
    if (want.message === undefined) expect(r.message).toBeUndefined();
  });
});
