/**
 * How the `--remote` commands show a long transfer of artifacts: a live bar (`cli-progress`) on
 * standard error when it is a terminal, else plain lines at a sane rate (`progressLines` of the
 * store: at most every 10 s or 10 %, and a last line with bytes, seconds and MiB/s). A transfer
 * is shown only once it has been moving for `afterMs` and is not done yet, so quick ones (a
 * small zip, a tag) print nothing.
 *
 * @module
 */
import {
  finalLine,
  progressLines,
  type TransferProgressEvent,
  type TransferProgressListener,
} from "@dstack/artifacts/github";
import cliProgress from "cli-progress";

/** Options of {@link transferProgress}. */
export interface TransferProgressOptions {
  /** Where a plain line goes (without its newline), e.g. the command's standard error. */
  log: (line: string) => void;
  /** A terminal to draw the bar on; unset: plain lines through `log`. */
  terminal?: NodeJS.WritableStream;
  /** Show a transfer only once it has been moving this long (ms); default 1,000. */
  afterMs?: number;
}

const MIB = 1024 * 1024;

/**
 * A store listener (`GitHubStoreOptions.onProgress`) that renders transfers one after another:
 * each gets its own bar or lines.
 */
export function transferProgress(options: TransferProgressOptions): TransferProgressListener {
  const afterMs = options.afterMs ?? 1000;
  const state: { show?: TransferProgressListener } = {};
  return (event) => {
    if (state.show === undefined) {
      // A new transfer: show it once it outlasts afterMs while still moving.
      if (event.finished || event.elapsedMs < afterMs) return;
      state.show =
        options.terminal !== undefined
          ? barOn(options.terminal, options.log)
          : progressLines({ log: options.log });
    }
    state.show(event);
    if (event.finished) delete state.show;
  };
}

/** A bar of one transfer on `terminal`, cleared at the end for the last line through `log`. */
function barOn(
  terminal: NodeJS.WritableStream,
  log: (line: string) => void,
): TransferProgressListener {
  const bar = new cliProgress.SingleBar(
    {
      stream: terminal,
      format:
        "{what} [{bar}] {percentage}% | {moved} of {all} MiB | {rate} MiB/s | ETA {eta_formatted}",
      barsize: 30,
      hideCursor: true,
      clearOnComplete: true,
      fps: 10,
    },
    cliProgress.Presets.shades_classic,
  );
  const payload = (e: TransferProgressEvent) => ({
    what: e.what,
    moved: (e.bytes / MIB).toFixed(1),
    all: (e.totalBytes / MIB).toFixed(1),
    rate: ((e.bytes * 1000) / Math.max(1, e.elapsedMs) / MIB).toFixed(1),
  });
  let started = false;
  return (event) => {
    if (!started) {
      started = true;
      bar.start(event.totalBytes, event.bytes, payload(event));
    } else {
      bar.update(event.bytes, payload(event));
    }
    if (event.finished) {
      bar.stop();
      log(finalLine(event));
    }
  };
}
