/**
 * runActionInProcess against a fixture action (fixtures/core-action) that uses each part of the
 * real `@actions/core` our actions use: what a step sees and leaves is what the runner gives and
 * reads, and nothing of a step outlives it in the test's process.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runActionInProcess } from "./action-in-process.js";

const ACTION_DIR = path.resolve(import.meta.dirname, "../fixtures/core-action");

let workspace: string;
beforeAll(() => {
  workspace = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "core-action-")));
});
afterAll(() => fs.rmSync(workspace, { recursive: true, force: true }));

function step(inputs: Record<string, string>, post = false) {
  return runActionInProcess({
    actionDir: ACTION_DIR,
    entrypoint: "main.js",
    inputs,
    env: { GITHUB_WORKSPACE: workspace },
    ...(post ? { post: "post.js" } : {}),
  });
}

describe("a step that succeeds, and its post step", () => {
  it("reads inputs with action.yml defaults, and returns outputs, state, exported variables and the summary", async () => {
    const r = await step({ name: "Ada" }, true);
    expect(r.failed).toBeUndefined();
    expect(r.exitCode).toBe(0);
    expect(r.outputs).toEqual({ message: "hello, Ada\nsecond line" });
    expect(r.state).toEqual({ greeted: "Ada" });
    expect(r.exportedEnv).toEqual({ FIXTURE_EXPORTED: "exported by Ada" });
    // Every declared input is set, given or defaulted (`fail` has no default).
    expect(r.log).toContain("inputs seen: INPUT_GREETING,INPUT_LOUD,INPUT_NAME,INPUT_TOKEN\n");
    // The post step saw the main step's state and exported variable.
    expect(r.log).toContain("post: greeted=Ada exported=exported by Ada");
    expect(r.summary).toMatch(/<h3>greeted Ada<\/h3>[\s\S]*post summary/);
  });

  it("the log: groups, console output, the workspace as working directory; debug lines hidden", async () => {
    const r = await step({ name: "Ada" });
    expect(r.log).toMatch(/::group::Greeting\n[\s\S]*from console\.log\n::endgroup::/);
    expect(r.log).toContain(`cwd ${workspace}\n`);
    expect(r.log).not.toContain("a debug line");
  });

  it("annotations carry their properties, unescaped; commands between stop-commands are not read", async () => {
    const r = await step({ name: "Ada" });
    expect(r.annotations).toEqual([
      {
        level: "warning",
        message: "look\nhere, 100%",
        properties: { title: "a: b", file: "src/a.py", line: 3, col: 2 },
      },
    ]);
    expect(r.log).toContain("::error::not an annotation: commands are stopped");
  });

  it("a given empty input stays empty (the default is for inputs not given); booleans follow YAML 1.2", async () => {
    const r = await step({ name: "Ada", greeting: "", loud: "True" });
    expect(r.outputs.message).toBe(", Ada!\nsecond line");
  });

  it("a secret is masked from the line that registers it on, and the registration is not shown", async () => {
    const r = await step({ name: "Ada", token: "s3cr3t-value" });
    expect(r.log).toContain("the token is ***");
    expect(r.log).not.toContain("s3cr3t-value");
    expect(r.log).not.toContain("::add-mask::");
  });
});

describe("a step that fails", () => {
  it.each<{ name: string; inputs: Record<string, string>; failed: RegExp }>([
    {
      name: "a required input not given",
      inputs: {},
      failed: /^Input required and not supplied: name$/,
    },
    {
      name: "a boolean input that is not one",
      inputs: { name: "Ada", loud: "yes" },
      failed: /^Input does not meet YAML 1\.2 "Core Schema" specification: loud\n/,
    },
    {
      name: "the action's own failure",
      inputs: { name: "Ada", fail: "no luck" },
      failed: /^no luck$/,
    },
  ])("$name: core.setFailed's message and exit code 1", async ({ inputs, failed }) => {
    const r = await step(inputs);
    expect(r.exitCode).toBe(1);
    expect(r.failed).toMatch(failed);
  });
});

describe("what a step leaves in the test's process", () => {
  it("nothing: environment, working directory, exit code and output streams are as before", async () => {
    const cwd = process.cwd();
    const write = process.stdout.write;
    process.env.INPUT_NAME = "leaked from the test";
    process.env.STATE_greeted = "leaked state";
    try {
      const env = { ...process.env };
      const r = await step({ greeting: "hi" }, true);
      // The test's INPUT_ and STATE_ variables did not reach the step.
      expect(r.failed).toBe("Input required and not supplied: name");
      expect(r.log).toContain("post: greeted= exported=undefined");
      expect({ ...process.env }).toEqual(env);
      expect(process.cwd()).toBe(cwd);
      expect(process.exitCode).toBeUndefined();
      expect(process.stdout.write).toBe(write);
    } finally {
      delete process.env.INPUT_NAME;
      delete process.env.STATE_greeted;
    }
  });

  it("a second step at the same time in the same process is refused", async () => {
    const first = step({ name: "Ada" });
    await expect(step({ name: "Bob" })).rejects.toThrow(/another step is running in this process/);
    expect((await first).outputs.message).toBe("hello, Ada\nsecond line");
  });
});
