/**
 * `dstack-runner hook job-started`: locks this runner's GPUs for the job and exports them to its
 * steps, or refuses the job.
 *
 * @module
 */

import {
  acquireLocks,
  DRIVER_FIX,
  findJobOwnerPid,
  type GpuDetail,
  gpuJobEnv,
  HostError,
  RUNNER_GPUS_ENV,
  readComputeApps,
  readGpuInventory,
  readRunnerGpus,
  releaseLocks,
} from "@dstack/host";
import { appendGithubEnv, HIDE_GPUS_LINES } from "./github-env.js";
import { resolveGpus, troubles } from "./gpu-selection.js";
import { gpuName, HookError, type HookOptions, hookContext, jobLabel } from "./hook-context.js";
import { describeProcess } from "./process-reaping.js";

/**
 * The runner's GPUs from `DSTACK_RUNNER_GPUS`; a malformed value is the hook's `bad-env`.
 *
 * @throws {@link HookError} `bad-env`.
 */
function runnerGpus(env: NodeJS.ProcessEnv) {
  try {
    return readRunnerGpus(env);
  } catch (error) {
    if (error instanceof HostError && error.code === "bad-env") {
      throw new HookError("bad-env", error.message, { cause: error });
    }
    throw error;
  }
}

/** A GPU of this instance, as nvidia-smi lists it. */
export type HookGpu = GpuDetail;

/** What {@link jobStarted} did. */
export interface JobStartedResult {
  /** Every line it printed, in order. */
  lines: string[];
  /** This instance's GPUs, in nvidia-smi index order; `[]` on CPU runners. */
  gpus: HookGpu[];
  /** The UUIDs it locked. */
  locked: string[];
  /** The lines appended to `GITHUB_ENV` (`NAME=value`); `[]` when none. */
  githubEnv: string[];
}

/**
 * Guards a job before its steps run, on the GPUs of this runner instance.
 *
 * In order:
 * 1. `GITHUB_ENV` and `RUNNER_NAME` must be set (they are in a runner hook);
 * 2. `DSTACK_RUNNER_GPUS` (`readRunnerGpus` of `@dstack/host`): `none`/empty: appends
 *    {@link HIDE_GPUS_LINES} to `GITHUB_ENV` and returns (nothing to lock);
 * 3. the GPU list (nvidia-smi `--query-gpu=index,name,memory.total,uuid`). Unset variable and no
 *    GPU (nvidia-smi not installed, or "No devices were found"): a CPU runner, nothing locked,
 *    nothing exported; the job's environment is left as it is. Otherwise every GPU of the
 *    instance must be listed and answering;
 * 4. host-wide locks on those GPUs, all or none (`acquireLocks` of `@dstack/host`): stale locks of
 *    dead owners are taken over with a note; a lock of another live runner refuses the job;
 * 5. `--query-compute-apps=gpu_uuid,pid,used_memory`: any process on those GPUs refuses the job
 *    (no stray process may hold memory on a GPU a job is given);
 * 6. appends to the `GITHUB_ENV` file `CUDA_VISIBLE_DEVICES=<indexes>`,
 *    `CUDA_DEVICE_ORDER=PCI_BUS_ID` (so CUDA numbers GPUs as nvidia-smi does, by PCI bus, not
 *    fastest first) and `NVIDIA_VISIBLE_DEVICES=<uuids>` (for containers run with the NVIDIA
 *    runtime), in index order, comma-separated.
 *
 * On any refusal or failure the locks taken are released and, when `GITHUB_ENV` is writable,
 * {@link HIDE_GPUS_LINES} are appended: the runner still applies environment files of a failed
 * hook, and steps with `if: always()` have been seen to run after one
 * (https://github.com/actions/runner/issues/2811), so they get no GPU rather than all of them.
 *
 * @returns the lines printed (the job log), the GPUs, the locks and the `GITHUB_ENV` lines.
 * @throws {@link HookError} (`bad-env`, `gpu-missing`, `gpu-busy`, `github-env`),
 *   {@link HostError} `gpu-driver` (nvidia-smi installed but failing, hung or killed; or not
 *   installed while `DSTACK_RUNNER_GPUS` names GPUs), `LockError` (`held`: another runner's live
 *   job holds a GPU; `lock-dir`; `mutex`). Messages are one line naming the GPU, the process or
 *   runner and its pid, and what to do.
 */
