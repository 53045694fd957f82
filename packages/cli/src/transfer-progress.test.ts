// How the --remote commands show a transfer's progress: plain lines off a terminal, a
// cli-progress bar on one (a Writable that says it is a terminal), nothing for quick transfers.
import { Writable } from "node:stream";
import type { TransferProgressEvent } from "@dstack/artifacts/github";
import { describe, expect, it } from "vitest";
import { transferProgress } from "./remote/progress.js";

const MIB = 1024 * 1024;

/** A download of 100 MiB in 4 artifacts, `mib` MiB moved at `atMs`. */
function at(atMs: number, mib: number, finished = false): TransferProgressEvent {
  return {
    direction: "download",
    what: 'run "brave-bear-7"',
    bytes: mib * MIB,
    totalBytes: 100 * MIB,
    artifacts: finished ? 4 : 0,
    totalArtifacts: 4,
    elapsedMs: atMs,
    finished,
  };
}

/** A stream that says it is an 80-column terminal and keeps what is written. */
function fakeTerminal(): { stream: NodeJS.WritableStream; text: () => string } {
  const chunks: string[] = [];
  const stream = Object.assign(
    new Writable({
      write(chunk, _enc, cb) {
        chunks.push(String(chunk));
        cb();
      },
    }),
    {
      isTTY: true,
      columns: 80,
      cursorTo: () => true,
      moveCursor: () => true,
      clearLine: () => true,
    },
  );
  return { stream, text: () => chunks.join("") };
}

describe("transferProgress off a terminal", () => {
  const cases = [
    {
      name: "a quick transfer (done within a second) prints nothing",
      events: [at(0, 0), at(400, 50), at(900, 100, true)],
      want: [],
    },
    {
      name: "a transfer whose only reports are its start and end prints nothing",
      events: [at(0, 0), at(5000, 100, true)],
      want: [],
    },
    {
      name: "a long one: lines by the store's rule, then the last line",
      events: [at(0, 0), at(1200, 5), at(2500, 30), at(2800, 35), at(4000, 100, true)],
      want: [
        'run "brave-bear-7": downloading 30.0 of 100.0 MiB (30%), 0 of 4 artifacts, 12.0 MiB/s',
        'run "brave-bear-7": downloaded 100.0 MiB (4 artifacts) in 4.0 s, 25.0 MiB/s',
      ],
    },
    {
      name: "two transfers one after another each get their own lines",
      events: [
        at(0, 0),
        at(1500, 50),
        at(2000, 100, true),
        at(0, 0),
        at(1500, 40),
        at(3000, 100, true),
      ],
      want: [
        'run "brave-bear-7": downloading 50.0 of 100.0 MiB (50%), 0 of 4 artifacts, 33.3 MiB/s',
        'run "brave-bear-7": downloaded 100.0 MiB (4 artifacts) in 2.0 s, 50.0 MiB/s',
        'run "brave-bear-7": downloading 40.0 of 100.0 MiB (40%), 0 of 4 artifacts, 26.7 MiB/s',
        'run "brave-bear-7": downloaded 100.0 MiB (4 artifacts) in 3.0 s, 33.3 MiB/s',
      ],
    },
  ];
  it.each(cases)("$name", ({ events, want }) => {
    const lines: string[] = [];
    const listener = transferProgress({ log: (l) => lines.push(l) });
    for (const e of events) listener(e);
    expect(lines).toEqual(want);
  });
});

describe("transferProgress on a terminal", () => {
  it("draws a bar with percent, MiB and rate, clears it and prints the last line", () => {
    const { stream, text } = fakeTerminal();
    const lines: string[] = [];
    const listener = transferProgress({ log: (l) => lines.push(l), terminal: stream });
    for (const e of [at(0, 0), at(2000, 50), at(4000, 100, true)]) listener(e);
    const drawn = text();
    expect(drawn).toContain('run "brave-bear-7" [');
    expect(drawn).toMatch(/50% \| 50\.0 of 100\.0 MiB \| 25\.0 MiB\/s/);
    // The cursor is hidden while drawing and shown again at the end; the bar's line is cleared
    // for the last line.
    expect(drawn.indexOf("\x1B[?25l")).toBeLessThan(drawn.lastIndexOf("\x1B[?25h"));
    expect(drawn.endsWith("\x1B[2K")).toBe(true);
    expect(lines).toEqual([
      'run "brave-bear-7": downloaded 100.0 MiB (4 artifacts) in 4.0 s, 25.0 MiB/s',
    ]);
  });

  it("draws nothing for a quick transfer", () => {
    const { stream, text } = fakeTerminal();
    const lines: string[] = [];
    const listener = transferProgress({ log: (l) => lines.push(l), terminal: stream });
    for (const e of [at(0, 0), at(300, 100, true)]) listener(e);
    expect(text()).toBe("");
    expect(lines).toEqual([]);
  });
});
