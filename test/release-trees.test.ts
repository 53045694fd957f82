// scripts/build-action-trees.js: each action's release tree (what its own repository holds, so
// `uses: dstack/<name>@v1` runs) is self-contained: action.yml on node24, its runs.main/pre/post
// files present, and no bundled file reaching for a package or a path outside the tree.
import { execFileSync, spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { mkdir, writeFile } from "node:fs/promises";
import { builtinModules } from "node:module";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { checkTree, importSpecifiers } from "../scripts/build-action-trees.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const script = path.join(root, "scripts", "build-action-trees.js");
const scratch = mkdtempSync(path.join(tmpdir(), "dstack-release-trees-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every file under dir, relative to it. */
function filesUnder(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)));
}

const actionNames = readdirSync(path.join(root, "actions")).filter((name) =>
  existsSync(path.join(root, "actions", name, "action.yml")),
);

describe("the release trees built from this repository", () => {
  const out = path.join(scratch, "release");
  let built: { status: number | null; stdout: string; stderr: string };
  beforeAll(() => {
    built = cli(["--out", out]);
  });

  it("are built, one per action with an action.yml", () => {
    expect(built.stderr).toBe("");
    expect(built.status).toBe(0);
    expect(actionNames).toContain("run-python");
    expect(readdirSync(out).sort()).toEqual([...actionNames].sort());
  });

  describe.each(actionNames.map((name) => ({ name })))("$name", ({ name }) => {
    const tree = path.join(out, name);
    const action = () =>
      parse(readFileSync(path.join(tree, "action.yml"), "utf8")) as {
        runs: Record<string, string>;
      };

    it("holds action.yml, dist/ and README.md as in actions/", () => {
      expect(readFileSync(path.join(tree, "action.yml"), "utf8")).toBe(
        readFileSync(path.join(root, "actions", name, "action.yml"), "utf8"),
      );
      const dist = filesUnder(path.join(root, "actions", name, "dist")).filter(
        (f) => !f.includes("__pycache__"),
      );
      expect(filesUnder(path.join(tree, "dist")).sort()).toEqual(dist.sort());
      expect(existsSync(path.join(tree, "README.md"))).toBe(
        existsSync(path.join(root, "actions", name, "README.md")),
      );
      expect(existsSync(path.join(tree, "LICENSE"))).toBe(existsSync(path.join(root, "LICENSE")));
    });

    it("runs on node24", () => {
      expect(action().runs.using).toBe("node24");
    });

    it("has every runs.main/pre/post file", () => {
      const { runs } = action();
      const entries = ["main", "pre", "post"].filter((k) => runs[k] !== undefined);
      expect(entries).toContain("main");
      for (const key of entries) {
        expect(existsSync(path.join(tree, runs[key] as string)), `runs.${key}`).toBe(true);
      }
    });

    it("imports only Node builtins and files inside the tree", async () => {
      const builtins = new Set(builtinModules);
      const outside: string[] = [];
      for (const file of filesUnder(path.join(tree, "dist")).filter((f) => /\.[cm]?js$/.test(f))) {
        const absolute = path.join(tree, "dist", file);
        for (const spec of await importSpecifiers(readFileSync(absolute, "utf8"))) {
          const relative = spec.startsWith(".");
          const target = path.resolve(path.dirname(absolute), spec);
          const ok = relative
            ? !path.relative(tree, target).startsWith("..") && existsSync(target)
            : spec.startsWith("node:") || builtins.has(spec.split("/")[0] as string);
          if (!ok) outside.push(`dist/${file}: ${spec}`);
        }
      }
      expect(outside).toEqual([]);
    });
  });
});

