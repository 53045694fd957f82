/**
 * The GitHub store against the real parts: the unmodified `@actions/artifact` client with
 * Azurite and the results-service fake (uploads; downloads follow the REST 302 into Azurite),
 * and the OpenAPI-validated GitHub REST fake, answered from the results-service fake's records
 * so both views agree. Workflow runs are told apart by backend ids (`envFor`).
 */
import { createHash, randomBytes } from "node:crypto";
import fs from "node:fs";
import http from "node:http";
import path from "node:path";
import { crc32 as zlibCrc32 } from "node:zlib";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import {
  type ActionsStorageSession,
  type ArtifactsRestApi,
  type Azurite,
  type BackendIds,
  enterActionsStorage,
  type ResultsService,
  readTree,
  type StoredArtifact,
  workflowRuns,
  writeTree,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { StoreError } from "./errors.js";
import {
  dataArtifactName,
  decodeArtifactPath,
  encodeArtifactPath,
  GitHubStore,
  GitHubStoreError,
  runArtifactName,
  tagArtifactName,
} from "./github-store.js";

const TOKEN = "ghs_fake_token_for_tests";
const REPO = "octo/models";

let storage: ActionsStorageSession;
let azurite: Azurite;
let service: ResultsService;
let rest: ArtifactsRestApi;
let apiUrl: string;
let tmp: string;
/** The REST fake's clock offset (ms), to make artifacts expired in its view. */
let clockOffset = 0;

/** Workflow runs, made at collection time (before the servers start). */
const runs = workflowRuns();
const workflowRun = runs.add;

/** Runs `fn` as a step of `run` (its runtime token in the environment). */
const inRun = <T>(run: BackendIds, fn: () => Promise<T>): Promise<T> => storage.inRun(run, fn);

const now = () => Date.now() + clockOffset;

beforeAll(async () => {
  // GITHUB_API_URL before the client is first loaded: @actions/github reads it once.
  storage = await enterActionsStorage({ repository: REPO, now, runs, tmpPrefix: "github-store-" });
  ({ azurite, service, rest, tmp } = storage);
  apiUrl = rest.url;
}, 60_000);

afterAll(() => storage?.close());

/** A store on the fakes; its REST writes are not spaced (the fake has no secondary rate limit). */
function store(options: Partial<ConstructorParameters<typeof GitHubStore>[0]> = {}) {
  return new GitHubStore({
    token: TOKEN,
    repository: REPO,
    apiUrl,
    now,
    writeSpacingMs: 0,
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

describe("names", () => {
  const cases = [
    { name: "a folder", path: "model", slug: "model" },
    { name: "nested", path: "output/my_model", slug: "output~my_model" },
    { name: "tilde and percent", path: "a~b/c%d", slug: "a%7Eb~c%25d" },
  ];
  it.each(cases)("$name", ({ path: p, slug }) => {
    expect(encodeArtifactPath(p)).toBe(slug);
    expect(decodeArtifactPath(slug)).toBe(p);
    expect(dataArtifactName("sharp-shrimp-1", p)).toBe(`dstack--sharp-shrimp-1--${slug}`);
  });

  const bad = [
    { name: "a colon in a path", fn: () => encodeArtifactPath("a:b"), msg: /":" cannot be/ },
    { name: "a star in a path", fn: () => encodeArtifactPath("x/*.bin"), msg: /"\*" cannot be/ },
    { name: "a path leaving", fn: () => encodeArtifactPath("../x"), msg: /artifact path/ },
    {
      name: "a tag with a space",
      fn: () => tagArtifactName("best model"),
      msg: /tag "best model"/,
    },
    {
      name: "a run name with --",
      fn: () => dataArtifactName("a--b", "model"),
      msg: /run "a--b" is not a valid run name/,
    },
  ];
  it.each(bad)("refuses $name", ({ fn, msg }) => {
    expect(fn).toThrow(StoreError);
    expect(fn).toThrow(msg);
  });
});

describe("GitHubStore against the client, Azurite and the REST fake", () => {
  const runA = workflowRun(101);
  const runB = workflowRun(102);
  const runC = workflowRun(103);
  const big = randomBytes(3 * 1024 * 1024);
  const files = { "notes.txt": "epoch 3\n", "sub/params.json": '{"lr":0.001}\n' };
  let uploaded: Awaited<ReturnType<GitHubStore["upload"]>>;

  it("uploads a folder in run A with a tag: id, bare-hex digest, marker and tag artifacts", async () => {
    const dir = source("a", { ...files, "weights.bin": big });
    uploaded = await inRun(runA, () =>
      store().upload({
        runName: "sharp-shrimp-1",
        localPath: dir,
        artifactPath: "output/model",
        tag: "best",
        compressionLevel: 0,
      }),
    );
    expect(uploaded).toMatchObject({
      name: "dstack--sharp-shrimp-1--output~model",
      runName: "sharp-shrimp-1",
      artifactPath: "output/model",
      files: 3,
      bytes: big.length + 8 + 13,
      tag: { name: "dstack-tag--best" },
      compressionLevel: 0,
      compressionReason: "given",
    });
    expect(uploaded.digest).toMatch(/^[0-9a-f]{64}$/);
    const stored = service.artifacts().find((a) => a.id === uploaded.id);
    expect(stored?.digest).toBe(`sha256:${uploaded.digest}`);
    expect(service.artifacts().map((a) => a.name)).toEqual([
      "dstack--sharp-shrimp-1--output~model",
      "dstack-run--sharp-shrimp-1",
      "dstack-tag--best",
    ]);
  });

  it("a second artifact path of the same run reuses the marker", async () => {
    const dir = source("a-logs", { "train.log": "loss 0.1\n" });
    await inRun(runA, () =>
      store().upload({ runName: "sharp-shrimp-1", localPath: dir, artifactPath: "logs" }),
    );
    expect(service.artifacts().filter((a) => a.name.startsWith("dstack-run--"))).toHaveLength(1);
  });

  it("auto compression (the default) stores random bytes and deflates text, saying why", async () => {
    const shards = source("auto-random", { "shard-0.bin": randomBytes(2 * 1024 * 1024) });
    const runD = workflowRun(201);
    const stored = await inRun(runD, () =>
      store().upload({ runName: "auto-level-1", localPath: shards, artifactPath: "shards" }),
    );
    expect(stored.compressionLevel).toBe(0);
    expect(stored.compressionReason).toMatch(/^auto: .*incompressible, stored \(level 0\)/);
    expect(stored.size).toBeGreaterThan(2 * 1024 * 1024);
    const logs = source("auto-text", { "train.log": "epoch 1 loss 0.5\n".repeat(50_000) });
    const deflated = await inRun(runD, () =>
      store().upload({
        runName: "auto-level-1",
        localPath: logs,
        artifactPath: "train-logs",
        compressionLevel: "auto",
      }),
    );
    expect(deflated.compressionLevel).toBe(6);
    expect(deflated.compressionReason).toMatch(/deflated at level 6/);
    expect(deflated.size).toBeLessThan(deflated.bytes / 10);
  });

  it("refuses a compression level outside 0 to 9", async () => {
    const dir = source("bad-level", { "x.txt": "x" });
    const error = await store()
      .upload({
        runName: "sharp-shrimp-1",
        localPath: dir,
        artifactPath: "x",
        compressionLevel: 10,
      })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreError);
    expect(String(error)).toMatch(
      /compressionLevel 10: expected an integer 0 \(store\) to 9, or "auto"/,
    );
  });

  it("refuses the same artifact path twice in one workflow run, saying why", async () => {
    const dir = source("a-again", { "x.txt": "x" });
    const error = await inRun(runA, () =>
      store().upload({ runName: "sharp-shrimp-1", localPath: dir, artifactPath: "logs" }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubStoreError);
    expect((error as GitHubStoreError).reason).toBe("duplicate");
    expect(String(error)).toMatch(
      /dstack--sharp-shrimp-1--logs already exists in this workflow run.*unique per workflow run/,
    );
  });

  it("in a later run B, resolves the tag and downloads it byte for byte", async () => {
    const s = store({ pageSize: 1 });
    const resolved = await inRun(runB, () => s.resolveTag("best"));
    expect(resolved).toMatchObject({ runName: "sharp-shrimp-1", workflowRunId: 101, tag: "best" });
    const dest = path.join(tmp, "b", "model");
    const result = await inRun(runB, () =>
      s.downloadArtifacts({ tag: "best" }, { artifactPath: "output/model", localPath: dest }),
    );
    expect(result).toMatchObject({ runName: "sharp-shrimp-1", workflowRunId: 101, files: 3 });
    expect(fs.readFileSync(path.join(dest, "weights.bin")).equals(big)).toBe(true);
    expect(fs.readFileSync(path.join(dest, "sub/params.json"), "utf8")).toBe(
      files["sub/params.json"],
    );
    expect(fs.readdirSync(path.join(tmp, "b"))).toEqual(["model"]);
  });

  it("downloads a whole run by name, each artifact path as a folder, and a single file", async () => {
    const dest = path.join(tmp, "b-all");
    const all = await inRun(runB, () =>
      store().downloadArtifacts({ run: "sharp-shrimp-1" }, { localPath: dest }),
    );
    expect(all.files).toBe(4);
    expect(readTree(dest)["logs/train.log"]).toBe("loss 0.1\n");
    const one = path.join(tmp, "b-one");
    await inRun(runB, () =>
      store().downloadArtifacts(
        { run: "sharp-shrimp-1" },
        { artifactPath: "output/model/notes.txt", localPath: one },
      ),
    );
    expect(readTree(one)).toEqual({ "notes.txt": "epoch 3\n" });
  });

  it("names an unknown artifact path and lists the run's", async () => {
    await expect(
      inRun(runB, () =>
        store().downloadArtifacts(
          { run: "sharp-shrimp-1" },
          { artifactPath: "checkpoints", localPath: path.join(tmp, "nope") },
        ),
      ),
    ).rejects.toThrow(/no artifact path "checkpoints".*it has: logs, output\/model/);
    expect(fs.existsSync(path.join(tmp, "nope"))).toBe(false);
  });

  it("re-tagging in run C: the newest tag wins", async () => {
    const dir = source("c", { "weights.bin": "better\n" });
    await inRun(runC, () =>
      store().upload({ runName: "calm-cat-2", localPath: dir, artifactPath: "model", tag: "best" }),
    );
    const resolved = await inRun(runB, () => store({ pageSize: 1 }).resolveTag("best"));
    expect(resolved).toMatchObject({ runName: "calm-cat-2", workflowRunId: 103 });
    const dest = path.join(tmp, "c-best");
    await inRun(runB, () => store().downloadArtifacts({ tag: "best" }, { localPath: dest }));
    expect(readTree(dest)).toEqual({ "model/weights.bin": "better\n" });
  });

  it("an expired tag says when it expired", async () => {
    const runD = workflowRun(104);
    const dir = source("d", { "w.bin": "old\n" });
    const up = await inRun(runD, () =>
      store().upload({
        runName: "old-owl-3",
        localPath: dir,
        artifactPath: "model",
        tag: "stale",
        retentionDays: 1,
      }),
    );
    const expiresAt = service.artifacts().find((a) => a.id === up.tag?.id)?.expiresAt ?? "";
    clockOffset = 2 * 86_400_000;
    try {
      const error = await store()
        .resolveTag("stale")
        .catch((e: unknown) => e);
      expect(error).toBeInstanceOf(GitHubStoreError);
      expect((error as GitHubStoreError).reason).toBe("expired");
      expect((error as GitHubStoreError).code).toBe("not-found");
      expect(String(error)).toContain(`tag "stale" expired on ${expiresAt}`);
      expect(String(error)).toMatch(/kept 1 days/);
    } finally {
      clockOffset = 0;
    }
  });

  it("an unknown tag is named", async () => {
    await expect(store().resolveTag("nope")).rejects.toThrow(
      /no tag "nope" in octo\/models: no workflow run has an artifact named dstack-tag--nope/,
    );
  });

  it("a corrupted download is an error naming the artifact, and the target is unchanged", async () => {
    const runE = workflowRun(105);
    const dir = source("e", { "w.bin": randomBytes(64 * 1024) });
    const up = await inRun(runE, () =>
      store().upload({ runName: "bad-bat-4", localPath: dir, artifactPath: "model", tag: "bad" }),
    );
    // Replace the stored zip with another valid zip (another run's artifact).
    const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
    const container = (a: StoredArtifact) =>
      new BlobServiceClient(azurite.blobUrl, credential).getContainerClient(a.container);
    const target = service.artifacts().find((a) => a.id === up.id) as StoredArtifact;
    const other = service.artifacts().find((a) => a.id === uploaded.id) as StoredArtifact;
    const zip = await container(other).getBlobClient(other.blobName).downloadToBuffer();
    await container(target)
      .getBlockBlobClient(target.blobName)
      .uploadData(zip, { blobHTTPHeaders: { blobContentType: "application/zip" } });

    const parent = path.join(tmp, "e");
    const dest = path.join(parent, "model");
    writeTree(dest, { "keep.txt": "mine\n" });
    const error = await inRun(runB, () =>
      store().downloadArtifacts({ tag: "bad" }, { localPath: dest }),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(GitHubStoreError);
    expect((error as GitHubStoreError).reason).toBe("digest-mismatch");
    expect(String(error)).toMatch(/artifact dstack--bad-bat-4--model \(id \d+\).*digest/);
    expect(readTree(parent)).toEqual({ "model/keep.txt": "mine\n" });
  });

  it("a 403 names the missing permission", async () => {
    rest.deny(true);
    try {
      const error = await store()
        .resolveTag("best")
        .catch((e: unknown) => e);
      expect((error as GitHubStoreError).reason).toBe("permission");
      expect(String(error)).toMatch(/403.*Resource not accessible.*"actions: read" permission/);
    } finally {
      rest.deny(false);
    }
  });

  it("an unreachable API is retried, then a clear error", async () => {
    const closed = http.createServer();
    await new Promise<void>((r) => closed.listen(0, "127.0.0.1", r));
    const port = (closed.address() as { port: number }).port;
    await new Promise<void>((r) => closed.close(() => r()));
    const s = store({ apiUrl: `http://127.0.0.1:${port}`, retries: 2, retryBaseMs: 10 });
    const error = await s.resolveTag("best").catch((e: unknown) => e);
    expect((error as GitHubStoreError).reason).toBe("unreachable");
    expect(String(error)).toMatch(
      /cannot reach the GitHub API at http:\/\/127\.0\.0\.1:\d+ \(2 retries\)/,
    );
  });

  it("every REST request and answer matched GitHub's OpenAPI description", () => {
    expect(rest.github.problems).toEqual([]);
    expect(new Set(rest.github.requests.map((r) => r.operationId))).toEqual(
      new Set([
        "actions/list-artifacts-for-repo",
        "actions/list-workflow-run-artifacts",
        "actions/download-artifact",
        // The trust rules: the repository's id and default branch, and each candidate's run.
        "repos/get",
        "actions/get-workflow-run",
      ]),
    );
  });
});

/**
 * A zip with the given entries stored as they are (method 0), names unchecked. Hand-written on
 * purpose: zip libraries refuse to write the hostile names (`../x`, `/x`) this fixture needs.
 */
function rawZip(entries: Record<string, string>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const [name, text] of Object.entries(entries)) {
    const nameBytes = Buffer.from(name);
    const data = Buffer.from(text);
    const crc = zlibCrc32(data);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(data.length, 18);
    local.writeUInt32LE(data.length, 22);
    local.writeUInt16LE(nameBytes.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(20, 4);
    central.writeUInt16LE(20, 6);
    central.writeUInt32LE(crc, 16);
    central.writeUInt32LE(data.length, 20);
    central.writeUInt32LE(data.length, 24);
    central.writeUInt16LE(nameBytes.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, nameBytes, data);
    centrals.push(central, nameBytes);
    offset += 30 + nameBytes.length + data.length;
  }
  const dir = Buffer.concat(centrals);
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(centrals.length / 2, 8);
  end.writeUInt16LE(centrals.length / 2, 10);
  end.writeUInt32LE(dir.length, 12);
  end.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, dir, end]);
}

/** Uploads `zip` as artifact `name` the way any client could, through the Twirp API. */
async function uploadRawArtifact(run: BackendIds, name: string, zip: Buffer): Promise<number> {
  const call = async (method: string, body: Record<string, unknown>) => {
    const response = await fetch(
      new URL(`twirp/github.actions.results.api.v1.ArtifactService/${method}`, service.url),
      {
        method: "POST",
        headers: {
          "content-type": "application/json",
          authorization: `Bearer ${service.envFor(run).ACTIONS_RUNTIME_TOKEN}`,
        },
        body: JSON.stringify({
          workflow_run_backend_id: run.workflowRunBackendId,
          workflow_job_run_backend_id: run.workflowJobRunBackendId,
          name,
          ...body,
        }),
      },
    );
    expect(response.status).toBe(200);
    return (await response.json()) as Record<string, string>;
  };
  const created = await call("CreateArtifact", { version: 7, mime_type: "application/zip" });
  const put = await fetch(created.signed_upload_url as string, {
    method: "PUT",
    headers: { "x-ms-blob-type": "BlockBlob" },
    body: zip,
  });
  expect(put.status).toBe(201);
  const hash = createHash("sha256").update(zip).digest("hex");
  const done = await call("FinalizeArtifact", { size: String(zip.length), hash: `sha256:${hash}` });
  return Number(done.artifact_id);
}

describe("what is uploaded, and what a download may write", () => {
  const run = () => workflowRun(301);
  let runF: BackendIds & { id: number };
  beforeAll(() => {
    runF = run();
  });

  it("leaves hidden files and folders out unless asked, and says which", async () => {
    const dir = path.join(tmp, "src", "hidden");
    writeTree(dir, {
      "model.bin": "weights",
      ".env": "SECRET=1",
      ".git/config": "[core]",
      "sub/.cache/x": "cached",
      "sub/kept.txt": "kept",
    });
    const up = await inRun(runF, () =>
      store().upload({ runName: "hidden-run-1", localPath: dir, artifactPath: "model" }),
    );
    expect(up.files).toBe(2);
    expect(up.skippedHidden.sort()).toEqual([".env", ".git", "sub/.cache"]);
    const withHidden = await inRun(runF, () =>
      store().upload({
        runName: "hidden-run-2",
        localPath: dir,
        artifactPath: "model",
        includeHiddenFiles: true,
      }),
    );
    expect(withHidden.files).toBe(5);
    const dest = path.join(tmp, "hidden-down");
    await inRun(runF, () =>
      store().downloadArtifacts({ run: "hidden-run-1" }, { localPath: dest }),
    );
    expect(readTree(dest)).toEqual({ "model/model.bin": "weights", "model/sub/kept.txt": "kept" });
  });

  it("refuses a folder of hidden files only, naming the option", async () => {
    const dir = path.join(tmp, "src", "only-hidden");
    writeTree(dir, { ".env": "SECRET=1" });
    await expect(
      inRun(runF, () =>
        store().upload({ runName: "hidden-run-3", localPath: dir, artifactPath: "x" }),
      ),
    ).rejects.toThrow(/holds only hidden files \(\.env\); set include-hidden-files/);
  });

  const links: {
    name: string;
    links: Record<string, string>;
    ok?: Record<string, string>;
    error?: RegExp;
  }[] = [
    {
      name: "a link to a file inside is uploaded as that file's content",
      links: { "latest.bin": "ckpt/epoch-3.bin" },
      ok: { "ckpt/epoch-3.bin": "e3", "latest.bin": "e3" },
    },
    {
      name: "a link out of the folder is refused",
      links: { "leak.txt": "../../../etc/hostname" },
      error: /leak\.txt: a symbolic link to "\.\.\/\.\.\/\.\.\/etc\/hostname", outside/,
    },
    {
      name: "a link to a folder is refused",
      links: { "all-ckpt": "ckpt" },
      error: /all-ckpt: a symbolic link to a folder; GitHub artifacts hold files/,
    },
    {
      name: "a broken link is refused",
      links: { "gone.bin": "ckpt/nothing.bin" },
      error: /gone\.bin: a symbolic link to nothing \(a broken link\)/,
    },
  ];
  it.each(links)("$name", async ({ name, links: l, ok, error }) => {
    const dir = path.join(tmp, "src", "links", name.replaceAll(" ", "-"));
    writeTree(dir, { "ckpt/epoch-3.bin": "e3" }, l);
    const runName = `links-${links.findIndex((c) => c.name === name)}`;
    const upload = inRun(runF, () =>
      store().upload({ runName, localPath: dir, artifactPath: "ckpt" }),
    );
    if (error !== undefined) {
      await expect(upload).rejects.toThrow(error);
      return;
    }
    await upload;
    const dest = path.join(tmp, "links-down", runName);
    await inRun(runF, () => store().downloadArtifacts({ run: runName }, { localPath: dest }));
    expect(readTree(path.join(dest, "ckpt"))).toEqual(ok);
    expect(fs.lstatSync(path.join(dest, "ckpt", "latest.bin")).isFile()).toBe(true);
  });

  it("an archive whose entries climb out of the folder writes nothing outside the target", async () => {
    // The zip is genuine (its digest is what GitHub lists), only its names are hostile: what a
    // compromised workflow could upload. unzip-stream rewrites `..` parts to `.` and joins
    // absolute names below the target, so everything lands inside the staging folder.
    const zip = rawZip({
      "../../escape.txt": "out",
      "/tmp/absolute.txt": "abs",
      "ok/../../../climb.txt": "climb",
      "fine.txt": "fine",
    });
    await inRun(runF, async () => {
      await uploadRawArtifact(
        runF,
        runArtifactName("hostile-1"),
        rawZip({ "dstack-run.json": "{}" }),
      );
      await uploadRawArtifact(runF, dataArtifactName("hostile-1", "model"), zip);
    });
    const outside = path.join(tmp, "hostile");
    const dest = path.join(outside, "a", "b", "target");
    await inRun(runF, () => store().downloadArtifacts({ run: "hostile-1" }, { localPath: dest }));
    const all = readTree(outside);
    for (const p of Object.keys(all)) expect(p.startsWith("a/b/target/model/")).toBe(true);
    expect(all["a/b/target/model/fine.txt"]).toBe("fine");
    expect(fs.existsSync(path.join(tmp, "escape.txt"))).toBe(false);
    expect(fs.existsSync("/tmp/absolute.txt")).toBe(false);
  });
});
