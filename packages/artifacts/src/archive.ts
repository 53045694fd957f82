/**
 * One-file archives of many small files: a folder packed in one pass into a tar (gzipped or
 * not) and unpacked again, both streaming (`tar-stream`), for the GitHub store's archive
 * artifacts (`dstack-tar--...`, see `github-store.ts`).
 *
 * Why not the client's zip: `@actions/artifact` zips through `archiver` and unzips through
 * `unzip-stream`, both of which pay a large fixed cost per entry; for thousands of small files
 * that cost, not the bytes, is the transfer. A tar built here is one sequential write and one
 * sequential read with bounded parallel writes, uploaded and downloaded as a single file.
 * Small files are read with synchronous calls, a batch at a time between turns of the event
 * loop: for files of a few KiB the thread-pool round trips of asynchronous reads (open, stat,
 * read, close) cost more than the reads themselves (10,000 files of 2 KiB: about 0.5 s instead
 * of 1.5 to 2.5 s on a busy 2-core machine). Writes stay asynchronous and parallel: creating
 * files waits on the disk, and several at once overlap those waits.
 *
 * The archive holds regular files only, at POSIX paths relative to the packed folder, and ends
 * with a manifest entry {@link ARCHIVE_MANIFEST} = {@link ArchiveManifest}: how many files, how
 * many bytes, and the SHA-256 of their list (`<path>\0<size>\n` for each file, in archive order).
 * Unpacking refuses, naming the entry, anything else: a path that is absolute, holds `..`, `.`,
 * an empty part, a backslash or a NUL byte; a link, folder or device entry; a path twice, or a
 * file where a folder is needed; entries after the manifest; and an archive whose files do not
 * match its manifest (or that has none). Files are memory-bounded: bodies up to
 * {@link SMALL_ENTRY_BYTES} are buffered, larger ones streamed.
 *
 * @module
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import * as fsp from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import tarStream from "tar-stream";
import { ioError, StoreError } from "./errors.js";

/** A tar header as `tar-stream` takes it. */
type EntryHeader = Parameters<tarStream.Pack["entry"]>[0];
/** `tar-stream`'s streams are `streamx` streams, which Node's `pipeline` takes as they are. */
const asNode = <T>(stream: unknown) => stream as T;

/** The last entry of every archive: `{ version: 1, files, bytes, listSha256 }`. */
export const ARCHIVE_MANIFEST = ".dstack-archive.json";
/** Bodies up to this many bytes (1 MiB) are read and written whole; larger ones stream. */
export const SMALL_ENTRY_BYTES = 1024 * 1024;
/**
 * The archive is written in pieces of this size (256 KiB): a tar of small files comes out of
 * the packer as many pieces of a few hundred bytes, and each write to gzip or the file is a
 * round trip through the thread pool.
 */
const WRITE_CHUNK_BYTES = 256 * 1024;
/** Files read synchronously between two turns of the event loop. */
const READ_BATCH = 64;
/** The largest manifest read (64 KiB); it is a few dozen bytes. */
const MAX_MANIFEST_BYTES = 64 * 1024;

/** What the manifest entry records about the files before it. */
export interface ArchiveManifest {
  /** The format, 1. */
  version: 1;
  /** Regular files in the archive, the manifest not counted. */
  files: number;
  /** Their bytes in all. */
  bytes: number;
  /** SHA-256 (hex) of `<path>\0<size>\n` for each file, in archive order. */
  listSha256: string;
}

/**
 * The manifest of files at `rel` of `size` bytes, in archive order: their count, bytes, and the
 * SHA-256 of `<rel>\0<size>\n` for each.
 */
export function manifestOf(files: readonly { rel: string; size: number }[]): ArchiveManifest {
  const list = createHash("sha256");
  let bytes = 0;
  for (const f of files) {
    list.update(`${f.rel}\0${f.size}\n`);
    bytes += f.size;
  }
  return { version: 1, files: files.length, bytes, listSha256: list.digest("hex") };
}

/** One file to pack: where it is read from and its path in the archive. */
export interface ArchiveFile {
  /** Absolute path read (a symbolic link is followed: its target's content is packed). */
  abs: string;
  /** POSIX path in the archive, relative, e.g. `part-1/metrics-1.json`. */
  rel: string;
}

