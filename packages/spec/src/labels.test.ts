import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { normalizeGpuName } from "./gpu.js";
import type { GpuRequest, HostFacts, HostGpu, Resources } from "./job.js";
import {
  BASE_LABELS,
  CPU_LADDER,
  EPHEMERAL_LABEL,
  GPU_COUNT_LADDER,
  GPU_MEMORY_LADDER_GB,
  gpuModelLabel,
  jobLabels,
  labelsMatch,
  MAX_RUNNER_LABELS,
  MEMORY_LADDER_GB,
  NO_GPU_LABEL,
  ON_DEMAND_LABEL,
  runnerLabels,
  SHM_LADDER_GB,
} from "./labels.js";
import { hostSatisfies } from "./satisfies.js";

const MiB = 2 ** 20;
const GB = 1e9;
const LABEL_RE = /^[a-z0-9][a-z0-9-]*$/;

/** Ladder labels in jobLabels' success shape, or a failure that names the errors. */
function okLabels(resources: Resources, options?: { allowGpuRunners?: boolean }): string[] {
  const result = jobLabels(resources, options);
  if ("errors" in result) {
    throw new Error(result.errors.map((e) => e.message).join("\n"));
  }
  return result.labels;
}

// ---------------------------------------------------------------------------------------------
// Arbitraries

/** Driver names as nvidia-smi prints them, with what each reports (MiB), plus odd ones. */
const DRIVER_GPUS: readonly HostGpu[] = [
  { name: "NVIDIA H100 80GB HBM3", memoryBytes: 81559 * MiB },
  { name: "NVIDIA H100 PCIe", memoryBytes: 81559 * MiB },
  { name: "NVIDIA A100-SXM4-40GB", memoryBytes: 40960 * MiB },
  { name: "NVIDIA A100 80GB PCIe", memoryBytes: 81920 * MiB },
  { name: "Tesla T4", memoryBytes: 15360 * MiB },
  { name: "Tesla K80", memoryBytes: 11441 * MiB },
  { name: "NVIDIA A10G", memoryBytes: 23028 * MiB },
  { name: "NVIDIA L4", memoryBytes: 23034 * MiB },
  { name: "NVIDIA H200", memoryBytes: 143771 * MiB },
  { name: "NVIDIA GeForce RTX 4090", memoryBytes: 24564 * MiB },
];
/** Names a user may write in `resources.gpu.name`, including ones no host has. */
const ASKED_NAMES = [
  "h100",
  "H100",
  "NVIDIA H100 PCIe",
  "a100",
  "Tesla T4",
  "t4",
  "K80",
  "a10g",
  "l4",
  "h200",
  "v100",
  "rtx4090",
];

const ladderBytes = (steps: readonly number[]) => fc.constantFrom(...steps.map((s) => s * GB));
const bytesUpTo = (max: number) => fc.integer({ min: 1, max });

const hostGpuArb: fc.Arbitrary<HostGpu> = fc.oneof(
  fc.constantFrom(...DRIVER_GPUS),
  fc.record({
    name: fc.constantFrom(...DRIVER_GPUS.map((g) => g.name), "NVIDIA"),
    memoryBytes: fc.oneof(ladderBytes(GPU_MEMORY_LADDER_GB), bytesUpTo(250 * GB)),
  }),
);

const gpusArb: fc.Arbitrary<HostGpu[]> = fc.oneof(
  fc.constant<HostGpu[]>([]),
  // homogeneous: n copies of one GPU
  fc
    .tuple(hostGpuArb, fc.integer({ min: 1, max: 20 }))
    .map(([g, n]) => Array.from({ length: n }, () => g)),
  // mixed, possibly the same model with different memory
  fc.array(hostGpuArb, { minLength: 1, maxLength: 12 }),
);

const hostArb: fc.Arbitrary<HostFacts> = fc.record(
  {
    cpus: fc.oneof(
      fc.constantFrom(...CPU_LADDER),
      fc.integer({ min: 1, max: 1000 }),
      fc.double({ min: 0.1, max: 4, noNaN: true }),
    ),
    memoryBytes: fc.oneof(ladderBytes(MEMORY_LADDER_GB), bytesUpTo(6e12)),
    shmSizeBytes: fc.oneof(ladderBytes(SHM_LADDER_GB), bytesUpTo(6e12)),
    gpus: gpusArb,
    interruptible: fc.boolean(),
  },
  { requiredKeys: ["cpus", "memoryBytes", "gpus", "interruptible"] },
);

