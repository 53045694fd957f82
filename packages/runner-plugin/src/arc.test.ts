import { jobLabels, labelsMatch, type Resources, runnerLabels } from "@dstack/spec";
import { fixtureReport } from "@dstack/testing";
import { describe, expect, it } from "vitest";
import { parse, parseDocument } from "yaml";
import { type ArcValuesOptions, arcValues, gpuProductLabelValue, runnerPodFacts } from "./arc.js";

const GiB = 2 ** 30;

const h100 = fixtureReport("h100-80gb-hbm3-x8.csv");
const base: ArcValuesOptions = {
  report: h100,
  gpusPerRunner: 4,
  githubConfigUrl: "https://github.com/acme",
  githubConfigSecret: "arc-github",
  runnerScaleSetName: "dstack-h100x4",
};

interface Values {
  githubConfigUrl: string;
  githubConfigSecret: string;
  runnerScaleSetName: string;
  runnerGroup?: string;
  minRunners?: number;
  maxRunners?: number;
  scaleSetLabels: string[];
  template: {
    spec: {
      nodeSelector: Record<string, string>;
      tolerations: unknown[];
      containers: {
        name: string;
        image: string;
        command: string[];
        env: { name: string; value: string }[];
        resources: { requests: Record<string, unknown>; limits: Record<string, unknown> };
        volumeMounts: unknown[];
      }[];
      volumes: unknown[];
    };
  };
}

function admits(resources: Resources, labels: string[]): boolean {
  const job = jobLabels(resources);
  if ("errors" in job) {
    throw new Error(job.errors.map((e) => e.message).join("; "));
  }
  return labelsMatch(job.labels, labels);
}

