/**
 * The runner's job hooks: `dstack-runner hook job-started` and `dstack-runner hook job-completed`.
 *
 * GitHub's self-hosted runner runs the script named by `ACTIONS_RUNNER_HOOK_JOB_STARTED` (an
 * absolute path to a `.sh` file, run as `bash -e <path>`) when a job has been assigned to the
 * runner and before it runs, and the one named by `ACTIONS_RUNNER_HOOK_JOB_COMPLETED` after its
 * steps. Both run as the runner's user, outside any job container, with the job's default
 * variables (`RUNNER_NAME`, `GITHUB_RUN_ID`, `GITHUB_JOB`, …), the environment files
 * (`GITHUB_ENV`: lines written there become environment variables of the job's steps) and the
 * runner's own environment, which includes its `.env` file (read when the runner starts). A
 * job-started hook that exits non-zero fails the job before its steps run. Sources:
 * https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/running-scripts-before-or-after-a-job
 * and the runner's ADR https://github.com/actions/runner/blob/main/docs/adrs/1751-runner-job-hooks.md.
 *
 * **Which GPUs.** A runner instance's GPUs are named by `DSTACK_RUNNER_GPUS` (see
 * {@link parseRunnerGpus}), which `dstack-runner split` writes into the instance's environment
 * (its `.env`). Unset: every GPU of the host.
 *
 * **nvidia-smi.** Three queries, each run without a shell, with the hook's environment, for at
 * most 15 s (`--format=csv,noheader,nounits`: fields separated by `, `, MiB without unit):
 * - `--query-gpu=index,name,memory.total,uuid` ({@link NVIDIA_SMI_ARGS} of `@dstack/host`): the
 *   GPUs, one line each, parsed line by line with `parseNvidiaSmiCsv`;
 * - `--query-compute-apps=gpu_uuid,pid,used_memory`: one line per process with a compute context
 *   on a GPU, nothing when there is none (`used_memory`, alias `used_gpu_memory`: MiB used by the
 *   context; may be `[N/A]`). Pids are those of the host's PID namespace;
 * - `--query-gpu=uuid,memory.used`: MiB allocated per GPU (job-completed's report).
 *
 * @module
 */

import { appendFileSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type GpuDetail,
  HostError,
  NVIDIA_SMI_ARGS,
  NVIDIA_SMI_TIMEOUT_MS,
  parseNvidiaSmiCsv,
  runNvidiaSmi,
} from "@dstack/host";
import {
  acquireLocks,
  ancestorPids,
  findJobOwnerPid,
  isProcessAlive,
  listLocks,
  lockDirFromEnv,
  readProcStat,
  releaseLocks,
} from "./locks.js";

/** The environment variable naming a runner instance's GPUs. */
export const RUNNER_GPUS_ENV = "DSTACK_RUNNER_GPUS";

/** The arguments of the compute-processes query. */
export const COMPUTE_APPS_ARGS: readonly string[] = [
  "--query-compute-apps=gpu_uuid,pid,used_memory",
  "--format=csv,noheader,nounits",
];

/** The arguments of the memory-used query. */
export const MEMORY_USED_ARGS: readonly string[] = [
  "--query-gpu=uuid,memory.used",
  "--format=csv,noheader,nounits",
];

/** How long job-completed waits after SIGTERM before SIGKILL: 10 s (as `dstack stop`). */
export const KILL_GRACE_MS = 10_000;

/**
 * The lines written to `GITHUB_ENV` to hide every GPU from a job: `CUDA_VISIBLE_DEVICES` set to
 * the empty string makes no device visible to CUDA (CUDA programming guide, "CUDA Environment
 * Variables"), and `NVIDIA_VISIBLE_DEVICES=void` gives containers started with the NVIDIA
 * runtime no GPU (NVIDIA Container Toolkit, "Specialized Configurations with Docker").
 */
export const HIDE_GPUS_LINES: readonly string[] = [
  "CUDA_VISIBLE_DEVICES=",
  "NVIDIA_VISIBLE_DEVICES=void",
];

/**
 * What went wrong in a hook (driver failures are {@link HostError} `gpu-driver`, lock conflicts
 * `LockError` `held`):
 * - `bad-env`: `DSTACK_RUNNER_GPUS` or `RUNNER_NAME` is missing or malformed;
 * - `gpu-missing`: a GPU of this instance is not on the host, or is not answering;
 * - `gpu-busy`: a process already holds memory on a GPU of this instance;
 * - `github-env`: `GITHUB_ENV` is not set, or the file cannot be appended to.
 */
