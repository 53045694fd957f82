// Shared by the artifact benchmarks: Azurite, the results-service fake and the REST fake, wired
// into process.env as on a runner; random shards and small files; medians and figure lines.
import { randomBytes } from "node:crypto";
import fsp from "node:fs/promises";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { startActionsStorage } from "@dstack/testing";

export const MIB = 1024 * 1024;
export const REPO = "octo/bench";
export const TOKEN = "ghs_fake_token_for_bench";

// @actions/core writes `::debug::` and progress lines to stdout; keep stdout for the figures.
const print = process.stdout.write.bind(process.stdout);
if (process.env.BENCH_VERBOSE !== "1") process.stdout.write = () => true;
/** A progress line on stderr. */
export const log = (line) => process.stderr.write(`${line}\n`);
/** A figure line, `bench: <name> <number> <unit>`, on stdout. */
export const figure = (name, value, unit) => print(`bench: ${name} ${value} ${unit}\n`);

export const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Seconds `fn` took. */
export async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/**
 * Writes `count` files of random bytes, `totalMib` in all, in 1 MiB pieces (flat memory: the
 * peak-RSS figure measures the transfer, not the making of its input).
 */
export async function writeShards(dir, { totalMib, count }) {
  await fsp.mkdir(dir, { recursive: true });
  const shardBytes = Math.floor((totalMib * MIB) / count);
  const files = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `model-${String(i).padStart(5, "0")}-of-${count}.safetensors`);
    const handle = await fsp.open(file, "w");
    try {
      for (let left = shardBytes; left > 0; left -= MIB) {
        await handle.write(randomBytes(Math.min(left, MIB)));
      }
    } finally {
      await handle.close();
    }
    files.push(file);
  }
  return files;
}

/** Writes `count` small compressible text files (about 2 KiB each) in 100 folders. */
export async function writeSmallFiles(dir, count) {
  const files = [];
  for (let i = 0; i < count; i++) {
    const file = path.join(dir, `part-${i % 100}`, `metrics-${i}.json`);
    if (i < 100) await fsp.mkdir(path.dirname(file), { recursive: true });
    const rows = Array.from(
      { length: 40 },
      (_, j) => `{"step": ${i * 40 + j}, "loss": ${(1 / (j + 1)).toFixed(6)}}`,
    );
    await fsp.writeFile(file, `${rows.join("\n")}\n`);
    files.push(file);
  }
  return files;
}

/**
 * Starts the stand-ins and sets process.env as on a runner (before @actions/artifact loads:
 * @actions/github reads GITHUB_API_URL once). `newRun()` makes a workflow run; `inRun(ids, fn)`
 * runs `fn` with its runtime token; `dropBlobs()` empties Azurite between repetitions.
 */
export async function startStandIns(workspace) {
  const storage = await startActionsStorage({ repository: REPO });
  const { azurite, service, rest } = storage;
  Object.assign(process.env, service.env, {
    GITHUB_WORKSPACE: workspace,
    GITHUB_API_URL: rest.url,
  });
  delete process.env.GITHUB_RETENTION_DAYS;
  const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
  const blobs = new BlobServiceClient(azurite.blobUrl, credential);
  let nextRunId = 1000;
  return {
    rest,
    newRun: () => rest.workflowRun(nextRunId++),
    inRun: async (ids, fn) => {
      process.env.ACTIONS_RUNTIME_TOKEN = service.envFor(ids).ACTIONS_RUNTIME_TOKEN;
      return await fn();
    },
    /**
     * The storage service's own speed, the ceiling: `files` put as block blobs with
     * `@azure/storage-blob` (`uploadFile`, 8 MiB blocks, concurrency 8, all files at once) and
     * got back with `downloadToFile` into `dest`; then the blobs are deleted.
     */
    rawRoundTrip: async (files, dest) => {
      const container = blobs.getContainerClient(`ceiling-${nextRunId++}`);
      await container.createIfNotExists();
      await fsp.mkdir(dest, { recursive: true });
      const opts = { blockSize: 8 * MIB, concurrency: 8 };
      await Promise.all(
        files.map((f) => container.getBlockBlobClient(path.basename(f)).uploadFile(f, opts)),
      );
      await Promise.all(
        files.map((f) =>
          container
            .getBlobClient(path.basename(f))
            .downloadToFile(path.join(dest, path.basename(f)), 0, undefined, opts),
        ),
      );
      await container.delete();
    },
    dropBlobs: async () => {
      for (const a of service.artifacts()) {
        await blobs.getContainerClient(a.container).getBlobClient(a.blobName).deleteIfExists();
      }
    },
    stop: async () => {
      await storage.close().catch(() => undefined);
    },
  };
}
