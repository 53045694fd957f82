/**
 * `dstack run ... --remote`: the job dispatched to the repository's runner workflow and
 * followed like a local run, through `dispatchAndFollow` of `@dstack/github` (the same
 * dispatch-and-follow as the run-python action's `mode: dispatch`); this module prints what its
 * callbacks tell, and the jobs' logs at the end. Loaded on first use (`import()`), so that local
 * commands do not pay for the REST client.
 *
 * @module
 */
import {
  type DispatchJobOptions,
  dispatchAndFollow,
  dispatchJob,
  type FollowedOutcome,
  fetchJobLog,
  GitHubError,
  plannedRunsOnInput,
  readDefaultBranch,
  readDefaultBranchPolicy,
  restError,
  trustInputs,
  UNTRUSTED_INPUT,
  type WorkflowJob,
} from "@dstack/github";
import {
  allocateRunName,
  checkJobPolicy,
  checkTriggerPolicy,
  formatDiagnostic,
  type Job,
  POLICY_FILE,
  type RemoteRunOptions,
} from "@dstack/spec";
import pc from "picocolors";
import { CliError, type RunContext } from "../context.js";
import { formatDuration, withoutTimestamp } from "../format.js";
import { resolveRef } from "./github-context.js";
import {
  connect,
  guardedRemote,
  noRunnerWorkflow,
  onInterrupt,
  remoteTarget,
  runnerWorkflowOf,
  type Session,
} from "./session.js";

