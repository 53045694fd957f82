/**
 * GPUs as `nvidia-smi` lists them.
 *
 * The query is `nvidia-smi --query-gpu=index,name,memory.total,uuid --format=csv,noheader,nounits`
 * (see `nvidia-smi --help-query-gpu` and the nvidia-smi manual,
 * https://docs.nvidia.com/deploy/nvidia-smi/index.html): one line per GPU, fields separated by
 * `, `, `memory.total` in MiB without its unit, e.g.
 * `0, NVIDIA H100 80GB HBM3, 81559, GPU-9d3b1bd1-0ac3-4f4e-8c8c-1b4f5a1f2e3d`.
 *
 * Exit codes are those of the manual's "RETURN VALUE" section: 0 success, 6 "No devices were
 * found", 9 "NVIDIA driver is not loaded", 12 "NVML shared library couldn't be found", 15 "GPU
 * has fallen off the bus", 255 other errors.
 *
 * @module
 */

import { existsSync } from "node:fs";
import path from "node:path";
import { execa } from "execa";
import { HostError } from "./errors.js";

/** One GPU as `nvidia-smi --query-gpu=index,name,memory.total,uuid` reports it. */
export interface GpuDetail {
  /** The driver's index (`nvidia-smi -i N`), in PCI bus order; not CUDA's default order. */
  index: number;
  /** The model name as the driver prints it, e.g. `NVIDIA H100 80GB HBM3`, `Tesla T4`. */
  name: string;
  /** Total memory in bytes: the reported MiB * 2^20 (81559 MiB = 85520809984 bytes). */
  memoryBytes: number;
  /** The GPU's immutable UUID, `GPU-` followed by a UUID; what `CUDA_VISIBLE_DEVICES` accepts. */
  uuid: string;
}

/** The arguments {@link readHostFacts} passes to `nvidia-smi`, in order. */
export const NVIDIA_SMI_ARGS: readonly string[] = [
  "--query-gpu=index,name,memory.total,uuid",
  "--format=csv,noheader,nounits",
];

/** How long `nvidia-smi` may take before it counts as hung: 15 s. */
export const NVIDIA_SMI_TIMEOUT_MS = 15_000;

const MIB = 2 ** 20;
const FIELDS = "index, name, memory.total (MiB), uuid";
const WHOLE_NUMBER = /^\d+$/;

/**
 * Parses the output of
 * `nvidia-smi --query-gpu=index,name,memory.total,uuid --format=csv,noheader,nounits`.
 *
 * Each non-blank line is `index, name, memory.total, uuid`; fields are trimmed, and fields
 * between the first and the last two belong to the name (no NVIDIA name has a comma, but one
 * would survive). `memory.total` is in MiB and becomes bytes (* 2^20). Blank lines and `\r\n`
 * line ends are accepted.
 *
 * @param text - what nvidia-smi printed on stdout.
 * @returns one {@link GpuDetail} per line, in the order printed; `[]` for empty output.
 * @throws {@link HostError} with code `gpu-parse` on the first malformed line, naming its line
 *   number, the bad field and the line: fewer than 4 fields, an index or `memory.total` that is
 *   not a whole number (`[N/A]`, `[Not Supported]`, `81559 MiB` without `nounits`), an empty
 *   name, or a UUID that is empty or has spaces.
 */
