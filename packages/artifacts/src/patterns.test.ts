/**
 * upload-artifact's `path` language (`findUploadFiles`) and the layout it uploads
 * (`stageUploadGroups`), against real folders: globs, `!` exclusions, hidden files, the root
 * (least common ancestor of the search paths), `artifactPath`, links, and refusals.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { readTree, writeTree } from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreError } from "./errors.js";
import {
  type FindUploadFilesOptions,
  type FoundUploadFiles,
  findUploadFiles,
  MAX_SPLIT_ARTIFACTS,
} from "./patterns.js";
import { stageUploadGroups } from "./staging.js";

let tmp = "";
/** The workspace most cases match in. */
let ws = "";

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dstack-patterns-"));
  ws = path.join(tmp, "ws");
  writeTree(ws, {
    "checkpoints/a.safetensors": "A",
    "checkpoints/b.safetensors": "B",
    "checkpoints/notes.txt": "notes",
    "checkpoints/.tmp.safetensors": "partial",
    "logs/run1/metrics.json": "{1}",
    "logs/run1/debug-1.json": "{d1}",
    "logs/run2/deep/metrics.json": "{2}",
    "logs/run2/debug-2.json": "{d2}",
    "logs/.cache/x.json": "{x}",
    "logs/train.log": "loss",
    "model.pt": "weights",
    ".env": "TOKEN=1",
  });
  fs.mkdirSync(path.join(ws, "empty"));
});

afterAll(() => {
  if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
});

/** The result as plain data: root, artifact path -> sorted file paths, per-line counts. */
function shape(r: FoundUploadFiles) {
  return {
    root: r.rootRel,
    groups: Object.fromEntries(
      r.groups.map((g) => [g.artifactPath, g.files.map((f) => f.rel).sort()]),
    ),
    counts: r.patterns.map((p) => p.files),
  };
}

/** Expects `findUploadFiles` to reject with a one-line StoreError `invalid` matching `message`. */
async function refused(options: FindUploadFilesOptions, message: RegExp): Promise<void> {
  const e = await findUploadFiles(options).then(
    () => undefined,
    (err: unknown) => err,
  );
  expect(e).toBeInstanceOf(StoreError);
  expect((e as StoreError).code).toBe("invalid");
  expect((e as StoreError).message).toMatch(message);
  expect((e as StoreError).message).not.toContain("\n");
}

