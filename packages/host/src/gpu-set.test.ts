import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HostError } from "./errors.js";
import { type GpuSet, parseGpuSet, resolveGpuSet } from "./gpu-set.js";
import { parseNvidiaSmiCsv } from "./nvidia.js";

/** The GPUs of a recorded nvidia-smi output of `./fixtures`. */
function fixtureGpus(name: string) {
  return parseNvidiaSmiCsv(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8"));
}

const GPUS = fixtureGpus("h100-80gb-hbm3-x8.csv");
const H = GPUS.map((g) => g.uuid);

describe("parseGpuSet: DSTACK_RUNNER_GPUS", () => {
  const ok = [
    { name: "unset: every GPU", raw: undefined, want: { kind: "all" } },
    { name: "empty: none", raw: "", want: { kind: "none" } },
    { name: "none", raw: " None ", want: { kind: "none" } },
    {
      name: "indexes and UUIDs, spaces allowed",
      raw: ` 1, ${H[0]} ,3`,
      want: { kind: "list", refs: [{ index: 1 }, { uuid: H[0] }, { index: 3 }] },
    },
  ];
  it.each(ok)("$name", ({ raw, want }) => {
    expect(parseGpuSet(raw)).toEqual(want);
  });

  const bad = [
    { name: "an empty item", raw: "0,,1", what: "an item is empty" },
    { name: "a trailing comma", raw: "0,", what: "an item is empty" },
    { name: "a name", raw: "gpu0", what: '"gpu0" is neither a GPU index nor a GPU UUID (GPU-…)' },
    {
      name: "a negative index",
      raw: "-1",
      what: '"-1" is neither a GPU index nor a GPU UUID (GPU-…)',
    },
    {
      name: "a MIG device",
      raw: "MIG-1234",
      what: '"MIG-1234" is a MIG device, which is not supported',
    },
    { name: "twice", raw: `0,${H[1]},0`, what: '"0" is listed twice' },
    {
      name: "a UUID twice, cases differ",
      raw: `${H[1]},${H[1]?.toUpperCase()}`,
      what: `"${H[1]?.toUpperCase()}" is listed twice`,
    },
  ];
  it.each(bad)("$name: bad-env", ({ raw, what }) => {
    let error: unknown;
    try {
      parseGpuSet(raw);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HostError);
    expect((error as HostError).code).toBe("bad-env");
    expect((error as HostError).message).toContain(
      `DSTACK_RUNNER_GPUS=${raw}: ${what}; use GPU UUIDs`,
    );
  });
});

describe("parseGpuSet: one syntax for --gpus, DSTACK_RUNNER_GPUS and split groups", () => {
  const cases: { name: string; raw: string; want: GpuSet }[] = [
    {
      name: "a range",
      raw: "2-3",
      want: { kind: "list", refs: [{ index: 2 }, { index: 3 }] },
    },
    {
      name: "a range, an index and a UUID",
      raw: `0-1, 4, ${H[6]}`,
      want: {
        kind: "list",
        refs: [{ index: 0 }, { index: 1 }, { index: 4 }, { uuid: H[6] ?? "" }],
      },
    },
  ];
  it.each(cases)("$name", ({ raw, want }) => {
    expect(parseGpuSet(raw, { name: "--gpus" })).toEqual(want);
  });

  const bad = [
    { name: "a backwards range", raw: "3-1", what: "range 3-1 runs backwards; write 1-3" },
    { name: "a range overlapping an index", raw: "0-2,2", what: '"2" is listed twice' },
  ];
  it.each(bad)("$name: bad-env naming the option", ({ raw, what }) => {
    expect(() => parseGpuSet(raw, { name: "--gpus" })).toThrow(
      new HostError(
        "bad-env",
        `--gpus=${raw}: ${what}; use GPU UUIDs or nvidia-smi indexes (or ranges of them, 0-3) separated by commas, e.g. --gpus=GPU-3edf87da-6dc2-bd9a-1484-92b81d6e1f89,GPU-62847ac1-d949-38ad-0267-cdf6a2d778cd or --gpus=0,1`,
      ),
    );
  });
});

describe("resolveGpuSet", () => {
  it("returns the GPUs named, by index or UUID, in index order", () => {
    const got = resolveGpuSet(parseGpuSet(`${H[3]},2`), GPUS);
    expect(got.map((g) => g.index)).toEqual([2, 3]);
    expect(got.map((g) => g.uuid)).toEqual([H[2], H[3]]);
  });
  it("refuses a GPU the host does not have, listing the host's", () => {
    expect(() => resolveGpuSet(parseGpuSet("9"), GPUS)).toThrow(
      /^DSTACK_RUNNER_GPUS: GPU 9 is not on this host; this host has 0 \(GPU-/,
    );
  });
  it("refuses one GPU named by index and by UUID", () => {
    expect(() => resolveGpuSet(parseGpuSet(`0,${H[0]}`), GPUS)).toThrow(
      `DSTACK_RUNNER_GPUS: GPU 0 (${H[0]}) is listed twice, by index and by UUID`,
    );
  });
});
