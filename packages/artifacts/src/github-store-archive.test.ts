// Many small files of the GitHub store packed into one tar artifact (`dstack-tar--...`), against
// the real @actions/artifact client, Azurite, the results-service fake and the OpenAPI-validated
// REST fake: round trips, the zips of earlier versions, digests, crafted archives and trust.
import { randomBytes } from "node:crypto";
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
  type TarEntry,
  workflowRuns,
  writeTar,
  writeTree,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ARCHIVE_MANIFEST, manifestOf } from "./archive.js";
import { StoreError } from "./errors.js";
import { archiveArtifactName, GitHubStore, type GitHubStoreError } from "./github-store.js";

const TOKEN = "ghs_fake_token_for_tests";
const REPO = "octo/archives";
/** Artifact paths of at least this many files go as one archive in these tests. */
const MIN_FILES = 5;

let storage: ActionsStorageSession;
let azurite: Azurite;
let service: ResultsService;
let rest: ArtifactsRestApi;
let tmp: string;
const runs = workflowRuns();

const inRun = <T>(run: BackendIds, fn: () => Promise<T>): Promise<T> => storage.inRun(run, fn);

beforeAll(async () => {
  storage = await enterActionsStorage({ repository: REPO, runs, tmpPrefix: "github-archive-" });
  ({ azurite, service, rest, tmp } = storage);
}, 60_000);

afterAll(() => storage?.close());

function store(options: Partial<ConstructorParameters<typeof GitHubStore>[0]> = {}) {
  const warnings: string[] = [];
  const s = new GitHubStore({
    token: TOKEN,
    repository: REPO,
    apiUrl: rest.url,
    archiveMinFiles: MIN_FILES,
    warn: (m) => warnings.push(m),
    ...options,
  });
  return Object.assign(s, { warnings });
}

/** A fresh source folder with these files (and links). */
function source(
  name: string,
  files: Record<string, string>,
  links: Record<string, string> = {},
): string {
  return writeTree(path.join(tmp, "src", name), files, links);
}

/** `count` small text files in folders, as path -> content. */
function metrics(count: number, tag = ""): Record<string, string> {
  return Object.fromEntries(
    Array.from({ length: count }, (_, i) => [
      `part-${i % 3}/metrics-${i}.json`,
      `{"step": ${i}, "loss": ${(1 / (i + 1)).toFixed(6)}${tag}}\n`,
    ]),
  );
}

/** Uploads `file` as it is (an archive a hostile or older writer made) in the current run. */
async function uploadRaw(file: string): Promise<void> {
  const { DefaultArtifactClient } = await import("@actions/artifact");
  await new DefaultArtifactClient().uploadArtifact(
    path.basename(file),
    [file],
    path.dirname(file),
    { skipArchive: true },
  );
}

