import { jobLabels, labelsMatch, type Resources } from "@dstack/spec";
import { fixtureReport } from "@dstack/testing";
import { describe, expect, it } from "vitest";
import { instanceFacts } from "./labels.js";
import { parseLayout, planSplit, type SplitInstance, systemdUnit } from "./split.js";

const h100 = fixtureReport("h100-80gb-hbm3-x8.csv");
const UUIDS = h100.gpuDetails.map((g) => g.uuid);

function instancesOf(plan: ReturnType<typeof planSplit>): SplitInstance[] {
  if ("errors" in plan) {
    throw new Error(plan.errors.join("\n"));
  }
  return plan.instances;
}

function admits(resources: Resources, labels: string[]): boolean {
  const job = jobLabels(resources);
  if ("errors" in job) {
    throw new Error(job.errors.map((e) => e.message).join("; "));
  }
  return labelsMatch(job.labels, labels);
}

describe("parseLayout", () => {
  const cases: {
    name: string;
    text: string;
    gpus?: number;
    want?: number[][];
    errors?: string[];
  }[] = [
    { name: "8x1", text: "8x1", want: [[0], [1], [2], [3], [4], [5], [6], [7]] },
    { name: "1x4+4x1", text: "1x4+4x1", want: [[0, 1, 2, 3], [4], [5], [6], [7]] },
    {
      name: "2x4",
      text: "2x4",
      want: [
        [0, 1, 2, 3],
        [4, 5, 6, 7],
      ],
    },
    {
      name: "spaces and a capital X",
      text: " 1 X 4 + 4 x 1 ",
      want: [[0, 1, 2, 3], [4], [5], [6], [7]],
    },
    { name: "explicit", text: "0,1,2,3/4/5/6/7", want: [[0, 1, 2, 3], [4], [5], [6], [7]] },
    {
      name: "explicit with ranges, any order",
      text: "4-7/0, 2/1",
      want: [[4, 5, 6, 7], [0, 2], [1]],
    },
    { name: "fewer GPUs than the host has", text: "1x2", want: [[0, 1]] },
    {
      name: "empty",
      text: " ",
      errors: ['layout " " is empty; write e.g. 8x1, 1x4+4x1 or 0,1,2,3/4/5/6/7'],
    },
    {
      name: "more GPUs than the host has",
      text: "2x8",
      errors: ['layout "2x8" asks for 16 GPUs; this host has 8 GPUs'],
    },
    {
      name: "zero instances, zero GPUs",
      text: "0x4+2x0",
      errors: [
        'layout "0x4+2x0": 0x4 makes no instances; both numbers must be at least 1',
        'layout "0x4+2x0": 2x0 makes instances without GPUs; both numbers must be at least 1',
      ],
    },
    {
      name: "not NxG",
      text: "4x1+four",
      errors: [
        'layout "4x1+four": "four" is not NxG (N instances of G GPUs); write e.g. 8x1 or 1x4+4x1',
      ],
    },
    {
      name: "overlapping groups name the GPU and both groups",
      text: "0-3/3,4",
      errors: [
        'layout "0-3/3,4": GPU 3 is in two instances, group 1 (0-3) and group 2 (3,4); each GPU may belong to one instance only',
      ],
    },
    {
      name: "an empty group",
      text: "0,1//2",
      errors: ['layout "0,1//2", group 2 is empty; each group names at least one GPU'],
    },
    {
      name: "a GPU the host lacks",
      text: "0/9",
      errors: ['layout "0/9", group 2: GPU 9 does not exist; this host has 8 GPUs (0-7)'],
    },
    {
      name: "a GPU twice in a group",
      text: "0,0",
      errors: ['layout "0,0", group 1: GPU 0 is named twice'],
    },
    {
      name: "not an index",
      text: "0/a",
      errors: [
        'layout "0/a", group 2: "a" is not a GPU index; write indexes as nvidia-smi numbers them, e.g. 0,1,2,3/4/5',
      ],
    },
    {
      name: "a backwards range",
      text: "3-1",
      errors: ['layout "3-1", group 1: range 3-1 runs backwards; write 1-3'],
    },
    {
      name: "one GPU host",
      text: "2x1",
      gpus: 1,
      errors: ['layout "2x1" asks for 2 GPUs; this host has 1 GPU'],
    },
  ];
  it.each(cases)("$name", ({ text, gpus, want, errors }) => {
    expect(parseLayout(text, gpus ?? 8)).toEqual(want ? { subsets: want } : { errors });
  });
});

