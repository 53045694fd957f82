import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { formatHostFacts } from "./check.js";
import { HostError } from "./errors.js";
import { type HostOs, type HostReport, readHostFacts } from "./facts.js";
import { NVIDIA_SMI_ARGS } from "./nvidia.js";

const MiB = 2 ** 20;
const GiB = 2 ** 30;

const made: string[] = [];
afterAll(() => {
  for (const dir of made) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "dstack-host-"));
  made.push(dir);
  return dir;
}

/** A fixture file system root: `files` maps paths such as `sys/fs/cgroup/cpu.max` to content. */
function fixtureRoot(files: Record<string, string>, dirs: string[] = []): string {
  const root = tempDir();
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  for (const dir of dirs) {
    mkdirSync(join(root, dir), { recursive: true });
  }
  return root;
}

/** A `PATH` folder with no nvidia-smi in it. */
const noNvidiaSmi = tempDir();

function fixture(name: string): string {
  return readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");
}

interface Fake {
  stdout?: string;
  stderr?: string;
  exitCode?: number;
  /** Never answers. */
  hang?: boolean;
  /** Written without the executable bit. */
  notExecutable?: boolean;
}

/**
 * Writes a fake `nvidia-smi` (bash, builtins only: `PATH` holds nothing else) into a new folder
 * and returns the folder. It checks its arguments, prints `stdout` and `stderr` exactly, and
 * exits with `exitCode`.
 */
function fakeNvidiaSmi(fake: Fake): string {
  const dir = tempDir();
  const out = join(dir, "stdout.txt");
  const err = join(dir, "stderr.txt");
  writeFileSync(out, fake.stdout ?? "");
  writeFileSync(err, fake.stderr ?? "");
  const print = (file: string) =>
    `while IFS= read -r line || [ -n "$line" ]; do printf '%s\\n' "$line"; done < '${file}'`;
  const script = [
    "#!/bin/bash",
    `if [ "$*" != "${NVIDIA_SMI_ARGS.join(" ")}" ]; then`,
    '  echo "fake nvidia-smi: unexpected arguments: $*" >&2',
    "  exit 2",
    "fi",
    fake.hang ? `exec '${process.execPath}' -e 'setTimeout(() => {}, 60000)'` : "",
    print(out),
    `${print(err)} >&2`,
    `exit ${fake.exitCode ?? 0}`,
    "",
  ].join("\n");
  writeFileSync(join(dir, "nvidia-smi"), script);
  chmodSync(join(dir, "nvidia-smi"), fake.notExecutable ? 0o644 : 0o755);
  return dir;
}

const fixedOs: HostOs = { availableParallelism: () => 16, totalmem: () => 64 * GiB };

const meminfo32 = [
  "MemTotal:       33554432 kB",
  "MemFree:        20000000 kB",
  "MemAvailable:   30000000 kB",
  "",
].join("\n");

