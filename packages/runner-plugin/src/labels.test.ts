import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type GpuDetail, HostError, type HostReport, readHostFacts } from "@dstack/host";
import {
  CPU_LADDER,
  GPU_COUNT_LADDER,
  GPU_MEMORY_LADDER_GB,
  type GpuRequest,
  hostSatisfies,
  jobLabels,
  labelsMatch,
  MEMORY_LADDER_GB,
  normalizeGpuName,
  type Resources,
  SHM_LADDER_GB,
} from "@dstack/spec";
import { fixtureReport, hostFixture } from "@dstack/testing";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkExtraLabels,
  compactIndexes,
  formatLabels,
  hostRunnerLabels,
  instanceFacts,
} from "./labels.js";

const GB = 1e9;
const GiB = 2 ** 30;
const MiB = 2 ** 20;

/** The job's labels, or a failure naming the spec's errors. */
function labelsOf(resources: Resources, allowGpuRunners = false): string[] {
  const result = jobLabels(resources, { allowGpuRunners });
  if ("errors" in result) {
    throw new Error(result.errors.map((e) => e.message).join("; "));
  }
  return result.labels;
}

const made: string[] = [];
afterAll(() => {
  for (const dir of made) {
    rmSync(dir, { recursive: true, force: true });
  }
});

describe("a runner labelled from the recorded 8x H100 host", () => {
  const report = fixtureReport("h100-80gb-hbm3-x8.csv");
  const runner = hostRunnerLabels(report);
  const cases: { name: string; resources: Resources; admitted: boolean }[] = [
    {
      name: "admits a 4x H100 job",
      resources: { gpu: { count: 4, name: "h100" }, interruptible: false },
      admitted: true,
    },
    {
      name: "admits an 8x H100 80GB job",
      resources: {
        gpu: { count: 8, name: "NVIDIA H100 80GB HBM3", memoryBytes: 80 * GB },
        interruptible: false,
      },
      admitted: true,
    },
    {
      name: "refuses a 4x A100 job",
      resources: { gpu: { count: 4, name: "a100" }, interruptible: false },
      admitted: false,
    },
    {
      name: "refuses a 16-GPU job",
      resources: { gpu: { count: 16 }, interruptible: false },
      admitted: false,
    },
    {
      name: "refuses a 94GB-per-GPU job",
      resources: { gpu: { count: 1, memoryBytes: 94 * GB }, interruptible: false },
      admitted: false,
    },
    {
      name: "refuses a CPU-only job",
      resources: { cpu: 4, interruptible: false },
      admitted: false,
    },
  ];
  it.each(cases)("$name", ({ resources, admitted }) => {
    expect(labelsMatch(labelsOf(resources), runner)).toBe(admitted);
    // a GPU job is admitted exactly when the host satisfies it; a CPU-only one the host could
    // run is refused on purpose (CPU jobs stay off GPU runners)
    const satisfied = hostSatisfies(resources, instanceFacts(report)).length === 0;
    expect(satisfied).toBe(resources.gpu ? admitted : true);
  });

  it("carries the model, every count step up to 8 and every memory step up to 80GB", () => {
    expect(runner).toContain("gpu-h100");
    expect(runner.filter((l) => l.startsWith("gpu-count-ge-"))).toEqual(
      [1, 2, 3, 4, 5, 6, 7, 8].map((n) => `gpu-count-ge-${n}`),
    );
    expect(runner).toContain("gpu-mem-ge-80gb");
    expect(runner).not.toContain("gpu-mem-ge-94gb");
    expect(runner).toContain("on-demand");
    expect(runner.slice(0, 2)).toEqual(["self-hosted", "dstack"]);
  });

  it("a 4-GPU instance of it admits 4x H100 and refuses 8x H100", () => {
    const four = hostRunnerLabels(report, { gpuIndexes: [0, 1, 2, 3] });
    expect(
      labelsMatch(labelsOf({ gpu: { count: 4, name: "h100" }, interruptible: false }), four),
    ).toBe(true);
    expect(
      labelsMatch(labelsOf({ gpu: { count: 5, name: "h100" }, interruptible: false }), four),
    ).toBe(false);
    // half the host's 208 CPUs and 2048GiB
    expect(four).toContain("cpu-ge-96");
    expect(four).not.toContain("cpu-ge-128");
    expect(four).toContain("mem-ge-1024gb");
    expect(four).not.toContain("mem-ge-1536gb");
  });
});

