import { readFileSync } from "node:fs";
import type { Resources } from "@dstack/spec";
import { describe, expect, it } from "vitest";
import { checkResources, formatHostFacts } from "./check.js";
import type { HostReport } from "./facts.js";
import { type GpuDetail, parseNvidiaSmiCsv } from "./nvidia.js";

const GB = 1e9;
const GiB = 2 ** 30;
const MiB = 2 ** 20;

function gpusOf(file: string): GpuDetail[] {
  return parseNvidiaSmiCsv(readFileSync(new URL(`fixtures/${file}`, import.meta.url), "utf8"));
}

/** A report as readHostFacts would build it, from GPU details and the rest. */
function host(
  details: GpuDetail[],
  rest: Partial<Omit<HostReport, "gpus" | "gpuDetails">> = {},
): HostReport {
  return {
    cpus: 8,
    memoryBytes: 32 * GB,
    shmSizeBytes: 16 * GB,
    interruptible: false,
    notes: [],
    ...rest,
    gpus: details.map(({ name, memoryBytes }) => ({ name, memoryBytes })),
    gpuDetails: details,
    sources: {
      cpus: "os",
      memory: "meminfo",
      gpus: details.length > 0 ? "nvidia-smi" : "none",
      ...rest.sources,
    },
  };
}

const noSmi = host([]);
const smiNoGpus = host([], { sources: { cpus: "os", memory: "meminfo", gpus: "nvidia-smi" } });
const dgx = host(gpusOf("h100-80gb-hbm3-x8.csv"), { cpus: 224, memoryBytes: 2 * 2 ** 40 });
const t4 = host(gpusOf("tesla-t4-x1.csv"));
const mixed = host(gpusOf("mixed-a100-80gb-pcie-x2-t4-x2.csv"), { cpus: 64 });
const spot = host([], { interruptible: true });

describe("checkResources", () => {
  const cases: { name: string; resources: Resources; report: HostReport; message?: string }[] = [
    { name: "nothing asked", resources: { interruptible: false }, report: noSmi },
    {
      name: "CPU job on a CPU host",
      resources: { cpu: 8, memoryBytes: 32 * GB, shmSizeBytes: 16 * GB, interruptible: false },
      report: noSmi,
    },
    {
      name: "GPUs asked, nvidia-smi not found",
      resources: { gpu: { count: 2 }, interruptible: false },
      report: noSmi,
      message: "resources.gpu.count: asked 2, this host has 0 (nvidia-smi not found)",
    },
    {
      name: "a named GPU asked, nvidia-smi not found",
      resources: { gpu: { count: 1, name: "h100", memoryBytes: 80 * GB }, interruptible: false },
      report: noSmi,
      message:
        "resources.gpu.count: asked 1 h100 with 80GB, this host has 0 (nvidia-smi not found)",
    },
    {
      name: "GPUs asked, nvidia-smi found none",
      resources: { gpu: { count: 1 }, interruptible: false },
      report: smiNoGpus,
      message: "resources.gpu.count: asked 1, this host has 0 (nvidia-smi found no GPUs)",
    },
    {
      name: "8 H100 on the DGX",
      resources: { gpu: { count: 8, name: "H100", memoryBytes: 80 * GB }, interruptible: false },
      report: dgx,
    },
    {
      name: "A100 asked on the DGX: the model line, no nvidia-smi remark",
      resources: { gpu: { count: 1, name: "A100" }, interruptible: false },
      report: dgx,
      message: "resources.gpu.name: asked a100, this host has 8x h100",
    },
    {
      name: "a T4 is 16GB",
      resources: {
        gpu: { count: 1, name: "Tesla T4", memoryBytes: 16 * GB },
        interruptible: false,
      },
      report: t4,
    },
    {
      name: "a T4 is not 24GB",
      resources: { gpu: { count: 1, memoryBytes: 24 * GB }, interruptible: false },
      report: t4,
      message:
        "resources.gpu.memory: asked 24GB per GPU, this host's largest GPU has 16.106GB (at least 95% of the asked size counts)",
    },
    {
      name: "mixed host: 2 A100 80GB of 4 GPUs",
      resources: { gpu: { count: 2, name: "a100", memoryBytes: 80 * GB }, interruptible: false },
      report: mixed,
    },
    {
      name: "mixed host: 4 A100 asked",
      resources: { gpu: { count: 4, name: "a100" }, interruptible: false },
      report: mixed,
      message: "resources.gpu.count: asked 4 a100, this host has 2 (of 4: 2x a100, 2x t4)",
    },
    {
      name: "everything unmet, one line each, in order",
      resources: {
        cpu: 16,
        memoryBytes: 64 * GB,
        shmSizeBytes: 32 * GB,
        gpu: { count: 2 },
        interruptible: false,
      },
      report: spot,
      message: [
        "resources.cpu: asked 16, this host has 8",
        "resources.memory: asked 64GB, this host has 32GB",
        "resources.shm_size: asked 32GB, this host has 16GB",
        "resources.gpu.count: asked 2, this host has 0 (nvidia-smi not found)",
        "resources.interruptible: asked false, this host is interruptible (spot); set interruptible: true to allow it",
      ].join("\n"),
    },
    {
      name: "an interruptible job on a spot host",
      resources: { interruptible: true },
      report: spot,
    },
  ];

  it.each(cases)("$name", ({ resources, report, message }) => {
    const result = checkResources(resources, report);
    if (message === undefined) {
      expect(result).toEqual({ ok: true });
      return;
    }
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.message).toBe(message);
      expect(result.unmet.map((u) => u.message)).toEqual(message.split("\n"));
    }
  });
});

describe("formatHostFacts", () => {
  const cases: { name: string; report: HostReport; want: string }[] = [
    {
      name: "one A100",
      report: host(gpusOf("a100-sxm4-40gb-x1.csv"), {
        memoryBytes: 32781236 * 1024,
        shmSizeBytes: 16 * GB,
      }),
      want: "8 CPUs, 33.6GB memory, 1x NVIDIA A100-SXM4-40GB (42.9GB), /dev/shm 16GB",
    },
    {
      name: "8x H100",
      report: dgx,
      want: "224 CPUs, 2.2TB memory, 8x NVIDIA H100 80GB HBM3 (85.5GB), /dev/shm 16GB",
    },
    {
      name: "mixed",
      report: mixed,
      want: "64 CPUs, 32GB memory, 2x NVIDIA A100 80GB PCIe (85.9GB), 2x Tesla T4 (16.1GB), /dev/shm 16GB",
    },
    {
      name: "small CPU container, docker's default /dev/shm",
      report: host([], { cpus: 1, memoryBytes: 512 * MiB, shmSizeBytes: 64 * MiB }),
      want: "1 CPU, 536.9MB memory, no GPUs (nvidia-smi not found), /dev/shm 67.1MB",
    },
    {
      name: "nvidia-smi found none, /dev/shm unknown, spot",
      report: {
        ...smiNoGpus,
        memoryBytes: 16 * GiB,
        shmSizeBytes: undefined,
        interruptible: true,
      },
      want: "8 CPUs, 17.2GB memory, no GPUs (nvidia-smi found no GPUs), /dev/shm unknown, interruptible",
    },
    {
      name: "rounding up to the next unit",
      report: host([], { memoryBytes: 999_960_000_000 }),
      want: "8 CPUs, 1TB memory, no GPUs (nvidia-smi not found), /dev/shm 16GB",
    },
  ];

  it.each(cases)("$name", ({ report, want }) => {
    expect(formatHostFacts(report)).toBe(want);
  });
});
