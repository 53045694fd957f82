/**
 * `mode: command` compares a pull request's run with its base run, in-process against the real
 * parts: the unmodified `@actions/artifact` client with Azurite and the results-service fake
 * (`startActionsStorage`), and one OpenAPI-validated fake GitHub serving the pull-request model
 * (the sticky comment), the Actions model (dispatch and follow) and the artifacts REST routes
 * over the results service. The dispatched run saves its metrics as mode run does for a pull
 * request (a run marker saying `untrusted`); the default branch's earlier runs are uploaded
 * before, each in a workflow run of its own with the facts GitHub would report.
 */
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { GitHubStore, type RunMarkerFields } from "@dstack/artifacts/github";
import {
  ACTIONS_ROUTES,
  type ActionsModel,
  type ActionsStorage,
  artifactRoutes,
  type BackendIds,
  createActionsModel,
  createContentsModel,
  createPullsModel,
  createSimulatedClock,
  type FakeGitHub,
  type FakeHandler,
  mermaidBlocks,
  openApiExample,
  type PullsModel,
  parseXyChart,
  type RunFacts,
  runActionInProcess,
  startActionsStorage,
  startFakeGitHub,
  type WorkflowRuns,
  workflowRunJson,
  workflowRuns,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

const ACTION_DIR = path.resolve(import.meta.dirname, "..");
const TOKEN = "ghs_commandbaseruntoken0123456789";
const OWNER = "Codertocat";
const REPO = "Hello-World";
const REPOSITORY = `${OWNER}/${REPO}`;
const HEAD = "c".repeat(40);
/** The examples' default branch: where commands dispatch the runner workflow. */
const MAIN = "master";
/** The repository's id as the Actions model's workflow runs report it (the OpenAPI example's). */
const REPO_ID = (openApiExample("workflow-run").repository as { id: number }).id;
const FORK_ID = REPO_ID + 1;

let storage: ActionsStorage;
/**
 * One fake GitHub for the file, answering with the current case's models: `@actions/github`
 * (inside the artifact client) fixes its API URL when first imported, as on a runner.
 */
let github: FakeGitHub;
let current: Record<string, FakeHandler> = {};
let tmp: string;
let workspace: string;
const saved = { ...process.env };

beforeAll(async () => {
  storage = await startActionsStorage({ repository: REPOSITORY });
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "run-python-command-base-"));
  workspace = path.join(tmp, "default-branch");
  fs.mkdirSync(path.join(workspace, ".dstack"), { recursive: true });
  fs.writeFileSync(path.join(workspace, "train.py"), "print('training')\n");
  fs.writeFileSync(
    path.join(workspace, ".dstack/workflows.yaml"),
    "workflows:\n  - name: train\n    provider: python\n    file: train.py\n    artifacts: [model, metrics]\n",
  );
  // The artifact client's service (ACTIONS_RESULTS_URL, GITHUB_SERVER_URL) for every step.
  Object.assign(process.env, storage.service.env);
  const keys = Object.keys(models().routes);
  github = await startFakeGitHub(
    Object.fromEntries(
      keys.map((k): [string, FakeHandler] => [
        k,
        (request, context) => (current[k] as FakeHandler)(request, context),
      ]),
    ),
    { conditional: models().actions.conditional },
  );
  process.env.GITHUB_API_URL = github.url;
}, 120_000);

afterAll(async () => {
  // Every request and answer of every case kept to GitHub's OpenAPI description.
  expect(github?.problems ?? []).toEqual([]);
  await github?.close();
  await storage?.close();
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
  for (const k of Object.keys(process.env)) if (!(k in saved)) delete process.env[k];
  Object.assign(process.env, saved);
});

interface Fake {
  actions: ActionsModel;
  pulls: PullsModel;
  /** The workflow runs whose artifacts the REST routes list (the model's dispatched one too). */
  runs: WorkflowRuns;
}

/** `values` of `val_loss` at steps 1, 2, 3 as JSON lines. */
function curve(values: number[]): string {
  return values.map((v, i) => `${JSON.stringify({ step: i + 1, val_loss: v })}\n`).join("");
}

