// Benchmarks: `action-cold-start-ms` and `bundle-kib`.
//
// action-cold-start-ms: the checked-in dist/index.js in `mode: run` on a job with no
// requirements, as the runner starts it (a fresh `node dist/index.js` with INPUT_* variables and
// the runner's file commands), from the process start to the moment the job's Python file runs
// its first statement, minus what a bare `node -e 0` costs and minus what python3 itself needs to
// reach its first statement (both measured here, side by side, the same number of times). The
// interpreter probe cache of DSTACK_HOME is warm, as on a runner after its first job. Median of
// ROUNDS rounds; the first (cold caches) is printed too.
//
// bundle-kib: the bytes of each action's dist/ (every file, the lazily loaded chunks and the
// bundled `dstack` Python module included), in KiB.
//
// Run after a build: node actions/run-python/bench/cold-start.js
import { execFileSync, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const here = path.dirname(fileURLToPath(import.meta.url));
const actionDir = path.resolve(here, "..");
const actionsDir = path.resolve(actionDir, "..");

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "bench-cold-start-"));
const ws = path.join(tmp, "ws");
fs.mkdirSync(path.join(ws, ".dstack"), { recursive: true });
fs.writeFileSync(
  path.join(ws, ".dstack/workflows.yaml"),
  "workflows:\n  - name: hello\n    provider: python\n    file: hello.py\n",
);
// The first statement records when Python reached it (ns since the epoch, as Date.now() * 1e6).
fs.writeFileSync(
  path.join(ws, "hello.py"),
  "import time, os\nopen(os.environ['BENCH_MARK'], 'w').write(str(time.time_ns()))\n",
);

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Runs a process to its end; resolves with the ms from spawn to `mark`'s timestamp (or to exit). */
function timed(file, args, env, mark) {
  return new Promise((resolve, reject) => {
    const t0 = Date.now();
    const child = spawn(file, args, { env, stdio: "ignore" });
    child.on("error", reject);
    child.on("exit", (code) => {
      const t1 = Date.now();
      if (mark === undefined) return resolve(t1 - t0);
      if (!fs.existsSync(mark))
        return reject(new Error(`${file} ${args} exited ${code} before Python ran`));
      resolve(Number(fs.readFileSync(mark, "utf8")) / 1e6 - t0);
    });
  });
}

function stepEnv(i) {
  const dir = path.join(tmp, `step-${i}`);
  fs.mkdirSync(dir, { recursive: true });
  const files = {};
  for (const name of ["GITHUB_STATE", "GITHUB_OUTPUT", "GITHUB_ENV", "GITHUB_STEP_SUMMARY"]) {
    files[name] = path.join(dir, name.toLowerCase());
    fs.writeFileSync(files[name], "");
  }
  return {
    PATH: process.env.PATH,
    HOME: process.env.HOME ?? tmp,
    ...files,
    GITHUB_WORKSPACE: ws,
    GITHUB_REPOSITORY: "octo/bench",
    GITHUB_RUN_ID: String(1000 + i),
    GITHUB_API_URL: "http://127.0.0.1:9",
    RUNNER_TEMP: dir,
    DSTACK_HOME: path.join(tmp, "home"),
    INPUT_MODE: "run",
    INPUT_WORKFLOW: "hello",
    "INPUT_GITHUB-TOKEN": "ghs_bench",
    BENCH_MARK: path.join(dir, "mark"),
  };
}

const python = execFileSync("python3", ["-c", "import sys; print(sys.executable)"])
  .toString()
  .trim();
const action = [];
const bareNode = [];
const barePython = [];
for (let i = 0; i < ROUNDS; i++) {
  const env = stepEnv(i);
  // BENCH_CPU_PROF=DIR writes a V8 CPU profile of each action run there (to see where time goes).
  const prof = process.env.BENCH_CPU_PROF
    ? ["--cpu-prof", "--cpu-prof-dir", process.env.BENCH_CPU_PROF]
    : [];
  action.push(
    await timed(
      process.execPath,
      [...prof, path.join(actionDir, "dist/index.js")],
      env,
      env.BENCH_MARK,
    ),
  );
  bareNode.push(await timed(process.execPath, ["-e", "0"], { PATH: process.env.PATH }));
  const mark = path.join(tmp, `py-${i}`);
  barePython.push(
    await timed(
      python,
      ["-c", `import time; open(${JSON.stringify(mark)}, 'w').write(str(time.time_ns()))`],
      { PATH: process.env.PATH },
      mark,
    ),
  );
}
const cold = action[0] - bareNode[0] - barePython[0];
const warm = median(action) - median(bareNode) - median(barePython);
console.log(
  `action to Python: median ${median(action).toFixed(0)} ms (first ${action[0].toFixed(0)}); node -e 0: ${median(bareNode).toFixed(0)} ms; python3 to first statement: ${median(barePython).toFixed(0)} ms; ${ROUNDS} rounds`,
);
console.log(`first round (cold caches): ${cold.toFixed(0)} ms above node -e 0 and python3`);
console.log(`bench: action-cold-start-ms ${warm.toFixed(0)} ms`);

function dirBytes(dir) {
  let total = 0;
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    total += e.isDirectory() ? dirBytes(p) : fs.statSync(p).size;
  }
  return total;
}
for (const name of fs.readdirSync(actionsDir).sort()) {
  const dist = path.join(actionsDir, name, "dist");
  if (!fs.existsSync(dist)) continue;
  const kib = dirBytes(dist) / 1024;
  console.log(`bench: bundle-kib ${kib.toFixed(0)} KiB (${name})`);
}
fs.rmSync(tmp, { recursive: true, force: true });
