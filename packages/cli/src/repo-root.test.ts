// Every command finds the repository the way `dstack run` does, from any folder inside it, and an
// invalid workflow is reported once, as invalid.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDstack, tempDir, tempRepo } from "./testing.js";

const WORKFLOWS = [
  "workflows:",
  "  - name: bad",
  "    file: t.py",
  "    resources:",
  "      memory: 16GBB",
  "  - name: good",
  "    file: t.py",
  "",
].join("\n");

function project(): string {
  const dir = tempRepo({ ".dstack/workflows.yaml": WORKFLOWS, "t.py": "print('ran')\n" });
  mkdirSync(join(dir, "src/deep"), { recursive: true });
  return dir;
}

describe("validate and labels from a subfolder", () => {
  const cases = [
    { name: "the root", at: "" },
    { name: "a subfolder", at: "src" },
    { name: "a nested subfolder", at: "src/deep" },
  ];
  it.each(cases)("validate from $name finds the repository's workflows", async ({ at }) => {
    const dir = project();
    const r = await runDstack(["validate"], join(dir, at));
    expect(r.status).toBe(1);
    const rel =
      at === ""
        ? ""
        : `${at
            .split("/")
            .map(() => "..")
            .join("/")}/`;
    expect(r.stderr).toBe(
      `${rel}.dstack/workflows.yaml:5:15: resources.memory: "16GBB" has an unknown unit "GBB"; use e.g. 16GB (10^9 bytes), 512MiB (2^20 bytes) or 1.5GB\n1 error\n`,
    );
  });

  it("labels from a subfolder", async () => {
    const r = await runDstack(["labels", "good"], join(project(), "src/deep"));
    expect(r.status).toBe(0);
    expect(r.stdout).not.toBe("");
  });

  it("validate with an explicit path still takes that path", async () => {
    const dir = project();
    const r = await runDstack(["validate", "src"], dir);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("src: no .dstack/workflows.yaml");
  });
});

describe("dstack run on an invalid workflow", () => {
  it("prints its errors once and says it is not valid, not that it is not a workflow", async () => {
    const dir = project();
    const r = await runDstack(["run", "bad"], join(dir, "src"), {
      ...process.env,
      DSTACK_HOME: tempDir(),
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      [
        '../.dstack/workflows.yaml:5:15: resources.memory: "16GBB" has an unknown unit "GBB"; use e.g. 16GB (10^9 bytes), 512MiB (2^20 bytes) or 1.5GB',
        "dstack: bad: not valid (1 error above); fix it and run again (dstack validate checks every workflow)",
        "",
      ].join("\n"),
    );
    expect(r.stderr).not.toContain("is not a workflow");
    expect(r.stdout).toBe("");
  });

  it("the valid workflow beside it still runs (its neighbour's error shown as a warning)", async () => {
    const r = await runDstack(["run", "good"], project(), {
      ...process.env,
      DSTACK_HOME: tempDir(),
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toBe("ran\n");
  });
});