/** Names already used as run names by recent runs of the runner workflow (their titles). */
export async function recentTitles(
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
  if (remote.resumeLimit !== undefined && !/^\d+$/.test(remote.resumeLimit)) {
    throw new CliError(
      `--resume-limit: ${JSON.stringify(remote.resumeLimit)} is not a whole number (0 never resumes; default 3)`,
      2,
    );
  }
  const resumeLimit = remote.resumeLimit === undefined ? undefined : Number(remote.resumeLimit);
  let token: string | undefined;
  return guardedRemote(
    () => [token],
    async () => {
      const target = await remoteTarget(remote, options.repoDir, ctx);
      const { ref, warnings } = await resolveRef({
        ref: remote.ref,
        cwd: options.repoDir,
        env: ctx.env,
      });
      const color = pc.createColors(ctx.isTTY);
      for (const w of warnings) ctx.stderr(`${color.yellow(`warning: ${w}`)}\n`);
      const s = await connect(target, ctx);
      token = s.token;
      return runRemote(
        s,
        { job, ref, file, tag: remote.tag, detach: options.detach, resumeLimit },
        ctx,
      );
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
  let read: Awaited<ReturnType<typeof readDefaultBranchPolicy>>;
  try {
    read = await readDefaultBranchPolicy({
      client: s.client,
      owner,
      repo,
      source: (ref) => `${POLICY_FILE} (${owner}/${repo} on ${ref})`,
    });
  } catch (e) {
    if (!(e instanceof GitHubError)) throw e;
    ctx.stderr(
      `warning: could not read ${POLICY_FILE} (${e.message}); the runner workflow's plan job checks it\n`,
    );
    return;
  }
  if (!read.exists) return;
  if (read.policy === undefined) {
    throw new CliError(
      `${read.diagnostics.map(formatDiagnostic).join("\n")}\nthe repository policy has problems; nothing was dispatched`,
    );
  }
  const violations = [
    ...checkJobPolicy(read.policy, job),
    ...checkTriggerPolicy(read.policy, { event: "workflow_dispatch" }),
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
  o: {
    job: Job;
    ref: string;
    file: string;
    tag: string | undefined;
    detach: boolean;
    /** How many times a lost spot runner's job is dispatched again (default `dispatchAndFollow`'s). */
    resumeLimit: number | undefined;
  },
  ctx: RunContext,
): Promise<number> {
  const { owner, repo } = s.target;
  const where = `${owner}/${repo}`;
  const now = ctx.now ?? Date.now;
  const color = pc.createColors(ctx.isTTY);
  await checkPolicy(s, o.job, ctx);
  const trust = await remoteTrust(s, o.ref, ctx);
  const taken = await recentTitles(s, o.file, o.ref);
  const runName = await allocateRunName({ claim: (name) => !taken.has(name) });

  const interrupt = onInterrupt();
  const interrupted = interrupt.reason;
  const signalExit = interrupt.exitCode;
  const dispatch: DispatchJobOptions = {
    client: s.client,
    repository: where,
    workflowFile: o.file,
    ref: o.ref,
    job: o.job,
    runName,
    ...(o.tag !== undefined ? { tag: o.tag } : {}),
    // The planned labels too: the run job starts on them, with no plan job before it.
    extraInputs: { ...trust, ...plannedRunsOnInput(o.job.resources, trust) },
    signal: interrupt.signal,
    ...(ctx.sleep ? { sleep: ctx.sleep } : {}),
    now,
    log: (m) => ctx.stderr(`${color.dim(m)}\n`),
  };
  /** A refusal of the dispatch, in the CLI's words for a runner workflow GitHub does not know. */
  const refused = (e: unknown): unknown =>
    e instanceof GitHubError && e.reason === "not-found"
      ? new CliError(noRunnerWorkflow(o.file, where, o.ref))
      : e;
  try {
    if (o.detach) {
      let url: string;
      try {
        url = (await dispatchJob(dispatch)).htmlUrl;
      } catch (e) {
        if (interrupt.signal.aborted) return stoppedBeforeDispatch();
        throw refused(e);
      }
      ctx.stdout(`${runName}\n`);
      ctx.stderr(
        `${url}\nfollow it there or with dstack ps --remote; its artifacts: dstack artifacts download ${runName} --remote\n`,
      );
      return 0;
    }

    let url: string | undefined;
    let workflowRunId = 0;
    let started = now();
    let cancel: "requested" | "already-completed" | GitHubError | undefined;
    const phase = (title: string) => {
      const elapsed = formatDuration(now() - started, { tenths: true });
      ctx.stderr(`${color.cyan(`==> ${title}`)} ${color.dim(`(+${elapsed})`)}\n`);
    };
    // Each job is told once, with its runner, as soon as a listing shows one.
    const told = new Set<number>();
    const tellJob = (j: WorkflowJob) => {
      if (!j.runnerName || told.has(j.id)) return;
      told.add(j.id);
      phase(`job ${JSON.stringify(j.name)} on runner ${j.runnerName} (${j.labels.join(",")})`);
    };
    let followed: FollowedOutcome;
    // The attempt being followed: a resumed interruptible job is dispatched again as NAME-2, ...
    let current = runName;
    try {
      followed = await dispatchAndFollow({
        ...dispatch,
        ...(o.resumeLimit !== undefined ? { resumeLimit: o.resumeLimit } : {}),
        onDispatched: (run) => {
          url = run.htmlUrl;
          workflowRunId = run.workflowRunId;
          ctx.stderr(
            `${color.bold(current)} submitted${o.job.workflow ? ` (workflow ${o.job.workflow})` : ""} to ${where} on ${o.ref}: ${url}\n`,
          );
          started = now();
        },
        onState: (run) =>
          phase(run.status === "completed" ? `completed: ${run.conclusion ?? "?"}` : run.status),
        onJob: ({ job }) => tellJob(job),
        onResume: (r) => {
          current = r.runName;
          phase(
            `${r.lostRunName}: ${r.evidence}; dispatched again as ${r.runName} (attempt ${r.attempt})${r.deps.length > 0 ? `, resuming from the artifacts of ${r.deps.join(", ")}` : ", nothing saved to resume from"}`,
          );
        },
        onCancel: (result) => {
          cancel = result;
        },
      });
    } catch (e) {
      if (!interrupt.signal.aborted) throw url === undefined ? refused(e) : e;
      if (url === undefined) return stoppedBeforeDispatch();
      if (cancel instanceof GitHubError) throw cancel;
      ctx.stderr(
        cancel === "already-completed"
          ? `\n${interrupted()}: ${runName} had already completed: ${url}\n`
          : `\n${interrupted()}: cancelling ${runName}; GitHub marks workflow run ${workflowRunId} cancelled shortly (artifacts saved so far are kept): ${url}\n`,
      );
      return signalExit();
    }

    for (const j of followed.jobs) {
      if (j.conclusion === "skipped" || !j.runnerName) continue;
      ctx.stderr(`${color.cyan(`==> log of job ${JSON.stringify(j.name)}`)}\n`);
      try {
        const log = await fetchJobLog(s.client, { owner, repo, jobId: j.id });
        for (const line of log.replace(/\r?\n$/, "").split(/\r?\n/)) {
          ctx.stdout(`${withoutTimestamp(line)}\n`);
        }
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
      `${followed.runName} ${status}: workflow run ${followed.conclusion ?? "?"} (${formatDuration(now() - started, { tenths: true })}) ${url}\n`,
    );
    return code;
  } finally {
    interrupt.dispose();
  }

  /** Ctrl-C or SIGTERM before GitHub confirmed the dispatch: nothing known to cancel. */
  function stoppedBeforeDispatch(): number {
    ctx.stderr(
      `\n${interrupted()}: stopped before GitHub confirmed the dispatch of ${runName}; if it started, dstack ps --remote lists it\n`,
    );
    return signalExit();
  }
}
