/**
 * `mode: dispatch`: starts the job on a matching runner through the repository's runner
 * workflow and follows it to its end. The work is `dispatchAndFollow` of
 * `@dstack/github`; this module is the glue: inputs, step state for the post step, progress in
 * the log, the jobs' logs, outputs and the job summary.
 *
 * Step state (`core.saveState`, read by the post step): `mode` = `dispatch` first of all;
 * `run-name` and `dispatched-at` (epoch ms) before the dispatch is sent; `workflow-run-id` once
 * known; `phase`: `dispatching` -> `following` -> `done` (seen completed, or nothing was
 * dispatched) or `cancel-requested` (cancelled here after SIGINT/SIGTERM).
 *
 * @module
 */
import { randomUUID } from "node:crypto";
import fs from "node:fs";
import * as core from "@actions/core";
import { parseRunArtifactName } from "@dstack/artifacts/github";
import {
  cancelRun,
  DEFAULT_API_URL,
  dispatchAndFollow,
  type FollowedOutcome,
  fetchJobLog,
  findRunByName,
  type GitHubClient,
  GitHubError,
  plannedRunsOnInput,
  RUNNER_WORKFLOW_FILE,
  RunConcludedError,
  readDefaultBranch,
  trustInputs,
  UNTRUSTED_INPUT,
  type WorkflowArtifact,
} from "@dstack/github";
import {
  formatDuration as formatDurationIn,
  formatRunName,
  formatSize,
  type Job,
  runNameStem,
} from "@dstack/spec";
import { stepClient } from "./client.js";
import { type ActionInputs, InputError, Inputs } from "./inputs.js";
import { eventDefaultBranch } from "./policy.js";

/** The inputs only `mode: dispatch` reads. */
export const DispatchInputs = {
  RunnerWorkflow: "runner-workflow",
  Ref: "ref",
  TimeoutMinutes: "timeout-minutes",
  ResumeLimit: "resume-limit",
  /**
   * Not in action.yml, on purpose: the poll interval in milliseconds (both the first and the
   * longest), for tests that run the action against a fake GitHub. Real runs keep followRun's
   * defaults (5 s, backing off to 60 s while nothing changes).
   */
  PollIntervalMs: "poll-interval-ms",
} as const;

/** The names of the step state `mode: dispatch` saves for its post step. */
export const DispatchState = {
  Mode: "mode",
  RunName: "run-name",
  DispatchedAt: "dispatched-at",
  WorkflowRunId: "workflow-run-id",
  Phase: "phase",
} as const;

/** Where the main step got to, for the post step. */
export type DispatchPhase = "dispatching" | "following" | "done" | "cancel-requested";

/** What `mode: dispatch` needs besides the job, read once from inputs and environment. */
export interface DispatchSettings {
  /** The token (masked); needs `actions: write`. */
  token: string;
  /** The REST API root (`GITHUB_API_URL`, default `https://api.github.com`). */
  apiUrl: string;
  /** `owner/name` (`GITHUB_REPOSITORY`). */
  repository: string;
  /** The runner workflow's file under `.github/workflows/`. */
  workflowFile: string;
  /** The ref the runner workflow runs on. */
  ref: string;
  /** The dstack run name: the `run-name` input, else a fresh `<adjective>-<animal>-<GITHUB_RUN_ID>`. */
  runName: string;
  /** The `tag` input, when given. */
  tag?: string;
  /** The `timeout-minutes` input, when given: a positive whole number. */
  timeoutMinutes?: number;
  /** The test-only poll interval in milliseconds, when given. */
  pollIntervalMs?: number;
  /** The `resume-limit` input, when given: a whole number, 0 or more. */
  resumeLimit?: number;
}

/**
 * The ref to dispatch on: `GITHUB_HEAD_REF` in a pull request (its branch), else
 * `GITHUB_REF_NAME` (docs.github.com/actions/reference/workflows-and-actions/variables).
 *
 * workflow_dispatch only runs refs of the repository itself; the branch of a pull request from a
 * fork lives in the fork, and a branch of the same name here would be someone else's code, so a
 * fork's pull request gets no default: the ref must be given, on purpose.
 *
 * @throws InputError when there is no ref, or the pull request comes from a fork.
 */
