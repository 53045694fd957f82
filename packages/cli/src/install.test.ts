// SLOW (about 10 s: npm starts four times): the `dstack` command line installs into a project of
// one's own from the packed tarballs, offline (no registry: the bundle holds every dependency but
// @dstack/python, which is packed beside it), and runs a job there with `npx dstack`.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { VERSION } from "./main.js";
import { tempDir } from "./testing.js";

const run = promisify(execFile);
const packScript = resolve(new URL(".", import.meta.url).pathname, "../pack.js");

describe("installing dstack into another project (slow: npm pack + npm install)", () => {
  it("npm install -D the packed tarballs offline, then npx dstack --version and npx dstack run python x.py", async () => {
    const out = tempDir("dstack-pack-");
    const packed = await run(process.execPath, [packScript, "--out", out]);
    const tarballs = packed.stdout.trim().split("\n");
    expect(tarballs.map((t) => t.slice(out.length + 1))).toEqual([
      `dstack-cli-${VERSION}.tgz`,
      "dstack-python-0.1.0.tgz",
    ]);

    const project = tempDir("dstack-own-project-");
    writeFileSync(join(project, "package.json"), '{ "name": "mine", "private": true }\n');
    writeFileSync(
      join(project, "x.py"),
      "import sys\nprint('hello from my project', sys.argv[1:])\n",
    );
    const env = {
      ...process.env,
      DSTACK_HOME: tempDir(),
      NO_COLOR: "1",
      npm_config_update_notifier: "false",
    };
    await run("npm", ["install", "-D", "--offline", "--no-audit", "--no-fund", ...tarballs], {
      cwd: project,
      env,
    });

    const version = await run("npx", ["--no-install", "dstack", "--version"], {
      cwd: project,
      env,
    });
    expect(version.stdout).toBe(`${VERSION}\n`);
    const job = await run("npx", ["--no-install", "dstack", "run", "python", "x.py", "a b"], {
      cwd: project,
      env,
    });
    expect(job.stdout).toBe("hello from my project ['a b']\n");
    expect(job.stderr).toMatch(/done: exited with 0/);
  }, 120_000);
});
