/**
 * How many 8 MiB blocks one upload of `@actions/artifact` stages at once, which is most of what
 * an upload holds in memory. The client has no option for it: `uploadToBlobStorage` calls
 * `blockBlobClient.uploadStream(stream, 8 MiB, getConcurrency())`, and `getConcurrency()` reads
 * the variable `ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY` (default 5) from `process.env` at every
 * upload, after the artifact is created. So the store sets that variable while its uploads run
 * ({@link UploadBlocks.around}) and takes it away afterwards.
 *
 * Measured on 2 shared cores with `bench/peak-rss.js` (4 GiB in 16 files, two files at once),
 * runs alternating: peak resident memory 308 and 349 MiB with the client's 5 blocks, 254 and 256
 * MiB with 1 (2 blocks: 275). Uploads of 1 GiB in 8 files took a median 7.7 s with 1 block
 * against 7.0 s with 5: the files go up in parallel, and each block is already 8 MiB.
 *
 * @module
 */
import { StoreError } from "./errors.js";

/** The client's variable: blocks each upload stages at once (`getConcurrency()`). */
export const UPLOAD_CONCURRENCY_ENV = "ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY";

/** The store's default: one block of 8 MiB in flight per upload (the client's own is 5). */
export const DEFAULT_UPLOAD_BLOCKS = 1;

/**
 * The blocks of one store's uploads. The value that applies: `blocks` when given; else the
 * variable when the environment already sets it (a runner's own choice is kept); else
 * {@link DEFAULT_UPLOAD_BLOCKS}. While at least one of the store's uploads runs the variable
 * holds it; when the last one ends the variable is set back to what it was, unless something
 * else changed it meanwhile.
 */
export class UploadBlocks {
  private readonly blocks: number | undefined;
  private readonly env: NodeJS.ProcessEnv;
  /** Uploads of this store running now, and what the variable was before the first. */
  private readonly held: { count: number; previous: string | undefined; value: string | undefined };

  /**
   * @param options.blocks blocks at once, an integer of at least 1 (unset: see the class).
   * @param options.env the environment the client reads, default `process.env`.
   * @throws StoreError `invalid` for a `blocks` that is not a positive integer.
   */
  constructor(options: { blocks?: number; env?: NodeJS.ProcessEnv } = {}) {
    const { blocks } = options;
    if (blocks !== undefined && !(Number.isSafeInteger(blocks) && blocks >= 1)) {
      throw new StoreError(
        "invalid",
        `uploadBlocks ${JSON.stringify(blocks)}: expected an integer of at least 1 (8 MiB blocks each upload stages at once)`,
      );
    }
    this.blocks = blocks;
    this.env = options.env ?? process.env;
    this.held = { count: 0, previous: undefined, value: undefined };
  }

  /** Runs `fn` (the store's client uploads) with the variable set as the class says. */
  async around<R>(fn: () => Promise<R>): Promise<R> {
    if (this.held.count === 0) {
      const previous = this.env[UPLOAD_CONCURRENCY_ENV];
      const value =
        this.blocks !== undefined
          ? String(this.blocks)
          : previous === undefined || previous === ""
            ? String(DEFAULT_UPLOAD_BLOCKS)
            : undefined;
      this.held.previous = previous;
      this.held.value = value;
      if (value !== undefined) this.env[UPLOAD_CONCURRENCY_ENV] = value;
    }
    this.held.count += 1;
    try {
      return await fn();
    } finally {
      this.held.count -= 1;
      if (this.held.count === 0 && this.held.value !== undefined) {
        if (this.env[UPLOAD_CONCURRENCY_ENV] === this.held.value) {
          if (this.held.previous === undefined) delete this.env[UPLOAD_CONCURRENCY_ENV];
          else this.env[UPLOAD_CONCURRENCY_ENV] = this.held.previous;
        }
        this.held.value = undefined;
      }
    }
  }
}