const gpuRequestArb: fc.Arbitrary<GpuRequest> = fc.record(
  {
    count: fc.oneof(fc.integer({ min: 1, max: 8 }), fc.integer({ min: 1, max: 40 })),
    name: fc.constantFrom(...ASKED_NAMES),
    memoryBytes: fc.oneof(ladderBytes(GPU_MEMORY_LADDER_GB), bytesUpTo(250 * GB)),
  },
  { requiredKeys: ["count"] },
);

/** Any request, values beyond every ladder included. */
const resourcesArb: fc.Arbitrary<Resources> = fc.record(
  {
    cpu: fc.oneof(fc.constantFrom(...CPU_LADDER), fc.integer({ min: 1, max: 1000 })),
    memoryBytes: fc.oneof(ladderBytes(MEMORY_LADDER_GB), bytesUpTo(6e12)),
    shmSizeBytes: fc.oneof(ladderBytes(SHM_LADDER_GB), bytesUpTo(6e12)),
    gpu: gpuRequestArb,
    interruptible: fc.boolean(),
  },
  { requiredKeys: ["interruptible"] },
);

/** A request near a host's own values, so that a good share of pairs match. */
function nearArb(facts: HostFacts): fc.Arbitrary<Resources> {
  const first = facts.gpus[0];
  const near = (have: number) => fc.integer({ min: 1, max: Math.max(1, Math.ceil(have * 1.2)) });
  return fc.record(
    {
      cpu: near(facts.cpus),
      memoryBytes: near(facts.memoryBytes),
      shmSizeBytes: near(facts.shmSizeBytes ?? GB),
      gpu: fc.record(
        {
          count: near(facts.gpus.length),
          name: first
            ? fc.constantFrom(normalizeGpuName(first.name) || "h100", first.name, ...ASKED_NAMES)
            : fc.constantFrom(...ASKED_NAMES),
          memoryBytes: near(first?.memoryBytes ?? 16 * GB),
        },
        { requiredKeys: ["count"] },
      ),
      interruptible: fc.boolean(),
    },
    { requiredKeys: ["interruptible"] },
  );
}

const pairArb: fc.Arbitrary<[HostFacts, Resources]> = fc.oneof(
  fc.tuple(hostArb, resourcesArb),
  hostArb.chain((facts) => nearArb(facts).map((r): [HostFacts, Resources] => [facts, r])),
);

/** A homogeneous host whose every value sits on a ladder step. */
const steppedHostArb: fc.Arbitrary<HostFacts> = fc.record(
  {
    cpus: fc.constantFrom(...CPU_LADDER),
    memoryBytes: ladderBytes(MEMORY_LADDER_GB),
    shmSizeBytes: ladderBytes(SHM_LADDER_GB),
    gpus: fc.oneof(
      fc.constant<HostGpu[]>([]),
      fc
        .tuple(
          fc.constantFrom(...DRIVER_GPUS.map((g) => g.name)),
          ladderBytes(GPU_MEMORY_LADDER_GB),
          fc.constantFrom(...GPU_COUNT_LADDER),
        )
        .map(([name, memoryBytes, n]) => Array.from({ length: n }, () => ({ name, memoryBytes }))),
    ),
    interruptible: fc.boolean(),
  },
  { requiredKeys: ["cpus", "memoryBytes", "gpus", "interruptible"] },
);

