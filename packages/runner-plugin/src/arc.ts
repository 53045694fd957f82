/**
 * `dstack-runner arc-values`: Helm values for an actions-runner-controller (ARC) runner scale set
 * (`oci://ghcr.io/actions/actions-runner-controller-charts/gha-runner-scale-set`) of GPU runners,
 * for teams that outgrow a few machines.
 *
 * What ARC does with each value (chart `values.yaml`, and the GitHub docs "Deploying runner scale
 * sets with Actions Runner Controller"):
 * - `githubConfigUrl`, `githubConfigSecret` (the name of a Kubernetes secret holding a PAT or
 *   GitHub App credentials; a token is never written into these values), `runnerScaleSetName`
 *   (at most 45 characters; always one of the scale set's labels), `runnerGroup`,
 *   `minRunners`/`maxRunners`;
 * - `scaleSetLabels`: more labels for the scale set, so jobs can select it with `runs-on:` lists
 *   as they select self-hosted runners. Added in ARC 0.14.0 (actions-runner-controller PR #4408;
 *   the chart key is `scaleSetLabels`, the `AutoscalingRunnerSet` field `runnerScaleSetLabels`,
 *   which GitHub's "Using ARC runners in a workflow" page also calls the values key). Older charts
 *   ignore the key: jobs can then only target the scale set by its name. Open reports
 *   (actions-runner-controller #4425, #4579) say some GitHub versions register only the name;
 *   check the scale set's labels after installing. ARC sends the labels only when it creates the
 *   scale set: changing them on an existing one (a `helm upgrade`) changes nothing on GitHub, so
 *   new labels need a new `runnerScaleSetName` (or the scale set deleted and created again).
 *   GitHub Enterprise Server accepts scale set labels from 3.18 on;
 * - ARC's runners are ephemeral (one job per pod, then the pod is replaced), so the scale set
 *   carries `dstack-ephemeral` (`EPHEMERAL_LABEL` of `@dstack/spec`) and may take jobs that run
 *   pull-request code;
 * - `template.spec`: the runner pod. Its container named `runner` (the name ARC merges its
 *   defaults into) runs `ghcr.io/actions/actions-runner:latest` with `/home/runner/run.sh`.
 *
 * GPUs come from the NVIDIA device plugin as the extended resource `nvidia.com/gpu`, requested in
 * `resources.limits`; nodes are chosen by the label NVIDIA GPU Feature Discovery puts on them,
 * `nvidia.com/gpu.product`: the driver's product name with spaces replaced by `-`
 * (`NVIDIA H100 80GB HBM3` -> `NVIDIA-H100-80GB-HBM3`; NVIDIA/k8s-device-plugin,
 * `internal/lm/resource.go`; `-SHARED` is appended under time-slicing, `-MIG-<profile>` for MIG
 * devices, which these values do not select).
 *
 * @module
 */

import type { HostReport } from "@dstack/host";
import { EPHEMERAL_LABEL, type HostFacts, normalizeGpuName, runnerLabels } from "@dstack/spec";
import { Document } from "yaml";
import { checkExtraLabels, describeHostGpus } from "./labels.js";

/** The runner image ARC's chart uses by default. */
export const RUNNER_IMAGE = "ghcr.io/actions/actions-runner:latest";

/** The node label NVIDIA GPU Feature Discovery sets to the GPU's product name. */
export const GPU_PRODUCT_LABEL = "nvidia.com/gpu.product";

/** The extended resource the NVIDIA device plugin advertises. */
export const GPU_RESOURCE = "nvidia.com/gpu";

const MiB = 2 ** 20;

