/**
 * `GitHubStore.tagRun`: a tag written in one workflow run (the runner workflow's tag-only mode)
 * pointing at a run another workflow run made, through the real parts: the unmodified
 * `@actions/artifact` client with Azurite and the results-service fake, and the OpenAPI-validated
 * REST fake whose workflow runs carry the facts the trust rules read and their titles and actors.
 * The attacks: pointing a shared tag at a fork's run, at a pull-request command's run, at code of
 * another branch, and a tag record naming an untrusted workflow run.
 */
import fs from "node:fs";
import path from "node:path";
import {
  type ActionsStorageSession,
  type ArtifactsRestApi,
  type BackendIds,
  enterActionsStorage,
  type ResultsService,
  workflowRuns,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GitHubStore, type GitHubStoreOptions } from "./github-store.js";

const TOKEN = "ghs_fake_token_for_tag_run_tests";
const REPO = "octo/models";

const runs = workflowRuns();
/** The run `brave-bear-7`, dispatched by alice: trusted, holds the model. */
const made = runs.add(111, { title: "brave-bear-7", actor: "alice" });
/** bob's tag-only run of the runner workflow. */
const tagging = runs.add(112, { title: "tag-calm-cat-1", actor: "bob" });
/** A fork's pull request run (a workflow of its own). */
const fork = runs.add(201, { event: "pull_request", workflowFile: "ci.yml", fork: true });
/** A pull-request command's run: the runner workflow, dispatched, running pull request 12's code. */
const prCommand = runs.add(301, { event: "repository_dispatch", title: "pr-eel-1" });
/** A dispatch of the runner workflow on another branch (`untrusted: true`). */
const otherRef = runs.add(302, { headBranch: "feature", title: "side-sloth-1" });
/** A trusted run whose run markers hold records that are not JSON objects. */
const odd = runs.add(113, { title: "odd-owl-1" });

let storage: ActionsStorageSession;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;

beforeAll(async () => {
  storage = await enterActionsStorage({
    repository: REPO,
    runs,
    tmpPrefix: "github-store-tag-run-",
  });
  ({ service, rest, tmp } = storage);
  // What each run uploads, as its own step would.
  const model = (content: string) => {
    const dir = fs.mkdtempSync(path.join(tmp, "model-"));
    fs.writeFileSync(path.join(dir, "weights.bin"), content);
    return dir;
  };
  await inRun(made, () =>
    store().upload({ runName: "brave-bear-7", localPath: model("good"), artifactPath: "model" }),
  );
  await inRun(fork, () =>
    store().upload({ runName: "evil-eel-1", localPath: model("evil"), artifactPath: "model" }),
  );
  await inRun(prCommand, () =>
    store({
      pullRequest: 12,
      runMarker: { workflow: "train", untrusted: true, pullRequest: 12 },
    }).upload({ runName: "pr-eel-1", localPath: model("pr"), artifactPath: "model" }),
  );
  await inRun(otherRef, () =>
    store({ runMarker: { workflow: "train", untrusted: true } }).upload({
      runName: "side-sloth-1",
      localPath: model("side"),
      artifactPath: "model",
    }),
  );
}, 60_000);

afterAll(() => storage?.close());

/** Runs `fn` as a step of `run` (its runtime token in the environment). */
const inRun = <T>(run: BackendIds, fn: () => Promise<T>): Promise<T> => storage.inRun(run, fn);

function store(options: Partial<GitHubStoreOptions> = {}) {
  return new GitHubStore({
    token: TOKEN,
    repository: REPO,
    apiUrl: rest.url,
    warn: () => {},
    retagRetryMs: 5,
    writeSpacingMs: 0,
    ...options,
  });
}

const tagArtifacts = () =>
  service.artifacts().filter((a) => a.finalized && a.name.startsWith("dstack-tag--"));

