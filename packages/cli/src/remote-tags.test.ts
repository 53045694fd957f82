/**
 * `dstack tags list|delete|add --remote` against the real parts: tags written by `GitHubStore`
 * in workflow runs (the unmodified `@actions/artifact` client, Azurite and the results-service
 * fake), then listed and deleted from a laptop through the CLI (the OpenAPI-validated REST
 * fake), with only a token in the environment; the JSON shape compared with the local command's.
 *
 * `tags add --remote` dispatches the runner workflow's tag-only mode to the Actions model (a
 * simulated clock), and each dispatch does what GitHub would with the shipped
 * `.github/workflows/dstack-run.yml`: the jobs whose `if:` holds for the inputs sent (GitHub's
 * expression engine), and the tag job's `dstack/artifacts` step, its `with:` evaluated, run
 * in-process as a step of that workflow run against Azurite and the results-service fake; the
 * run ends as the step did, and the job's log is the step's, as the runner writes it
 * (`::error::` becomes `##[error]`).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { data, Evaluator, Lexer, Parser } from "@actions/expressions";
import { GitHubStore } from "@dstack/artifacts/github";
import {
  ACTIONS_ROUTES,
  type ActionsStorage,
  ARTIFACT_ROUTES,
  type ArtifactsRestApi,
  createActionsModel,
  createContentsModel,
  criticalPathJobs,
  type DeclaredInput,
  type FakeGitHub,
  type ModelEnding,
  type ResultsService,
  runActionInProcess,
  startActionsStorage,
  startFakeGitHub,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { runDstack } from "./testing.js";

const REPO_ROOT = path.resolve(import.meta.dirname, "../../..");
const ARTIFACTS_ACTION = path.join(REPO_ROOT, "actions/artifacts");

const REPO = "octo/models";
const TOKEN = "ghp_cli_tags_token_for_tests";
const ENV_KEYS = ["ACTIONS_RUNTIME_TOKEN", "ACTIONS_RESULTS_URL", "GITHUB_API_URL"] as const;

let storage: ActionsStorage;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;
const saved = new Map<string, string | undefined>();

beforeAll(async () => {
  for (const k of ENV_KEYS) saved.set(k, process.env[k]);
  storage = await startActionsStorage({ repository: REPO });
  ({ service, rest } = storage);
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dstack-cli-tags-"));
  process.env.GITHUB_API_URL = rest.url;
  // A trusted run tags brave-bear-7 `best` and `prod`; a fork's pull_request run then tags its
  // own run `prod` (newer, untrusted: never listed).
  Object.assign(
    process.env,
    service.envFor(rest.workflowRun(1001, { title: "brave-bear-7", actor: "alice" })),
  );
  const store = new GitHubStore({
    token: TOKEN,
    repository: REPO,
    apiUrl: rest.url,
    writeSpacingMs: 0,
  });
  await store.setTag({ tag: "best", runName: "brave-bear-7" });
  await store.setTag({ tag: "prod", runName: "brave-bear-7" });
  // Runs for `tags add --remote`: a fork's evil-eel-1, calm-cat-2 (trusted), a pull-request
  // command's run.
  const model = (content: string) => {
    const dir = fs.mkdtempSync(path.join(tmp, "model-"));
    fs.writeFileSync(path.join(dir, "weights.bin"), content);
    return dir;
  };
  Object.assign(
    process.env,
    service.envFor(
      rest.workflowRun(2002, { event: "pull_request", workflowFile: "ci.yml", fork: true }),
    ),
  );
  await store.upload({ runName: "evil-eel-1", localPath: model("evil"), artifactPath: "model" });
  Object.assign(process.env, service.envFor(rest.workflowRun(1003, { title: "calm-cat-2" })));
  await store.upload({ runName: "calm-cat-2", localPath: model("calm"), artifactPath: "model" });
  Object.assign(
    process.env,
    service.envFor(rest.workflowRun(3001, { event: "repository_dispatch", title: "pr-eel-1" })),
  );
  await new GitHubStore({
    token: TOKEN,
    repository: REPO,
    apiUrl: rest.url,
    writeSpacingMs: 0,
    pullRequest: 12,
    runMarker: { workflow: "train", untrusted: true, pullRequest: 12 },
  }).upload({ runName: "pr-eel-1", localPath: model("pr"), artifactPath: "model" });
  Object.assign(
    process.env,
    service.envFor(
      rest.workflowRun(2001, { event: "pull_request", workflowFile: "ci.yml", fork: true }),
    ),
  );
  await store.setTag({ tag: "prod", runName: "evil-eel-1" });
  // A fork run alone tags `forked`: no trusted tagging, so no such tag.
  await store.setTag({ tag: "forked", runName: "evil-eel-1" });
  delete process.env.ACTIONS_RUNTIME_TOKEN;
  delete process.env.ACTIONS_RESULTS_URL;
}, 60_000);

afterAll(async () => {
  await storage?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  for (const [k, v] of saved) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

function dstack(argv: string[]) {
  const cwd = fs.mkdtempSync(path.join(tmp, "laptop-"));
  return runDstack([...argv, "--remote", "--repo", REPO], cwd, {
    PATH: process.env.PATH,
    GITHUB_TOKEN: TOKEN,
    GITHUB_API_URL: rest.url,
  });
}

const tagArtifacts = (tag: string) =>
  service.artifacts().filter((a) => a.finalized && a.name === `dstack-tag--${tag}`);

describe("dstack tags --remote", () => {
  it("list --json: the trusted tags only, in the local command's shape", async () => {
    const r = await dstack(["tags", "list", "--json"]);
    expect(r.status).toBe(0);
    const tags = JSON.parse(r.stdout) as Record<string, unknown>[];
    // MADE BY: the workflow run that wrote each tag (its title) and who started it.
    const madeBy = { madeBy: "brave-bear-7", madeByActor: "alice" };
    expect(tags).toEqual([
      { tag: "best", runName: "brave-bear-7", createdAt: expect.any(String), ...madeBy },
      { tag: "prod", runName: "brave-bear-7", createdAt: expect.any(String), ...madeBy },
    ]);
    expect(r.stderr).toMatch(
      /warning: tag "prod": skipped 1 newer artifact named dstack-tag--prod/,
    );

    // The local command, in a repository with one tag: the same keys.
    const home = fs.mkdtempSync(path.join(tmp, "home-"));
    const repo = fs.mkdtempSync(path.join(tmp, "repo-"));
    fs.mkdirSync(path.join(repo, ".git"));
    fs.mkdirSync(path.join(repo, "data"));
    fs.writeFileSync(path.join(repo, "data/x.txt"), "x\n");
    const env = { PATH: process.env.PATH, DSTACK_HOME: home, HOME: home };
    expect((await runDstack(["tags", "add", "local", "-a", "data"], repo, env)).status).toBe(0);
    const local = JSON.parse((await runDstack(["tags", "list", "--json"], repo, env)).stdout);
    // The local keys, and MADE BY's (locally `madeBy` is there for a tag a job set).
    expect(Object.keys(tags[0] ?? {}).sort()).toEqual(
      [...Object.keys(local[0]), "madeBy", "madeByActor"].sort(),
    );
  });

  it("list: the local command's table", async () => {
    const r = await dstack(["tags", "list"]);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split("\n");
    expect(lines[0]).toMatch(/^TAG\s+RUN\s+MADE BY\s+CREATED$/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 4))).toEqual([
      ["best", "brave-bear-7", "brave-bear-7", "(@alice)"],
      ["prod", "brave-bear-7", "brave-bear-7", "(@alice)"],
    ]);
  });

  const refused = [
    {
      name: "a pull request's reserved tag",
      tag: "pr-12.best",
      stderr:
        /^dstack: tag "pr-12\.best": names starting with pr-<number>\. are the tags of pull requests' runs/,
    },
    {
      name: "an unknown tag",
      tag: "nope",
      stderr:
        /^dstack: no tag "nope" in octo\/models: no workflow run has an artifact named dstack-tag--nope\n$/,
    },
  ];
  it.each(refused)("delete of $name is refused, nothing deleted", async ({ tag, stderr }) => {
    const before = service.artifacts().length;
    const r = await dstack(["tags", "delete", tag]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(stderr);
    expect(service.artifacts()).toHaveLength(before);
  });

  it("delete with a token without actions: write names the permission", async () => {
    rest.github.inject(ARTIFACT_ROUTES.deleteArtifact, {
      answer: { status: 403, body: { message: "Resource not accessible by integration" } },
    });
    const r = await dstack(["tags", "delete", "best"]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('the token needs the "actions: write" permission on octo/models');
    expect(r.stderr).not.toContain(TOKEN);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(rest.github.pendingFaults(ARTIFACT_ROUTES.deleteArtifact)).toBe(0);
    expect(tagArtifacts("best")).toHaveLength(1);
  });

  it("delete removes every artifact of the tag, the fork's too; the tag is gone", async () => {
    expect(tagArtifacts("prod")).toHaveLength(2);
    const r = await dstack(["tags", "delete", "prod"]);
    expect(r).toMatchObject({ status: 0, stderr: "tag prod deleted\n" });
    expect(tagArtifacts("prod")).toHaveLength(0);
    const list = await dstack(["tags", "list", "--json"]);
    expect(JSON.parse(list.stdout).map((t: { tag: string }) => t.tag)).toEqual(["best"]);
    expect(rest.github.problems).toEqual([]);
  });
});

/** The runner workflow as shipped: its `workflow_dispatch` inputs and its jobs. */
const RUNNER = parse(
  fs.readFileSync(path.join(REPO_ROOT, ".github/workflows/dstack-run.yml"), "utf8"),
) as {
  on: { workflow_dispatch: { inputs: Record<string, DeclaredInput & { required?: boolean }> } };
  jobs: Record<
    string,
    { if?: string; needs?: string | string[]; steps?: { uses?: string; with?: object }[] }
  >;
};
const DECLARED = RUNNER.on.workflow_dispatch.inputs;

