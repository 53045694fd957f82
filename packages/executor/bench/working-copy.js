// bench: working-copy-ms — the time `makeWorkingCopy` takes to copy a git repository of 10,000
// small files and a few larger ones (the copy each local run gets), median of REPEATS, printed as
// `bench: <name> <number> <unit>` lines (DESIGN.md, Benchmarks).
//
// Copy-on-write: makeWorkingCopy copies each file with `fs.copyFile(src, dest,
// COPYFILE_FICLONE)`, which asks for a reflink and falls back to a byte copy where the file system
// has none. On btrfs, XFS (reflink=1) and APFS the copies are clones; on ext4 (this machine's
// /tmp, measured 2026-12) there are no reflinks, so the figure below is a real byte copy.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { makeWorkingCopy } from "../lib/index.js";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 5);
const SMALL = 10_000;
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const repo = mkdtempSync(join(tmpdir(), "dstack-bench-wc-"));
for (let d = 0; d < 100; d++) {
  const dir = join(repo, "src", `pkg${d}`);
  mkdirSync(dir, { recursive: true });
  for (let f = 0; f < SMALL / 100; f++) {
    writeFileSync(join(dir, `m${f}.py`), `# module ${d}/${f}\nVALUE = ${d * 1000 + f}\n`);
  }
}
// A few larger files: 4 of 8 MiB (a dataset sample, a checkpoint someone committed).
for (let i = 0; i < 4; i++) {
  writeFileSync(join(repo, `data${i}.bin`), Buffer.alloc(8 * 1024 * 1024, i + 1));
}
const git = (...args) => execFileSync("git", args, { cwd: repo, stdio: "ignore" });
git("init", "-q");
git("add", "-A");
git("-c", "user.name=bench", "-c", "user.email=bench@example.com", "commit", "-qm", "bench");

const times = [];
let files = 0;
for (let i = 0; i < REPEATS; i++) {
  const out = mkdtempSync(join(tmpdir(), "dstack-bench-wc-out-"));
  const to = join(out, "copy");
  const t = performance.now();
  const copy = await makeWorkingCopy({ from: repo, to, env: process.env });
  times.push(performance.now() - t);
  files = copy.files;
  rmSync(out, { recursive: true, force: true });
}
rmSync(repo, { recursive: true, force: true });
console.log(`bench: working-copy-ms ${median(times).toFixed(1)} ms`);
console.log(`bench: working-copy-files ${files} files`);