/** Uploads `metrics/metrics.jsonl` of `runName` as a step of the workflow run `ids` would. */
async function saveMetrics(
  ids: BackendIds,
  runName: string,
  text: string,
  runMarker: RunMarkerFields,
): Promise<void> {
  const dir = fs.mkdtempSync(path.join(tmp, "metrics-"));
  fs.writeFileSync(path.join(dir, "metrics.jsonl"), text);
  const old = process.env.ACTIONS_RUNTIME_TOKEN;
  process.env.ACTIONS_RUNTIME_TOKEN = storage.service.envFor(ids).ACTIONS_RUNTIME_TOKEN;
  try {
    await new GitHubStore({
      token: TOKEN,
      repository: REPOSITORY,
      apiUrl: process.env.GITHUB_API_URL ?? "",
      runMarker,
    }).upload({ runName, localPath: dir, artifactPath: "metrics" });
  } finally {
    process.env.ACTIONS_RUNTIME_TOKEN = old;
  }
}

/** One earlier workflow run, its facts and the metrics its dstack run saved. */
interface Earlier {
  id: number;
  facts?: Partial<RunFacts>;
  runName: string;
  values: number[];
  marker: RunMarkerFields;
}

/**
 * The models of one case and their routes; the run the command dispatches saves `val_loss` 0.9,
 * 0.6, 0.3 as a pull request's run does.
 */
function models(): Fake & { routes: Record<string, FakeHandler> } {
  const runs = workflowRuns();
  const actions = createActionsModel({
    owner: OWNER,
    repo: REPO,
    inputs: {
      job: true,
      "run-name": true,
      tag: false,
      "timeout-minutes": false,
      sha: false,
      untrusted: false,
      "pull-request": false,
      "runs-on": false,
    },
    refs: [MAIN],
    queuedMs: 10_000,
    durationMs: 20_000,
    clock: createSimulatedClock(Date.now()),
    jobs: [{ name: "Run" }],
  });
  const pulls = createPullsModel({
    owner: OWNER,
    repo: REPO,
    roles: { maintainer: "write" },
    pulls: [{ number: 1, commits: [HEAD], labels: [] }],
  });
  const contents = createContentsModel({
    owner: OWNER,
    repo: REPO,
    id: REPO_ID,
    defaultBranch: MAIN,
  });
  const runJson = (id: number, f: RunFacts) => ({
    ...workflowRunJson({
      id,
      repository: REPOSITORY,
      repositoryId: REPO_ID,
      event: f.event,
      path: `.github/workflows/${f.workflowFile}`,
      headBranch: f.headBranch,
      ...(f.fork ? { headRepository: { fullName: `fork/${REPO}`, id: FORK_ID } } : {}),
    }),
    status: "completed",
    conclusion: f.conclusion,
  });
  const model = actions.routes;
  const finalized = () =>
    storage.service.artifacts().filter((a) => a.finalized && runs.ids.has(a.workflowRunBackendId));
  const routes: Record<string, FakeHandler> = { ...pulls.routes, ...contents.routes };
  for (const [key, handler] of Object.entries(model)) {
    routes[key] = (request, context) => {
      actions.clock.advance(5000);
      return handler(request, context);
    };
  }
  Object.assign(
    routes,
    artifactRoutes({
      artifacts: () =>
        finalized().map((a) => {
          const id = runs.ids.get(a.workflowRunBackendId) ?? 0;
          const fork = runs.facts.get(id)?.fork ?? false;
          return {
            id: a.id,
            name: a.name,
            sizeInBytes: a.size,
            createdAt: a.createdAt,
            expiresAt: a.expiresAt,
            digest: a.digest ?? null,
            run: {
              id,
              repositoryId: REPO_ID,
              headRepositoryId: fork ? FORK_ID : REPO_ID,
              headBranch: runs.facts.get(id)?.headBranch ?? MAIN,
              headSha: HEAD,
            },
          };
        }),
      downloadUrl: (rest) =>
        storage.service.downloadUrl(finalized().find((a) => a.id === rest.id) as never),
    }),
  );
  // The dispatched run saves its metrics as mode run does for pull request #1's code.
  routes[ACTIONS_ROUTES.dispatch] = async (request, context) => {
    actions.clock.advance(5000);
    const reply = await model[ACTIONS_ROUTES.dispatch]?.(request, context);
    const run = actions.runs.at(-1);
    if (run !== undefined && !runs.facts.has(run.id)) {
      const ids = runs.add(run.id, { headBranch: MAIN });
      await saveMetrics(ids, String(run.inputs["run-name"]), curve([0.9, 0.6, 0.3]), {
        workflow: "train",
        untrusted: true,
        pullRequest: 1,
      });
    }
    return reply as Awaited<ReturnType<FakeHandler>>;
  };
  // Listing with `status` (the base-run lookup) answers from the registry, as GitHub lists
  // every completed run; without it (following the dispatched run) the model answers.
  routes[ACTIONS_ROUTES.listWorkflowRuns] = (request, context) => {
    if (request.query.get("status") === null) {
      actions.clock.advance(5000);
      return (model[ACTIONS_ROUTES.listWorkflowRuns] as FakeHandler)(request, context);
    }
    const branch = request.query.get("branch");
    const status = request.query.get("status");
    const matching = [...runs.facts]
      .filter(([, f]) => f.workflowFile === request.params.workflow_id)
      .filter(([, f]) => branch === null || f.headBranch === branch)
      .filter(([, f]) => f.conclusion === status)
      .sort(([a], [b]) => b - a);
    const perPage = Number(request.query.get("per_page") ?? 30);
    const page = Number(request.query.get("page") ?? 1);
    return {
      status: 200,
      body: {
        total_count: matching.length,
        workflow_runs: matching
          .slice((page - 1) * perPage, page * perPage)
          .map(([id, f]) => runJson(id, f)),
      },
    };
  };
  return { actions, pulls, runs, routes };
}

