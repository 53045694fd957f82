// Checkpoint benchmark (issue 4, "Benchmarks"): upload then download of incompressible shards
// through Azurite, in one run, side by side, medians of BENCH_REPEATS:
//   ours     GitHubStore.upload (compressionLevel "auto" -> 0) + downloadArtifacts (REST fake -> Azurite)
//   default  @actions/artifact DefaultArtifactClient with upload-artifact's defaults
//            (compressionLevel 6) uploadArtifact + downloadArtifact
//   copy     fs.cp of the same files on the same disk (the limit)
// Runs against the built library (`npm run build` first; it needs lib/testing-actions.js).
// Environment: BENCH_MIB (total size in MiB, default 1024, split over 8 shards),
// BENCH_REPEATS (default 3), BENCH_VERBOSE=1 to keep the client's own log lines.
// Prints `bench: <name> <number> <unit>` lines; never fails on speed.
import { randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import { startFakeGitHub } from "@dstack/testing";
import { GitHubStore } from "../lib/github-store.js";
import { startAzurite, startResultsService } from "../lib/testing-actions.js";

const MIB = 1024 * 1024;
const SHARDS = 8;
const totalMib = Number(process.env.BENCH_MIB ?? 1024);
const repeats = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));
const REPO = "octo/bench";
const TOKEN = "ghs_fake_token_for_bench";

// @actions/core writes `::debug::` and progress lines to stdout; keep stdout for the figures.
const print = process.stdout.write.bind(process.stdout);
if (process.env.BENCH_VERBOSE !== "1") process.stdout.write = () => true;
const log = (line) => process.stderr.write(`${line}\n`);
const figure = (name, value, unit) => print(`bench: ${name} ${value} ${unit}\n`);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

async function timed(fn) {
  const t0 = performance.now();
  await fn();
  return (performance.now() - t0) / 1000;
}

/** Writes SHARDS files of random bytes, in 16 MiB pieces (flat memory). */
async function writeShards(dir) {
  await fsp.mkdir(dir, { recursive: true });
  const shardBytes = Math.floor((totalMib * MIB) / SHARDS);
  const files = [];
  for (let i = 0; i < SHARDS; i++) {
    const file = path.join(dir, `model-${String(i).padStart(5, "0")}-of-${SHARDS}.safetensors`);
    const handle = await fsp.open(file, "w");
    try {
      for (let left = shardBytes; left > 0; left -= 16 * MIB) {
        await handle.write(randomBytes(Math.min(left, 16 * MIB)));
      }
    } finally {
      await handle.close();
    }
    files.push(file);
  }
  return files;
}

