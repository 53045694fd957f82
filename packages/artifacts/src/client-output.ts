/**
 * The artifact client's per-block progress lines, turned into byte counts. `@actions/artifact`
 * logs `Uploaded bytes <n>` with `core.info` (a line on standard output) after every 8 MiB block
 * it stages: 512 lines for a 4 GiB checkpoint, which drown a step log. It offers no progress
 * callback, so {@link withUploadTap} puts a filter in front of `process.stdout.write` while the
 * store's uploads run: a line of that shape written by an upload started through
 * {@link UploadTap.track} (recognized by its async context, `AsyncLocalStorage`, so concurrent
 * uploads each get their own counts) goes to that upload's listener instead of the log. Every
 * other write passes through unchanged, and the filter is taken away when the store's work ends.
 *
 * @module
 */
import { AsyncLocalStorage } from "node:async_hooks";

/** The client's line after each staged block (`core.info`, so with a newline). */
const UPLOADED_LINE = /^Uploaded bytes (\d+)\r?\n$/;

/** Marks a filter this module put in front of a stream's `write`, with what it wraps. */
const LAYER = Symbol("dstack.uploadTap");

type Write = NodeJS.WriteStream["write"];
interface Layer {
  /** The `write` it wraps. */
  previous: Write;
  /** Whether that `write` was the stream's own property (else the prototype's). */
  own: boolean;
  removed: boolean;
}

/** What {@link withUploadTap} gives its function. */
export interface UploadTap {
  /**
   * Runs `upload` (a call of the client's `uploadArtifact`) so that its `Uploaded bytes <n>` lines
   * go to `onBytes(n)` (bytes of that upload staged so far) instead of the log.
   */
  track<R>(onBytes: (bytes: number) => void, upload: () => Promise<R>): Promise<R>;
}

/**
 * Runs `fn` with the client's progress lines of the uploads it tracks taken off `stream`
 * (default `process.stdout`, where `@actions/core` writes) and handed to listeners. The filter
 * is removed when `fn` settles; if another filter was put on top meanwhile, this one stays as a
 * plain pass-through until those above it are removed too.
 *
 * @param options.stream where the client writes, default `process.stdout`.
 * @param options.around runs each tracked upload inside it, called as a method of `options`
 *   (default: as it is); the store passes its `UploadBlocks`, which sets the client's blocks
 *   per upload meanwhile.
 * @param fn the work, given the tap.
 */
export async function withUploadTap<R>(
  options: {
    stream?: NodeJS.WriteStream;
    around?<T>(upload: () => Promise<T>): Promise<T>;
  },
  fn: (tap: UploadTap) => Promise<R>,
): Promise<R> {
  const stream = options.stream ?? process.stdout;
  const current = new AsyncLocalStorage<(bytes: number) => void>();
  const layer: Layer = {
    previous: stream.write,
    own: Object.hasOwn(stream, "write"),
    removed: false,
  };
  const filter = function (this: unknown, chunk: unknown, ...rest: unknown[]): boolean {
    const onBytes = layer.removed ? undefined : current.getStore();
    if (onBytes !== undefined && typeof chunk === "string") {
      const m = UPLOADED_LINE.exec(chunk);
      if (m) {
        onBytes(Number(m[1]));
        const callback = rest.find((r) => typeof r === "function") as (() => void) | undefined;
        if (callback !== undefined) process.nextTick(callback);
        return true;
      }
    }
    return (layer.previous as (...args: unknown[]) => boolean).call(this, chunk, ...rest);
  } as Write;
  Object.defineProperty(filter, LAYER, { value: layer });
  stream.write = filter;
  try {
    return await fn({
      track: (onBytes, upload) =>
        current.run(onBytes, () =>
          options.around !== undefined ? options.around(upload) : upload(),
        ),
    });
  } finally {
    layer.removed = true;
    // Unwind every removed filter at the top (this one, and any it was left under).
    for (;;) {
      const top = (stream.write as Write & { [LAYER]?: Layer })[LAYER];
      if (top === undefined || !top.removed) break;
      if (top.own) stream.write = top.previous;
      else delete (stream as { write?: Write }).write;
    }
  }
}