describe("many files go up as one archive", () => {
  const runUp = runs.add(401);
  const runDown = runs.add(402);
  const files: Record<string, string> = { ...metrics(12), "config.json": '{"lr":0.001}\n' };
  let up: Awaited<ReturnType<GitHubStore["upload"]>>;

  it("a folder of many files is one tar.gz artifact (a link inside stored as its file)", async () => {
    const dir = source("many", files, { "latest.json": "part-0/metrics-0.json" });
    up = await inRun(runUp, () =>
      store().upload({ runName: "tar-tern-1", localPath: dir, artifactPath: "metrics" }),
    );
    expect(up.name).toBe("dstack-tar--tar-tern-1--metrics.tar.gz");
    expect(up.files).toBe(14);
    expect(up.compressionReason).toMatch(/14 files packed into one tar\.gz \(gzip level 6\)$/);
    const stored = service.artifacts();
    const a = stored.find((s) => s.id === up.id) as StoredArtifact;
    expect(a.mimeType).toBe("application/gzip");
    expect(a.size).toBe(up.size);
    // One data artifact and the marker: no zip beside the archive.
    const ofRun = stored.filter((s) => s.name.includes("tar-tern-1")).map((s) => s.name);
    expect(ofRun.sort()).toEqual([
      "dstack-run--tar-tern-1",
      "dstack-tar--tar-tern-1--metrics.tar.gz",
    ]);
  });

  it("is listed as an archive of its artifact path", async () => {
    const s = store();
    const listed = await s.listRunArtifacts(await s.resolveRun("tar-tern-1"));
    expect(listed.map((a) => [a.artifactPath, a.kind, a.name])).toEqual([
      ["metrics", "archive", "dstack-tar--tar-tern-1--metrics.tar.gz"],
    ]);
  });

  const all = { ...files, "latest.json": files["part-0/metrics-0.json"] as string };
  const under = (prefix: string) =>
    Object.fromEntries(
      Object.entries(all)
        .filter(([k]) => k.startsWith(prefix))
        .map(([k, v]) => [k.slice(prefix.length), v]),
    );
  const downloads = [
    {
      name: "everything",
      artifactPath: undefined,
      want: Object.fromEntries(Object.entries(all).map(([k, v]) => [`metrics/${k}`, v])),
    },
    { name: "the artifact path", artifactPath: "metrics", want: all },
    { name: "a folder inside the archive", artifactPath: "metrics/part-1", want: under("part-1/") },
    {
      name: "one file inside the archive",
      artifactPath: "metrics/config.json",
      want: { "config.json": files["config.json"] },
    },
  ];
  it.each(downloads)("downloads $name, digest-checked, nothing left behind", async (c) => {
    const dest = path.join(tmp, "down", c.name.replaceAll(" ", "-"), "here");
    const r = await inRun(runDown, () =>
      store().downloadArtifacts(
        { run: "tar-tern-1" },
        {
          localPath: dest,
          ...(c.artifactPath !== undefined ? { artifactPath: c.artifactPath } : {}),
        },
      ),
    );
    expect(readTree(dest)).toEqual(c.want);
    expect(r.files).toBe(Object.keys(c.want).length);
    expect(leftovers(path.dirname(dest))).toEqual([]);
    expect(fs.readdirSync(path.dirname(dest))).toEqual(["here"]);
  });

  it("level 0 sends a plain tar", async () => {
    const dir = source("plain", metrics(6));
    const r = await inRun(runs.add(403), () =>
      store().upload({
        runName: "plain-pika-1",
        localPath: dir,
        artifactPath: "m",
        compressionLevel: 0,
      }),
    );
    expect(r.name).toBe("dstack-tar--plain-pika-1--m.tar");
    expect(service.artifacts().find((s) => s.id === r.id)?.mimeType).toBe("application/x-tar");
    const dest = path.join(tmp, "plain-down");
    await inRun(runDown, () =>
      store().downloadArtifacts({ run: "plain-pika-1" }, { localPath: dest }),
    );
    expect(readTree(path.join(dest, "m"))).toEqual(metrics(6));
  });

  const zipped = [
    { name: "fewer files than archiveMinFiles", files: metrics(MIN_FILES - 1), hidden: false },
    {
      name: "a file named like the archive's manifest",
      files: { ...metrics(MIN_FILES), [ARCHIVE_MANIFEST]: "{}\n" },
      hidden: true,
    },
  ];
  it.each(zipped)("$name: the client's zip, as before", async ({ name, files: f, hidden }) => {
    const runName = `zip-zebu-${zipped.findIndex((c) => c.name === name)}`;
    const r = await inRun(runs.add(404), () =>
      store().upload({
        runName,
        localPath: source(runName, f),
        artifactPath: "m",
        includeHiddenFiles: hidden,
      }),
    );
    expect(r.name).toBe(`dstack--${runName}--m`);
    const dest = path.join(tmp, "zip-down", runName);
    await inRun(runDown, () => store().downloadArtifacts({ run: runName }, { localPath: dest }));
    expect(readTree(path.join(dest, "m"))).toEqual(f);
  });

  it("zips of earlier versions still download, beside an archive of the same run", async () => {
    const run = runs.add(405);
    const old = metrics(8, ', "old": true');
    const fresh = metrics(7);
    await inRun(run, async () => {
      // An earlier version zipped everything: the same as archiveMinFiles Infinity.
      const before = await store({ archiveMinFiles: Number.POSITIVE_INFINITY }).upload({
        runName: "mixed-mole-1",
        localPath: source("old", old),
        artifactPath: "old",
      });
      expect(before.name).toBe("dstack--mixed-mole-1--old");
      const now = await store().upload({
        runName: "mixed-mole-1",
        localPath: source("new", fresh),
        artifactPath: "new",
      });
      expect(now.name).toBe("dstack-tar--mixed-mole-1--new.tar.gz");
    });
    const dest = path.join(tmp, "mixed-down");
    const r = await inRun(runDown, () =>
      store().downloadArtifacts({ run: "mixed-mole-1" }, { localPath: dest }),
    );
    expect(r.artifacts.map((a) => [a.artifactPath, a.kind])).toEqual([
      ["new", "archive"],
      ["old", "zip"],
    ]);
    expect(readTree(path.join(dest, "old"))).toEqual(old);
    expect(readTree(path.join(dest, "new"))).toEqual(fresh);
  });

  it("a zip and an archive of one path in one workflow run: the newer is the path", async () => {
    const run = runs.add(407);
    const first = metrics(2, ', "first": true');
    const second = metrics(MIN_FILES);
    const s = store();
    for (const [name, f] of [
      ["first", first],
      ["second", second],
    ] as const) {
      await inRun(run, () =>
        s.upload({
          runName: "twice-tui-1",
          localPath: source(`twice-${name}`, f),
          artifactPath: "m",
        }),
      );
    }
    const dest = path.join(tmp, "twice-down");
    const r = await inRun(runDown, () =>
      store().downloadArtifacts({ run: "twice-tui-1" }, { localPath: dest }),
    );
    expect(r.artifacts.map((a) => a.kind)).toEqual(["archive"]);
    expect(readTree(path.join(dest, "m"))).toEqual(second);
  });

  it("a corrupted archive blob fails the download naming it; the target is unchanged", async () => {
    const dir = source("corrupt", metrics(6));
    const r = await inRun(runs.add(406), () =>
      store().upload({ runName: "bad-bat-1", localPath: dir, artifactPath: "m" }),
    );
    const a = service.artifacts().find((s) => s.id === r.id) as StoredArtifact;
    const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
    await new BlobServiceClient(azurite.blobUrl, credential)
      .getContainerClient(a.container)
      .getBlockBlobClient(a.blobName)
      .uploadData(randomBytes(a.size));
    const parent = path.join(tmp, "corrupt-down");
    const dest = path.join(parent, "m");
    writeTree(dest, { "keep.txt": "mine\n" });
    const error = await inRun(runDown, () =>
      store().downloadArtifacts({ run: "bad-bat-1" }, { localPath: dest }),
    ).catch((e: unknown) => e);
    expect((error as GitHubStoreError).reason).toBe("digest-mismatch");
    expect(String(error)).toMatch(
      /artifact dstack-tar--bad-bat-1--m\.tar\.gz \(id \d+\) of run "bad-bat-1": the download does not match its digest/,
    );
    expect(readTree(parent)).toEqual({ "m/keep.txt": "mine\n" });
  });
});

