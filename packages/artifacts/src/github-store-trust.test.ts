/**
 * The GitHub store's trusted sources, attacked through the real parts: the unmodified
 * `@actions/artifact` client with Azurite and the results-service fake, and the OpenAPI-validated
 * REST fake whose workflow runs carry the facts the rules read (event, workflow file, branch,
 * fork). Each attack uploads what an outsider could (a fork's `pull_request` run, a
 * `pull_request` run of another workflow) and checks that readers never use it.
 */
import fs from "node:fs";
import path from "node:path";
import {
  type ActionsStorageSession,
  type ArtifactsRestApi,
  type BackendIds,
  enterActionsStorage,
  FAKE_REPOSITORY_ID,
  type ResultsService,
  readTree,
  workflowRuns,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreError } from "./errors.js";
import { apiUrlForServer, hasArtifactsService } from "./github-host.js";
import { GitHubStore, GitHubStoreError } from "./github-store.js";

const TOKEN = "ghs_fake_token_for_trust_tests";
const REPO = "octo/models";

let storage: ActionsStorageSession;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;

const runs = workflowRuns();
/** The repository's own runner workflow, dispatched on main: trusted. */
const trusted = runs.add(101);
/** A fork's pull request, running a workflow of its own choice: never trusted. */
const fork = runs.add(201, {
  event: "pull_request",
  workflowFile: "ci.yml",
  headBranch: "patch-1",
  fork: true,
});
/** A same-repository pull request's `ci.yml` run: the pull request's copy of the workflow. */
const prCi = runs.add(301, { event: "pull_request", workflowFile: "ci.yml", headBranch: "feat" });
/** A fork's pull request run of a copy of the runner workflow. */
const forkRunner = runs.add(202, { event: "pull_request", fork: true, headBranch: "patch-2" });

/** Runs `fn` as a step of `run` (its runtime token in the environment). */
const inRun = <T>(run: BackendIds, fn: () => Promise<T>): Promise<T> => storage.inRun(run, fn);

beforeAll(async () => {
  storage = await enterActionsStorage({ repository: REPO, runs, tmpPrefix: "github-store-trust-" });
  ({ service, rest, tmp } = storage);
}, 60_000);

afterAll(() => storage?.close());

/**
 * A store that collects its warnings; its REST writes are not spaced (the fake has no secondary
 * rate limit).
 */
function store(options: Partial<ConstructorParameters<typeof GitHubStore>[0]> = {}) {
  const warnings: string[] = [];
  const s = new GitHubStore({
    token: TOKEN,
    repository: REPO,
    apiUrl: rest.url,
    warn: (m) => warnings.push(m),
    retagRetryMs: 5,
    writeSpacingMs: 0,
    ...options,
  });
  return Object.assign(s, { warnings });
}

/** A source folder holding one file `weights.bin` with this content. */
function weights(name: string, content: string): string {
  const dir = path.join(tmp, "src", name);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "weights.bin"), content);
  return dir;
}

/** Uploads `weights.bin` as `model` of `runName` in `run`, with a tag if given. */
async function uploadModel(run: BackendIds, runName: string, content: string, tag?: string) {
  return await inRun(run, () =>
    store().upload({
      runName,
      localPath: weights(`${runName}-${run.workflowRunBackendId}`, content),
      artifactPath: "model",
      ...(tag !== undefined ? { tag } : {}),
    }),
  );
}

/** The REST requests of one operation made while `fn` ran. */
async function counting<T>(operationId: string, fn: () => Promise<T>): Promise<[T, number]> {
  const before = rest.github.requests.filter((r) => r.operationId === operationId).length;
  const result = await fn();
  const after = rest.github.requests.filter((r) => r.operationId === operationId).length;
  return [result, after - before];
}

