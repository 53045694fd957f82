import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { leftovers, makeJob, readTree, wordsRandom, writeTree } from "@dstack/testing";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { StoreError, type StoreErrorCode } from "./errors.js";
import { LocalStore } from "./local-store.js";
import type { RunRecord } from "./types.js";

let tmp = "";
beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dstack-store-"));
});
afterEach(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** A fresh store and repository in the test's temp folder. */
function setup() {
  const home = path.join(tmp, "home");
  const repo = path.join(tmp, "repo");
  fs.mkdirSync(repo);
  return { home, repo, store: new LocalStore({ home }) };
}

/** Expects `promise` to reject with a StoreError of `code` whose message matches. */
async function expectStoreError(
  promise: Promise<unknown>,
  code: StoreErrorCode,
  message?: RegExp,
): Promise<StoreError> {
  const e = await promise.then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StoreError);
  const err = e as StoreError;
  expect({ code: err.code, message: err.message }).toMatchObject({ code });
  if (message) expect(err.message).toMatch(message);
  expect(err.message).not.toContain("\n");
  return err;
}

/** Whether a chmod 0500 folder refuses writes here (root writes anyway). */
const canDenyWrites = (() => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), "dstack-probe-"));
  fs.chmodSync(d, 0o500);
  try {
    fs.writeFileSync(path.join(d, "probe"), "");
    return false;
  } catch {
    return true;
  } finally {
    fs.chmodSync(d, 0o700);
    fs.rmSync(d, { recursive: true, force: true });
  }
})();

describe("LocalStore.home", () => {
  const home = os.homedir();
  const cases = [
    { name: "DSTACK_HOME unset: ~/.dstack", env: {}, want: path.join(home, ".dstack") },
    {
      name: "DSTACK_HOME empty: ~/.dstack",
      env: { DSTACK_HOME: "" },
      want: path.join(home, ".dstack"),
    },
    { name: "an absolute DSTACK_HOME", env: { DSTACK_HOME: "/srv/dstack" }, want: "/srv/dstack" },
    { name: "a leading ~/ is expanded", env: { DSTACK_HOME: "~/d" }, want: path.join(home, "d") },
    { name: "a relative one is resolved", env: { DSTACK_HOME: "rel" }, want: path.resolve("rel") },
  ];
  it.each(cases)("$name", ({ env, want }) => {
    expect(LocalStore.home(env)).toBe(want);
    expect(LocalStore.fromEnv(env).home).toBe(want);
  });
});

