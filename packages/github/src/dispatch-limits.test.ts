// GitHub's limits on a workflow_dispatch's inputs (25 inputs, 65,535 characters of JSON in all)
// are checked by dispatchRun before anything is sent, so the CLI and the action both refuse an
// oversized job with its size instead of GitHub's bare 422.
import { afterEach, describe, expect, it } from "vitest";
import { dispatchRun, MAX_DISPATCH_INPUTS_CHARS } from "./dispatch.js";
import { GitHubError } from "./errors.js";
import { type Harness, startHarness } from "./test-helpers.js";

const RUN_NAME = "sharp-shrimp-1";
const open: Harness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) {
    expect(h.github.problems).toEqual([]);
    await h.close();
  }
});

/** A job input whose inputs, with the run name, are exactly `chars` characters of JSON. */
function jobOf(chars: number, extra: Record<string, string> = {}): string {
  const base = JSON.stringify({ ...extra, job: "", "run-name": RUN_NAME }).length;
  return "x".repeat(chars - base);
}

describe("dispatchRun refuses inputs over GitHub's limits before sending", () => {
  it.each([
    { name: "one character over", chars: MAX_DISPATCH_INPUTS_CHARS + 1 },
    { name: "a job of 200,000 characters", chars: 200_000 },
  ])("$name: refused with the size and the limit, nothing sent", async ({ chars }) => {
    const h = await startHarness({ inputs: { job: true, "run-name": true } });
    open.push(h);
    const job = jobOf(chars);
    const error = await dispatchRun(h.client, {
      ...h.at,
      workflowFile: "dstack-run.yml",
      ref: "main",
      inputs: { job },
      runName: RUN_NAME,
    }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubError);
    expect((error as GitHubError).reason).toBe("invalid-inputs");
    expect((error as GitHubError).message).toContain(
      `${chars.toLocaleString("en-US")} characters of JSON (the largest, job, has ${job.length.toLocaleString("en-US")})`,
    );
    expect((error as GitHubError).message).toContain(
      "at most 65,535 characters for all inputs together",
    );
    expect(h.github.requests).toEqual([]);
    expect(h.model.runs).toEqual([]);
  });

  it("exactly 65,535 characters is dispatched", async () => {
    const h = await startHarness({ inputs: { job: true, "run-name": true } });
    open.push(h);
    const run = await dispatchRun(h.client, {
      ...h.at,
      workflowFile: "dstack-run.yml",
      ref: "main",
      inputs: { job: jobOf(MAX_DISPATCH_INPUTS_CHARS) },
      runName: RUN_NAME,
    });
    expect(run.via).toBe("run-details");
    expect(JSON.stringify(h.model.runs[0]?.inputs).length).toBe(MAX_DISPATCH_INPUTS_CHARS);
  });

  it("26 inputs: refused, naming them", async () => {
    const h = await startHarness();
    open.push(h);
    const inputs = Object.fromEntries(Array.from({ length: 25 }, (_, i) => [`in${i}`, "v"]));
    await expect(
      dispatchRun(h.client, {
        ...h.at,
        workflowFile: "dstack-run.yml",
        ref: "main",
        inputs,
        runName: RUN_NAME,
      }),
    ).rejects.toThrow(/26 workflow_dispatch inputs .*GitHub takes at most 25/);
    expect(h.github.requests).toEqual([]);
  });
});