const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "dstack-bench-checkpoint-"));
let azurite;
let service;
let github;
try {
  azurite = await startAzurite();
  service = await startResultsService({ azurite });
  const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
  const blobs = new BlobServiceClient(azurite.blobUrl, credential);
  /** Backend run id -> numeric workflow run id, for the REST fake. */
  const runIds = new Map();
  let nextRunId = 1000;
  const newRun = () => {
    const ids = { workflowRunBackendId: randomUUID(), workflowJobRunBackendId: randomUUID() };
    runIds.set(ids.workflowRunBackendId, nextRunId++);
    return ids;
  };
  const toRest = (a) => {
    const url = `${github.url}/repos/${REPO}/actions/artifacts/${a.id}`;
    return {
      id: a.id,
      node_id: `MDg6QXJ0aWZhY3Q${a.id}`,
      name: a.name,
      size_in_bytes: a.size,
      url,
      archive_download_url: `${url}/zip`,
      expired: false,
      created_at: a.createdAt,
      expires_at: a.expiresAt,
      updated_at: a.createdAt,
      digest: a.digest ?? null,
      workflow_run: {
        id: runIds.get(a.workflowRunBackendId) ?? 0,
        repository_id: 1,
        head_repository_id: 1,
        head_branch: "main",
        head_sha: "0".repeat(40),
      },
    };
  };
  const list = (items) => ({
    status: 200,
    body: { total_count: items.length, artifacts: items.map(toRest) },
  });
  github = await startFakeGitHub({
    "GET /repos/{owner}/{repo}/actions/artifacts": (req) => {
      const name = req.query.get("name");
      return list(service.artifacts().filter((a) => a.finalized && (!name || a.name === name)));
    },
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts": (req) => {
      const runId = Number(req.params.run_id);
      return list(
        service
          .artifacts()
          .filter((a) => a.finalized && runIds.get(a.workflowRunBackendId) === runId),
      );
    },
    "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}": (req) => {
      const a = service.artifacts().find((x) => x.id === Number(req.params.artifact_id));
      if (!a?.finalized)
        return { status: 404, body: { message: "Not Found", documentation_url: "" } };
      return { status: 302, headers: { location: service.downloadUrl(a) } };
    },
  });
  // Before @actions/artifact is first loaded: @actions/github reads GITHUB_API_URL once.
  Object.assign(process.env, service.env, { GITHUB_WORKSPACE: tmp, GITHUB_API_URL: github.url });
  delete process.env.GITHUB_RETENTION_DAYS;
  const { DefaultArtifactClient } = await import("@actions/artifact");

  const inRun = async (ids, fn) => {
    process.env.ACTIONS_RUNTIME_TOKEN = service.envFor(ids).ACTIONS_RUNTIME_TOKEN;
    return await fn();
  };
  /** Removes every stored blob so Azurite's disk does not grow with each repetition. */
  const dropBlobs = async () => {
    for (const a of service.artifacts()) {
      await blobs.getContainerClient(a.container).getBlobClient(a.blobName).deleteIfExists();
    }
  };

  const src = path.join(tmp, "src");
  log(`bench: writing ${SHARDS} shards, ${totalMib} MiB of random bytes in all, to ${src}`);
  const files = await writeShards(src);
  const store = new GitHubStore({ token: TOKEN, repository: REPO, apiUrl: github.url });
  const times = { ours: [], default: [], copy: [] };
  for (let r = 0; r < repeats; r++) {
    const runName = `bench-${r}`;
    const ours = await timed(async () => {
      const up = await inRun(newRun(), () =>
        store.upload({ runName, localPath: src, artifactPath: "checkpoint" }),
      );
      if (r === 0) log(`bench: ours chose level ${up.compressionLevel}: ${up.compressionReason}`);
      await inRun(newRun(), () =>
        store.downloadArtifacts({ run: runName }, { localPath: path.join(tmp, `ours-${r}`) }),
      );
    });
    await fsp.rm(path.join(tmp, `ours-${r}`), { recursive: true, force: true });
    await dropBlobs();

    const def = await timed(async () => {
      await inRun(newRun(), async () => {
        const client = new DefaultArtifactClient();
        const up = await client.uploadArtifact(`checkpoint-${r}`, files, src, {
          compressionLevel: 6,
        });
        await client.downloadArtifact(up.id, { path: path.join(tmp, `default-${r}`) });
      });
    });
    await fsp.rm(path.join(tmp, `default-${r}`), { recursive: true, force: true });
    await dropBlobs();

    const copy = await timed(() => fsp.cp(src, path.join(tmp, `copy-${r}`), { recursive: true }));
    await fsp.rm(path.join(tmp, `copy-${r}`), { recursive: true, force: true });

    times.ours.push(ours);
    times.default.push(def);
    times.copy.push(copy);
    log(
      `bench: repeat ${r + 1}/${repeats}: ours ${ours.toFixed(2)} s, default ${def.toFixed(2)} s, copy ${copy.toFixed(2)} s`,
    );
  }
  const ours = median(times.ours);
  const def = median(times.default);
  const copy = median(times.copy);
  if (totalMib !== 1024) log(`bench: note: BENCH_MIB=${totalMib}, not 1 GiB; names kept`);
  figure("checkpoint-1gib-ours-s", ours.toFixed(3), "s");
  figure("checkpoint-1gib-default-s", def.toFixed(3), "s");
  figure("checkpoint-1gib-copy-s", copy.toFixed(3), "s");
  figure("checkpoint-1gib-speedup-vs-default", (def / ours).toFixed(2), "x");
  figure("checkpoint-1gib-fraction-of-raw", (copy / ours).toFixed(3), "x");
} finally {
  await github?.close().catch(() => undefined);
  await service?.close().catch(() => undefined);
  await azurite?.stop().catch(() => undefined);
  await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  if (fs.existsSync(tmp)) log(`bench: could not remove ${tmp}`);
}
