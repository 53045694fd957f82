import { execFile } from "node:child_process";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join, resolve } from "node:path";
import { promisify } from "node:util";
import { jobLabels, labelsMatch } from "@dstack/spec";
import { fakeNvidiaSmi, fixtureUuids, hostFixture } from "@dstack/testing";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { main, PERSISTENT_WARNING } from "./main.js";

const pkg = resolve(new URL(".", import.meta.url).pathname, "..");
const bin = join(pkg, "bin/dstack-runner.js");
const run = promisify(execFile);

const temp = () => mkdtempSync(join(tmpdir(), "dstack-runner-cli-"));

/** Runs dstack-runner in-process on a host whose nvidia-smi answers with `fixture`. */
async function dstackRunner(argv: string[], fixture: string, env: NodeJS.ProcessEnv = {}) {
  const smi = fakeNvidiaSmi({ gpus: hostFixture(fixture) });
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd: temp(),
    env: { ...process.env, PATH: `${smi.dir}${delimiter}${process.env.PATH}`, ...env },
  });
  return { status, stdout, stderr };
}

describe("dstack-runner labels", () => {
  it("labels a recorded 8xH100 host so it admits a 4xH100 job and refuses 4xA100 and 16 GPUs", async () => {
    const r = await dstackRunner(["labels", "--json"], "h100-80gb-hbm3-x8.csv");
    expect(r.status).toBe(0);
    const runner: string[] = JSON.parse(r.stdout);
    expect(runner).toContain("gpu-h100");
    expect(runner).toContain("gpu-count-ge-8");
    const admits = (gpu: { count: number; name?: string }) => {
      const job = jobLabels({ gpu, interruptible: false });
      if ("errors" in job) return false; // no runner label can express it
      return labelsMatch(job.labels, runner);
    };
    expect(admits({ count: 4, name: "h100" })).toBe(true);
    expect(admits({ count: 4, name: "a100" })).toBe(false);
    expect(admits({ count: 16 })).toBe(false);
  });

  it("--ephemeral adds dstack-ephemeral; a persistent runner refuses it as an extra label", async () => {
    const ephemeral = await dstackRunner(["labels", "--ephemeral"], "tesla-t4-x1.csv");
    expect(ephemeral.stdout.trim().split(",")).toContain("dstack-ephemeral");
    const refused = await dstackRunner(["labels", "-l", "dstack-ephemeral"], "tesla-t4-x1.csv");
    expect(refused.status).toBe(1);
    expect(refused.stderr).toContain("this runner is persistent");
  });

  it("--gpus labels one split instance", async () => {
    const r = await dstackRunner(["labels", "--gpus", "4,5"], "h100-80gb-hbm3-x8.csv");
    expect(r.stdout).toContain("gpu-count-ge-2,");
    expect(r.stdout).not.toContain("gpu-count-ge-3");
  });

  it("--gpus, DSTACK_RUNNER_GPUS and split groups share one GPU-set syntax", async () => {
    const uuids = fixtureUuids(hostFixture("h100-80gb-hbm3-x8.csv"));
    const byIndex = await dstackRunner(["labels", "--gpus", "4,5"], "h100-80gb-hbm3-x8.csv");
    const byRange = await dstackRunner(["labels", "--gpus", "4-5"], "h100-80gb-hbm3-x8.csv");
    const byUuid = await dstackRunner(
      ["labels", "--gpus", `${uuids[4]},${uuids[5]}`],
      "h100-80gb-hbm3-x8.csv",
    );
    const fromEnv = await dstackRunner(["labels"], "h100-80gb-hbm3-x8.csv", {
      DSTACK_RUNNER_GPUS: "4-5",
    });
    expect(byIndex.status).toBe(0);
    for (const r of [byRange, byUuid, fromEnv]) {
      expect(r.status).toBe(0);
      expect(r.stdout).toBe(byIndex.stdout);
    }
    const bad = await dstackRunner(["labels", "--gpus", "5-4"], "h100-80gb-hbm3-x8.csv");
    expect(bad.status).toBe(2);
    expect(bad.stderr).toContain("--gpus=5-4: range 5-4 runs backwards; write 4-5");
  });

  it("says so when the driver fails", async () => {
    const smi = fakeNvidiaSmi({ fail: hostFixture("driver-failure.txt"), exitCode: 9 });
    const r = await main(["labels"], {
      stdout: () => {},
      stderr: (t) => {
        expect(t).toMatch(/^dstack-runner: nvidia-smi failed with exit code 9: .*NVIDIA driver/);
      },
      cwd: temp(),
      env: { ...process.env, PATH: `${smi.dir}${delimiter}${process.env.PATH}` },
    });
    expect(r).toBe(1);
  });
});