describe("instanceFacts", () => {
  const report = fixtureReport("h100-80gb-hbm3-x8.csv", {
    cpus: 30,
    memoryBytes: 100 * GB,
    shmSizeBytes: 9,
  });
  const cases: {
    name: string;
    gpuIndexes?: number[];
    want?: { cpus: number; memoryBytes: number; shmSizeBytes: number; gpus: number };
    error?: string;
  }[] = [
    {
      name: "the whole host, as is",
      want: { cpus: 30, memoryBytes: 100 * GB, shmSizeBytes: 9, gpus: 8 },
    },
    {
      name: "4 of 8 GPUs: half, rounded down",
      gpuIndexes: [4, 5, 6, 7],
      want: { cpus: 15, memoryBytes: 50 * GB, shmSizeBytes: 4, gpus: 4 },
    },
    {
      name: "1 of 8 GPUs: floor(30/8) CPUs",
      gpuIndexes: [3],
      want: { cpus: 3, memoryBytes: 12.5 * GB, shmSizeBytes: 1, gpus: 1 },
    },
    { name: "empty subset", gpuIndexes: [], error: "gpu indexes: none given" },
    {
      name: "a GPU the host lacks",
      gpuIndexes: [8],
      error: "GPU 8 does not exist; this host has GPUs 0-7",
    },
    { name: "a GPU twice", gpuIndexes: [1, 1], error: "GPU 1 is named twice" },
  ];
  it.each(cases)("$name", ({ gpuIndexes, want, error }) => {
    if (error) {
      expect(() => instanceFacts(report, gpuIndexes)).toThrow(error);
      return;
    }
    const facts = instanceFacts(report, gpuIndexes);
    expect({
      cpus: facts.cpus,
      memoryBytes: facts.memoryBytes,
      shmSizeBytes: facts.shmSizeBytes,
      gpus: facts.gpus.length,
    }).toEqual(want);
  });

  it("gives at least one CPU", () => {
    expect(instanceFacts(fixtureReport("h100-80gb-hbm3-x8.csv", { cpus: 4 }), [0]).cpus).toBe(1);
  });

  it("keeps shm unknown when the host's is", () => {
    const { shmSizeBytes: _unknown, ...rest } = fixtureReport("tesla-t4-x1.csv");
    expect(instanceFacts(rest as HostReport, [0]).shmSizeBytes).toBeUndefined();
  });
});

describe("extra labels", () => {
  const cases: { name: string; extra: string[]; want?: string[]; error?: string }[] = [
    { name: "kept in order, trimmed", extra: [" rack-3", "team-ml"], want: ["rack-3", "team-ml"] },
    {
      name: "duplicates and base labels dropped",
      extra: ["Linux", "linux", "self-hosted", "DSTACK"],
      want: ["Linux"],
    },
    { name: "a comma", extra: ["a,b"], error: "has a comma or a space" },
    { name: "a space", extra: ["my label"], error: "has a comma or a space" },
    { name: "empty", extra: [" "], error: "is empty" },
    { name: "too long", extra: ["x".repeat(257)], error: "at most 256" },
    {
      name: "a scheme ladder label",
      extra: ["gpu-count-ge-16"],
      error: "is a label of the dstack scheme",
    },
    {
      name: "on-demand on any host",
      extra: ["On-Demand"],
      error: "is a label of the dstack scheme",
    },
    { name: "a model label", extra: ["gpu-a100"], error: "is a label of the dstack scheme" },
  ];
  it.each(cases)("$name", ({ extra, want, error }) => {
    if (error) {
      expect(() => checkExtraLabels(extra)).toThrow(error);
    } else {
      expect(checkExtraLabels(extra)).toEqual(want);
    }
  });

  it("come after the scheme's labels", () => {
    const labels = hostRunnerLabels(fixtureReport("tesla-t4-x1.csv"), { extra: ["rack-3"] });
    expect(labels.at(-1)).toBe("rack-3");
    expect(labels).toContain("gpu-t4");
  });
});

describe("the ephemeral label", () => {
  const report = fixtureReport("tesla-t4-x1.csv");

  it("an ephemeral runner carries it, after the scheme's labels and before the extras", () => {
    const labels = hostRunnerLabels(report, { ephemeral: true, extra: ["rack-3"] });
    expect(labels.slice(-2)).toEqual(["dstack-ephemeral", "rack-3"]);
    // An untrusted job (a pull-request command) lands on it.
    const job = jobLabels({ interruptible: false }, { untrusted: true, allowGpuRunners: true });
    expect("labels" in job && labelsMatch(job.labels, labels)).toBe(true);
  });

  it("a persistent runner never does, so untrusted jobs never land on it", () => {
    const labels = hostRunnerLabels(report);
    expect(labels).not.toContain("dstack-ephemeral");
    const job = jobLabels({ interruptible: false }, { untrusted: true, allowGpuRunners: true });
    expect("labels" in job && labelsMatch(job.labels, labels)).toBe(false);
  });

  it.each([["dstack-ephemeral"], ["DSTACK-Ephemeral"], [" dstack-ephemeral "]])(
    "a persistent runner refuses %j among its extra labels",
    (label) => {
      expect(() => hostRunnerLabels(report, { extra: [label] })).toThrow(
        /^extra labels: .* marks ephemeral runners, which take one job and are removed; this runner is persistent/,
      );
      expect(() => checkExtraLabels([label])).toThrow("this runner is persistent");
    },
  );

  it("an ephemeral runner given it as an extra label carries it once", () => {
    const labels = hostRunnerLabels(report, { ephemeral: true, extra: ["dstack-ephemeral"] });
    expect(labels.filter((l) => l === "dstack-ephemeral")).toHaveLength(1);
  });
});