describe("runs", () => {
  it("createRun claims a folder and writes run.json with status submitted", async () => {
    const { home, repo, store } = setup();
    const run = await store.createRun({
      workflow: "train",
      job: makeJob(),
      repoDir: repo,
      random: wordsRandom("sharp", "shrimp"),
    });
    expect(run).toMatchObject({
      runName: "sharp-shrimp-1",
      workflow: "train",
      status: "submitted",
      repoDir: repo,
      artifacts: [],
      hostname: os.hostname(),
    });
    expect(Date.parse(run.submittedAt)).not.toBeNaN();
    expect(store.runDir(run.runName)).toBe(path.join(home, "runs", "sharp-shrimp-1"));
    expect(store.logPath(run.runName)).toBe(path.join(home, "runs/sharp-shrimp-1/logs.txt"));
    const onDisk = JSON.parse(
      fs.readFileSync(path.join(home, "runs/sharp-shrimp-1/run.json"), "utf8"),
    );
    expect(onDisk).toEqual(run);
    expect(await store.getRun("sharp-shrimp-1")).toEqual(run);
    expect(leftovers(home)).toEqual([]);
  });

  it("the same words give the next free number", async () => {
    const { repo, store } = setup();
    const names: string[] = [];
    for (let i = 0; i < 3; i++) {
      const random = wordsRandom("sharp", "shrimp");
      names.push(
        (await store.createRun({ workflow: null, job: null, repoDir: repo, random })).runName,
      );
    }
    expect(names).toEqual(["sharp-shrimp-1", "sharp-shrimp-2", "sharp-shrimp-3"]);
  });

  it("createRun with a given run name claims exactly it, once, and refuses a bad one", async () => {
    const { repo, store } = setup();
    const run = await store.createRun({
      workflow: "train",
      job: makeJob(),
      repoDir: repo,
      runName: "brave-otter-4242",
    });
    expect(run.runName).toBe("brave-otter-4242");
    expect((await store.getRun("brave-otter-4242")).status).toBe("submitted");
    await expect(
      store.createRun({ workflow: null, job: null, repoDir: repo, runName: "brave-otter-4242" }),
    ).rejects.toThrow(/run brave-otter-4242 exists already/);
    await expect(
      store.createRun({ workflow: null, job: null, repoDir: repo, runName: "../escape" }),
    ).rejects.toThrow(/run "\.\.\/escape" is not a valid run name/);
  });

  it("8 concurrent createRun calls get 8 distinct names", async () => {
    const { repo, store } = setup();
    const runs = await Promise.all(
      Array.from({ length: 8 }, () =>
        // Two stores on one home, as two processes would be.
        new LocalStore({ home: store.home }).createRun({
          workflow: "train",
          job: makeJob(),
          repoDir: repo,
          random: wordsRandom("brave", "otter"),
        }),
      ),
    );
    const names = runs
      .map((r) => r.runName)
      .sort((a, b) => a.localeCompare(b, "en", { numeric: true }));
    expect(names).toEqual(Array.from({ length: 8 }, (_, i) => `brave-otter-${i + 1}`));
    expect((await store.listRuns()).length).toBe(8);
  });

  it("updateRun patches fields, removes those given as undefined, keeps the name", async () => {
    const { repo, store } = setup();
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    await store.updateRun(run.runName, {
      status: "running",
      pid: 1234,
      startedAt: "2024-01-01T00:00:00.000Z",
    });
    const done = await store.updateRun(run.runName, {
      status: "done",
      exitCode: 0,
      pid: undefined,
      runName: "other",
    } as Partial<RunRecord>);
    expect(done).toMatchObject({ runName: run.runName, status: "done", exitCode: 0 });
    expect(done).not.toHaveProperty("pid");
    expect(await store.getRun(run.runName)).toEqual(done);
  });

  it("concurrent updates of one run lose nothing", async () => {
    const { repo, store } = setup();
    writeTree(
      repo,
      Object.fromEntries(Array.from({ length: 6 }, (_, i) => [`d${i}/f.txt`, `${i}`])),
    );
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    await Promise.all([
      ...Array.from({ length: 6 }, (_, i) =>
        store.addArtifact(run.runName, {
          localPath: path.join(repo, `d${i}`),
          artifactPath: `d${i}`,
        }),
      ),
      store.updateRun(run.runName, { status: "running" }),
    ]);
    const after = await store.getRun(run.runName);
    expect(after.status).toBe("running");
    expect(after.artifacts.map((a) => a.path)).toEqual(["d0", "d1", "d2", "d3", "d4", "d5"]);
  });

  it("listRuns is newest first", async () => {
    const { repo, store } = setup();
    const times = [
      "2024-01-02T00:00:00.000Z",
      "2024-01-03T00:00:00.000Z",
      "2024-01-01T00:00:00.000Z",
    ];
    const names: string[] = [];
    for (const t of times) {
      const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
      await store.updateRun(run.runName, { submittedAt: t });
      names.push(run.runName);
    }
    expect((await store.listRuns()).map((r) => r.runName)).toEqual([names[1], names[0], names[2]]);
    expect(await new LocalStore({ home: path.join(tmp, "empty") }).listRuns()).toEqual([]);
  });

  const unknown = [
    {
      name: "a typo: did you mean",
      given: "sharp-shrmp-1",
      message:
        /^no run "sharp-shrmp-1"; did you mean "sharp-shrimp-1"\? \(recent runs: sharp-shrimp-1\)$/,
    },
    {
      name: "nothing close: recent runs only",
      given: "zzz",
      message: /^no run "zzz" \(recent runs: sharp-shrimp-1\)$/,
    },
    { name: "a name that cannot be a run", given: "../etc", message: /^no run "\.\.\/etc"/ },
  ];
  it.each(unknown)("getRun of an unknown run: $name", async ({ given, message }) => {
    const { repo, store } = setup();
    await store.createRun({
      workflow: null,
      job: null,
      repoDir: repo,
      random: wordsRandom("sharp", "shrimp"),
    });
    await expectStoreError(store.getRun(given), "not-found", message);
  });

  it("getRun with no runs at all says so", async () => {
    const { store } = setup();
    await expectStoreError(
      store.getRun("sharp-shrimp-1"),
      "not-found",
      /there are no runs in .* yet/,
    );
  });

  it("runDir refuses names that are not a folder name", () => {
    const { store } = setup();
    for (const bad of ["../x", "a/b", "", ".hidden"]) {
      expect(() => store.runDir(bad)).toThrow(StoreError);
    }
  });
});

