/**
 * Runner labels from host facts: what `dstack-runner labels` prints and what `configure`,
 * `split` and `arc-values` register.
 *
 * The labels are `@dstack/spec`'s scheme ({@link runnerLabels}): ladders of `cpu-ge-N`,
 * `mem-ge-NGB`, `shm-ge-NGB`, `gpu-count-ge-N`, `gpu-mem-ge-NGB`, plus `self-hosted`, `dstack`,
 * `on-demand`, `no-gpu` or `gpu-<model>`. GitHub sends a job to a runner whose labels include all
 * of the job's `runs-on` labels, compared case-insensitively
 * (https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/using-labels-with-self-hosted-runners),
 * so a runner must advertise only what the jobs it takes may use.
 *
 * @module
 */

import { type HostReport, runnerShare } from "@dstack/host";
import { BASE_LABELS, EPHEMERAL_LABEL, type HostFacts, runnerLabels } from "@dstack/spec";

/**
 * The longest label the runner accepts: 256 characters (`Validators.LabelsValidator` in
 * actions/runner, `src/Runner.Listener/Configuration/Validators.cs`).
 */
export const MAX_LABEL_LENGTH = 256;

/**
 * Label names and prefixes that only the scheme may set, lower-case. An operator's extra label
 * among them would claim resources or guarantees the host has not shown (`gpu-count-ge-16` on a
 * 1-GPU box, `on-demand` on a spot machine) and let jobs land where they cannot run.
 */
const RESERVED_EXACT: ReadonlySet<string> = new Set(["on-demand", "no-gpu"]);
const RESERVED_PREFIXES: readonly string[] = ["gpu-", "cpu-ge-", "mem-ge-", "shm-ge-"];

/** Options of {@link hostRunnerLabels}. */
export interface HostRunnerLabelsOptions {
  /**
   * The nvidia-smi indexes (`GpuDetail.index`) of the GPUs this runner instance owns, for a host
   * split into several runners (`dstack-runner split`). Absent: the whole host. See
   * {@link instanceFacts} for how CPUs and memory are shared.
   */
  gpuIndexes?: readonly number[];
  /**
   * The operator's own labels (a team, a rack, `linux`), appended after the scheme's. Checked by
   * {@link checkExtraLabels}.
   */
  extra?: readonly string[];
  /**
   * The runner takes one job and is removed (`config.sh --ephemeral`, a just-in-time runner, an
   * ARC scale set): it gets `EPHEMERAL_LABEL` (`dstack-ephemeral`), the label jobs running code
   * that is not on the default branch ask for. Default `false`: a persistent runner, which never
   * carries it.
   */
  ephemeral?: boolean;
}

/** Options of {@link checkExtraLabels}. */
export interface CheckExtraLabelsOptions {
  /**
   * The runner is ephemeral: an extra `dstack-ephemeral` is accepted (and dropped, since
   * {@link hostRunnerLabels} adds it). Default `false`: it is refused.
   */
  ephemeral?: boolean;
}

/**
 * The facts of one runner instance that owns `gpuIndexes` of the host's GPUs.
 *
 * The rule is `@dstack/host`'s {@link runnerShare} (the contract of `dstack-runner split`, the
 * same part of the host the job-time check sees): exactly its GPUs, and a share `k / N` of the
 * host's CPUs (at least 1), memory and `/dev/shm`, rounded down; `interruptible` is the host's.
 *
 * @param report - the host, as `readHostFacts` reads it (sizes in bytes).
 * @param gpuIndexes - nvidia-smi indexes of the instance's GPUs; absent: the whole host, as is.
 * @returns the instance's facts (sizes in bytes).
 * @throws Error when `gpuIndexes` is empty, repeats an index, or names a GPU the host does not
 *   have (the message lists the host's indexes).
 */