export function defaultRef(env: NodeJS.ProcessEnv = process.env): string {
  const head = env.GITHUB_HEAD_REF ?? "";
  if (head !== "") {
    const fork = forkOf(env);
    if (fork !== undefined) {
      throw new InputError(
        `ref: this pull request comes from the fork ${fork}, whose branch ${JSON.stringify(head)} is not in ${env.GITHUB_REPOSITORY ?? "this repository"}; dstack does not run a fork's code on self-hosted runners by default: give ref (a branch of this repository) on purpose`,
      );
    }
    return head;
  }
  const name = env.GITHUB_REF_NAME ?? "";
  if (name === "") {
    throw new InputError(
      "ref: no ref given and none known (GITHUB_REF_NAME is empty); give ref: the branch or tag the runner workflow runs on",
    );
  }
  return name;
}

/** The head repository of the pull request in `GITHUB_EVENT_PATH` when it is not this one. */
function forkOf(env: NodeJS.ProcessEnv): string | undefined {
  const file = env.GITHUB_EVENT_PATH;
  if (!file || !fs.existsSync(file)) return undefined;
  const event = JSON.parse(fs.readFileSync(file, "utf8")) as {
    pull_request?: { head?: { repo?: { full_name?: string } | null } };
  };
  const head = event.pull_request?.head?.repo?.full_name;
  return head !== undefined && head !== env.GITHUB_REPOSITORY ? head : undefined;
}

/**
 * The runner-workflow inputs that mark a plain `mode: dispatch` run as untrusted: a ref that is
 * not the default branch (read from the event, else through the REST API; unknown counts as
 * not), or the step's own `untrusted` / `pull-request` inputs.
 */
async function dispatchTrust(
  client: GitHubClient,
  settings: DispatchSettings,
  inputs: Pick<ActionInputs, "untrusted" | "pullRequest">,
  known: string | undefined,
): Promise<Record<string, string>> {
  const [owner = "", repo = ""] = settings.repository.split("/");
  const defaultBranch =
    known ??
    (await eventDefaultBranch()) ??
    (await readDefaultBranch({ client, owner, repo }).catch((e: Error) => {
      core.warning(`${e.message}; the run is treated as not on the default branch`);
      return undefined;
    }));
  const trust = trustInputs({
    dispatchRef: settings.ref,
    defaultBranch,
    ...(inputs.pullRequest !== undefined ? { pullRequest: inputs.pullRequest } : {}),
  });
  if (inputs.untrusted) trust[UNTRUSTED_INPUT] = "true";
  if (trust[UNTRUSTED_INPUT]) {
    core.info(
      `${settings.ref} is not the default branch${defaultBranch ? ` (${defaultBranch})` : ""} or the step says untrusted: the run asks for an ephemeral runner`,
    );
  }
  return trust;
}

/** A fresh run name, as the artifacts action picks one: `<adjective>-<animal>-<GITHUB_RUN_ID>`. */
function freshRunName(): string {
  const runId = Number(process.env.GITHUB_RUN_ID ?? "");
  return formatRunName(
    runNameStem(Math.random),
    Number.isSafeInteger(runId) && runId > 0 ? runId : 1,
  );
}

function positiveInteger(input: string, value: string, what: string): number | undefined {
  if (value === "") return undefined;
  if (!/^[1-9]\d*$/.test(value)) {
    throw new InputError(`${input}: ${JSON.stringify(value)} is not ${what}`);
  }
  return Number(value);
}

/**
 * Reads the settings of `mode: dispatch`. With `refGiven` (the caller dispatches on a ref of its
 * own), no default ref is looked for.
 *
 * @throws InputError naming the input: no token, no repository, a bad `timeout-minutes`, no ref.
 */
