// Large files of the GitHub store, each uploaded as its own artifact without a zip and
// downloaded in parallel, against the real @actions/artifact client, Azurite, the
// results-service fake and the OpenAPI-validated REST fake.
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import {
  type ActionsStorageSession,
  type ArtifactsRestApi,
  type Azurite,
  type BackendIds,
  enterActionsStorage,
  leftovers,
  type ResultsService,
  readTree,
  type StoredArtifact,
  workflowRuns,
  writeTree,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { settleLimited, transferConcurrency } from "./github-files.js";
import { GitHubStore, GitHubStoreError, type TransferProgressEvent } from "./github-store.js";

const TOKEN = "ghs_fake_token_for_tests";
const REPO = "octo/files";
/** Files of at least this many bytes go up as their own artifacts in these tests. */
const LARGE = 256 * 1024;

let storage: ActionsStorageSession;
let azurite: Azurite;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;
const runs = workflowRuns();

/** Runs `fn` as a step of `run` (its runtime token in the environment). */
const inRun = <T>(run: BackendIds, fn: () => Promise<T>): Promise<T> => storage.inRun(run, fn);

beforeAll(async () => {
  storage = await enterActionsStorage({ repository: REPO, runs, tmpPrefix: "github-files-" });
  ({ azurite, service, rest, tmp } = storage);
}, 60_000);

afterAll(() => storage?.close());

function store(options: Partial<ConstructorParameters<typeof GitHubStore>[0]> = {}) {
  return new GitHubStore({
    token: TOKEN,
    repository: REPO,
    apiUrl: rest.url,
    largeFileBytes: LARGE,
    ...options,
  });
}

/** A fresh source folder with these files. */
function source(name: string, files: Record<string, string | Buffer>): string {
  const dir = path.join(tmp, "src", name);
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), content);
  }
  return dir;
}

const sha = (b: Buffer | string) => createHash("sha256").update(b).digest("hex");
/** What is below `root`, as path -> sha256 of the content. */
function digests(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      if (e.isDirectory()) walk(path.join(dir, e.name), r);
      else out[r] = sha(fs.readFileSync(path.join(dir, e.name)));
    }
  };
  walk(root, "");
  return out;
}