/** A `with:` value as the runner evaluates it: `${{ expr }}` against the `inputs` context. */
function evaluateWith(value: unknown, dispatched: Record<string, unknown>): string {
  const m = /^\$\{\{(.*)\}\}$/s.exec(String(value));
  if (!m) return String(value);
  const inputs = new data.Dictionary(
    ...Object.entries(DECLARED).map(([key, input]) => {
      const raw = dispatched[key] ?? input.default ?? "";
      return {
        key,
        value:
          input.type === "boolean"
            ? new data.BooleanData(String(raw) === "true")
            : new data.StringData(String(raw)),
      };
    }),
  );
  const tree = new Parser(new Lexer(m[1] ?? "").lex().tokens, ["inputs"], []).parse();
  return new Evaluator(tree, new data.Dictionary({ key: "inputs", value: inputs }))
    .evaluate()
    .coerceString();
}

/**
 * The Actions model serving the runner workflow's real inputs, with the default branch `main`;
 * each accepted dispatch runs what GitHub would (see the module comment), as bob.
 */
async function tagOnlyGitHub() {
  const endings: ModelEnding[] = [];
  let log = "";
  const model = createActionsModel({
    owner: "octo",
    repo: "models",
    inputs: Object.fromEntries(Object.entries(DECLARED).map(([k, v]) => [k, v.required === true])),
    endings,
    jobs: [{ name: "Tag", labels: ["ubuntu-latest"], logAt: () => log }],
  });
  const contents = createContentsModel({ owner: "octo", repo: "models", defaultBranch: "main" });
  const ran: { jobs: string[]; with?: Record<string, string> }[] = [];
  const dispatch = model.routes[ACTIONS_ROUTES.dispatch];
  const github: FakeGitHub = await startFakeGitHub(
    {
      ...contents.routes,
      ...model.routes,
      [ACTIONS_ROUTES.dispatch]: async (request, context) => {
        const reply = await (dispatch as NonNullable<typeof dispatch>)(request, context);
        const run = model.runs.at(-1);
        if (reply.status >= 300 || run === undefined) return reply;
        const jobs = Object.keys(RUNNER.jobs).filter((job) =>
          criticalPathJobs({
            jobs: RUNNER.jobs,
            job,
            inputs: DECLARED,
            dispatched: run.inputs,
          }).includes(job),
        );
        const step = RUNNER.jobs.tag?.steps?.find((st) => st.uses?.startsWith("dstack/artifacts@"));
        if (!jobs.includes("tag") || step?.with === undefined) {
          ran.push({ jobs });
          endings.push("failure");
          return reply;
        }
        const inputs = Object.fromEntries(
          Object.entries(step.with).map(([k, v]) => [k, evaluateWith(v, run.inputs)]),
        );
        ran.push({ jobs, with: inputs });
        const workspace = fs.mkdtempSync(path.join(tmp, "runner-"));
        const r = await runActionInProcess({
          actionDir: ARTIFACTS_ACTION,
          entrypoint: "src/step.ts",
          // The action's `${{ github.token }}` default, as the runner fills it in.
          inputs: { ...inputs, "github-token": "ghs_tag_job_token" },
          env: {
            ...service.envFor(rest.workflowRun(run.id, { title: run.displayTitle, actor: "bob" })),
            GITHUB_API_URL: rest.url,
            GITHUB_REPOSITORY: REPO,
            GITHUB_RUN_ID: String(run.id),
            GITHUB_WORKSPACE: workspace,
          },
        });
        endings.push(r.exitCode === 0 ? "success" : "failure");
        log = r.log
          .split("\n")
          .filter((line) => line !== "" && !line.startsWith("::debug::"))
          .map(
            (line) => `2026-01-01T00:00:11.0000000Z ${line.replace(/^::error::/, "##[error]")}\n`,
          )
          .join("");
        return reply;
      },
    },
    { conditional: model.conditional },
  );
  return { github, model, ran };
}

