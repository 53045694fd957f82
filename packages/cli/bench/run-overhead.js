// bench: run-overhead-ms — from starting `dstack run` to the Python process starting, with a
// warm venv, above a bare `python3 FILE` started the same way. Each sample spawns the process and
// the script prints time.time() first thing; medians of REPEATS, side by side in one run.
// bench: run-overhead-500-finished-ms — the same, in a DSTACK_HOME whose store of the repository
// holds FINISHED_RUNS finished runs besides (copies of its warm-up run's record), as months of
// use leave it; sampled in the same loop, so that the machine's load weighs on both alike.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 15);
const FINISHED_RUNS = 500;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const bin = new URL("../bin/dstack.js", import.meta.url).pathname;

const repo = mkdtempSync(join(tmpdir(), "dstack-bench-repo-"));
mkdirSync(join(repo, ".dstack"));
writeFileSync(join(repo, "start.py"), "import time\nprint(repr(time.time()))\n");
writeFileSync(join(repo, "requirements.txt"), "# nothing to install\n");
writeFileSync(
  join(repo, ".dstack/workflows.yaml"),
  "workflows:\n  - name: start\n    file: start.py\n    requirements: requirements.txt\n",
);
const homeEnv = () => ({
  ...process.env,
  DSTACK_HOME: mkdtempSync(join(tmpdir(), "dstack-bench-home-")),
});
const env = homeEnv();
const crowdedEnv = homeEnv();

/** Seconds from spawning `argv` to the script's first line, in ms. */
function startDelay(file, args, withEnv = env) {
  const t0 = Date.now() / 1000;
  const out = execFileSync(file, args, {
    cwd: repo,
    env: withEnv,
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
  });
  const started = Number(
    out
      .trim()
      .split("\n")
      .find((l) => /^\d+\.\d+$/.test(l)),
  );
  return (started - t0) * 1000;
}

startDelay(process.execPath, [bin, "run", "start"]); // builds the venv: the runs below are warm
startDelay(process.execPath, [bin, "run", "start"], crowdedEnv);
const [store] = readdirSync(join(crowdedEnv.DSTACK_HOME, "repos"));
const runs = join(crowdedEnv.DSTACK_HOME, "repos", store, "runs");
const [warmUp] = readdirSync(runs);
const record = JSON.parse(readFileSync(join(runs, warmUp, "run.json"), "utf8"));
for (let i = 1; i <= FINISHED_RUNS; i++) {
  const runName = `old-run-${i}`;
  mkdirSync(join(runs, runName));
  writeFileSync(join(runs, runName, "run.json"), JSON.stringify({ ...record, runName }, null, 2));
}
const bare = [];
const dstack = [];
const crowded = [];
for (let i = 0; i < REPEATS; i++) {
  bare.push(startDelay("python3", ["start.py"]));
  dstack.push(startDelay(process.execPath, [bin, "run", "start"]));
  crowded.push(startDelay(process.execPath, [bin, "run", "start"], crowdedEnv));
}
console.log(`bench: bare-python-start-ms ${median(bare).toFixed(1)} ms`);
console.log(`bench: dstack-run-start-ms ${median(dstack).toFixed(1)} ms`);
console.log(`bench: run-overhead-ms ${(median(dstack) - median(bare)).toFixed(1)} ms`);
console.log(
  `bench: run-overhead-${FINISHED_RUNS}-finished-ms ${(median(crowded) - median(bare)).toFixed(1)} ms`,
);