describe("planSplit", () => {
  it("a group names GPUs by UUID as DSTACK_RUNNER_GPUS does", () => {
    const uuids = h100.gpuDetails.map((g) => g.uuid);
    const byUuid = planSplit({ report: h100, layout: `${uuids[1]},${uuids[0]}/2-3`, name: "box" });
    const byIndex = planSplit({ report: h100, layout: "0,1/2,3", name: "box" });
    expect(byUuid).toEqual(byIndex);
    expect(instancesOf(byUuid).map((i) => i.gpuIndexes)).toEqual([
      [0, 1],
      [2, 3],
    ]);
  });

  it("1x4+4x1 on the 8x H100 host: names, GPUs, env files and units exactly", () => {
    const plan = planSplit({ report: h100, layout: "1x4+4x1", name: "box" });
    expect("warnings" in plan && plan.warnings).toEqual([]);
    const instances = instancesOf(plan);
    expect(instances.map((i) => [i.name, i.gpuIndexes, i.dir])).toEqual([
      ["box-gpu0-3", [0, 1, 2, 3], "/opt/actions-runner/box-gpu0-3"],
      ["box-gpu4", [4], "/opt/actions-runner/box-gpu4"],
      ["box-gpu5", [5], "/opt/actions-runner/box-gpu5"],
      ["box-gpu6", [6], "/opt/actions-runner/box-gpu6"],
      ["box-gpu7", [7], "/opt/actions-runner/box-gpu7"],
    ]);
    expect(instances.map((i) => i.envFile)).toEqual([
      [
        "CUDA_DEVICE_ORDER=PCI_BUS_ID",
        "CUDA_VISIBLE_DEVICES=0,1,2,3",
        "NVIDIA_VISIBLE_DEVICES=GPU-3edf87da-6dc2-bd9a-1484-92b81d6e1f89,GPU-62847ac1-d949-38ad-0267-cdf6a2d778cd,GPU-fc542acd-8a65-c857-c4ea-f2bc61c8ae9e,GPU-3018f412-2e26-ebbb-44c0-f3f6b0aa6f23",
        "DSTACK_RUNNER_GPUS=0,1,2,3",
        "DSTACK_RUNNER_INTERRUPTIBLE=false",
        "",
      ].join("\n"),
      ...[4, 5, 6, 7].map((i) =>
        [
          "CUDA_DEVICE_ORDER=PCI_BUS_ID",
          `CUDA_VISIBLE_DEVICES=${i}`,
          `NVIDIA_VISIBLE_DEVICES=${UUIDS[i]}`,
          `DSTACK_RUNNER_GPUS=${i}`,
          "DSTACK_RUNNER_INTERRUPTIBLE=false",
          "",
        ].join("\n"),
      ),
    ]);
    expect(instances[1]?.gpuUuids).toEqual(["GPU-74c9a3ba-14e5-b317-3535-c997be5a057d"]);
    expect(instances[0]?.envFilePath).toBe("/opt/actions-runner/box-gpu0-3/dstack-runner.env");
    expect(instances[0]?.unitName).toBe("dstack-runner-box-gpu0-3.service");
    expect(instances[0]?.systemdUnit).toBe(
      [
        "[Unit]",
        "Description=GitHub Actions runner box-gpu0-3 (dstack, GPUs 0,1,2,3)",
        "After=network-online.target",
        "Wants=network-online.target",
        "",
        "[Service]",
        "ExecStart=/opt/actions-runner/box-gpu0-3/run.sh",
        "User=runner",
        "WorkingDirectory=/opt/actions-runner/box-gpu0-3",
        "EnvironmentFile=/opt/actions-runner/box-gpu0-3/dstack-runner.env",
        "KillMode=mixed",
        "KillSignal=SIGTERM",
        "TimeoutStopSec=5min",
        "Restart=always",
        "RestartSec=5s",
        "",
        "[Install]",
        "WantedBy=multi-user.target",
        "",
      ].join("\n"),
    );
  });

  it("each instance's labels come from its GPUs and its share of the host", () => {
    const [four, one] = instancesOf(planSplit({ report: h100, layout: "1x4+4x1", name: "box" }));
    const four4 = { gpu: { count: 4, name: "h100" }, interruptible: false };
    expect(admits(four4, four?.labels ?? [])).toBe(true);
    expect(admits(four4, one?.labels ?? [])).toBe(false);
    expect(
      admits({ gpu: { count: 1, name: "h100" }, interruptible: false }, one?.labels ?? []),
    ).toBe(true);
    expect(
      admits({ gpu: { count: 1, name: "a100" }, interruptible: false }, one?.labels ?? []),
    ).toBe(false);
    // 1/8 of 208 CPUs is 26: cpu-ge-24 and not cpu-ge-32; 1/8 of 2048GiB is 274.9GB: mem-ge-256gb
    expect(one?.labels).toContain("cpu-ge-24");
    expect(one?.labels).not.toContain("cpu-ge-32");
    expect(one?.labels).toContain("mem-ge-256gb");
    expect(one?.labels).not.toContain("mem-ge-384gb");
    expect(four?.labels).toContain("cpu-ge-96");
    expect(instanceFacts(h100, [4]).cpus).toBe(26);
  });

  it("the instances' promises add up to no more than the host has", () => {
    const instances = instancesOf(planSplit({ report: h100, layout: "1x4+4x1", name: "box" }));
    const facts = instances.map((i) => instanceFacts(h100, i.gpuIndexes));
    expect(facts.reduce((a, f) => a + f.cpus, 0)).toBeLessThanOrEqual(h100.cpus);
    expect(facts.reduce((a, f) => a + f.memoryBytes, 0)).toBeLessThanOrEqual(h100.memoryBytes);
    expect(facts.reduce((a, f) => a + (f.shmSizeBytes ?? 0), 0)).toBeLessThanOrEqual(
      h100.shmSizeBytes ?? 0,
    );
  });

  it("explicit subsets, spot machine, extra labels, another folder and user", () => {
    const plan = planSplit({
      report: h100,
      layout: [[0, 2], [1]],
      name: "spot-1",
      extraLabels: ["rack-3"],
      interruptible: true,
      runnersDir: "/srv/runners/",
      user: "gh",
    });
    const instances = instancesOf(plan);
    expect(instances.map((i) => i.name)).toEqual(["spot-1-gpu0_2", "spot-1-gpu1"]);
    expect(instances[0]?.envFile).toContain("CUDA_VISIBLE_DEVICES=0,2\n");
    expect(instances[0]?.envFile).toContain("DSTACK_RUNNER_INTERRUPTIBLE=true\n");
    expect(instances[0]?.labels).not.toContain("on-demand");
    expect(instances[0]?.labels.at(-1)).toBe("rack-3");
    expect(instances[0]?.systemdUnit).toContain(
      "ExecStart=/srv/runners/spot-1-gpu0_2/run.sh\nUser=gh\n",
    );
    expect("warnings" in plan && plan.warnings).toEqual([
      "GPUs 3-7 are in no instance; no job will use them",
    ]);
  });

  it("an instance mixing models advertises none, with a warning", () => {
    const mixed = fixtureReport("mixed-a100-80gb-pcie-x2-t4-x2.csv");
    const plan = planSplit({ report: mixed, layout: "0,2/1/3", name: "m" });
    const [a100t4, a100, t4] = instancesOf(plan);
    expect(a100t4?.labels.some((l) => /^gpu-(a100|t4)$/.test(l))).toBe(false);
    expect(a100?.labels).toContain("gpu-a100");
    expect(t4?.labels).toContain("gpu-t4");
    expect("warnings" in plan && plan.warnings).toEqual([
      "m-gpu0_2 mixes GPU models (NVIDIA A100 80GB PCIe, Tesla T4); it advertises no model, so jobs that name one will not run there",
    ]);
  });

  const bad: { name: string; options: Parameters<typeof planSplit>[0]; errors: string[] }[] = [
    {
      name: "two instances on the same GPU: the GPU and both instances named",
      options: { report: h100, layout: "0,1,2,3/3/4", name: "box" },
      errors: [
        'layout "0,1,2,3/3/4": GPU 3 is in two instances, box-gpu0-3 (group 1) and box-gpu3 (group 2); each GPU may belong to one instance only',
      ],
    },
    {
      name: "two instances on the same GPU, given as subsets",
      options: { report: h100, layout: [[5], [5, 6]], name: "box" },
      errors: [
        'layout "5/5,6": GPU 5 is in two instances, box-gpu5 (group 1) and box-gpu5-6 (group 2); each GPU may belong to one instance only',
      ],
    },
    {
      name: "more GPUs than the host has",
      options: { report: h100, layout: "3x4", name: "box" },
      errors: ['layout "3x4" asks for 12 GPUs; this host has 8 GPUs'],
    },
    {
      name: "an empty subset",
      options: { report: h100, layout: [[0], []], name: "box" },
      errors: ['layout "0/", group 2 is empty; each group names at least one GPU'],
    },
    {
      name: "a host without GPUs (no driver installed)",
      options: {
        report: { ...h100, gpus: [], gpuDetails: [], notes: ["nvidia-smi not found: 0 GPUs"] },
        layout: "8x1",
        name: "box",
      },
      errors: [
        "split: this host has no GPUs (nvidia-smi not found: 0 GPUs); split shares a host's GPUs between runners",
      ],
    },
    {
      name: "bad name, folder, user and extra label, all at once",
      options: {
        report: h100,
        layout: "8x1",
        name: "my box",
        runnersDir: "runners",
        user: "a b",
        extraLabels: ["gpu-count-ge-16"],
      },
      errors: [
        'split: name "my box" may hold only letters, digits, ".", "_" and "-", starting with a letter or digit',
        'split: runners folder "runners" must be an absolute path of letters, digits, ".", "_", "-" and "/"',
        'split: user "a b" is not a user name',
        'extra labels: "gpu-count-ge-16" is a label of the dstack scheme, set from the host\'s facts only (on-demand, no-gpu, gpu-*, cpu-ge-*, mem-ge-*, shm-ge-*); choose another name',
      ],
    },
  ];
  it.each(bad)("$name", ({ options, errors }) => {
    expect(planSplit(options)).toEqual({ errors });
  });

  it("systemdUnit is what planSplit writes", () => {
    const [one] = instancesOf(planSplit({ report: h100, layout: "1x1", name: "x" }));
    expect(one?.systemdUnit).toBe(
      systemdUnit({
        name: "x-gpu0",
        dir: "/opt/actions-runner/x-gpu0",
        envFilePath: "/opt/actions-runner/x-gpu0/dstack-runner.env",
        user: "runner",
        gpuIndexes: [0],
      }),
    );
  });
});