describe("trusted sources: attacks through tags and run markers", () => {
  it("setup: a trusted run tags `best`; then a fork and a pull-request ci.yml run upload newer `best` tags", async () => {
    await uploadModel(trusted, "good-gnu-1", "trusted\n", "best");
    // The attackers' runs upload newer tags (and, for the fork, a run marker of the trusted
    // run's name with its own data artifact).
    await uploadModel(fork, "evil-eel-1", "pickle from a fork\n", "best");
    await uploadModel(fork, "good-gnu-1", "pickle under a trusted run's name\n");
    await uploadModel(prCi, "odd-ox-1", "pickle from a pull request\n", "best");
    expect(service.artifacts().filter((a) => a.name === "dstack-tag--best")).toHaveLength(3);
  });

  it("a tag resolves to the trusted run, and ONE warning names each skipped artifact and why", async () => {
    const s = store();
    const resolved = await s.resolveTag("best");
    expect(resolved).toMatchObject({ runName: "good-gnu-1", workflowRunId: 101 });
    expect(resolved.skipped.map((x) => [x.runId, x.reason])).toEqual([
      [301, "event"],
      [201, "fork"],
    ]);
    expect(s.warnings).toHaveLength(1);
    const tagIds = service
      .artifacts()
      .filter((a) => a.name === "dstack-tag--best")
      .map((a) => a.id);
    for (const id of tagIds.slice(1)) expect(s.warnings[0]).toContain(`artifact ${id} `);
    expect(s.warnings[0]).toMatch(/workflow run 201\): fork: its code comes from another repo/);
    expect(s.warnings[0]).toMatch(
      /workflow run 301\): event: workflow ci\.yml ran on pull_request/,
    );
    expect(s.warnings[0]).toMatch(/using artifact \d+ of workflow run 101/);
  });

  it("`download tag: best` writes the trusted files, never the fork's", async () => {
    const dest = path.join(tmp, "out-best");
    await store().downloadArtifacts({ tag: "best" }, { localPath: dest });
    expect(readTree(dest)).toEqual({ "model/weights.bin": "trusted\n" });
  });

  it("a fork's run marker of a trusted run's name is skipped: the run's own files come back", async () => {
    const s = store();
    const dest = path.join(tmp, "out-run");
    const got = await s.downloadArtifacts({ run: "good-gnu-1" }, { localPath: dest });
    expect(got.workflowRunId).toBe(101);
    expect(readTree(dest)).toEqual({ "model/weights.bin": "trusted\n" });
    expect(s.warnings).toHaveLength(1);
    expect(s.warnings[0]).toMatch(
      /^run "good-gnu-1": skipped 1 newer artifact named dstack-run--good-gnu-1/,
    );
  });

  const onlyUntrusted = [
    { name: "a tag only a fork wrote", run: fork, tag: "fork-only", reason: /fork/ },
    {
      name: "a tag only a pull_request run of ci.yml wrote",
      run: prCi,
      tag: "pr-only",
      reason: /event: workflow ci\.yml ran on pull_request/,
    },
    {
      name: "a tag from a fork's copy of the runner workflow",
      run: forkRunner,
      tag: "runner-copy",
      reason: /fork/,
    },
  ];
  it.each(onlyUntrusted)(
    "$name: a not-found error that names what was skipped and why",
    async ({ run, tag, reason }) => {
      await uploadModel(run, `lone-${tag}`, "x\n", tag);
      const error = await store()
        .downloadArtifacts({ tag }, { localPath: path.join(tmp, `never-${tag}`) })
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitHubStoreError);
      expect((error as GitHubStoreError).code).toBe("not-found");
      expect((error as GitHubStoreError).reason).toBe("untrusted");
      expect(String(error)).toMatch(
        new RegExp(`no trusted tag "${tag}".*come from untrusted workflow runs`),
      );
      expect(String(error)).toMatch(reason);
      expect(String(error)).toMatch(/trusted sources are runs of this repository's own code/);
      expect(fs.existsSync(path.join(tmp, `never-${tag}`))).toBe(false);
    },
  );

  it("fetches each run once per store, and only as many candidates as needed", async () => {
    const s = store({ repositoryId: FAKE_REPOSITORY_ID });
    // Newest first: 301 (fetched, skipped), 201 (a fork by the artifact alone), 101 (trusted).
    const [, first] = await counting("actions/get-workflow-run", () => s.resolveTag("best"));
    expect(first).toBe(2);
    const [, again] = await counting("actions/get-workflow-run", () => s.resolveTag("best"));
    expect(again).toBe(0);
    const [, repoGets] = await counting("repos/get", () => store().resolveTag("best"));
    expect(repoGets).toBe(1);
  });

  it("fromEnv takes the repository id from GITHUB_REPOSITORY_ID (no GET /repos)", async () => {
    const env = {
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: REPO,
      GITHUB_REPOSITORY_ID: String(FAKE_REPOSITORY_ID),
      GITHUB_API_URL: rest.url,
    };
    const s = GitHubStore.fromEnv(env, { warn: () => {} });
    const [resolved, repoGets] = await counting("repos/get", () => s.resolveTag("best"));
    expect(resolved.workflowRunId).toBe(101);
    expect(repoGets).toBe(0);
  });
});

