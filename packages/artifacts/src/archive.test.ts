// One-file archives: packing and unpacking round trips, and crafted archives that try to write
// outside the destination, smuggle links or disagree with their manifest.
import fs from "node:fs";
import path from "node:path";
import { readTree, type TarEntry, tempDir, writeTar, writeTree } from "@dstack/testing";
import { afterAll, describe, expect, it } from "vitest";
import {
  ARCHIVE_MANIFEST,
  type ArchiveManifest,
  checkEntryName,
  manifestOf,
  packArchive,
  SMALL_ENTRY_BYTES,
  unpackArchive,
} from "./archive.js";
import { StoreError } from "./errors.js";

const tmp = tempDir("archive-");
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

let serial = 0;
/** A fresh folder below the test's temporary folder. */
function fresh(name: string): string {
  const dir = path.join(tmp, `${name}-${serial++}`);
  fs.mkdirSync(dir, { recursive: true });
  return dir;
}

/** Every file below `root` (links followed), as path -> content. */
function listFiles(root: string): string[] {
  return Object.keys(readTree(root)).sort();
}

/** Packs the files of `src` (every regular file, by path) into `dest`. */
async function packFolder(src: string, dest: string, gzipLevel: number) {
  const rels = listFiles(src);
  return await packArchive({
    files: rels.map((rel) => ({ abs: path.join(src, rel), rel })),
    dest,
    gzipLevel,
  });
}

const LONG = `${"deep-folder-name/".repeat(8)}a-file-name-longer-than-a-ustar-header-holds.json`;

