/**
 * Hand-made tar archives for tests of code that unpacks them: any entry names, types and link
 * targets, including the ones a careful packer never writes (`../x`, absolute paths, links
 * pointing out, devices, duplicates).
 *
 * @module
 */
import fs from "node:fs";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
import tarStream from "tar-stream";

/** One entry of a {@link writeTar} archive. */
export interface TarEntry {
  /** The name as stored, unchecked. */
  name: string;
  /** The entry type; default `file`. */
  type?: "file" | "symlink" | "link" | "directory" | "character-device" | "fifo";
  /** A file's content; default `x\n`. */
  body?: string | Buffer;
  /** A link's target, as stored. */
  linkname?: string;
}

/**
 * Writes `entries`, in order, as a tar to `file` (gzipped with `gzip`), streaming.
 *
 * @throws Error when the file cannot be written.
 */
export async function writeTar(
  file: string,
  entries: readonly TarEntry[],
  options: { gzip?: boolean } = {},
): Promise<void> {
  const pack = tarStream.pack();
  const written = pipeline([
    pack as unknown as NodeJS.ReadableStream,
    ...(options.gzip ? [zlib.createGzip()] : []),
    fs.createWriteStream(file),
  ]);
  written.catch(() => undefined);
  for (const e of entries) {
    const type = e.type ?? "file";
    const header = { name: e.name, type, ...(e.linkname ? { linkname: e.linkname } : {}) };
    await new Promise<void>((resolve, reject) => {
      const done = (err?: Error | null) => (err ? reject(err) : resolve());
      if (type === "file") pack.entry(header, e.body ?? "x\n", done);
      else pack.entry(header, done).end(null);
    });
  }
  pack.finalize();
  await written;
}