describe("which files, and where they go", () => {
  const cases: {
    name: string;
    patterns: (ws: string) => string[];
    options?: Partial<FindUploadFilesOptions>;
    want: ReturnType<typeof shape>;
  }[] = [
    {
      name: "a glob in one folder: that folder is the root, hidden files are left out",
      patterns: () => ["checkpoints/*.safetensors"],
      want: {
        root: "checkpoints",
        groups: { checkpoints: ["a.safetensors", "b.safetensors"] },
        counts: [2],
      },
    },
    {
      name: "include-hidden-files selects hidden files too",
      patterns: () => ["checkpoints/*.safetensors"],
      options: { includeHiddenFiles: true },
      want: {
        root: "checkpoints",
        groups: { checkpoints: [".tmp.safetensors", "a.safetensors", "b.safetensors"] },
        counts: [3],
      },
    },
    {
      name: "an exclusion after a glob removes what it matches",
      patterns: () => ["logs/**/*.json", "!logs/**/debug-*.json"],
      want: {
        root: "logs",
        groups: { logs: ["run1/metrics.json", "run2/deep/metrics.json"] },
        counts: [2],
      },
    },
    {
      name: "patterns in two top-level folders: the workspace is the root, one artifact path each",
      patterns: () => ["checkpoints/*.safetensors", "logs/**/*.json", "!logs/**/debug-*.json"],
      want: {
        root: "",
        groups: {
          checkpoints: ["a.safetensors", "b.safetensors"],
          logs: ["run1/metrics.json", "run2/deep/metrics.json"],
        },
        counts: [2, 2],
      },
    },
    {
      name: "two search paths below one folder: their least common ancestor is the root",
      patterns: () => ["logs/run1/*.json", "logs/run2/**"],
      want: {
        root: "logs",
        groups: {
          logs: [
            "run1/debug-1.json",
            "run1/metrics.json",
            "run2/debug-2.json",
            "run2/deep/metrics.json",
          ],
        },
        counts: [2, 2],
      },
    },
    {
      name: "artifact-path says where the root goes",
      patterns: () => ["logs/**/*.json", "!logs/**/debug-*.json"],
      options: { artifactPath: "metrics" },
      want: {
        root: "logs",
        groups: { metrics: ["run1/metrics.json", "run2/deep/metrics.json"] },
        counts: [2],
      },
    },
    {
      name: "artifact-path keeps the workspace-level layout of several folders under one path",
      patterns: () => ["checkpoints/a.safetensors", "logs/train.log"],
      options: { artifactPath: "bundle" },
      want: {
        root: "",
        groups: { bundle: ["checkpoints/a.safetensors", "logs/train.log"] },
        counts: [1, 1],
      },
    },
    {
      name: "a single literal file: its folder is the root",
      patterns: () => ["logs/train.log"],
      want: { root: "logs", groups: { logs: ["train.log"] }, counts: [1] },
    },
    {
      name: "a literal folder is the root, everything below it is selected",
      patterns: () => ["checkpoints"],
      want: {
        root: "checkpoints",
        groups: { checkpoints: ["a.safetensors", "b.safetensors", "notes.txt"] },
        counts: [3],
      },
    },
    {
      name: "a file at the top of the workspace goes under its own name",
      patterns: () => ["model.pt"],
      want: { root: "", groups: { "model.pt": ["model.pt"] }, counts: [1] },
    },
    {
      name: "a later line selects again what an exclusion removed",
      patterns: () => ["logs/**", "!logs/run1/**", "logs/run1/metrics.json"],
      want: {
        root: "logs",
        groups: {
          logs: ["run1/metrics.json", "run2/debug-2.json", "run2/deep/metrics.json", "train.log"],
        },
        counts: [3, 1],
      },
    },
    {
      name: "absolute patterns inside the workspace, ./ and comment lines",
      patterns: (w) => ["# the weights", `${w}/checkpoints/a.*`, "", "./checkpoints/b.safetensors"],
      want: {
        root: "checkpoints",
        groups: { checkpoints: ["a.safetensors", "b.safetensors"] },
        counts: [1, 1],
      },
    },
    {
      name: "overlapping patterns select each file once and count for each line",
      patterns: () => ["checkpoints/*.safetensors", "checkpoints/a.*"],
      want: {
        root: "checkpoints",
        groups: { checkpoints: ["a.safetensors", "b.safetensors"] },
        counts: [2, 1],
      },
    },
    {
      name: "a folder pattern with a trailing slash selects everything below it",
      patterns: () => ["logs/run2/"],
      want: {
        root: "logs/run2",
        groups: { "logs/run2": ["debug-2.json", "deep/metrics.json"] },
        counts: [2],
      },
    },
  ];
  it.each(cases)("$name", async ({ patterns, options, want }) => {
    const r = await findUploadFiles({ patterns: patterns(ws), workspace: ws, ...options });
    expect(shape(r)).toEqual(want);
    expect(r.files).toBe(Object.values(want.groups).flat().length);
    expect(r.root).toBe(path.join(ws, want.root));
    for (const g of r.groups) {
      for (const f of g.files) {
        expect(f.source.startsWith(`${r.root}${path.sep}`)).toBe(true);
        expect(f.source.endsWith(`${path.sep}${f.rel}`)).toBe(true);
        expect(fs.statSync(f.source).isFile()).toBe(true);
      }
    }
  });
});

describe("a line that selects nothing is reported, naming it", () => {
  const cases: { name: string; patterns: string[]; problem: RegExp; include?: boolean }[] = [
    {
      name: "a path that does not exist",
      patterns: ["nowhere/**"],
      problem: /^"nowhere\/\*\*" matches no files: nowhere does not exist$/,
    },
    {
      name: "a glob that matches nothing in its folder",
      patterns: ["checkpoints/*.bin"],
      problem: /^"checkpoints\/\*\.bin" matches no files in checkpoints$/,
    },
    {
      name: "an empty folder",
      patterns: ["empty"],
      problem: /^"empty" matches no files in empty$/,
    },
    {
      name: "an exclusion that removes every match",
      patterns: ["logs/**/*.json", "!logs/**"],
      problem: /^"logs\/\*\*\/\*\.json" matches 4 files, but "!logs\/\*\*" excludes every one$/,
    },
    {
      name: "only hidden files, without include-hidden-files",
      patterns: ["logs/.cache/**"],
      problem:
        /^"logs\/\.cache\/\*\*" matches only hidden files \(1, e\.g\. logs\/\.cache\/x\.json\), which are left out; set include-hidden-files to true/,
    },
    {
      name: "a hidden file named explicitly is left out too (as upload-artifact)",
      patterns: [".env"],
      problem: /^"\.env" matches only hidden files \(1, e\.g\. \.env\)/,
    },
  ];
  it.each(cases)("$name", async ({ patterns, problem }) => {
    const r = await findUploadFiles({ patterns, workspace: ws });
    expect(r.files).toBe(0);
    expect(r.groups).toEqual([]);
    expect(r.patterns[0]?.files).toBe(0);
    expect(r.patterns[0]?.problem).toMatch(problem);
  });

  it("the other lines still select their files", async () => {
    const r = await findUploadFiles({
      patterns: ["checkpoints/*.safetensors", "nowhere"],
      workspace: ws,
    });
    expect(shape(r)).toEqual({
      root: "",
      groups: { checkpoints: ["a.safetensors", "b.safetensors"] },
      counts: [2, 0],
    });
    expect(r.patterns[1]?.problem).toMatch(/^"nowhere" matches no files: nowhere does not exist/);
  });
});