/** A request the stepped host satisfies, with the options that let it match. */
function withinArb(
  facts: HostFacts,
): fc.Arbitrary<{ resources: Resources; allowGpuRunners: boolean }> {
  const first = facts.gpus[0];
  const gpu: fc.Arbitrary<GpuRequest | undefined> = first
    ? fc.option(
        fc.record(
          {
            count: fc.integer({ min: 1, max: facts.gpus.length }),
            name: fc.constantFrom(
              first.name,
              normalizeGpuName(first.name),
              normalizeGpuName(first.name).toUpperCase(),
            ),
            memoryBytes: fc.integer({ min: 1, max: first.memoryBytes }),
          },
          { requiredKeys: ["count"] },
        ),
        { nil: undefined },
      )
    : fc.constant(undefined);
  const shm = facts.shmSizeBytes;
  return fc
    .record(
      {
        cpu: fc.integer({ min: 1, max: facts.cpus }),
        memoryBytes: fc.integer({ min: 1, max: facts.memoryBytes }),
        shmSizeBytes: shm === undefined ? fc.constant(undefined) : fc.integer({ min: 1, max: shm }),
        gpu,
        interruptible: facts.interruptible ? fc.constant(true) : fc.boolean(),
      },
      { requiredKeys: ["interruptible"] },
    )
    .map((r) => {
      const resources = Object.fromEntries(
        Object.entries(r).filter(([, v]) => v !== undefined),
      ) as unknown as Resources;
      return { resources, allowGpuRunners: facts.gpus.length > 0 && !resources.gpu };
    });
}

// ---------------------------------------------------------------------------------------------