describe("saveArtifacts", () => {
  interface SaveCase {
    name: string;
    files: Record<string, string>;
    links: Record<string, string>;
    paths: string[];
    saved: { path: string; files: number; bytes: number }[];
    missing: string[];
    stored: Record<string, string>;
  }
  const cases: SaveCase[] = [
    {
      name: "a folder, nested",
      files: { "model/a.bin": "aaa", "model/sub/b.txt": "bb" },
      links: {},
      paths: ["model"],
      saved: [{ path: "model", files: 2, bytes: 5 }],
      missing: [],
      stored: { "model/a.bin": "aaa", "model/sub/b.txt": "bb" },
    },
    {
      name: "a single file",
      files: { "out/weights.pt": "w" },
      links: {},
      paths: ["out/weights.pt"],
      saved: [{ path: "out/weights.pt", files: 1, bytes: 1 }],
      missing: [],
      stored: { "out/weights.pt": "w" },
    },
    {
      name: "a missing path is reported and the others saved",
      files: { "model/a": "1" },
      links: {},
      paths: ["model", "checkpoints"],
      saved: [{ path: "model", files: 1, bytes: 1 }],
      missing: ["checkpoints"],
      stored: { "model/a": "1" },
    },
    {
      name: "paths are normalized",
      files: { "model/a": "1" },
      links: {},
      paths: ["./model/"],
      saved: [{ path: "model", files: 1, bytes: 1 }],
      missing: [],
      stored: { "model/a": "1" },
    },
    {
      name: "links inside the folder are kept as relative links",
      files: { "model/ckpt/3.pt": "333" },
      links: { "model/latest.pt": "ckpt/3.pt", "model/ckpt/again": "../ckpt" },
      paths: ["model"],
      saved: [{ path: "model", files: 3, bytes: 3 }],
      missing: [],
      stored: {
        "model/ckpt/3.pt": "333",
        "model/ckpt/again": "-> .",
        "model/latest.pt": "-> ckpt/3.pt",
      },
    },
    {
      name: "an empty folder",
      files: {},
      links: {},
      paths: ["empty"],
      saved: [{ path: "empty", files: 0, bytes: 0 }],
      missing: [],
      stored: { empty: "/" },
    },
  ];
  it.each(cases)("$name", async ({ files, links, paths, saved, missing, stored }) => {
    const { home, repo, store } = setup();
    writeTree(repo, files, links);
    if (paths.includes("empty")) fs.mkdirSync(path.join(repo, "empty"));
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    expect(await store.saveArtifacts(run.runName, { repoDir: repo, paths })).toEqual({
      saved,
      missing,
      refused: [],
    });
    expect(readTree(store.artifactsDir(run.runName))).toEqual(stored);
    expect((await store.getRun(run.runName)).artifacts).toEqual(saved);
    expect(leftovers(home)).toEqual([]);
  });

  const refused: {
    name: string;
    links: Record<string, string>;
    paths: string[];
    message: RegExp;
  }[] = [
    {
      name: "../x leaves the repository",
      links: {},
      paths: ["../x"],
      message: /^artifact path: "\.\.\/x" leaves the repository/,
    },
    {
      name: "an absolute path",
      links: {},
      paths: ["/etc"],
      message: /^artifact path: "\/etc" is absolute/,
    },
    { name: "the whole repository", links: {}, paths: ["."], message: /names no folder/ },
  ];
  it.each(refused)("refuses $name, saving nothing", async ({ links, paths, message }) => {
    const { home, repo, store } = setup();
    writeTree(repo, { "model/a": "1", "ok/a": "2" }, links);
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    await expectStoreError(
      store.saveArtifacts(run.runName, { repoDir: repo, paths }),
      "invalid",
      message,
    );
    expect((await store.getRun(run.runName)).artifacts).toEqual([]);
    expect(readTree(store.artifactsDir(run.runName))).toEqual({});
    expect(leftovers(home)).toEqual([]);
  });

  // One policy for links: kept inside the artifact folder, followed elsewhere in the repository,
  // left out (every one named, the rest saved) when they lead out of the repository.
  const linkCases: {
    name: string;
    files: Record<string, string>;
    links: Record<string, string>;
    paths: string[];
    stored: Record<string, string>;
    refused: string[];
  }[] = [
    {
      name: "links out of the repository are left out, all named, the rest saved",
      files: { "model/a": "1", "ok/a": "2" },
      links: {
        "model/passwd": "/etc/passwd",
        "model/deep/far": "../../../outside",
        "ok/hosts": "/etc/hosts",
      },
      paths: ["ok", "model"],
      stored: { "model/a": "1", "model/deep": "/", "ok/a": "2" },
      refused: [
        "ok/hosts -> /etc/hosts",
        "model/deep/far -> ../../../outside (points nowhere)",
        "model/passwd -> /etc/passwd",
      ],
    },
    {
      name: "a link to elsewhere in the repository is followed and copied",
      files: { "model/a": "1", "data/x.csv": "xx", "data/sub/y": "y" },
      links: { "model/up": "../data/x.csv", "model/data": "../data" },
      paths: ["model"],
      stored: {
        "model/a": "1",
        "model/data/sub/y": "y",
        "model/data/x.csv": "xx",
        "model/up": "xx",
      },
      refused: [],
    },
    {
      name: "a link below a followed folder that leaves the repository is left out",
      files: { "model/a": "1", "data/x.csv": "xx" },
      links: { "model/data": "../data", "data/secret": "/etc/hostname" },
      paths: ["model"],
      stored: { "model/a": "1", "model/data/x.csv": "xx" },
      refused: ["model/data/secret -> /etc/hostname"],
    },
    {
      name: "a loop through the repository is left out",
      files: { "model/a": "1" },
      links: { "model/again": "../model" },
      paths: ["model"],
      stored: { "model/a": "1", "model/again": "-> ." },
      refused: [],
    },
  ];
  it.each(linkCases)("$name", async ({ files, links, paths, stored, refused }) => {
    const { home, repo, store } = setup();
    writeTree(repo, files, links);
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    const r = await store.saveArtifacts(run.runName, { repoDir: repo, paths });
    expect(r.refused.sort()).toEqual([...refused].sort());
    expect(readTree(store.artifactsDir(run.runName))).toEqual(stored);
    expect(leftovers(home)).toEqual([]);
  });

  it("an artifact path that is itself a link out of the repository is left out, not followed", async () => {
    const { repo, store } = setup();
    writeTree(path.join(tmp, "big-disk"), { "ckpt/1.pt": "1" });
    writeTree(repo, { "model/a": "1" });
    fs.symlinkSync(path.join(tmp, "big-disk/ckpt"), path.join(repo, "ckpt"));
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    const r = await store.saveArtifacts(run.runName, { repoDir: repo, paths: ["ckpt", "model"] });
    expect(r.refused).toEqual([`ckpt -> ${fs.realpathSync(path.join(tmp, "big-disk/ckpt"))}`]);
    expect(readTree(store.artifactsDir(run.runName))).toEqual({ "model/a": "1" });
  });

  it("addArtifact refuses a folder with links out of it, naming every one in one message", async () => {
    const { repo, store } = setup();
    writeTree(repo, { "up/a": "1" }, { "up/p": "/etc/passwd", "up/q": "../elsewhere" });
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    await expectStoreError(
      store.addArtifact(run.runName, { localPath: path.join(repo, "up"), artifactPath: "up" }),
      "invalid",
      /^up: 2 symbolic links lead outside "up": up\/p -> \/etc\/passwd, up\/q -> \.\.\/elsewhere; only links/,
    );
  });

  it("re-saving a path replaces the earlier copy", async () => {
    const { home, repo, store } = setup();
    writeTree(repo, { "model/old.bin": "old", "model/keep.txt": "v1" });
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    await store.saveArtifacts(run.runName, { repoDir: repo, paths: ["model"] });
    fs.rmSync(path.join(repo, "model/old.bin"));
    writeTree(repo, { "model/keep.txt": "v2", "model/new.bin": "new" });
    const r = await store.saveArtifacts(run.runName, { repoDir: repo, paths: ["model"] });
    expect(r.saved).toEqual([{ path: "model", files: 2, bytes: 5 }]);
    expect(readTree(store.artifactsDir(run.runName))).toEqual({
      "model/keep.txt": "v2",
      "model/new.bin": "new",
    });
    expect((await store.getRun(run.runName)).artifacts).toEqual([
      { path: "model", files: 2, bytes: 5 },
    ]);
    expect(leftovers(home)).toEqual([]);
  });

  it("entries never nest: a path inside an entry updates it, a path above entries replaces them", async () => {
    const { repo, store } = setup();
    writeTree(repo, { "output/a/1": "1", "output/b/2": "22", "extra/3": "333" });
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    await store.saveArtifacts(run.runName, { repoDir: repo, paths: ["output/a", "output/b"] });
    expect((await store.getRun(run.runName)).artifacts.map((a) => a.path)).toEqual([
      "output/a",
      "output/b",
    ]);
    await store.saveArtifacts(run.runName, { repoDir: repo, paths: ["output"] });
    expect((await store.getRun(run.runName)).artifacts).toEqual([
      { path: "output", files: 2, bytes: 3 },
    ]);
    const entry = await store.addArtifact(run.runName, {
      localPath: path.join(repo, "extra"),
      artifactPath: "output/extra",
    });
    expect(entry).toEqual({ path: "output/extra", files: 1, bytes: 3 });
    expect((await store.getRun(run.runName)).artifacts).toEqual([
      { path: "output", files: 3, bytes: 6 },
    ]);
  });

  it("refuses to save below a file artifact", async () => {
    const { repo, store } = setup();
    writeTree(repo, { "a.txt": "a", "dir/x": "x" });
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    await store.saveArtifacts(run.runName, { repoDir: repo, paths: ["a.txt"] });
    await expectStoreError(
      store.addArtifact(run.runName, {
        localPath: path.join(repo, "dir"),
        artifactPath: "a.txt/dir",
      }),
      "invalid",
      /lies inside "a\.txt", which is a file/,
    );
  });

  it("addArtifact refuses a relative or missing local path", async () => {
    const { repo, store } = setup();
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    await expectStoreError(
      store.addArtifact(run.runName, { localPath: "rel", artifactPath: "x" }),
      "invalid",
      /must be absolute/,
    );
    await expectStoreError(
      store.addArtifact(run.runName, { localPath: path.join(repo, "nope"), artifactPath: "x" }),
      "not-found",
      /nope does not exist/,
    );
  });

  it("an unknown run is not-found", async () => {
    const { repo, store } = setup();
    await expectStoreError(
      store.saveArtifacts("sharp-shrimp-9", { repoDir: repo, paths: ["x"] }),
      "not-found",
    );
  });
});