describe("dstack-runner split and configure", () => {
  it("splits 8 GPUs into 1x4 + 4x1 and writes env files and units", async () => {
    const out = temp();
    const r = await dstackRunner(
      ["split", "--layout", "1x4+4x1", "--name", "h100", "--write", out],
      "h100-80gb-hbm3-x8.csv",
    );
    expect(r.status).toBe(0);
    expect(r.stdout.trim().split("\n")).toHaveLength(5);
    const uuids = fixtureUuids(hostFixture("h100-80gb-hbm3-x8.csv"));
    const env = readFileSync(join(out, "h100-gpu4", "dstack-runner.env"), "utf8");
    expect(env).toContain("CUDA_VISIBLE_DEVICES=4\n");
    expect(env).toContain(`NVIDIA_VISIBLE_DEVICES=${uuids[4]}\n`);
  });

  it("refuses overlapping instances, naming the GPU", async () => {
    const r = await dstackRunner(
      ["split", "--layout", "0,1,2,3/3,4", "--name", "h100"],
      "h100-80gb-hbm3-x8.csv",
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/GPU 3/);
  });

  it("prints config.sh with the labels and the token masked", async () => {
    const r = await dstackRunner(
      ["configure", "--url", "https://github.com/acme/models", "--name", "gpu-box"],
      "tesla-t4-x1.csv",
      { RUNNER_TOKEN: "AABBCCsecret" },
    );
    expect(r.stdout).toMatch(
      /^\.\/config\.sh --url https:\/\/github\.com\/acme\/models --token \*\*\* /,
    );
    expect(r.stdout).toContain("gpu-t4");
    expect(r.stdout).not.toContain("AABBCCsecret");
    // Ephemeral unless asked otherwise, with the label pull-request runs ask for.
    expect(r.stdout).toMatch(/--labels \S*,dstack-ephemeral --unattended --replace --ephemeral\n$/);
    expect(r.stderr).toContain(
      "so the runner's version was not checked; dstack's actions need runner 2.327.0 or later",
    );
  });

  it("--persistent warns why, and registers neither --ephemeral nor dstack-ephemeral", async () => {
    const r = await dstackRunner(
      ["configure", "--url", "https://github.com/acme/models", "--name", "gpu-box", "--persistent"],
      "tesla-t4-x1.csv",
      { RUNNER_TOKEN: "AABBCCsecret" },
    );
    expect(r.status).toBe(0);
    expect(r.stderr.startsWith(`${PERSISTENT_WARNING}\n`)).toBe(true);
    expect(PERSISTENT_WARNING).toContain("never let it run untrusted code");
    expect(r.stdout).not.toContain("ephemeral");
  });

  const refusals = [
    {
      name: "a persistent runner given the ephemeral label",
      argv: ["--persistent", "-l", "dstack-ephemeral"],
      status: 1,
      error: 'extra labels: "dstack-ephemeral" marks ephemeral runners',
    },
    {
      name: "both --persistent and --ephemeral",
      argv: ["--persistent", "--ephemeral"],
      status: 2,
      error: "--persistent: a runner is persistent or ephemeral, not both",
    },
  ];
  it.each(refusals)("refuses $name", async ({ argv, status, error }) => {
    const r = await dstackRunner(
      ["configure", "--url", "https://github.com/acme/models", "--name", "gpu-box", ...argv],
      "tesla-t4-x1.csv",
      { RUNNER_TOKEN: "AABBCCsecret" },
    );
    expect(r.status).toBe(status);
    expect(r.stderr).toContain(error);
    expect(r.stdout).toBe("");
  });

  /** A runner folder: its listener reports `version`; config.sh records its arguments. */
  function runnerFolder(version: string): { dir: string; record: string } {
    const dir = temp();
    const record = join(dir, "config-args.txt");
    mkdirSync(join(dir, "bin"));
    writeFileSync(join(dir, "bin", "Runner.Listener"), `#!/bin/sh\necho ${version}\n`);
    writeFileSync(join(dir, "config.sh"), `#!/bin/sh\nprintf '%s\\n' "$@" > '${record}'\n`);
    chmodSync(join(dir, "bin", "Runner.Listener"), 0o755);
    chmodSync(join(dir, "config.sh"), 0o755);
    return { dir, record };
  }

  it("--run refuses a runner older than 2.327.0 before registering anything", async () => {
    const runner = runnerFolder("2.326.0");
    const r = await dstackRunner(
      [
        "configure",
        "--url",
        "https://github.com/acme/models",
        "--name",
        "gpu-box",
        "--run",
        "--runner-dir",
        runner.dir,
      ],
      "tesla-t4-x1.csv",
      { RUNNER_TOKEN: "AABBCCsecret" },
    );
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "is version 2.326.0; dstack's actions run on node24, which needs runner 2.327.0 or later",
    );
    expect(existsSync(runner.record)).toBe(false);
  });

  it("--run with a recent runner registers an ephemeral runner", async () => {
    const runner = runnerFolder("2.327.0");
    const r = await dstackRunner(
      [
        "configure",
        "--url",
        "https://github.com/acme/models",
        "--name",
        "gpu-box",
        "--run",
        "--runner-dir",
        runner.dir,
      ],
      "tesla-t4-x1.csv",
      { RUNNER_TOKEN: "AABBCCsecret" },
    );
    expect(r.stderr).toContain(`runner 2.327.0 in ${runner.dir}`);
    expect(r.status).toBe(0);
    const args = readFileSync(runner.record, "utf8").trim().split("\n");
    expect(args.at(-1)).toBe("--ephemeral");
    expect(args[args.indexOf("--labels") + 1]).toMatch(/,dstack-ephemeral$/);
  });

  it("asks for the registration token in the environment", async () => {
    const r = await dstackRunner(
      ["configure", "--url", "https://github.com/acme/models", "--name", "gpu-box"],
      "tesla-t4-x1.csv",
      { RUNNER_TOKEN: "" },
    );
    expect(r.status).toBe(2);
    expect(r.stderr).toBe("dstack-runner: configure: set RUNNER_TOKEN (or pass --token)\n");
  });
});

