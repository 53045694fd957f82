/**
 * The normalized job: what `.dstack/workflows.yaml` or `dstack run python ...` describe once
 * validated, and what every other part (executor, actions, runner plugin) consumes.
 *
 * Keys come from dstack's python provider (its `script:` and `file:` forms). Paths are POSIX, relative and already
 * checked not to escape the repository.
 *
 * @module
 */

/** The providers this product runs. Seed 001 documents only `python`. */
export const PROVIDERS = ["python"] as const;

/** A provider name; see {@link PROVIDERS}. */
export type Provider = (typeof PROVIDERS)[number];

/**
 * The words of a workflow's `metrics:` for which way a metric is better: `min` (lower is better,
 * a loss) or `max` (higher is better, an accuracy), as Keras' and Lightning's `ModelCheckpoint`
 * `mode` say it.
 */
export const METRIC_DIRECTIONS = ["min", "max"] as const;

/** Which way a metric is better; see {@link METRIC_DIRECTIONS}. */
export type MetricDirection = (typeof METRIC_DIRECTIONS)[number];

/** GPUs asked for by a job (`resources.gpu`, `--gpu`, `--gpu-name`, `--gpu-memory`). */
export interface GpuRequest {
  /** Number of GPUs, >= 1. `gpu: {name: K80}` without a count asks for 1. */
  count: number;
  /**
   * The GPU model, normalized by {@link normalizeGpuName} (`Tesla K80` -> `k80`,
   * `NVIDIA H100 80GB HBM3` -> `h100`). Absent: any model.
   */
  name?: string;
  /** Memory per GPU in bytes (decimal `GB` as written, see `units.ts`). Absent: any. */
  memoryBytes?: number;
}

/**
 * The hardware a job asks for (`resources` in dstack's Python provider reference). Absent fields
 * ask for nothing.
 */
export interface Resources {
  /** CPU cores, an integer >= 1. */
  cpu?: number;
  /** RAM in bytes. */
  memoryBytes?: number;
  /** GPUs; absent means the job needs none. */
  gpu?: GpuRequest;
  /** Size of `/dev/shm` in bytes. */
  shmSizeBytes?: number;
  /**
   * `true` if the job may run on interruptible (spot) machines. Default `false` (dstack's Python provider), so a
   * job never lands on a spot runner unless it says so.
   */
  interruptible: boolean;
}

/** A dependency of a job (`deps`): another run's artifacts, placed in the repository first. */
export type Dep =
  /** The artifacts a tag points at. */
  | { tag: string }
  /** The artifacts of the named workflow's latest successful run. */
  | { workflow: string }
  /**
   * The artifacts of one run, by its run name, whatever its end (a run whose runner was lost
   * keeps what it uploaded): how a resumed attempt of an interruptible job gets the checkpoints
   * of the attempts before it.
   */
  | { run: string };

/**
 * One job, normalized. Paths are POSIX and relative; `file` and `requirements` are relative to
 * `workingDir` (the python provider changes into `working_dir` before it installs and runs);
 * `workingDir` and `artifacts` are relative to the repository root.
 */
export interface Job {
  /** The workflow's `name`, or `null` for an inline `dstack run python FILE` job. */
  workflow: string | null;
  /** Always `python` for now. */
  provider: Provider;
  /** The Python file to run (`file`, or the older `script`), relative to `workingDir`. */
  file: string;
  /** Arguments for the Python program, kept exactly; a string in YAML was split as a shell would. */
  args: string[];
  /** The `requirements.txt` file, relative to `workingDir`. */
  requirements?: string;
  /**
   * The Python version as written (`"3.10"`, `"3.11.7"`). Absent: the host's `python3` (dstack's
   * default of 3.10 assumed a Docker image; on a self-hosted machine the interpreter that is there
   * is the honest default, and the run log names it).
   */
  version?: string;
  /** Environment variables, names checked against POSIX (`[A-Za-z_][A-Za-z0-9_]*`). */
  environment: Record<string, string>;
  /** Folders saved as the run's artifacts when the job ends, relative to the repository root. */
  artifacts: string[];
  /** The working directory, relative to the repository root; `"."` when not given. */
  workingDir: string;
  /** Shell lines run by `bash -e` before the Python file. */
  beforeRun: string[];
  /** What the job needs from the machine. */
  resources: Resources;
  /** Other runs' artifacts this job needs. */
  deps: Dep[];
  /**
   * Which way is better for the named metrics (`metrics:` of the workflow), over the name rule of
   * `@dstack/metrics` (`val_loss` lower, `accuracy` higher): what job summaries, pull-request
   * comments and `dstack metrics` use for best values and better/worse. Absent when not written.
   */
  metrics?: Readonly<Record<string, MetricDirection>>;
}

/**
 * Facts about one host (or runner instance), as `@dstack/host` reads them. Used by the label
 * scheme and by {@link hostSatisfies}.
 */
export interface HostFacts {
  /** CPU cores available (cgroup-aware). */
  cpus: number;
  /** Memory available in bytes (cgroup limit, else MemTotal). */
  memoryBytes: number;
  /** GPUs visible to jobs. */
  gpus: HostGpu[];
  /** Size of `/dev/shm` in bytes; absent when unknown. */
  shmSizeBytes?: number;
  /** `true` when this machine can be taken away (a spot or preemptible instance). */
  interruptible: boolean;
}

/** One GPU of a host, as `nvidia-smi --query-gpu=index,name,memory.total,uuid` reports it. */
export interface HostGpu {
  /** The model name as the driver prints it, e.g. `NVIDIA H100 80GB HBM3`. */
  name: string;
  /** Total memory in bytes (nvidia-smi's MiB * 2^20). */
  memoryBytes: number;
}
