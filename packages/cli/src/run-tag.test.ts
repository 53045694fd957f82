import { describe, expect, it } from "vitest";
import { runDstack, tempDir, tempRepo } from "./testing.js";

const dstack = (argv: string[], cwd: string, home: string) =>
  runDstack(argv, cwd, { ...process.env, DSTACK_HOME: home });

function runNameOf(stderr: string): string {
  const m = /^(\S+-\d+) submitted/m.exec(stderr);
  if (!m?.[1]) throw new Error(`no run name in: ${stderr}`);
  return m[1];
}

async function tagsOf(dir: string, home: string): Promise<Record<string, string>[]> {
  return JSON.parse((await dstack(["tags", "list", "--json"], dir, home)).stdout);
}

describe("dstack run --tag, here", () => {
  it("points the tag at the run when it succeeds, moves it on the next, leaves it on a failure", async () => {
    const dir = tempRepo({
      "ok.py": "import os\nos.makedirs('out', exist_ok=True)\nopen('out/m.txt', 'w').write('m')\n",
      "bad.py": "raise SystemExit(3)\n",
    });
    const home = tempDir();
    const first = await dstack(["run", "python", "--tag", "best", "-a", "out", "ok.py"], dir, home);
    expect(first.status).toBe(0);
    const a = runNameOf(first.stderr);
    expect(first.stderr).toContain(`tag best -> ${a}\n`);
    const log = (await dstack(["logs", a], dir, home)).stdout;
    expect(log).toContain(`[dstack] tag best -> ${a}`);
    // One file, said so, in the one size format.
    expect(log).toContain("[dstack] saved out: 1 file, 1B\n");

    const second = await dstack(["run", "python", "ok.py", "--tag=best", "-a", "out"], dir, home);
    const b = runNameOf(second.stderr);
    expect(second.stderr).toContain(`tag best moved from ${a} to ${b}\n`);

    const failed = await dstack(["run", "python", "--tag", "best", "bad.py"], dir, home);
    expect(failed.status).toBe(3);
    expect(failed.stderr).not.toContain("tag best");
    expect(await tagsOf(dir, home)).toEqual([
      { tag: "best", runName: b, createdAt: expect.any(String) },
    ]);
    const out = tempDir();
    expect((await dstack(["artifacts", "download", ":best", "-o", out], dir, home)).status).toBe(0);
  }, 60_000);

  const bad = [
    { name: "a space", tag: "my tag" },
    { name: "a slash", tag: "../x" },
    { name: "a leading dot", tag: ".hidden" },
  ];
  it.each(bad)("refuses a tag with $name before any run starts (exit 2)", async ({ tag }) => {
    const dir = tempRepo({ "ok.py": "print('ran')\n" });
    const home = tempDir();
    const r = await dstack(["run", "python", "--tag", tag, "ok.py"], dir, home);
    expect(r.status).toBe(2);
    expect(r.stderr).toContain(`--tag: ${JSON.stringify(tag)} is not a valid tag name`);
    expect(r.stdout).not.toContain("ran");
    expect(JSON.parse((await dstack(["ps", "-a", "--json"], dir, home)).stdout)).toEqual([]);
  });

  it("a detached run (-d) sets the tag when its background process finishes", async () => {
    const dir = tempRepo({ "ok.py": "print('ran')\n" });
    const home = tempDir();
    const r = await dstack(["run", "python", "-d", "--tag", "later", "ok.py"], dir, home);
    expect(r.status).toBe(0);
    const runName = r.stdout.trim();
    const deadline = Date.now() + 30_000;
    let tags: Record<string, string>[] = [];
    while (Date.now() < deadline) {
      tags = await tagsOf(dir, home);
      if (tags.length > 0) break;
      await new Promise((done) => setTimeout(done, 100));
    }
    expect(tags).toEqual([{ tag: "later", runName, createdAt: expect.any(String) }]);
  }, 40_000);
});

describe("tags a job sets", () => {
  it("are logged in the run's log and listed with the run that made them", async () => {
    const dir = tempRepo({
      "data/d.csv": "1\n",
      "up.py": [
        "from dstack import artifacts",
        'artifacts.upload(local_path="data", tag="ds")',
        'artifacts.upload(local_path="data", tag="ds")',
      ].join("\n"),
    });
    const home = tempDir();
    const r = await dstack(["run", "python", "up.py"], dir, home);
    expect(r.status).toBe(0);
    const runName = runNameOf(r.stderr);
    const tags = await tagsOf(dir, home);
    expect(tags).toEqual([
      { tag: "ds", runName: expect.any(String), createdAt: expect.any(String), madeBy: runName },
    ]);
    const target = tags[0]?.runName as string;
    const log = (await dstack(["logs", runName], dir, home)).stdout;
    expect(log).toMatch(
      new RegExp(
        `\\[dstack\\] the job pointed tag ds at (\\S+)\\n\\[dstack\\] the job moved tag ds from \\1 to ${target}\\n`,
      ),
    );
    const table = (await dstack(["tags", "list"], dir, home)).stdout.split("\n");
    expect(table[0]).toMatch(/^TAG\s+RUN\s+MADE BY\s+CREATED$/);
    expect(table[1]).toMatch(new RegExp(`^ds\\s+${target}\\s+${runName}\\s+\\d+s ago$`));
  }, 60_000);
});
