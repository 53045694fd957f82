/**
 * The `--remote` commands, from a laptop to GitHub Actions: `dstack run --remote` dispatches a
 * job to the repository's runner workflow and follows it like a local run; `dstack ps --remote`
 * lists the runner workflow's runs; `dstack artifacts download --remote` reads the GitHub store.
 *
 * Loaded on first use (`import()`), so that local commands do not pay for the REST client.
 *
 * @module
 */
import { resolve } from "node:path";
import { GitHubStore } from "@dstack/artifacts/github";
import {
  cancelRun,
  createGitHubClient,
  dispatchRun,
  fetchJobLog,
  followRun,
  type GitHubClient,
  GitHubError,
  plannedRunsOnInput,
  RUNNER_WORKFLOW_FILE,
  readDefaultBranch,
  readRepositoryFile,
  restError,
  sleepFor,
  trustInputs,
  UNTRUSTED_INPUT,
  type WorkflowRunState,
} from "@dstack/github";
import {
  allocateRunName,
  checkJobPolicy,
  checkTriggerPolicy,
  formatDiagnostic,
  type Job,
  jobToWorkflow,
  POLICY_FILE,
  parsePolicy,
  type RemoteRunOptions,
} from "@dstack/spec";
import pc from "picocolors";
import {
  type RemoteTarget,
  redact,
  resolveRef,
  resolveTarget,
  resolveToken,
} from "./github-context.js";
import type { RunContext } from "./run.js";
import { age, parseRef, table } from "./runs.js";
import { CliError } from "./workflows-files.js";

/** The options `ps` and `artifacts download` take with `--remote`. */
export interface RemoteOptions {
  /** `--repo OWNER/NAME`. */
  repo?: string;
  /** `--api-url URL`. */
  apiUrl?: string;
  /** `--runner-workflow FILE` (ps). */
  runnerWorkflow?: string;
}

/** The GitHub side of a command: where, as whom, and a client. */
interface Session {
  target: RemoteTarget;
  token: string;
  client: GitHubClient;
}

/** Resolves the token for `target`'s host and makes the client. */
async function connect(target: RemoteTarget, ctx: RunContext): Promise<Session> {
  const { token } = await resolveToken({ env: ctx.env, cwd: ctx.cwd, host: target.host });
  const client = createGitHubClient({
    token,
    apiUrl: target.apiUrl,
    warn: (m) => ctx.stderr(`${redact(m, [token])}\n`),
  });
  return { target, token, client };
}

/**
 * Runs `fn`, turning GitHub and store failures into {@link CliError}s whose text holds no token.
 * The token lives in the client only; this is the last guard should an answer ever echo it.
 */
async function guardedRemote<T>(tokens: () => (string | undefined)[], fn: () => Promise<T>) {
  try {
    return await fn();
  } catch (e) {
    // GitHubError and GitHubStoreError speak to action users; here the token is the CLI's.
    const message = (e instanceof Error ? e.message : String(e)).replace(
      /; check github-token$/,
      "; check the token (GITHUB_TOKEN, GH_TOKEN or gh auth status)",
    );
    const code = e instanceof CliError ? e.exitCode : 1;
    throw new CliError(redact(message, tokens()), code);
  }
}

/** The runner workflow file (`--runner-workflow`), checked to be a file name. */
function runnerWorkflowOf(given: string | undefined): string {
  const file = given ?? RUNNER_WORKFLOW_FILE;
  if (!/^[A-Za-z0-9_.-]+\.ya?ml$/.test(file)) {
    throw new CliError(
      `--runner-workflow: ${JSON.stringify(file)} is not a workflow file name; give the file under .github/workflows/, e.g. ${RUNNER_WORKFLOW_FILE}`,
      2,
    );
  }
  return file;
}

/** The message for a runner workflow GitHub does not know: copy ours. */
function noRunnerWorkflow(file: string, where: string, ref: string | undefined): string {
  return `no runner workflow .github/workflows/${file} in ${where}${ref ? ` on ${ref}` : ""}: copy .github/workflows/dstack-run.yml from dstack into the repository's .github/workflows/${file === RUNNER_WORKFLOW_FILE ? "" : ` as ${file}`}, commit and push it (or pass --runner-workflow FILE); check also that the token can see ${where}`;
}

