// The artifact client's per-block lines taken off a stream and handed to the upload that wrote
// them, on a real Writable (no terminal needed); the real client's lines are checked in
// github-files.test.ts.
import { Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { withUploadTap } from "./client-output.js";

/** A stream that keeps what is written to it, as `@actions/core`'s `info` writes it. */
function sink(): { stream: NodeJS.WriteStream; text: () => string } {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk, _enc, cb) {
      chunks.push(String(chunk));
      cb();
    },
  }) as unknown as NodeJS.WriteStream;
  return { stream, text: () => chunks.join("") };
}

/** An upload that logs like the client: a line per block, after a wait. */
async function fakeUpload(stream: NodeJS.WriteStream, blocks: number[]): Promise<string> {
  stream.write("Beginning upload of artifact content to blob storage\n");
  for (const b of blocks) {
    await sleep(1);
    stream.write(`Uploaded bytes ${b}\n`);
  }
  return "done";
}

describe("withUploadTap", () => {
  it("hands each tracked upload its own lines, concurrently, and lets every other line through", async () => {
    const { stream, text } = sink();
    const a: number[] = [];
    const b: number[] = [];
    const results = await withUploadTap({ stream }, async (tap) => {
      stream.write("before\n");
      const r = await Promise.all([
        tap.track(
          (n) => a.push(n),
          () => fakeUpload(stream, [8, 16, 20]),
        ),
        tap.track(
          (n) => b.push(n),
          () => fakeUpload(stream, [8, 9]),
        ),
        // Not tracked: its lines stay in the log.
        fakeUpload(stream, [5]),
      ]);
      stream.write("Uploaded bytes 7 of something else\n");
      return r;
    });
    expect(results).toEqual(["done", "done", "done"]);
    expect(a).toEqual([8, 16, 20]);
    expect(b).toEqual([8, 9]);
    expect(text()).toBe(
      [
        "before",
        ...Array(3).fill("Beginning upload of artifact content to blob storage"),
        "Uploaded bytes 5",
        "Uploaded bytes 7 of something else",
        "",
      ].join("\n"),
    );
  });

  const unwinding = [
    { name: "one tap", order: ["in", "out"] },
    { name: "nested taps, inner first out", order: ["in", "in", "out", "out"] },
  ];
  it.each(unwinding)("restores the stream's own write: $name", async ({ order }) => {
    const { stream } = sink();
    const original = stream.write;
    const hadOwn = Object.hasOwn(stream, "write");
    const nest = async (depth: number): Promise<void> => {
      if (depth === order.filter((o) => o === "in").length) return;
      await withUploadTap({ stream }, () => nest(depth + 1));
    };
    await nest(0);
    expect(stream.write).toBe(original);
    expect(Object.hasOwn(stream, "write")).toBe(hadOwn);
  });

  it("a tap that ends under another one stays a pass-through until the one above ends", async () => {
    const { stream, text } = sink();
    const original = stream.write;
    const seen: number[] = [];
    let releaseOuter = () => {};
    const outerHeld = new Promise<void>((r) => {
      releaseOuter = r;
    });
    let innerTrack: ((fn: () => Promise<unknown>) => Promise<unknown>) | undefined;
    // First tap in, second tap on top, first tap out while the second still runs.
    const first = withUploadTap({ stream }, async () => {
      await outerHeld;
    });
    let releaseSecond = () => {};
    const secondHeld = new Promise<void>((r) => {
      releaseSecond = r;
    });
    const second = withUploadTap({ stream }, async (tap) => {
      innerTrack = (fn) => tap.track((n) => seen.push(n), fn);
      await secondHeld;
    });
    releaseOuter();
    await first;
    // The second still works, and the first passes everything through.
    await innerTrack?.(() => fakeUpload(stream, [3]));
    stream.write("Uploaded bytes 4\n");
    releaseSecond();
    await second;
    expect(seen).toEqual([3]);
    expect(text()).toMatch(/Uploaded bytes 4\n$/);
    expect(stream.write).toBe(original);
  });

  it("runs each tracked upload inside `around`, called on the options", async () => {
    const { stream } = sink();
    const seen: string[] = [];
    const options = {
      stream,
      label: "blocks",
      async around<T>(this: { label: string }, upload: () => Promise<T>): Promise<T> {
        seen.push(`${this.label} in`);
        try {
          return await upload();
        } finally {
          seen.push(`${this.label} out`);
        }
      },
    };
    await withUploadTap(options, (tap) =>
      tap.track(
        () => undefined,
        async () => {
          seen.push("upload");
        },
      ),
    );
    expect(seen).toEqual(["blocks in", "upload", "blocks out"]);
  });

  it("removes the filter when the work throws", async () => {
    const { stream } = sink();
    const original = stream.write;
    await expect(
      withUploadTap({ stream }, async () => {
        throw new Error("boom");
      }),
    ).rejects.toThrow("boom");
    expect(stream.write).toBe(original);
  });
});