describe("refused, naming the line, before anything is selected", () => {
  const cases: {
    name: string;
    options: (ws: string) => FindUploadFilesOptions;
    message: RegExp;
  }[] = [
    {
      name: "a pattern climbing out of the workspace",
      options: (w) => ({ patterns: ["../**"], workspace: w }),
      message:
        /^"\.\.\/\*\*" reaches outside the workspace .*\/ws \(to .*\); patterns select files inside the workspace only/,
    },
    {
      name: "a deeper climb after a folder",
      options: (w) => ({ patterns: ["logs/../../ws-other/*"], workspace: w }),
      message: /^"logs\/\.\.\/\.\.\/ws-other\/\*" reaches outside the workspace/,
    },
    {
      name: "an absolute pattern elsewhere",
      options: (w) => ({ patterns: ["/etc/*"], workspace: w }),
      message: /^"\/etc\/\*" reaches outside the workspace/,
    },
    {
      name: "an exclusion climbing out",
      options: (w) => ({ patterns: ["logs/**", "!../other/**"], workspace: w }),
      message: /^"!\.\.\/other\/\*\*" reaches outside the workspace/,
    },
    {
      name: "a .. segment that stays inside",
      options: (w) => ({ patterns: ["logs/../checkpoints/*"], workspace: w }),
      message: /^"logs\/\.\.\/checkpoints\/\*" has a "\." or "\.\." segment/,
    },
    {
      name: "a .. after a glob",
      options: (w) => ({ patterns: ["*/../../x"], workspace: w }),
      message: /^"\*\/\.\.\/\.\.\/x" has a "\." or "\.\." segment/,
    },
    {
      name: "an exclusion of nothing",
      options: (w) => ({ patterns: ["logs/**", "!"], workspace: w }),
      message: /^"!" excludes nothing/,
    },
    {
      name: "only exclusions",
      options: (w) => ({ patterns: ["!logs/**"], workspace: w }),
      message: /^no pattern selects files \("!logs\/\*\*" only exclude\)/,
    },
    {
      name: "a bad artifact path",
      options: (w) => ({ patterns: ["logs/**"], workspace: w, artifactPath: "../up" }),
      message: /^artifact path: /,
    },
    {
      name: "more files than the limit",
      options: (w) => ({ patterns: ["logs/**"], workspace: w, maxFiles: 2 }),
      message: /^"logs\/\*\*": the patterns select more than 2 files, the most one upload takes/,
    },
  ];
  it.each(cases)("$name", async ({ options, message }) => {
    await refused(options(ws), message);
  });
});

describe("symbolic links", () => {
  let lws = "";
  let outside = "";
  beforeAll(() => {
    lws = path.join(tmp, "links-ws");
    outside = path.join(tmp, "outside");
    writeTree(outside, { "secret.txt": "s3cret", "dir/key": "k" });
    writeTree(
      lws,
      { "data/real.txt": "real" },
      {
        "data/inside.txt": "real.txt",
        "data/broken.txt": "missing.txt",
        "leak/secret.txt": path.join(outside, "secret.txt"),
        "leakdir/ext": path.join(outside, "dir"),
      },
    );
  });

  it("a link inside the workspace is uploaded as the file it points at; a broken one is left out", async () => {
    const r = await findUploadFiles({ patterns: ["data/**"], workspace: lws });
    expect(shape(r)).toEqual({
      root: "data",
      groups: { data: ["inside.txt", "real.txt"] },
      counts: [2],
    });
    const inside = r.groups[0]?.files.find((f) => f.rel === "inside.txt");
    expect(inside?.source).toBe(path.join(fs.realpathSync(lws), "data", "real.txt"));
  });

  it.each([
    { name: "a link to a file outside", pattern: "leak/**", rel: "leak/secret.txt" },
    { name: "a link to a folder outside", pattern: "leakdir/**", rel: "leakdir/ext/key" },
  ])("$name is refused, naming the pattern and the file", async ({ pattern, rel }) => {
    await refused(
      { patterns: [pattern], workspace: lws },
      new RegExp(
        `^"${pattern.replace(/\*/g, "\\*")}" matches ${rel}, which a symbolic link leads to .*/outside/.*, outside the workspace`,
      ),
    );
  });
});

