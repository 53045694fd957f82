/** readPolicyFile: `.dstack/policy.yaml` of a folder on disk (`@dstack/spec/node`). */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { readPolicyFile } from "./policy-file.js";

function repo(policy?: string): string {
  const root = mkdtempSync(join(tmpdir(), "dstack-policy-"));
  if (policy !== undefined) {
    mkdirSync(join(root, ".dstack"));
    writeFileSync(join(root, ".dstack/policy.yaml"), policy);
  }
  return root;
}

describe("readPolicyFile", () => {
  it("reads and parses the policy", () => {
    const root = repo("gpu:\n  max_count: 4\n");
    const read = readPolicyFile({ root });
    expect(read).toMatchObject({ file: join(root, ".dstack/policy.yaml"), diagnostics: [] });
    expect(read?.policy?.gpu.maxCount).toBe(4);
  });

  it("no file: undefined (no limits)", () => {
    expect(readPolicyFile({ root: repo() })).toBeUndefined();
  });

  it("a policy with problems: no policy, each problem at the source given", () => {
    const read = readPolicyFile({ root: repo("gpu:\n  max_count: lots\n"), source: "p.yaml" });
    expect(read?.policy).toBeUndefined();
    expect(read?.diagnostics.length).toBeGreaterThan(0);
    expect(read?.diagnostics[0]).toMatchObject({ source: "p.yaml", severity: "error", line: 2 });
  });

  it("a folder where the file should be: the read error, not no policy", () => {
    const root = repo();
    mkdirSync(join(root, ".dstack/policy.yaml"), { recursive: true });
    expect(() => readPolicyFile({ root })).toThrow(/EISDIR/);
  });
});