export function parseNvidiaSmiCsv(text: string): GpuDetail[] {
  const gpus: GpuDetail[] = [];
  const lines = text.split(/\r?\n/);
  for (const [i, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === "") {
      continue;
    }
    const fail = (what: string): never => {
      throw new HostError(
        "gpu-parse",
        `nvidia-smi output line ${i + 1}: ${what}; expected "${FIELDS}": ${JSON.stringify(line)}`,
      );
    };
    const parts = line.split(",");
    if (parts.length < 4) {
      fail(`${parts.length} field${parts.length === 1 ? "" : "s"}`);
    }
    const index = (parts[0] ?? "").trim();
    const name = parts.slice(1, -2).join(",").trim();
    const memory = (parts.at(-2) ?? "").trim();
    const uuid = (parts.at(-1) ?? "").trim();
    if (!WHOLE_NUMBER.test(index)) {
      fail(`index ${JSON.stringify(index)} is not a whole number`);
    }
    if (name === "") {
      fail("the name is empty");
    }
    if (!WHOLE_NUMBER.test(memory)) {
      fail(`memory.total ${JSON.stringify(memory)} is not a whole number of MiB`);
    }
    if (uuid === "" || /\s/.test(uuid)) {
      fail(`uuid ${JSON.stringify(uuid)} is not a GPU UUID`);
    }
    gpus.push({ index: Number(index), name, memoryBytes: Number(memory) * MIB, uuid });
  }
  return gpus;
}

/** What {@link queryNvidiaSmi} learned. */
export interface NvidiaSmiAnswer {
  /** The GPUs listed, in nvidia-smi's order; `[]` when none or not installed. */
  gpus: GpuDetail[];
  /** `none` when nvidia-smi is not installed (not on PATH); `failed` (from `readHostFacts` only) when it failed. */
  source: "nvidia-smi" | "none" | "failed";
  /** One line saying what was found: `gpus from nvidia-smi: 8`, `nvidia-smi not found: 0 GPUs`. */
  notes: string[];
}

/** The options of {@link queryNvidiaSmi}. */
export interface QueryNvidiaSmiOptions {
  /** The command: a name looked up on `env.PATH`, or a path. */
  command: string;
  /** The child's whole environment (also where `PATH` is looked up). */
  env: NodeJS.ProcessEnv;
  /** Milliseconds before nvidia-smi is killed and counts as hung. */
  timeoutMs: number;
}

/** The fix every driver failure message ends with. */
export const DRIVER_FIX = "is the NVIDIA driver loaded? try nvidia-smi";
const NO_DRIVER = /couldn't communicate with the NVIDIA driver/i;
const NO_DEVICES = /^No devices were found$/im;

