/**
 * Test helper: a small stateful model of GitHub Actions behind the OpenAPI-validated REST fake.
 * A `workflow_dispatch` creates a workflow run of the repository's runner workflow; the run goes
 * `queued` -> `in_progress` -> `completed` on a simulated clock; it has jobs (with logs behind a
 * `302`) and, once completed, artifacts; it can be cancelled. Every answer is built from GitHub's
 * own examples in `@octokit/openapi` and validated by the fake, so the model cannot drift from
 * the real shapes. Shared by the `@dstack/github` tests and the dispatch benchmark.
 *
 * Rules it follows, and where GitHub documents them:
 * - dispatch (docs.github.com/rest/actions/workflows#create-a-workflow-dispatch-event): `200`
 *   with `workflow_run_id`, `run_url`, `html_url` when `return_run_details` is true (else, or on
 *   a server without the feature, `204`); `404` for an unknown workflow; `422` for an unknown
 *   ref, an input the workflow does not declare or a required input left out; `403` for a token
 *   without `actions: write`;
 * - a workflow run's `display_title` is its `run-name` (docs.github.com/actions/reference/workflows-and-actions/workflow-syntax#run-name):
 *   here the value of the `run-name` input;
 * - a new run shows up in listings a few seconds after the dispatch (`listDelayMs`);
 * - cancel (docs.github.com/rest/actions/workflow-runs#cancel-a-workflow-run): `202`, the run
 *   completes as `cancelled` shortly after; `409` once it has completed;
 * - job logs (docs.github.com/rest/actions/workflow-jobs#download-job-logs-for-a-workflow-run):
 *   `302` to a signed URL on another origin;
 * - a run whose runner was lost (an `endings` entry `runner-lost`): the run and its jobs conclude
 *   `failure`, the run step is left `cancelled` (no step failed), and the job's check run
 *   (`GET /repos/{o}/{r}/check-runs/{job_id}/annotations`, docs.github.com/rest/checks/runs#list-check-run-annotations)
 *   carries GitHub's failure annotation "The self-hosted runner: NAME lost communication with the
 *   server. ..." (the text GitHub shows, as quoted in actions/runner issues 2040 and 2624); a
 *   failed script's job has a failed step and the annotation "Process completed with exit code 1.".
 *
 * Private to the workspaces; imported by tests and benchmarks only.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { data, Evaluator, Lexer, Parser } from "@actions/expressions";
import { artifactRoutes, type RestArtifact } from "./artifact-routes.js";
import {
  type FakeContext,
  type FakeGitHub,
  type FakeHandler,
  type FakeReply,
  type FakeRequest,
  openApiExample,
  startFakeGitHub,
} from "./github.js";

/** The conclusion of a completed workflow run or job, as GitHub names them. */
export type ModelConclusion =
  | "success"
  | "failure"
  | "cancelled"
  | "skipped"
  | "timed_out"
  | "neutral"
  | "action_required";

/**
 * How a run of the model ends when nobody cancels it: a conclusion, or `runner-lost` (the runner
 * vanished mid-run: conclusion `failure`, with GitHub's lost-communication annotation).
 */
export type ModelEnding = ModelConclusion | "runner-lost";

/** The message GitHub's check run carries when a self-hosted runner vanished mid-job. */
export function lostRunnerMessage(runnerName: string): string {
  return `The self-hosted runner: ${runnerName} lost communication with the server. Verify the machine is running and has a healthy network connection. Anything in your workflow that terminates the runner process, starves it for CPU/Memory, or blocks its network access can cause this error.`;
}

/** A job of every workflow run of the model. */
export interface ModelJob {
  /** The job's name, e.g. `run`. */
  name: string;
  /** Its `runs-on` labels. Default `["self-hosted", "dstack"]`. */
  labels?: string[];
  /** Its log text, served through a `302` to a blob URL. Default a few lines. */
  log?: string;
  /**
   * Its log as it grows: the text written `ms` milliseconds after the run started (clamped to
   * the run's duration once it has completed). Takes precedence over {@link ModelJob.log}.
   */
  logAt?: (ms: number) => string;
}

/** An artifact every completed workflow run of the model holds. */
export interface ModelArtifact {
  /**
   * The artifact name, e.g. `dstack--sharp-shrimp-1--model`; `{run-name}` in it stands for the
   * run's `display_title` (`dstack--{run-name}--model`: each run's own artifact).
   */
  name: string;
  /** Its size in bytes. Default 1024. */
  sizeInBytes?: number;
}

