// A store per repository: two real git repositories side by side never see each other's runs,
// tags or `deps: - workflow:` runs; `ps --all-repos` shows both, naming each.
import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runDstack, tempDir } from "./testing.js";

const SAVE =
  "import os\nos.makedirs('model', exist_ok=True)\nopen('model/w.txt', 'w').write(os.environ['WHO'])\n";
const USE = "print('using', open('model/w.txt').read())\n";

/** A real git repository at `parent/name` with `files` and remote origin `url` (when given). */
function gitRepo(parent: string, name: string, files: Record<string, string>, url?: string) {
  const dir = join(parent, name);
  mkdirSync(dir, { recursive: true });
  execFileSync("git", ["init", "-q", dir]);
  if (url) execFileSync("git", ["-C", dir, "remote", "add", "origin", url]);
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(join(dir, path, ".."), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}

const workflows = (who: string) =>
  [
    "workflows:",
    "  - name: train",
    "    file: save.py",
    "    artifacts: [model]",
    `    environment: { WHO: ${who} }`,
    "  - name: evaluate",
    "    file: use.py",
    "    deps:",
    "      - workflow: train",
    "",
  ].join("\n");

function runNameOf(stderr: string): string {
  const m = /^(\S+-\d+) submitted/m.exec(stderr);
  if (!m?.[1]) throw new Error(`no run name in: ${stderr}`);
  return m[1];
}

describe("two repositories side by side, one DSTACK_HOME", () => {
  it("runs, tags and deps stay in their repository; ps --all-repos names each", async () => {
    const parent = realpathSync(tempDir());
    const files = (who: string) => ({
      ".dstack/workflows.yaml": workflows(who),
      "save.py": SAVE,
      "use.py": USE,
    });
    const a = gitRepo(parent, "iris", files("iris"), "git@github.com:someone/iris.git");
    const b = gitRepo(parent, "mine", files("mine"));
    const env = { ...process.env, DSTACK_HOME: tempDir() };
    const dstack = (argv: string[], cwd: string) => runDstack(argv, cwd, env);

    const trainA = await dstack(["run", "train"], a);
    expect(trainA.status).toBe(0);
    const runA = runNameOf(trainA.stderr);
    expect((await dstack(["tags", "add", "best", runA], a)).status).toBe(0);

    // B has no train run of its own: A's does not count, and nothing of A's lands in B.
    const early = await dstack(["run", "evaluate"], join(b));
    expect(early.status).toBe(1);
    expect(early.stderr).toContain("deps: workflow train has no successful run yet");
    expect(existsSync(join(b, "model"))).toBe(false);
    expect((await dstack(["ps", "-a"], b)).stdout).not.toContain(runA);
    expect((await dstack(["tags", "list"], b)).stdout).not.toContain("best");
    const other = await dstack(["artifacts", "list", ":best"], b);
    expect(other.status).toBe(1);
    expect(other.stderr).toBe(
      `dstack: tag best is not in this repository's runs; it belongs to repository iris (${a}): run the command there (dstack ps -a --all-repos lists every repository's runs)\n`,
    );
    const logs = await dstack(["logs", runA], b);
    expect(logs.status).toBe(1);
    expect(logs.stderr).toContain(
      `run ${runA} is not in this repository's runs; it belongs to repository iris`,
    );
    expect(JSON.parse((await dstack(["tags", "list", "--json"], a)).stdout)).toEqual([
      { tag: "best", runName: runA, createdAt: expect.any(String) },
    ]);
    expect(JSON.parse((await dstack(["tags", "list", "--json"], b)).stdout)).toEqual([]);
    expect(JSON.parse((await dstack(["artifacts", "list", ":best", "--json"], a)).stdout)).toEqual([
      { path: "model/w.txt", bytes: 4 },
    ]);

    // From a subfolder of B, B's own runs.
    expect((await dstack(["run", "train"], b)).status).toBe(0);
    mkdirSync(join(b, "src"));
    const evalB = await dstack(["run", "evaluate"], join(b, "src"));
    expect(evalB.stdout).toBe("using mine\n");
    expect(evalB.status).toBe(0);

    const evalA = await dstack(["run", "evaluate"], a);
    expect(evalA.stdout).toBe("using iris\n");

    const all = await dstack(["ps", "-a", "--all-repos"], b);
    const lines = all.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^REPO\s+RUN\s+WORKFLOW\s+STATUS/);
    expect(lines.filter((l) => l.startsWith("iris "))).toHaveLength(2);
    expect(lines.filter((l) => l.startsWith("mine "))).toHaveLength(3);
    expect(all.stdout).toMatch(new RegExp(`iris\\s+${runA}\\s+train\\s+done.*best`));

    const json = JSON.parse((await dstack(["ps", "-a", "--json"], a)).stdout);
    expect(json.map((r: { runName: string }) => r.runName)).toContain(runA);
    expect(json.every((r: { repoDir: string }) => r.repoDir === a)).toBe(true);
    // --json with --all-repos names each run's repository, as the REPO column does.
    const everywhere = JSON.parse((await dstack(["ps", "-a", "--all-repos", "--json"], b)).stdout);
    expect(
      everywhere.map((r: { repo: string; runName: string }) => [r.repo, r.runName === runA]),
    ).toContainEqual(["iris", true]);
    expect(new Set(everywhere.map((r: { repo: string }) => r.repo))).toEqual(
      new Set(["iris", "mine"]),
    );
  }, 60_000);

  it("a project folder inside a clone is a repository of its own", async () => {
    const clone = gitRepo(
      realpathSync(tempDir()),
      "clone",
      {
        "examples/train/.dstack/workflows.yaml": workflows("example"),
        "examples/train/save.py": SAVE,
        "examples/train/use.py": USE,
        "my/.dstack/workflows.yaml": workflows("my"),
        "my/save.py": SAVE,
        "my/use.py": USE,
      },
      "https://github.com/org/clone",
    );
    const env = { ...process.env, DSTACK_HOME: tempDir() };
    expect((await runDstack(["run", "train"], join(clone, "examples/train"), env)).status).toBe(0);
    const mine = await runDstack(["run", "evaluate"], join(clone, "my"), env);
    expect(mine.status).toBe(1);
    expect(mine.stderr).toContain("deps: workflow train has no successful run yet");
  }, 30_000);

  it("a folder that is not a git repository works, and keeps its runs", async () => {
    const dir = realpathSync(tempDir());
    writeFileSync(join(dir, "t.py"), "print('plain')\n");
    const env = { ...process.env, DSTACK_HOME: tempDir() };
    const r = await runDstack(["run", "python", "t.py"], dir, env);
    expect(r.stdout).toBe("plain\n");
    const ps = await runDstack(["ps", "-a"], dir, env);
    expect(ps.stdout).toContain(runNameOf(r.stderr));
  });
});