describe("readHostFacts: CPUs and memory from cgroup v2 and /proc/meminfo", () => {
  const cases: {
    name: string;
    files: Record<string, string>;
    cpus: number;
    memoryBytes: number;
    sources: Partial<HostReport["sources"]>;
    notes: string[];
  }[] = [
    {
      name: "nothing readable: os",
      files: {},
      cpus: 16,
      memoryBytes: 64 * GiB,
      sources: { cpus: "os", memory: "os" },
      notes: [
        "cpus from os.availableParallelism(): no cgroup v2 cpu.max limit",
        "memory from os.totalmem() (/proc/meminfo unreadable)",
      ],
    },
    {
      name: "no limits: cpu.max max, memory.max max, MemTotal",
      files: {
        "sys/fs/cgroup/cpu.max": "max 100000\n",
        "sys/fs/cgroup/memory.max": "max\n",
        "proc/meminfo": meminfo32,
      },
      cpus: 16,
      memoryBytes: 32 * GiB,
      sources: { cpus: "os", memory: "meminfo" },
      notes: [
        "cpus from os.availableParallelism(): no cgroup v2 cpu.max limit",
        "memory from /proc/meminfo MemTotal 33554432 kB",
      ],
    },
    {
      name: "2 CPUs, 4GiB",
      files: {
        "sys/fs/cgroup/cpu.max": "200000 100000\n",
        "sys/fs/cgroup/memory.max": `${4 * GiB}\n`,
        "proc/meminfo": meminfo32,
      },
      cpus: 2,
      memoryBytes: 4 * GiB,
      sources: { cpus: "cgroup", memory: "cgroup" },
      notes: [
        "cpus from cgroup /sys/fs/cgroup/cpu.max 200000 100000",
        "memory from cgroup /sys/fs/cgroup/memory.max 4294967296",
      ],
    },
    {
      name: "1.5 CPUs round up to 2",
      files: { "sys/fs/cgroup/cpu.max": "150000 100000\n", "proc/meminfo": meminfo32 },
      cpus: 2,
      memoryBytes: 32 * GiB,
      sources: { cpus: "cgroup", memory: "meminfo" },
      notes: ["cpus from cgroup /sys/fs/cgroup/cpu.max 150000 100000 (1.5 CPUs, rounded up)"],
    },
    {
      name: "half a CPU rounds up to 1",
      files: { "sys/fs/cgroup/cpu.max": "50000 100000\n" },
      cpus: 1,
      memoryBytes: 64 * GiB,
      sources: { cpus: "cgroup" },
      notes: ["cpus from cgroup /sys/fs/cgroup/cpu.max 50000 100000 (0.5 CPUs, rounded up)"],
    },
    {
      name: "a quota larger than the machine: os",
      files: { "sys/fs/cgroup/cpu.max": "3200000 100000\n" },
      cpus: 16,
      memoryBytes: 64 * GiB,
      sources: { cpus: "os" },
      notes: [
        "cpus from os.availableParallelism(): fewer than cgroup /sys/fs/cgroup/cpu.max 3200000 100000 allows",
      ],
    },
    {
      name: "memory.max above MemTotal: MemTotal",
      files: { "sys/fs/cgroup/memory.max": `${128 * GiB}\n`, "proc/meminfo": meminfo32 },
      cpus: 16,
      memoryBytes: 32 * GiB,
      sources: { memory: "meminfo" },
      notes: [
        "memory from /proc/meminfo MemTotal 33554432 kB: below cgroup /sys/fs/cgroup/memory.max 137438953472",
      ],
    },
    {
      name: "memory.max without /proc/meminfo: capped by os.totalmem()",
      files: { "sys/fs/cgroup/memory.max": `${8 * GiB}\n` },
      cpus: 16,
      memoryBytes: 8 * GiB,
      sources: { memory: "cgroup" },
      notes: ["memory from cgroup /sys/fs/cgroup/memory.max 8589934592"],
    },
    {
      name: "nested cgroup: the smallest limit along the path",
      files: {
        "proc/self/cgroup": "0::/system.slice/actions.runner.service\n",
        "sys/fs/cgroup/system.slice/cpu.max": "400000 100000\n",
        "sys/fs/cgroup/system.slice/memory.max": `${16 * GiB}\n`,
        "sys/fs/cgroup/system.slice/actions.runner.service/cpu.max": "max 100000\n",
        "sys/fs/cgroup/system.slice/actions.runner.service/memory.max": `${8 * GiB}\n`,
        "proc/meminfo": meminfo32,
      },
      cpus: 4,
      memoryBytes: 8 * GiB,
      sources: { cpus: "cgroup", memory: "cgroup" },
      notes: [
        "cpus from cgroup /sys/fs/cgroup/system.slice/cpu.max 400000 100000",
        "memory from cgroup /sys/fs/cgroup/system.slice/actions.runner.service/memory.max 8589934592",
      ],
    },
    {
      name: "cgroup v1 lines only: the root group",
      files: {
        "proc/self/cgroup": "4:memory:/docker/abc\n1:cpu:/docker/abc\n",
        "sys/fs/cgroup/cpu.max": "300000 100000\n",
      },
      cpus: 3,
      memoryBytes: 64 * GiB,
      sources: { cpus: "cgroup" },
      notes: ["cpus from cgroup /sys/fs/cgroup/cpu.max 300000 100000"],
    },
    {
      name: "a path outside the namespace: the root group",
      files: { "proc/self/cgroup": "0::/../../x\n", "sys/fs/cgroup/cpu.max": "100000 100000\n" },
      cpus: 1,
      memoryBytes: 64 * GiB,
      sources: { cpus: "cgroup" },
      notes: ["cpus from cgroup /sys/fs/cgroup/cpu.max 100000 100000"],
    },
    {
      name: "malformed files are ignored with a note",
      files: {
        "sys/fs/cgroup/cpu.max": "lots\n",
        "sys/fs/cgroup/memory.max": "16G\n",
        "proc/meminfo": meminfo32,
      },
      cpus: 16,
      memoryBytes: 32 * GiB,
      sources: { cpus: "os", memory: "meminfo" },
      notes: [
        'ignored /sys/fs/cgroup/cpu.max: "lots" is not a cgroup v2 cpu.max value',
        'ignored /sys/fs/cgroup/memory.max: "16G" is not a cgroup v2 memory.max value',
      ],
    },
  ];

  it.each(cases)("$name", async ({ files, cpus, memoryBytes, sources, notes }) => {
    const report = await readHostFacts({
      root: fixtureRoot(files),
      env: { PATH: noNvidiaSmi },
      os: fixedOs,
    });
    expect(report.cpus).toBe(cpus);
    expect(report.memoryBytes).toBe(memoryBytes);
    expect(report.sources).toMatchObject(sources);
    for (const note of notes) {
      expect(report.notes).toContain(note);
    }
  });
});

