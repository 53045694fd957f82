// The README's examples of a policy and of a repository_dispatch payload are what the code
// accepts: parsed by @dstack/spec, they give no errors, and the payload's job resolves against
// the example workflows and passes the example policy.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import {
  checkJobPolicy,
  parseDispatchPayload,
  parsePolicy,
  parseWorkflows,
  runCommandJob,
} from "@dstack/spec";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const readme = readFileSync(`${root}README.md`, "utf8");

/** The text of the first fenced block of `language` after the heading `heading`. */
function block(heading: string, language: string): string {
  const from = readme.indexOf(heading);
  expect(from, heading).toBeGreaterThanOrEqual(0);
  const m = new RegExp(`\`\`\`${language}\\n([\\s\\S]*?)\`\`\``).exec(readme.slice(from));
  expect(m, `${language} block after ${heading}`).not.toBeNull();
  return m?.[1] ?? "";
}

describe("README examples", () => {
  it("the policy example parses without problems", () => {
    const text = block("## A repository policy", "yaml");
    const parsed = parsePolicy({ text });
    expect(parsed.diagnostics).toEqual([]);
    expect("policy" in parsed && parsed.policy.gpu.maxCount).toBe(4);
  });

  it("the repository_dispatch payload resolves to a job the policy allows", () => {
    const bash = block("## Running from outside GitHub", "bash");
    const json = /<<'JSON'\n([\s\S]*?)\nJSON/.exec(bash)?.[1] ?? "";
    const body = JSON.parse(json) as { event_type: string; client_payload: unknown };
    expect(body.event_type).toBe("dstack-run");
    const parsed = parseDispatchPayload(body.client_payload);
    if (!("request" in parsed)) throw new Error(JSON.stringify(parsed.errors));
    const workflows = parseWorkflows({
      files: [
        {
          path: ".dstack/workflows.yaml",
          text: readFileSync(`${root}examples/train/.dstack/workflows.yaml`, "utf8"),
        },
      ],
    });
    const job = runCommandJob({ command: parsed.request.command, workflows: workflows.jobs });
    if (!("job" in job)) throw new Error(JSON.stringify(job.errors));
    expect(job.job.resources.gpu).toMatchObject({ count: 2 });
    expect(job.job.args).toEqual(["--epochs", "20"]);
    const policy = parsePolicy({ text: block("## A repository policy", "yaml") });
    if (!("policy" in policy)) throw new Error("the README's policy does not parse");
    expect(checkJobPolicy(policy.policy, job.job)).toEqual([]);
  });
});