describe("dstack-runner arc-values", () => {
  it("writes gha-runner-scale-set values with nvidia.com/gpu and the node's product", async () => {
    const r = await dstackRunner(
      [
        "arc-values",
        "--github-config-url",
        "https://github.com/acme",
        "--github-config-secret",
        "arc-github",
        "--name",
        "dstack-h100x4",
        "--gpus-per-runner",
        "4",
      ],
      "h100-80gb-hbm3-x8.csv",
    );
    expect(r.status).toBe(0);
    const values = parse(r.stdout);
    expect(values.runnerScaleSetName).toBe("dstack-h100x4");
    const runner = values.template.spec.containers[0];
    expect(runner.resources.limits["nvidia.com/gpu"]).toBe(4);
    expect(values.template.spec.nodeSelector["nvidia.com/gpu.product"]).toBe(
      "NVIDIA-H100-80GB-HBM3",
    );
  });
});

describe("hooks installed and run the way the runner runs them", () => {
  it("install-hooks, then job-started exports the GPUs and job-completed releases them", async () => {
    const runnerDir = temp();
    writeFileSync(join(runnerDir, ".env"), "LANG=C.UTF-8\n");
    // Outside the runner folder (never the real default, /opt/dstack-runner/hooks, in tests).
    const hooksDir = join(temp(), "hooks");
    const installed = await run(process.execPath, [
      bin,
      "install-hooks",
      "--runner-dir",
      runnerDir,
      "--hooks-dir",
      hooksDir,
    ]);
    expect(installed.stdout).toContain("ACTIONS_RUNNER_HOOK_JOB_STARTED");
    expect(statSync(hooksDir).mode & 0o777).toBe(0o755);
    const dotEnv = readFileSync(join(runnerDir, ".env"), "utf8");
    expect(dotEnv.startsWith("LANG=C.UTF-8\n")).toBe(true);
    const started = /ACTIONS_RUNNER_HOOK_JOB_STARTED=(.*)/.exec(dotEnv)?.[1] ?? "";
    const completed = /ACTIONS_RUNNER_HOOK_JOB_COMPLETED=(.*)/.exec(dotEnv)?.[1] ?? "";
    expect(started).toBe(join(hooksDir, "job-started.sh"));
    expect(existsSync(started)).toBe(true);

    const smi = fakeNvidiaSmi({ gpus: hostFixture("tesla-t4-x1.csv") });
    const lockDir = join(temp(), "locks");
    mkdirSync(lockDir);
    const githubEnv = join(temp(), "github_env");
    writeFileSync(githubEnv, "");
    const env = {
      ...process.env,
      PATH: `${smi.dir}${delimiter}${process.env.PATH}`,
      DSTACK_LOCK_DIR: lockDir,
      GITHUB_ENV: githubEnv,
      RUNNER_NAME: "gpu-box",
      GITHUB_REPOSITORY: "acme/models",
      GITHUB_RUN_ID: "42",
      GITHUB_JOB: "train",
    };
    await run("bash", ["-e", started], { env });
    const [uuid] = fixtureUuids(hostFixture("tesla-t4-x1.csv"));
    expect(readFileSync(githubEnv, "utf8")).toContain(`NVIDIA_VISIBLE_DEVICES=${uuid}`);
    expect(existsSync(join(lockDir, `gpu-${uuid}.lock`))).toBe(true);

    await run("bash", ["-e", completed], { env });
    expect(existsSync(join(lockDir, `gpu-${uuid}.lock`))).toBe(false);
  }, 30_000);

  it("job-started refuses a busy GPU with a job error annotation and exit 1", async () => {
    const [uuid] = fixtureUuids(hostFixture("tesla-t4-x1.csv"));
    const githubEnv = join(temp(), "github_env");
    writeFileSync(githubEnv, "");
    const smi = fakeNvidiaSmi({
      gpus: hostFixture("tesla-t4-x1.csv"),
      apps: `${uuid}, ${process.pid}, 1234\n`,
    });
    const err = await run(process.execPath, [bin, "hook", "job-started"], {
      env: {
        ...process.env,
        PATH: `${smi.dir}${delimiter}${process.env.PATH}`,
        DSTACK_LOCK_DIR: temp(),
        GITHUB_ENV: githubEnv,
        RUNNER_NAME: "gpu-box",
      },
    }).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stdout).toMatch(/::error::.*1234 MiB/);
  });
});
