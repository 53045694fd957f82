/**
 * Runs one submitted run of the local store to its end: host check, deps, interpreter, venv,
 * before_run, the Python file, artifacts; the run's status and log kept up to date throughout.
 *
 * @module
 */
import { createWriteStream, existsSync, readFileSync } from "node:fs";
import { rm } from "node:fs/promises";
import { delimiter, dirname, join, resolve } from "node:path";
import {
  type LocalStore,
  type RemoteArtifacts,
  type RunStatus,
  startArtifactsBridge,
} from "@dstack/artifacts";
import { checkResources, formatHostFacts, type HostReport, readHostFacts } from "@dstack/host";
import { PYTHON_PATH } from "@dstack/python";
import { formatCount, formatSize, type Job } from "@dstack/spec";
import { findInterpreter } from "./interpreter.js";
import { jobEnvironment } from "./job-env.js";
import { type LocalGpus, takeLocalGpus } from "./local-gpus.js";
import { explainExit, type ProcessEnd, runSupervised } from "./process.js";
import { processRef } from "./supervision.js";
import { ensureVenv } from "./venv.js";
import { makeWorkingCopy, type WorkingCopy } from "./working-copy.js";

/** The phases of a run, in order; each is a log group in the action and a header here. */
export type Phase = "host" | "deps" | "python" | "venv" | "before_run" | "run" | "artifacts";

/** Where a run's output goes besides its log file. */
export interface RunOutput {
  /** A phase starts. */
  phase(phase: Phase, title: string): void;
  /** A line the job (or pip, or before_run) printed. */
  line(text: string): void;
  /** A line of dstack's own (what it found, what it did). */
  info(text: string): void;
}

/** Options of {@link runJob}. */
export interface RunJobOptions {
  /** The store holding the run (already created, status `submitted`). */
  store: LocalStore;
  /** The run to execute. */
  runName: string;
  /** `DSTACK_HOME` (venvs are cached in `<home>/venvs`, or `<home>/venvs-untrusted`). */
  home: string;
  /**
   * The caller's environment (`process.env`). The job, its `before_run` and pip start from it
   * without the caller's credentials ({@link jobEnvironment}: no `ACTIONS_*`, `INPUT_*`,
   * `GITHUB_TOKEN`, `GH_TOKEN`, `GITHUB_ENV`, `GITHUB_PATH`, nor any value holding one of
   * `secrets`); the job's own `environment:` goes over it.
   */
  env: NodeJS.ProcessEnv;
  /**
   * Secret values the caller holds (the action's `github-token` input): a variable whose value
   * holds one never reaches the job, whatever its name.
   */
  secrets?: readonly string[];
  /**
   * The job runs code that is not on the default branch (a pull-request command, a `sha` or `ref`
   * from repository_dispatch). Its venvs live in `<home>/venvs-untrusted`, which trusted runs
   * never read, and it neither reads nor writes the trusted `<home>/venvs`; the interpreter probe
   * cache under `home` is neither read nor written. Default `false`.
   */
  untrusted?: boolean;
  /** Live output; the log file gets the same lines with timestamps. */
  out: RunOutput;
  /**
   * Run in a copy of the repository of the run's own (see `makeWorkingCopy`), removed at the
   * end: what a runner's checkout would hold, `deps` placed there, artifacts saved from there.
   * For `dstack run` here; a runner's checkout is a copy already. Default `false`.
   */
  workingCopy?: boolean;
  /**
   * `dstack run --tag TAG`: point TAG at the run once it is `done` (its artifacts saved), logged
   * in the run's log; a tag that cannot be set makes the run `failed`. A run that fails or is
   * stopped leaves the tag where it was.
   */
  tag?: string;
  /** Aborting it stops the run: its reason (`SIGINT`, `SIGTERM`) goes to the job's process group. */
  stop?: AbortSignal;
  /** Milliseconds between the forwarded signal and `SIGKILL`. Default 10 000. */
  graceMs?: number;
  /** Host facts, when the caller read them already (tests inject recorded ones). */
  host?: HostReport;
  /**
   * Where the job's own `dstack.artifacts` uploads and downloads go instead of `store`: on a
   * runner, the GitHub store (see `startArtifactsBridge`'s `remote`). The artifacts folders of
   * the job (`artifacts:`) are still saved to `store`; the caller moves them on.
   */
  remote?: RemoteArtifacts;
}