export type HookErrorCode = "bad-env" | "gpu-missing" | "gpu-busy" | "github-env";

/** A hook refused the job, or could not do its work. The message is one line. */
export class HookError extends Error {
  override readonly name = "HookError";
  /** See {@link HookErrorCode}. */
  readonly code: HookErrorCode;

  /**
   * @param code - see {@link HookErrorCode}.
   * @param message - one line: what, which GPU or variable, what to do.
   * @param options - `cause`, when there is one.
   */
  constructor(code: HookErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.code = code;
  }
}

/** One GPU named in `DSTACK_RUNNER_GPUS`: by nvidia-smi index, or by UUID. */
export type GpuRef = { index: number } | { uuid: string };

/**
 * A runner instance's GPUs: `all` (the variable is unset: every GPU of the host), `none` (set to
 * the empty string or `none`: a CPU-only instance on a GPU host, whose jobs see no GPU), or a
 * list.
 */
export type GpuSelection = { kind: "all" } | { kind: "none" } | { kind: "list"; refs: GpuRef[] };

const WHOLE = /^\d+$/;
const UUID = /^GPU-[0-9A-Fa-f-]+$/;

function refText(ref: GpuRef): string {
  return "index" in ref ? String(ref.index) : ref.uuid;
}

/**
 * Parses `DSTACK_RUNNER_GPUS`: a comma-separated list of nvidia-smi indexes (`0,1`) and GPU
 * UUIDs (`GPU-3edf87da-6dc2-bd9a-1484-92b81d6e1f89`), spaces around items allowed. UUIDs are
 * safer: indexes follow PCI bus order and shift when a GPU disappears from the bus.
 *
 * @param raw - the variable's value; `undefined` when unset.
 * @returns `all` when unset, `none` when empty or `none`, else the list in the order given.
 * @throws {@link HookError} `bad-env` for an empty item, an item that is neither an index nor a
 *   `GPU-` UUID (MIG devices, `MIG-…`, are not supported), or an item given twice.
 */
export function parseRunnerGpus(raw: string | undefined): GpuSelection {
  if (raw === undefined) {
    return { kind: "all" };
  }
  const text = raw.trim();
  if (text === "" || text.toLowerCase() === "none") {
    return { kind: "none" };
  }
  const refs: GpuRef[] = [];
  const seen = new Set<string>();
  for (const part of text.split(",")) {
    const item = part.trim();
    const fail = (what: string): never => {
      throw new HookError(
        "bad-env",
        `${RUNNER_GPUS_ENV}=${raw}: ${what}; use GPU UUIDs or nvidia-smi indexes separated by commas, e.g. ${RUNNER_GPUS_ENV}=GPU-3edf87da-6dc2-bd9a-1484-92b81d6e1f89,GPU-62847ac1-d949-38ad-0267-cdf6a2d778cd or ${RUNNER_GPUS_ENV}=0,1`,
      );
    };
    if (item === "") {
      fail("an item is empty");
    }
    let ref: GpuRef;
    if (WHOLE.test(item)) {
      ref = { index: Number(item) };
    } else if (UUID.test(item)) {
      ref = { uuid: item };
    } else if (/^MIG-/i.test(item)) {
      ref = fail(`${JSON.stringify(item)} is a MIG device, which is not supported`);
    } else {
      ref = fail(`${JSON.stringify(item)} is neither a GPU index nor a GPU UUID (GPU-…)`);
    }
    const key = refText(ref).toLowerCase();
    if (seen.has(key)) {
      fail(`${JSON.stringify(item)} is listed twice`);
    }
    seen.add(key);
    refs.push(ref);
  }
  return { kind: "list", refs };
}