describe("files at the top of the workspace", () => {
  let tws = "";
  beforeAll(() => {
    tws = path.join(tmp, "top-ws");
    writeTree(
      tws,
      Object.fromEntries(
        Array.from({ length: MAX_SPLIT_ARTIFACTS + 1 }, (_, i) => [`f${i}.txt`, String(i)]),
      ),
    );
  });

  it(`more than ${MAX_SPLIT_ARTIFACTS} top-level entries need an artifact path`, async () => {
    await refused(
      { patterns: ["*.txt"], workspace: tws },
      /^the files lie in 21 top-level entries of the workspace \(f0\.txt, .*\); set artifact-path to upload them as one/,
    );
  });

  it("with an artifact path they go together", async () => {
    const r = await findUploadFiles({ patterns: ["*.txt"], workspace: tws, artifactPath: "txt" });
    expect(r.groups.map((g) => [g.artifactPath, g.files.length])).toEqual([
      ["txt", MAX_SPLIT_ARTIFACTS + 1],
    ]);
  });
});

describe("stageUploadGroups", () => {
  it("lays out exactly the selected files per artifact path, hard-linked, and disposes", async () => {
    const found = await findUploadFiles({
      patterns: ["checkpoints/*.safetensors", "logs/**/*.json", "!logs/**/debug-*.json"],
      workspace: ws,
    });
    const staged = await stageUploadGroups({ groups: found.groups, tempDir: tmp });
    try {
      expect(staged.groups.map((g) => [g.artifactPath, g.files])).toEqual([
        ["checkpoints", 2],
        ["logs", 2],
      ]);
      expect(readTree(staged.groups[0]?.folder as string)).toEqual({
        "a.safetensors": "A",
        "b.safetensors": "B",
      });
      expect(readTree(staged.groups[1]?.folder as string)).toEqual({
        "run1/metrics.json": "{1}",
        "run2/deep/metrics.json": "{2}",
      });
      expect(staged.copied).toBe(0);
      const a = path.join(staged.groups[0]?.folder as string, "a.safetensors");
      expect(fs.statSync(a).ino).toBe(fs.statSync(path.join(ws, "checkpoints/a.safetensors")).ino);
    } finally {
      await staged.dispose();
    }
    expect(fs.existsSync(staged.dir)).toBe(false);
    expect(fs.readFileSync(path.join(ws, "checkpoints/a.safetensors"), "utf8")).toBe("A");
  });

  const shm = "/dev/shm";
  const otherFs =
    fs.existsSync(shm) && fs.statSync(shm).dev !== fs.statSync(os.tmpdir()).dev ? shm : undefined;
  it.skipIf(otherFs === undefined)(
    "copies when the temporary folder is on another file system",
    async () => {
      const found = await findUploadFiles({ patterns: ["logs/train.log"], workspace: ws });
      const staged = await stageUploadGroups({ groups: found.groups, tempDir: otherFs });
      try {
        expect(staged.copied).toBe(1);
        expect(readTree(staged.groups[0]?.folder as string)).toEqual({ "train.log": "loss" });
      } finally {
        await staged.dispose();
      }
    },
  );
});

describe("a pattern selecting 100,000 files", () => {
  let bws = "";
  beforeAll(() => {
    // 1,000 files, and 99 more folders that are links to theirs: @actions/glob walks 100,000
    // paths, all inside the workspace, while the fixture costs 1,000 files to make.
    bws = path.join(tmp, "big-ws");
    const d0 = path.join(bws, "big", "d0");
    fs.mkdirSync(d0, { recursive: true });
    for (let i = 0; i < 1000; i++) fs.writeFileSync(path.join(d0, `f${i}.bin`), "");
    for (let d = 1; d < 100; d++) fs.symlinkSync("d0", path.join(bws, "big", `d${d}`));
  });

  it("selects them all with bounded memory, and refuses past a limit, naming the pattern", async () => {
    const before = process.memoryUsage().heapUsed;
    const r = await findUploadFiles({ patterns: ["big/**", "!big/d0/f1*.bin"], workspace: bws });
    const grown = process.memoryUsage().heapUsed - before;
    expect(r.files).toBe(100_000 - 111);
    expect(r.groups.map((g) => g.artifactPath)).toEqual(["big"]);
    // About 0.4 KB a file: paths, not contents (a regression to holding more shows here).
    expect(grown).toBeLessThan(150 * 1024 * 1024);
    await refused(
      { patterns: ["big/**"], workspace: bws, maxFiles: 1000 },
      /^"big\/\*\*": the patterns select more than 1000 files/,
    );
  }, 120_000);
});