/** Options of {@link createActionsModel}; every field has a default. */
export interface ActionsModelOptions {
  /** The repository owner. Default `octo-org`. */
  owner?: string;
  /** The repository name. Default `octo-repo`. */
  repo?: string;
  /** The runner workflow's file name under `.github/workflows/`. Default `dstack-run.yml`. */
  workflowFile?: string;
  /** The runner workflow's numeric id (also accepted as `workflow_id`). Default 161335. */
  workflowId?: number;
  /** The workflow's `name:`. Default `dstack run`. */
  workflowName?: string;
  /** Refs (branches or tags) on which the workflow file exists. Default `["main"]`. */
  refs?: string[];
  /**
   * The workflow's `workflow_dispatch` inputs: name -> required. Default
   * `{ job: true, "run-name": true, tag: false, "runs-on": false }`.
   */
  inputs?: Record<string, boolean>;
  /** The input whose value becomes `display_title` (`run-name: ${{ inputs.run-name }}`). Default `run-name`. */
  runNameInput?: string;
  /**
   * Whether dispatches honour `return_run_details` with a `200` and the run's id. Default true;
   * false models GitHub Enterprise Server without the feature (always `204`).
   */
  returnRunDetails?: boolean;
  /** Whether the token may dispatch and cancel (`actions: write`). Default true; false: `403`. */
  canWrite?: boolean;
  /** Milliseconds after creation before a run shows in `GET .../workflows/{id}/runs`. Default 3000. */
  listDelayMs?: number;
  /** Milliseconds a run stays `queued`. Default 10 000. */
  queuedMs?: number;
  /** Milliseconds a run stays `in_progress`. Default 60 000. */
  durationMs?: number;
  /** Milliseconds from a cancel request until the run completes as `cancelled`. Default 2000. */
  cancelDelayMs?: number;
  /** The conclusion of every run that is not cancelled. Default `success`. */
  conclusion?: ModelConclusion;
  /**
   * Whether a run obeys `POST .../cancel`. Default true; false models a run whose job ignores
   * the cancel (it completes as `cancelled` only `cancelDelayMs` after a `force-cancel`).
   */
  obeysCancel?: boolean;
  /**
   * Whether a job's log is served while the run is in progress. Default true; false models
   * plans where the job-log endpoint answers `404` until the job has completed.
   */
  liveLogs?: boolean;
  /**
   * The endings of the runs in dispatch order (the first dispatched run takes `endings[0]`);
   * runs beyond the list end with `conclusion`. Default none.
   */
  endings?: ModelEnding[];
  /** The jobs of every run. Default one job `run`. */
  jobs?: ModelJob[];
  /** The artifacts of every completed run. Default none. */
  artifacts?: ModelArtifact[];
  /** The simulated clock (default a new {@link createSimulatedClock}). */
  clock?: SimulatedClock;
}