/** Names already used as run names by recent runs of the runner workflow (their titles). */
async function recentTitles(
  s: Session,
  file: string,
  ref: string | undefined,
): Promise<Set<string>> {
  const where = `${s.target.owner}/${s.target.repo}`;
  try {
    const { data } = await s.client.rest.actions.listWorkflowRuns({
      owner: s.target.owner,
      repo: s.target.repo,
      workflow_id: file,
      per_page: 100,
    });
    return new Set(data.workflow_runs.map((r) => r.display_title));
  } catch (e) {
    if ((e as { status?: unknown }).status === 404) {
      throw new CliError(noRunnerWorkflow(file, where, ref));
    }
    throw restError(`list the runs of .github/workflows/${file} in ${where}`, e, s.target.apiUrl);
  }
}

/** Removes the timestamp GitHub writes before each log line (`2026-01-01T00:00:00.0000000Z `). */
function logLine(line: string): string {
  return line.replace(/^\d{4}-\d\d-\d\dT[\d:.]+Z ?/, "");
}

/** A completed workflow run's exit status for the CLI: 0 success, 1 any other conclusion. */
function exitCodeOf(conclusion: string | null): number {
  return conclusion === "success" ? 0 : 1;
}

/**
 * `dstack run ... --remote`: dispatches `job` to the runner workflow (inputs `job` = the job as
 * JSON from `jobToWorkflow`, `run-name`, and `tag` when given), prints the run name and the
 * workflow run's URL, then, unless detached, follows it: status changes, the jobs and their
 * runners, the jobs' logs at the end. Ctrl-C (SIGINT) or SIGTERM cancels the workflow run.
 *
 * The run name is made as the local store makes them (`allocateRunName` of `@dstack/spec`),
 * claimed against the titles of the runner workflow's last 100 runs.
 *
 * @returns 0 when the workflow run succeeded (or was dispatched, with `-d`); 1 for any other
 *   conclusion (failure, cancelled by someone else, timed out); 130 after Ctrl-C, 143 after
 *   SIGTERM (the workflow run is cancelled).
 * @throws {@link CliError} for no token, no repository or ref, a runner workflow GitHub does
 *   not know (saying to copy `.github/workflows/dstack-run.yml`), and GitHub refusals.
 */
export async function remoteRunCommand(
  options: { job: Job; remote: RemoteRunOptions; detach: boolean; repoDir: string },
  ctx: RunContext,
): Promise<number> {
  const { job, remote } = options;
  const file = runnerWorkflowOf(remote.runnerWorkflow);
  let token: string | undefined;
  return guardedRemote(
    () => [token],
    async () => {
      const target = await resolveTarget({
        repo: remote.repo,
        apiUrl: remote.apiUrl,
        cwd: options.repoDir,
        env: ctx.env,
      });
      const { ref, warnings } = await resolveRef({
        ref: remote.ref,
        cwd: options.repoDir,
        env: ctx.env,
      });
      const color = pc.createColors(ctx.isTTY);
      for (const w of warnings) ctx.stderr(`${color.yellow(`warning: ${w}`)}\n`);
      const s = await connect(target, ctx);
      token = s.token;
      return runRemote(s, { job, ref, file, tag: remote.tag, detach: options.detach }, ctx);
    },
  );
}

/**
 * Checks the job against the repository policy (`.dstack/policy.yaml` of the default branch)
 * before anything is dispatched, so a refusal comes at once and not after the runner workflow's
 * plan job (which checks it again, with the actor's role). The actor is not checked here: the
 * plan knows who dispatched. A policy GitHub does not let this token read is a warning only.
 *
 * @throws CliError naming every broken rule, or the policy's own problems.
 */
async function checkPolicy(s: Session, job: Job, ctx: RunContext): Promise<void> {
  const { owner, repo } = s.target;
  let text: string | undefined;
  let ref: string;
  try {
    ref = await readDefaultBranch({ client: s.client, owner, repo });
    text = await readRepositoryFile({ client: s.client, owner, repo, path: POLICY_FILE, ref });
  } catch (e) {
    if (!(e instanceof GitHubError)) throw e;
    ctx.stderr(
      `warning: could not read ${POLICY_FILE} (${e.message}); the runner workflow's plan job checks it\n`,
    );
    return;
  }
  if (text === undefined) return;
  const source = `${POLICY_FILE} (${owner}/${repo} on ${ref})`;
  const parsed = parsePolicy({ text, source });
  if (!("policy" in parsed)) {
    throw new CliError(
      `${parsed.diagnostics.map(formatDiagnostic).join("\n")}\nthe repository policy has problems; nothing was dispatched`,
    );
  }
  const violations = [
    ...checkJobPolicy(parsed.policy, job),
    ...checkTriggerPolicy(parsed.policy, { event: "workflow_dispatch" }),
  ];
  if (violations.length > 0) {
    throw new CliError(
      `${violations.map((v) => v.message).join("\n")}\nthe repository policy refuses this run; nothing was dispatched`,
    );
  }
}