describe("trusted sources: which workflows and branches count", () => {
  const cases = [
    {
      name: "a push of ci.yml on the default branch counts",
      id: 501,
      facts: { event: "push", workflowFile: "ci.yml" },
      options: {},
      trustedRun: true,
    },
    {
      name: "a schedule run on the default branch counts",
      id: 502,
      facts: { event: "schedule", workflowFile: "nightly.yml" },
      options: {},
      trustedRun: true,
    },
    {
      name: "a push of ci.yml on another branch does not",
      id: 503,
      facts: { event: "push", workflowFile: "ci.yml", headBranch: "wip" },
      options: {},
      trustedRun: false,
      reason: /branch: workflow ci\.yml ran on push on branch wip, not the default branch main/,
    },
    {
      name: "a push of ci.yml on another branch counts when ci.yml is a trusted workflow",
      id: 504,
      facts: { event: "push", workflowFile: "ci.yml", headBranch: "wip" },
      options: { trustedWorkflows: ["ci.yml"] },
      trustedRun: true,
    },
    {
      name: "a runner-workflow dispatch on a branch counts",
      id: 505,
      facts: { headBranch: "exp" },
      options: {},
      trustedRun: true,
    },
    {
      name: "with runner-workflow gpu.yml, dstack-run.yml on a branch does not",
      id: 506,
      facts: { headBranch: "exp" },
      options: { runnerWorkflow: "gpu.yml" },
      trustedRun: false,
      reason: /branch: workflow dstack-run\.yml ran on workflow_dispatch on branch exp/,
    },
    {
      name: "a trusted workflow run by pull_request does not (the pull request's copy)",
      id: 507,
      facts: { event: "pull_request", workflowFile: "ci.yml", headBranch: "feat" },
      options: { trustedWorkflows: ["ci.yml"] },
      trustedRun: false,
      reason: /event: workflow ci\.yml ran on pull_request \(a pull request's copy of the file\)/,
    },
  ];
  it.each(cases)("$name", async ({ id, facts, options, trustedRun, reason }) => {
    const run = runs.add(id, facts);
    const tag = `rule-${id}`;
    await uploadModel(run, `rule-run-${id}`, `${id}\n`, tag);
    const result = await store(options)
      .resolveTag(tag)
      .catch((e: unknown) => e);
    if (trustedRun) {
      expect(result).toMatchObject({ workflowRunId: id, skipped: [] });
    } else {
      expect((result as GitHubStoreError).reason).toBe("untrusted");
      expect(String(result)).toMatch(reason as RegExp);
    }
  });

  it("refuses a runner workflow that is not a file name", () => {
    expect(() => store({ runnerWorkflow: "../x.yml" })).toThrow(
      /runnerWorkflow: "\.\.\/x\.yml" is not a workflow file name/,
    );
  });
});

describe("pull-request namespace for tags", () => {
  const prRun = runs.add(601, { headBranch: "main" });

  it("a tag written by a pull request's run lands in its namespace and does not move `best`", async () => {
    const s = store({ pullRequest: 12 });
    const up = await inRun(prRun, () =>
      s.upload({
        runName: "pr-run-1",
        localPath: weights("pr", "from PR 12\n"),
        artifactPath: "model",
        tag: "best",
      }),
    );
    expect(up.tag).toMatchObject({ name: "dstack-tag--pr-12.best", tag: "pr-12.best" });
    // Newer than every other `best`, from a trusted runner-workflow run: still not `best`.
    const shared = await store().resolveTag("best");
    expect(shared).toMatchObject({ runName: "good-gnu-1", workflowRunId: 101 });
    // A pull request's store reads the shared tag too.
    expect(await s.resolveTag("best")).toMatchObject({ runName: "good-gnu-1" });
    const namespaced = await store().resolveTag("pr-12.best");
    expect(namespaced).toMatchObject({ runName: "pr-run-1", workflowRunId: 601 });
  });

  const reserved = [
    { name: "a default-branch store", options: {} },
    { name: "another pull request's store", options: { pullRequest: 13 } },
  ];
  it.each(reserved)("$name may not write a pr-<n>. tag", async ({ options }) => {
    const error = await inRun(prRun, () =>
      store(options).setTag({ tag: "pr-12.best", runName: "pr-run-1" }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String(error)).toMatch(
      /tag "pr-12\.best": names starting with pr-<number>\. are the tags of pull requests' runs/,
    );
  });

  it("refuses a pull request number that is not a positive integer", () => {
    expect(() => store({ pullRequest: 0 })).toThrow(/pullRequest: 0 is not a pull request number/);
  });
});

describe("re-tagging after a delete (409)", () => {
  const run = runs.add(701);

  it("a 409 right after the delete is retried with back-off until the name is free", async () => {
    await inRun(run, () => store().setTag({ tag: "retag", runName: "re-run-1" }));
    service.setConflictsAfterDelete(2);
    try {
      const up = await inRun(run, () => store().setTag({ tag: "retag", runName: "re-run-2" }));
      expect(up.name).toBe("dstack-tag--retag");
      expect(await store().resolveTag("retag")).toMatchObject({ runName: "re-run-2" });
    } finally {
      service.setConflictsAfterDelete(0);
    }
  });

  it("is bounded: a 409 that outlasts the retries is a clear error", async () => {
    service.setConflictsAfterDelete(10);
    try {
      const error = await inRun(run, () =>
        store({ retagRetries: 2 }).setTag({ tag: "retag", runName: "re-run-3" }),
      ).catch((e: unknown) => e);
      expect((error as GitHubStoreError).reason).toBe("duplicate");
      expect(String(error)).toMatch(
        /tag "retag": GitHub still refuses the name dstack-tag--retag \(409\).*through 2 retries/,
      );
    } finally {
      service.setConflictsAfterDelete(0);
    }
  });
});

describe("GitHub Enterprise Server has no artifacts service", () => {
  const ghes = "https://ghes.example.com";
  const attempts = [
    {
      name: "an upload",
      fn: () =>
        store().upload({
          runName: "ghes-1",
          localPath: weights("ghes", "x\n"),
          artifactPath: "model",
        }),
    },
    {
      name: "a download",
      fn: () =>
        store().downloadArtifacts({ tag: "best" }, { localPath: path.join(tmp, "ghes-out") }),
    },
    { name: "a tag", fn: () => store().setTag({ tag: "ghes", runName: "ghes-1" }) },
  ];
  it.each(attempts)("$name fails with an error saying so", async ({ fn }) => {
    const old = process.env.GITHUB_SERVER_URL;
    process.env.GITHUB_SERVER_URL = ghes;
    try {
      const before = service.artifacts().length;
      const error = await fn().catch((e: unknown) => e);
      expect(error).toBeInstanceOf(StoreError);
      expect(String(error)).toMatch(
        /GITHUB_SERVER_URL is https:\/\/ghes\.example\.com, a GitHub Enterprise Server: it has no artifacts service/,
      );
      expect(service.artifacts().length).toBe(before);
      expect(fs.existsSync(path.join(tmp, "ghes-out"))).toBe(false);
    } finally {
      process.env.GITHUB_SERVER_URL = old;
    }
  });

  const servers = [
    {
      name: "github.com",
      server: "https://github.com",
      api: "https://api.github.com",
      service: true,
    },
    {
      name: "a GHE.com subdomain",
      server: "https://octo.ghe.com",
      api: "https://api.octo.ghe.com",
      service: true,
    },
    {
      name: "an Enterprise Server",
      server: "https://ghes.example.com/",
      api: "https://ghes.example.com/api/v3",
      service: false,
    },
  ];
  it.each(servers)("$name: API URL and artifacts service", ({ server, api, service: has }) => {
    expect(apiUrlForServer(server)).toBe(api);
    expect(hasArtifactsService(server)).toBe(has);
    const s = GitHubStore.fromEnv({
      GITHUB_TOKEN: TOKEN,
      GITHUB_REPOSITORY: REPO,
      GITHUB_SERVER_URL: server,
    });
    expect(s.apiUrl).toBe(api);
  });
});

describe("the REST fake", () => {
  it("every request and answer matched GitHub's OpenAPI description", () => {
    expect(rest.github.problems).toEqual([]);
  });
});
