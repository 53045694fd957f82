// Peak memory while moving a large artifact (`bench: peak-rss-mib`): BENCH_RSS_MIB (default
// 4096) MiB of incompressible shards are uploaded with GitHubStore and downloaded again through
// Azurite, each transfer in its own child process (as on a runner: one step, one process), and
// the figure is the larger of the two children's peak resident set size
// (process.resourceUsage().maxRSS). Azurite and the service and REST fakes run elsewhere (this
// parent process and Azurite's) and are not counted. A streaming path keeps the figure flat
// whatever the size: compare BENCH_RSS_MIB=512 with 4096. BENCH_CONCURRENCY sets the store's
// `concurrency` (files at once) and BENCH_BLOCKS its `uploadBlocks` (8 MiB blocks per upload at
// once); default: its own choice.
import { execFile } from "node:child_process";
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { GitHubStore } from "../lib/github-store.js";
import { figure, log, REPO, startStandIns, TOKEN, timed, writeShards } from "./setup.js";

const [role, localPath] = process.argv.slice(2);
if (role === "upload" || role === "download") {
  // A child: one transfer with the environment the parent set, then its peak RSS on stdout.
  const store = new GitHubStore({
    token: TOKEN,
    repository: REPO,
    ...(process.env.BENCH_CONCURRENCY
      ? { concurrency: Number(process.env.BENCH_CONCURRENCY) }
      : {}),
    ...(process.env.BENCH_BLOCKS ? { uploadBlocks: Number(process.env.BENCH_BLOCKS) } : {}),
  });
  if (role === "upload") {
    await store.upload({ runName: "large-1", localPath, artifactPath: "model" });
  } else {
    await store.downloadArtifacts({ run: "large-1" }, { localPath });
  }
  process.stderr.write(`rss-mib ${(process.resourceUsage().maxRSS / 1024).toFixed(0)}\n`);
} else {
  const totalMib = Number(process.env.BENCH_RSS_MIB ?? 4096);
  const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "dstack-bench-rss-"));
  const self = fileURLToPath(import.meta.url);
  /** Runs one transfer in a child with this process's environment; its peak RSS in MiB. */
  const child = async (which, where) => {
    const { stderr } = await promisify(execFile)(process.execPath, [self, which, where], {
      env: process.env,
      maxBuffer: 64 * 1024 * 1024,
    });
    const m = /rss-mib (\d+)/.exec(stderr);
    if (!m) throw new Error(`the ${which} child printed no rss-mib line:\n${stderr.slice(-2000)}`);
    return Number(m[1]);
  };
  let standIns;
  try {
    standIns = await startStandIns(tmp);
    const { inRun, newRun } = standIns;
    const src = path.join(tmp, "src");
    log(`bench: writing 16 shards, ${totalMib} MiB in all, to ${src}`);
    await writeShards(src, { totalMib, count: 16 });
    const rss = {};
    const seconds = await timed(async () => {
      rss.up = await inRun(newRun(), () => child("upload", src));
      await fsp.rm(src, { recursive: true, force: true });
      rss.down = await inRun(newRun(), () => child("download", path.join(tmp, "down")));
    });
    log(
      `bench: moved ${totalMib} MiB up and down in ${seconds.toFixed(1)} s; peak RSS upload ${rss.up} MiB, download ${rss.down} MiB (load ${os.loadavg()[0].toFixed(2)})`,
    );
    if (totalMib !== 4096) log(`bench: note: BENCH_RSS_MIB=${totalMib}, not 4 GiB; name kept`);
    figure("peak-rss-mib", Math.max(rss.up, rss.down).toFixed(0), "MiB");
  } finally {
    await standIns?.stop();
    await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
  }
}