describe("listArtifacts and downloadArtifacts", () => {
  /** A run holding `output/` (with a link) and `notes.txt`, tagged `my_tag`. */
  async function seeded() {
    const ctx = setup();
    writeTree(
      ctx.repo,
      {
        "output/my_model/weights.bin": "WEIGHTS",
        "output/my_model/config.json": "{}",
        "output/logs/train.log": "log",
        "output/ckpt/3.pt": "333",
        "notes.txt": "notes",
      },
      { "output/my_model/best.pt": "../ckpt/3.pt", "output/my_model/self.json": "config.json" },
    );
    const run = await ctx.store.createRun({ workflow: "train", job: makeJob(), repoDir: ctx.repo });
    await ctx.store.saveArtifacts(run.runName, {
      repoDir: ctx.repo,
      paths: ["output", "notes.txt"],
    });
    await ctx.store.setTag("my_tag", run.runName);
    return { ...ctx, run };
  }

  it("listArtifacts lists every file with its size, links with their targets", async () => {
    const { store, run } = await seeded();
    const want = [
      { path: "notes.txt", bytes: 5 },
      { path: "output/ckpt/3.pt", bytes: 3 },
      { path: "output/logs/train.log", bytes: 3 },
      { path: "output/my_model/best.pt", bytes: 0, link: "../ckpt/3.pt" },
      { path: "output/my_model/config.json", bytes: 2 },
      { path: "output/my_model/self.json", bytes: 0, link: "config.json" },
      { path: "output/my_model/weights.bin", bytes: 7 },
    ];
    expect(await store.listArtifacts({ run: run.runName })).toEqual(want);
    expect(await store.listArtifacts({ tag: "my_tag" })).toEqual(want);
  });

  const cases = [
    {
      name: "everything (artifactPath omitted)",
      artifactPath: undefined,
      want: {
        "notes.txt": "notes",
        "output/ckpt/3.pt": "333",
        "output/logs/train.log": "log",
        "output/my_model/best.pt": "-> ../ckpt/3.pt",
        "output/my_model/config.json": "{}",
        "output/my_model/self.json": "-> config.json",
        "output/my_model/weights.bin": "WEIGHTS",
      },
    },
    {
      name: "a folder's files land directly in localPath; a link leaving it is copied as a file",
      artifactPath: "output/my_model",
      want: {
        "best.pt": "333",
        "config.json": "{}",
        "self.json": "-> config.json",
        "weights.bin": "WEIGHTS",
      },
    },
    {
      name: "a normalized path",
      artifactPath: "./output/logs/",
      want: { "train.log": "log" },
    },
    {
      name: "a folder above folders",
      artifactPath: "output",
      want: {
        "ckpt/3.pt": "333",
        "logs/train.log": "log",
        "my_model/best.pt": "-> ../ckpt/3.pt",
        "my_model/config.json": "{}",
        "my_model/self.json": "-> config.json",
        "my_model/weights.bin": "WEIGHTS",
      },
    },
    { name: "a single file artifact", artifactPath: "notes.txt", want: { "notes.txt": "notes" } },
    {
      name: "a single file inside a folder artifact",
      artifactPath: "output/my_model/weights.bin",
      want: { "weights.bin": "WEIGHTS" },
    },
  ];
  it.each(cases)("download $name", async ({ artifactPath, want }) => {
    const { store, run } = await seeded();
    const localPath = path.join(tmp, "work", "my_model");
    const r = await store.downloadArtifacts({ tag: "my_tag" }, { artifactPath, localPath });
    expect(readTree(localPath)).toEqual(want);
    expect(r.runName).toBe(run.runName);
    expect(r.localPath).toBe(localPath);
    expect(r.files).toBe(Object.keys(want).length);
    expect(leftovers(path.join(tmp, "work"))).toEqual([]);
  });

  const refused = [
    {
      name: "an unknown artifact path lists the ones there are",
      artifactPath: "output/my_modl",
      localPath: "dl",
      code: "not-found" as const,
      message:
        /^run [a-z-]+-\d+ has no artifact "output\/my_modl"; its artifact paths are: notes\.txt, output$/,
    },
    {
      name: "../x",
      artifactPath: "../x",
      localPath: "dl",
      code: "invalid" as const,
      message: /leaves the repository/,
    },
    {
      name: "an absolute artifact path",
      artifactPath: "/etc",
      localPath: "dl",
      code: "invalid" as const,
      message: /is absolute/,
    },
    {
      name: "a relative localPath",
      artifactPath: "",
      localPath: null,
      code: "invalid" as const,
      message: /must be absolute/,
    },
    {
      name: "a localPath that is a file",
      artifactPath: "",
      localPath: "file.txt",
      code: "invalid" as const,
      message: /is a file/,
    },
  ];
  it.each(refused)("download refuses $name", async ({ artifactPath, localPath, code, message }) => {
    const { store } = await seeded();
    fs.writeFileSync(path.join(tmp, "file.txt"), "x");
    const target = localPath === null ? "relative/dir" : path.join(tmp, localPath);
    await expectStoreError(
      store.downloadArtifacts({ tag: "my_tag" }, { artifactPath, localPath: target }),
      code,
      message,
    );
    expect(fs.existsSync(path.join(tmp, "dl"))).toBe(false);
  });

  it("downloading into an existing folder merges: same names replaced, others kept", async () => {
    const { store } = await seeded();
    const localPath = path.join(tmp, "existing");
    writeTree(localPath, { "weights.bin": "stale", "mine.txt": "mine", "sub/x": "x" });
    await store.downloadArtifacts(
      { tag: "my_tag" },
      { artifactPath: "output/my_model", localPath },
    );
    expect(readTree(localPath)).toEqual({
      "best.pt": "333",
      "config.json": "{}",
      "mine.txt": "mine",
      "self.json": "-> config.json",
      "sub/x": "x",
      "weights.bin": "WEIGHTS",
    });
    expect(leftovers(tmp)).toEqual([]);
  });

  it("a run with no artifacts downloads nothing; an artifact path there is not-found", async () => {
    const { repo, store } = setup();
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    const localPath = path.join(tmp, "dl");
    expect(await store.downloadArtifacts({ run: run.runName }, { localPath })).toMatchObject({
      files: 0,
      bytes: 0,
    });
    await expectStoreError(
      store.downloadArtifacts({ run: run.runName }, { artifactPath: "model", localPath }),
      "not-found",
      /it has no artifacts/,
    );
  });
});