/** A clock that moves only when told to: no test or benchmark ever waits for real. */
export interface SimulatedClock {
  /** The simulated time, epoch milliseconds. */
  now(): number;
  /** Moves the clock forward by `ms` milliseconds. */
  advance(ms: number): void;
  /** A `sleep` for code under test: moves the clock forward by `ms` and resolves at once. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

/** The default start of a {@link SimulatedClock}: 2026-01-01T00:00:00Z. */
export const SIMULATED_EPOCH = Date.UTC(2026, 0, 1);

/** A {@link SimulatedClock} starting at `start` (epoch ms, default {@link SIMULATED_EPOCH}). */
export function createSimulatedClock(start = SIMULATED_EPOCH): SimulatedClock {
  let t = start;
  return {
    now: () => t,
    advance(ms) {
      t += Math.max(0, ms);
    },
    async sleep(ms, signal) {
      if (!signal?.aborted) {
        t += Math.max(0, ms);
      }
    },
  };
}

/** A workflow run of the model, as dispatched. */
export interface ModelRun {
  /** The workflow run id. */
  id: number;
  /** Its `run_number`. */
  runNumber: number;
  /** Its `display_title` (the run name input, or the workflow name). */
  displayTitle: string;
  /** The ref it was dispatched on. */
  ref: string;
  /** The inputs it was dispatched with. */
  inputs: Record<string, unknown>;
  /** When it was created, simulated epoch ms. */
  createdAt: number;
  /** When a cancel was requested, simulated epoch ms. */
  cancelRequestedAt?: number;
  /** When a force-cancel was requested, simulated epoch ms. */
  forceCancelRequestedAt?: number;
}

/** A run's state at one moment. */
export interface ModelRunState {
  status: "queued" | "in_progress" | "completed";
  conclusion: ModelConclusion | null;
  /** When the state last changed, epoch ms. */
  updatedAt: number;
  /** `true` when the run ended because its runner was lost (conclusion `failure`). */
  runnerLost?: boolean;
}

/** The model: its state, its routes for {@link startFakeGitHub}, and its clock. */
export interface ActionsModel {
  /** The options in effect, defaults filled in. */
  readonly options: Required<Omit<ActionsModelOptions, "clock">>;
  /** The simulated clock every state is read at. */
  readonly clock: SimulatedClock;
  /** Every workflow run created, oldest first. */
  readonly runs: readonly ModelRun[];
  /** The state of a run now. */
  stateOf(run: ModelRun): ModelRunState;
  /** Handlers for {@link startFakeGitHub}. */
  readonly routes: Record<string, FakeHandler>;
  /** Route keys answered with ETags (every `GET`), for {@link FakeGitHubOptions.conditional}. */
  readonly conditional: string[];
}

/** Route keys the model serves. */
export const ACTIONS_ROUTES = {
  dispatch: "POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches",
  listWorkflowRuns: "GET /repos/{owner}/{repo}/actions/workflows/{workflow_id}/runs",
  getRun: "GET /repos/{owner}/{repo}/actions/runs/{run_id}",
  cancelRun: "POST /repos/{owner}/{repo}/actions/runs/{run_id}/cancel",
  forceCancelRun: "POST /repos/{owner}/{repo}/actions/runs/{run_id}/force-cancel",
  listJobs: "GET /repos/{owner}/{repo}/actions/runs/{run_id}/jobs",
  listArtifacts: "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts",
  jobLogs: "GET /repos/{owner}/{repo}/actions/jobs/{job_id}/logs",
  annotations: "GET /repos/{owner}/{repo}/check-runs/{check_run_id}/annotations",
} as const;

const HEAD_SHA = "5d2b7c1e0f9a8b7c6d5e4f3a2b1c0d9e8f7a6b5c";
const FIRST_RUN_ID = 7_000_000_001;
const DAY_MS = 86_400_000;

function iso(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}

function error(status: number, message: string, docs: string): FakeReply {
  return {
    status,
    body: {
      message,
      documentation_url: `https://docs.github.com/rest/${docs}`,
      status: `${status}`,
    },
  };
}

/**
 * Parses the `created` filter of a listing: `>=DATE`, `>DATE`, `<=DATE`, `<DATE`, `A..B` or a
 * date (that day); returns a predicate on epoch ms. GitHub's syntax: "Understanding the search
 * syntax" (docs.github.com/search-github/getting-started-with-searching-on-github/understanding-the-search-syntax#query-for-dates).
 */
function createdFilter(raw: string | null): (ms: number) => boolean {
  if (raw === null || raw === "") {
    return () => true;
  }
  const range = /^(.+)\.\.(.+)$/.exec(raw);
  if (range) {
    const [a, b] = [Date.parse(range[1] ?? ""), Date.parse(range[2] ?? "")];
    return (ms) => ms >= a && ms <= b;
  }
  const m = /^(>=|<=|>|<)?(.+)$/.exec(raw);
  const at = Date.parse(m?.[2] ?? "");
  switch (m?.[1]) {
    case ">=":
      return (ms) => ms >= at;
    case ">":
      return (ms) => ms > at;
    case "<=":
      return (ms) => ms <= at;
    case "<":
      return (ms) => ms < at;
    default:
      return (ms) => ms >= at && ms < at + DAY_MS;
  }
}

/** Creates an Actions model; serve it with {@link startFakeActions} or `startFakeGitHub(model.routes, model)`. */
export function createActionsModel(options: ActionsModelOptions = {}): ActionsModel {
  const o: ActionsModel["options"] = {
    owner: options.owner ?? "octo-org",
    repo: options.repo ?? "octo-repo",
    workflowFile: options.workflowFile ?? "dstack-run.yml",
    workflowId: options.workflowId ?? 161_335,
    workflowName: options.workflowName ?? "dstack run",
    refs: options.refs ?? ["main"],
    inputs: options.inputs ?? { job: true, "run-name": true, tag: false, "runs-on": false },
    runNameInput: options.runNameInput ?? "run-name",
    returnRunDetails: options.returnRunDetails ?? true,
    canWrite: options.canWrite ?? true,
    listDelayMs: options.listDelayMs ?? 3000,
    queuedMs: options.queuedMs ?? 10_000,
    durationMs: options.durationMs ?? 60_000,
    cancelDelayMs: options.cancelDelayMs ?? 2000,
    conclusion: options.conclusion ?? "success",
    obeysCancel: options.obeysCancel ?? true,
    liveLogs: options.liveLogs ?? true,
    endings: options.endings ?? [],
    jobs: options.jobs ?? [{ name: "run" }],
    artifacts: options.artifacts ?? [],
  };
  const clock = options.clock ?? createSimulatedClock();
  const runs: ModelRun[] = [];
  const full = `${o.owner}/${o.repo}`;
  const api = `https://api.github.com/repos/${full}`;
  const web = `https://github.com/${full}`;

  const stateOf = (run: ModelRun): ModelRunState => {
    const t = clock.now();
    const started = run.createdAt + o.queuedMs;
    const ended = started + o.durationMs;
    const asked = o.obeysCancel ? run.cancelRequestedAt : run.forceCancelRequestedAt;
    const cancelled = asked === undefined ? undefined : asked + o.cancelDelayMs;
    if (cancelled !== undefined && t >= cancelled && cancelled < ended) {
      return { status: "completed", conclusion: "cancelled", updatedAt: cancelled };
    }
    if (t < started) {
      return { status: "queued", conclusion: null, updatedAt: run.createdAt };
    }
    if (t < ended) {
      return { status: "in_progress", conclusion: null, updatedAt: started };
    }
    const ending = o.endings[run.id - FIRST_RUN_ID] ?? o.conclusion;
    return ending === "runner-lost"
      ? { status: "completed", conclusion: "failure", updatedAt: ended, runnerLost: true }
      : { status: "completed", conclusion: ending, updatedAt: ended };
  };

  /** The steps a job shows: set up, the run step (as the run ended), complete. */
  const stepsOf = (state: ModelRunState, started: number): Record<string, unknown>[] => {
    if (state.status === "queued") return [];
    const at = iso(started);
    const end = state.status === "completed" ? iso(state.updatedAt) : null;
    const step = (number: number, name: string, status: string, conclusion: string | null) => ({
      name,
      status,
      conclusion,
      number,
      started_at: at,
      completed_at: status === "completed" ? (end ?? at) : null,
    });
    if (state.status === "in_progress") {
      return [
        step(1, "Set up job", "completed", "success"),
        step(2, "Run dstack/run-python@v1", "in_progress", null),
      ];
    }
    if (state.runnerLost) {
      return [
        step(1, "Set up job", "completed", "success"),
        step(2, "Run dstack/run-python@v1", "completed", "cancelled"),
      ];
    }
    return [
      step(1, "Set up job", "completed", "success"),
      step(2, "Run dstack/run-python@v1", "completed", state.conclusion),
      step(3, "Complete job", "completed", "success"),
    ];
  };

  const findRun = (raw: string | undefined): ModelRun | undefined =>
    runs.find((r) => String(r.id) === raw);
  const ownRepo = (r: FakeRequest): boolean =>
    r.params.owner === o.owner && r.params.repo === o.repo;
  const ownWorkflow = (r: FakeRequest): boolean =>
    ownRepo(r) &&
    (r.params.workflow_id === o.workflowFile || r.params.workflow_id === String(o.workflowId));
  const notFound = (docs: string): FakeReply => error(404, "Not Found", docs);

  const runJson = (run: ModelRun): Record<string, unknown> => {
    const state = stateOf(run);
    const body = openApiExample("workflow-run");
    const repository = { ...(body.repository as object), name: o.repo, full_name: full };
    return {
      ...body,
      id: run.id,
      node_id: Buffer.from(`WorkflowRun${run.id}`).toString("base64"),
      name: o.workflowName,
      head_branch: run.ref,
      head_sha: HEAD_SHA,
      path: `.github/workflows/${o.workflowFile}`,
      run_number: run.runNumber,
      run_attempt: 1,
      referenced_workflows: [],
      event: "workflow_dispatch",
      display_title: run.displayTitle,
      status: state.status,
      conclusion: state.conclusion,
      workflow_id: o.workflowId,
      url: `${api}/actions/runs/${run.id}`,
      html_url: `${web}/actions/runs/${run.id}`,
      pull_requests: [],
      created_at: iso(run.createdAt),
      updated_at: iso(state.updatedAt),
      run_started_at: iso(run.createdAt),
      jobs_url: `${api}/actions/runs/${run.id}/jobs`,
      logs_url: `${api}/actions/runs/${run.id}/logs`,
      artifacts_url: `${api}/actions/runs/${run.id}/artifacts`,
      cancel_url: `${api}/actions/runs/${run.id}/cancel`,
      rerun_url: `${api}/actions/runs/${run.id}/rerun`,
      previous_attempt_url: null,
      workflow_url: `${api}/actions/workflows/${o.workflowId}`,
      repository,
      head_repository: repository,
    };
  };

  const jobsOf = (run: ModelRun): { job: ModelJob; json: Record<string, unknown> }[] =>
    o.jobs.map((job, i) => {
      const state = stateOf(run);
      const id = run.id * 100 + i + 1;
      const started = state.status !== "queued";
      return {
        job,
        json: {
          ...openApiExample("job"),
          id,
          node_id: Buffer.from(`Job${id}`).toString("base64"),
          run_id: run.id,
          run_url: `${api}/actions/runs/${run.id}`,
          head_sha: HEAD_SHA,
          url: `${api}/actions/jobs/${id}`,
          html_url: `${web}/actions/runs/${run.id}/job/${id}`,
          status: state.status,
          conclusion: state.conclusion,
          created_at: iso(run.createdAt),
          started_at: iso(started ? run.createdAt + o.queuedMs : run.createdAt),
          completed_at: state.status === "completed" ? iso(state.updatedAt) : null,
          name: job.name,
          steps: stepsOf(state, run.createdAt + o.queuedMs),
          check_run_url: `${api}/check-runs/${id}`,
          labels: job.labels ?? ["self-hosted", "dstack"],
          runner_id: started ? 1 : null,
          runner_name: started ? "gpu-box" : null,
          runner_group_id: started ? 1 : null,
          runner_group_name: started ? "Default" : null,
          workflow_name: o.workflowName,
          head_branch: run.ref,
        },
      };
    });

  const artifactsOf = (run: ModelRun): RestArtifact[] => {
    const state = stateOf(run);
    if (state.status !== "completed") {
      return [];
    }
    return o.artifacts.map((a, i) => ({
      id: run.id * 100 + 50 + i,
      name: a.name.replaceAll("{run-name}", run.displayTitle),
      sizeInBytes: a.sizeInBytes ?? 1024,
      // Listed newest first: the first declared is the last uploaded, a millisecond apart.
      createdAt: iso(state.updatedAt - i),
      expiresAt: iso(state.updatedAt - i + 90 * DAY_MS),
      digest: `sha256:${createHash("sha256").update(`${run.id}/${a.name}`).digest("hex")}`,
      run: {
        id: run.id,
        repositoryId: 1296269,
        headRepositoryId: 1296269,
        headBranch: run.ref,
        headSha: HEAD_SHA,
      },
    }));
  };

  const page = <T>(r: FakeRequest, items: T[]): T[] => {
    const perPage = Math.min(100, Number(r.query.get("per_page") ?? 30) || 30);
    const n = Math.max(1, Number(r.query.get("page") ?? 1) || 1);
    return items.slice((n - 1) * perPage, n * perPage);
  };

  const routes: Record<string, FakeHandler> = {
    [ACTIONS_ROUTES.dispatch]: (r) => {
      const docs = "actions/workflows#create-a-workflow-dispatch-event";
      if (!ownWorkflow(r)) {
        return notFound(docs);
      }
      if (!o.canWrite) {
        return error(403, "Resource not accessible by integration", docs);
      }
      const body = r.body as { ref: string; inputs?: Record<string, unknown> };
      if (!o.refs.includes(body.ref)) {
        return error(422, `No ref found for: ${body.ref}`, docs);
      }
      const inputs = body.inputs ?? {};
      const unexpected = Object.keys(inputs).filter((k) => !(k in o.inputs));
      if (unexpected.length > 0) {
        return error(422, `Unexpected inputs provided: ${JSON.stringify(unexpected)}`, docs);
      }
      const missing = Object.keys(o.inputs).find((k) => o.inputs[k] && !(k in inputs));
      if (missing !== undefined) {
        return error(422, `Required input '${missing}' not provided`, docs);
      }
      const title = inputs[o.runNameInput];
      const run: ModelRun = {
        id: FIRST_RUN_ID + runs.length,
        runNumber: runs.length + 1,
        displayTitle: typeof title === "string" && title !== "" ? title : o.workflowName,
        ref: body.ref,
        inputs,
        createdAt: clock.now(),
      };
      runs.push(run);
      const details = (r.body as { return_run_details?: unknown }).return_run_details === true;
      if (!o.returnRunDetails || !details) {
        return { status: 204 };
      }
      return {
        status: 200,
        body: {
          workflow_run_id: run.id,
          run_url: `${api}/actions/runs/${run.id}`,
          html_url: `${web}/actions/runs/${run.id}`,
        },
      };
    },
    [ACTIONS_ROUTES.listWorkflowRuns]: (r) => {
      if (!ownWorkflow(r)) {
        return notFound("actions/workflow-runs#list-workflow-runs-for-a-workflow");
      }
      const created = createdFilter(r.query.get("created"));
      const event = r.query.get("event");
      // Every run of the model is a workflow_dispatch run.
      const visible = runs
        .filter((run) => clock.now() >= run.createdAt + o.listDelayMs)
        .filter((run) => created(run.createdAt))
        .filter(() => event === null || event === "workflow_dispatch")
        .reverse();
      return {
        status: 200,
        body: { total_count: visible.length, workflow_runs: page(r, visible).map(runJson) },
      };
    },
    [ACTIONS_ROUTES.getRun]: (r) => {
      const run = ownRepo(r) ? findRun(r.params.run_id) : undefined;
      return run
        ? { status: 200, body: runJson(run) }
        : notFound("actions/workflow-runs#get-a-workflow-run");
    },
    [ACTIONS_ROUTES.cancelRun]: (r) => {
      const docs = "actions/workflow-runs#cancel-a-workflow-run";
      const run = ownRepo(r) ? findRun(r.params.run_id) : undefined;
      if (!run) {
        return notFound(docs);
      }
      if (!o.canWrite) {
        return error(403, "Resource not accessible by integration", docs);
      }
      if (stateOf(run).status === "completed") {
        return error(409, "Cannot cancel a workflow run that is completed.", docs);
      }
      run.cancelRequestedAt ??= clock.now();
      return { status: 202, body: {} };
    },
    [ACTIONS_ROUTES.forceCancelRun]: (r) => {
      const docs = "actions/workflow-runs#force-cancel-a-workflow-run";
      const run = ownRepo(r) ? findRun(r.params.run_id) : undefined;
      if (!run) {
        return notFound(docs);
      }
      if (!o.canWrite) {
        return error(403, "Resource not accessible by integration", docs);
      }
      if (stateOf(run).status === "completed") {
        return error(409, "Cannot cancel a workflow run that is completed.", docs);
      }
      run.forceCancelRequestedAt ??= clock.now();
      return { status: 202, body: {} };
    },
    [ACTIONS_ROUTES.listJobs]: (r) => {
      const run = ownRepo(r) ? findRun(r.params.run_id) : undefined;
      if (!run) {
        return notFound("actions/workflow-jobs#list-jobs-for-a-workflow-run");
      }
      const jobs = jobsOf(run).map((j) => j.json);
      return { status: 200, body: { total_count: jobs.length, jobs: page(r, jobs) } };
    },
    ...artifactRoutes({
      now: () => clock.now(),
      guard: (r) =>
        ownRepo(r) ? undefined : notFound("actions/artifacts#list-workflow-run-artifacts"),
      runExists: (id) => findRun(String(id)) !== undefined,
      artifacts: () => runs.flatMap(artifactsOf),
    }),
    [ACTIONS_ROUTES.jobLogs]: (r, context: FakeContext) => {
      const found = ownRepo(r)
        ? runs
            .flatMap((run) => jobsOf(run).map((j) => ({ ...j, run })))
            .find(({ json }) => String(json.id) === r.params.job_id)
        : undefined;
      if (!found) {
        return notFound("actions/workflow-jobs#download-job-logs-for-a-workflow-run");
      }
      const state = stateOf(found.run);
      if (!o.liveLogs && state.status !== "completed") {
        return notFound("actions/workflow-jobs#download-job-logs-for-a-workflow-run");
      }
      const started = found.run.createdAt + o.queuedMs;
      const at = (state.status === "completed" ? state.updatedAt : clock.now()) - started;
      const log =
        found.job.logAt?.(Math.max(0, at)) ??
        found.job.log ??
        `2026-01-01T00:00:00.0000000Z ##[group]Run dstack\n2026-01-01T00:00:01.0000000Z job ${found.job.name} done\n`;
      return { status: 302, headers: { location: context.blob(log) } };
    },
    [ACTIONS_ROUTES.annotations]: (r) => {
      const found = ownRepo(r)
        ? runs
            .flatMap((run) => jobsOf(run).map((j) => ({ run, json: j.json })))
            .find(({ json }) => String(json.id) === r.params.check_run_id)
        : undefined;
      if (!found) {
        return notFound("checks/runs#list-check-run-annotations");
      }
      const state = stateOf(found.run);
      const annotation = (message: string) => ({
        path: ".github",
        start_line: 1,
        end_line: 1,
        start_column: null,
        end_column: null,
        annotation_level: "failure",
        title: "",
        message,
        raw_details: "",
        blob_href: `${web}/blob/${HEAD_SHA}/.github`,
      });
      const body =
        state.status !== "completed"
          ? []
          : state.runnerLost
            ? [annotation(lostRunnerMessage(String(found.json.runner_name)))]
            : state.conclusion === "failure"
              ? [annotation("Process completed with exit code 1.")]
              : [];
      return { status: 200, body };
    },
  };

  return {
    options: o,
    clock,
    runs,
    stateOf,
    routes,
    conditional: Object.keys(routes).filter((key) => key.startsWith("GET ")),
  };
}

/** Options of {@link workflowRunJson}: what tells one workflow run from another. */
export interface WorkflowRunJsonOptions {
  /** The workflow run id. */
  id: number;
  /** The repository the run belongs to, `owner/name`. */
  repository: string;
  /** That repository's numeric id. */
  repositoryId: number;
  /** The event that started it (`push`, `pull_request`, `workflow_dispatch`, ...). */
  event: string;
  /** The workflow file, e.g. `.github/workflows/ci.yml` (GitHub may append `@<ref>`). */
  path: string;
  /** The branch it ran on (for a pull request: the head branch). */
  headBranch: string;
  /**
   * The repository the run's code came from, when not {@link WorkflowRunJsonOptions.repository}:
   * a fork's `owner/name` and numeric id (a `pull_request` run from a fork).
   */
  headRepository?: { fullName: string; id: number };
  /** When it was created, epoch ms. Default {@link SIMULATED_EPOCH}. */
  createdAt?: number;
  /** Its `display_title`. Default the OpenAPI example's. */
  displayTitle?: string;
  /** The login of its `triggering_actor`. Default the OpenAPI example's (`octocat`). */
  triggeringActor?: string;
}

/**
 * A `GET /repos/{o}/{r}/actions/runs/{run_id}` answer for a run with these facts, built from the
 * OpenAPI description's `workflow-run` example (so it keeps the real shape); `head_repository`
 * is the fork's when {@link WorkflowRunJsonOptions.headRepository} is given. The facts are the
 * ones GitHub documents on the workflow run object: `event`, `path`, `head_branch`,
 * `head_repository` (docs.github.com/rest/actions/workflow-runs#get-a-workflow-run).
 */
export function workflowRunJson(options: WorkflowRunJsonOptions): Record<string, unknown> {
  const body = openApiExample("workflow-run");
  const api = `https://api.github.com/repos/${options.repository}`;
  const [owner = "", name = ""] = options.repository.split("/");
  const example = body.repository as Record<string, unknown>;
  const repoJson = (fullName: string, id: number) => {
    const [o = "", n = ""] = fullName.split("/");
    return {
      ...example,
      id,
      name: n,
      full_name: fullName,
      owner: { ...(example.owner as object), login: o },
    };
  };
  const repository = repoJson(`${owner}/${name}`, options.repositoryId);
  const head = options.headRepository
    ? repoJson(options.headRepository.fullName, options.headRepository.id)
    : repository;
  const created = iso(options.createdAt ?? SIMULATED_EPOCH);
  return {
    ...body,
    id: options.id,
    node_id: Buffer.from(`WorkflowRun${options.id}`).toString("base64"),
    head_branch: options.headBranch,
    path: options.path,
    event: options.event,
    pull_requests: [],
    created_at: created,
    updated_at: created,
    run_started_at: created,
    url: `${api}/actions/runs/${options.id}`,
    html_url: `https://github.com/${options.repository}/actions/runs/${options.id}`,
    jobs_url: `${api}/actions/runs/${options.id}/jobs`,
    logs_url: `${api}/actions/runs/${options.id}/logs`,
    artifacts_url: `${api}/actions/runs/${options.id}/artifacts`,
    cancel_url: `${api}/actions/runs/${options.id}/cancel`,
    rerun_url: `${api}/actions/runs/${options.id}/rerun`,
    repository,
    head_repository: head,
    ...(options.displayTitle !== undefined ? { display_title: options.displayTitle } : {}),
    ...(options.triggeringActor !== undefined
      ? {
          triggering_actor: {
            ...(body.triggering_actor as object),
            login: options.triggeringActor,
          },
        }
      : {}),
  };
}

/** A running fake GitHub serving an {@link ActionsModel}. */
export interface FakeActions {
  /** The fake REST API (its `url`, `requests`, `counted`, `inject`, ...). */
  github: FakeGitHub;
  /** The model behind it. */
  model: ActionsModel;
}

/** Starts a fake GitHub that serves a new {@link ActionsModel}; close it with `github.close()`. */
export async function startFakeActions(options: ActionsModelOptions = {}): Promise<FakeActions> {
  const model = createActionsModel(options);
  const github = await startFakeGitHub(model.routes, { conditional: model.conditional });
  return { github, model };
}

/** A job of a workflow file, as far as the order of jobs goes: its `needs` and `if`. */
export interface WorkflowJobOrder {
  /** The jobs it waits for. */
  needs?: string | string[];
  /** Its condition, with or without `${{ }}`; absent: `success()`. */
  if?: string;
}

/** A `workflow_dispatch` input as a workflow file declares it. */
export interface DeclaredInput {
  /** `string`, `boolean`, `number`, `choice` or `environment`. */
  type?: string;
  /** Its default, used when the dispatch does not send it. */
  default?: unknown;
}

/**
 * The jobs that must finish (or be started) before `job`'s first line in a run dispatched with
 * `dispatched` inputs, `job` included: `job` and every job it needs, directly or through others,
 * whose `if:` holds. Each `if:` is evaluated with GitHub's expression engine
 * (`@actions/expressions`) against the `inputs` context (declared inputs, typed, defaults where
 * not sent) and the `needs` context (a needed job counts as `success` when it runs and `skipped`
 * when its `if:` is false; status functions: `success()` is true when every needed job
 * succeeded, `always()` true, `cancelled()` and `failure()` false). A skipped job costs no runner,
 * queue or boot time, so it is not counted.
 *
 * @throws Error naming a job that `needs` a job the workflow does not have.
 */
export function criticalPathJobs(options: {
  jobs: Record<string, WorkflowJobOrder>;
  job: string;
  inputs: Record<string, DeclaredInput>;
  dispatched: Record<string, unknown>;
}): string[] {
  const inputPairs = Object.entries(options.inputs).map(([name, input]) => {
    const raw = options.dispatched[name] ?? input.default ?? "";
    const value =
      input.type === "boolean"
        ? new data.BooleanData(String(raw) === "true")
        : input.type === "number"
          ? new data.NumberData(Number(raw))
          : new data.StringData(String(raw));
    return { key: name, value };
  });
  const needsOf = (name: string): string[] => {
    const job = options.jobs[name];
    if (job === undefined) throw new Error(`the workflow has no job ${name}`);
    return job.needs === undefined ? [] : Array.isArray(job.needs) ? job.needs : [job.needs];
  };
  const ran = new Map<string, boolean>();
  const runs = (name: string): boolean => {
    const known = ran.get(name);
    if (known !== undefined) return known;
    const needs = needsOf(name);
    const results = needs.map((n) => ({ key: n, ok: runs(n) }));
    const needsContext = new data.Dictionary(
      ...results.map((r) => ({
        key: r.key,
        value: new data.Dictionary(
          { key: "result", value: new data.StringData(r.ok ? "success" : "skipped") },
          { key: "outputs", value: new data.Dictionary() },
        ),
      })),
    );
    const text = (options.jobs[name]?.if ?? "success()")
      .trim()
      .replace(/^\$\{\{(.*)\}\}$/s, "$1")
      .replace(/\bsuccess\(\)/g, String(results.every((r) => r.ok)))
      .replace(/\balways\(\)/g, "true")
      .replace(/\b(cancelled|failure)\(\)/g, "false");
    // Truthiness as GitHub decides it: `(cond) && 'yes' || 'no'`.
    const wrapped = `(${text}) && 'yes' || 'no'`;
    const parsed = new Parser(new Lexer(wrapped).lex().tokens, ["inputs", "needs"], []).parse();
    const context = new data.Dictionary(
      { key: "inputs", value: new data.Dictionary(...inputPairs) },
      { key: "needs", value: needsContext },
    );
    // GitHub adds an implicit success() to a condition without a status function.
    const implicit = /\b(success|always|cancelled|failure)\(\)/.test(
      options.jobs[name]?.if ?? "success()",
    )
      ? true
      : results.every((r) => r.ok);
    const result = implicit && new Evaluator(parsed, context).evaluate().coerceString() === "yes";
    ran.set(name, result);
    return result;
  };
  const path = new Set<string>();
  const visit = (name: string): void => {
    if (path.has(name) || !runs(name)) return;
    path.add(name);
    for (const n of needsOf(name)) visit(n);
  };
  visit(options.job);
  return [...path];
}