/** Kubernetes label values: 63 characters, alphanumeric ends, `-`, `_`, `.` inside. */
const LABEL_VALUE_RE = /^(?:[A-Za-z0-9](?:[A-Za-z0-9._-]{0,61}[A-Za-z0-9])?)?$/;
/** A scale set name ARC accepts and Kubernetes can name resources after. */
const SCALE_SET_NAME_RE = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;
/** A Kubernetes secret name (DNS subdomain). */
const SECRET_NAME_RE = /^[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?$/;

/**
 * The value GPU Feature Discovery gives `nvidia.com/gpu.product` for a GPU name: spaces replaced
 * by `-` (`NVIDIA H100 80GB HBM3` -> `NVIDIA-H100-80GB-HBM3`, `Tesla T4` -> `Tesla-T4`).
 */
export function gpuProductLabelValue(name: string): string {
  return name.trim().replaceAll(" ", "-");
}

/** Options of {@link arcValues}. */
export interface ArcValuesOptions {
  /**
   * The facts of one GPU node of the pool, as `dstack-runner labels` reads them on it (sizes in
   * bytes). All its GPUs must be one model.
   */
  report: HostReport;
  /** GPUs per runner pod (`limits: nvidia.com/gpu`), 1 to the node's GPU count. */
  gpusPerRunner: number;
  /** `https://github.com/ORG` or `https://github.com/OWNER/REPO`. */
  githubConfigUrl: string;
  /** The name of a Kubernetes secret in the runners' namespace with `github_token` or App keys. */
  githubConfigSecret: string;
  /** The scale set's name (also its first label), e.g. `dstack-h100x4`; at most 45 characters. */
  runnerScaleSetName: string;
  /** Idle runners kept ready. Absent: ARC's default (0). */
  minRunners?: number;
  /** The most runners at once. Absent: unbounded. */
  maxRunners?: number;
  /** The runner group. Absent: the default group. */
  runnerGroup?: string;
  /** Node selector entries, over the default `{ "nvidia.com/gpu.product": <product> }`. */
  nodeSelector?: Record<string, string>;
  /** The operator's own labels, after the scheme's; see `checkExtraLabels`. */
  extraLabels?: readonly string[];
  /** Overrides `report.interruptible`: `true` for a spot node pool. */
  interruptible?: boolean;
  /**
   * What the node leaves to pods (`kubectl get node NODE -o jsonpath='{.status.allocatable}'`):
   * `cpus` and `memoryBytes`. Default: the report's CPUs less one, and 90% of its memory, a margin
   * for the kubelet's and system reservations and the eviction threshold.
   */
  allocatable?: { cpus?: number; memoryBytes?: number };
  /** The runner image. Default {@link RUNNER_IMAGE}. */
  image?: string;
}

/** One runner pod's share of a node, as {@link runnerPodFacts} computes it. */
export interface RunnerPodFacts {
  /** The facts the labels come from (sizes in bytes). */
  facts: HostFacts;
  /** CPU request, whole CPUs. */
  cpus: number;
  /** Memory request and limit, MiB. */
  memoryMiB: number;
  /** `/dev/shm` size (a memory-backed emptyDir), MiB. */
  shmMiB: number;
}

/**
 * The resources of one runner pod with `gpusPerRunner` of the node's `N` GPUs, and the facts its
 * labels come from. With `share = gpusPerRunner / N` and the allocatable CPUs and memory
 * ({@link ArcValuesOptions.allocatable}):
 * - `cpus = max(1, floor(allocatable.cpus * share))` (requested; no CPU limit, so idle CPU is
 *   not throttled away);
 * - `memoryMiB = floor(allocatable.memoryBytes * share / 2^20)` (request and limit);
 * - `shmMiB = floor(memoryMiB / 2)`: `/dev/shm` is a memory-backed emptyDir of that size
 *   (containers otherwise get 64 MiB, too little for PyTorch data loaders); it counts against the
 *   pod's memory;
 * - GPUs: `gpusPerRunner` of the node's model.
 *
 * @throws Error for a node without GPUs, with GPUs of several models, or a `gpusPerRunner` that is
 *   not an integer from 1 to the node's GPUs.
 */
export function runnerPodFacts(
  report: HostReport,
  gpusPerRunner: number,
  options: Pick<ArcValuesOptions, "allocatable" | "interruptible"> = {},
): RunnerPodFacts {
  const gpus = report.gpuDetails;
  if (gpus.length === 0) {
    throw new Error(
      `arc-values: ${describeHostGpus(report)}; read the facts on a GPU node of the pool`,
    );
  }
  const models = [...new Set(gpus.map((g) => g.name))];
  if (models.length > 1) {
    throw new Error(
      `arc-values: this node mixes GPU models (${models.join(", ")}); a pod asks for ${GPU_RESOURCE} without a model, so make one scale set per model, from a node of that model`,
    );
  }
  if (!Number.isInteger(gpusPerRunner) || gpusPerRunner < 1 || gpusPerRunner > gpus.length) {
    throw new Error(
      `arc-values: ${gpusPerRunner} GPUs per runner; the node has ${gpus.length}, so choose a whole number from 1 to ${gpus.length}`,
    );
  }
  const allocCpus = options.allocatable?.cpus ?? Math.max(1, report.cpus - 1);
  const allocMemory = options.allocatable?.memoryBytes ?? Math.floor(report.memoryBytes * 0.9);
  const share = gpusPerRunner / gpus.length;
  const cpus = Math.max(1, Math.floor(allocCpus * share));
  const memoryMiB = Math.floor((allocMemory * share) / MiB);
  const shmMiB = Math.floor(memoryMiB / 2);
  const facts: HostFacts = {
    cpus,
    memoryBytes: memoryMiB * MiB,
    shmSizeBytes: shmMiB * MiB,
    gpus: gpus.slice(0, gpusPerRunner).map((g) => ({ name: g.name, memoryBytes: g.memoryBytes })),
    interruptible: options.interruptible ?? report.interruptible,
  };
  return { facts, cpus, memoryMiB, shmMiB };
}

/**
 * Helm values for a `gha-runner-scale-set` of runners with `gpusPerRunner` GPUs each, labelled
 * with the dstack scheme.
 *
 * The values (YAML, with a comment header saying what they are):
 * ```yaml
 * githubConfigUrl, githubConfigSecret, runnerScaleSetName, [runnerGroup, minRunners, maxRunners]
 * scaleSetLabels: [self-hosted, dstack, on-demand, gpu-h100, cpu-ge-1, ..., dstack-ephemeral]
 * template:
 *   spec:
 *     nodeSelector: { nvidia.com/gpu.product: NVIDIA-H100-80GB-HBM3 }
 *     tolerations: [{ key: nvidia.com/gpu, operator: Exists, effect: NoSchedule }]
 *     containers:
 *       - name: runner
 *         image: ghcr.io/actions/actions-runner:latest
 *         command: [/home/runner/run.sh]
 *         env: [{ name: DSTACK_RUNNER_INTERRUPTIBLE, value: "false" }]
 *         resources:
 *           requests: { cpu: "N", memory: NMi, nvidia.com/gpu: G }
 *           limits: { memory: NMi, nvidia.com/gpu: G }
 *         volumeMounts: [{ name: dshm, mountPath: /dev/shm }]
 *     volumes: [{ name: dshm, emptyDir: { medium: Memory, sizeLimit: NMi } }]
 * ```
 * The toleration lets pods onto GPU nodes tainted `nvidia.com/gpu` (GKE taints its GPU node pools
 * so; elsewhere it is harmless). The labels are `runnerLabels` of {@link runnerPodFacts}, so a pod
 * only advertises what it requested, then `dstack-ephemeral` (ARC runners take one job each),
 * then the extra labels.
 *
 * @param options - see {@link ArcValuesOptions}.
 * @returns the values as YAML text, ending with a newline.
 * @throws Error for a node without GPUs or with mixed models, a bad `gpusPerRunner`, a scale set
 *   name ARC refuses (over 45 characters, not lower-case letters, digits and `-`), a secret that is
 *   not a Kubernetes secret name (a token pasted by mistake is refused, never written), a
 *   `githubConfigUrl` that is not a GitHub URL, bad runner counts, a bad extra label, or a
 *   product name that is not a valid Kubernetes label value (pass `nodeSelector`).
 */
export function arcValues(options: ArcValuesOptions): string {
  const { report, gpusPerRunner, runnerScaleSetName, githubConfigSecret } = options;
  const pod = runnerPodFacts(report, gpusPerRunner, options);
  if (runnerScaleSetName.length > 45 || !SCALE_SET_NAME_RE.test(runnerScaleSetName)) {
    throw new Error(
      `arc-values: scale set name ${JSON.stringify(runnerScaleSetName)} must be 1 to 45 lower-case letters, digits and "-" (the chart fails on longer names); e.g. dstack-${normalizeGpuName(report.gpuDetails[0]?.name ?? "") || "gpu"}x${gpusPerRunner}`,
    );
  }
  if (!SECRET_NAME_RE.test(githubConfigSecret)) {
    throw new Error(
      `arc-values: githubConfigSecret must name a Kubernetes secret (lower-case letters, digits, "-", "."), not hold a token; create one with kubectl create secret generic NAME --from-literal=github_token=...`,
    );
  }
  let url: URL | undefined;
  try {
    url = new URL(options.githubConfigUrl);
  } catch {
    url = undefined;
  }
  if (!url || !/^https?:$/.test(url.protocol) || url.pathname.replace(/\/+$/, "") === "") {
    throw new Error(
      `arc-values: githubConfigUrl ${JSON.stringify(options.githubConfigUrl)} is not https://github.com/ORG or https://github.com/OWNER/REPO`,
    );
  }
  const { minRunners, maxRunners } = options;
  for (const [key, value] of [
    ["minRunners", minRunners],
    ["maxRunners", maxRunners],
  ] as const) {
    if (value !== undefined && (!Number.isInteger(value) || value < 0)) {
      throw new Error(`arc-values: ${key} ${value} is not a whole number >= 0`);
    }
  }
  if (minRunners !== undefined && maxRunners !== undefined && minRunners > maxRunners) {
    throw new Error(`arc-values: minRunners ${minRunners} is above maxRunners ${maxRunners}`);
  }
  const gpuName = report.gpuDetails[0]?.name ?? "";
  const product = gpuProductLabelValue(gpuName);
  const nodeSelector: Record<string, string> = { ...options.nodeSelector };
  if (!(GPU_PRODUCT_LABEL in nodeSelector)) {
    if (!LABEL_VALUE_RE.test(product)) {
      throw new Error(
        `arc-values: ${JSON.stringify(product)} is not a Kubernetes label value; pass a nodeSelector that picks these nodes`,
      );
    }
    nodeSelector[GPU_PRODUCT_LABEL] = product;
  }
  const labels = [
    ...runnerLabels(pod.facts),
    EPHEMERAL_LABEL,
    ...checkExtraLabels(options.extraLabels ?? [], { ephemeral: true }),
  ];
  const memory = `${pod.memoryMiB}Mi`;

  const values: Record<string, unknown> = {
    githubConfigUrl: options.githubConfigUrl.replace(/\/+$/, ""),
    githubConfigSecret,
    runnerScaleSetName,
  };
  if (options.runnerGroup !== undefined) {
    values.runnerGroup = options.runnerGroup;
  }
  if (minRunners !== undefined) {
    values.minRunners = minRunners;
  }
  if (maxRunners !== undefined) {
    values.maxRunners = maxRunners;
  }
  values.scaleSetLabels = labels;
  values.template = {
    spec: {
      nodeSelector,
      tolerations: [{ key: GPU_RESOURCE, operator: "Exists", effect: "NoSchedule" }],
      containers: [
        {
          name: "runner",
          image: options.image ?? RUNNER_IMAGE,
          command: ["/home/runner/run.sh"],
          env: [
            {
              name: "DSTACK_RUNNER_INTERRUPTIBLE",
              value: pod.facts.interruptible ? "true" : "false",
            },
          ],
          resources: {
            requests: { cpu: String(pod.cpus), memory, [GPU_RESOURCE]: gpusPerRunner },
            limits: { memory, [GPU_RESOURCE]: gpusPerRunner },
          },
          volumeMounts: [{ name: "dshm", mountPath: "/dev/shm" }],
        },
      ],
      volumes: [{ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: `${pod.shmMiB}Mi` } }],
    },
  };

  const doc = new Document(values);
  doc.commentBefore = [
    ` gha-runner-scale-set values from dstack-runner arc-values: ${gpusPerRunner}x ${gpuName} per runner,`,
    ` ${pod.cpus} CPUs, ${memory} memory, ${pod.shmMiB}Mi /dev/shm (${GPU_PRODUCT_LABEL}=${nodeSelector[GPU_PRODUCT_LABEL] ?? "?"}).`,
    " scaleSetLabels needs gha-runner-scale-set 0.14.0 or later (GitHub Enterprise Server 3.18 or later);",
    " ARC sends them to GitHub only when it creates the scale set: to change them, install under a",
    " new runnerScaleSetName (or delete and recreate the scale set); a helm upgrade alone does not.",
    ` ${EPHEMERAL_LABEL}: ARC runners take one job each, so pull-request runs may land here.`,
    ` Jobs can always use runs-on: ${runnerScaleSetName}`,
  ].join("\n");
  return doc.toString({ lineWidth: 0 });
}
