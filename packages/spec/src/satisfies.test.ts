import { describe, expect, it } from "vitest";
import type { HostFacts, HostGpu, Resources } from "./job.js";
import { hostSatisfies } from "./satisfies.js";

const MiB = 2 ** 20;
const GB = 1e9;

const h100: HostGpu = { name: "NVIDIA H100 80GB HBM3", memoryBytes: 81559 * MiB };
const a100_40: HostGpu = { name: "NVIDIA A100-SXM4-40GB", memoryBytes: 40960 * MiB };
const t4: HostGpu = { name: "Tesla T4", memoryBytes: 15360 * MiB };
const k80: HostGpu = { name: "Tesla K80", memoryBytes: 11441 * MiB };

const cpuHost: HostFacts = {
  cpus: 8,
  memoryBytes: 32 * GB,
  gpus: [],
  shmSizeBytes: 16 * GB,
  interruptible: false,
};
const dgx: HostFacts = {
  cpus: 224,
  memoryBytes: 2 * 2 ** 40,
  gpus: Array.from({ length: 8 }, () => h100),
  interruptible: false,
};
const t4Host: HostFacts = { cpus: 8, memoryBytes: 32 * GB, gpus: [t4], interruptible: false };
const mixed: HostFacts = {
  cpus: 64,
  memoryBytes: 512 * GB,
  gpus: [a100_40, a100_40, t4, t4],
  interruptible: false,
};
const spot: HostFacts = { ...t4Host, interruptible: true };

