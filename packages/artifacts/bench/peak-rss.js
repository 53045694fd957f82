// Peak memory while moving a large artifact (issue 4, `bench: peak-rss-mib`): this process
// uploads BENCH_RSS_MIB (default 4096) MiB of incompressible shards with GitHubStore and
// downloads them again through Azurite, then prints its own peak resident set size
// (process.resourceUsage().maxRSS). Azurite runs in its own process and is not counted. A
// streaming path keeps the figure flat whatever the size: compare BENCH_RSS_MIB=512 with 4096.
import fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { GitHubStore } from "../lib/github-store.js";
import { figure, log, REPO, startStandIns, TOKEN, timed, writeShards } from "./setup.js";

const totalMib = Number(process.env.BENCH_RSS_MIB ?? 4096);
const tmp = await fsp.mkdtemp(path.join(os.tmpdir(), "dstack-bench-rss-"));
let standIns;
try {
  standIns = await startStandIns(tmp);
  const { inRun, newRun, rest } = standIns;
  const store = new GitHubStore({ token: TOKEN, repository: REPO, apiUrl: rest.url });
  const src = path.join(tmp, "src");
  log(`bench: writing 16 shards, ${totalMib} MiB in all, to ${src}`);
  await writeShards(src, { totalMib, count: 16 });
  const before = process.resourceUsage().maxRSS / 1024;
  const seconds = await timed(async () => {
    await inRun(newRun(), () =>
      store.upload({ runName: "large-1", localPath: src, artifactPath: "model" }),
    );
    await fsp.rm(src, { recursive: true, force: true });
    await inRun(newRun(), () =>
      store.downloadArtifacts({ run: "large-1" }, { localPath: path.join(tmp, "down") }),
    );
  });
  const peak = process.resourceUsage().maxRSS / 1024;
  log(
    `bench: moved ${totalMib} MiB up and down in ${seconds.toFixed(1)} s; peak RSS before ${before.toFixed(0)} MiB`,
  );
  if (totalMib !== 4096) log(`bench: note: BENCH_RSS_MIB=${totalMib}, not 4 GiB; name kept`);
  figure("peak-rss-mib", peak.toFixed(0), "MiB");
} finally {
  await standIns?.stop();
  await fsp.rm(tmp, { recursive: true, force: true }).catch(() => undefined);
}
