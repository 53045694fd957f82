/**
 * `dstack run --remote` of a ref other than the default branch: the runner workflow is
 * dispatched with `untrusted: true`, so its plan job asks for an ephemeral runner; the default
 * branch is dispatched without it. Against the OpenAPI-validated fake (Actions model with the
 * runner workflow's real inputs, default branch `main`), in a real temporary git repository.
 */
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import {
  createActionsModel,
  createContentsModel,
  type FakeActions,
  startFakeGitHub,
} from "@dstack/testing";
import { execa } from "execa";
import { afterEach, describe, expect, it } from "vitest";
import { runDstack } from "./testing.js";

const GIT = ["-c", "user.name=t", "-c", "user.email=t@example.com", "-c", "commit.gpgsign=false"];
const open: FakeActions[] = [];
afterEach(async () => {
  for (const f of open.splice(0)) {
    expect(f.github.problems).toEqual([]);
    await f.github.close();
  }
});

async function fake(): Promise<FakeActions> {
  const model = createActionsModel({
    refs: ["main", "feature"],
    // The workflow_dispatch inputs of .github/workflows/dstack-run.yml.
    inputs: {
      job: true,
      "run-name": true,
      tag: false,
      sha: false,
      "timeout-minutes": false,
      untrusted: false,
      "pull-request": false,
      "runs-on": false,
    },
  });
  const contents = createContentsModel({
    owner: model.options.owner,
    repo: model.options.repo,
    defaultBranch: "main",
  });
  const github = await startFakeGitHub(
    { ...contents.routes, ...model.routes },
    { conditional: model.conditional },
  );
  const f = { github, model };
  open.push(f);
  return f;
}

async function gitRepo(): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), "dstack-remote-untrusted-"));
  mkdirSync(join(dir, ".dstack"));
  writeFileSync(
    join(dir, ".dstack/workflows.yaml"),
    "workflows:\n  - name: train\n    provider: python\n    file: train.py\n",
  );
  writeFileSync(join(dir, "train.py"), "print('hi')\n");
  await execa("git", ["init", "-q", "-b", "main"], { cwd: dir });
  await execa("git", [...GIT, "add", "."], { cwd: dir });
  await execa("git", [...GIT, "commit", "-qm", "first"], { cwd: dir });
  await execa("git", ["remote", "add", "origin", "https://github.com/octo-org/octo-repo.git"], {
    cwd: dir,
  });
  return dir;
}

describe("dstack run --remote marks code not on the default branch untrusted", () => {
  it.each([
    { name: "--ref feature", ref: "feature", untrusted: "true" },
    { name: "--ref main (the default branch)", ref: "main", untrusted: undefined },
  ])("$name", async ({ ref, untrusted }) => {
    const f = await fake();
    const dir = await gitRepo();
    const r = await runDstack(
      ["run", "train", "--remote", "-d", "--ref", ref],
      dir,
      {
        PATH: process.env.PATH,
        HOME: mkdtempSync(join(tmpdir(), "dstack-home-")),
        GIT_CONFIG_NOSYSTEM: "1",
        GITHUB_TOKEN: `ghp_test${Math.random().toString(36).slice(2)}`,
        GITHUB_API_URL: f.github.url,
      },
      { sleep: f.model.clock.sleep, now: f.model.clock.now },
    );
    expect(r.status).toBe(0);
    const [run] = f.model.runs;
    expect(run?.ref).toBe(ref);
    expect(run?.inputs.untrusted).toBe(untrusted);
    expect(run?.inputs["pull-request"]).toBeUndefined();
    if (untrusted) {
      expect(r.stderr).toContain(
        "feature is not the default branch (main): the run asks for an ephemeral runner (label dstack-ephemeral)",
      );
    } else {
      expect(r.stderr).not.toContain("ephemeral");
    }
  });
});
