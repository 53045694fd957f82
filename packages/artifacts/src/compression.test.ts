import { randomBytes } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chooseCompressionLevel } from "./compression.js";

let tmp: string;

beforeAll(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "compression-"));
});

afterAll(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Writes files into a fresh folder; returns their absolute paths. */
function write(name: string, files: Record<string, string | Buffer>): string[] {
  const dir = path.join(tmp, name);
  fs.mkdirSync(dir, { recursive: true });
  return Object.entries(files).map(([p, content]) => {
    const full = path.join(dir, p);
    fs.writeFileSync(full, content);
    return full;
  });
}

const text = "epoch 3 step 1200 loss 0.0123 lr 0.001\n".repeat(60_000);

describe("chooseCompressionLevel (auto)", () => {
  const cases = [
    {
      name: "random bytes (a checkpoint shard) are stored",
      files: () =>
        write("random", { "a.bin": randomBytes(2 * 1024 * 1024), "b.bin": randomBytes(4096) }),
      level: 0,
      reason: /incompressible, stored \(level 0\)/,
    },
    {
      name: "repetitive text is deflated at 6",
      files: () => write("text", { "train.log": text, "notes.txt": "hello\n" }),
      level: 6,
      reason: /deflated at level 6/,
    },
    {
      name: "mostly random with small text files is stored (the largest files decide)",
      files: () =>
        write("mixed", {
          "model.safetensors": randomBytes(3 * 1024 * 1024),
          "config.json": '{"hidden": 768}\n',
        }),
      level: 0,
      reason: /level 0/,
    },
    {
      name: "no files: the default 6",
      files: () => [],
      level: 6,
      reason: /nothing to sample/,
    },
    {
      name: "only empty files: the default 6",
      files: () => write("empty", { "a.txt": "", "b.txt": "" }),
      level: 6,
      reason: /nothing to sample/,
    },
    {
      name: "missing paths are ignored",
      files: () => [path.join(tmp, "does-not-exist")],
      level: 6,
      reason: /nothing to sample/,
    },
  ];
  it.each(cases)("$name", async ({ files, level, reason }) => {
    const choice = await chooseCompressionLevel(files());
    expect(choice.level).toBe(level);
    expect(choice.reason).toMatch(reason);
  });

  it("samples at most sampleBytes of at most maxFiles files, and says so in bytes", async () => {
    const files = write(
      "many",
      Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`f${i}.txt`, text])),
    );
    const choice = await chooseCompressionLevel(files, { sampleBytes: 1000, maxFiles: 3 });
    expect(choice.reason).toMatch(/a sample of 3000 bytes from 3 files/);
  });

  const tiny = Object.fromEntries(
    Array.from({ length: 8 }, (_, i) => [`m${i}.json`, `{"step": ${i}, "loss": 0.25}\n`]),
  );
  const together = [
    { name: "one by one, tiny files hardly shrink: stored", together: false, level: 0 },
    { name: "together, as in one archive, they do: deflated", together: true, level: 6 },
  ];
  it.each(together)("$name", async ({ together: t, level }) => {
    const files = write(`tiny-${t}`, tiny);
    expect((await chooseCompressionLevel(files, { together: t })).level).toBe(level);
  });

  it("known sizes pick the sampled files without looking at the others", async () => {
    const files = write("sizes", { "a.bin": randomBytes(64 * 1024), "b.txt": text });
    expect((await chooseCompressionLevel(files)).level).toBe(6);
    // Told that the text is empty, only the random file is sampled.
    const choice = await chooseCompressionLevel(files, { sizes: [64 * 1024, 0] });
    expect(choice.level).toBe(0);
    expect(choice.reason).toMatch(/a sample of 65536 bytes from 1 file/);
  });

  it("minSaving moves the threshold", async () => {
    const files = write("threshold", { "t.txt": text });
    expect((await chooseCompressionLevel(files, { minSaving: 1.01 })).level).toBe(0);
  });
});
