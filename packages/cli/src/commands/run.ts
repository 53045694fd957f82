/**
 * `dstack run` here: parse with the spec grammar, create the run in the local store, then execute
 * it attached (live logs, the job's exit status) or detached (`-d`: a background dstack process).
 *
 * @module
 */
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { constants } from "node:os";
import { join, relative } from "node:path";
import { isValidName, LocalStore } from "@dstack/artifacts";
import { processRef, type RunOutput, reconcileRun, runJob } from "@dstack/executor";
import {
  formatDiagnostic,
  parseRunArgv,
  parseWorkflows,
  RUN_USAGE,
  runCommandJob,
  WORKFLOWS_DIR,
  WORKFLOWS_FILE,
} from "@dstack/spec";
import { loadWorkflows } from "@dstack/spec/node";
import pc from "picocolors";
import {
  CliError,
  DSTACK_BIN,
  dstackHome,
  findRepoDir,
  type RunContext,
  repoStore,
} from "../context.js";
import { formatDuration } from "../format.js";

/**
 * `dstack run WORKFLOW|python FILE ...`; with `--remote`, the same job is dispatched to the
 * repository's runner workflow on GitHub instead (see `remoteRunCommand`). When options after
 * FILE were taken as dstack's, the grammar's one warning line is printed on stderr first.
 *
 * @returns when attached, the exit status a shell would give: 0 done; the job's own code when it
 *   failed (or `before_run`'s), 128 + the signal's number when a signal ended it (SIGSEGV 139);
 *   when stopped, 128 + the signal dstack got (Ctrl-C 130, SIGTERM 143, a hang-up 129); 1 when it
 *   failed before any process ran. 0 when detached, 2 for a usage mistake.
 * @throws {@link CliError} for invalid workflows files or an unusable DSTACK_HOME; `WorkflowsFileError`
 * (from `@dstack/executor`) when a workflows file is missing or unreadable.
 */
export async function runCommand(argv: readonly string[], ctx: RunContext): Promise<number> {
  const parsed = parseRunArgv(argv);
  if ("errors" in parsed) {
    for (const e of parsed.errors) ctx.stderr(`${formatDiagnostic(e)}\n`);
    return 2;
  }
  const { command } = parsed;
  // Options after FILE taken as dstack's: said once, before anything else is printed.
  if (parsed.warning) ctx.stderr(`${formatDiagnostic(parsed.warning)}\n`);
  if (command.help) {
    ctx.stdout(`${RUN_USAGE}\n`);
    return 0;
  }
  const repoDir = findRepoDir(ctx.cwd);
  const hasWorkflows =
    existsSync(join(repoDir, WORKFLOWS_FILE)) || existsSync(join(repoDir, WORKFLOWS_DIR));
  const workflows = hasWorkflows ? loadWorkflows(repoDir, ctx.cwd) : parseWorkflows({ files: [] });
  if (command.target !== "python") {
    if (!hasWorkflows) {
      throw new CliError(
        `${command.target.workflow}: no ${WORKFLOWS_FILE} in ${repoDir}; for a file, write dstack run python ${command.target.workflow}`,
      );
    }
    for (const d of workflows.diagnostics) ctx.stderr(`${formatDiagnostic(d)}\n`);
    const name = command.target.workflow;
    const invalid = workflows.diagnostics.filter(
      (d) => d.severity === "error" && d.workflow === name,
    );
    if (invalid.length > 0 && !workflows.jobs.some((j) => j.workflow === name)) {
      // The errors above are the whole story: the workflow exists but is not valid.
      throw new CliError(
        `${name}: not valid (${invalid.length} error${invalid.length === 1 ? "" : "s"} above); fix ${invalid.length === 1 ? "it" : "them"} and run again (dstack validate checks every workflow)`,
      );
    }
  }
  // A file named on the command line is relative to where the user is.
  if (command.target === "python" && command.overrides.working_dir === undefined) {
    const here = relative(repoDir, ctx.cwd);
    if (here) command.overrides.working_dir = here;
  }
  const resolved = runCommandJob({ command, workflows: workflows.jobs });
  if ("errors" in resolved) {
    for (const e of resolved.errors) ctx.stderr(`${formatDiagnostic(e)}\n`);
    return 2;
  }
  const { job } = resolved;
  const file = join(repoDir, job.workingDir, job.file);
  if (!existsSync(file)) {
    throw new CliError(`${relative(ctx.cwd, file) || file}: no such file`);
  }
  if (command.remote) {
    const { remoteRunCommand } = await import("../remote/run.js");
    return remoteRunCommand({ job, remote: command.remote, detach: command.detach, repoDir }, ctx);
  }

  if (command.tag !== undefined && !isValidName(command.tag)) {
    throw new CliError(
      `--tag: ${JSON.stringify(command.tag)} is not a valid tag name; use letters, digits, ".", "_" and "-", starting with a letter or digit`,
      2,
    );
  }
  const store = await repoStore({ cwd: repoDir, env: ctx.env });
  // Runs whose dstack process died are ended first, so their jobs do not hold what this one
  // needs; only the runs not final can be such runs (finished ones are not read).
  await Promise.all(
    (await store.listActiveRuns()).map((r) =>
      reconcileRun(store, r, { env: ctx.env }).catch(() => undefined),
    ),
  );
  const record = await store.createRun({
    workflow: job.workflow,
    job,
    repoDir,
    supervisor: processRef(process.pid),
  });
  const runName = record.runName;

  if (command.detach) {
    // The background process writes the run's log itself (runJob), so its own output is dropped.
    const execArgs = [DSTACK_BIN, "__exec", runName, store.home];
    if (command.tag !== undefined) execArgs.push(command.tag);
    const child = spawn(process.execPath, execArgs, {
      cwd: repoDir,
      env: ctx.env,
      detached: true,
      stdio: "ignore",
    });
    child.unref();
    if (child.pid !== undefined) {
      await store.updateRun(runName, { pid: child.pid, supervisor: processRef(child.pid) });
    }
    ctx.stdout(`${runName}\n`);
    return 0;
  }

  ctx.stderr(
    `${pc.createColors(ctx.isTTY).bold(runName)} submitted${job.workflow ? ` (workflow ${job.workflow})` : ""}\n`,
  );
  return executeRun(
    runName,
    ctx,
    store.home,
    command.tag !== undefined ? { tag: command.tag } : {},
  );
}

