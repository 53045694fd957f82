/**
 * The `auto` zip compression policy of uploads: store (level 0) what does not compress, deflate
 * (upload-artifact's default level 6) what does.
 *
 * The rule, with every size in bytes:
 *
 * 1. Take the {@link ChooseCompressionOptions.maxFiles} (8) largest regular files of the upload
 *    (by size; ties by path, so the choice is deterministic).
 * 2. Read the first {@link ChooseCompressionOptions.sampleBytes} (1 MiB = 1,048,576 bytes) of
 *    each and deflate each sample on its own with `node:zlib` `deflateRawSync` at level 1 (the
 *    fastest; if level 1 cannot shrink it, level 6 will not by much either).
 * 3. The saving is `1 - deflated bytes / sampled bytes` over all samples together. A saving below
 *    {@link ChooseCompressionOptions.minSaving} (0.10, i.e. 10%) means incompressible data
 *    (checkpoints, safetensors, images, already-compressed archives): level 0, no deflate work
 *    on either side. Otherwise level 6.
 * 4. Nothing to sample (no files, or only empty files): level 6, the client's default; there is
 *    nothing to spend time on either way.
 *
 * Sampling reads at most 8 MiB and deflates it once, whatever the upload's size. With
 * {@link ChooseCompressionOptions.together} the samples are deflated as one stream, as a
 * `.tar.gz` deflates its files (many tiny files shrink together, not one by one).
 *
 * @module
 */
import * as fsp from "node:fs/promises";
import { constants, deflateRawSync } from "node:zlib";
import { formatCount } from "@dstack/spec";

/** upload-artifact's default zip level, used when the sample compresses (or there is none). */
export const DEFAULT_COMPRESSION_LEVEL = 6;
/** Zip level 0: files are stored, not deflated. */
export const STORE_COMPRESSION_LEVEL = 0;

/** Options of {@link chooseCompressionLevel}. */
export interface ChooseCompressionOptions {
  /** Bytes read from the start of each sampled file; default 1 MiB (1,048,576). */
  sampleBytes?: number;
  /** How many of the largest files are sampled; default 8. */
  maxFiles?: number;
  /** The smallest saving (0 to 1, a fraction of the sampled bytes) worth deflating; default 0.10. */
  minSaving?: number;
  /** Deflate the samples as one stream (for one archive of all the files); default `false`. */
  together?: boolean;
  /**
   * The size in bytes of each of `files`, in order, when the caller knows them (a folder
   * scan): only the sampled files are then looked at, not every file.
   */
  sizes?: readonly number[];
}

/** What {@link chooseCompressionLevel} decided. */
export interface CompressionChoice {
  /** The zip level to upload with: 0 (store) or 6. */
  level: number;
  /** Why, in words, with the sampled and deflated sizes in bytes. */
  reason: string;
}

/** Reads up to `max` bytes from the start of a file. */
async function head(file: string, max: number): Promise<Buffer> {
  const handle = await fsp.open(file, "r");
  try {
    const buffer = Buffer.alloc(max);
    let got = 0;
    while (got < max) {
      const { bytesRead } = await handle.read(buffer, got, max - got, got);
      if (bytesRead === 0) break;
      got += bytesRead;
    }
    return buffer.subarray(0, got);
  } finally {
    await handle.close();
  }
}

/**
 * The `auto` zip level for uploading `files` (absolute paths): 0 when a deflated sample of the
 * largest files shrinks by less than 10%, else 6. See the module comment for the exact rule.
 * Paths that are not regular files (or have vanished) are ignored.
 */
export async function chooseCompressionLevel(
  files: string[],
  options: ChooseCompressionOptions = {},
): Promise<CompressionChoice> {
  const sampleBytes = options.sampleBytes ?? 1024 * 1024;
  const maxFiles = options.maxFiles ?? 8;
  const minSaving = options.minSaving ?? 0.1;
  const sized: { file: string; size: number }[] = [];
  for (const [i, file] of files.entries()) {
    const known = options.sizes?.[i];
    if (known !== undefined) {
      if (known > 0) sized.push({ file, size: known });
      continue;
    }
    const st = await fsp.stat(file).catch(() => undefined);
    if (st?.isFile() && st.size > 0) sized.push({ file, size: st.size });
  }
  sized.sort((a, b) => b.size - a.size || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const picked = sized.slice(0, Math.max(0, maxFiles));
  let raw = 0;
  let deflated = 0;
  const samples: Buffer[] = [];
  const deflate = (b: Buffer) =>
    deflateRawSync(b, { level: 1, strategy: constants.Z_DEFAULT_STRATEGY }).length;
  for (const { file, size } of picked) {
    const sample = await head(file, Math.min(size, sampleBytes)).catch(() => undefined);
    if (sample === undefined || sample.length === 0) continue;
    raw += sample.length;
    if (options.together) samples.push(sample);
    else deflated += deflate(sample);
  }
  if (options.together && raw > 0) deflated = deflate(Buffer.concat(samples));
  if (raw === 0) {
    return {
      level: DEFAULT_COMPRESSION_LEVEL,
      reason: `auto: nothing to sample (no non-empty files); level ${DEFAULT_COMPRESSION_LEVEL}, the default`,
    };
  }
  const saving = 1 - deflated / raw;
  const measured = `a sample of ${raw} bytes from ${formatCount(picked.length, "file")} deflates to ${deflated} bytes (saves ${(saving * 100).toFixed(1)}%)`;
  if (saving < minSaving) {
    return {
      level: STORE_COMPRESSION_LEVEL,
      reason: `auto: ${measured}, under ${minSaving * 100}%: incompressible, stored (level 0)`,
    };
  }
  return {
    level: DEFAULT_COMPRESSION_LEVEL,
    reason: `auto: ${measured}, at least ${minSaving * 100}%: deflated at level ${DEFAULT_COMPRESSION_LEVEL}`,
  };
}