describe("crafted archives from a run are refused, naming the entry", () => {
  const attacks: { name: string; entries: TarEntry[]; manifestFiles?: string[]; error: RegExp }[] =
    [
      {
        name: "a path that climbs out",
        entries: [{ name: "ok.txt" }, { name: "../../escape.txt" }],
        error: /entry "\.\.\/\.\.\/escape\.txt": it climbs out with \.\./,
      },
      {
        name: "an absolute path",
        entries: [{ name: "/tmp/absolute.txt" }],
        error: /entry "\/tmp\/absolute\.txt": it is absolute/,
      },
      {
        name: "a symbolic link out, then a file through it",
        entries: [
          { name: "out", type: "symlink", linkname: "../../.." },
          { name: "out/escape.txt" },
        ],
        error:
          /entry "out" is a symbolic link to "\.\.\/\.\.\/\.\."; these archives hold regular files only/,
      },
      {
        name: "a file its manifest does not list",
        entries: [{ name: "a.txt" }, { name: "smuggled.txt" }],
        manifestFiles: ["a.txt"],
        error: /does not hold the files its manifest lists/,
      },
    ];
  const runH = runs.add(501);
  it.each(attacks)("$name", async ({ name, entries, manifestFiles, error }) => {
    const runName = `hostile-hen-${attacks.findIndex((c) => c.name === name)}`;
    const listed = (manifestFiles ?? entries.filter((e) => !e.type).map((e) => e.name)).map(
      (rel) => ({ rel, size: 2 }),
    );
    const file = path.join(
      tmp,
      "crafted",
      runName,
      archiveArtifactName(runName, "model", { gzip: true }),
    );
    fs.mkdirSync(path.dirname(file), { recursive: true });
    await writeTar(
      file,
      [...entries, { name: ARCHIVE_MANIFEST, body: JSON.stringify(manifestOf(listed)) }],
      { gzip: true },
    );
    // A genuine artifact (its digest is what GitHub lists) of a trusted run: only the content
    // is hostile, as a compromised workflow could make it.
    await inRun(runH, async () => {
      await store().upload({
        runName,
        localPath: source(`${runName}-logs`, { "a.log": "x\n" }),
        artifactPath: "logs",
      });
      await uploadRaw(file);
    });
    const outside = path.join(tmp, "hostile", runName);
    const dest = path.join(outside, "a", "target");
    writeTree(dest, { "keep.txt": "mine\n" });
    const e = await inRun(runH, () =>
      store().downloadArtifacts({ run: runName }, { localPath: dest }),
    ).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(StoreError);
    expect((e as StoreError).code).toBe("invalid");
    expect(String(e)).toMatch(
      new RegExp(
        `artifact dstack-tar--${runName}--model\\.tar\\.gz \\(id \\d+\\) of run "${runName}": `,
      ),
    );
    expect(String(e)).toMatch(error);
    // All or nothing: the target is as it was, nothing beside it, nothing escaped.
    expect(readTree(outside)).toEqual({ "a/target/keep.txt": "mine\n" });
    expect(fs.existsSync(path.join(tmp, "hostile", "escape.txt"))).toBe(false);
    expect(fs.existsSync(path.join(tmp, "escape.txt"))).toBe(false);
    expect(fs.existsSync("/tmp/absolute.txt")).toBe(false);
  });
});