describe("dstack tags add TAG RUN --remote: the runner workflow's tag-only mode", () => {
  let gh: Awaited<ReturnType<typeof tagOnlyGitHub>>;
  beforeAll(async () => {
    gh = await tagOnlyGitHub();
  });
  afterAll(async () => {
    expect(gh.github.problems).toEqual([]);
    await gh.github.close();
  });

  /** `dstack ... --remote --repo octo/models` against the Actions model, on its clock. */
  function dispatching(argv: string[]) {
    const cwd = fs.mkdtempSync(path.join(tmp, "laptop-"));
    return runDstack(
      [...argv, "--remote", "--repo", REPO],
      cwd,
      { PATH: process.env.PATH, GITHUB_TOKEN: TOKEN, GITHUB_API_URL: gh.github.url },
      { sleep: gh.model.clock.sleep, now: gh.model.clock.now },
    );
  }

  it("moves the tag: only the tag job runs, the local command's line, then list and download see it", async () => {
    const before = gh.github.requests.length;
    const counted = gh.github.counted;
    const r = await dispatching(["tags", "add", "best", "calm-cat-2"]);

    expect(r.stderr).toMatch(/tagging best -> calm-cat-2 on GitHub: tag-[a-z]+-[a-z]+-\d+ https:/);
    expect(r.stderr).toMatch(/\ntag best moved from brave-bear-7 to calm-cat-2\n$/);
    expect(r.status).toBe(0);
    const run = gh.model.runs.at(-1);
    // A run name of its own (the title the follower matches), the tag-only inputs, no job.
    expect(run?.inputs).toEqual({
      tag: "best",
      "tag-run": "calm-cat-2",
      "run-name": expect.stringMatching(/^tag-[a-z]+-[a-z]+-\d+$/),
    });
    expect(gh.ran.at(-1)).toEqual({
      jobs: ["tag", "summary"],
      with: { mode: "tag", run: "calm-cat-2", tag: "best" },
    });
    const sent = gh.github.requests.slice(before).map((q) => `${q.method} ${q.route}`);
    expect(sent.filter((q) => q.startsWith("POST"))).toEqual([ACTIONS_ROUTES.dispatch]);
    // Against the rate limit: the default branch, the recent titles, the dispatch, the run's
    // changes (unchanged polls are 304s, which do not count), its jobs, artifacts and one log.
    expect(gh.github.counted - counted).toBeLessThanOrEqual(9);

    const list = JSON.parse((await dstack(["tags", "list", "--json"])).stdout);
    expect(list.find((t: { tag: string }) => t.tag === "best")).toEqual({
      tag: "best",
      runName: "calm-cat-2",
      createdAt: expect.any(String),
      madeBy: run?.displayTitle,
      madeByActor: "bob",
    });
    // The tag lives in the tag-only workflow run; the files in calm-cat-2's.
    const out = fs.mkdtempSync(path.join(tmp, "download-"));
    const d = await dstack(["artifacts", "download", ":best", "-o", out]);
    expect(d.status).toBe(0);
    expect(fs.readFileSync(path.join(out, "model/weights.bin"), "utf8")).toBe("calm");
  });

  const attacks = [
    {
      name: "a fork's pull request run",
      run: "evil-eel-1",
      error:
        /^dstack: tag prod was not set: no trusted run "evil-eel-1" in octo\/models: .*fork: its code comes from another repository/,
    },
    {
      name: "a pull-request command's run",
      run: "pr-eel-1",
      error:
        /^dstack: tag prod was not set: run "pr-eel-1" \(workflow run 3001\) ran pull request #12's code .*a shared tag never points at it/,
    },
    {
      name: "a run that does not exist",
      run: "nope-nope-1",
      error: /^dstack: tag prod was not set: no run "nope-nope-1" in octo\/models/,
    },
  ];
  it.each(attacks)(
    "pointing a tag at $name: the workflow run fails, the CLI says why, no tag",
    async (c) => {
      const before = tagArtifacts("prod").length;
      const r = await dispatching(["tags", "add", "prod", c.run]);
      expect(r.status).toBe(1);
      expect(r.stderr.split("\n").find((l) => l.startsWith("dstack:"))).toMatch(c.error);
      expect(r.stderr).toContain(
        `(https://github.com/octo/models/actions/runs/${gh.model.runs.at(-1)?.id})`,
      );
      expect(tagArtifacts("prod")).toHaveLength(before);
    },
  );

  const refused = [
    {
      name: "a pull request's reserved tag",
      argv: ["tags", "add", "pr-12.best", "calm-cat-2"],
      error:
        /^dstack: tag "pr-12\.best": names starting with pr-<number>\. are the tags of pull requests' runs/,
    },
    {
      name: "a run name that cannot be one",
      argv: ["tags", "add", "best", "../etc"],
      error: /^dstack: run "\.\.\/etc" is not a valid run name/,
    },
    {
      name: "-a (an upload)",
      argv: ["tags", "add", "best", "-a", "data"],
      error:
        /^dstack: tags add -a --remote: GitHub takes artifacts only from a running workflow run/,
    },
  ];
  it.each(refused)("refuses $name before dispatching anything", async ({ argv, error }) => {
    const runs = gh.model.runs.length;
    const r = await dispatching(argv);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(error);
    expect(gh.model.runs).toHaveLength(runs);
  });
});