describe("arcValues", () => {
  it("4 H100 per runner: the values parsed back", () => {
    const text = arcValues({ ...base, minRunners: 0, maxRunners: 2, runnerGroup: "gpu" });
    const doc = parseDocument(text);
    expect(doc.errors).toEqual([]);
    const values = doc.toJS() as Values;
    const pod = runnerPodFacts(h100, 4);
    // (208 - 1) / 2 CPUs; 90% of 2048GiB / 2 = 943718.4 MiB; shm half of that
    expect(pod).toMatchObject({ cpus: 103, memoryMiB: 943718, shmMiB: 471859 });
    expect(values).toEqual({
      githubConfigUrl: "https://github.com/acme",
      githubConfigSecret: "arc-github",
      runnerScaleSetName: "dstack-h100x4",
      runnerGroup: "gpu",
      minRunners: 0,
      maxRunners: 2,
      scaleSetLabels: [...runnerLabels(pod.facts), "dstack-ephemeral"],
      template: {
        spec: {
          nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3" },
          tolerations: [{ key: "nvidia.com/gpu", operator: "Exists", effect: "NoSchedule" }],
          containers: [
            {
              name: "runner",
              image: "ghcr.io/actions/actions-runner:latest",
              command: ["/home/runner/run.sh"],
              env: [{ name: "DSTACK_RUNNER_INTERRUPTIBLE", value: "false" }],
              resources: {
                requests: { cpu: "103", memory: "943718Mi", "nvidia.com/gpu": 4 },
                limits: { memory: "943718Mi", "nvidia.com/gpu": 4 },
              },
              volumeMounts: [{ name: "dshm", mountPath: "/dev/shm" }],
            },
          ],
          volumes: [{ name: "dshm", emptyDir: { medium: "Memory", sizeLimit: "471859Mi" } }],
        },
      },
    });
    expect(
      text.startsWith(
        "# gha-runner-scale-set values from dstack-runner arc-values: 4x NVIDIA H100 80GB HBM3 per runner,\n",
      ),
    ).toBe(true);
    expect(text).toContain("# Jobs can always use runs-on: dstack-h100x4\n");
    // The operator learns that labels are set once, when the scale set is created.
    expect(text).toContain(
      "# ARC sends them to GitHub only when it creates the scale set: to change them, install under a\n# new runnerScaleSetName",
    );
    expect(text).toContain("(GitHub Enterprise Server 3.18 or later)");
  });

  it("ARC runners are ephemeral: pull-request runs (untrusted jobs) land on them", () => {
    const { scaleSetLabels } = parse(arcValues(base)) as Values;
    const job = jobLabels(
      { gpu: { count: 4, name: "h100" }, interruptible: false },
      { untrusted: true },
    );
    expect("labels" in job && labelsMatch(job.labels, scaleSetLabels)).toBe(true);
    // Given again as an extra label, it is not repeated.
    const again = parse(arcValues({ ...base, extraLabels: ["dstack-ephemeral", "rack-3"] }));
    expect((again as Values).scaleSetLabels.slice(-2)).toEqual(["dstack-ephemeral", "rack-3"]);
  });

  it("the scale set's labels admit 4x H100 and refuse 4x A100, 8x H100 and 16 GPUs", () => {
    const { scaleSetLabels } = parse(arcValues(base)) as Values;
    expect(scaleSetLabels.slice(0, 4)).toEqual(["self-hosted", "dstack", "on-demand", "gpu-h100"]);
    expect(admits({ gpu: { count: 4, name: "h100" }, interruptible: false }, scaleSetLabels)).toBe(
      true,
    );
    expect(admits({ gpu: { count: 4, name: "a100" }, interruptible: false }, scaleSetLabels)).toBe(
      false,
    );
    expect(admits({ gpu: { count: 8, name: "h100" }, interruptible: false }, scaleSetLabels)).toBe(
      false,
    );
    expect(admits({ gpu: { count: 16 }, interruptible: false }, scaleSetLabels)).toBe(false);
    // the pod's shm: a 64GB /dev/shm job fits, as the pod mounts 471859 MiB
    expect(
      admits({ gpu: { count: 1 }, shmSizeBytes: 64e9, interruptible: false }, scaleSetLabels),
    ).toBe(true);
  });

  const variants: {
    name: string;
    options: Partial<ArcValuesOptions>;
    check: (v: Values) => void;
  }[] = [
    {
      name: "a spot node pool: no on-demand label, the hooks told",
      options: { interruptible: true },
      check: (v) => {
        expect(v.scaleSetLabels).not.toContain("on-demand");
        expect(v.template.spec.containers[0]?.env).toEqual([
          { name: "DSTACK_RUNNER_INTERRUPTIBLE", value: "true" },
        ]);
      },
    },
    {
      name: "the node's allocatable: requests and labels follow it",
      options: { gpusPerRunner: 1, allocatable: { cpus: 96, memoryBytes: 800 * GiB } },
      check: (v) => {
        expect(v.template.spec.containers[0]?.resources.requests).toEqual({
          cpu: "12",
          memory: "102400Mi",
          "nvidia.com/gpu": 1,
        });
        expect(v.scaleSetLabels).toContain("cpu-ge-12");
        expect(v.scaleSetLabels).not.toContain("cpu-ge-16");
        expect(v.scaleSetLabels).toContain("mem-ge-96gb");
        expect(v.scaleSetLabels).not.toContain("mem-ge-128gb");
        expect(v.scaleSetLabels).toContain("gpu-count-ge-1");
        expect(v.scaleSetLabels).not.toContain("gpu-count-ge-2");
      },
    },
    {
      name: "extra labels, a node selector of one's own, another image",
      options: {
        extraLabels: ["linux", "self-hosted"],
        nodeSelector: { "cloud.google.com/gke-nodepool": "h100" },
        image: "ghcr.io/acme/runner:2.330.0",
      },
      check: (v) => {
        expect(v.scaleSetLabels.at(-1)).toBe("linux");
        expect(v.scaleSetLabels.filter((l) => l === "self-hosted")).toHaveLength(1);
        expect(v.template.spec.nodeSelector).toEqual({
          "cloud.google.com/gke-nodepool": "h100",
          "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3",
        });
        expect(v.template.spec.containers[0]?.image).toBe("ghcr.io/acme/runner:2.330.0");
      },
    },
    {
      name: "a product selector of one's own wins",
      options: { nodeSelector: { "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3-SHARED" } },
      check: (v) => {
        expect(v.template.spec.nodeSelector).toEqual({
          "nvidia.com/gpu.product": "NVIDIA-H100-80GB-HBM3-SHARED",
        });
      },
    },
    {
      name: "no runner counts or group unless given",
      options: {},
      check: (v) => {
        expect(Object.keys(v)).toEqual([
          "githubConfigUrl",
          "githubConfigSecret",
          "runnerScaleSetName",
          "scaleSetLabels",
          "template",
        ]);
      },
    },
  ];
  it.each(variants)("$name", ({ options, check }) => {
    check(parse(arcValues({ ...base, ...options })) as Values);
  });

  const bad: { name: string; options: Partial<ArcValuesOptions>; error: string }[] = [
    {
      name: "a node without GPUs",
      options: {
        report: { ...h100, gpus: [], gpuDetails: [], notes: ["nvidia-smi not found: 0 GPUs"] },
      },
      error:
        "arc-values: this host has no GPUs (nvidia-smi not found: 0 GPUs); read the facts on a GPU node of the pool",
    },
    {
      name: "a node mixing models",
      options: { report: fixtureReport("mixed-a100-80gb-pcie-x2-t4-x2.csv"), gpusPerRunner: 1 },
      error: "this node mixes GPU models (NVIDIA A100 80GB PCIe, Tesla T4)",
    },
    {
      name: "more GPUs per runner than the node has",
      options: { gpusPerRunner: 16 },
      error: "16 GPUs per runner; the node has 8",
    },
    {
      name: "no GPUs per runner",
      options: { gpusPerRunner: 0 },
      error: "choose a whole number from 1 to 8",
    },
    {
      name: "a scale set name over 45 characters",
      options: { runnerScaleSetName: "d".repeat(46) },
      error: "must be 1 to 45 lower-case",
    },
    {
      name: "a scale set name with capitals",
      options: { runnerScaleSetName: "GPU_Runners" },
      error: "e.g. dstack-h100x4",
    },
    {
      name: "a token instead of a secret name",
      options: { githubConfigSecret: "ghp_AbCdEf123" },
      error: "must name a Kubernetes secret",
    },
    {
      name: "not a GitHub URL",
      options: { githubConfigUrl: "acme" },
      error: "is not https://github.com/ORG",
    },
    {
      name: "min above max",
      options: { minRunners: 3, maxRunners: 2 },
      error: "minRunners 3 is above maxRunners 2",
    },
    {
      name: "negative max",
      options: { maxRunners: -1 },
      error: "maxRunners -1 is not a whole number >= 0",
    },
    {
      name: "a scheme label as an extra",
      options: { extraLabels: ["gpu-count-ge-16"] },
      error: "is a label of the dstack scheme",
    },
  ];
  it.each(bad)("refuses $name", ({ options, error }) => {
    expect(() => arcValues({ ...base, ...options })).toThrow(error);
  });

  it("names GPU products as GPU Feature Discovery does", () => {
    expect(gpuProductLabelValue("NVIDIA H100 80GB HBM3")).toBe("NVIDIA-H100-80GB-HBM3");
    expect(gpuProductLabelValue("Tesla T4")).toBe("Tesla-T4");
    expect(gpuProductLabelValue("NVIDIA A100-SXM4-40GB")).toBe("NVIDIA-A100-SXM4-40GB");
  });
});