describe("packArchive and unpackArchive", () => {
  const cases = [
    { name: "a plain tar", gzipLevel: 0 },
    { name: "a gzipped tar", gzipLevel: 6 },
  ];
  it.each(cases)("$name: every file comes back byte for byte", async ({ gzipLevel }) => {
    const src = fresh("src");
    const big = Buffer.alloc(SMALL_ENTRY_BYTES + 4097, 7);
    writeTree(src, {
      "a.txt": "alpha\n",
      "empty.txt": "",
      "nested/b/c.json": '{"c":1}\n',
      "naïve ünïcode.txt": "u\n",
      [LONG]: "long\n",
    });
    fs.writeFileSync(path.join(src, "big.bin"), big);
    fs.writeFileSync(path.join(src, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
    const archive = path.join(fresh("out"), "a.tar");
    const { manifest, size } = await packFolder(src, archive, gzipLevel);
    expect(manifest).toMatchObject({ version: 1, files: 7 });
    expect(size).toBe(fs.statSync(archive).size);
    const gzipped = fs
      .readFileSync(archive)
      .subarray(0, 2)
      .equals(Buffer.from([0x1f, 0x8b]));
    expect(gzipped).toBe(gzipLevel > 0);

    const dest = path.join(fresh("dest"), "here");
    const got = await unpackArchive({ archive, gzip: gzipLevel > 0, dest, label: "test" });
    expect(got).toEqual({ files: manifest.files, bytes: manifest.bytes });
    expect(readTree(dest)).toEqual(readTree(src));
    expect(fs.statSync(path.join(dest, "run.sh")).mode & 0o111).not.toBe(0);
    expect(listFiles(dest)).not.toContain(ARCHIVE_MANIFEST);
  });

  const parts = [
    { name: "a folder", only: "nested", want: ["nested/b/c.json", "nested/d.txt"] },
    { name: "one file", only: "nested/d.txt", want: ["nested/d.txt"] },
    { name: "nothing that exists", only: "nope", want: [] },
  ];
  it.each(parts)("only $name is written, every entry still checked", async ({ only, want }) => {
    const src = fresh("src");
    writeTree(src, { "a.txt": "a\n", "nested/b/c.json": "c\n", "nested/d.txt": "d\n" });
    const archive = path.join(fresh("out"), "a.tar");
    await packFolder(src, archive, 1);
    const dest = fresh("dest");
    await unpackArchive({ archive, gzip: true, dest, only, label: "test" });
    expect(listFiles(dest)).toEqual(want);
  });

  it("refuses to pack a file under the manifest's reserved name", async () => {
    const src = fresh("src");
    writeTree(src, { [ARCHIVE_MANIFEST]: "{}\n" });
    const error = await packFolder(src, path.join(fresh("out"), "a.tar"), 0).catch((e) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String(error)).toMatch(/\.dstack-archive\.json.*reserved/);
  });

  it("a file that vanished before it was packed is an io error naming it", async () => {
    const src = fresh("src");
    const error = await packArchive({
      files: [{ abs: path.join(src, "gone.txt"), rel: "gone.txt" }],
      dest: path.join(fresh("out"), "a.tar"),
      gzipLevel: 0,
    }).catch((e: unknown) => e);
    expect((error as StoreError).code).toBe("io");
    expect(String(error)).toMatch(/cannot pack .*gone\.txt: ENOENT/);
  });
});

/**
 * Writes a gzipped tar of `entries`, then a manifest: `manifest` when given (`null` for none),
 * else the one that matches the regular files among `entries`.
 */
async function craft(
  file: string,
  entries: TarEntry[],
  manifest?: ArchiveManifest | string | null,
): Promise<void> {
  const files = entries
    .filter((e) => (e.type ?? "file") === "file")
    .map((e) => ({ rel: e.name, size: Buffer.byteLength(e.body ?? "x\n") }));
  const m = manifest === undefined ? manifestOf(files) : manifest;
  const trailer =
    m === null
      ? []
      : [{ name: ARCHIVE_MANIFEST, body: typeof m === "string" ? m : JSON.stringify(m) }];
  await writeTar(file, [...entries, ...trailer], { gzip: true });
}

/** Crafted archives and what unpacking must say (the entry named, nothing written outside). */
const ATTACKS: {
  name: string;
  entries: TarEntry[];
  manifest?: ArchiveManifest | string | null;
  error: RegExp;
}[] = [
  {
    name: "a path that climbs out with ..",
    entries: [{ name: "ok.txt" }, { name: "../evil.txt" }],
    error: /entry "\.\.\/evil\.txt": it climbs out with \.\./,
  },
  {
    name: "a path that climbs out from below a folder",
    entries: [{ name: "a/../../evil.txt" }],
    error: /entry "a\/\.\.\/\.\.\/evil\.txt": it climbs out with \.\./,
  },
  {
    name: "an absolute path",
    entries: [{ name: "/tmp/evil.txt" }],
    error: /entry "\/tmp\/evil\.txt": it is absolute/,
  },
  {
    name: "a drive-letter path",
    entries: [{ name: "C:/evil.txt" }],
    error: /entry "C:\/evil\.txt": it is absolute/,
  },
  {
    name: "a path with backslashes",
    entries: [{ name: "..\\evil.txt" }],
    error: /entry "\.\.\\\\evil\.txt": it holds a backslash/,
  },
  {
    name: "a path with a . part",
    entries: [{ name: "./a.txt" }],
    error: /entry "\.\/a\.txt": it has an empty or \. part/,
  },
  {
    name: "a symbolic link pointing out",
    entries: [{ name: "link", type: "symlink", linkname: "/etc/passwd" }],
    error:
      /entry "link" is a symbolic link to "\/etc\/passwd"; these archives hold regular files only/,
  },
  {
    name: "a symbolic link, then a file written through it",
    entries: [
      { name: "dir", type: "symlink", linkname: "../../outside" },
      { name: "dir/evil.txt" },
    ],
    error: /entry "dir" is a symbolic link to "\.\.\/\.\.\/outside"/,
  },
  {
    name: "a hard link to a file outside",
    entries: [{ name: "hard", type: "link", linkname: "/etc/passwd" }],
    error: /entry "hard" is a hard link to "\/etc\/passwd"/,
  },
  {
    name: "a folder entry that climbs out",
    entries: [{ name: "../evil-dir/", type: "directory" }],
    error: /entry "\.\.\/evil-dir\/": it climbs out with \.\./,
  },
  {
    name: "a device",
    entries: [{ name: "tty", type: "character-device" }],
    error: /entry "tty" is a character-device/,
  },
  {
    name: "the same path twice",
    entries: [
      { name: "a.txt", body: "first\n" },
      { name: "a.txt", body: "second\n" },
    ],
    error: /entry "a\.txt" is there twice/,
  },
  {
    name: "a file below a file",
    entries: [{ name: "a" }, { name: "a/b.txt" }],
    error: /entry "a\/b\.txt" lies below "a", a file/,
  },
  {
    name: "no manifest",
    entries: [{ name: "a.txt" }],
    manifest: null,
    error: /it has no manifest \.dstack-archive\.json/,
  },
  {
    name: "a manifest that is not JSON",
    entries: [{ name: "a.txt" }],
    manifest: "{not json",
    error: /the manifest \.dstack-archive\.json is not JSON/,
  },
  {
    name: "a file the manifest does not list",
    entries: [{ name: "a.txt" }, { name: "extra.txt" }],
    manifest: manifestOf([{ rel: "a.txt", size: 2 }]),
    error: /does not hold the files its manifest lists: the manifest says 1 files of 2 bytes/,
  },
  {
    name: "a file renamed from what the manifest lists",
    entries: [{ name: "b.txt" }],
    manifest: manifestOf([{ rel: "a.txt", size: 2 }]),
    error: /does not hold the files its manifest lists/,
  },
];

describe("packArchive failures", () => {
  const cases = [
    { name: "a folder that does not exist", dest: (d: string) => path.join(d, "no", "a.tar") },
    { name: "a file that is already there", dest: (d: string) => path.join(d, "taken.tar") },
  ];
  it.each(cases)("writing into $name is an io error naming the archive", async ({ dest }) => {
    const src = fresh("src");
    writeTree(src, { "a.txt": "a\n", "b.txt": "b\n" });
    const out = fresh("out");
    fs.writeFileSync(path.join(out, "taken.tar"), "mine\n");
    const error = await packFolder(src, dest(out), 6).catch((e: unknown) => e);
    expect((error as StoreError).code).toBe("io");
    expect(String(error)).toMatch(/cannot write the archive .*\.tar: (ENOENT|EEXIST)/);
    expect(fs.readFileSync(path.join(out, "taken.tar"), "utf8")).toBe("mine\n");
  });
});

describe("crafted archives are refused, naming the entry", () => {
  it.each(ATTACKS)("$name", async ({ entries, manifest, error }) => {
    const archive = path.join(fresh("crafted"), "evil.tar.gz");
    await craft(archive, entries, manifest);
    const parent = fresh("victim");
    const dest = path.join(parent, "staging", "dest");
    const e = await unpackArchive({
      archive,
      gzip: true,
      dest,
      label: "artifact evil (id 1)",
    }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe("invalid");
    expect(String(e)).toMatch(/^StoreError: artifact evil \(id 1\): /);
    expect(String(e)).toMatch(error);
    // Nothing was written beside or above the destination.
    const outside = Object.keys(readTree(parent)).filter((p) => !p.startsWith("staging/dest/"));
    expect(outside).toEqual([]);
  });

  const names = [
    { name: "a/b.txt", ok: true },
    { name: "with space/and:colon.txt", ok: true },
    { name: "..hidden-but-fine", ok: true },
    { name: "", ok: false },
    { name: "a//b", ok: false },
    { name: "a/", ok: false },
    { name: "a/\0b", ok: false },
  ];
  it.each(names)("checkEntryName($name) accepts only plain relative paths", ({ name, ok }) => {
    const call = () => checkEntryName(name, "entry");
    if (ok) expect(call()).toBe(name);
    else expect(call).toThrow(StoreError);
  });
});