describe("readHostFacts: GPUs from a fake nvidia-smi on PATH", () => {
  const driverLine =
    "NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver. Make sure that the latest NVIDIA driver is installed and running.";
  const fix = "is the NVIDIA driver loaded? try nvidia-smi";

  const found: {
    name: string;
    fake: Fake;
    names: string[];
    source: "nvidia-smi" | "none";
    note: string;
  }[] = [
    {
      name: "8x H100",
      fake: { stdout: fixture("h100-80gb-hbm3-x8.csv") },
      names: Array(8).fill("NVIDIA H100 80GB HBM3"),
      source: "nvidia-smi",
      note: "gpus from nvidia-smi: 8",
    },
    {
      name: "mixed A100 + T4",
      fake: { stdout: fixture("mixed-a100-80gb-pcie-x2-t4-x2.csv") },
      names: ["NVIDIA A100 80GB PCIe", "NVIDIA A100 80GB PCIe", "Tesla T4", "Tesla T4"],
      source: "nvidia-smi",
      note: "gpus from nvidia-smi: 4",
    },
    {
      name: "a warning on stderr does not matter when the exit code is 0",
      fake: {
        stdout: fixture("tesla-t4-x1.csv"),
        stderr: "WARNING: infoROM is corrupted at gpu 0000:00:04.0",
      },
      names: ["Tesla T4"],
      source: "nvidia-smi",
      note: "gpus from nvidia-smi: 1",
    },
    {
      name: "No devices were found (exit 6): 0 GPUs",
      fake: { stdout: fixture("no-devices.txt"), exitCode: 6 },
      names: [],
      source: "nvidia-smi",
      note: "nvidia-smi: No devices were found (exit code 6): 0 GPUs",
    },
    {
      name: "empty output: 0 GPUs",
      fake: { stdout: "" },
      names: [],
      source: "nvidia-smi",
      note: "gpus from nvidia-smi: 0",
    },
  ];
  it.each(found)("$name", async ({ fake, names, source, note }) => {
    const report = await readHostFacts({
      root: fixtureRoot({}),
      env: { PATH: fakeNvidiaSmi(fake) },
      os: fixedOs,
    });
    expect(report.gpus.map((g) => g.name)).toEqual(names);
    expect(report.gpuDetails.map((g) => g.index)).toEqual(names.map((_, i) => i));
    expect(report.gpus).toEqual(
      report.gpuDetails.map(({ name, memoryBytes }) => ({ name, memoryBytes })),
    );
    expect(report.sources.gpus).toBe(source);
    expect(report.notes).toContain(note);
  });

  it("H100 memory in bytes", async () => {
    const report = await readHostFacts({
      root: fixtureRoot({}),
      env: { PATH: fakeNvidiaSmi({ stdout: fixture("h100-80gb-hbm3-x8.csv") }) },
    });
    expect(report.gpus[0]).toEqual({ name: "NVIDIA H100 80GB HBM3", memoryBytes: 81559 * MiB });
  });

  const failing: { name: string; fake: Fake; code: string; message: string; timeoutMs?: number }[] =
    [
      {
        name: "driver not loaded (exit 9)",
        fake: { stdout: fixture("driver-failure.txt"), exitCode: 9 },
        code: "gpu-driver",
        message: `nvidia-smi failed with exit code 9: ${JSON.stringify(driverLine)}; ${fix}`,
      },
      {
        name: "driver message with exit 0",
        fake: { stdout: fixture("driver-failure.txt") },
        code: "gpu-driver",
        message: `nvidia-smi failed with exit code 0: ${JSON.stringify(driverLine)}; ${fix}`,
      },
      {
        name: "GPU fallen off the bus (exit 15), stderr first",
        fake: {
          stdout: "",
          stderr:
            "Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error\nmore\n",
          exitCode: 15,
        },
        code: "gpu-driver",
        message: `nvidia-smi failed with exit code 15: "Unable to determine the device handle for GPU0000:3B:00.0: Unknown Error"; ${fix}`,
      },
      {
        name: "No devices were found with another exit code",
        fake: { stdout: fixture("no-devices.txt"), exitCode: 255 },
        code: "gpu-driver",
        message: `nvidia-smi failed with exit code 255: "No devices were found"; ${fix}`,
      },
      {
        name: "silent failure",
        fake: { exitCode: 12 },
        code: "gpu-driver",
        message: `nvidia-smi failed with exit code 12: "(no output)"; ${fix}`,
      },
      {
        name: "malformed output",
        fake: { stdout: "0, NVIDIA GH200 480GB, [N/A], GPU-a\n" },
        code: "gpu-parse",
        message:
          'nvidia-smi output line 1: memory.total "[N/A]" is not a whole number of MiB; expected "index, name, memory.total (MiB), uuid": "0, NVIDIA GH200 480GB, [N/A], GPU-a"',
      },
      {
        name: "hung",
        fake: { hang: true },
        timeoutMs: 300,
        code: "gpu-driver",
        message: `nvidia-smi did not answer within 0.3s; ${fix}`,
      },
    ];
  it.each(failing)("throws: $name", async ({ fake, code, message, timeoutMs }) => {
    const read = readHostFacts({
      root: fixtureRoot({}),
      env: { PATH: fakeNvidiaSmi(fake) },
      ...(timeoutMs === undefined ? {} : { nvidiaSmiTimeoutMs: timeoutMs }),
    });
    await expect(read).rejects.toBeInstanceOf(HostError);
    await expect(read).rejects.toMatchObject({ code, message });
  });

  it("not executable: EACCES is an error, not 'not found'", async () => {
    const read = readHostFacts({
      root: fixtureRoot({}),
      env: { PATH: fakeNvidiaSmi({ notExecutable: true }) },
    });
    await expect(read).rejects.toMatchObject({
      code: "gpu-driver",
      message: expect.stringMatching(/^nvidia-smi could not be started \(EACCES\): /),
    });
  });

  it("not on PATH: 0 GPUs and a note", async () => {
    const report = await readHostFacts({ root: fixtureRoot({}), env: { PATH: noNvidiaSmi } });
    expect(report.gpus).toEqual([]);
    expect(report.gpuDetails).toEqual([]);
    expect(report.sources.gpus).toBe("none");
    expect(report.notes).toContain("nvidia-smi not found: 0 GPUs");
  });

  it("an explicit command path", async () => {
    const dir = fakeNvidiaSmi({ stdout: fixture("a100-sxm4-40gb-x1.csv") });
    const report = await readHostFacts({
      root: fixtureRoot({}),
      env: { PATH: noNvidiaSmi },
      nvidiaSmi: join(dir, "nvidia-smi"),
    });
    expect(report.gpus).toEqual([{ name: "NVIDIA A100-SXM4-40GB", memoryBytes: 40960 * MiB }]);
  });

  it("an explicit command path that does not exist", async () => {
    const missing = join(noNvidiaSmi, "nvidia-smi");
    const report = await readHostFacts({ root: fixtureRoot({}), env: {}, nvidiaSmi: missing });
    expect(report.sources.gpus).toBe("none");
    expect(report.notes).toContain(`${missing} not found: 0 GPUs`);
  });
});

