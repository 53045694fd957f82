/**
 * Large files of the GitHub store, moved one artifact per file without a zip: `@actions/artifact`
 * 6 uploads a single file as it is (`skipArchive: true`; the file's name becomes the artifact's
 * name) and downloads such an artifact as that file (`skipDecompress: true`), so a checkpoint's
 * shards go up and down in parallel, each as its own block blob, at the storage service's speed
 * instead of through one zip stream.
 *
 * Naming: `dstack-file--<run-name>--<path-slug>`, where the slug is that of the file's own
 * artifact path (`model/model-00001.safetensors` -> `model~model-00001.safetensors`). The prefix
 * differs from a zip's (`dstack--`), so a listing tells the two kinds apart without downloading
 * anything; both are listed from the same trusted workflow run (see `trust.ts`), so the trust
 * rules of the zips hold for the files.
 *
 * @module
 */
import * as fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";

export { settleLimited } from "./limit.js";

/** Prefix of a run's single-file artifacts: `dstack-file--<run-name>--<path-slug>`. */
export const FILE_ARTIFACT_PREFIX = "dstack-file--";

/** The smallest file (bytes) sent as its own artifact by default: 8 MiB, the client's block size. */
export const DEFAULT_LARGE_FILE_BYTES = 8 * 1024 * 1024;

/**
 * How many transfers run at once: one per core, at least `least` (a transfer mostly waits on
 * the network), at most `max` and never more than there are items.
 *
 * @param options.items how many transfers there are.
 * @param options.cpus cores (default `os.availableParallelism()`).
 * @param options.max the cap (default 4: each upload holds the client's 8 MiB blocks, one at a
 *   time by default (`upload-blocks.ts`), its stream buffers and their garbage, some 40 to 80
 *   MiB; a download streams to disk and holds little).
 * @param options.least the floor (default 2).
 */
export function transferConcurrency(options: {
  items: number;
  cpus?: number;
  max?: number;
  least?: number;
}): number {
  const cpus = options.cpus ?? os.availableParallelism();
  return Math.max(1, Math.min(options.items, options.max ?? 4, Math.max(options.least ?? 2, cpus)));
}

/**
 * Runs `fn` with `file` reachable as `<temp folder>/<name>` (a symbolic link: the client resolves
 * links before reading), for a single-file upload whose artifact name is the file's name.
 * The temporary folder is removed afterwards.
 */
export async function withStagedName<R>(
  file: string,
  name: string,
  fn: (staged: string, root: string) => Promise<R>,
): Promise<R> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), "dstack-file-"));
  try {
    const staged = path.join(dir, name);
    await fsp.symlink(path.resolve(file), staged);
    return await fn(staged, dir);
  } finally {
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/**
 * Moves the one file a raw download wrote into `dir` (the client names it after the blob's
 * `Content-Disposition`) to `dest`, creating `dest`'s folder.
 *
 * @throws Error when `dir` does not hold exactly one file.
 */
export async function moveSingleFile(dir: string, dest: string): Promise<void> {
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  const files = entries.filter((e) => e.isFile());
  if (entries.length !== 1 || files.length !== 1) {
    throw new Error(
      `expected one downloaded file in ${dir}, found ${entries.map((e) => e.name).join(", ") || "nothing"}`,
    );
  }
  await fsp.mkdir(path.dirname(dest), { recursive: true });
  await fsp.rename(path.join(dir, (files[0] as { name: string }).name), dest);
}

/**
 * Polls the bytes of the files directly in `dir` every `everyMs` (default 500) and hands the sum
 * to `onBytes`, for the progress of a download the client writes there (it offers no callback).
 * A poll that fails (the folder is not made yet) is skipped; polls never overlap.
 *
 * @returns a function that stops the polling.
 */
export function watchBytes(
  dir: string,
  onBytes: (bytes: number) => void,
  everyMs = 500,
): () => void {
  const poll = { busy: false, stopped: false };
  const timer = setInterval(() => {
    if (poll.busy) return;
    poll.busy = true;
    folderBytes(dir)
      .then((bytes) => {
        if (!poll.stopped) onBytes(bytes);
      })
      .catch(() => undefined)
      .finally(() => {
        poll.busy = false;
      });
  }, everyMs);
  timer.unref();
  return () => {
    poll.stopped = true;
    clearInterval(timer);
  };
}

/** The bytes of the files directly in `dir`. */
async function folderBytes(dir: string): Promise<number> {
  const entries = await fsp.readdir(dir, { withFileTypes: true });
  const sizes = await Promise.all(
    entries
      .filter((e) => e.isFile())
      .map(async (e) => (await fsp.stat(path.join(dir, e.name))).size),
  );
  return sizes.reduce((sum, n) => sum + n, 0);
}