export function instanceFacts(report: HostReport, gpuIndexes?: readonly number[]): HostFacts {
  const whole: HostFacts = {
    cpus: report.cpus,
    memoryBytes: report.memoryBytes,
    gpus: report.gpus.map((g) => ({ name: g.name, memoryBytes: g.memoryBytes })),
    interruptible: report.interruptible,
  };
  if (report.shmSizeBytes !== undefined) {
    whole.shmSizeBytes = report.shmSizeBytes;
  }
  if (gpuIndexes === undefined) {
    return whole;
  }
  const details = report.gpuDetails;
  if (gpuIndexes.length === 0) {
    throw new Error("gpu indexes: none given; name at least one GPU, or none for the whole host");
  }
  const seen = new Set<number>();
  const mine = gpuIndexes.map((index) => {
    if (seen.has(index)) {
      throw new Error(`gpu indexes: GPU ${index} is named twice`);
    }
    seen.add(index);
    const gpu = details.find((g) => g.index === index);
    if (!gpu) {
      throw new Error(`gpu indexes: GPU ${index} does not exist; ${describeHostGpus(report)}`);
    }
    return gpu;
  });
  const shared = runnerShare(report, mine);
  const facts: HostFacts = {
    cpus: shared.cpus,
    memoryBytes: shared.memoryBytes,
    gpus: shared.gpus,
    interruptible: shared.interruptible,
  };
  if (shared.shmSizeBytes !== undefined) {
    facts.shmSizeBytes = shared.shmSizeBytes;
  }
  return facts;
}

/**
 * `this host has GPUs 0-7` / `this host has no GPUs (nvidia-smi not found: 0 GPUs)`: for error
 * messages, with the GPU note of `readHostFacts` when there are none.
 */
export function describeHostGpus(report: HostReport): string {
  const indexes = report.gpuDetails.map((g) => g.index);
  if (indexes.length === 0) {
    const note = report.notes.find((n) => /nvidia-smi|GPU/i.test(n));
    return `this host has no GPUs${note ? ` (${note})` : ""}`;
  }
  return `this host has GPU${indexes.length === 1 ? "" : "s"} ${compactIndexes(indexes)}`;
}

/** `[0,1,2,3,5]` -> `0-3,5`. */
export function compactIndexes(indexes: readonly number[]): string {
  const sorted = [...indexes].sort((a, b) => a - b);
  const parts: string[] = [];
  let i = 0;
  while (i < sorted.length) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === (sorted[j] ?? 0) + 1) {
      j++;
    }
    parts.push(j > i + 1 ? `${sorted[i]}-${sorted[j]}` : sorted.slice(i, j + 1).join(","));
    i = j + 1;
  }
  return parts.join(",");
}

/**
 * Checks an operator's extra labels and returns them trimmed, without duplicates
 * (case-insensitive, first spelling kept) and without the base labels `self-hosted` and `dstack`
 * (the scheme adds those).
 *
 * Rules: a label is not empty, has no comma (`config.sh --labels` splits on commas,
 * `CommandSettings.GetLabels` in actions/runner) and no whitespace, is at most
 * {@link MAX_LABEL_LENGTH} characters, and is not one of the scheme's own labels (`on-demand`,
 * `no-gpu`, or starting with `gpu-`, `cpu-ge-`, `mem-ge-`, `shm-ge-`), which would let jobs land
 * on a runner that cannot run them. `dstack-ephemeral` (`EPHEMERAL_LABEL` of `@dstack/spec`) is
 * refused on a persistent runner: it would let code from pull requests run on a machine that a
 * later trusted job reuses (GitHub's self-hosted runner guidance: runners for untrusted code must
 * be ephemeral); on an ephemeral runner it is dropped as a duplicate.
 *
 * @param extra - labels as the operator wrote them.
 * @param options - see {@link CheckExtraLabelsOptions}.
 * @returns the labels to append, in the order given.
 * @throws Error naming the first bad label and the rule it breaks.
 */