describe("tagRun: a tag written in another workflow run than the run's", () => {
  it("points at the run's own workflow run, downloads its files, and names who tagged it", async () => {
    const r = await inRun(tagging, () => store().tagRun({ tag: "best", runName: "brave-bear-7" }));
    expect(r.resolved).toMatchObject({ runName: "brave-bear-7", workflowRunId: 111 });
    expect(r.tag).toMatchObject({ tag: "best", name: "dstack-tag--best" });

    const reader = store();
    const resolved = await reader.resolveTag("best");
    expect(resolved).toMatchObject({
      runName: "brave-bear-7",
      workflowRunId: 111,
      taggedBy: { workflowRunId: 112, title: "tag-calm-cat-1", actor: "bob" },
    });
    const out = path.join(tmp, "out-best");
    await reader.downloadArtifacts({ tag: "best" }, { localPath: out });
    expect(fs.readFileSync(path.join(out, "model/weights.bin"), "utf8")).toBe("good");
  });

  it("listTags names the workflow run that made each tag, with no request of its own", async () => {
    // A tag the run set itself, in its own workflow run.
    await inRun(made, () => store().setTag({ tag: "self", runName: "brave-bear-7" }));
    const before = rest.github.requests.length;
    const tags = await store().listTags();
    const sent = rest.github.requests.slice(before);
    expect(tags).toEqual([
      {
        tag: "best",
        runName: "brave-bear-7",
        createdAt: expect.any(String),
        taggedBy: { workflowRunId: 112, title: "tag-calm-cat-1", actor: "bob" },
      },
      {
        tag: "self",
        runName: "brave-bear-7",
        createdAt: expect.any(String),
        taggedBy: { workflowRunId: 111, title: "brave-bear-7", actor: "alice" },
      },
    ]);
    // One GET per workflow run judged (112, 111), whatever the number of tags.
    const runGets = sent.filter((q) => q.route === "/repos/{owner}/{repo}/actions/runs/{run_id}");
    expect(runGets.map((q) => q.params.run_id).sort()).toEqual(["111", "112"]);
  });

  const refusals = [
    {
      name: "an unknown run",
      runName: "nope-nope-1",
      error:
        /no run "nope-nope-1" in octo\/models: no workflow run has an artifact named dstack-run--nope-nope-1/,
    },
    {
      name: "a fork's pull request run",
      runName: "evil-eel-1",
      error: /no trusted run "evil-eel-1" .*fork: its code comes from another repository/,
    },
    {
      name: "a pull-request command's run (a trusted workflow run of pull request code)",
      runName: "pr-eel-1",
      error:
        /run "pr-eel-1" \(workflow run 301\) ran pull request #12's code \(its runs tag it as pr-12\.best\); a shared tag never points at it/,
    },
    {
      name: "a run of another branch's code",
      runName: "side-sloth-1",
      error: /run "side-sloth-1" \(workflow run 302\) ran code not reviewed on the default branch/,
    },
  ];
  it.each(refusals)("refuses $name and writes no tag", async ({ runName, error }) => {
    const before = tagArtifacts().length;
    await expect(inRun(tagging, () => store().tagRun({ tag: "best", runName }))).rejects.toThrow(
      error,
    );
    expect(tagArtifacts()).toHaveLength(before);
    expect((await store().resolveTag("best")).runName).toBe("brave-bear-7");
  });

  it("refuses a pull request's reserved tag", async () => {
    await expect(
      inRun(tagging, () => store().tagRun({ tag: "pr-12.best", runName: "brave-bear-7" })),
    ).rejects.toThrow(/names starting with pr-<number>\. are the tags of pull requests' runs/);
  });

  it("a tag record naming an untrusted workflow run is not followed", async () => {
    // A trusted run's tag whose record points at the fork's workflow run: read, never used.
    await inRun(tagging, () =>
      store().setTag({ tag: "forged", runName: "evil-eel-1", workflowRunId: 201 }),
    );
    await expect(store().resolveTag("forged")).rejects.toThrow(
      /tag "forged" points at workflow run 201, which is not a trusted source \(fork:/,
    );
    const tags = await store().listTags();
    expect(tags.map((t) => t.tag)).not.toContain("forged");
  });

  it("every request and answer matched GitHub's OpenAPI description", () => {
    expect(rest.github.problems).toEqual([]);
  });
});

describe("tagRun: a run marker whose record is not a JSON object", () => {
  const cases = [
    { name: "null", runName: "odd-owl-1", text: "null", problem: "is null, not an object" },
    { name: "not JSON", runName: "odd-owl-2", text: "{oops", problem: "is not JSON \\(" },
  ];
  beforeAll(async () => {
    const { DefaultArtifactClient } = await import("@actions/artifact");
    for (const c of cases) {
      const dir = fs.mkdtempSync(path.join(tmp, "marker-"));
      fs.writeFileSync(path.join(dir, "dstack-run.json"), c.text);
      await inRun(odd, () =>
        new DefaultArtifactClient().uploadArtifact(
          `dstack-run--${c.runName}`,
          [path.join(dir, "dstack-run.json")],
          dir,
        ),
      );
    }
  });

  it.each(cases)("$name: refused naming the artifact and file, no tag written", async (c) => {
    const before = tagArtifacts().length;
    await expect(
      inRun(tagging, () => store().tagRun({ tag: "odd", runName: c.runName })),
    ).rejects.toThrow(
      new RegExp(
        `artifact dstack-run--${c.runName} \\(id \\d+\\): its dstack-run.json ${c.problem}.*; expected a JSON object`,
      ),
    );
    expect(tagArtifacts().length).toBe(before);
  });
});