describe("formatLabels", () => {
  const cases = [
    { name: "comma list for config.sh", json: false, want: "self-hosted,dstack,no-gpu" },
    { name: "JSON", json: true, want: '["self-hosted","dstack","no-gpu"]' },
  ];
  it.each(cases)("$name", ({ json, want }) => {
    expect(formatLabels(["self-hosted", "dstack", "no-gpu"], json)).toBe(want);
  });

  it("compacts GPU indexes for messages", () => {
    expect(compactIndexes([5, 0, 1, 2, 3, 7])).toBe("0-3,5,7");
    expect(compactIndexes([0, 1])).toBe("0,1");
  });
});

describe("bad input", () => {
  it("no driver: the host is never labelled, readHostFacts names the failure", async () => {
    const bin = mkdtempSync(join(tmpdir(), "dstack-labels-"));
    made.push(bin);
    const failure = hostFixture("driver-failure.txt");
    writeFileSync(join(bin, "nvidia-smi"), `#!/bin/sh\ncat <<'EOF'\n${failure}EOF\nexit 9\n`);
    chmodSync(join(bin, "nvidia-smi"), 0o755);
    const read = readHostFacts({ env: { PATH: `${bin}:/usr/bin:/bin` }, root: bin });
    await expect(read).rejects.toThrow(HostError);
    await expect(read).rejects.toThrow(
      /couldn't communicate with the NVIDIA driver.*is the NVIDIA driver loaded/,
    );
  });

  it("a GPU index the host lacks names the host's GPUs", () => {
    expect(() => hostRunnerLabels(fixtureReport("tesla-t4-x1.csv"), { gpuIndexes: [1] })).toThrow(
      "gpu indexes: GPU 1 does not exist; this host has GPU 0",
    );
  });
});

// ---------------------------------------------------------------------------------------------
// The labels of a runner admit exactly the jobs it can run.

/** GPU models as nvidia-smi prints them, with what each reports. */
const MODELS: readonly { name: string; memoryBytes: number }[] = [
  { name: "NVIDIA H100 80GB HBM3", memoryBytes: 81559 * MiB },
  { name: "NVIDIA A100-SXM4-40GB", memoryBytes: 40960 * MiB },
  { name: "NVIDIA A100 80GB PCIe", memoryBytes: 81920 * MiB },
  { name: "Tesla T4", memoryBytes: 15360 * MiB },
  { name: "NVIDIA L4", memoryBytes: 23034 * MiB },
  { name: "NVIDIA H200", memoryBytes: 143771 * MiB },
];

function details(gpus: readonly { name: string; memoryBytes: number }[]): GpuDetail[] {
  return gpus.map((g, index) => ({
    index,
    ...g,
    uuid: `GPU-${index.toString(16).padStart(8, "0")}-0000-0000-0000-000000000000`,
  }));
}

function reportArb(
  gpus: fc.Arbitrary<{ name: string; memoryBytes: number }[]>,
): fc.Arbitrary<HostReport> {
  return fc
    .record({
      cpus: fc.oneof(fc.constantFrom(...CPU_LADDER), fc.integer({ min: 1, max: 600 })),
      memoryBytes: fc.oneof(
        fc.constantFrom(...MEMORY_LADDER_GB.map((s) => s * GB)),
        fc.integer({ min: GiB, max: 5e12 }),
      ),
      shm: fc.option(fc.integer({ min: 64 * MiB, max: 5e12 }), { nil: undefined }),
      interruptible: fc.boolean(),
      gpus,
    })
    .map(({ shm, gpus: list, ...rest }): HostReport => {
      const gpuDetails = details(list);
      const report: HostReport = {
        ...rest,
        gpus: list,
        gpuDetails,
        notes: [],
        sources: { cpus: "os", memory: "meminfo", gpus: "nvidia-smi" },
      };
      if (shm !== undefined) {
        report.shmSizeBytes = shm;
      }
      return report;
    });
}