/** Options of {@link packArchive}. */
export interface PackArchiveOptions {
  /** The files, in the order they are packed. */
  files: readonly ArchiveFile[];
  /** The archive file to write (must not exist). */
  dest: string;
  /** gzip level 1 to 9, or 0 for a plain tar. */
  gzipLevel: number;
}

/** Options of {@link unpackArchive}. */
export interface UnpackArchiveOptions {
  /** The archive file. */
  archive: string;
  /** Whether it is gzipped. */
  gzip: boolean;
  /** The folder to write into (made if missing; must hold nothing the archive holds). */
  dest: string;
  /**
   * Write only this path of the archive (a file, or a folder and what is below it); every
   * entry is still read and checked. Default: everything.
   */
  only?: string;
  /** How the archive is named in messages, e.g. `artifact dstack-tar--r--m.tar.gz (id 7)`. */
  label: string;
  /** Files written at once; default 8. */
  writes?: number;
}

/**
 * Packs `files` into one tar at `dest` (gzipped at `gzipLevel` when above 0), streaming: a
 * file's size is taken when it is read, so the archive is self-consistent even if a file
 * changes meanwhile (a large file that shrinks while read fails the pack).
 *
 * @returns the manifest written as the last entry, and the archive's size in bytes.
 * @throws StoreError `invalid` for a path that {@link checkEntryName} refuses or the reserved
 *   {@link ARCHIVE_MANIFEST}; `io` naming the file when reading or writing fails.
 */
export async function packArchive(
  options: PackArchiveOptions,
): Promise<{ manifest: ArchiveManifest; size: number }> {
  for (const f of options.files) {
    checkEntryName(f.rel, `file ${JSON.stringify(f.rel)}`);
    if (f.rel === ARCHIVE_MANIFEST) {
      throw new StoreError(
        "invalid",
        `file ${JSON.stringify(f.rel)}: the name is reserved for the archive's own manifest`,
      );
    }
  }
  const pack = tarStream.pack();
  const gzip = options.gzipLevel > 0 ? [zlib.createGzip({ level: options.gzipLevel })] : [];
  const written = pipeline([
    asNode<NodeJS.ReadableStream>(pack),
    coalesce(WRITE_CHUNK_BYTES),
    ...gzip,
    fs.createWriteStream(options.dest, { flags: "wx" }),
  ]);
  // The writer's failure surfaces through `written`; keep it from being unhandled until then.
  written.catch(() => undefined);
  const packed: { rel: string; size: number }[] = [];
  const files = options.files;
  try {
    for (let i = 0; i < files.length; i++) {
      // Let other work (the run marker's upload) go on between batches of synchronous reads.
      if (i % READ_BATCH === READ_BATCH - 1) await new Promise((r) => setImmediate(r));
      const f = files[i] as ArchiveFile;
      let loaded: Loaded;
      try {
        loaded = load(f);
      } catch (e) {
        throw ioError(`cannot pack ${f.abs}`, e);
      }
      const header = { name: f.rel, size: loaded.size, mode: loaded.mode, mtime: loaded.mtime };
      if (loaded.body !== undefined) {
        await addEntry(pack, header, loaded.body);
      } else {
        const sink = entrySink(pack, header);
        await pipeline(
          fs.createReadStream(f.abs, { start: 0, end: loaded.size - 1 }),
          sink.stream,
        ).catch((e: unknown) => {
          throw ioError(`cannot pack ${f.abs} (${loaded.size} bytes when it was opened)`, e);
        });
        await sink.done;
      }
      packed.push({ rel: f.rel, size: loaded.size });
    }
    const manifest = manifestOf(packed);
    await addEntry(
      pack,
      { name: ARCHIVE_MANIFEST, mode: 0o644, mtime: new Date() },
      Buffer.from(`${JSON.stringify(manifest)}\n`),
    );
    pack.finalize();
    await written.catch((e: unknown) => {
      throw ioError(`cannot write the archive ${options.dest}`, e);
    });
    return { manifest, size: (await fsp.stat(options.dest)).size };
  } catch (e) {
    pack.destroy(e instanceof Error ? e : new Error(String(e)));
    // A failed write (a full disk, a name too long) makes the packer fail too: name the cause.
    const failed = await written.then(
      () => undefined,
      (w: unknown) => w,
    );
    if (e instanceof StoreError || failed === undefined || failed === e) throw e;
    throw ioError(`cannot write the archive ${options.dest}`, failed);
  }
}