/** How a run ended. */
export interface RunResult {
  /** `done`, `failed` or `stopped`. */
  status: Extract<RunStatus, "done" | "failed" | "stopped">;
  /**
   * The exit code of the job's process when it ran and exited, or of `before_run` when that
   * failed.
   */
  exitCode?: number;
  /** The signal that ended the job's process (or a failed `before_run`), e.g. `SIGSEGV`. */
  signal?: string;
  /** One line: why it ended (`exited with 0`, `pip install ... failed`, a missing resource). */
  message: string;
  /** The host facts the resources were checked against, once read. */
  host?: HostReport;
  /** The interpreter the job ran with, once found: version (`3.11.9`) and path. */
  python?: { version: string; path: string };
  /** Milliseconds each phase took, in the order they ran (a phase that did not run is absent). */
  phases: { phase: Phase; title: string; ms: number }[];
}

/** A failure before the job's process ran: stops the run with this message. */
class PhaseError extends Error {
  /** How the failing process ended (`before_run`), when one ran. */
  end?: ProcessEnd;
}

/**
 * Executes a submitted run and records its end. Never leaves the run marked `running` or
 * `uploading`: whatever fails, the run ends `failed` (or `stopped`) with a one-line message, and
 * the artifacts folders are saved whenever the job's process started (also after a failure or a
 * stop, so checkpoints survive).
 *
 * @returns the run's end; throws only when the store itself cannot be written.
 */