/**
 * Runs a submitted run of the store at `storeDir` (default: the current repository's) in this process, printing its output; Ctrl-C and SIGTERM stop the job
 * (forwarded to its process group, then a kill after a 10 s grace period). Used by attached
 * `dstack run` and by the background process of `dstack run -d` (`dstack __exec RUN STORE [TAG]`).
 * With `options.tag` (`--tag`), the tag points at the run once it is done.
 *
 * @returns the exit status, as {@link runCommand} documents.
 */
export async function executeRun(
  runName: string,
  ctx: RunContext,
  storeDir?: string,
  options: { tag?: string } = {},
): Promise<number> {
  const home = dstackHome(ctx.env);
  const store = storeDir ? new LocalStore({ home: storeDir }) : await repoStore(ctx);
  const color = pc.createColors(ctx.isTTY);
  const started = Date.now();
  const out: RunOutput = {
    phase(_phase, title) {
      const elapsed = formatDuration(Date.now() - started, { tenths: true });
      ctx.stderr(`${color.cyan(`==> ${title}`)} ${color.dim(`(+${elapsed})`)}\n`);
    },
    line: (text) => ctx.stdout(`${text}\n`),
    info: (text) => ctx.stderr(`${color.dim(text)}\n`),
  };
  const controller = new AbortController();
  let received: NodeJS.Signals | undefined;
  // A hang-up (the terminal closed) stops the job like SIGTERM: it gets SIGTERM and its grace
  // period, and the artifacts are saved; printing fails quietly from then on (see processIo).
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    received = signal;
    ctx.stderr(`\n${signal}: stopping ${runName}; the job has 10 s to exit before it is killed\n`);
    controller.abort(signal === "SIGHUP" ? "SIGTERM" : signal);
  };
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  process.on("SIGHUP", onSignal);
  try {
    const result = await runJob({
      store,
      runName,
      home,
      env: ctx.env,
      out,
      stop: controller.signal,
      // The run's files are its own: a copy of what a runner's checkout would hold.
      workingCopy: true,
      ...(options.tag !== undefined ? { tag: options.tag } : {}),
    });
    const status =
      result.status === "done"
        ? color.green("done")
        : result.status === "stopped"
          ? color.yellow("stopped")
          : color.red("failed");
    ctx.stderr(
      `${runName} ${status}: ${result.message} (${formatDuration(Date.now() - started, { tenths: true })})\n`,
    );
    if (result.status === "done") return 0;
    if (result.status === "stopped") return signalStatus(received ?? "SIGINT");
    if (result.exitCode !== undefined && result.exitCode !== 0) return result.exitCode;
    if (result.signal !== undefined) return signalStatus(result.signal);
    return 1;
  } finally {
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
    process.off("SIGHUP", onSignal);
  }
}

/**
 * The exit status a POSIX shell gives a command ended by `signal`: 128 + its number (SIGINT 130,
 * SIGSEGV 139, SIGTERM 143); 1 for a name this system does not know.
 */
function signalStatus(signal: string): number {
  const n = (constants.signals as Record<string, number | undefined>)[signal];
  return n === undefined ? 1 : 128 + n;
}