export function getDispatchSettings(refGiven = false): DispatchSettings {
  const token = core.getInput(Inputs.GitHubToken);
  if (token === "") {
    throw new InputError(
      "github-token: mode: dispatch needs a token with actions: write (the default github.token with permissions: actions: write in the job)",
    );
  }
  core.setSecret(token);
  const repository = process.env.GITHUB_REPOSITORY ?? "";
  if (repository === "") {
    throw new InputError(
      "GITHUB_REPOSITORY is not set: mode: dispatch runs in a GitHub Actions job",
    );
  }
  const timeoutMinutes = positiveInteger(
    DispatchInputs.TimeoutMinutes,
    core.getInput(DispatchInputs.TimeoutMinutes),
    "a whole number of minutes (e.g. 120)",
  );
  const pollIntervalMs = positiveInteger(
    DispatchInputs.PollIntervalMs,
    core.getInput(DispatchInputs.PollIntervalMs),
    "a whole number of milliseconds",
  );
  const resumeRaw = core.getInput(DispatchInputs.ResumeLimit);
  if (resumeRaw !== "" && !/^\d+$/.test(resumeRaw)) {
    throw new InputError(
      `${DispatchInputs.ResumeLimit}: ${JSON.stringify(resumeRaw)} is not a whole number (0 never resumes; default 3)`,
    );
  }
  const tag = core.getInput(Inputs.Tag);
  return {
    token,
    apiUrl: process.env.GITHUB_API_URL || DEFAULT_API_URL,
    repository,
    workflowFile: core.getInput(DispatchInputs.RunnerWorkflow) || RUNNER_WORKFLOW_FILE,
    ref: core.getInput(DispatchInputs.Ref) || (refGiven ? "" : defaultRef()),
    runName: core.getInput(Inputs.RunName) || freshRunName(),
    ...(tag !== "" ? { tag } : {}),
    ...(timeoutMinutes !== undefined ? { timeoutMinutes } : {}),
    ...(pollIntervalMs !== undefined ? { pollIntervalMs } : {}),
    ...(resumeRaw !== "" ? { resumeLimit: Number(resumeRaw) } : {}),
  };
}

/** An artifact of the dispatched run with the artifact path it was saved from. */
export interface RunArtifact extends WorkflowArtifact {
  /** The artifact path (e.g. `checkpoints/best`), from the name `dstack--<run>--<path-slug>`. */
  path: string;
}

/**
 * The artifacts of a workflow run that belong to dstack run `runName`: the GitHub store names
 * them `dstack--<run-name>--<path-slug>` (a zip) and `dstack-file--<run-name>--<path-slug>` (one
 * large file as it is; `parseRunArtifactName`, `@dstack/artifacts/github`).
 */
export function runArtifacts(
  artifacts: readonly WorkflowArtifact[],
  runName: string,
): RunArtifact[] {
  return artifacts.flatMap((a) => {
    const parsed = parseRunArtifactName(a.name, runName);
    return parsed === undefined ? [] : [{ ...a, path: parsed.artifactPath }];
  });
}

/**
 * A duration for people: `1 h 2 min 3 s`, `4 min`, `0 s` (`ms` in milliseconds, rounded to
 * seconds; `formatDuration` of `@dstack/spec`, style `words`).
 */
export function formatDuration(ms: number): string {
  return formatDurationIn(ms, { style: "words" });
}

