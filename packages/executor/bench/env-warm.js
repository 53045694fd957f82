// bench: env-warm-speedup — cold vs warm environment setup for the same requirements.
// Cold: a new DSTACK_HOME, so `python -m venv` + `pip install -r` from a locally built wheel.
// Warm: the same call again, reusing the cached venv. Medians of REPEATS each, printed as
// `bench: <name> <number> <unit>` lines (DESIGN.md, Benchmarks).
import { execFileSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ensureVenv, findInterpreter } from "../lib/index.js";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const temp = () => mkdtempSync(join(tmpdir(), "dstack-bench-"));

const wheels = temp();
execFileSync("python3", [
  "-c",
  `import zipfile,sys
d=sys.argv[1]
with zipfile.ZipFile(d+"/benchdemo-1.0-py3-none-any.whl","w") as z:
    z.writestr("benchdemo/__init__.py","X=1\\n")
    z.writestr("benchdemo-1.0.dist-info/METADATA","Metadata-Version: 2.1\\nName: benchdemo\\nVersion: 1.0\\n")
    z.writestr("benchdemo-1.0.dist-info/WHEEL","Wheel-Version: 1.0\\nRoot-Is-Purelib: true\\nTag: py3-none-any\\n")
    z.writestr("benchdemo-1.0.dist-info/RECORD","")`,
  wheels,
]);
const repo = temp();
writeFileSync(join(repo, "requirements.txt"), "benchdemo==1.0\n");
const env = { ...process.env, PIP_NO_INDEX: "1", PIP_FIND_LINKS: wheels };
const interpreter = await findInterpreter({ env });

const cold = [];
const warm = [];
for (let i = 0; i < REPEATS; i++) {
  const options = {
    home: temp(),
    interpreter,
    requirements: { path: join(repo, "requirements.txt"), text: "benchdemo==1.0\n" },
    cwd: repo,
    env,
    onLine: () => {},
  };
  let t = performance.now();
  await ensureVenv(options);
  cold.push(performance.now() - t);
  t = performance.now();
  await ensureVenv(options);
  warm.push(performance.now() - t);
}
console.log(`bench: env-cold-ms ${median(cold).toFixed(1)} ms`);
console.log(`bench: env-warm-ms ${median(warm).toFixed(3)} ms`);
console.log(`bench: env-warm-speedup ${(median(cold) / median(warm)).toFixed(1)} x`);
