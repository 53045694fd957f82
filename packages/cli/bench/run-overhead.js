// bench: run-overhead-ms — from starting `dstack run` to the Python process starting, with a
// warm venv, above a bare `python3 FILE` started the same way. Each sample spawns the process and
// the script prints time.time() first thing; medians of REPEATS, side by side in one run.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 15);
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
const env = { ...process.env, DSTACK_HOME: mkdtempSync(join(tmpdir(), "dstack-bench-home-")) };

/** Seconds from spawning `argv` to the script's first line, in ms. */
function startDelay(file, args) {
  const t0 = Date.now() / 1000;
  const out = execFileSync(file, args, {
    cwd: repo,
    env,
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
const bare = [];
const dstack = [];
for (let i = 0; i < REPEATS; i++) {
  bare.push(startDelay("python3", ["start.py"]));
  dstack.push(startDelay(process.execPath, [bin, "run", "start"]));
}
console.log(`bench: bare-python-start-ms ${median(bare).toFixed(1)} ms`);
console.log(`bench: dstack-run-start-ms ${median(dstack).toFixed(1)} ms`);
console.log(`bench: run-overhead-ms ${(median(dstack) - median(bare)).toFixed(1)} ms`);