/**
 * The runner-workflow inputs that mark a run of a ref other than the default branch as untrusted
 * (`untrusted: true`: the runner workflow plans it onto ephemeral runners only). A default branch
 * that cannot be read counts as another branch. Says so on stderr when it applies.
 */
async function remoteTrust(
  s: Session,
  ref: string,
  ctx: RunContext,
): Promise<Record<string, string>> {
  const { owner, repo } = s.target;
  let defaultBranch: string | undefined;
  try {
    defaultBranch = await readDefaultBranch({ client: s.client, owner, repo });
  } catch (e) {
    if (!(e instanceof GitHubError)) throw e;
  }
  const trust = trustInputs({ dispatchRef: ref, defaultBranch });
  if (trust[UNTRUSTED_INPUT]) {
    ctx.stderr(
      `${ref} is not the default branch${defaultBranch ? ` (${defaultBranch})` : " (it could not be read)"}: the run asks for an ephemeral runner (label dstack-ephemeral)\n`,
    );
  }
  return trust;
}

async function runRemote(
  s: Session,
  o: { job: Job; ref: string; file: string; tag: string | undefined; detach: boolean },
  ctx: RunContext,
): Promise<number> {
  const { owner, repo } = s.target;
  const where = `${owner}/${repo}`;
  const sleep = ctx.sleep ?? sleepFor;
  const now = ctx.now ?? Date.now;
  const color = pc.createColors(ctx.isTTY);
  await checkPolicy(s, o.job, ctx);
  const trust = await remoteTrust(s, o.ref, ctx);
  const taken = await recentTitles(s, o.file, o.ref);
  const runName = await allocateRunName({ claim: (name) => !taken.has(name) });

  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (!controller.signal.aborted) controller.abort(signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const interrupted = () => String(controller.signal.reason) as NodeJS.Signals;
  const signalExit = () => (interrupted() === "SIGTERM" ? 143 : 130);
  try {
    let dispatched: Awaited<ReturnType<typeof dispatchRun>>;
    try {
      dispatched = await dispatchRun(s.client, {
        owner,
        repo,
        workflowFile: o.file,
        ref: o.ref,
        inputs: {
          job: JSON.stringify(jobToWorkflow(o.job)),
          ...(o.tag !== undefined ? { tag: o.tag } : {}),
          ...trust,
          // The planned labels: the run job starts on them, with no plan job before it.
          ...plannedRunsOnInput(o.job.resources, trust),
        },
        runName,
        signal: controller.signal,
        sleep,
        now,
        log: (m) => ctx.stderr(`${color.dim(m)}\n`),
      });
    } catch (e) {
      if (controller.signal.aborted) {
        ctx.stderr(
          `\n${interrupted()}: stopped before GitHub confirmed the dispatch of ${runName}; if it started, dstack ps --remote lists it\n`,
        );
        return signalExit();
      }
      if (e instanceof GitHubError && e.reason === "not-found") {
        throw new CliError(noRunnerWorkflow(o.file, where, o.ref));
      }
      throw e;
    }
    const url = dispatched.htmlUrl;
    if (o.detach) {
      ctx.stdout(`${runName}\n`);
      ctx.stderr(
        `${url}\nfollow it there or with dstack ps --remote; its artifacts: dstack artifacts download ${runName} --remote\n`,
      );
      return 0;
    }
    ctx.stderr(
      `${color.bold(runName)} submitted${o.job.workflow ? ` (workflow ${o.job.workflow})` : ""} to ${where} on ${o.ref}: ${url}\n`,
    );

    const started = now();
    const phase = (title: string) => {
      const elapsed = ((now() - started) / 1000).toFixed(1);
      ctx.stderr(`${color.cyan(`==> ${title}`)} ${color.dim(`(+${elapsed}s)`)}\n`);
    };
    // Jobs are listed after each change of the run, before the next poll (the sleep below), so
    // a job's runner is told as soon as the run changes.
    const told = new Set<number>();
    let pending: Promise<void> = Promise.resolve();
    const tellJobs = async (workflowRunId: number) => {
      try {
        const { data } = await s.client.rest.actions.listJobsForWorkflowRun({
          owner,
          repo,
          run_id: workflowRunId,
          filter: "latest",
          per_page: 100,
        });
        for (const j of data.jobs) {
          if (j.runner_name && !told.has(j.id)) {
            told.add(j.id);
            phase(
              `job ${JSON.stringify(j.name)} on runner ${j.runner_name} (${j.labels.join(",")})`,
            );
          }
        }
      } catch (e) {
        ctx.stderr(`${color.dim(`could not list the jobs: ${(e as Error).message}`)}\n`);
      }
    };
    const onUpdate = (run: WorkflowRunState) => {
      phase(run.status === "completed" ? `completed: ${run.conclusion ?? "?"}` : run.status);
      if (run.status !== "queued") pending = pending.then(() => tellJobs(run.workflowRunId));
    };
    let followed: Awaited<ReturnType<typeof followRun>>;
    try {
      followed = await followRun(s.client, {
        owner,
        repo,
        workflowRunId: dispatched.workflowRunId,
        signal: controller.signal,
        sleep: async (ms, signal) => {
          await pending;
          await sleep(ms, signal);
        },
        now,
        onUpdate,
        log: (m) => ctx.stderr(`${color.dim(m)}\n`),
      });
    } catch (e) {
      if (!controller.signal.aborted) throw e;
      const answer = await cancelRun(s.client, {
        owner,
        repo,
        workflowRunId: dispatched.workflowRunId,
      });
      ctx.stderr(
        answer === "requested"
          ? `\n${interrupted()}: cancelling ${runName}; GitHub marks workflow run ${dispatched.workflowRunId} cancelled shortly (artifacts saved so far are kept): ${url}\n`
          : `\n${interrupted()}: ${runName} had already completed: ${url}\n`,
      );
      return signalExit();
    }
    await pending;

    for (const j of followed.jobs) {
      if (j.conclusion === "skipped" || !j.runnerName) continue;
      ctx.stderr(`${color.cyan(`==> log of job ${JSON.stringify(j.name)}`)}\n`);
      try {
        const log = await fetchJobLog(s.client, { owner, repo, jobId: j.id });
        for (const line of log.replace(/\r?\n$/, "").split(/\r?\n/))
          ctx.stdout(`${logLine(line)}\n`);
      } catch (e) {
        ctx.stderr(`${color.dim(`no log: ${(e as Error).message}`)}\n`);
      }
    }
    const code = exitCodeOf(followed.conclusion);
    const status =
      code === 0
        ? color.green("done")
        : followed.conclusion === "cancelled"
          ? color.yellow("cancelled")
          : color.red("failed");
    ctx.stderr(
      `${runName} ${status}: workflow run ${followed.conclusion ?? "?"} (${((now() - started) / 1000).toFixed(1)}s) ${url}\n`,
    );
    return code;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
}

/** A workflow run's status in `ps`'s words: queued, running, done, failed, or GitHub's conclusion. */
function psStatus(status: string | null, conclusion: string | null): string {
  if (status !== "completed") return status === "in_progress" ? "running" : (status ?? "queued");
  if (conclusion === "success") return "done";
  if (conclusion === "failure") return "failed";
  return conclusion ?? "completed";
}

function duration(startIso: string | undefined, endMs: number): string {
  if (!startIso) return "-";
  const s = Math.max(0, Math.round((endMs - Date.parse(startIso)) / 1000));
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, "0")}s`;
}

/** Finished runs `ps --remote` shows without `-a`, besides the unfinished ones. */
const RECENT_FINISHED = 5;

/**
 * `dstack ps --remote [-a]`: runs of the runner workflow, newest first
 * (`GET /repos/{o}/{r}/actions/workflows/{file}/runs`; a run's title is its dstack run name):
 * RUN, STATUS, SUBMITTED, DURATION, URL. Without `-a`, the unfinished runs and the last
 * {@link RECENT_FINISHED} finished ones (from the newest 100); with `-a`, every page.
 *
 * @throws {@link CliError} as {@link remoteRunCommand} does.
 */
export async function remotePsCommand(
  opts: RemoteOptions & { all?: boolean },
  ctx: RunContext,
): Promise<number> {
  const file = runnerWorkflowOf(opts.runnerWorkflow);
  let token: string | undefined;
  return guardedRemote(
    () => [token],
    async () => {
      const target = await resolveTarget({
        repo: opts.repo,
        apiUrl: opts.apiUrl,
        cwd: ctx.cwd,
        env: ctx.env,
      });
      const s = await connect(target, ctx);
      token = s.token;
      const { owner, repo } = s.target;
      const params = { owner, repo, workflow_id: file, per_page: 100 };
      let runs: Awaited<
        ReturnType<GitHubClient["rest"]["actions"]["listWorkflowRuns"]>
      >["data"]["workflow_runs"];
      let total: number;
      try {
        if (opts.all) {
          runs = await s.client.paginate(s.client.rest.actions.listWorkflowRuns, params);
          total = runs.length;
        } else {
          const { data } = await s.client.rest.actions.listWorkflowRuns(params);
          runs = data.workflow_runs;
          total = data.total_count;
        }
      } catch (e) {
        if ((e as { status?: unknown }).status === 404) {
          throw new CliError(noRunnerWorkflow(file, `${owner}/${repo}`, undefined));
        }
        throw restError(
          `list the runs of .github/workflows/${file} in ${owner}/${repo}`,
          e,
          target.apiUrl,
        );
      }
      const now = (ctx.now ?? Date.now)();
      let finished = 0;
      const shown = opts.all
        ? runs
        : runs.filter((r) => r.status !== "completed" || finished++ < RECENT_FINISHED);
      const rows = [["RUN", "STATUS", "SUBMITTED", "DURATION", "URL"]];
      for (const r of shown) {
        const end = r.status === "completed" ? Date.parse(r.updated_at) : now;
        rows.push([
          r.display_title,
          psStatus(r.status, r.conclusion),
          age(r.created_at, now),
          duration(r.run_started_at ?? r.created_at, end),
          r.html_url,
        ]);
      }
      ctx.stdout(`${table(rows)}\n`);
      if (shown.length < total) {
        ctx.stderr(
          `${total - shown.length} older runs not shown; dstack ps --remote -a shows all\n`,
        );
      }
      return 0;
    },
  );
}

/**
 * `dstack artifacts download RUN|:TAG --remote [-o DIR] [-p ARTIFACT_PATH]`: through the GitHub
 * store (`@dstack/artifacts/github`): a tag is resolved to its run, every artifact is
 * digest-checked. The artifact client reads `GITHUB_API_URL` from the process environment; it
 * must be the API the repository is on (the store refuses otherwise).
 *
 * @throws {@link CliError} as {@link remoteRunCommand} does; the store's `StoreError`s (unknown
 *   run or tag, no such artifact path, digest mismatch) as messages.
 */
export async function remoteDownloadCommand(
  ref: string,
  opts: RemoteOptions & { output?: string; artifactPath?: string },
  ctx: RunContext,
): Promise<number> {
  let token: string | undefined;
  return guardedRemote(
    () => [token],
    async () => {
      const target = await resolveTarget({
        repo: opts.repo,
        apiUrl: opts.apiUrl,
        cwd: ctx.cwd,
        env: ctx.env,
      });
      token = (await resolveToken({ env: ctx.env, cwd: ctx.cwd, host: target.host })).token;
      const store = new GitHubStore({
        token,
        repository: `${target.owner}/${target.repo}`,
        apiUrl: target.apiUrl,
        // Tags and runs resolve to trusted workflow runs only; skipped ones are named here.
        warn: (w) => ctx.stderr(`${pc.createColors(ctx.isTTY).yellow(`warning: ${w}`)}\n`),
      });
      const localPath = resolve(ctx.cwd, opts.output ?? ".");
      await store.downloadArtifacts(parseRef(ref), {
        artifactPath: opts.artifactPath ?? "",
        localPath,
      });
      ctx.stderr(
        `downloaded ${ref}${opts.artifactPath ? ` ${opts.artifactPath}` : ""} to ${localPath}\n`,
      );
      return 0;
    },
  );
}
