// A run's files are its own: it runs in a copy of what a runner's checkout would hold (tracked
// files, and untracked ones git does not ignore), what it writes stays out of the user's folder
// (only its artifacts are kept), and concurrent runs never share a writable file.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDstack, runFolder, tempDir } from "./testing.js";

/** A real git repository with a tracked, an untracked and an ignored file. */
function project(files: Record<string, string> = {}): string {
  const dir = realpathSync(tempDir());
  execFileSync("git", ["init", "-q", dir]);
  const all: Record<string, string> = {
    ".gitignore": "secret.txt\nout/\n",
    "tracked.txt": "t",
    "see.py": "import os\nprint(sorted(f for f in os.listdir('.') if not f.startswith('.')))\n",
    ...files,
  };
  for (const [path, content] of Object.entries(all)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  execFileSync("git", ["-C", dir, "add", ".gitignore", "tracked.txt", "see.py"]);
  writeFileSync(join(dir, "untracked.txt"), "u");
  writeFileSync(join(dir, "secret.txt"), "s");
  return dir;
}

const env = () => ({ ...process.env, DSTACK_HOME: tempDir() });

describe("a run's working copy", () => {
  it("holds tracked files and untracked ones git does not ignore", async () => {
    const dir = project();
    const r = await runDstack(["run", "python", "see.py"], dir, env());
    expect(r.stdout).toBe("['see.py', 'tracked.txt', 'untracked.txt']\n");
    expect(r.stderr).toContain(
      "working copy: 4 files (tracked, and untracked that git does not ignore)",
    );
  });

  it("what a job writes stays out of the user's folder; its artifacts are kept; the copy is removed", async () => {
    const dir = project({
      "write.py":
        "import os\nos.makedirs('out', exist_ok=True)\nopen('out/m.bin', 'w').write('m')\nopen('tracked.txt', 'w').write('changed')\n",
    });
    const e = env();
    const r = await runDstack(["run", "python", "-a", "out", "write.py"], dir, e);
    expect(r.status).toBe(0);
    expect(existsSync(join(dir, "out"))).toBe(false);
    expect(readdirSync(dir).sort()).toEqual(
      [
        ".git",
        ".gitignore",
        "secret.txt",
        "see.py",
        "tracked.txt",
        "untracked.txt",
        "write.py",
      ].sort(),
    );
    const runName = /^(\S+-\d+) submitted/m.exec(r.stderr)?.[1] as string;
    expect((await runDstack(["artifacts", "list", runName], dir, e)).stdout).toContain("out/m.bin");
    expect(existsSync(join(runFolder(e.DSTACK_HOME, runName), "dstack-work"))).toBe(false);
  });

  it("concurrent runs never share a writable file", async () => {
    const dir = project({
      "count.py": [
        "import os, time",
        "for i in range(20):",
        "    with open('counter.txt', 'a') as f: f.write('x')",
        "    time.sleep(0.01)",
        "print(len(open('counter.txt').read()))",
      ].join("\n"),
    });
    const e = env();
    const runs = await Promise.all(
      [1, 2, 3].map(() => runDstack(["run", "python", "count.py"], dir, e)),
    );
    expect(runs.map((r) => r.stdout)).toEqual(["20\n", "20\n", "20\n"]);
    expect(existsSync(join(dir, "counter.txt"))).toBe(false);
  });

  it("a script git ignores is not in the copy, and the error says why", async () => {
    const dir = project({ "secret.txt": "s", "ignored.py": "print('x')\n" });
    writeFileSync(join(dir, ".gitignore"), "secret.txt\nignored.py\n");
    const r = await runDstack(["run", "python", "ignored.py"], dir, env());
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "file: ignored.py does not exist in . of the run's working copy (git ignores it?",
    );
  });
});
