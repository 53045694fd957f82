// Artifact benchmarks (the repository's benchmark rules): upload then download through Azurite, in one run,
// side by side, medians of BENCH_REPEATS:
//   ours     GitHubStore.upload (compressionLevel "auto") + downloadArtifacts (REST fake -> Azurite)
//   default  @actions/artifact DefaultArtifactClient with upload-artifact's defaults
//            (compressionLevel 6) uploadArtifact + downloadArtifact
//   ceiling  the storage service's own speed: the same files as block blobs straight through
//            @azure/storage-blob (uploadFile / downloadToFile, 8 MiB blocks, concurrency 8),
//            measured on the checkpoint only (a zip is what makes many small files movable)
// on (1) 1 GiB of incompressible shards and (2) 10,000 small compressible files. The peak-memory
// figure is bench/peak-rss.js (its own process, so other work does not inflate it).
// Runs against the built library (`npm run build` first; the stand-ins come from @dstack/testing).
// Environment: BENCH_MIB (checkpoint size in MiB, default 1024, over 8 shards), BENCH_FILES
// (default 10000), BENCH_REPEATS (default 3), BENCH_VERBOSE=1 keeps the client's log lines;
// BENCH_CONCURRENCY and BENCH_BLOCKS set the store's `concurrency` and `uploadBlocks`.
// Prints `bench: <name> <number> <unit>` lines; never fails on speed.
import fs from "node:fs";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { GitHubStore } from "../lib/github-store.js";
import {
  figure,
  log,
  median,
  REPO,
  startStandIns,
  TOKEN,
  timed,
  writeShards,
  writeSmallFiles,
} from "./setup.js";

const totalMib = Number(process.env.BENCH_MIB ?? 1024);
const smallCount = Number(process.env.BENCH_FILES ?? 10_000);
const repeats = Math.max(1, Number(process.env.BENCH_REPEATS ?? 3));

const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "dstack-bench-checkpoint-"));
let standIns;
try {
  standIns = await startStandIns(tmp);
  const { inRun, newRun, dropBlobs, rawRoundTrip, rest } = standIns;
  const { DefaultArtifactClient } = await import("@actions/artifact");
  const store = new GitHubStore({
    token: TOKEN,
    repository: REPO,
    apiUrl: rest.url,
    ...(process.env.BENCH_CONCURRENCY
      ? { concurrency: Number(process.env.BENCH_CONCURRENCY) }
      : {}),
    ...(process.env.BENCH_BLOCKS ? { uploadBlocks: Number(process.env.BENCH_BLOCKS) } : {}),
  });

  /** Medians (s) of ours / default / ceiling moving `src` (holding `files`) up and down. */
  const compare = async (label, src, files, { ceiling }) => {
    const times = { ours: [], default: [], ceiling: [] };
    for (let r = 0; r < repeats; r++) {
      const runName = `${label}-${r}`;
      const ours = await timed(async () => {
        const up = await inRun(newRun(), () =>
          store.upload({ runName, localPath: src, artifactPath: label }),
        );
        if (r === 0)
          log(`bench: ${label}: ours chose level ${up.compressionLevel}: ${up.compressionReason}`);
        await inRun(newRun(), () =>
          store.downloadArtifacts({ run: runName }, { localPath: path.join(tmp, `ours-${r}`) }),
        );
      });
      await fsp.rm(path.join(tmp, `ours-${r}`), { recursive: true, force: true });
      await dropBlobs();
      const def = await timed(async () => {
        await inRun(newRun(), async () => {
          const client = new DefaultArtifactClient();
          const up = await client.uploadArtifact(`${label}-${r}`, files, src, {
            compressionLevel: 6,
          });
          await client.downloadArtifact(up.id, { path: path.join(tmp, `default-${r}`) });
        });
      });
      await fsp.rm(path.join(tmp, `default-${r}`), { recursive: true, force: true });
      await dropBlobs();
      const raw = ceiling
        ? await timed(() => rawRoundTrip(files, path.join(tmp, `raw-${r}`)))
        : NaN;
      await fsp.rm(path.join(tmp, `raw-${r}`), { recursive: true, force: true });
      times.ours.push(ours);
      times.default.push(def);
      times.ceiling.push(raw);
      log(
        `bench: ${label}: repeat ${r + 1}/${repeats}: ours ${ours.toFixed(2)} s, default ${def.toFixed(2)} s${ceiling ? `, ceiling ${raw.toFixed(2)} s` : ""} (load ${os.loadavg()[0].toFixed(2)})`,
      );
    }
    return { ours: median(times.ours), def: median(times.default), ceiling: median(times.ceiling) };
  };

  const shards = path.join(tmp, "shards");
  log(`bench: writing 8 shards, ${totalMib} MiB of random bytes in all, to ${shards}`);
  const big = await compare(
    "checkpoint",
    shards,
    await writeShards(shards, { totalMib, count: 8 }),
    { ceiling: true },
  );
  await fsp.rm(shards, { recursive: true, force: true });
  if (totalMib !== 1024) log(`bench: note: BENCH_MIB=${totalMib}, not 1 GiB; names kept`);
  figure("checkpoint-1gib-ours-s", big.ours.toFixed(3), "s");
  figure("checkpoint-1gib-default-s", big.def.toFixed(3), "s");
  figure("checkpoint-1gib-ceiling-s", big.ceiling.toFixed(3), "s");
  figure("checkpoint-1gib-fraction-of-ceiling", (big.ceiling / big.ours).toFixed(3), "x");
  figure("checkpoint-1gib-speedup-vs-default", (big.def / big.ours).toFixed(2), "x");

  const small = path.join(tmp, "small");
  log(`bench: writing ${smallCount} small compressible files to ${small}`);
  const few = await compare("small-files", small, await writeSmallFiles(small, smallCount), {
    ceiling: false,
  });
  if (smallCount !== 10_000) log(`bench: note: BENCH_FILES=${smallCount}, not 10,000; names kept`);
  figure("small-files-ours-s", few.ours.toFixed(3), "s");
  figure("small-files-default-s", few.def.toFixed(3), "s");
  figure("small-files-ratio-vs-default", (few.def / few.ours).toFixed(2), "x");
  log(
    `bench: load average at the end ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")}`,
  );
} finally {
  await standIns?.stop();
  await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  if (fs.existsSync(tmp)) log(`bench: could not remove ${tmp}`);
}