/** Common options of {@link jobStarted} and {@link jobCompleted}. */
export interface HookOptions {
  /**
   * The hook's environment: `RUNNER_NAME`, `GITHUB_ENV`, `GITHUB_REPOSITORY`, `GITHUB_RUN_ID`,
   * `GITHUB_RUN_ATTEMPT`, `GITHUB_JOB`, `DSTACK_RUNNER_GPUS`, `DSTACK_LOCK_DIR`, and `PATH` and
   * everything else nvidia-smi runs with. Default `process.env`.
   */
  env?: NodeJS.ProcessEnv;
  /** The nvidia-smi command: a name looked up on `env.PATH`, or a path. Default `nvidia-smi`. */
  nvidiaSmi?: string;
  /** How long each nvidia-smi query may take, in ms. Default 15000. */
  nvidiaSmiTimeoutMs?: number;
  /** The lock dir. Default: `DSTACK_LOCK_DIR`, else `/var/lock/dstack` (see `locks.ts`). */
  lockDir?: string;
  /** The lock owner's pid. Default: the runner's job worker (`findJobOwnerPid`). */
  ownerPid?: number;
  /** This runner's name. Default `env.RUNNER_NAME`. */
  runnerName?: string;
  /** Where each log line goes. Default: stdout, one line each (the job log). */
  print?: (line: string) => void;
  /** The clock, for lock times. Default `() => new Date()`. */
  now?: () => Date;
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

/** The options of {@link jobCompleted}. */
export interface JobCompletedOptions extends HookOptions {
  /** How long leftover processes get after SIGTERM before SIGKILL, in ms. Default 10000. */
  graceMs?: number;
}

/** What happened to one leftover process. */
export interface EndedProcess {
  pid: number;
  /** Its command name from `/proc/<pid>/stat`, when readable. */
  name?: string;
  /** The GPUs it held memory on. */
  uuids: string[];
  /** MiB it held in all (unknown ones left out). */
  usedMiB: number;
  /**
   * `exited`: gone after SIGTERM (or before); `killed`: gone after SIGKILL; `survived`: still
   * running after SIGKILL; `not-permitted`: signals refused (`EPERM`); `spared`: this hook, one
   * of its parents or the job's owner, never signalled.
   */
  outcome: "exited" | "killed" | "survived" | "not-permitted" | "spared";
}

/** Memory still allocated on a GPU after the job. */
export interface GpuMemory {
  uuid: string;
  /** nvidia-smi index, when the GPU list could be read. */
  index?: number;
  /** `memory.used` in MiB. */
  usedMiB: number;
}

/** What {@link jobCompleted} did. */
export interface JobCompletedResult {
  /** Every line it printed, in order. */
  lines: string[];
  /** The leftover processes found on this runner's GPUs and what became of them. */
  ended: EndedProcess[];
  /** The UUIDs whose locks were released. */
  released: string[];
  /** `memory.used` per released GPU, when nvidia-smi answered. */
  memory: GpuMemory[];
  /** The lines among `lines` that are warnings (`::warning::…`), without the prefix. */
  warnings: string[];
}

interface Context {
  env: NodeJS.ProcessEnv;
  runner: string;
  lockDir: string;
  command: string;
  timeoutMs: number;
  lines: string[];
  say: (line: string) => void;
  warn: (line: string) => void;
  warnings: string[];
  now: () => Date;
}

function context(options: HookOptions, hook: string): Context {
  const env = options.env ?? process.env;
  const runner = options.runnerName ?? env.RUNNER_NAME ?? "";
  if (runner.trim() === "") {
    throw new HookError(
      "bad-env",
      `RUNNER_NAME is not set: dstack-runner hook ${hook} runs as the runner's ${hook} hook (see dstack-runner install-hooks), where the runner sets it`,
    );
  }
  const print = options.print ?? ((line: string) => process.stdout.write(`${line}\n`));
  const lines: string[] = [];
  const warnings: string[] = [];
  const say = (line: string) => {
    lines.push(line);
    print(line);
  };
  return {
    env,
    runner,
    lockDir: options.lockDir ?? lockDirFromEnv(env),
    command: options.nvidiaSmi ?? "nvidia-smi",
    timeoutMs: options.nvidiaSmiTimeoutMs ?? NVIDIA_SMI_TIMEOUT_MS,
    lines,
    say,
    warn: (line: string) => {
      warnings.push(line);
      say(`::warning::${line}`);
    },
    warnings,
    now: options.now ?? (() => new Date()),
  };
}

/** `owner/repo run 123 attempt 2 job train`, from the parts that are set. */
export function jobLabel(env: NodeJS.ProcessEnv): string {
  const parts: string[] = [];
  if (env.GITHUB_REPOSITORY) {
    parts.push(env.GITHUB_REPOSITORY);
  }
  if (env.GITHUB_RUN_ID) {
    parts.push(`run ${env.GITHUB_RUN_ID}`);
  }
  if (env.GITHUB_RUN_ATTEMPT) {
    parts.push(`attempt ${env.GITHUB_RUN_ATTEMPT}`);
  }
  if (env.GITHUB_JOB) {
    parts.push(`job ${env.GITHUB_JOB}`);
  }
  return parts.length === 0 ? "unknown job" : parts.join(" ");
}

const DRIVER_FIX = "is the NVIDIA driver loaded? try nvidia-smi";
const NO_DEVICES = /^No devices were found$/im;

function firstLine(...texts: string[]): string {
  for (const text of texts) {
    const line = text
      .split(/\r?\n/)
      .map((l) => l.trim())
      .find((l) => l !== "");
    if (line !== undefined) {
      return line;
    }
  }
  return "(no output)";
}

interface SmiAnswer {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs nvidia-smi with `args`. `undefined` when it is not installed (spawn `ENOENT`).
 *
 * @throws {@link HostError} `gpu-driver` when it timed out, was killed, could not be started, or
 *   said it couldn't communicate with the NVIDIA driver.
 */
async function runSmi(ctx: Context, args: readonly string[]): Promise<SmiAnswer | undefined> {
  return runNvidiaSmi({ command: ctx.command, env: ctx.env, timeoutMs: ctx.timeoutMs, args });
}

/** A line of the GPU list that did not parse: a GPU that is not answering. */
interface BrokenGpu {
  index?: number;
  uuid?: string;
  line: string;
}

interface Inventory {
  gpus: GpuDetail[];
  broken: BrokenGpu[];
  /** nvidia-smi's complaint when it exited non-zero but listed GPUs: `exit code 15: "…"`. */
  complaint?: string;
  /** The first stderr line of that complaint, when there was one. */
  complaintLine?: string;
  /** Why there are no GPUs, when there are none and nothing failed. */
  none?: string;
}

/**
 * The host's GPUs. Not installed, or "No devices were found" (exit 0 or 6): no GPUs. A line that
 * does not parse (`[Unknown Error]`, `[GPU requires reset]`, …) is a GPU not answering. A
 * non-zero exit with nothing listed is a driver failure; with GPUs listed, a complaint (a GPU
 * fell off the bus: "Unable to determine the device handle for GPU …").
 */
async function readInventory(ctx: Context): Promise<Inventory> {
  const answer = await runSmi(ctx, NVIDIA_SMI_ARGS);
  if (answer === undefined) {
    return { gpus: [], broken: [], none: `${ctx.command} not found on PATH` };
  }
  const { stdout, stderr, exitCode } = answer;
  if (NO_DEVICES.test(`${stdout}\n${stderr}`) && (exitCode === 0 || exitCode === 6)) {
    return { gpus: [], broken: [], none: `${ctx.command}: No devices were found` };
  }
  const gpus: GpuDetail[] = [];
  const broken: BrokenGpu[] = [];
  for (const raw of stdout.split(/\r?\n/)) {
    const line = raw.trim();
    if (line === "") {
      continue;
    }
    try {
      gpus.push(...parseNvidiaSmiCsv(line));
    } catch (error) {
      if (!(error instanceof HostError)) {
        throw error;
      }
      const fields = line.split(",").map((f) => f.trim());
      const entry: BrokenGpu = { line };
      if (WHOLE.test(fields[0] ?? "")) {
        entry.index = Number(fields[0]);
      }
      const last = fields.at(-1) ?? "";
      if (UUID.test(last)) {
        entry.uuid = last;
      }
      broken.push(entry);
    }
  }
  if (exitCode !== 0) {
    if (gpus.length === 0 && broken.length === 0) {
      throw new HostError(
        "gpu-driver",
        `${ctx.command} failed with exit code ${exitCode}: ${JSON.stringify(firstLine(stderr, stdout))}; ${DRIVER_FIX}`,
      );
    }
    const inv: Inventory = { gpus, broken, complaint: `exit code ${exitCode}` };
    if (stderr.trim() !== "") {
      inv.complaintLine = firstLine(stderr);
      inv.complaint += `: ${JSON.stringify(inv.complaintLine)}`;
    }
    return inv;
  }
  return { gpus, broken };
}

function gpuName(gpu: { index?: number; uuid: string }): string {
  return gpu.index === undefined ? `GPU ${gpu.uuid}` : `GPU ${gpu.index} (${gpu.uuid})`;
}

function listed(inv: Inventory): string {
  return inv.gpus.length === 0
    ? "nvidia-smi lists no GPU"
    : `nvidia-smi lists ${inv.gpus.map((g) => `${g.index} (${g.uuid})`).join(", ")}`;
}

function troubles(inv: Inventory, command: string): string[] {
  return [
    ...inv.broken.map((b) => `${command} printed ${JSON.stringify(b.line)}`),
    ...(inv.complaint === undefined ? [] : [`${command} ${inv.complaint}`]),
  ];
}

/**
 * This instance's GPUs in index order, or a refusal: a GPU missing or not answering; with the
 * whole host (unset) or indexes, any GPU not answering (indexes shift when a GPU leaves the bus,
 * and the job could land on another instance's GPU).
 */
function resolveGpus(selection: GpuSelection, inv: Inventory, command: string): GpuDetail[] {
  const trouble = troubles(inv, command);
  if (selection.kind === "all") {
    if (trouble.length > 0) {
      throw new HookError(
        "gpu-missing",
        `a GPU of this host is not answering (${trouble.join("; ")}); this runner uses every GPU of the host (${RUNNER_GPUS_ENV} unset), so the job was not started`,
      );
    }
    return [...inv.gpus].sort((a, b) => a.index - b.index);
  }
  if (selection.kind === "none") {
    return [];
  }
  if (trouble.length > 0 && selection.refs.some((ref) => "index" in ref)) {
    throw new HookError(
      "gpu-missing",
      `a GPU of this host is not answering (${trouble.join("; ")}); ${RUNNER_GPUS_ENV} names GPUs by index, and indexes shift while a GPU is missing, so the job was not started; name them by UUID`,
    );
  }
  const found: GpuDetail[] = [];
  const problems: string[] = [];
  for (const ref of selection.refs) {
    const gpu =
      "index" in ref
        ? inv.gpus.find((g) => g.index === ref.index)
        : inv.gpus.find((g) => g.uuid.toLowerCase() === ref.uuid.toLowerCase());
    if (gpu !== undefined) {
      if (found.some((g) => g.uuid === gpu.uuid)) {
        throw new HookError(
          "bad-env",
          `${RUNNER_GPUS_ENV}: GPU ${gpu.index} (${gpu.uuid}) is listed twice, by index and by UUID`,
        );
      }
      found.push(gpu);
      continue;
    }
    const bad = inv.broken.find((b) =>
      "index" in ref ? b.index === ref.index : b.uuid?.toLowerCase() === ref.uuid.toLowerCase(),
    );
    if (bad !== undefined) {
      problems.push(
        `GPU ${refText(ref)} is not answering: ${command} printed ${JSON.stringify(bad.line)}`,
      );
    } else {
      const why = inv.complaint === undefined ? "" : ` (${command} ${inv.complaint})`;
      problems.push(`GPU ${refText(ref)} is not on this host${why}`);
    }
  }
  if (problems.length > 0) {
    throw new HookError(
      "gpu-missing",
      `${RUNNER_GPUS_ENV}=${selection.refs.map(refText).join(",")}: ${problems.join("; ")}; ${listed(inv)}; the job was not started`,
    );
  }
  return found.sort((a, b) => a.index - b.index);
}

/** A process holding a compute context on a GPU. */
interface GpuProcess {
  uuid: string;
  /** `undefined` when nvidia-smi printed no number (`[N/A]`: another PID namespace). */
  pid?: number;
  /** MiB; `undefined` when not a number (`[N/A]`). */
  usedMiB?: number;
}

/**
 * Lists compute processes on all GPUs. A non-zero exit is a failure, except when every stderr
 * line is `tolerated`: the complaint already attributed to a GPU this instance does not use (a
 * GPU off the bus makes every query exit non-zero; the other GPUs' lines still come).
 *
 * @throws {@link HostError} `gpu-driver` on failure.
 */
async function readComputeApps(ctx: Context, tolerated?: string): Promise<GpuProcess[]> {
  const answer = await runSmi(ctx, COMPUTE_APPS_ARGS);
  if (answer === undefined) {
    throw new HostError(
      "gpu-driver",
      `${ctx.command} not found on PATH; cannot tell whether the GPUs are free`,
    );
  }
  const said = answer.stderr
    .split(/\r?\n/)
    .map((l) => l.trim())
    .filter((l) => l !== "");
  const excused = tolerated !== undefined && said.length > 0 && said.every((l) => l === tolerated);
  if (answer.exitCode !== 0 && !excused) {
    const why = said.find((l) => l !== tolerated) ?? firstLine(answer.stderr, answer.stdout);
    throw new HostError(
      "gpu-driver",
      `${ctx.command} ${COMPUTE_APPS_ARGS[0]} failed with exit code ${answer.exitCode}: ${JSON.stringify(why)}; cannot tell whether the GPUs are free`,
    );
  }
  const out: GpuProcess[] = [];
  for (const raw of answer.stdout.split(/\r?\n/)) {
    const fields = raw.split(",").map((f) => f.trim());
    const uuid = fields[0] ?? "";
    if (uuid === "" || /^No running/i.test(uuid)) {
      continue;
    }
    const entry: GpuProcess = { uuid };
    const pid = fields[1] ?? "";
    const mem = fields[2] ?? "";
    if (WHOLE.test(pid)) {
      entry.pid = Number(pid);
    }
    if (WHOLE.test(mem)) {
      entry.usedMiB = Number(mem);
    }
    out.push(entry);
  }
  return out;
}

function processName(pid: number | undefined): string | undefined {
  return pid === undefined ? undefined : readProcStat(pid)?.comm;
}

function describeProcess(p: GpuProcess): string {
  const name = processName(p.pid);
  const who = p.pid === undefined ? "a process (pid not shown)" : `pid ${p.pid}`;
  const mem = p.usedMiB === undefined ? "an unknown amount of memory" : `${p.usedMiB} MiB`;
  return `${who}${name === undefined ? "" : ` (${name})`} holds ${mem}`;
}

function appendGithubEnv(path: string, lines: readonly string[]): void {
  let prefix = "";
  try {
    const existing = readFileSync(path);
    if (existing.length > 0 && existing[existing.length - 1] !== 0x0a) {
      prefix = "\n";
    }
  } catch {
    // missing: appendFileSync creates it, or fails below with the reason
  }
  try {
    appendFileSync(path, `${prefix}${lines.join("\n")}\n`);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new HookError(
      "github-env",
      `cannot append to GITHUB_ENV file ${path} (${code}); the job's GPU variables could not be set, so the job was not started and its GPU locks were released`,
      { cause: error },
    );
  }
}

/**
 * Guards a job before its steps run, on the GPUs of this runner instance.
 *
 * In order:
 * 1. `GITHUB_ENV` and `RUNNER_NAME` must be set (they are in a runner hook);
 * 2. `DSTACK_RUNNER_GPUS` (see {@link parseRunnerGpus}): `none`/empty: appends
 *    {@link HIDE_GPUS_LINES} to `GITHUB_ENV` and returns (nothing to lock);
 * 3. the GPU list (nvidia-smi `--query-gpu=index,name,memory.total,uuid`). Unset variable and no
 *    GPU (nvidia-smi not installed, or "No devices were found"): a CPU runner, nothing locked,
 *    nothing exported; the job's environment is left as it is. Otherwise every GPU of the
 *    instance must be listed and answering;
 * 4. host-wide locks on those GPUs, all or none (`acquireLocks` in `locks.ts`): stale locks of
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
  const ctx = context(options, "job-started");
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
    const selection = parseRunnerGpus(env[RUNNER_GPUS_ENV]);
    if (selection.kind === "none") {
      appendGithubEnv(githubEnv, HIDE_GPUS_LINES);
      result.githubEnv = [...HIDE_GPUS_LINES];
      say(
        `runner ${JSON.stringify(ctx.runner)} has no GPU (${RUNNER_GPUS_ENV}=${env[RUNNER_GPUS_ENV]}): GPUs hidden from the job with ${HIDE_GPUS_LINES.join(" ")}`,
      );
      return result;
    }
    const inv = await readInventory(ctx);
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
      const why = inv.none ?? `${ctx.command} lists no GPU`;
      say(`no NVIDIA GPU on this host (${why}): nothing to lock, nothing exported`);
      return result;
    }
    const gpus = resolveGpus(selection, inv, ctx.command);
    result.gpus = gpus;
    const trouble = troubles(inv, ctx.command);
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
    const busy = (await readComputeApps(ctx, inv.complaintLine)).filter((p) => ours.has(p.uuid));
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
    const lines = [
      `CUDA_VISIBLE_DEVICES=${gpus.map((g) => g.index).join(",")}`,
      "CUDA_DEVICE_ORDER=PCI_BUS_ID",
      `NVIDIA_VISIBLE_DEVICES=${uuids.join(",")}`,
    ];
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

async function endProcesses(
  ctx: Context,
  procs: GpuProcess[],
  graceMs: number,
  spare: Set<number>,
  label: (uuid: string) => string,
): Promise<EndedProcess[]> {
  const byPid = new Map<number, EndedProcess>();
  for (const p of procs) {
    if (p.pid === undefined) {
      ctx.warn(
        `a process on ${label(p.uuid)} shows no pid (another PID namespace?); it was left running`,
      );
      continue;
    }
    const entry = byPid.get(p.pid) ?? {
      pid: p.pid,
      uuids: [],
      usedMiB: 0,
      outcome: "exited" as EndedProcess["outcome"],
    };
    const name = processName(p.pid);
    if (name !== undefined) {
      entry.name = name;
    }
    entry.uuids.push(p.uuid);
    entry.usedMiB += p.usedMiB ?? 0;
    byPid.set(p.pid, entry);
  }
  const all = [...byPid.values()];
  const targets: EndedProcess[] = [];
  for (const entry of all) {
    if (spare.has(entry.pid) || entry.pid <= 1) {
      entry.outcome = "spared";
      continue;
    }
    try {
      process.kill(entry.pid, "SIGTERM");
      targets.push(entry);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      entry.outcome = code === "EPERM" ? "not-permitted" : "exited";
    }
  }
  const started = Date.now();
  let alive = targets.filter((t) => isProcessAlive(t.pid));
  while (alive.length > 0 && Date.now() - started < graceMs) {
    await sleep(Math.min(100, graceMs));
    alive = alive.filter((t) => isProcessAlive(t.pid));
  }
  for (const entry of alive) {
    entry.outcome = "killed";
    try {
      process.kill(entry.pid, "SIGKILL");
    } catch {
      // gone meanwhile
    }
  }
  const killedAt = Date.now();
  let survivors = alive.filter((t) => isProcessAlive(t.pid));
  while (survivors.length > 0 && Date.now() - killedAt < 2000) {
    await sleep(50);
    survivors = survivors.filter((t) => isProcessAlive(t.pid));
  }
  for (const entry of survivors) {
    entry.outcome = "survived";
  }
  for (const e of all) {
    const who = `pid ${e.pid}${e.name === undefined ? "" : ` (${e.name})`} on ${e.uuids.map(label).join(", ")}, ${e.usedMiB} MiB`;
    switch (e.outcome) {
      case "exited":
        ctx.say(`ended leftover ${who}: exited after SIGTERM`);
        break;
      case "killed":
        ctx.say(`ended leftover ${who}: killed with SIGKILL after ${graceMs / 1000}s`);
        break;
      case "survived":
        ctx.warn(`leftover ${who} is still running after SIGKILL`);
        break;
      case "not-permitted":
        ctx.warn(`cannot end leftover ${who}: it belongs to another user (EPERM)`);
        break;
      case "spared":
        ctx.warn(`left ${who} running: it is this hook, one of its parents or the job's owner`);
        break;
    }
  }
  return all;
}

/**
 * Cleans up after a job on the GPUs this runner locked for it.
 *
 * In order:
 * 1. this runner's locks (`RUNNER_NAME`, owner `ownerPid` or no longer running) in the lock dir
 *    name its GPUs; `DSTACK_RUNNER_GPUS` is not read, and GPUs locked by other runners are never
 *    touched. None: prints so and returns (a CPU runner, or job-started refused the job);
 * 2. leftover processes on those GPUs (`--query-compute-apps`) get SIGTERM, then SIGKILL after
 *    `graceMs`; this hook, its ancestors and the owner are spared. (Other leftover processes of
 *    the job are the runner's own cleanup.) Pids are the host's: a runner in a container without
 *    the host's PID namespace should not run this hook;
 * 3. the locks are released, whatever happened in 2;
 * 4. `memory.used` of each released GPU is reported (`--query-gpu=uuid,memory.used`).
 *
 * GPU or process problems (nvidia-smi failing, a process that survives SIGKILL or belongs to
 * another user) are `::warning::` lines and `warnings`, not errors: the job's result is not
 * changed by its cleanup.
 *
 * @returns the lines printed, the processes ended, the locks released, memory per GPU, warnings.
 * @throws {@link HookError} `bad-env` without `RUNNER_NAME`; `LockError` `lock-dir` or `mutex`
 *   when the lock dir is unusable.
 */
export async function jobCompleted(options: JobCompletedOptions = {}): Promise<JobCompletedResult> {
  const ctx = context(options, "job-completed");
  const result: JobCompletedResult = {
    lines: ctx.lines,
    ended: [],
    released: [],
    memory: [],
    warnings: ctx.warnings,
  };
  const ownerPid = options.ownerPid ?? findJobOwnerPid().pid;
  const ours: string[] = [];
  for (const { uuid, lock } of listLocks(ctx.lockDir)) {
    if (lock === "corrupt" || lock.runner !== ctx.runner) {
      continue;
    }
    if (lock.pid === ownerPid || !isProcessAlive(lock.pid, lock.pidStart)) {
      ours.push(uuid);
    } else {
      ctx.warn(
        `GPU ${uuid} is locked by another live process named like this runner (pid ${lock.pid}, ${lock.job}); left alone: are two runners named ${JSON.stringify(ctx.runner)} on this host?`,
      );
    }
  }
  if (ours.length === 0) {
    ctx.say(`runner ${JSON.stringify(ctx.runner)} holds no GPU lock: nothing to clean up`);
    return result;
  }
  const indexes = new Map<string, number>();
  const label = (uuid: string) => gpuName({ index: indexes.get(uuid), uuid });
  try {
    try {
      const inv = await readInventory(ctx);
      for (const gpu of inv.gpus) {
        indexes.set(gpu.uuid, gpu.index);
      }
    } catch (error) {
      ctx.warn(`cannot list the GPUs: ${(error as Error).message}`);
    }
    let leftovers: GpuProcess[] = [];
    try {
      const set = new Set(ours);
      leftovers = (await readComputeApps(ctx)).filter((p) => set.has(p.uuid));
    } catch (error) {
      ctx.warn(`cannot list leftover processes: ${(error as Error).message}`);
    }
    if (leftovers.length === 0) {
      ctx.say(`no leftover process on ${ours.map(label).join(", ")}`);
    } else {
      const spare = new Set([process.pid, ownerPid, ...ancestorPids()]);
      result.ended = await endProcesses(
        ctx,
        leftovers,
        options.graceMs ?? KILL_GRACE_MS,
        spare,
        label,
      );
    }
  } finally {
    const released = await releaseLocks({
      lockDir: ctx.lockDir,
      uuids: ours,
      runner: ctx.runner,
      ownerPid,
    });
    result.released = released.released;
    ctx.say(`released the locks of ${released.released.map(label).join(", ") || "no GPU"}`);
  }
  try {
    const answer = await runSmi(ctx, MEMORY_USED_ARGS);
    if (answer === undefined || answer.exitCode !== 0) {
      throw new Error(
        answer === undefined
          ? `${ctx.command} not found on PATH`
          : `exit code ${answer.exitCode}: ${JSON.stringify(firstLine(answer.stderr, answer.stdout))}`,
      );
    }
    const used = new Map<string, number>();
    for (const raw of answer.stdout.split(/\r?\n/)) {
      const [uuid = "", mib = ""] = raw.split(",").map((f) => f.trim());
      if (uuid !== "" && WHOLE.test(mib)) {
        used.set(uuid, Number(mib));
      }
    }
    for (const uuid of result.released) {
      const mib = used.get(uuid);
      if (mib === undefined) {
        ctx.warn(`${label(uuid)}: memory.used not reported`);
        continue;
      }
      const entry: GpuMemory = { uuid, usedMiB: mib };
      const index = indexes.get(uuid);
      if (index !== undefined) {
        entry.index = index;
      }
      result.memory.push(entry);
      ctx.say(`${label(uuid)}: ${mib} MiB of GPU memory still allocated`);
    }
  } catch (error) {
    ctx.warn(`cannot read GPU memory used: ${(error as Error).message}`);
  }
  return result;
}