/** One model, any count, its memory as reported or anything. */
const homogeneousGpus = fc
  .tuple(
    fc.constantFrom(...MODELS),
    fc.option(fc.integer({ min: GiB, max: 200 * GB }), { nil: undefined }),
    fc.integer({ min: 0, max: 20 }),
  )
  .map(([model, memory, n]) =>
    Array.from({ length: n }, () => ({
      name: model.name,
      memoryBytes: memory ?? model.memoryBytes,
    })),
  );

const mixedGpus = fc.array(fc.constantFrom(...MODELS), { minLength: 2, maxLength: 12 });

const ASKED_NAMES = ["h100", "A100", "NVIDIA H100 80GB HBM3", "t4", "l4", "h200", "v100"];

/** A job whose every value sits on a ladder step. */
const steppedJobArb: fc.Arbitrary<{ resources: Resources; allowGpuRunners: boolean }> = fc
  .record(
    {
      cpu: fc.constantFrom(...CPU_LADDER),
      memoryBytes: fc.constantFrom(...MEMORY_LADDER_GB.map((s) => s * GB)),
      shmSizeBytes: fc.constantFrom(...SHM_LADDER_GB.map((s) => s * GB)),
      gpu: fc.record(
        {
          count: fc.constantFrom(...GPU_COUNT_LADDER),
          name: fc.constantFrom(...ASKED_NAMES),
          memoryBytes: fc.constantFrom(...GPU_MEMORY_LADDER_GB.map((s) => s * GB)),
        },
        { requiredKeys: ["count"] },
      ) as fc.Arbitrary<GpuRequest>,
      interruptible: fc.boolean(),
    },
    { requiredKeys: ["interruptible"] },
  )
  .chain((resources) => fc.boolean().map((allowGpuRunners) => ({ resources, allowGpuRunners })));

/** A host and, half the time, the GPU subset of one instance of it. */
function withSubset(
  report: HostReport,
): fc.Arbitrary<{ report: HostReport; gpuIndexes?: number[] }> {
  const all = report.gpuDetails.map((g) => g.index);
  if (all.length === 0) {
    return fc.constant({ report });
  }
  return fc
    .option(fc.subarray(all, { minLength: 1 }), { nil: undefined })
    .map((gpuIndexes) => (gpuIndexes ? { report, gpuIndexes } : { report }));
}

describe("the labels of a runner admit exactly the jobs it can run", () => {
  it("EXACT on hosts and instances with one GPU model, for jobs on ladder steps", () => {
    let admitted = 0;
    let runs = 0;
    fc.assert(
      fc.property(
        reportArb(homogeneousGpus).chain(withSubset),
        steppedJobArb,
        ({ report, gpuIndexes }, { resources, allowGpuRunners }) => {
          const job = jobLabels(resources, { allowGpuRunners });
          if ("errors" in job) {
            // only a GPU name with no model key fails on ladder steps; none is generated
            throw new Error(job.errors.map((e) => e.message).join("; "));
          }
          runs++;
          const facts = instanceFacts(report, gpuIndexes);
          const runner = hostRunnerLabels(report, gpuIndexes ? { gpuIndexes } : {});
          // "can run": the facts satisfy the job, and a CPU-only job accepts GPU runners or this
          // runner has none (the scheme keeps CPU jobs off GPU runners unless allowed)
          const canRun =
            hostSatisfies(resources, facts).length === 0 &&
            (resources.gpu !== undefined || facts.gpus.length === 0 || allowGpuRunners);
          const admits = labelsMatch(job.labels, runner);
          if (admits) {
            admitted++;
          }
          expect(admits).toBe(canRun);
        },
      ),
      { numRuns: 4000 },
    );
    expect(admitted).toBeGreaterThan(runs / 50);
  });

  it("SOUND on hosts and instances mixing GPU models: whatever the labels admit, the facts satisfy", () => {
    fc.assert(
      fc.property(
        reportArb(mixedGpus).chain(withSubset),
        steppedJobArb,
        ({ report, gpuIndexes }, { resources, allowGpuRunners }) => {
          const job = jobLabels(resources, { allowGpuRunners });
          if (
            "labels" in job &&
            labelsMatch(job.labels, hostRunnerLabels(report, gpuIndexes ? { gpuIndexes } : {}))
          ) {
            expect(hostSatisfies(resources, instanceFacts(report, gpuIndexes))).toEqual([]);
          }
        },
      ),
      { numRuns: 2000 },
    );
  });

  it("every generated model has a model key (so the exact property tests models)", () => {
    for (const model of MODELS) {
      expect(normalizeGpuName(model.name)).not.toBe("");
    }
  });
});
