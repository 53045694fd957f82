// Progress of long transfers: the meter's reports and the plain lines' rate, with a fake clock.
import { describe, expect, it } from "vitest";
import {
  finalLine,
  progressLine,
  progressLines,
  TransferMeter,
  type TransferProgressEvent,
} from "./progress.js";

const MIB = 1024 * 1024;

/** An upload of `totalMib` MiB in `totalArtifacts` artifacts, `mib` MiB moved at `atMs`. */
function event(
  atMs: number,
  mib: number,
  more: Partial<TransferProgressEvent> = {},
): TransferProgressEvent {
  return {
    direction: "upload",
    what: "model",
    bytes: mib * MIB,
    totalBytes: 1000 * MIB,
    artifacts: 0,
    totalArtifacts: 8,
    elapsedMs: atMs,
    finished: false,
    ...more,
  };
}

describe("progressLines", () => {
  const cases = [
    {
      name: "a transfer shorter than the least gap gets only its last line",
      events: [event(0, 0), event(300, 500), event(600, 900), event(900, 1000, { finished: true })],
      want: ["model: uploaded 1000.0 MiB (8 artifacts) in 0.9 s, 1111.1 MiB/s"],
    },
    {
      name: "a line per 10 % when they are at least a second apart",
      events: [
        event(0, 0),
        event(1000, 50),
        event(1500, 120),
        event(1800, 150),
        event(2600, 210),
        event(3000, 290),
        event(4000, 1000, { finished: true }),
      ],
      want: [
        "model: uploading 120.0 of 1000.0 MiB (12%), 0 of 8 artifacts, 80.0 MiB/s",
        "model: uploading 210.0 of 1000.0 MiB (21%), 0 of 8 artifacts, 80.8 MiB/s",
        "model: uploaded 1000.0 MiB (8 artifacts) in 4.0 s, 250.0 MiB/s",
      ],
    },
    {
      name: "a slow transfer gets a line every 10 s even within one 10 % step",
      events: [
        event(0, 0),
        event(5000, 10),
        event(10_000, 20),
        event(15_000, 30),
        event(20_000, 40),
        event(21_000, 41),
        event(30_000, 60, { artifacts: 1 }),
      ],
      want: [
        "model: uploading 20.0 of 1000.0 MiB (2%), 0 of 8 artifacts, 2.0 MiB/s",
        "model: uploading 40.0 of 1000.0 MiB (4%), 0 of 8 artifacts, 2.0 MiB/s",
        "model: uploading 60.0 of 1000.0 MiB (6%), 1 of 8 artifacts, 2.0 MiB/s",
      ],
    },
    {
      name: "nothing after the last line; a download says so",
      events: [
        event(0, 0, { direction: "download", what: 'run "r-1"', totalArtifacts: 1 }),
        event(2000, 1000, {
          direction: "download",
          what: 'run "r-1"',
          totalArtifacts: 1,
          artifacts: 1,
          finished: true,
        }),
        event(3000, 1000, { finished: true }),
      ],
      want: ['run "r-1": downloaded 1000.0 MiB (1 artifact) in 2.0 s, 500.0 MiB/s'],
    },
    {
      name: "no progress line for 0 bytes, however long the wait",
      events: [event(0, 0), event(30_000, 0), event(31_000, 10, { finished: true })],
      want: ["model: uploaded 10.0 MiB (8 artifacts) in 31.0 s, 0.3 MiB/s"],
    },
  ];
  it.each(cases)("$name", ({ events, want }) => {
    const lines: string[] = [];
    const listener = progressLines({ log: (l) => lines.push(l) });
    for (const e of events) listener(e);
    expect(lines).toEqual(want);
  });

  it("takes its rates from options", () => {
    const lines: string[] = [];
    const listener = progressLines({
      log: (l) => lines.push(l),
      everyMs: 100,
      everyPercent: 50,
      minGapMs: 0,
    });
    for (const e of [event(50, 10), event(100, 20), event(120, 600), event(130, 700)]) listener(e);
    expect(lines.map((l) => l.replace(/, \d.*/, ""))).toEqual([
      "model: uploading 20.0 of 1000.0 MiB (2%)",
      "model: uploading 600.0 of 1000.0 MiB (60%)",
    ]);
  });

  it("formats an empty transfer as done", () => {
    const e = event(0, 0, { totalBytes: 0, totalArtifacts: 1, artifacts: 1, finished: true });
    expect(progressLine(e)).toBe(
      "model: uploading 0.0 of 0.0 MiB (100%), 1 of 1 artifact, 0.0 MiB/s",
    );
    expect(finalLine(e)).toBe("model: uploaded 0.0 MiB (1 artifact) in 0.0 s, 0.0 MiB/s");
  });
});

describe("TransferMeter", () => {
  it("sums artifacts moving at once, only ever growing, and finishes once", () => {
    let t = 1000;
    const seen: TransferProgressEvent[] = [];
    const meter = new TransferMeter({
      direction: "upload",
      what: "model",
      sizes: [10, 20, 5],
      onProgress: (e) => seen.push(e),
      now: () => t,
    });
    const steps: [string, () => void][] = [
      ["begin", () => meter.begin()],
      ["a grows", () => meter.update(0, 4)],
      ["b grows", () => meter.update(1, 8)],
      ["a shrinks (a retry): ignored", () => meter.update(0, 2)],
      ["a passes its size: clamped", () => meter.update(0, 99)],
      ["a finishes", () => meter.finish(0)],
      ["a finishes again: ignored", () => meter.finish(0)],
      ["c finishes", () => meter.finish(2)],
      ["b finishes", () => meter.finish(1)],
    ];
    for (const [, step] of steps) {
      t += 10;
      step();
    }
    expect(seen.map((e) => [e.bytes, e.artifacts, e.finished, e.elapsedMs])).toEqual([
      [0, 0, false, 10],
      [4, 0, false, 20],
      [12, 0, false, 30],
      [18, 0, false, 50],
      [18, 1, false, 60],
      [23, 2, false, 80],
      [35, 3, true, 90],
    ]);
    expect(seen.every((e) => e.totalBytes === 35 && e.totalArtifacts === 3)).toBe(true);
  });

  it("reports nothing without a listener", () => {
    const meter = new TransferMeter({ direction: "download", what: "x", sizes: [1] });
    expect(() => {
      meter.begin();
      meter.finish(0);
    }).not.toThrow();
  });
});