describe("tags", () => {
  it("set, move (returning the previous run), get, list, delete", async () => {
    const { home, repo, store } = setup();
    const a = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    const b = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    expect(await store.setTag("dataset-v2", a.runName)).toEqual({});
    const first = await store.getTag("dataset-v2");
    expect(first).toMatchObject({ tag: "dataset-v2", runName: a.runName });
    expect(JSON.parse(fs.readFileSync(path.join(home, "tags/dataset-v2.json"), "utf8"))).toEqual(
      first,
    );
    expect(await store.setTag("dataset-v2", a.runName)).toEqual({});
    expect((await store.getTag("dataset-v2")).createdAt).toBe(first.createdAt);
    expect(await store.setTag("dataset-v2", b.runName)).toEqual({ previous: a.runName });
    expect((await store.resolveRef({ tag: "dataset-v2" })).runName).toBe(b.runName);
    await store.setTag("a.first", a.runName);
    expect((await store.listTags()).map((t) => [t.tag, t.runName])).toEqual([
      ["a.first", a.runName],
      ["dataset-v2", b.runName],
    ]);
    expect(await store.deleteTag("dataset-v2")).toMatchObject({
      tag: "dataset-v2",
      runName: b.runName,
    });
    expect((await store.listTags()).map((t) => t.tag)).toEqual(["a.first"]);
    await store.getRun(b.runName); // the run stays
    expect(leftovers(home)).toEqual([]);
  });

  const unknown = [
    {
      name: "a typo: did you mean",
      given: "dataset-v3",
      message: /^no tag "dataset-v3"; did you mean "dataset-v2"\? \(tags: dataset-v2, my_tag\)$/,
    },
    { name: "nothing close", given: "zzz", message: /^no tag "zzz" \(tags: dataset-v2, my_tag\)$/ },
    { name: "a name that cannot be a tag", given: "../x", message: /^no tag "\.\.\/x"/ },
  ];
  it.each(unknown)("getTag of an unknown tag: $name", async ({ given, message }) => {
    const { repo, store } = setup();
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    await store.setTag("dataset-v2", run.runName);
    await store.setTag("my_tag", run.runName);
    await expectStoreError(store.getTag(given), "not-found", message);
    await expectStoreError(store.resolveRef({ tag: given }), "not-found", message);
    await expectStoreError(store.deleteTag(given), "not-found", message);
  });

  const badNames = ["../x", "a/b", "has space", "-leading", ".hidden", ""];
  it.each(badNames)("setTag refuses the tag name %j", async (tag) => {
    const { repo, store } = setup();
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    await expectStoreError(store.setTag(tag, run.runName), "invalid", /is not a valid tag name/);
  });

  it("setTag to an unknown run is not-found; a tag whose run is gone says so", async () => {
    const { repo, store } = setup();
    await expectStoreError(store.setTag("t", "sharp-shrimp-1"), "not-found");
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    await store.setTag("t", run.runName);
    fs.rmSync(store.runDir(run.runName), { recursive: true });
    await expectStoreError(
      store.resolveRef({ tag: "t" }),
      "not-found",
      /points at run .*, which no longer exists/,
    );
  });
});