describe("readHostFacts: /dev/shm", () => {
  it("present: statfs bsize * blocks", async () => {
    const report = await readHostFacts({
      root: fixtureRoot({}, ["dev/shm"]),
      env: { PATH: noNvidiaSmi },
    });
    expect(report.shmSizeBytes).toBeGreaterThan(0);
    expect(Number.isInteger(report.shmSizeBytes)).toBe(true);
  });

  it("missing: unknown, with a note", async () => {
    const report = await readHostFacts({ root: fixtureRoot({}), env: { PATH: noNvidiaSmi } });
    expect(report.shmSizeBytes).toBeUndefined();
    expect("shmSizeBytes" in report).toBe(false);
    expect(report.notes).toContain("/dev/shm not found: shm size unknown");
  });
});

describe("readHostFacts: interruptible", () => {
  const cases: {
    name: string;
    value?: string;
    option?: boolean;
    want: boolean;
    note?: string;
  }[] = [
    { name: "unset", want: false },
    { name: "empty", value: "", want: false },
    {
      name: "true",
      value: "true",
      want: true,
      note: "interruptible from DSTACK_RUNNER_INTERRUPTIBLE=true",
    },
    { name: "TRUE", value: "TRUE", want: true },
    { name: "1", value: "1", want: true, note: "interruptible from DSTACK_RUNNER_INTERRUPTIBLE=1" },
    { name: "false", value: "false", want: false },
    { name: "0", value: "0", want: false },
    { name: "the option wins over the variable", value: "true", option: false, want: false },
    { name: "the option alone", option: true, want: true },
  ];
  it.each(cases)("$name", async ({ value, option, want, note }) => {
    const report = await readHostFacts({
      root: fixtureRoot({}),
      env: {
        PATH: noNvidiaSmi,
        ...(value === undefined ? {} : { DSTACK_RUNNER_INTERRUPTIBLE: value }),
      },
      ...(option === undefined ? {} : { interruptible: option }),
    });
    expect(report.interruptible).toBe(want);
    if (note !== undefined) {
      expect(report.notes).toContain(note);
    }
  });

  it("refuses a value that is not a boolean", async () => {
    const read = readHostFacts({
      root: fixtureRoot({}),
      env: { PATH: noNvidiaSmi, DSTACK_RUNNER_INTERRUPTIBLE: "yes" },
    });
    await expect(read).rejects.toMatchObject({
      code: "bad-env",
      message:
        'DSTACK_RUNNER_INTERRUPTIBLE: "yes" is not a boolean; use true or 1 on spot runners, false or 0 (or unset) elsewhere',
    });
  });
});

describe("readHostFacts on this machine", () => {
  it("reads plausible facts", async () => {
    const report = await readHostFacts();
    expect(report.cpus).toBeGreaterThanOrEqual(1);
    expect(Number.isInteger(report.cpus)).toBe(true);
    expect(report.memoryBytes).toBeGreaterThan(0);
    expect(report.gpus).toHaveLength(report.gpuDetails.length);
    expect(formatHostFacts(report)).toMatch(/^\d+ CPUs?, [\d.]+[KMGTP]?B memory, /);
  });
});
