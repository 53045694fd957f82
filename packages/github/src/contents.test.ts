/**
 * readRepositoryFile and readDefaultBranch against the OpenAPI-validated fake: files by ref,
 * 404 as "no file", a 403 that names `contents: read`, retried 5xx, folders refused.
 */
import {
  CONTENTS_ROUTES,
  createContentsModel,
  type FakeGitHub,
  type FakeHandler,
  fakeFaults,
  startFakeGitHub,
} from "@dstack/testing";
import { afterEach, describe, expect, it } from "vitest";
import { createGitHubClient } from "./client.js";
import { readDefaultBranch, readRepositoryFile } from "./contents.js";

const POLICY = "gpu:\n  max_count: 4\n  names: [A100]\n# é — multi-byte text survives base64\n";

const open: FakeGitHub[] = [];
afterEach(async () => {
  for (const g of open.splice(0)) {
    expect(g.problems).toEqual([]);
    await g.close();
  }
});

async function start(routes: Record<string, FakeHandler> = {}) {
  const model = createContentsModel({
    owner: "octo",
    repo: "models",
    defaultBranch: "trunk",
    files: {
      trunk: { ".dstack/policy.yaml": POLICY, "big.txt": "x".repeat(4000) },
      branch: { ".dstack/policy.yaml": "gpu:\n  max_count: 64\n" },
    },
  });
  const github = await startFakeGitHub({ ...model.routes, ...routes });
  open.push(github);
  const client = createGitHubClient({
    token: `ghs_${Math.random().toString(36).slice(2)}`,
    apiUrl: github.url,
    retryBaseMs: 1,
  });
  return { github, model, client, at: { owner: "octo", repo: "models" } };
}

describe("readRepositoryFile", () => {
  it("reads a file at the ref asked for, not another branch's", async () => {
    const { client, at, model } = await start();
    const text = await readRepositoryFile({
      client,
      ...at,
      path: ".dstack/policy.yaml",
      ref: "trunk",
    });
    expect(text).toBe(POLICY);
    expect(model.reads).toEqual([{ path: ".dstack/policy.yaml", ref: "trunk" }]);
    expect(
      await readRepositoryFile({ client, ...at, path: ".dstack/policy.yaml", ref: "branch" }),
    ).toContain("max_count: 64");
  });

  it("decodes base64 sent in lines, as GitHub sends it", async () => {
    const { client, at } = await start();
    expect(await readRepositoryFile({ client, ...at, path: "big.txt", ref: "trunk" })).toBe(
      "x".repeat(4000),
    );
  });

  it("answers undefined for a file that is not there", async () => {
    const { client, at } = await start();
    expect(
      await readRepositoryFile({ client, ...at, path: ".dstack/missing.yaml", ref: "trunk" }),
    ).toBeUndefined();
  });

  it("names contents: read on a 403", async () => {
    const { client, at, github } = await start();
    github.inject(CONTENTS_ROUTES.getContent, {
      answer: {
        status: 403,
        body: {
          message: "Resource not accessible by integration",
          documentation_url: "https://docs.github.com/rest",
        },
      },
    });
    await expect(
      readRepositoryFile({ client, ...at, path: ".dstack/policy.yaml", ref: "trunk" }),
    ).rejects.toThrow(/contents: read/);
  });

  it("retries a 502 and reads the file", async () => {
    const { client, at, github } = await start();
    github.inject(CONTENTS_ROUTES.getContent, fakeFaults.serverError(502));
    expect(
      await readRepositoryFile({ client, ...at, path: ".dstack/policy.yaml", ref: "trunk" }),
    ).toBe(POLICY);
  });

  it("refuses a folder", async () => {
    const { client, at } = await start({
      [CONTENTS_ROUTES.getContent]: () => ({ status: 200, body: [] }),
    });
    await expect(
      readRepositoryFile({ client, ...at, path: ".dstack", ref: "trunk" }),
    ).rejects.toThrow(/it is a folder, not a file/);
  });
});

describe("readDefaultBranch", () => {
  it("reads the repository's default branch", async () => {
    const { client, at } = await start();
    expect(await readDefaultBranch({ client, ...at })).toBe("trunk");
  });

  it("says which repository was not found", async () => {
    const { client } = await start();
    await expect(readDefaultBranch({ client, owner: "octo", repo: "nope" })).rejects.toThrow(
      /octo\/nope/,
    );
  });
});