/** The fake GitHub answers with new models, after the earlier runs are uploaded. */
async function fake(earlier: Earlier[]): Promise<Fake> {
  const m = models();
  current = m.routes;
  for (const e of earlier) {
    const ids = m.runs.add(e.id, { headBranch: MAIN, ...e.facts });
    await saveMetrics(ids, e.runName, curve(e.values), e.marker);
  }
  return m;
}

/** GitHub's `issue_comment.created` example, made `/dstack run train` on pull request #1. */
function commentEvent(): string {
  const definitions = createRequire(import.meta.url)("@octokit/webhooks-examples") as {
    name: string;
    examples: { action?: string }[];
  }[];
  const example = structuredClone(
    definitions
      .find((d) => d.name === "issue_comment")
      ?.examples.find((e) => e.action === "created"),
    // biome-ignore lint/suspicious/noExplicitAny: a webhook payload adapted field by field
  ) as Record<string, any>;
  example.issue.number = 1;
  example.issue.pull_request = {
    url: `https://api.github.com/repos/${REPOSITORY}/pulls/1`,
    html_url: `https://github.com/${REPOSITORY}/pull/1`,
    diff_url: `https://github.com/${REPOSITORY}/pull/1.diff`,
    patch_url: `https://github.com/${REPOSITORY}/pull/1.patch`,
  };
  example.comment.body = "/dstack run train";
  example.comment.user.login = "maintainer";
  const file = path.join(tmp, `event-${Math.random().toString(36).slice(2)}.json`);
  fs.writeFileSync(file, JSON.stringify(example));
  return file;
}

/** Runs `/dstack run train` on pull request #1 with `repoDir` as the default branch's checkout. */
async function command(f: Fake, repoDir = workspace): Promise<string> {
  const r = await runActionInProcess({
    actionDir: ACTION_DIR,
    entrypoint: "src/step.ts",
    inputs: {
      mode: "command",
      "github-token": TOKEN,
      "poll-interval-ms": "10",
      "write-spacing-ms": "0",
    },
    env: {
      GITHUB_WORKSPACE: repoDir,
      GITHUB_API_URL: github.url,
      GITHUB_REPOSITORY: REPOSITORY,
      GITHUB_REPOSITORY_ID: String(REPO_ID),
      GITHUB_RUN_ID: "777",
      GITHUB_EVENT_NAME: "issue_comment",
      GITHUB_EVENT_PATH: commentEvent(),
    },
  });
  expect(r.failed).toBeUndefined();
  expect(r.outputs.conclusion).toBe("success");
  expect(r.log).not.toContain(TOKEN);
  const sticky = f.pulls.comments.filter((c) => c.body.includes("<!-- dstack-run:"));
  expect(sticky).toHaveLength(1);
  return sticky[0]?.body ?? "";
}

