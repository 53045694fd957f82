/**
 * The step's client reads the test-only `write-spacing-ms` input: a bad value is refused naming
 * the input; a good one reaches `createGitHubClient` (two writes to the OpenAPI-validated fake
 * GitHub, one after the other, without the second-long spacing real runs keep).
 */
import { startFakeActions } from "@dstack/testing";
import { afterEach, describe, expect, it, vi } from "vitest";
import { stepClient, WRITE_SPACING_INPUT } from "./client.js";

const INPUT = `INPUT_${WRITE_SPACING_INPUT.toUpperCase()}`;

afterEach(() => {
  vi.unstubAllEnvs();
});

describe("stepClient", () => {
  it.each([
    { name: "a negative number", value: "-1" },
    { name: "a duration with a unit", value: "10ms" },
    { name: "a fraction", value: "0.5" },
  ])("refuses $name in write-spacing-ms, naming the input", ({ value }) => {
    vi.stubEnv(INPUT, value);
    expect(() => stepClient({ token: "ghs_x" })).toThrow(
      `write-spacing-ms: ${JSON.stringify(value)} is not a whole number of milliseconds`,
    );
  });

  it("write-spacing-ms: 0 sends the step's writes without waiting", async () => {
    const { github, model } = await startFakeActions();
    try {
      vi.stubEnv(INPUT, "0");
      vi.stubEnv("GITHUB_API_URL", github.url);
      const client = stepClient({ token: `ghs_${Math.random().toString(36).slice(2)}` });
      const started = Date.now();
      for (const runName of ["quick-quail-1", "quick-quail-2"]) {
        await client.rest.actions.createWorkflowDispatch({
          owner: model.options.owner,
          repo: model.options.repo,
          workflow_id: "dstack-run.yml",
          ref: "main",
          inputs: { job: "{}", "run-name": runName },
        });
      }
      expect(Date.now() - started).toBeLessThan(900);
      expect(model.runs).toHaveLength(2);
      expect(github.problems).toEqual([]);
    } finally {
      await github.close();
    }
  });
});
