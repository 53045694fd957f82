import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { GPU_MEMORY_TOLERANCE, gpuMemoryMatches, normalizeGpuName } from "./gpu.js";

const MiB = 2 ** 20;

describe("normalizeGpuName", () => {
  const cases = [
    { name: "Tesla K80", want: "k80" },
    { name: "K80", want: "k80" },
    { name: "k80", want: "k80" },
    { name: "NVIDIA H100 80GB HBM3", want: "h100" },
    { name: "NVIDIA H100 PCIe", want: "h100" },
    { name: "NVIDIA H100 NVL", want: "h100" },
    { name: "NVIDIA A100-SXM4-40GB", want: "a100" },
    { name: "NVIDIA A100 80GB PCIe", want: "a100" },
    { name: "NVIDIA A100-SXM4-80GB MIG 1g.10gb", want: "a100" },
    { name: "Tesla V100-SXM2-16GB", want: "v100" },
    { name: "Tesla P100-PCIE-16GB", want: "p100" },
    { name: "Tesla T4", want: "t4" },
    { name: "NVIDIA A10G", want: "a10g" },
    { name: "NVIDIA L4", want: "l4" },
    { name: "NVIDIA L40S", want: "l40s" },
    { name: "NVIDIA H200", want: "h200" },
    { name: "NVIDIA GH200 480GB", want: "gh200" },
    { name: "NVIDIA GeForce RTX 4090", want: "rtx4090" },
    { name: "NVIDIA GeForce RTX 3090 Ti", want: "rtx3090ti" },
    { name: "NVIDIA RTX A6000", want: "rtxa6000" },
    { name: "Quadro RTX 8000", want: "rtx8000" },
    { name: "NVIDIA RTX 6000 Ada Generation", want: "rtx6000ada" },
    { name: "AMD Instinct MI300X", want: "mi300x" },
    { name: "  nvidia_h100__80gb  ", want: "h100" },
    { name: "NVIDIA", want: "" },
    { name: "Tesla", want: "" },
    { name: "", want: "" },
    { name: "80GB", want: "" },
  ];
  it.each(cases)("$name", ({ name, want }) => {
    expect(normalizeGpuName(name)).toBe(want);
  });

  it.each(cases)("is case-insensitive: $name", ({ name, want }) => {
    expect(normalizeGpuName(name.toUpperCase())).toBe(want);
    expect(normalizeGpuName(name.toLowerCase())).toBe(want);
  });

  it("returns lower-case [a-z0-9] only and is idempotent on model-like names", () => {
    fc.assert(
      fc.property(fc.string(), (name) => {
        expect(normalizeGpuName(name)).toMatch(/^[a-z0-9]*$/);
      }),
    );
    for (const { want } of cases) {
      expect(normalizeGpuName(want)).toBe(want);
    }
  });
});

describe("gpuMemoryMatches", () => {
  const cases = [
    { name: "K80 reports 11441 MiB, has 12GB", host: 11441 * MiB, askedGb: 12, want: true },
    { name: "T4 reports 15360 MiB, has 16GB", host: 15360 * MiB, askedGb: 16, want: true },
    { name: "A100 40GB reports 40960 MiB, has 40GB", host: 40960 * MiB, askedGb: 40, want: true },
    { name: "A100 40GB does not have 48GB", host: 40960 * MiB, askedGb: 48, want: false },
    { name: "H100 reports 81559 MiB, has 80GB", host: 81559 * MiB, askedGb: 80, want: true },
    { name: "H100 80GB does not have 94GB", host: 81559 * MiB, askedGb: 94, want: false },
    { name: "A10G reports 23028 MiB, has 24GB", host: 23028 * MiB, askedGb: 24, want: true },
    { name: "T4 does not have 24GB", host: 15360 * MiB, askedGb: 24, want: false },
    { name: "exactly 95% counts", host: 95e9, askedGb: 100, want: true },
    { name: "just under 95% does not", host: 95e9 - 1, askedGb: 100, want: false },
  ];
  it.each(cases)("$name", ({ host, askedGb, want }) => {
    expect(gpuMemoryMatches(host, askedGb * 1e9)).toBe(want);
  });

  it("uses a 0.95 tolerance", () => {
    expect(GPU_MEMORY_TOLERANCE).toBe(0.95);
  });

  it("is monotone: more host memory or less asked never turns a match into a miss", () => {
    fc.assert(
      fc.property(
        fc.nat({ max: 1e12 }),
        fc.nat({ max: 1e12 }),
        fc.nat({ max: 1e12 }),
        fc.nat({ max: 1e12 }),
        (host, extra, asked, less) => {
          if (gpuMemoryMatches(host, asked + less)) {
            expect(gpuMemoryMatches(host + extra, asked)).toBe(true);
          }
        },
      ),
    );
  });
});