export function checkExtraLabels(
  extra: readonly string[],
  options: CheckExtraLabelsOptions = {},
): string[] {
  const out: string[] = [];
  const seen = new Set(BASE_LABELS);
  for (const raw of extra) {
    const label = raw.trim();
    const shown = JSON.stringify(raw);
    if (label === "") {
      throw new Error(`extra labels: ${shown} is empty`);
    }
    if (label.includes(",") || /\s/.test(label)) {
      throw new Error(
        `extra labels: ${shown} has a comma or a space; give each label separately, e.g. rack-3`,
      );
    }
    if (label.length > MAX_LABEL_LENGTH) {
      throw new Error(
        `extra labels: ${JSON.stringify(label.slice(0, 20))}... is ${label.length} characters; the runner accepts at most ${MAX_LABEL_LENGTH}`,
      );
    }
    const lower = label.toLowerCase();
    if (lower === EPHEMERAL_LABEL) {
      if (options.ephemeral) continue;
      throw new Error(
        `extra labels: ${shown} marks ephemeral runners, which take one job and are removed; this runner is persistent, and jobs that run pull-request code ask for ${EPHEMERAL_LABEL}, so they would land on a machine a later trusted job reuses. Register an ephemeral runner instead (dstack-runner configure, which is ephemeral unless --persistent, or --jit)`,
      );
    }
    if (RESERVED_EXACT.has(lower) || RESERVED_PREFIXES.some((p) => lower.startsWith(p))) {
      throw new Error(
        `extra labels: ${shown} is a label of the dstack scheme, set from the host's facts only (on-demand, no-gpu, gpu-*, cpu-ge-*, mem-ge-*, shm-ge-*); choose another name`,
      );
    }
    if (!seen.has(lower)) {
      seen.add(lower);
      out.push(label);
    }
  }
  return out;
}

/**
 * The labels a runner on this host (or on one instance of it) registers with.
 *
 * `runnerLabels(instanceFacts(report, options.gpuIndexes))` from `@dstack/spec`, then
 * `dstack-ephemeral` when `options.ephemeral`, then `options.extra` checked by
 * {@link checkExtraLabels}. Order: the scheme's (stable, see `runnerLabels`), the ephemeral label,
 * then the extras. At most 90 scheme labels (spec's worst case), one more, plus the extras.
 *
 * A runner carrying these labels admits exactly the jobs whose `jobLabels` the instance satisfies
 * when the instance's GPUs are all one model (the property `labels.test.ts` checks); a mixed
 * instance advertises no model and its smallest GPU's memory, so it may refuse jobs it could run,
 * never the other way.
 *
 * @param report - the host, as `readHostFacts` reads it. A host whose driver does not answer never
 *   gets here: `readHostFacts` throws `HostError` `gpu-driver`, so a broken GPU host is never
 *   labelled `no-gpu`.
 * @param options - see {@link HostRunnerLabelsOptions}.
 * @returns lower-case scheme labels, then the extras as given.
 * @throws Error from {@link instanceFacts} (bad `gpuIndexes`) or {@link checkExtraLabels}.
 */
export function hostRunnerLabels(
  report: HostReport,
  options: HostRunnerLabelsOptions = {},
): string[] {
  const ephemeral = options.ephemeral === true;
  const extra = checkExtraLabels(options.extra ?? [], { ephemeral });
  return [
    ...runnerLabels(instanceFacts(report, options.gpuIndexes)),
    ...(ephemeral ? [EPHEMERAL_LABEL] : []),
    ...extra,
  ];
}

/**
 * Labels as `dstack-runner labels` prints them.
 *
 * @param labels - the runner's labels.
 * @param json - `true`: a JSON array on one line (`["self-hosted","dstack",...]`); `false`: a comma
 *   list for `config.sh --labels` (`self-hosted,dstack,...`), which the runner splits on commas.
 * @returns the text, without a final newline.
 */
export function formatLabels(labels: readonly string[], json: boolean): string {
  return json ? JSON.stringify(labels) : labels.join(",");
}