/** A file read for packing: its body when small, else only its size (it is streamed). */
interface Loaded {
  size: number;
  mode: number;
  mtime: Date;
  body?: Buffer;
}

/** A stream that passes bytes on in pieces of at least `bytes` (the last one may be shorter). */
function coalesce(bytes: number): Transform {
  let held: Buffer[] = [];
  let size = 0;
  const flushHeld = (push: (b: Buffer) => void) => {
    if (size > 0) push(held.length === 1 ? (held[0] as Buffer) : Buffer.concat(held, size));
    held = [];
    size = 0;
  };
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      held.push(chunk);
      size += chunk.length;
      if (size >= bytes) flushHeld((b) => this.push(b));
      done();
    },
    flush(done) {
      flushHeld((b) => this.push(b));
      done();
    },
  });
}

/** Reads a file for packing (synchronously: see the module comment); links are followed. */
function load(f: ArchiveFile): Loaded {
  const fd = fs.openSync(f.abs, "r");
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile()) throw new StoreError("invalid", `${f.abs}: not a regular file`);
    const mode = st.mode & 0o777;
    if (st.size > SMALL_ENTRY_BYTES) return { size: st.size, mode, mtime: st.mtime };
    const body = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < body.length) {
      const n = fs.readSync(fd, body, got, body.length - got, got);
      if (n === 0) break;
      got += n;
    }
    return { size: got, mode, mtime: st.mtime, body: body.subarray(0, got) };
  } finally {
    fs.closeSync(fd);
  }
}

function addEntry(pack: tarStream.Pack, header: EntryHeader, body: Buffer) {
  return new Promise<void>((resolve, reject) => {
    pack.entry(header, body, (e) => (e ? reject(e) : resolve()));
  });
}

function entrySink(pack: tarStream.Pack, header: EntryHeader) {
  let stream: ReturnType<tarStream.Pack["entry"]> | undefined;
  const done = new Promise<void>((resolve, reject) => {
    stream = pack.entry(header, (e) => (e ? reject(e) : resolve()));
  });
  done.catch(() => undefined);
  return { stream: asNode<NodeJS.WritableStream>(stream), done };
}

/**
 * `name` as a path inside an archive, checked: relative, POSIX, every part a plain name (not
 * empty, `.` or `..`), no backslash, no NUL byte, no drive letter.
 *
 * @param what - how the value is named in the message, e.g. `entry "a/../b"`.
 * @throws StoreError `invalid` naming the value and what is wrong with it.
 */
export function checkEntryName(name: string, what: string): string {
  const why =
    name === ""
      ? "it is empty"
      : name.startsWith("/") || /^[A-Za-z]:/.test(name)
        ? "it is absolute"
        : name.includes("\\")
          ? "it holds a backslash"
          : name.includes("\0")
            ? "it holds a NUL byte"
            : name.split("/").some((part) => part === "..")
              ? "it climbs out with .."
              : name.split("/").some((part) => part === "" || part === ".")
                ? "it has an empty or . part"
                : undefined;
  if (why !== undefined) {
    throw new StoreError(
      "invalid",
      `${what}: ${why}; archive paths must be relative paths of plain names that stay inside the folder`,
    );
  }
  return name;
}

/**
 * Unpacks an archive of {@link packArchive} into `dest`, checking every entry before it is
 * written (see the module comment) and the files against the manifest at the end. On failure
 * `dest` may hold part of the files: unpack into a temporary folder and move it into place
 * only on success.
 *
 * @returns the files written and their bytes (all of them, or those of `only`).
 * @throws StoreError `invalid` naming the entry and the archive for a refused entry or a
 *   manifest mismatch; `io` when reading or writing fails.
 */