/** Escapes text for the job summary, which is HTML. */
function html(text: string): string {
  return text.replace(
    /[&<>"']/g,
    (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c] as string,
  );
}

function link(text: string, url: string | null): string {
  return url ? `<a href="${html(url)}">${html(text)}</a>` : html(text);
}

/** Writes the job summary of a followed run: the run, its jobs, its artifacts. */
async function writeSummary(outcome: FollowedOutcome, artifacts: RunArtifact[]): Promise<void> {
  const head = (text: string) => ({ data: text, header: true });
  core.summary
    .addHeading(`dstack run ${html(outcome.runName)}`, 3)
    .addTable([
      [head("Run name"), html(outcome.runName)],
      [head("Workflow run"), link(`#${outcome.workflowRunId}`, outcome.htmlUrl)],
      [head("Conclusion"), html(outcome.conclusion ?? outcome.status)],
      [head("Duration"), formatDuration(outcome.durationMs)],
    ])
    .addHeading("Jobs", 4)
    .addTable([
      [head("Job"), head("Conclusion"), head("Runner")],
      ...outcome.jobs.map((j) => [
        link(j.name, j.htmlUrl),
        html(j.conclusion ?? j.status),
        html(j.runnerName ?? ""),
      ]),
    ])
    .addHeading("Artifacts", 4);
  if (artifacts.length === 0) {
    core.summary.addRaw("<p>none</p>", true);
  } else {
    core.summary.addTable([
      [head("Path"), head("Artifact"), head("Size"), head("Id")],
      ...artifacts.map((a) => [
        html(a.path),
        html(a.name),
        formatSize(a.sizeInBytes),
        String(a.id),
      ]),
    ]);
  }
  await core.summary.write();
}

/**
 * Prints a job's log in this job's log. The text is the dispatched job's own output: workflow
 * commands in it (`::set-output`, `::add-mask`, ...) must not act here, so they are switched off
 * around it (`stop-commands` with a one-time token, docs.github.com/actions/reference/workflows-and-actions/workflow-commands#stopping-and-starting-workflow-commands).
 */
function printLog(text: string): void {
  const token = randomUUID();
  core.info(`::stop-commands::${token}`);
  core.info(text.replace(/\n$/, ""));
  core.info(`::${token}::`);
}

/**
 * What `mode: command` (./command.ts) adds to a dispatch: the ref and extra inputs its decision
 * pinned, and callbacks that keep the pull request's sticky comment and commit status current.
 */
export interface DispatchHooks {
  /** The ref to dispatch on instead of the `ref` input (the default branch, for commands). */
  ref?: string;
  /** The default branch, when the caller already knows it (the policy was read from it). */
  defaultBranch?: string;
  /** Settings that replace those read from the inputs (e.g. `tag` from a dispatch payload). */
  settings?: Partial<Pick<DispatchSettings, "tag" | "timeoutMinutes" | "runName">>;
  /**
   * More runner-workflow inputs (`{ sha, untrusted, "pull-request" }`), see `dispatchAndFollow`'s
   * `extraInputs`. Given, they replace the trust inputs a plain dispatch works out for itself.
   */
  extraInputs?: Record<string, string>;
  /** The workflow run is known. */
  onDispatched?: (run: {
    workflowRunId: number;
    htmlUrl: string;
    runName: string;
  }) => void | Promise<void>;
  /** The run's state changed (`queued`, `in_progress`, `completed`). */
  onState?: (status: string) => void;
  /** The run ended (called before the step fails for a conclusion other than success). */
  onEnd?: (outcome: FollowedOutcome, artifacts: RunArtifact[]) => Promise<void>;
}

/**
 * Dispatches `job` to the runner workflow and follows the workflow run; prints the jobs' logs,
 * sets the outputs `run-name`, `workflow-run-id`, `workflow-run-url`, `conclusion` and
 * `artifact-ids` (never `exit-code`: the REST API does not carry the job's outputs), and writes
 * the job summary.
 *
 * @throws InputError for bad inputs; GitHubError when GitHub refuses (no runner workflow on the
 *   ref, a token without `actions: write`, ...); Error naming the run's URL and conclusion when
 *   the run did not succeed, or when this job was cancelled (SIGINT/SIGTERM: the run is
 *   cancelled first).
 */
export async function dispatchMode(
  job: Job,
  inputs: ActionInputs,
  hooks: DispatchHooks = {},
): Promise<void> {
  core.saveState(DispatchState.Mode, "dispatch");
  const settings = { ...getDispatchSettings(hooks.ref !== undefined), ...hooks.settings };
  const { runName } = settings;
  core.setOutput("run-name", runName);
  const client = stepClient({ token: settings.token, apiUrl: settings.apiUrl });
  const trust =
    hooks.extraInputs ?? (await dispatchTrust(client, settings, inputs, hooks.defaultBranch));
  // The planned labels: the runner workflow's run job starts on them, with no plan job first.
  const extraInputs = { ...trust, ...plannedRunsOnInput(job.resources, trust) };
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    core.info(`${signal}: this job is being cancelled; cancelling the dispatched run`);
    controller.abort(new Error(`this job was cancelled (${signal})`));
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  core.saveState(DispatchState.RunName, runName);
  core.saveState(DispatchState.DispatchedAt, String(Date.now()));
  core.saveState(DispatchState.Phase, "dispatching" satisfies DispatchPhase);
  core.info(
    `dispatching ${runName}: .github/workflows/${settings.workflowFile} on ${settings.ref} in ${settings.repository}`,
  );
  let runUrl = "";
  let cancel: string | undefined;
  let outcome: FollowedOutcome;
  try {
    outcome = await dispatchAndFollow({
      client,
      repository: settings.repository,
      workflowFile: settings.workflowFile,
      ref: hooks.ref ?? settings.ref,
      job,
      runName,
      ...(Object.keys(extraInputs).length > 0 ? { extraInputs } : {}),
      ...(settings.tag !== undefined ? { tag: settings.tag } : {}),
      ...(settings.timeoutMinutes !== undefined ? { timeoutMinutes: settings.timeoutMinutes } : {}),
      ...(settings.resumeLimit !== undefined ? { resumeLimit: settings.resumeLimit } : {}),
      ...(settings.pollIntervalMs !== undefined
        ? { minIntervalMs: settings.pollIntervalMs, maxIntervalMs: settings.pollIntervalMs }
        : {}),
      signal: controller.signal,
      log: (m) => core.info(m),
      onDispatched: (run) => {
        runUrl = run.htmlUrl;
        core.saveState(DispatchState.WorkflowRunId, String(run.workflowRunId));
        core.saveState(DispatchState.Phase, "following" satisfies DispatchPhase);
        core.setOutput("workflow-run-id", String(run.workflowRunId));
        core.setOutput("workflow-run-url", run.htmlUrl);
        core.info(`workflow run ${run.htmlUrl} (found by ${run.via})`);
        return hooks.onDispatched?.({
          workflowRunId: run.workflowRunId,
          htmlUrl: run.htmlUrl,
          runName,
        });
      },
      onState: (s) => {
        core.info(`${runName}: ${s.conclusion ?? s.status.replace("_", " ")}`);
        hooks.onState?.(s.status);
      },
      onJob: ({ change, job: j }) =>
        core.info(
          change === "started"
            ? `job ${j.name} started${j.runnerName ? ` on ${j.runnerName}` : ""}`
            : `job ${j.name} finished: ${j.conclusion ?? j.status}`,
        ),
      onResume: (r) =>
        core.warning(
          `${r.lostRunName}: ${r.evidence}; dispatched again as ${r.runName} (attempt ${r.attempt}, DSTACK_RUN_ATTEMPT=${r.attempt})${r.deps.length > 0 ? `, with the artifacts of ${r.deps.join(", ")} as deps` : ", nothing saved to resume from"}`,
        ),
      onCancel: (result) => {
        if (result instanceof GitHubError) {
          core.warning(`could not cancel the dispatched run: ${result.message}`);
          return;
        }
        cancel = result;
        core.saveState(DispatchState.Phase, "cancel-requested" satisfies DispatchPhase);
      },
    });
  } catch (e) {
    if (controller.signal.aborted) {
      const reason = (e as Error).message;
      throw new Error(
        runUrl === ""
          ? `${reason} while dispatching ${runName}; the post step cancels its workflow run if one started`
          : `${reason}: workflow run ${runUrl}: ${cancel === undefined ? "not cancelled here; the post step tries again" : `cancel ${cancel}`}`,
      );
    }
    // Refused or unreachable: a run exists only if the id is known (the post step cancels it).
    if (runUrl === "") core.saveState(DispatchState.Phase, "done" satisfies DispatchPhase);
    throw e;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  core.saveState(DispatchState.Phase, "done" satisfies DispatchPhase);
  const conclusion = outcome.conclusion ?? outcome.status;
  // After a lost spot runner the outcome is the last attempt's (run NAME-N): its name, its artifacts.
  const artifacts = runArtifacts(outcome.artifacts, outcome.runName);
  if (outcome.runName !== runName) core.setOutput("run-name", outcome.runName);
  core.setOutput("conclusion", conclusion);
  core.setOutput("artifact-ids", artifacts.map((a) => a.id).join(","));
  const [owner = "", repo = ""] = settings.repository.split("/");
  for (const j of outcome.jobs) {
    if (j.conclusion === "skipped") continue;
    await core.group(`log of job ${j.name} (${j.conclusion ?? j.status})`, async () => {
      try {
        printLog(await fetchJobLog(client, { owner, repo, jobId: j.id }));
      } catch (e) {
        core.warning(`log of job ${j.name}: ${(e as Error).message}`);
      }
    });
  }
  for (const a of artifacts) {
    core.info(`artifact ${a.path}: ${a.name} (id ${a.id}, ${formatSize(a.sizeInBytes)})`);
  }
  await writeSummary(outcome, artifacts);
  await hooks.onEnd?.(outcome, artifacts);
  core.info(
    `${runName}: ${conclusion} after ${formatDuration(outcome.durationMs)} (${outcome.requests.counted} counted requests, ${outcome.requests.notModified} not modified)`,
  );
  if (conclusion !== "success") {
    throw new RunConcludedError({ htmlUrl: outcome.htmlUrl, runName, conclusion });
  }
}

/** How long the post step looks for a run whose dispatch was cut short, in milliseconds. */
const POST_LOOK_MS = 15_000;

/** Options of {@link dispatchPost}; the defaults are the step's own. */
export interface DispatchPostOptions {
  /** A client (default one from `github-token` and `GITHUB_API_URL`). */
  client?: GitHubClient;
  /** How long to look for a run known only by its name, in milliseconds. Default 15 000. */
  lookMs?: number;
}

/**
 * The post step of `mode: dispatch` (it runs with `post-if: always()`): when the main step
 * dispatched a run and did not see it finish (this job was cancelled, or the step died), asks
 * GitHub to cancel it. A run known only by its name (the dispatch was cut short) is looked for
 * first. Nothing to do after `done` or `cancel-requested`.
 *
 * @throws GitHubError when the cancel is refused (e.g. 403: the token lacks `actions: write`).
 */
export async function dispatchPost(options: DispatchPostOptions = {}): Promise<void> {
  const phase = core.getState(DispatchState.Phase);
  if (phase !== "dispatching" && phase !== "following") return;
  const repository = process.env.GITHUB_REPOSITORY ?? "";
  const [owner = "", repo = ""] = repository.split("/");
  const token = core.getInput(Inputs.GitHubToken);
  if (token !== "") core.setSecret(token);
  const client = options.client ?? stepClient({ token, warn: false });
  let id = Number(core.getState(DispatchState.WorkflowRunId));
  const runName = core.getState(DispatchState.RunName);
  if (!(Number.isSafeInteger(id) && id > 0)) {
    const since = Number(core.getState(DispatchState.DispatchedAt)) || Date.now();
    const found = await findRunByName(client, {
      owner,
      repo,
      workflowFile: core.getInput(DispatchInputs.RunnerWorkflow) || RUNNER_WORKFLOW_FILE,
      runName,
      since,
      budgetMs: options.lookMs ?? POST_LOOK_MS,
    });
    if (!found) {
      core.info(`no workflow run named ${runName} showed up: nothing to cancel`);
      return;
    }
    id = found.workflowRunId;
  }
  const result = await cancelRun(client, { owner, repo, workflowRunId: id });
  core.info(
    result === "requested"
      ? `cancel requested for workflow run ${id} (${runName}): this job ended before it`
      : `workflow run ${id} (${runName}) had already completed`,
  );
}