describe("large files go up as their own artifacts, without a zip", () => {
  const runUp = runs.add(301);
  const runDown = runs.add(302);
  const shard1 = randomBytes(LARGE + 1000);
  const shard2 = randomBytes(2 * LARGE);
  // Compressible and large: a zip shrinks it, so "auto" keeps it in the zip.
  const text = Buffer.from("loss 0.125\n".repeat(40_000));
  const small = { "config.json": '{"lr":0.001}\n', "tok/vocab.txt": "a\nb\n" };
  const files = { ...small, "shards/s-1.bin": shard1, "shards/s-2.bin": shard2, "log.txt": text };
  let up: Awaited<ReturnType<GitHubStore["upload"]>>;
  const lines: string[] = [];

  it("a mixed folder: one zip of the small and compressible files, one raw artifact per large file", async () => {
    const dir = source("mixed", files);
    up = await inRun(runUp, () =>
      store({ log: (l) => lines.push(l) }).upload({
        runName: "big-bear-1",
        localPath: dir,
        artifactPath: "model",
      }),
    );
    expect(up.name).toBe("dstack--big-bear-1--model");
    expect(up.files).toBe(5);
    expect(up.fileArtifacts.map((f) => [f.artifactPath, f.name, f.digest])).toEqual([
      ["model/shards/s-1.bin", "dstack-file--big-bear-1--model~shards~s-1.bin", sha(shard1)],
      ["model/shards/s-2.bin", "dstack-file--big-bear-1--model~shards~s-2.bin", sha(shard2)],
    ]);
    // Stored as the files themselves: not zips, and byte for byte their size.
    const stored = service.artifacts();
    for (const f of up.fileArtifacts) {
      const a = stored.find((s) => s.id === f.id) as StoredArtifact;
      expect(a.mimeType).not.toBe("application/zip");
      expect(a.blobName.endsWith(".zip")).toBe(false);
      expect(a.size).toBe(f.artifactPath.endsWith("s-1.bin") ? shard1.length : shard2.length);
    }
    expect(stored.find((s) => s.id === up.id)?.mimeType).toBe("application/zip");
    // The last progress line: every byte of the files (large ones and the zip's), the time, the rate.
    const total = (up.bytes / (1024 * 1024)).toFixed(1);
    expect(lines.at(-1)).toMatch(
      new RegExp(`^model: uploaded ${total} MiB \\(3 artifacts\\) in [\\d.]+ s, [\\d.]+ MiB/s$`),
    );
  });

  it("lists both kinds from the run's trusted workflow run", async () => {
    const s = store();
    const listed = await s.listRunArtifacts(await s.resolveRun("big-bear-1"));
    expect(listed.map((a) => [a.artifactPath, a.kind])).toEqual([
      ["model", "zip"],
      ["model/shards/s-1.bin", "file"],
      ["model/shards/s-2.bin", "file"],
    ]);
  });

  const downloads = [
    { name: "everything", artifactPath: undefined, want: { prefix: "model/", keys: files } },
    { name: "the artifact path", artifactPath: "model", want: { prefix: "", keys: files } },
    {
      name: "a folder holding only large files",
      artifactPath: "model/shards",
      want: { prefix: "", keys: { "s-1.bin": shard1, "s-2.bin": shard2 } },
    },
    {
      name: "one large file",
      artifactPath: "model/shards/s-2.bin",
      want: { prefix: "", keys: { "s-2.bin": shard2 } },
    },
  ];
  it.each(downloads)(
    "downloads $name with every digest checked",
    async ({ name, artifactPath, want }) => {
      const dest = path.join(tmp, "down", name.replaceAll(" ", "-"), "here");
      const r = await inRun(runDown, () =>
        store().downloadArtifacts(
          { run: "big-bear-1" },
          { localPath: dest, ...(artifactPath !== undefined ? { artifactPath } : {}) },
        ),
      );
      const expected = Object.fromEntries(
        Object.entries(want.keys).map(([k, v]) => [`${want.prefix}${k}`, sha(v)]),
      );
      expect(digests(dest)).toEqual(expected);
      expect(r.files).toBe(Object.keys(expected).length);
      expect(leftovers(path.dirname(dest))).toEqual([]);
    },
  );

  it("a single large file uploads as <artifact path>/<its name>, and level 0 sends it raw", async () => {
    const dir = source("single", { "weights.pt": shard1 });
    const r = await inRun(runs.add(303), () =>
      store().upload({
        runName: "lone-lynx-1",
        localPath: path.join(dir, "weights.pt"),
        artifactPath: "ckpt",
        compressionLevel: 0,
      }),
    );
    expect(r.fileArtifacts.map((f) => f.artifactPath)).toEqual(["ckpt/weights.pt"]);
    expect(r.name).toBe("dstack-file--lone-lynx-1--ckpt~weights.pt");
    const dest = path.join(tmp, "single-down");
    await inRun(runDown, () =>
      store().downloadArtifacts({ run: "lone-lynx-1" }, { localPath: dest }),
    );
    expect(digests(dest)).toEqual({ "ckpt/weights.pt": sha(shard1) });
  });

  it("a given level above 0, or largeFileBytes Infinity, keeps every file in the zip", async () => {
    const dir = source("zipped", { "a.bin": shard1 });
    const cases = [
      { id: 306, runName: "zip-one-1", options: {}, level: 6 as const },
      {
        id: 307,
        runName: "zip-two-1",
        options: { largeFileBytes: Number.POSITIVE_INFINITY },
        level: "auto" as const,
      },
    ];
    for (const c of cases) {
      const r = await inRun(runs.add(c.id), () =>
        store(c.options).upload({
          runName: c.runName,
          localPath: dir,
          artifactPath: "z",
          compressionLevel: c.level,
        }),
      );
      expect(r.fileArtifacts).toEqual([]);
      expect(r.name).toBe(`dstack--${c.runName}--z`);
    }
  });

  it("reports the bytes of a real upload and download as they move, growing to the total", async () => {
    expect(process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY).toBeUndefined();
    // 20 MiB: the client stages three blocks (8, 16, 20 MiB), each reported as it lands.
    const big = randomBytes(20 * 1024 * 1024);
    const dir = source("progress", { "big.bin": big, "small.txt": "hello\n" });
    const events: TransferProgressEvent[] = [];
    const stdout: string[] = [];
    const write = process.stdout.write;
    const spy = (chunk: unknown, ...rest: unknown[]) => {
      stdout.push(String(chunk));
      return (write as (...a: unknown[]) => boolean).call(process.stdout, chunk, ...rest);
    };
    process.stdout.write = spy as typeof process.stdout.write;
    try {
      await inRun(runs.add(308), () =>
        store({ onProgress: (e) => events.push(e) }).upload({
          runName: "quick-quail-1",
          localPath: dir,
          artifactPath: "ckpt",
        }),
      );
    } finally {
      process.stdout.write = write;
    }
    const total = big.length + 6;
    const bytes = events.map((e) => e.bytes);
    expect(bytes[0]).toBe(0);
    expect(bytes.at(-1)).toBe(total);
    expect(bytes).toEqual([...bytes].sort((a, b) => a - b));
    // The large file's blocks, each as it was staged (with or without the zip's 6 bytes, done
    // before or after it).
    for (const block of [8, 16].map((m) => m * 1024 * 1024)) {
      expect(bytes.filter((b) => b === block || b === block + 6)).toHaveLength(1);
    }
    expect(events.filter((e) => e.finished)).toHaveLength(1);
    expect(events.at(-1)).toMatchObject({ direction: "upload", what: "ckpt", totalBytes: total });
    expect(events.at(-1)?.totalArtifacts).toBe(2);
    // The client's per-block lines went to the listener, not the log; its other lines did not.
    expect(stdout.join("")).not.toMatch(/Uploaded bytes/);
    expect(stdout.join("")).toMatch(/Finalizing artifact upload/);
    // Each upload staged one block at a time (the client says so when it reads the variable),
    // and the variable is gone again.
    expect(stdout.join("")).toMatch(
      /Set concurrency based on the value set in ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY/,
    );
    expect(process.env.ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY).toBeUndefined();

    const down: TransferProgressEvent[] = [];
    await inRun(runDown, () =>
      store({ onProgress: (e) => down.push(e) }).downloadArtifacts(
        { run: "quick-quail-1" },
        { localPath: path.join(tmp, "progress-down") },
      ),
    );
    const got = down.map((e) => e.bytes);
    expect(got).toEqual([...got].sort((a, b) => a - b));
    expect(down.at(-1)).toMatchObject({ direction: "download", finished: true });
    expect(got.at(-1)).toBe(down.at(-1)?.totalBytes);
  });

  it("a corrupted file blob fails the whole download, naming the file; nothing is written", async () => {
    const runE = runs.add(305);
    const dir = source("corrupt", { ...small, "s-1.bin": shard1, "s-2.bin": shard2 });
    const r = await inRun(runE, () =>
      store().upload({ runName: "bad-boar-1", localPath: dir, artifactPath: "m" }),
    );
    const victim = r.fileArtifacts.find((f) => f.artifactPath === "m/s-2.bin");
    const a = service.artifacts().find((s) => s.id === victim?.id) as StoredArtifact;
    const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
    await new BlobServiceClient(azurite.blobUrl, credential)
      .getContainerClient(a.container)
      .getBlockBlobClient(a.blobName)
      .uploadData(randomBytes(shard2.length));

    const parent = path.join(tmp, "corrupt-down");
    const dest = path.join(parent, "m");
    writeTree(dest, { "keep.txt": "mine\n" });
    const error = await inRun(runDown, () =>
      store().downloadArtifacts({ run: "bad-boar-1" }, { localPath: dest }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubStoreError);
    expect((error as GitHubStoreError).reason).toBe("digest-mismatch");
    expect(String(error)).toMatch(
      /file m\/s-2\.bin \(artifact dstack-file--bad-boar-1--m~s-2\.bin, id \d+\) of run "bad-boar-1": the download does not match its digest/,
    );
    expect(readTree(parent)).toEqual({ "m/keep.txt": "mine\n" });
  });
});

describe("transfer helpers", () => {
  const limits = [
    { name: "one per core on a big host, capped", items: 16, cpus: 32, max: 4, want: 4 },
    { name: "at least 2 on a small host", items: 16, cpus: 1, max: 4, want: 2 },
    { name: "never more than the items", items: 1, cpus: 8, max: 4, want: 1 },
    {
      name: "downloads: at least 4 on a small host",
      items: 16,
      cpus: 2,
      max: 8,
      least: 4,
      want: 4,
    },
  ];
  it.each(limits)("transferConcurrency: $name", ({ items, cpus, max, want, ...rest }) => {
    expect(transferConcurrency({ items, cpus, max, ...rest })).toBe(want);
  });

  it("settleLimited keeps to its limit, waits for every item, then throws the first failure", async () => {
    let running = 0;
    let most = 0;
    const finished: number[] = [];
    const error = await settleLimited([0, 1, 2, 3, 4, 5], 2, async (i) => {
      running += 1;
      most = Math.max(most, running);
      await new Promise((r) => setTimeout(r, 5 * (6 - i)));
      running -= 1;
      finished.push(i);
      if (i === 1 || i === 4) throw new Error(`item ${i}`);
      return i;
    }).catch((e: unknown) => e);
    expect(String(error)).toBe("Error: item 1");
    expect(most).toBe(2);
    expect(finished.sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