export async function runJob(options: RunJobOptions): Promise<RunResult> {
  const { store, runName, out } = options;
  const record = await store.getRun(runName);
  if (!record.job) {
    throw new Error(`${runName} holds uploaded artifacts, not a job to run`);
  }
  const job: Job = record.job;
  // With a working copy, everything below runs in the copy (see makeWorkingCopy).
  let repoDir = record.repoDir;
  let copy: WorkingCopy | undefined;
  const temps: string[] = [];
  const log = createWriteStream(store.logPath(runName), { flags: "a" });
  const stamp = (text: string) => log.write(`${new Date().toISOString()} ${text}\n`);
  const info = (text: string) => {
    stamp(`[dstack] ${text}`);
    out.info(text);
  };
  const line = (text: string) => {
    stamp(text);
    out.line(text);
  };
  const phases: RunResult["phases"] = [];
  let phaseStart = Date.now();
  const closePhase = () => {
    const last = phases.at(-1);
    if (last && last.ms < 0) last.ms = Date.now() - phaseStart;
  };
  const phase = (p: Phase, title: string) => {
    closePhase();
    phaseStart = Date.now();
    phases.push({ phase: p, title, ms: -1 });
    stamp(`[dstack] == ${title}`);
    out.phase(p, title);
  };
  let host: HostReport | undefined;
  let localGpus: LocalGpus | undefined;
  let interpreterFound: RunResult["python"];
  const stopped = () => options.stop?.aborted === true;
  const untrusted = options.untrusted === true;
  // What every process of the run starts from: the caller's environment less its credentials
  // (the interpreter probe and pip), then the job's own literal `environment:` values (before_run
  // and the job).
  const secrets = options.secrets ? { secrets: options.secrets } : {};
  const callerEnv = jobEnvironment({ parent: options.env, ...secrets });
  const baseEnv = jobEnvironment({ parent: options.env, job: job.environment, ...secrets });

  const copyTo = options.workingCopy ? join(store.runDir(runName), "dstack-work") : undefined;
  if (copyTo !== undefined) temps.push(copyTo);
  await store.updateRun(runName, {
    status: "running",
    startedAt: new Date().toISOString(),
    pid: process.pid,
    supervisor: processRef(process.pid),
    ...(temps.length > 0 ? { tempDirs: [...temps] } : {}),
  });
  // The job's process group is recorded as each process starts, so that a later command can end
  // it if this process dies without doing so (see reconcileRun).
  const recording: Promise<unknown>[] = [];
  const recordGroup = (pid: number) => {
    recording.push(store.updateRun(runName, { jobGroup: processRef(pid) }).catch(() => undefined));
  };
  let end: ProcessEnd | undefined;
  let result: RunResult;
  let bridge: Awaited<ReturnType<typeof startArtifactsBridge>> | undefined;
  try {
    phase("host", "Checking this host");
    // The part of the host this runner owns (DSTACK_RUNNER_GPUS and its share), the same part its
    // labels advertise. A failing nvidia-smi only stops jobs that ask for GPUs.
    host =
      options.host ??
      (await readHostFacts({
        env: options.env,
        runnerShare: true,
        gpuFailure: job.resources.gpu === undefined ? "warn" : "throw",
      }));
    info(formatHostFacts(host));
    for (const warning of host.warnings ?? []) info(`warning: ${warning}`);
    const check = checkResources(job.resources, host);
    if (!check.ok) throw new PhaseError(`this host cannot run the job: ${check.message}`);
    // Here (not on a runner, whose job-started hook has locked the runner's GPUs), the run takes
    // the GPUs it asked for with the host's per-GPU locks, released when it ends.
    if (job.resources.gpu !== undefined && options.env.GITHUB_ACTIONS !== "true") {
      localGpus = await takeLocalGpus({
        request: job.resources.gpu,
        host,
        env: options.env,
        home: options.home,
        runName,
      }).catch((e: unknown) => {
        throw new PhaseError(`this host cannot run the job now: ${(e as Error).message}`);
      });
      if (localGpus) {
        for (const note of localGpus.notes) info(note);
        Object.assign(callerEnv, localGpus.env);
        Object.assign(baseEnv, localGpus.env);
      }
    }

    if (copyTo !== undefined) {
      copy = await makeWorkingCopy({ from: record.repoDir, to: copyTo, env: options.env });
      info(
        `working copy: ${formatCount(copy.files, "file")} (${copy.selection === "git" ? "tracked, and untracked that git does not ignore" : "not a git work tree: every file"}), the run's own; only its artifacts are kept`,
      );
      repoDir = copy.dir;
    }
    const notCopied =
      copy?.selection === "git"
        ? " of the run's working copy (git ignores it? a run sees tracked files and untracked ones that git does not ignore)"
        : "";

    const workDir = resolve(repoDir, job.workingDir);
    if (!existsSync(workDir)) {
      throw new PhaseError(`working_dir: ${job.workingDir} does not exist${notCopied}`);
    }
    const file = join(workDir, job.file);
    if (!existsSync(file)) {
      throw new PhaseError(`file: ${job.file} does not exist in ${job.workingDir}${notCopied}`);
    }

    if (job.deps.length > 0) {
      phase("deps", "Placing the artifacts of deps");
      for (const [i, dep] of job.deps.entries()) {
        // A run or tag the store cannot give (unknown, expired, untrusted) fails the run with
        // the store's reason after the field path of the dep: `deps[0].run: no run "x" ...`.
        const field = `deps[${i}].${"run" in dep ? "run" : "tag" in dep ? "tag" : "workflow"}`;
        const named = (e: unknown): never => {
          if (e instanceof PhaseError) throw e;
          throw new PhaseError(`${field}: ${e instanceof Error ? e.message : String(e)}`);
        };
        if (options.remote) {
          // On a runner the deps come from the GitHub store, which finds runs by tag or by name
          // (`run`: an earlier attempt of a resumed job, whatever its end).
          if ("workflow" in dep) {
            throw new PhaseError(
              `deps: workflow ${dep.workflow}: on a runner, deps name a tag (deps: - tag: NAME), since the GitHub store finds runs by tag; tag the runs of ${dep.workflow} (the tag input of dstack/run-python) and name that tag`,
            );
          }
          const ref = "run" in dep ? { run: dep.run } : { tag: dep.tag };
          const got = await options.remote
            .downloadArtifacts(ref, { localPath: repoDir })
            .catch(named);
          info(
            `${"run" in dep ? `run ${dep.run}` : `tag ${dep.tag}`}: artifacts of ${got.runName} placed in the repository`,
          );
          continue;
        }
        const source =
          "run" in dep
            ? dep.run
            : "tag" in dep
              ? await store
                  .getTag(dep.tag)
                  .then((t) => t.runName)
                  .catch(named)
              : await store.latestSuccessfulRun(dep.workflow).then((r) => {
                  if (!r) {
                    throw new PhaseError(
                      `deps: workflow ${dep.workflow} has no successful run yet; run it first: dstack run ${dep.workflow}`,
                    );
                  }
                  return r.runName;
                });
        await store
          .downloadArtifacts({ run: source }, { artifactPath: "", localPath: repoDir })
          .catch(named);
        info(
          `${"run" in dep ? `run ${dep.run}` : "tag" in dep ? `tag ${dep.tag}` : `workflow ${dep.workflow}`}: artifacts of ${source} placed in the repository`,
        );
      }
    }

    phase("python", "Finding Python");
    const interpreter = await findInterpreter({
      ...(job.version !== undefined ? { version: job.version } : {}),
      env: callerEnv,
      // An untrusted run's probe answers are not kept: they would steer later trusted runs.
      ...(untrusted ? {} : { cacheDir: options.home }),
      cwd: workDir,
    });
    interpreterFound = { version: interpreter.version, path: interpreter.path };
    info(
      `Python ${interpreter.version} (${interpreter.path}, from ${interpreter.source})${job.version === undefined ? "; no version: asked, so the host's python3" : ""}`,
    );

    let python = interpreter.path;
    const pathPrefix: string[] = [];
    const venvEnv: Record<string, string> = {};
    if (job.requirements !== undefined) {
      phase("venv", "Preparing the environment");
      const reqPath = join(workDir, job.requirements);
      if (!existsSync(reqPath)) {
        throw new PhaseError(
          `requirements: ${job.requirements} does not exist in ${job.workingDir}`,
        );
      }
      const venv = await ensureVenv({
        home: options.home,
        interpreter,
        requirements: { path: reqPath, text: readFileSync(reqPath, "utf8") },
        cwd: workDir,
        env: callerEnv,
        untrusted,
        onLine: line,
        onWait: (dir) => info(`waiting for the venv another run is building (${dir})`),
      });
      info(`${venv.reused ? "reused" : "created"} venv ${venv.dir}`);
      python = venv.python;
      pathPrefix.push(join(venv.dir, "bin"));
      venvEnv.VIRTUAL_ENV = venv.dir;
    }
    if (stopped()) throw new PhaseError("stopped before the job started");

    bridge = await startArtifactsBridge({
      store,
      runName,
      onTag: ({ tag, run, previous }) =>
        info(
          previous !== undefined && previous !== run
            ? `the job moved tag ${tag} from ${previous} to ${run}`
            : `the job pointed tag ${tag} at ${run}`,
        ),
      ...(options.remote ? { remote: options.remote } : {}),
    });
    temps.push(dirname(bridge.socketPath));
    await store.updateRun(runName, { tempDirs: [...temps] });
    const env: NodeJS.ProcessEnv = {
      ...baseEnv,
      // The dstack module is imported from this package's folder: no __pycache__ written there.
      ...(Object.hasOwn(job.environment, "PYTHONDONTWRITEBYTECODE")
        ? {}
        : { PYTHONDONTWRITEBYTECODE: "1" }),
      ...venvEnv,
      // The job reaches its artifacts through this socket; the credentials stay in this process.
      ...bridge.env,
      PATH: [...pathPrefix, options.env.PATH ?? ""].filter(Boolean).join(delimiter),
      PYTHONPATH: [PYTHON_PATH, baseEnv.PYTHONPATH].filter(Boolean).join(delimiter),
      PYTHONUNBUFFERED: "1",
      DSTACK_RUN_NAME: runName,
      DSTACK_REPO_DIR: repoDir,
      ...(job.workflow ? { DSTACK_WORKFLOW: job.workflow } : {}),
    };

    if (job.beforeRun.length > 0) {
      phase("before_run", "Running before_run");
      const b = await runSupervised({
        file: "bash",
        args: ["-e", "-c", job.beforeRun.join("\n")],
        cwd: workDir,
        env,
        onLine: line,
        onStart: recordGroup,
        ...(options.stop ? { stop: options.stop } : {}),
        ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
      });
      if (b.stopped) throw new PhaseError(`stopped during before_run (${explainExit(b)})`);
      if (b.exitCode !== 0) {
        const failed = new PhaseError(`before_run failed: ${explainExit(b)}`);
        failed.end = b;
        throw failed;
      }
    }

    phase("run", `Running python ${job.file}`);
    end = await runSupervised({
      file: python,
      args: [job.file, ...job.args],
      cwd: workDir,
      env,
      onLine: line,
      onStart: recordGroup,
      ...(options.stop ? { stop: options.stop } : {}),
      ...(options.graceMs !== undefined ? { graceMs: options.graceMs } : {}),
    });
    const message = explainExit(end);
    result = {
      status: end.stopped ? "stopped" : end.exitCode === 0 ? "done" : "failed",
      ...(end.exitCode !== undefined ? { exitCode: end.exitCode } : {}),
      ...(end.signal !== undefined ? { signal: end.signal } : {}),
      message,
      phases,
    };
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    const failedEnd = e instanceof PhaseError ? e.end : undefined;
    result = {
      status: stopped() ? "stopped" : "failed",
      ...(failedEnd?.exitCode !== undefined ? { exitCode: failedEnd.exitCode } : {}),
      ...(failedEnd?.signal !== undefined ? { signal: failedEnd.signal } : {}),
      message,
      phases,
    };
  } finally {
    await bridge?.close();
    await Promise.all(recording);
    await localGpus?.release().catch((e: unknown) => {
      info(`warning: could not release the run's GPU locks: ${(e as Error).message}`);
    });
  }

  // Artifacts are saved whenever the job's process ran, also after a failure or a stop.
  if (end && job.artifacts.length > 0) {
    await store.updateRun(runName, { status: "uploading" });
    phase("artifacts", "Saving artifacts");
    try {
      const saved = await store.saveArtifacts(runName, { repoDir, paths: job.artifacts });
      for (const a of saved.saved) {
        info(`saved ${a.path}: ${formatCount(a.files, "file")}, ${formatSize(a.bytes)}`);
      }
      for (const m of saved.missing) info(`artifacts: ${m} does not exist; nothing saved for it`);
      if (saved.refused.length > 0) {
        // A warning: the job's own status stands, and everything else was saved.
        const n = saved.refused.length;
        info(
          `warning: artifacts: left out ${n === 1 ? "a symbolic link" : `${n} symbolic links`} leading out of the repository: ${saved.refused.join(", ")}; copy what ${n === 1 ? "it points" : "they point"} at into the repository to keep it`,
        );
      }
    } catch (e) {
      info(`artifacts: ${(e as Error).message}`);
      if (result.status === "done") {
        result = { status: "failed", message: (e as Error).message, phases };
      }
    }
  }
  if (copy) await rm(copy.dir, { recursive: true, force: true }).catch(() => undefined);
  if (options.tag !== undefined && result.status === "done") {
    try {
      const { previous } = await store.setTag(options.tag, runName);
      info(
        previous !== undefined && previous !== runName
          ? `tag ${options.tag} moved from ${previous} to ${runName}`
          : `tag ${options.tag} -> ${runName}`,
      );
    } catch (e) {
      const message = `the job succeeded, but tag ${options.tag} could not be set: ${(e as Error).message}`;
      result = { ...result, status: "failed", message };
    }
  }
  closePhase();
  if (host) result.host = host;
  if (interpreterFound) result.python = interpreterFound;
  info(`${result.status}: ${result.message}`);
  await store.updateRun(runName, {
    status: result.status,
    finishedAt: new Date().toISOString(),
    message: result.message,
    ...(result.exitCode !== undefined ? { exitCode: result.exitCode } : {}),
    ...(result.signal !== undefined ? { signal: result.signal } : {}),
    pid: undefined,
    jobGroup: undefined,
    tempDirs: undefined,
  });
  await new Promise<void>((done) => log.end(done));
  return result;
}