export async function jobStarted(options: HookOptions = {}): Promise<JobStartedResult> {
  const ctx = hookContext(options, "job-started");
  const { env, say } = ctx;
  const githubEnv = env.GITHUB_ENV ?? "";
  if (githubEnv.trim() === "") {
    throw new HookError(
      "github-env",
      "GITHUB_ENV is not set: dstack-runner hook job-started runs as the runner's job-started hook (ACTIONS_RUNNER_HOOK_JOB_STARTED, see dstack-runner install-hooks), where the runner sets it",
    );
  }
  const result: JobStartedResult = { lines: ctx.lines, gpus: [], locked: [], githubEnv: [] };
  let ownerPid: number | undefined;
  try {
    const selection = runnerGpus(env);
    if (selection.kind === "none") {
      appendGithubEnv(githubEnv, HIDE_GPUS_LINES);
      result.githubEnv = [...HIDE_GPUS_LINES];
      say(
        `runner ${JSON.stringify(ctx.runner)} has no GPU (${RUNNER_GPUS_ENV}=${env[RUNNER_GPUS_ENV]}): GPUs hidden from the job with ${HIDE_GPUS_LINES.join(" ")}`,
      );
      return result;
    }
    const inv = await readGpuInventory(ctx.smi);
    if (
      selection.kind === "list" &&
      inv.gpus.length === 0 &&
      inv.broken.length === 0 &&
      inv.none !== undefined
    ) {
      throw new HostError(
        "gpu-driver",
        `${RUNNER_GPUS_ENV}=${env[RUNNER_GPUS_ENV]} names GPUs, but ${inv.none}; ${DRIVER_FIX}`,
      );
    }
    if (
      selection.kind === "all" &&
      inv.gpus.length === 0 &&
      inv.broken.length === 0 &&
      inv.complaint === undefined
    ) {
      const why = inv.none ?? `${ctx.smi.command} lists no GPU`;
      say(`no NVIDIA GPU on this host (${why}): nothing to lock, nothing exported`);
      return result;
    }
    const gpus = resolveGpus(selection, inv, ctx.smi.command);
    result.gpus = gpus;
    const trouble = troubles(inv, ctx.smi.command);
    if (trouble.length > 0) {
      ctx.warn(
        `a GPU of this host that this runner does not use is not answering (${trouble.join("; ")}); this job's GPUs answer`,
      );
    }
    const owner =
      options.ownerPid === undefined
        ? findJobOwnerPid()
        : { pid: options.ownerPid, how: "given" as const };
    ownerPid = owner.pid;
    const job = jobLabel(env);
    say(
      `runner ${JSON.stringify(ctx.runner)}, ${job}: locking ${gpus.length} GPU${gpus.length === 1 ? "" : "s"} for the job's owner, pid ${owner.pid} (${owner.how})`,
    );
    const uuids = gpus.map((g) => g.uuid);
    const taken = await acquireLocks({
      lockDir: ctx.lockDir,
      uuids,
      runner: ctx.runner,
      job,
      ownerPid: owner.pid,
      now: ctx.now,
    });
    result.locked = taken.locked;
    for (const note of taken.notes) {
      say(`note: ${note}`);
    }
    const ours = new Set(uuids);
    const busy = (
      await readComputeApps({
        ...ctx.smi,
        ...(inv.complaintLine === undefined ? {} : { tolerated: inv.complaintLine }),
      })
    ).filter((p) => ours.has(p.uuid));
    if (busy.length > 0) {
      const byGpu = gpus
        .map((g) => {
          const procs = busy.filter((p) => p.uuid === g.uuid);
          return procs.length === 0
            ? undefined
            : `${gpuName(g)} is busy: ${procs.map(describeProcess).join(", ")}`;
        })
        .filter((s): s is string => s !== undefined);
      throw new HookError(
        "gpu-busy",
        `${byGpu.join("; ")}; the job was not started: end that process or wait for it, then re-run the job`,
      );
    }
    const lines = Object.entries(gpuJobEnv(gpus)).map(([name, value]) => `${name}=${value}`);
    appendGithubEnv(githubEnv, lines);
    result.githubEnv = lines;
    for (const gpu of gpus) {
      say(`${gpuName(gpu)} ${gpu.name}: free, locked for this job`);
    }
    say(`exported to the job's steps (GITHUB_ENV): ${lines.join(" ")}`);
    return result;
  } catch (error) {
    if (result.locked.length > 0) {
      try {
        await releaseLocks({
          lockDir: ctx.lockDir,
          uuids: result.locked,
          runner: ctx.runner,
          ...(ownerPid === undefined ? {} : { ownerPid }),
        });
        result.locked = [];
      } catch (release) {
        ctx.warn(`could not release the GPU locks: ${(release as Error).message}`);
      }
    }
    if (!(error instanceof HookError && error.code === "github-env")) {
      try {
        appendGithubEnv(githubEnv, HIDE_GPUS_LINES);
      } catch {
        // best effort: the refusal below is what matters
      }
    }
    throw error;
  }
}
