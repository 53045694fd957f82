import { readFileSync } from "node:fs";
import { normalizeGpuName } from "@dstack/spec";
import { describe, expect, it } from "vitest";
import { HostError } from "./errors.js";
import { parseNvidiaSmiCsv } from "./nvidia.js";

const MiB = 2 ** 20;

function fixture(name: string): string {
  return readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");
}

describe("parseNvidiaSmiCsv on recorded outputs", () => {
  const cases = [
    {
      name: "8x H100 80GB HBM3",
      file: "h100-80gb-hbm3-x8.csv",
      names: Array(8).fill("NVIDIA H100 80GB HBM3"),
      mib: Array(8).fill(81559),
      models: ["h100"],
    },
    {
      name: "1x A100-SXM4-40GB",
      file: "a100-sxm4-40gb-x1.csv",
      names: ["NVIDIA A100-SXM4-40GB"],
      mib: [40960],
      models: ["a100"],
    },
    {
      name: "1x Tesla T4",
      file: "tesla-t4-x1.csv",
      names: ["Tesla T4"],
      mib: [15360],
      models: ["t4"],
    },
    {
      name: "mixed: 2x A100 80GB PCIe + 2x T4",
      file: "mixed-a100-80gb-pcie-x2-t4-x2.csv",
      names: ["NVIDIA A100 80GB PCIe", "NVIDIA A100 80GB PCIe", "Tesla T4", "Tesla T4"],
      mib: [81920, 81920, 15360, 15360],
      models: ["a100", "t4"],
    },
  ];

  it.each(cases)("$name", ({ file, names, mib, models }) => {
    const gpus = parseNvidiaSmiCsv(fixture(file));
    expect(gpus.map((g) => g.name)).toEqual(names);
    expect(gpus.map((g) => g.memoryBytes)).toEqual(mib.map((m) => m * MiB));
    expect(gpus.map((g) => g.index)).toEqual(names.map((_, i) => i));
    for (const gpu of gpus) {
      expect(gpu.uuid).toMatch(
        /^GPU-[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
      );
    }
    expect(new Set(gpus.map((g) => g.uuid)).size).toBe(gpus.length);
    expect([...new Set(gpus.map((g) => normalizeGpuName(g.name)))]).toEqual(models);
  });
});

describe("parseNvidiaSmiCsv", () => {
  const ok = [
    { name: "empty output", text: "", want: [] },
    { name: "blank lines only", text: "\n  \n", want: [] },
    {
      name: "one line, exact bytes",
      text: "0, NVIDIA H100 80GB HBM3, 81559, GPU-a\n",
      want: [{ index: 0, name: "NVIDIA H100 80GB HBM3", memoryBytes: 85520809984, uuid: "GPU-a" }],
    },
    {
      name: "CRLF, extra spaces and a blank line",
      text: "  3 ,  Tesla T4 , 15360 ,  GPU-b  \r\n\r\n",
      want: [{ index: 3, name: "Tesla T4", memoryBytes: 15360 * MiB, uuid: "GPU-b" }],
    },
    {
      name: "a comma inside the name survives",
      text: "1, Odd, Name, 1024, GPU-c",
      want: [{ index: 1, name: "Odd, Name", memoryBytes: 1024 * MiB, uuid: "GPU-c" }],
    },
  ];
  it.each(ok)("$name", ({ text, want }) => {
    expect(parseNvidiaSmiCsv(text)).toEqual(want);
  });

  const expected = 'expected "index, name, memory.total (MiB), uuid"';
  const bad = [
    {
      name: "memory [N/A]",
      text: "0, NVIDIA GH200 480GB, [N/A], GPU-a",
      message: `nvidia-smi output line 1: memory.total "[N/A]" is not a whole number of MiB; ${expected}: "0, NVIDIA GH200 480GB, [N/A], GPU-a"`,
    },
    {
      name: "memory with its unit (no nounits)",
      text: "0, Tesla T4, 15360, GPU-a\n1, Tesla T4, 15360 MiB, GPU-b",
      message: `nvidia-smi output line 2: memory.total "15360 MiB" is not a whole number of MiB; ${expected}: "1, Tesla T4, 15360 MiB, GPU-b"`,
    },
    {
      name: "the driver failure text",
      text: fixture("driver-failure.txt"),
      message: `nvidia-smi output line 1: 1 field; ${expected}: "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running."`,
    },
    {
      name: "the header line (no noheader)",
      text: "index, name, memory.total [MiB], uuid\n0, Tesla T4, 15360, GPU-a",
      message: `nvidia-smi output line 1: index "index" is not a whole number; ${expected}: "index, name, memory.total [MiB], uuid"`,
    },
    {
      name: "too few fields",
      text: "0, Tesla T4, 15360",
      message: `nvidia-smi output line 1: 3 fields; ${expected}: "0, Tesla T4, 15360"`,
    },
    {
      name: "empty name",
      text: "0, , 15360, GPU-a",
      message: `nvidia-smi output line 1: the name is empty; ${expected}: "0, , 15360, GPU-a"`,
    },
    {
      name: "empty uuid",
      text: "0, Tesla T4, 15360, ",
      message: `nvidia-smi output line 1: uuid "" is not a GPU UUID; ${expected}: "0, Tesla T4, 15360,"`,
    },
    {
      name: "negative index",
      text: "-1, Tesla T4, 15360, GPU-a",
      message: `nvidia-smi output line 1: index "-1" is not a whole number; ${expected}: "-1, Tesla T4, 15360, GPU-a"`,
    },
  ];
  it.each(bad)("refuses $name", ({ text, message }) => {
    let caught: unknown;
    try {
      parseNvidiaSmiCsv(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(HostError);
    expect(caught).toMatchObject({ code: "gpu-parse", message });
  });
});