const cases: { name: string; facts: HostFacts; resources: Resources; want: string[] }[] = [
  { name: "nothing asked", facts: cpuHost, resources: { interruptible: false }, want: [] },
  {
    name: "everything within a CPU host",
    facts: cpuHost,
    resources: { cpu: 8, memoryBytes: 32 * GB, shmSizeBytes: 16 * GB, interruptible: false },
    want: [],
  },
  {
    name: "too many CPUs",
    facts: cpuHost,
    resources: { cpu: 16, interruptible: false },
    want: ["resources.cpu: asked 16, this host has 8"],
  },
  {
    name: "too much memory",
    facts: cpuHost,
    resources: { memoryBytes: 64 * GB, interruptible: false },
    want: ["resources.memory: asked 64GB, this host has 32GB"],
  },
  {
    name: "too much shm",
    facts: cpuHost,
    resources: { shmSizeBytes: 32 * GB, interruptible: false },
    want: ["resources.shm_size: asked 32GB, this host has 16GB"],
  },
  {
    name: "shm asked, host shm unknown",
    facts: t4Host,
    resources: { shmSizeBytes: 1 * GB, interruptible: false },
    want: ["resources.shm_size: asked 1GB, this host's /dev/shm size is unknown"],
  },
  {
    name: "shm not asked, host shm unknown",
    facts: t4Host,
    resources: { interruptible: false },
    want: [],
  },
  {
    name: "GPUs on a host without any",
    facts: cpuHost,
    resources: { gpu: { count: 2 }, interruptible: false },
    want: ["resources.gpu.count: asked 2, this host has 0"],
  },
  {
    name: "named GPU on a host without any",
    facts: cpuHost,
    resources: { gpu: { count: 1, name: "h100" }, interruptible: false },
    want: ["resources.gpu.count: asked 1 h100, this host has 0"],
  },
  {
    name: "4 of 8 H100",
    facts: dgx,
    resources: { gpu: { count: 4, name: "h100" }, interruptible: false },
    want: [],
  },
  {
    name: "H100 by its driver name",
    facts: dgx,
    resources: {
      gpu: { count: 8, name: "NVIDIA H100 PCIe", memoryBytes: 80 * GB },
      interruptible: false,
    },
    want: [],
  },
  {
    name: "A100 asked, H100 here",
    facts: dgx,
    resources: { gpu: { count: 4, name: "a100" }, interruptible: false },
    want: ["resources.gpu.name: asked a100, this host has 8x h100"],
  },
  {
    name: "16 GPUs asked, 8 here",
    facts: dgx,
    resources: { gpu: { count: 16 }, interruptible: false },
    want: ["resources.gpu.count: asked 16, this host has 8"],
  },
  {
    name: "K80 asked as Tesla K80",
    facts: { ...t4Host, gpus: [k80, k80] },
    resources: { gpu: { count: 2, name: "Tesla K80", memoryBytes: 12 * GB }, interruptible: false },
    want: [],
  },
  {
    name: "T4 too small",
    facts: t4Host,
    resources: { gpu: { count: 1, memoryBytes: 24 * GB }, interruptible: false },
    want: [
      "resources.gpu.memory: asked 24GB per GPU, this host's largest GPU has 16.106GB (at least 95% of the asked size counts)",
    ],
  },
  {
    name: "T4 named and too small",
    facts: t4Host,
    resources: { gpu: { count: 1, name: "T4", memoryBytes: 24 * GB }, interruptible: false },
    want: [
      "resources.gpu.memory: asked 24GB per GPU, this host's largest t4 GPU has 16.106GB (at least 95% of the asked size counts)",
    ],
  },
  {
    name: "mixed host: 2 A100 of 4 GPUs",
    facts: mixed,
    resources: { gpu: { count: 2, name: "A100" }, interruptible: false },
    want: [],
  },
  {
    name: "mixed host: 3 A100 asked, 2 here",
    facts: mixed,
    resources: { gpu: { count: 3, name: "A100" }, interruptible: false },
    want: ["resources.gpu.count: asked 3 a100, this host has 2 (of 4: 2x a100, 2x t4)"],
  },
  {
    name: "mixed host: 3 GPUs of 32GB asked, 2 here",
    facts: mixed,
    resources: { gpu: { count: 3, memoryBytes: 32 * GB }, interruptible: false },
    want: ["resources.gpu.count: asked 3 with 32GB, this host has 2 (of 4: 2x a100, 2x t4)"],
  },
  {
    name: "mixed host: H100 asked",
    facts: mixed,
    resources: { gpu: { count: 1, name: "H100" }, interruptible: false },
    want: ["resources.gpu.name: asked h100, this host has 2x a100, 2x t4"],
  },
  {
    name: "a name with no model matches no GPU",
    facts: { ...t4Host, gpus: [{ name: "NVIDIA", memoryBytes: 16 * GB }] },
    resources: { gpu: { count: 1, name: "NVIDIA" }, interruptible: false },
    want: ["resources.gpu.name: asked NVIDIA, this host has 1x NVIDIA"],
  },
  {
    name: "on-demand job on a spot host",
    facts: spot,
    resources: { interruptible: false },
    want: [
      "resources.interruptible: asked false, this host is interruptible (spot); set interruptible: true to allow it",
    ],
  },
  {
    name: "interruptible job on a spot host",
    facts: spot,
    resources: { interruptible: true },
    want: [],
  },
  {
    name: "interruptible job on an on-demand host",
    facts: t4Host,
    resources: { interruptible: true },
    want: [],
  },
  {
    name: "several fields at once, in order",
    facts: { ...spot, shmSizeBytes: 1.5 * GB },
    resources: {
      cpu: 9,
      memoryBytes: 33 * GB,
      shmSizeBytes: 2 * GB,
      gpu: { count: 2, name: "t4" },
      interruptible: false,
    },
    want: [
      "resources.cpu: asked 9, this host has 8",
      "resources.memory: asked 33GB, this host has 32GB",
      "resources.shm_size: asked 2GB, this host has 1.5GB",
      "resources.gpu.count: asked 2 t4, this host has 1 (of 1: 1x t4)",
      "resources.interruptible: asked false, this host is interruptible (spot); set interruptible: true to allow it",
    ],
  },
];

describe("hostSatisfies", () => {
  it.each(cases)("$name", ({ facts, resources, want }) => {
    expect(hostSatisfies(resources, facts).map((u) => u.message)).toEqual(want);
  });

  it("gives field, asked and has as separate values", () => {
    expect(hostSatisfies({ gpu: { count: 2 }, interruptible: false }, cpuHost)).toEqual([
      {
        field: "resources.gpu.count",
        asked: "2",
        has: "0",
        message: "resources.gpu.count: asked 2, this host has 0",
      },
    ]);
    expect(hostSatisfies({ memoryBytes: 64 * GB, interruptible: false }, cpuHost)).toEqual([
      {
        field: "resources.memory",
        asked: "64GB",
        has: "32GB",
        message: "resources.memory: asked 64GB, this host has 32GB",
      },
    ]);
    expect(
      hostSatisfies({ gpu: { count: 4, name: "a100" }, interruptible: false }, dgx)[0],
    ).toMatchObject({
      field: "resources.gpu.name",
      asked: "a100",
      has: "8x h100",
    });
    expect(hostSatisfies({ shmSizeBytes: GB, interruptible: false }, t4Host)[0]).toMatchObject({
      field: "resources.shm_size",
      asked: "1GB",
      has: "unknown",
    });
    expect(hostSatisfies({ interruptible: false }, spot)[0]).toMatchObject({
      field: "resources.interruptible",
      asked: "false",
      has: "true",
    });
  });
});