const TRUSTED_TRAIN: Earlier = {
  id: 101,
  runName: "base-bee-1",
  values: [1.0, 0.8, 0.5],
  marker: { workflow: "train", untrusted: false },
};
/** Newer than the base: runs that must never be chosen. */
const DISTRACTORS: Earlier[] = [
  // Another workflow's trusted run.
  {
    id: 102,
    runName: "eval-elk-1",
    values: [0.2, 0.2, 0.2],
    marker: { workflow: "eval", untrusted: false },
  },
  // Another pull request's code, dispatched on the default branch by a command.
  {
    id: 103,
    runName: "pr-pug-1",
    values: [0.1, 0.1, 0.1],
    marker: { workflow: "train", untrusted: true, pullRequest: 2 },
  },
  // A fork's pull_request run of a copy of the runner workflow, its marker lying.
  {
    id: 104,
    facts: { event: "pull_request", fork: true },
    runName: "fork-fox-1",
    values: [0.01, 0.01, 0.01],
    marker: { workflow: "train", untrusted: false },
  },
];

describe("mode: command: the base run", { timeout: 90_000 }, () => {
  it("compares with the default branch's latest trusted run of the same workflow, past newer untrusted runs and other workflows", async () => {
    const f = await fake([TRUSTED_TRAIN, ...DISTRACTORS]);
    const body = await command(f);
    expect(body).toContain("| metric | base | this run | change |");
    expect(body).toContain("base-bee-1");
    expect(body).toContain(`/actions/runs/101`);
    for (const other of ["eval-elk-1", "pr-pug-1", "fork-fox-1"]) expect(body).not.toContain(other);
    expect(body).toContain("| `val_loss` ↓ | `0.5` | `0.3` | −0.2 (−40.0%) ✅ better |");
    // The chart of val_loss: this run's curve, then the base run's.
    const charts = await Promise.all(mermaidBlocks(body).map((b) => parseXyChart(b)));
    expect(charts.map((c) => c.lines)).toContainEqual([
      [0.9, 0.6, 0.3],
      [1.0, 0.8, 0.5],
    ]);
  });

  it("judges better and worse, and the best values, by the default branch's metrics: directions", async () => {
    // The same runs as above; the default branch's workflow says val_loss is higher-is-better.
    const maxFirst = path.join(tmp, "default-branch-max");
    fs.cpSync(workspace, maxFirst, { recursive: true });
    fs.appendFileSync(
      path.join(maxFirst, ".dstack/workflows.yaml"),
      "    metrics: { val_loss: max }\n",
    );
    const body = await command(await fake([TRUSTED_TRAIN]), maxFirst);
    expect(body).toContain("| `val_loss` ↑ | `0.5` | `0.3` | −0.2 (−40.0%) ❌ worse |");
    const charts = await Promise.all(mermaidBlocks(body).map((b) => parseXyChart(b)));
    expect(charts.map((c) => c.title)).toEqual([
      "val_loss: last 0.3 at step 3, best 0.9 at step 1",
    ]);
  });

  it.each([
    { name: "no earlier run at all", earlier: [] },
    { name: "only other workflows' runs, pull requests' code and forks", earlier: DISTRACTORS },
    {
      name: "a trusted run of train that failed",
      earlier: [{ ...TRUSTED_TRAIN, facts: { conclusion: "failure" } }],
    },
  ])("says No base run: $name", async ({ earlier }) => {
    const f = await fake(earlier);
    const body = await command(f);
    expect(body).toContain("No base run");
    expect(body).not.toContain("| metric | base | this run | change |");
    // This run's own metrics are still shown.
    expect(body).toContain("val_loss");
  });
});