/** The first non-blank line of the first text that has one, for one-line messages. */
export function firstLine(...texts: string[]): string {
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

/** Whether a file named `command` is in any folder of `pathVariable` (`:`-separated). */
function onPath(command: string, pathVariable: string): boolean {
  return (
    pathVariable
      .split(path.delimiter)
      // An empty entry is the current folder, as execvp reads it.
      .some((dir) => existsSync(path.join(dir === "" ? "." : dir, command)))
  );
}

/** What nvidia-smi printed and how it exited, from {@link runNvidiaSmi}. */
export interface NvidiaSmiOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/**
 * Runs nvidia-smi with `args` (no shell), turning the ways it can fail to answer into errors.
 * Shared by {@link queryNvidiaSmi} and the runner plugin's hooks, which ask other queries.
 *
 * @param options.args - the query, e.g. `["--query-gpu=uuid,memory.used", "--format=csv,noheader,nounits"]`.
 * @returns its output, or `undefined` when nvidia-smi is not installed (spawn `ENOENT`).
 * @throws {@link HostError} `gpu-driver` when it timed out, was killed, could not be started, or
 *   said it couldn't communicate with the NVIDIA driver (whatever its exit code).
 */
export async function runNvidiaSmi(
  options: QueryNvidiaSmiOptions & { args: readonly string[] },
): Promise<NvidiaSmiOutput | undefined> {
  const { command, env, timeoutMs, args } = options;
  // Most runners have no GPU: when no file of that name is on PATH at all (the spawn's ENOENT),
  // skip a spawn that can only fail (about 20 ms of a step's start). A file that is there but
  // cannot run is left to the spawn, whose error says why. (The `which` package looks for
  // executables only, so it cannot tell the two apart.)
  if (env.PATH !== undefined && !command.includes("/") && !onPath(command, env.PATH)) {
    return undefined;
  }
  const result = await execa(command, args, {
    env,
    extendEnv: false,
    reject: false,
    timeout: timeoutMs,
    stdin: "ignore",
    stripFinalNewline: true,
  });
  if (result.code === "ENOENT") {
    return undefined;
  }
  const stdout = typeof result.stdout === "string" ? result.stdout : "";
  const stderr = typeof result.stderr === "string" ? result.stderr : "";
  if (result.timedOut) {
    throw new HostError(
      "gpu-driver",
      `${command} did not answer within ${timeoutMs / 1000}s; ${DRIVER_FIX}`,
    );
  }
  if (result.code !== undefined) {
    throw new HostError(
      "gpu-driver",
      `${command} could not be started (${result.code}): ${JSON.stringify(firstLine(result.originalMessage ?? ""))}; ${DRIVER_FIX}`,
    );
  }
  if (result.signal !== undefined) {
    throw new HostError(
      "gpu-driver",
      `${command} was killed by ${result.signal}: ${JSON.stringify(firstLine(stderr, stdout))}; ${DRIVER_FIX}`,
    );
  }
  const exitCode = result.exitCode ?? 0;
  if (NO_DRIVER.test(`${stdout}\n${stderr}`)) {
    throw new HostError(
      "gpu-driver",
      `${command} failed with exit code ${exitCode}: ${JSON.stringify(firstLine(stderr, stdout))}; ${DRIVER_FIX}`,
    );
  }
  return { stdout, stderr, exitCode };
}

/**
 * Runs nvidia-smi (no shell) and reads its GPUs. Internal to {@link readHostFacts}; exported
 * within the package for its tests.
 *
 * Decisions, in order:
 * 1. not installed (spawn `ENOENT`): zero GPUs, source `none`, note `nvidia-smi not found: 0 GPUs`;
 *    a CPU machine has no nvidia-smi, so this is not an error;
 * 2. timed out, killed, or could not be started otherwise (`EACCES`): {@link HostError}
 *    `gpu-driver`;
 * 3. output says it "couldn't communicate with the NVIDIA driver" (exit 9, but whatever the exit
 *    code): `gpu-driver` - the driver is installed and not working, and a GPU host that reported
 *    0 GPUs would take CPU jobs and refuse GPU ones;
 * 4. output is "No devices were found" with exit 0 or 6: zero GPUs and a note, not an error.
 *    This is what nvidia-smi prints where the driver works and no GPU is visible to this process:
 *    a container or a Slurm/cgroup job not given a GPU, or a host whose GPUs are all passed
 *    through to VMs. Zero is then the truth for jobs run here; the note keeps it visible;
 * 5. any other non-zero exit: `gpu-driver`;
 * 6. otherwise the CSV is parsed ({@link parseNvidiaSmiCsv}; `gpu-parse` on malformed lines).
 *
 * @throws {@link HostError} `gpu-driver` or `gpu-parse`, as above; messages are one line naming
 *   the command, its exit code and its first stderr (else stdout) line, and the fix.
 */
export async function queryNvidiaSmi(options: QueryNvidiaSmiOptions): Promise<NvidiaSmiAnswer> {
  const { command } = options;
  const output = await runNvidiaSmi({ ...options, args: NVIDIA_SMI_ARGS });
  if (output === undefined) {
    return { gpus: [], source: "none", notes: [`${command} not found: 0 GPUs`] };
  }
  const { stdout, stderr, exitCode } = output;
  const said = `${stdout}\n${stderr}`;
  if (NO_DEVICES.test(said) && (exitCode === 0 || exitCode === 6)) {
    return {
      gpus: [],
      source: "nvidia-smi",
      notes: [`${command}: No devices were found (exit code ${exitCode}): 0 GPUs`],
    };
  }
  if (exitCode !== 0) {
    throw new HostError(
      "gpu-driver",
      `${command} failed with exit code ${exitCode}: ${JSON.stringify(firstLine(stderr, stdout))}; ${DRIVER_FIX}`,
    );
  }
  const gpus = parseNvidiaSmiCsv(stdout);
  return {
    gpus,
    source: "nvidia-smi",
    notes: [`gpus from ${command}: ${gpus.length}`],
  };
}