describe("trust and round trips", () => {
  const trusted = runs.add(601);
  const fork = runs.add(602, {
    event: "pull_request",
    workflowFile: "ci.yml",
    headBranch: "patch-1",
    fork: true,
  });

  it("a fork's newer archive under a trusted run's name is never used", async () => {
    await inRun(trusted, () =>
      store().upload({
        runName: "true-tit-1",
        localPath: source("trusted", metrics(6)),
        artifactPath: "m",
      }),
    );
    await inRun(fork, () =>
      store().upload({
        runName: "true-tit-1",
        localPath: source("forked", metrics(6, ', "evil": true')),
        artifactPath: "m",
      }),
    );
    const s = store();
    const dest = path.join(tmp, "trust-down");
    const r = await inRun(trusted, () =>
      s.downloadArtifacts({ run: "true-tit-1" }, { localPath: dest }),
    );
    expect(r.workflowRunId).toBe(601);
    expect(readTree(path.join(dest, "m"))).toEqual(metrics(6));
    expect(s.warnings.join("\n")).toMatch(/workflow run 602\): fork/);
  });

  it("a store writes a run's marker once per workflow run, however many paths it uploads", async () => {
    // One step of one workflow run: its runtime token stays the same, as on a runner.
    const token = service.envFor(runs.add(603)).ACTIONS_RUNTIME_TOKEN;
    const upload = (s: GitHubStore, artifactPath: string) => {
      process.env.ACTIONS_RUNTIME_TOKEN = token;
      return s.upload({
        runName: "once-owl-1",
        localPath: source(`once-${artifactPath}`, metrics(2)),
        artifactPath,
      });
    };
    const markers = () => service.artifacts().filter((a) => a.name === "dstack-run--once-owl-1");
    const s = store();
    await upload(s, "a");
    const [marker] = markers();
    expect(marker).toBeDefined();
    // With the marker gone, only a store that has not written it in this run tries again.
    await service.deleteArtifact((marker as StoredArtifact).id);
    await upload(s, "b");
    expect(markers()).toEqual([]);
    await upload(store(), "c");
    expect(markers()).toHaveLength(1);
  });
});