describe("latestSuccessfulRun", () => {
  it("is the workflow's done run with the newest finishedAt", async () => {
    const { repo, store } = setup();
    const make = async (workflow: string, status: RunRecord["status"], finishedAt: string) => {
      const run = await store.createRun({ workflow, job: makeJob(workflow), repoDir: repo });
      await store.updateRun(run.runName, { status, finishedAt });
      return run.runName;
    };
    await make("train", "done", "2024-01-01T00:00:00.000Z");
    const newest = await make("train", "done", "2024-01-03T00:00:00.000Z");
    await make("train", "done", "2024-01-02T00:00:00.000Z");
    await make("train", "failed", "2024-01-04T00:00:00.000Z");
    await make("prepare", "done", "2024-01-05T00:00:00.000Z");
    expect((await store.latestSuccessfulRun("train"))?.runName).toBe(newest);
    expect(await store.latestSuccessfulRun("evaluate")).toBeUndefined();
  });
});

describe("the index of active runs (active-runs/) and listActiveRuns", () => {
  const indexed = (home: string) => fs.readdirSync(path.join(home, "active-runs")).sort();

  const finals: RunRecord["status"][] = ["done", "failed", "stopped"];
  it.each(finals)("a run is indexed from createRun until it is %s", async (status) => {
    const { home, repo, store } = setup();
    const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    expect(indexed(home)).toEqual([run.runName]);
    await store.updateRun(run.runName, { status: "running" });
    await store.updateRun(run.runName, { status: "uploading" });
    expect((await store.listActiveRuns()).map((r) => r.status)).toEqual(["uploading"]);
    await store.updateRun(run.runName, { status, finishedAt: new Date().toISOString() });
    expect(indexed(home)).toEqual([]);
    expect(await store.listActiveRuns()).toEqual([]);
    expect((await store.listRuns()).map((r) => r.runName)).toEqual([run.runName]);
  });

  it("lists the runs not final among a hundred finished ones, newest first", async () => {
    const { home, repo, store } = setup();
    for (let i = 0; i < 100; i++) {
      const run = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
      await store.updateRun(run.runName, { status: "done" });
    }
    const older = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    await store.updateRun(older.runName, { submittedAt: "2024-01-01T00:00:00.000Z" });
    const newer = await store.createRun({ workflow: "train", job: makeJob(), repoDir: repo });
    expect((await store.listActiveRuns()).map((r) => r.runName)).toEqual([
      newer.runName,
      older.runName,
    ]);
    expect(indexed(home)).toEqual([older.runName, newer.runName].sort());
  });

  it("deleteRun removes the run's entry", async () => {
    const { home, repo, store } = setup();
    const run = await store.createRun({ workflow: null, job: null, repoDir: repo });
    await store.deleteRun(run.runName);
    expect(indexed(home)).toEqual([]);
  });

  it("a store made before the index: every run.json is read until createRun builds the index", async () => {
    const { home, repo, store } = setup();
    const active = await store.createRun({ workflow: null, job: null, repoDir: repo });
    const finished = await store.createRun({ workflow: null, job: null, repoDir: repo });
    await store.updateRun(finished.runName, { status: "failed" });
    fs.rmSync(path.join(home, "active-runs"), { recursive: true });

    expect((await store.listActiveRuns()).map((r) => r.runName)).toEqual([active.runName]);
    // Eight at once, each building the index or finding one built: none is lost.
    const made = await Promise.all(
      Array.from({ length: 8 }, () =>
        store.createRun({ workflow: null, job: null, repoDir: repo }),
      ),
    );
    expect(indexed(home)).toEqual([active.runName, ...made.map((r) => r.runName)].sort());
    expect(await store.listActiveRuns()).toHaveLength(9);
    expect(leftovers(home)).toEqual([]);
  });

  it("removes entries of final and gone runs, keeps the entry of a run being created", async () => {
    const { home, repo, store } = setup();
    const final = await store.createRun({ workflow: null, job: null, repoDir: repo });
    await store.updateRun(final.runName, { status: "done" });
    // As a crash between writing run.json and removing the entry leaves them.
    fs.writeFileSync(path.join(home, "active-runs", final.runName), "");
    fs.writeFileSync(path.join(home, "active-runs", "gone-gnu-1"), "");
    // A run whose folder is claimed and whose run.json is not written yet.
    fs.mkdirSync(path.join(home, "runs", "new-newt-1"));
    fs.writeFileSync(path.join(home, "active-runs", "new-newt-1"), "");

    expect(await store.listActiveRuns()).toEqual([]);
    expect(indexed(home)).toEqual(["new-newt-1"]);
  });
});

describe("an unwritable DSTACK_HOME", () => {
  it("under a file: io, naming the folder and the errno", async () => {
    fs.writeFileSync(path.join(tmp, "file"), "");
    const home = path.join(tmp, "file", "dstack");
    const store = new LocalStore({ home });
    const e = await expectStoreError(
      store.createRun({ workflow: null, job: null, repoDir: tmp }),
      "io",
    );
    expect(e.message).toContain(home);
    expect(e.message).toMatch(/ENOTDIR/);
  });

  it.skipIf(!canDenyWrites)("chmod 0500: io, naming the folder and the errno", async () => {
    const home = path.join(tmp, "ro");
    fs.mkdirSync(home, { mode: 0o500 });
    try {
      const store = new LocalStore({ home });
      const e = await expectStoreError(
        store.createRun({ workflow: null, job: null, repoDir: tmp }),
        "io",
      );
      expect(e.message).toContain(home);
      expect(e.message).toMatch(/EACCES/);
    } finally {
      fs.chmodSync(home, 0o700);
    }
  });
});
