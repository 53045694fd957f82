/**
 * Progress of long transfers: what the stores report ({@link TransferProgressEvent}, through a
 * callback), a meter that turns the bytes of several artifacts moving at once into those reports
 * ({@link TransferMeter}), and plain lines for a step log at a sane rate ({@link progressLines}).
 * Rendering lives at the edge: an action sends the lines to its log, the CLI draws a bar on a
 * terminal and prints the lines elsewhere.
 *
 * @module
 */

/** One report of a transfer's progress. Sizes are bytes, times milliseconds. */
export interface TransferProgressEvent {
  /** Which way the bytes go. */
  direction: "upload" | "download";
  /** What moves, for messages: an upload's artifact path (`model`), a download's run or tag. */
  what: string;
  /** Bytes moved so far, in all: never decreases between reports, at most `totalBytes`. */
  bytes: number;
  /** Bytes of the whole transfer (of a zip: the files' bytes before zipping). */
  totalBytes: number;
  /** Artifacts (a zip, or one large file) finished so far. */
  artifacts: number;
  /** Artifacts in all. */
  totalArtifacts: number;
  /** Milliseconds since the transfer began. */
  elapsedMs: number;
  /** True on the last report: every artifact arrived. */
  finished: boolean;
}

/** Where a store sends its {@link TransferProgressEvent}s. */
export type TransferProgressListener = (event: TransferProgressEvent) => void;

/**
 * Counts the bytes of a transfer of several artifacts moving at once and reports the sum on
 * every change: a report when it begins (0 bytes), when an artifact's byte count grows, and
 * when an artifact finishes (the last of them with `finished: true`). Byte counts of one
 * artifact only grow and never pass its size, so the sum only grows.
 */
export class TransferMeter {
  private readonly moved: number[];
  private readonly finishedItems: boolean[];
  private readonly totalBytes: number;
  private readonly started: number;
  private readonly now: () => number;

  /**
   * @param options.direction `upload` or `download`.
   * @param options.what what moves, for messages.
   * @param options.sizes each artifact's bytes (of a zip: its files' bytes).
   * @param options.onProgress where reports go (none when unset).
   * @param options.now the clock in ms, default `Date.now`.
   */
  constructor(
    private readonly options: {
      direction: "upload" | "download";
      what: string;
      sizes: readonly number[];
      onProgress?: TransferProgressListener;
      now?: () => number;
    },
  ) {
    this.moved = options.sizes.map(() => 0);
    this.finishedItems = options.sizes.map(() => false);
    this.totalBytes = options.sizes.reduce((sum, n) => sum + n, 0);
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }

  /** Reports the beginning (0 bytes). */
  begin(): void {
    this.report();
  }

  /** Artifact `index` has moved `bytes` bytes so far (a smaller count than before is ignored). */
  update(index: number, bytes: number): void {
    const size = this.options.sizes[index] ?? 0;
    const next = Math.min(size, Math.max(this.moved[index] ?? 0, bytes));
    if (next === this.moved[index]) return;
    this.moved[index] = next;
    this.report();
  }

  /** Artifact `index` arrived whole. */
  finish(index: number): void {
    if (this.finishedItems[index]) return;
    this.finishedItems[index] = true;
    this.moved[index] = this.options.sizes[index] ?? 0;
    this.report();
  }

  private report(): void {
    const listener = this.options.onProgress;
    if (listener === undefined) return;
    const artifacts = this.finishedItems.filter(Boolean).length;
    listener({
      direction: this.options.direction,
      what: this.options.what,
      bytes: this.moved.reduce((sum, n) => sum + n, 0),
      totalBytes: this.totalBytes,
      artifacts,
      totalArtifacts: this.options.sizes.length,
      elapsedMs: Math.max(0, this.now() - this.started),
      finished: artifacts === this.options.sizes.length,
    });
  }
}

/** Options of {@link progressLines}. */
export interface ProgressLinesOptions {
  /** Where a line goes (e.g. `core.info` in an action, standard error in the CLI). */
  log: (line: string) => void;
  /** A line at least this often (ms) while bytes move; default 10,000. */
  everyMs?: number;
  /** A line whenever this many more percent have moved; default 10. */
  everyPercent?: number;
  /** The least time (ms) between two lines, the last one aside; default 1,000. */
  minGapMs?: number;
}

/**
 * A listener that writes a transfer's progress as plain lines, for logs that are not a terminal:
 * a line when `everyMs` passed since the last one or another `everyPercent` percent moved (but
 * never two within `minGapMs`), and always a last line with the total bytes, seconds and mean
 * rate. A transfer shorter than `minGapMs` gets only its last line. Time is the events' own
 * `elapsedMs` (the meter's clock), so a test drives it with a fake clock.
 *
 * Lines: `model: uploading 512.0 of 1024.0 MiB (50%), 3 of 8 artifacts, 85.3 MiB/s` and
 * `model: uploaded 1024.0 MiB (8 artifacts) in 12.3 s, 83.2 MiB/s`.
 */
export function progressLines(options: ProgressLinesOptions): TransferProgressListener {
  const everyMs = options.everyMs ?? 10_000;
  const everyPercent = options.everyPercent ?? 10;
  const minGapMs = options.minGapMs ?? 1000;
  const state = { lastAt: 0, lastStep: 0, ended: false };
  return (event) => {
    if (state.ended) return;
    const at = event.elapsedMs;
    if (event.finished) {
      state.ended = true;
      options.log(finalLine(event));
      return;
    }
    const step = Math.floor(percentOf(event) / everyPercent);
    const since = at - state.lastAt;
    const due = since >= everyMs || (step > state.lastStep && since >= minGapMs);
    if (!due || event.bytes === 0) return;
    state.lastAt = at;
    state.lastStep = step;
    options.log(progressLine(event));
  };
}

/** `model: uploading 512.0 of 1024.0 MiB (50%), 3 of 8 artifacts, 85.3 MiB/s`. */
export function progressLine(event: TransferProgressEvent): string {
  const verb = event.direction === "upload" ? "uploading" : "downloading";
  return `${event.what}: ${verb} ${mib(event.bytes)} of ${mib(event.totalBytes)} MiB (${Math.floor(percentOf(event))}%), ${event.artifacts} of ${event.totalArtifacts} artifact${event.totalArtifacts === 1 ? "" : "s"}, ${rate(event)} MiB/s`;
}

/** `model: uploaded 1024.0 MiB (8 artifacts) in 12.3 s, 83.2 MiB/s`. */
export function finalLine(event: TransferProgressEvent): string {
  const verb = event.direction === "upload" ? "uploaded" : "downloaded";
  return `${event.what}: ${verb} ${mib(event.bytes)} MiB (${event.totalArtifacts} artifact${event.totalArtifacts === 1 ? "" : "s"}) in ${(event.elapsedMs / 1000).toFixed(1)} s, ${rate(event)} MiB/s`;
}

/** Percent moved, 0 to 100 (100 for an empty transfer). */
function percentOf(event: TransferProgressEvent): number {
  return event.totalBytes === 0 ? 100 : (100 * event.bytes) / event.totalBytes;
}

/** Mean rate so far in MiB/s, one decimal. */
function rate(event: TransferProgressEvent): string {
  return mib((event.bytes * 1000) / Math.max(1, event.elapsedMs));
}

function mib(bytes: number): string {
  return (bytes / (1024 * 1024)).toFixed(1);
}