export async function unpackArchive(
  options: UnpackArchiveOptions,
): Promise<{ files: number; bytes: number }> {
  const { label } = options;
  const only = options.only === undefined || options.only === "" ? undefined : options.only;
  const refuse = (message: string) => new StoreError("invalid", `${label}: ${message}`);
  const extract = tarStream.extract();
  const read = pipeline([
    fs.createReadStream(options.archive, { highWaterMark: SMALL_ENTRY_BYTES }),
    ...(options.gzip ? [zlib.createGunzip()] : []),
    asNode<NodeJS.WritableStream>(extract),
  ]);
  read.catch(() => undefined);
  const files = new Set<string>();
  const dirs = new Set<string>();
  const made = new Set<string>();
  const inFlight = new Set<Promise<void>>();
  const maxWrites = Math.max(1, options.writes ?? 8);
  const seen: { rel: string; size: number }[] = [];
  const written = { files: 0, bytes: 0 };
  let manifest: unknown;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const what = `entry ${JSON.stringify(h.name)}`;
      if (manifest !== undefined) {
        throw refuse(`${what} comes after the manifest ${ARCHIVE_MANIFEST}, which must be last`);
      }
      if (h.name === ARCHIVE_MANIFEST && h.type === "file") {
        if (h.size > MAX_MANIFEST_BYTES) {
          throw refuse(
            `the manifest ${ARCHIVE_MANIFEST} is ${h.size} bytes; at most ${MAX_MANIFEST_BYTES} are read`,
          );
        }
        const text = (await collect(asNode(entry))).toString("utf8");
        try {
          manifest = JSON.parse(text) as unknown;
        } catch {
          throw refuse(`the manifest ${ARCHIVE_MANIFEST} is not JSON`);
        }
        if (manifest === undefined || manifest === null) manifest = {};
        continue;
      }
      // A folder entry's name ends with `/`; its path is checked like a file's, then refused.
      const name = h.type === "directory" ? h.name.replace(/\/$/, "") : h.name;
      const rel = checkEntryName(name, `${label}: ${what}`);
      if (h.type !== "file") {
        throw refuse(
          `${what} is a ${h.type === "symlink" ? "symbolic link" : h.type === "link" ? "hard link" : (h.type ?? "entry of unknown type")}${h.linkname ? ` to ${JSON.stringify(h.linkname)}` : ""}; these archives hold regular files only`,
        );
      }
      if (files.has(rel) || dirs.has(rel)) {
        throw refuse(`${what} is there twice, or is both a file and a folder`);
      }
      const parts = rel.split("/");
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join("/");
        if (files.has(dir)) throw refuse(`${what} lies below ${JSON.stringify(dir)}, a file`);
        dirs.add(dir);
      }
      files.add(rel);
      seen.push({ rel, size: h.size });
      if (only !== undefined && rel !== only && !rel.startsWith(`${only}/`)) {
        entry.resume();
        continue;
      }
      written.files += 1;
      written.bytes += h.size;
      const target = path.join(options.dest, ...parts);
      const parent = path.dirname(target);
      if (!made.has(parent)) {
        await fsp.mkdir(parent, { recursive: true });
        made.add(parent);
      }
      const mode = h.mode & 0o777 || 0o644;
      if (h.size <= SMALL_ENTRY_BYTES) {
        const body = await collect(asNode(entry));
        while (inFlight.size >= maxWrites) await Promise.race(inFlight);
        const w = fsp.writeFile(target, body, { flag: "wx", mode }).finally(() => {
          inFlight.delete(w);
        });
        inFlight.add(w);
      } else {
        await pipeline(
          asNode<NodeJS.ReadableStream>(entry),
          fs.createWriteStream(target, { flags: "wx", mode }),
        );
      }
    }
    await read;
    await Promise.all(inFlight);
  } catch (e) {
    extract.destroy();
    await read.catch(() => undefined);
    await Promise.allSettled(inFlight);
    throw ioError(`cannot unpack ${label}`, e);
  }
  const m = manifest as Partial<ArchiveManifest> | undefined;
  if (m === undefined) throw refuse(`it has no manifest ${ARCHIVE_MANIFEST}, so it is refused`);
  const got = manifestOf(seen);
  if (
    m.version !== 1 ||
    m.files !== got.files ||
    m.bytes !== got.bytes ||
    m.listSha256 !== got.listSha256
  ) {
    throw refuse(
      `it does not hold the files its manifest lists: the manifest says ${String(m.files)} files of ${String(m.bytes)} bytes (list ${String(m.listSha256).slice(0, 12)}), the archive holds ${got.files} files of ${got.bytes} bytes (list ${got.listSha256.slice(0, 12)})`,
    );
  }
  return written;
}

/** The whole body of an entry (at most {@link SMALL_ENTRY_BYTES}, checked by the caller). */
async function collect(entry: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of entry) {
    chunks.push(
      Buffer.isBuffer(chunk)
        ? chunk
        : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength),
    );
  }
  return chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks);
}