describe("a tree that would not run is refused", () => {
  /** A tree like the build makes, with `files` over a good node24 action. */
  async function tree(name: string, files: Record<string, string>): Promise<string> {
    const dir = path.join(scratch, "bad", name);
    const all = {
      "action.yml": "name: x\ndescription: x\nruns:\n  using: node24\n  main: dist/index.js\n",
      "dist/index.js":
        "import { createRequire } from 'node:module';\nconst require = createRequire(import.meta.url);\nconst fs = require(\"fs\");\nimport('./chunk.js');\n",
      "dist/chunk.js": "export {};\n",
      ...files,
    };
    for (const [file, text] of Object.entries(all)) {
      await mkdir(path.dirname(path.join(dir, file)), { recursive: true });
      await writeFile(path.join(dir, file), text);
    }
    return dir;
  }

  it.each([
    { name: "a good tree", files: {}, expected: [] },
    {
      name: "runs.using node20",
      files: {
        "action.yml": "name: x\ndescription: x\nruns:\n  using: node20\n  main: dist/index.js\n",
      },
      expected: ['action.yml: runs.using is "node20", not node24'],
    },
    {
      name: "a missing post file",
      files: {
        "action.yml":
          "name: x\ndescription: x\nruns:\n  using: node24\n  main: dist/index.js\n  post: dist/post.js\n",
      },
      expected: ['action.yml: runs.post "dist/post.js" is not in the tree'],
    },
    {
      name: "a package left out of the bundle",
      files: { "dist/chunk.js": 'import core from "@actions/core";\nexport { core };\n' },
      expected: ["dist/chunk.js: imports the package @actions/core, which is not bundled"],
    },
    {
      name: "a require of a package",
      files: { "dist/chunk.js": 'const y = require("yaml");\n' },
      expected: ["dist/chunk.js: imports the package yaml, which is not bundled"],
    },
    {
      name: "a path into the monorepo",
      files: { "dist/chunk.js": 'export * from "../../../packages/spec/lib/index.js";\n' },
      expected: ["dist/chunk.js: imports ../../../packages/spec/lib/index.js, outside the tree"],
    },
    {
      name: "a chunk that is not there",
      files: { "dist/chunk.js": 'await import("./chunks/gone.js");\n' },
      expected: ["dist/chunk.js: imports ./chunks/gone.js, which is not in the tree"],
    },
  ])("$name", async ({ name, files, expected }) => {
    expect(await checkTree(await tree(name.replaceAll(" ", "-"), files))).toEqual(expected);
  });

  it("and the build fails naming the problem", async () => {
    const repo = path.join(scratch, "repo");
    await mkdir(path.join(repo, "actions", "demo", "dist"), { recursive: true });
    await writeFile(
      path.join(repo, "actions", "demo", "action.yml"),
      "name: x\ndescription: x\nruns:\n  using: node24\n  main: dist/index.js\n",
    );
    await writeFile(path.join(repo, "actions", "demo", "dist", "index.js"), 'import "lodash";\n');
    await writeFile(path.join(repo, "LICENSE"), "MIT\n");
    const r = cli(["--root", repo, "--out", path.join(scratch, "repo-release")]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(
      "demo/dist/index.js: imports the package lodash, which is not bundled",
    );
    // The LICENSE is part of every tree.
    expect(existsSync(path.join(scratch, "repo-release", "demo", "LICENSE"))).toBe(true);
  });
});

// The push step of .github/workflows/release.yml, run as written against local repositories
// standing in for github.com/dstack/<name>: a release makes vX.Y.Z and moves vX.
describe("release.yml's push of the released trees", () => {
  const release = parse(readFileSync(path.join(root, ".github/workflows/release.yml"), "utf8")) as {
    jobs: Record<string, { steps: { name?: string; run?: string }[] }>;
  };
  const pushScript = Object.values(release.jobs)
    .flatMap((job) => job.steps)
    .find((step) => step.name === "Push each released action to its repository")?.run;

  const work = path.join(scratch, "push");
  const server = path.join(work, "server");
  const git = (cwd: string, ...args: string[]) =>
    execFileSync("git", args, { cwd, encoding: "utf8", env: isolatedGit }).trim();
  // No global git identity or config: the script must set what it needs, as on a fresh runner.
  const isolatedGit = {
    PATH: process.env.PATH ?? "",
    HOME: path.join(work, "home"),
    GIT_CONFIG_NOSYSTEM: "1",
  };

  beforeAll(async () => {
    for (const name of ["run-python", "artifacts"]) {
      await mkdir(path.join(work, "release", name, "dist"), { recursive: true });
      await writeFile(path.join(work, "release", name, "action.yml"), `name: ${name}\n`);
      await writeFile(path.join(work, "release", name, "dist", "index.js"), "export {};\n");
      await mkdir(path.join(work, "actions", name), { recursive: true });
      const pkg = name === "artifacts" ? "@dstack/artifacts-action" : `@dstack/${name}`;
      await writeFile(
        path.join(work, "actions", name, "package.json"),
        JSON.stringify({ name: pkg }),
      );
      await mkdir(path.join(server, "dstack"), { recursive: true });
      git(path.join(server, "dstack"), "init", "--quiet", "--bare", "-b", "main", `${name}.git`);
    }
    await mkdir(isolatedGit.HOME, { recursive: true });
  });

  function push(published: { name: string; version: string }[]) {
    const r = spawnSync("bash", ["-c", pushScript as string], {
      cwd: work,
      encoding: "utf8",
      env: {
        ...isolatedGit,
        PUBLISHED: JSON.stringify(published),
        TOKEN: "not-a-token",
        SERVER_URL: `file://${server}`,
        OWNER: "dstack",
        SOURCE: "dstack/monorepo@abc",
        GITHUB_STEP_SUMMARY: path.join(work, "summary.md"),
      },
    });
    return { status: r.status, out: r.stdout + r.stderr };
  }

  /** tag or branch -> the commit it points at, in the stand-in for dstack/<name>. */
  function refs(name: string): Record<string, string> {
    const out = git(server, "ls-remote", `dstack/${name}.git`);
    const map: Record<string, string> = {};
    for (const line of out.split("\n").filter(Boolean)) {
      const [sha, ref] = line.split("\t") as [string, string];
      if (ref.endsWith("^{}") || !ref.startsWith("refs/tags/")) {
        map[ref.replace(/^refs\/(heads|tags)\//, "").replace("^{}", "")] = sha;
      }
    }
    return map;
  }

  it("is found in release.yml", () => {
    expect(pushScript).toContain("git");
  });

  it("pushes a released action with vX.Y.Z and vX, and leaves the others alone", () => {
    const r = push([{ name: "@dstack/run-python", version: "1.0.0" }]);
    expect(r.out).toContain("artifacts: @dstack/artifacts-action was not released this time");
    expect(r.status).toBe(0);
    const pushed = refs("run-python");
    expect(pushed["v1.0.0"]).toBe(pushed.main);
    expect(pushed.v1).toBe(pushed.main);
    const files = git(
      server,
      "--git-dir",
      "dstack/run-python.git",
      "ls-tree",
      "-r",
      "--name-only",
      "main",
    );
    expect(files.split("\n")).toEqual(["action.yml", "dist/index.js"]);
    expect(refs("artifacts")).toEqual({});
  });

  it("moves vX to the next release, keeps the old tag and the history", () => {
    const before = refs("run-python");
    const r = push([{ name: "@dstack/run-python", version: "1.1.0" }]);
    expect(r.status).toBe(0);
    const after = refs("run-python");
    expect(after["v1.0.0"]).toBe(before["v1.0.0"]);
    expect(after["v1.1.0"]).toBe(after.main);
    expect(after.v1).toBe(after.main);
    expect(after.main).not.toBe(before.main);
    const parent = git(server, "--git-dir", "dstack/run-python.git", "rev-parse", "main^");
    expect(parent).toBe(before.main);
  });

  it("refuses to release a version twice", () => {
    const r = push([{ name: "@dstack/run-python", version: "1.1.0" }]);
    expect(r.status).toBe(1);
    expect(r.out).toContain("dstack/run-python already has v1.1.0");
  });
});