describe("label scheme properties", () => {
  it("SOUND: a job whose labels a runner carries is satisfied by that runner's host", () => {
    let matched = 0;
    let runs = 0;
    fc.assert(
      fc.property(pairArb, fc.boolean(), ([facts, resources], allowGpuRunners) => {
        runs++;
        const result = jobLabels(resources, { allowGpuRunners });
        if ("errors" in result) {
          return;
        }
        if (labelsMatch(result.labels, runnerLabels(facts))) {
          matched++;
          expect(hostSatisfies(resources, facts)).toEqual([]);
        }
      }),
      { numRuns: 5000 },
    );
    // the property is only worth something if matches happen often
    expect(matched).toBeGreaterThan(runs / 50);
  });

  it("COMPLETE: a stepped homogeneous host that satisfies a request carries the request's labels", () => {
    fc.assert(
      fc.property(
        steppedHostArb.chain((facts) => withinArb(facts).map((w) => ({ facts, ...w }))),
        ({ facts, resources, allowGpuRunners }) => {
          expect(hostSatisfies(resources, facts)).toEqual([]);
          const labels = okLabels(resources, { allowGpuRunners });
          expect(runnerLabels(facts)).toEqual(expect.arrayContaining(labels));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("BOUNDED: a runner never carries more than MAX_RUNNER_LABELS labels", () => {
    fc.assert(
      fc.property(hostArb, (facts) => {
        expect(runnerLabels(facts).length).toBeLessThanOrEqual(MAX_RUNNER_LABELS);
      }),
      { numRuns: 2000 },
    );
  });

  it("BOUNDED: the worst case is 90 labels, every step of every ladder", () => {
    const huge: HostFacts = {
      cpus: 10_000,
      memoryBytes: 1e15,
      shmSizeBytes: 1e15,
      gpus: Array.from({ length: 64 }, () => ({ name: "NVIDIA H200", memoryBytes: 1e12 })),
      interruptible: false,
    };
    const labels = runnerLabels(huge);
    const everyStep =
      BASE_LABELS.length +
      2 + // on-demand, gpu-<model>
      CPU_LADDER.length +
      MEMORY_LADDER_GB.length +
      SHM_LADDER_GB.length +
      GPU_COUNT_LADDER.length +
      GPU_MEMORY_LADDER_GB.length;
    expect(everyStep).toBe(90);
    expect(labels).toHaveLength(everyStep);
    expect(labels.length).toBeLessThanOrEqual(MAX_RUNNER_LABELS);
    // the GPU-less worst case is smaller: no GPU ladders, `no-gpu` instead of `gpu-<model>`
    expect(runnerLabels({ ...huge, gpus: [] })).toHaveLength(
      everyStep - GPU_COUNT_LADDER.length - GPU_MEMORY_LADDER_GB.length,
    );
  });

  const ladders = [
    {
      name: "cpu",
      prefix: "cpu-ge-",
      suffix: "",
      unit: 1,
      steps: CPU_LADDER,
      ask: (v: number): Resources => ({ cpu: v, interruptible: false }),
    },
    {
      name: "memory",
      prefix: "mem-ge-",
      suffix: "gb",
      unit: GB,
      steps: MEMORY_LADDER_GB,
      ask: (v: number): Resources => ({ memoryBytes: v, interruptible: false }),
    },
    {
      name: "shm",
      prefix: "shm-ge-",
      suffix: "gb",
      unit: GB,
      steps: SHM_LADDER_GB,
      ask: (v: number): Resources => ({ shmSizeBytes: v, interruptible: false }),
    },
    {
      name: "gpu count",
      prefix: "gpu-count-ge-",
      suffix: "",
      unit: 1,
      steps: GPU_COUNT_LADDER,
      ask: (v: number): Resources => ({ gpu: { count: v }, interruptible: false }),
    },
    {
      name: "gpu memory",
      prefix: "gpu-mem-ge-",
      suffix: "gb",
      unit: GB,
      steps: GPU_MEMORY_LADDER_GB,
      ask: (v: number): Resources => ({ gpu: { count: 1, memoryBytes: v }, interruptible: false }),
    },
  ];
  it.each(ladders)(
    "BOUNDED: $name rounds up to the next step, never skipping one",
    ({ prefix, suffix, unit, steps, ask }) => {
      const top = (steps[steps.length - 1] ?? 0) * unit;
      const integral = unit === 1;
      fc.assert(
        fc.property(
          integral
            ? fc.integer({ min: 1, max: top })
            : fc.oneof(fc.integer({ min: 1, max: top }), ladderBytes(steps)),
          (asked) => {
            const re = new RegExp(`^${prefix}(\\d+)${suffix}$`);
            const chosen = okLabels(ask(asked)).flatMap((l) => re.exec(l)?.slice(1) ?? []);
            expect(chosen).toHaveLength(1);
            const step = Number(chosen[0]);
            const i = steps.indexOf(step);
            expect(i).toBeGreaterThanOrEqual(0);
            expect(asked).toBeLessThanOrEqual(step * unit);
            if (i > 0) {
              expect((steps[i - 1] ?? 0) * unit).toBeLessThan(asked);
            }
          },
        ),
        { numRuns: 1000 },
      );
    },
  );

  it("CPU-only jobs never match a GPU runner unless allowGpuRunners", () => {
    fc.assert(
      fc.property(hostArb, resourcesArb, (facts, asked) => {
        const { gpu: _gpu, ...resources } = asked;
        const result = jobLabels(resources);
        if ("labels" in result) {
          const runner = runnerLabels(facts);
          if (facts.gpus.length > 0) {
            expect(labelsMatch(result.labels, runner)).toBe(false);
          }
          const allowed = jobLabels(resources, { allowGpuRunners: true });
          expect(allowed).toEqual({ labels: result.labels.filter((l) => l !== NO_GPU_LABEL) });
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("interruptible: false jobs never match a spot runner", () => {
    fc.assert(
      fc.property(hostArb, resourcesArb, fc.boolean(), (facts, resources, allowGpuRunners) => {
        const result = jobLabels({ ...resources, interruptible: false }, { allowGpuRunners });
        if ("labels" in result) {
          expect(result.labels).toContain(ON_DEMAND_LABEL);
          expect(labelsMatch(result.labels, runnerLabels({ ...facts, interruptible: true }))).toBe(
            false,
          );
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("untrusted jobs never match a runner without the ephemeral label; trusted jobs do not ask for it", () => {
    fc.assert(
      fc.property(hostArb, resourcesArb, fc.boolean(), (facts, resources, untrusted) => {
        const result = jobLabels(resources, { untrusted, allowGpuRunners: true });
        if ("labels" in result) {
          expect(result.labels.includes(EPHEMERAL_LABEL)).toBe(untrusted);
          const persistent = runnerLabels(facts);
          expect(persistent).not.toContain(EPHEMERAL_LABEL);
          if (untrusted) {
            expect(labelsMatch(result.labels, persistent)).toBe(false);
          }
        }
      }),
      { numRuns: 1000 },
    );
  });

  it("labels are lower-case, well-formed and unique, on both sides", () => {
    fc.assert(
      fc.property(hostArb, resourcesArb, fc.boolean(), (facts, resources, allowGpuRunners) => {
        const runner = runnerLabels(facts);
        const result = jobLabels(resources, { allowGpuRunners });
        const job = "labels" in result ? result.labels : [];
        for (const labels of [runner, job]) {
          for (const l of labels) {
            expect(l).toMatch(LABEL_RE);
          }
          expect(new Set(labels).size).toBe(labels.length);
        }
      }),
      { numRuns: 2000 },
    );
  });

  it("a mixed host advertises no model; a homogeneous one does", () => {
    fc.assert(
      fc.property(hostArb, (facts) => {
        const models = new Set(facts.gpus.map((g) => normalizeGpuName(g.name)));
        const modelLabels = runnerLabels(facts).filter(
          (l) => l.startsWith("gpu-") && !/^gpu-(count|mem)-ge-/.test(l),
        );
        if (models.size === 1 && !models.has("")) {
          expect(modelLabels).toEqual([`gpu-${[...models][0]}`]);
        } else {
          expect(modelLabels).toEqual([]);
        }
      }),
    );
  });

  it("jobLabels fails exactly when a value is beyond a ladder or the GPU name has no model", () => {
    fc.assert(
      fc.property(resourcesArb, (resources) => {
        const beyond =
          (resources.cpu ?? 0) > 512 ||
          (resources.memoryBytes ?? 0) > 4096 * GB ||
          (resources.shmSizeBytes ?? 0) > 4096 * GB ||
          (resources.gpu?.count ?? 0) > 16 ||
          (resources.gpu?.memoryBytes ?? 0) > 192 * GB;
        expect("errors" in jobLabels(resources)).toBe(beyond);
      }),
      { numRuns: 2000 },
    );
  });
});

describe("jobLabels", () => {
  const cases: { name: string; resources: Resources; allowGpuRunners?: boolean; want: string[] }[] =
    [
      {
        name: "nothing asked",
        resources: { interruptible: false },
        want: ["self-hosted", "dstack", "on-demand", "no-gpu"],
      },
      {
        name: "interruptible, GPU runners allowed",
        resources: { interruptible: true },
        allowGpuRunners: true,
        want: ["self-hosted", "dstack"],
      },
      {
        name: "everything asked, rounded up",
        resources: {
          cpu: 3,
          memoryBytes: 20 * GB,
          shmSizeBytes: 2.5 * GB,
          gpu: { count: 9, name: "Tesla T4", memoryBytes: 15 * GB },
          interruptible: false,
        },
        want: [
          "self-hosted",
          "dstack",
          "on-demand",
          "gpu-t4",
          "cpu-ge-4",
          "mem-ge-24gb",
          "shm-ge-4gb",
          "gpu-count-ge-10",
          "gpu-mem-ge-16gb",
        ],
      },
      {
        name: "exact steps stay",
        resources: {
          cpu: 8,
          memoryBytes: 64 * GB,
          gpu: { count: 8, name: "NVIDIA H100 80GB HBM3", memoryBytes: 80 * GB },
          interruptible: true,
        },
        want: [
          "self-hosted",
          "dstack",
          "gpu-h100",
          "cpu-ge-8",
          "mem-ge-64gb",
          "gpu-count-ge-8",
          "gpu-mem-ge-80gb",
        ],
      },
      {
        name: "binary sizes round up in decimal GB",
        resources: { memoryBytes: 16 * 2 ** 30, interruptible: false },
        want: ["self-hosted", "dstack", "on-demand", "no-gpu", "mem-ge-24gb"],
      },
      {
        name: "unnamed GPU",
        resources: { gpu: { count: 1 }, interruptible: false },
        want: ["self-hosted", "dstack", "on-demand", "gpu-count-ge-1"],
      },
      {
        name: "top of every ladder",
        resources: {
          cpu: 512,
          memoryBytes: 4096 * GB,
          shmSizeBytes: 4096 * GB,
          gpu: { count: 16, memoryBytes: 192 * GB },
          interruptible: true,
        },
        want: [
          "self-hosted",
          "dstack",
          "cpu-ge-512",
          "mem-ge-4096gb",
          "shm-ge-4096gb",
          "gpu-count-ge-16",
          "gpu-mem-ge-192gb",
        ],
      },
    ];
  it.each(cases)("$name", ({ resources, allowGpuRunners, want }) => {
    expect(
      jobLabels(resources, allowGpuRunners === undefined ? undefined : { allowGpuRunners }),
    ).toEqual({ labels: want });
  });

  const errorCases: { name: string; resources: Resources; want: string[] }[] = [
    {
      name: "too many CPUs",
      resources: { cpu: 1000, interruptible: false },
      want: ["resources.cpu: asked 1000, no runner label goes above 512 CPUs"],
    },
    {
      name: "too much memory",
      resources: { memoryBytes: 5e12, interruptible: false },
      want: ["resources.memory: asked 5TB, no runner label goes above 4096GB"],
    },
    {
      name: "too much shm",
      resources: { shmSizeBytes: 4097 * GB, interruptible: false },
      want: ["resources.shm_size: asked 4.097TB, no runner label goes above 4096GB"],
    },
    {
      name: "too many GPUs",
      resources: { gpu: { count: 32 }, interruptible: false },
      want: ["resources.gpu.count: asked 32, no runner label goes above 16 GPUs"],
    },
    {
      name: "too much GPU memory",
      resources: { gpu: { count: 1, memoryBytes: 256 * GB }, interruptible: false },
      want: ["resources.gpu.memory: asked 256GB, no runner label goes above 192GB per GPU"],
    },
    {
      name: "GPU name without a model",
      resources: { gpu: { count: 1, name: "NVIDIA" }, interruptible: false },
      want: ['resources.gpu.name: "NVIDIA" names no GPU model; write e.g. H100, A100 or T4'],
    },
    {
      name: "zero CPUs",
      resources: { cpu: 0, interruptible: false },
      want: ["resources.cpu: asked 0, must be greater than zero"],
    },
    {
      name: "every error at once",
      resources: {
        cpu: 600,
        gpu: { count: 17, name: "", memoryBytes: 200 * GB },
        interruptible: false,
      },
      want: [
        'resources.gpu.name: "" names no GPU model; write e.g. H100, A100 or T4',
        "resources.cpu: asked 600, no runner label goes above 512 CPUs",
        "resources.gpu.count: asked 17, no runner label goes above 16 GPUs",
        "resources.gpu.memory: asked 200GB, no runner label goes above 192GB per GPU",
      ],
    },
  ];
  it.each(errorCases)("error: $name", ({ resources, want }) => {
    const result = jobLabels(resources);
    expect("errors" in result ? result.errors.map((e) => e.message) : result).toEqual(want);
    if ("errors" in result) {
      for (const e of result.errors) {
        expect(e.message.startsWith(`${e.field}: `)).toBe(true);
      }
    }
  });
});

describe("recorded GPUs reach the ladder step of their box size", () => {
  const cases = [
    { name: "Tesla K80 12GB", gpu: { name: "Tesla K80", memoryBytes: 11441 * MiB }, top: 12 },
    { name: "Tesla T4 16GB", gpu: { name: "Tesla T4", memoryBytes: 15360 * MiB }, top: 16 },
    { name: "NVIDIA A10G 24GB", gpu: { name: "NVIDIA A10G", memoryBytes: 23028 * MiB }, top: 24 },
    { name: "NVIDIA L4 24GB", gpu: { name: "NVIDIA L4", memoryBytes: 23034 * MiB }, top: 24 },
    {
      name: "NVIDIA A100 40GB",
      gpu: { name: "NVIDIA A100-SXM4-40GB", memoryBytes: 40960 * MiB },
      top: 40,
    },
    {
      name: "NVIDIA A100 80GB",
      gpu: { name: "NVIDIA A100 80GB PCIe", memoryBytes: 81920 * MiB },
      top: 80,
    },
    {
      name: "NVIDIA H100 80GB",
      gpu: { name: "NVIDIA H100 80GB HBM3", memoryBytes: 81559 * MiB },
      top: 80,
    },
    {
      name: "NVIDIA H100 NVL 94GB",
      gpu: { name: "NVIDIA H100 NVL", memoryBytes: 95830 * MiB },
      top: 96,
    },
    {
      name: "NVIDIA H200 141GB",
      gpu: { name: "NVIDIA H200", memoryBytes: 143771 * MiB },
      top: 141,
    },
  ];
  it.each(cases)("$name", ({ gpu, top }) => {
    const labels = runnerLabels({ cpus: 1, memoryBytes: GB, gpus: [gpu], interruptible: false });
    const memSteps = labels.filter((l) => l.startsWith("gpu-mem-ge-"));
    expect(memSteps[memSteps.length - 1]).toBe(`gpu-mem-ge-${top}gb`);
  });
});

describe("STABLE: golden runner labels", () => {
  const h100Host: HostFacts = {
    cpus: 224,
    memoryBytes: 2 * 2 ** 40,
    gpus: Array.from({ length: 8 }, () => ({
      name: "NVIDIA H100 80GB HBM3",
      memoryBytes: 81559 * MiB,
    })),
    interruptible: false,
  };
  const h100Labels = [
    "self-hosted",
    "dstack",
    "on-demand",
    "gpu-h100",
    "cpu-ge-1",
    "cpu-ge-2",
    "cpu-ge-4",
    "cpu-ge-8",
    "cpu-ge-12",
    "cpu-ge-16",
    "cpu-ge-24",
    "cpu-ge-32",
    "cpu-ge-48",
    "cpu-ge-64",
    "cpu-ge-96",
    "cpu-ge-128",
    "cpu-ge-192",
    "mem-ge-1gb",
    "mem-ge-2gb",
    "mem-ge-4gb",
    "mem-ge-8gb",
    "mem-ge-16gb",
    "mem-ge-24gb",
    "mem-ge-32gb",
    "mem-ge-48gb",
    "mem-ge-64gb",
    "mem-ge-96gb",
    "mem-ge-128gb",
    "mem-ge-192gb",
    "mem-ge-256gb",
    "mem-ge-384gb",
    "mem-ge-512gb",
    "mem-ge-768gb",
    "mem-ge-1024gb",
    "mem-ge-1536gb",
    "mem-ge-2048gb",
    "gpu-count-ge-1",
    "gpu-count-ge-2",
    "gpu-count-ge-3",
    "gpu-count-ge-4",
    "gpu-count-ge-5",
    "gpu-count-ge-6",
    "gpu-count-ge-7",
    "gpu-count-ge-8",
    "gpu-mem-ge-4gb",
    "gpu-mem-ge-6gb",
    "gpu-mem-ge-8gb",
    "gpu-mem-ge-10gb",
    "gpu-mem-ge-12gb",
    "gpu-mem-ge-16gb",
    "gpu-mem-ge-20gb",
    "gpu-mem-ge-24gb",
    "gpu-mem-ge-32gb",
    "gpu-mem-ge-40gb",
    "gpu-mem-ge-48gb",
    "gpu-mem-ge-64gb",
    "gpu-mem-ge-80gb",
  ];
  const t4Host: HostFacts = {
    cpus: 8,
    memoryBytes: 32 * GB,
    gpus: [{ name: "Tesla T4", memoryBytes: 15360 * MiB }],
    interruptible: false,
  };
  const t4Labels = [
    "self-hosted",
    "dstack",
    "on-demand",
    "gpu-t4",
    "cpu-ge-1",
    "cpu-ge-2",
    "cpu-ge-4",
    "cpu-ge-8",
    "mem-ge-1gb",
    "mem-ge-2gb",
    "mem-ge-4gb",
    "mem-ge-8gb",
    "mem-ge-16gb",
    "mem-ge-24gb",
    "mem-ge-32gb",
    "gpu-count-ge-1",
    "gpu-mem-ge-4gb",
    "gpu-mem-ge-6gb",
    "gpu-mem-ge-8gb",
    "gpu-mem-ge-10gb",
    "gpu-mem-ge-12gb",
    "gpu-mem-ge-16gb",
  ];

  it("8x NVIDIA H100 80GB HBM3, 224 CPUs, 2TiB", () => {
    expect(runnerLabels(h100Host)).toEqual(h100Labels);
  });

  it("1x Tesla T4, 8 CPUs, 32GB", () => {
    expect(runnerLabels(t4Host)).toEqual(t4Labels);
  });

  it("the 8xH100 runner admits 4 H100, refuses 4 A100 and 16 GPUs", () => {
    const job = (gpu: GpuRequest) => okLabels({ gpu, interruptible: false });
    expect(labelsMatch(job({ count: 4, name: "h100" }), h100Labels)).toBe(true);
    expect(labelsMatch(job({ count: 4, name: "a100" }), h100Labels)).toBe(false);
    expect(labelsMatch(job({ count: 16 }), h100Labels)).toBe(false);
    expect(labelsMatch(job({ count: 4, name: "H100", memoryBytes: 80 * GB }), h100Labels)).toBe(
      true,
    );
    expect(labelsMatch(job({ count: 1, memoryBytes: 94 * GB }), h100Labels)).toBe(false);
    expect(labelsMatch(okLabels({ interruptible: false }), h100Labels)).toBe(false);
    expect(
      labelsMatch(okLabels({ interruptible: false }, { allowGpuRunners: true }), h100Labels),
    ).toBe(true);
  });

  it("the T4 runner admits a 16GB T4 job and refuses a 24GB one", () => {
    expect(
      labelsMatch(
        okLabels({ gpu: { count: 1, name: "T4", memoryBytes: 16 * GB }, interruptible: false }),
        t4Labels,
      ),
    ).toBe(true);
    expect(
      labelsMatch(
        okLabels({ gpu: { count: 1, memoryBytes: 24 * GB }, interruptible: false }),
        t4Labels,
      ),
    ).toBe(false);
  });

  it("ladders keep their recorded values and are frozen", () => {
    expect(CPU_LADDER).toEqual([1, 2, 4, 8, 12, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512]);
    expect(MEMORY_LADDER_GB).toEqual([
      1, 2, 4, 8, 16, 24, 32, 48, 64, 96, 128, 192, 256, 384, 512, 768, 1024, 1536, 2048, 3072,
      4096,
    ]);
    expect(SHM_LADDER_GB).toEqual(MEMORY_LADDER_GB);
    expect(GPU_COUNT_LADDER).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 10, 12, 16]);
    expect(GPU_MEMORY_LADDER_GB).toEqual([
      4, 6, 8, 10, 12, 16, 20, 24, 32, 40, 48, 64, 80, 94, 96, 141, 192,
    ]);
    expect(BASE_LABELS).toEqual(["self-hosted", "dstack"]);
    expect([NO_GPU_LABEL, ON_DEMAND_LABEL, MAX_RUNNER_LABELS]).toEqual([
      "no-gpu",
      "on-demand",
      100,
    ]);
    for (const ladder of [
      CPU_LADDER,
      MEMORY_LADDER_GB,
      SHM_LADDER_GB,
      GPU_COUNT_LADDER,
      GPU_MEMORY_LADDER_GB,
      BASE_LABELS,
    ]) {
      expect(Object.isFrozen(ladder)).toBe(true);
      expect([...ladder].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0))).toEqual(
        ladder === BASE_LABELS ? [...ladder].sort() : ladder,
      );
    }
  });
});

describe("labelsMatch and gpuModelLabel", () => {
  it("matches subsets case-insensitively, as GitHub does", () => {
    expect(labelsMatch(["Self-Hosted", "GPU-H100"], ["self-hosted", "dstack", "gpu-h100"])).toBe(
      true,
    );
    expect(labelsMatch(["self-hosted", "gpu-a100"], ["self-hosted", "gpu-h100"])).toBe(false);
    expect(labelsMatch([], ["x"])).toBe(true);
  });

  it("names the model", () => {
    expect(gpuModelLabel("NVIDIA H100 80GB HBM3")).toBe("gpu-h100");
    expect(gpuModelLabel("NVIDIA")).toBeUndefined();
  });

  it("a mixed host has no model label and refuses named jobs", () => {
    const facts: HostFacts = {
      cpus: 64,
      memoryBytes: 512 * GB,
      gpus: [
        { name: "NVIDIA A100-SXM4-40GB", memoryBytes: 40960 * MiB },
        { name: "Tesla T4", memoryBytes: 15360 * MiB },
      ],
      interruptible: true,
    };
    const labels = runnerLabels(facts);
    expect(labels.slice(0, 3)).toEqual(["self-hosted", "dstack", "cpu-ge-1"]);
    expect(labels).toContain("gpu-count-ge-2");
    expect(labels.filter((l) => l.startsWith("gpu-mem-ge-")).at(-1)).toBe("gpu-mem-ge-16gb");
    expect(
      labelsMatch(okLabels({ gpu: { count: 1, name: "t4" }, interruptible: true }), labels),
    ).toBe(false);
    expect(labelsMatch(okLabels({ gpu: { count: 2 }, interruptible: true }), labels)).toBe(true);
  });
});
