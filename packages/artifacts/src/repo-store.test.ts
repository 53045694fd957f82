import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { makeJob } from "@dstack/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { LocalStore } from "./local-store.js";
import {
  listRepoStores,
  migrateFlatStore,
  normalizeRemoteUrl,
  openRepoStore,
  remoteUrlOf,
  repoIdentity,
  repoStoreName,
} from "./repo-store.js";

let tmp = "";
beforeEach(() => {
  tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "dstack-repos-")));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A real git repository at `tmp/name`, with remote `origin` at `url` when given. */
function gitRepo(name: string, url?: string): string {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  execFileSync("git", ["init", "-q", dir]);
  if (url) execFileSync("git", ["-C", dir, "remote", "add", "origin", url]);
  return dir;
}

describe("normalizeRemoteUrl", () => {
  const cases = [
    { name: "scp-like with .git", url: "git@github.com:Org/Repo.git", want: "github.com/org/repo" },
    { name: "https", url: "https://github.com/org/repo", want: "github.com/org/repo" },
    {
      name: "https with .git and /",
      url: "https://github.com/org/repo.git/",
      want: "github.com/org/repo",
    },
    {
      name: "https with a user",
      url: "https://x-token@github.com/org/repo",
      want: "github.com/org/repo",
    },
    {
      name: "ssh with a port",
      url: "ssh://git@github.com:22/org/repo.git",
      want: "github.com/org/repo",
    },
    { name: "a local path", url: "../upstream.git", want: "file:/base/upstream" },
    { name: "file://", url: "file:///srv/git/repo.git", want: "file:/srv/git/repo" },
  ];
  it.each(cases)("$name", ({ url, want }) => {
    expect(normalizeRemoteUrl(url, "/base/work")).toBe(want);
  });
});

describe("remoteUrlOf", () => {
  it("takes origin, else the first remote", () => {
    const config =
      '[core]\n\tbare = false\n[remote "up"]\n\turl = https://a/x\n[remote "origin"]\n\turl = git@b:y/z.git\n';
    expect(remoteUrlOf(config)).toBe("git@b:y/z.git");
    expect(remoteUrlOf('[remote "up"]\n\turl = https://a/x\n')).toBe("https://a/x");
    expect(remoteUrlOf("[core]\n\tbare = false\n")).toBeUndefined();
  });
});

describe("repoIdentity", () => {
  it("two clones of one remote are one repository; a subproject in a clone is another", () => {
    const a = gitRepo("a", "git@github.com:org/proj.git");
    const b = gitRepo("b", "https://github.com/org/proj");
    fs.mkdirSync(path.join(a, "examples/train"), { recursive: true });
    expect(repoIdentity(a).id).toBe("github.com/org/proj");
    expect(repoIdentity(b).id).toBe("github.com/org/proj");
    expect(repoIdentity(path.join(a, "examples/train")).id).toBe(
      "github.com/org/proj#examples/train",
    );
    expect(repoStoreName(repoIdentity(a))).toMatch(/^a-[0-9a-f]{10}$/);
  });

  it("a repository without a remote, or a plain folder, is its real path", () => {
    const local = gitRepo("local");
    const plain = path.join(tmp, "plain");
    fs.mkdirSync(plain);
    fs.symlinkSync(plain, path.join(tmp, "via-link"));
    expect(repoIdentity(local).id).toBe(`path:${local}`);
    expect(repoIdentity(path.join(tmp, "via-link")).id).toBe(`path:${plain}`);
  });

  it("a linked work tree (.git is a file) reads its main repository's remote", () => {
    const main = gitRepo("main", "https://github.com/org/wt");
    execFileSync("git", [
      "-C",
      main,
      "-c",
      "user.name=t",
      "-c",
      "user.email=t@t",
      "commit",
      "-q",
      "--allow-empty",
      "-m",
      "x",
    ]);
    const linked = path.join(tmp, "linked");
    execFileSync("git", ["-C", main, "worktree", "add", "-q", linked]);
    expect(repoIdentity(linked).id).toBe("github.com/org/wt");
  });
});

describe("openRepoStore", () => {
  it("gives each repository its own store and names it in repo.json", async () => {
    const home = path.join(tmp, "home");
    const a = gitRepo("a", "https://github.com/org/a");
    const b = gitRepo("b", "https://github.com/org/b");
    const sa = await openRepoStore({ home, cwd: a });
    const sb = await openRepoStore({ home, cwd: path.join(b) });
    expect(sa.store.home).not.toBe(sb.store.home);
    await sa.store.createRun({ workflow: "train", job: makeJob(), repoDir: a });
    expect(await sb.store.listRuns()).toEqual([]);
    const listed = await listRepoStores(home);
    expect(listed.map((s) => s.repo?.id).sort()).toEqual(["github.com/org/a", "github.com/org/b"]);
  });
});

describe("migrateFlatStore", () => {
  it("moves finished runs to their repository's store and tags after their runs; active runs wait", async () => {
    const home = path.join(tmp, "home");
    const a = gitRepo("a", "https://github.com/org/a");
    const b = gitRepo("b");
    const flat = new LocalStore({ home });
    const ra = await flat.createRun({ workflow: "train", job: makeJob(), repoDir: a });
    await flat.updateRun(ra.runName, { status: "done" });
    const rb = await flat.createRun({ workflow: "train", job: makeJob(), repoDir: b });
    await flat.updateRun(rb.runName, { status: "failed" });
    const active = await flat.createRun({ workflow: "x", job: makeJob(), repoDir: a });
    await flat.updateRun(active.runName, { status: "running" });
    await flat.setTag("best", ra.runName);
    await flat.setTag("other", rb.runName);

    expect(await migrateFlatStore(home)).toEqual({ runs: 2, tags: 2 });
    const sa = (await openRepoStore({ home, cwd: a })).store;
    const sb = (await openRepoStore({ home, cwd: b })).store;
    expect((await sa.listRuns()).map((r) => r.runName)).toEqual([ra.runName]);
    expect((await sb.listRuns()).map((r) => r.runName)).toEqual([rb.runName]);
    expect((await sa.getTag("best")).runName).toBe(ra.runName);
    expect((await sb.listTags()).map((t) => t.tag)).toEqual(["other"]);
    // The active run stayed in the old layout; once it ends, the next open moves it.
    expect(fs.existsSync(path.join(home, "runs", active.runName))).toBe(true);
    await flat.updateRun(active.runName, { status: "done" });
    const again = (await openRepoStore({ home, cwd: a })).store;
    expect((await again.listRuns()).map((r) => r.runName).sort()).toEqual(
      [ra.runName, active.runName].sort(),
    );
    expect(fs.existsSync(path.join(home, "runs"))).toBe(false);
    expect(fs.existsSync(path.join(home, "tags"))).toBe(false);
  });
});
