import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { workflowsJsonSchema } from "@dstack/spec";
import { describe, expect, it } from "vitest";
import { runDstack } from "./testing.js";

const repoRoot = resolve(new URL(".", import.meta.url).pathname, "../../..");
const bin = join(repoRoot, "packages/cli/bin/dstack.js");

/** Runs main() in `cwd` and captures what it printed. */
const dstack = (argv: string[], cwd = repoRoot) => runDstack(argv, cwd);

/** A temporary repository with the given files (path -> content). */
function repo(files: Record<string, string>): string {
  const dir = mkdtempSync(join(tmpdir(), "dstack-cli-"));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

describe("dstack validate", () => {
  it("accepts the seeds' examples unchanged, merging .dstack/workflows/*.yaml", async () => {
    const r = await dstack(["validate", "examples/seeds"]);
    expect(r).toEqual({
      status: 0,
      stdout: "2 files, 2 workflows valid: train, download-model\n",
      stderr: "",
    });
  });

  it("accepts the runnable example", async () => {
    expect((await dstack(["validate", "examples/train"])).status).toBe(0);
  });

  it("--json prints the normalized jobs", async () => {
    const r = await dstack(["validate", "examples/train", "--json"]);
    const out = JSON.parse(r.stdout);
    expect(out.ok).toBe(true);
    expect(out.jobs[0]).toMatchObject({
      workflow: "train",
      file: "train.py",
      args: ["--epochs", "150", "--lr", "0.5", "--tag", "iris-best"],
      environment: { SEED: "7" },
      resources: { cpu: 1, memoryBytes: 256e6, interruptible: false },
    });
  });

  it("prints every error with its position relative to the current folder, exit 1", async () => {
    const dir = repo({
      ".dstack/workflows.yaml":
        "workflows:\n  - name: train\n    file: train.py\n    requirements: missing.txt\n    resources:\n      memory: 16GBB\n      gpu: 0\n",
      "train.py": "print(1)\n",
    });
    const r = await dstack(["validate"], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      [
        '.dstack/workflows.yaml:4:19: requirements: "missing.txt" does not exist (looked for missing.txt in the repository)',
        '.dstack/workflows.yaml:6:15: resources.memory: "16GBB" has an unknown unit "GBB"; use e.g. 16GB (10^9 bytes), 512MiB (2^20 bytes) or 1.5GB',
        ".dstack/workflows.yaml:7:12: resources.gpu: must be at least 1, got 0; leave resources.gpu out for a job without GPUs",
        "3 errors",
        "",
      ].join("\n"),
    );
    expect(r.stdout).toBe("");
  });

  it("checks every workflow against .dstack/policy.yaml: a refused one is an error at the rule", async () => {
    const dir = repo({
      ".dstack/workflows.yaml":
        "workflows:\n  - name: small\n    file: t.py\n    resources:\n      gpu:\n        count: 1\n        name: A100\n  - name: big\n    file: t.py\n    resources:\n      gpu:\n        count: 8\n        name: A100\n",
      ".dstack/policy.yaml": "gpu:\n  names: [A100]\n  max_count: 4\n",
      "t.py": "",
    });
    const r = await dstack(["validate"], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(
      /^\.dstack\/policy\.yaml:3:\d+: gpu\.max_count: workflow big: .*8 GPUs.*at most 4/m,
    );
    expect(r.stderr).not.toContain("workflow small");
    writeFileSync(join(dir, ".dstack/policy.yaml"), "gpu:\n  max_count: 8\n");
    expect(await dstack(["validate"], dir)).toMatchObject({
      status: 0,
      stdout: "1 file, 2 workflows valid: small, big, within .dstack/policy.yaml\n",
    });
  });

  it("a policy that does not parse is an error with its position", async () => {
    const dir = repo({
      ".dstack/workflows.yaml": "workflows:\n  - name: a\n    file: t.py\n",
      ".dstack/policy.yaml": "gpu:\n  max_cont: 4\n",
      "t.py": "",
    });
    const r = await dstack(["validate"], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^\.dstack\/policy\.yaml:2:3: .*max_count/m);
  });

  it("takes one workflows file and finds the repository above .dstack", async () => {
    const dir = repo({
      ".dstack/workflows/extra.yaml": "workflows:\n  - name: a\n    file: src/a.py\n",
      "src/a.py": "",
    });
    const r = await dstack(["validate", ".dstack/workflows/extra.yaml"], dir);
    expect(r).toMatchObject({ status: 0, stdout: "1 file, 1 workflow valid: a\n" });
  });

  it.each([
    {
      name: "a path that does not exist",
      args: ["validate", "nowhere"],
      want: "dstack: nowhere: no such file or folder\n",
    },
    {
      name: "a folder without workflows",
      args: ["validate", "packages"],
      want: "dstack: packages: no .dstack/workflows.yaml or .dstack/workflows/*.yaml here; create one (dstack schema prints its JSON Schema)\n",
    },
  ])("$name: a clear message, exit 1", async ({ args, want }) => {
    expect(await dstack(args)).toEqual({ status: 1, stdout: "", stderr: want });
  });
});

describe("dstack labels", () => {
  it("prints the runs-on labels of a workflow", async () => {
    const r = await dstack(["labels", "train", "-C", "examples/seeds"]);
    expect(r).toEqual({
      status: 0,
      stdout: "self-hosted,dstack,on-demand,gpu-k80,gpu-count-ge-4\n",
      stderr: "",
    });
  });

  it("--json prints a list for fromJSON", async () => {
    const r = await dstack(["labels", "train", "--cwd", "examples/train", "--json"]);
    expect(JSON.parse(r.stdout)).toEqual([
      "self-hosted",
      "dstack",
      "on-demand",
      "no-gpu",
      "cpu-ge-1",
      "mem-ge-1gb",
    ]);
  });

  it("--allow-gpu-runners drops no-gpu", async () => {
    const r = await dstack(["labels", "train", "-C", "examples/train", "--allow-gpu-runners"]);
    expect(r.stdout).toBe("self-hosted,dstack,on-demand,cpu-ge-1,mem-ge-1gb\n");
  });

  it("suggests the closest workflow", async () => {
    const r = await dstack(["labels", "trian", "-C", "examples/train"]);
    expect(r).toEqual({
      status: 1,
      stdout: "",
      stderr:
        'dstack: "trian" is not a workflow; did you mean "train"? (workflows: train, evaluate)\n',
    });
  });

  it("says when no runner label can express the request", async () => {
    const dir = repo({
      ".dstack/workflows.yaml":
        "workflows:\n  - name: big\n    file: t.py\n    resources: {gpu: 32}\n",
      "t.py": "",
    });
    const r = await dstack(["labels", "big"], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      "dstack: big: resources.gpu.count: asked 32, no runner label goes above 16 GPUs\n",
    );
  });
});

describe("dstack schema, help and usage mistakes", () => {
  it("schema prints the JSON Schema", async () => {
    const r = await dstack(["schema"]);
    expect(JSON.parse(r.stdout)).toEqual(workflowsJsonSchema());
  });

  it("--help exits 0", async () => {
    const r = await dstack(["--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("validate");
  });

  it("an unknown command exits 2 with a suggestion", async () => {
    const r = await dstack(["valdate"]);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain("(Did you mean validate?)");
  });
});

describe("the dstack bin", () => {
  const run = promisify(execFile);

  it("runs validate as a process", async () => {
    const r = await run(process.execPath, [bin, "validate", "examples/seeds"], { cwd: repoRoot });
    expect(r.stdout).toBe("2 files, 2 workflows valid: train, download-model\n");
  });

  it("exits 1 on a bad file without a stack trace", async () => {
    const dir = repo({ ".dstack/workflows.yaml": "workflows: [ {name: w, file: \n" });
    const err = await run(process.execPath, [bin, "validate"], { cwd: dir }).catch((e) => e);
    expect(err.code).toBe(1);
    expect(err.stderr).toMatch(/^\.dstack\/workflows\.yaml:\d+:\d+: YAML: /);
    expect(err.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("the README", () => {
  it("shows a workflow that validates", async () => {
    const readme = readFileSync(join(repoRoot, "README.md"), "utf8");
    const yaml = /```yaml\n([\s\S]*?)```/.exec(readme.slice(readme.indexOf("## A workflow")))?.[1];
    expect(yaml).toContain("workflows:");
    const dir = repo({
      ".dstack/workflows.yaml": yaml ?? "",
      "train.py": "",
      "requirements.txt": "",
    });
    const r = await dstack(["validate"], dir);
    expect(r).toMatchObject({ status: 0, stdout: "1 file, 1 workflow valid: train\n" });
  });
});
