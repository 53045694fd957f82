/**
 * readDefaultBranchPolicy against the OpenAPI-validated fake: the default branch's policy, never
 * another branch's; no file means no limits; a policy with problems comes back with them.
 */
import { createContentsModel, type FakeGitHub, startFakeGitHub } from "@dstack/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createGitHubClient } from "./client.js";
import { readDefaultBranchPolicy } from "./policy.js";

const open: FakeGitHub[] = [];
afterEach(async () => {
  for (const g of open.splice(0)) {
    expect(g.problems).toEqual([]);
    await g.close();
  }
});

async function start(trunk: Record<string, string>) {
  const model = createContentsModel({
    owner: "octo",
    repo: "models",
    defaultBranch: "trunk",
    files: { trunk, loose: { ".dstack/policy.yaml": "gpu:\n  max_count: 64\n" } },
  });
  const github = await startFakeGitHub(model.routes);
  open.push(github);
  const client = createGitHubClient({
    token: `ghs_${Math.random().toString(36).slice(2)}`,
    apiUrl: github.url,
    retryBaseMs: 1,
  });
  return { model, client, at: { owner: "octo", repo: "models" } };
}

describe("readDefaultBranchPolicy", () => {
  it("reads the default branch's policy, asking GitHub which branch that is", async () => {
    const { client, at, model } = await start({ ".dstack/policy.yaml": "gpu:\n  max_count: 2\n" });
    const read = await readDefaultBranchPolicy({ client, ...at });
    expect(read).toMatchObject({ ref: "trunk", exists: true, diagnostics: [] });
    expect(read.policy?.gpu.maxCount).toBe(2);
    expect(model.reads).toEqual([{ path: ".dstack/policy.yaml", ref: "trunk" }]);
  });

  it("uses the default branch the caller knows, and names the source as asked", async () => {
    const { client, at } = await start({ ".dstack/policy.yaml": "gpu:\n  max_count: [\n" });
    const read = await readDefaultBranchPolicy({
      client,
      ...at,
      defaultBranch: "trunk",
      source: (ref) => `.dstack/policy.yaml (octo/models on ${ref})`,
    });
    expect(read.exists).toBe(true);
    expect(read.policy).toBeUndefined();
    expect(read.diagnostics[0]?.source).toBe(".dstack/policy.yaml (octo/models on trunk)");
  });

  it("no file on the default branch: no policy, no problems", async () => {
    const { client, at } = await start({});
    expect(await readDefaultBranchPolicy({ client, ...at })).toEqual({
      ref: "trunk",
      exists: false,
      diagnostics: [],
      source: ".dstack/policy.yaml",
    });
  });
});
