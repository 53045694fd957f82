// examples/torch through the real `dstack` bin: a PyTorch venv built from requirements.txt (the
// machine's pip index serves CPU torch and scikit-learn), a short training run that checkpoints
// every epoch and logs metrics with dstack.metrics, `dstack metrics` on it, a `resume` run that
// goes on from the checkpoint deps placed, and `dstack metrics diff`. Skipped, with the reason
// printed, where pip cannot find torch or scikit-learn.
import { execFile, execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));
const bin = join(root, "packages/cli/bin/dstack.js");

/** Why the example cannot run here, or `undefined` when pip's index has what it needs. */
function unavailable(): string | undefined {
  for (const pkg of ["torch", "scikit-learn"]) {
    try {
      const out = execFileSync("python3", ["-m", "pip", "index", "versions", pkg], {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, PIP_RETRIES: "0" },
        timeout: 60_000,
      });
      if (!out.includes(pkg)) return `pip lists no ${pkg}`;
    } catch (e) {
      return `pip's index has no ${pkg} here (${String((e as { stderr?: string }).stderr ?? e)
        .trim()
        .split("\n")
        .at(-1)})`;
    }
  }
  return undefined;
}

const reason = unavailable();
if (reason) console.log(`examples/torch: skipped: ${reason}`);

const tmp = mkdtempSync(join(tmpdir(), "dstack-torch-"));
// The venv holds torch (about 1 GB): removing it takes a while on a busy disk.
afterAll(() => rmSync(tmp, { recursive: true, force: true }), 180_000);

/** Runs the dstack bin in `cwd` with its own DSTACK_HOME; PyPI retries off (it is unreachable here). */
function dstack(
  argv: string[],
  cwd: string,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [bin, ...argv],
      {
        cwd,
        env: { ...process.env, DSTACK_HOME: join(tmp, "home"), NO_COLOR: "1", PIP_RETRIES: "0" },
        maxBuffer: 64 * 1024 * 1024,
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const runName = (stderr: string): string => {
  const m = /^(\S+-\d+) submitted/m.exec(stderr);
  if (!m?.[1]) throw new Error(`no run name in: ${stderr}`);
  return m[1];
};

describe.skipIf(reason !== undefined)("examples/torch", () => {
  it("trains on the CPU, checkpoints every epoch, logs metrics, and resumes from deps", async () => {
    const repo = join(tmp, "repo");
    cpSync(join(root, "examples/torch"), repo, { recursive: true });
    mkdirSync(join(repo, ".git"));

    const started = Date.now();
    const train = await dstack(["run", "train-cpu", "--", "--epochs", "2"], repo);
    const trainSeconds = (Date.now() - started) / 1000;
    expect(train.stderr).not.toMatch(/Traceback/);
    expect(train.code, train.stderr).toBe(0);
    expect(train.stdout).toMatch(
      /^device cpu, 1437 training and 360 validation images, epochs 0\.\.1$/m,
    );
    expect(train.stdout).toMatch(
      /^epoch 1: train_loss [\d.]+ val_loss [\d.]+ val_accuracy 0\.\d{3}/m,
    );
    const first = runName(train.stderr);

    const shown = await dstack(["metrics", first], repo);
    expect(shown.stderr).toBe("");
    expect(shown.stdout).toMatch(/^train_loss ↓ +[\d.]+ @ 1 .* 2 +\S{2}$/m);
    expect(shown.stdout).toMatch(/^val_accuracy ↑ +0\.\d+ @ 1 /m);
    const listed = await dstack(["artifacts", "list", first], repo);
    expect(listed.stdout).toContain("checkpoints/epoch-0001.pt");
    expect(listed.stdout).toContain("metrics/dstack.jsonl");

    const resumedAt = Date.now();
    const resume = await dstack(["run", "resume", "--", "--epochs", "3"], repo);
    const resumeSeconds = (Date.now() - resumedAt) / 1000;
    expect(resume.code, resume.stderr).toBe(0);
    expect(resume.stderr).toContain("reused venv");
    expect(resume.stdout).toMatch(/^resumed from checkpoints\/epoch-0001\.pt \(epoch 1, /m);
    expect(resume.stdout).toMatch(/epochs 2\.\.2$/m);
    const second = runName(resume.stderr);

    // The resumed run's metrics file goes on from the first run's (deps placed it).
    const diff = await dstack(["metrics", "diff", first, second], repo);
    expect(diff.code).toBe(0);
    expect(diff.stdout).toMatch(new RegExp(`^METRIC +${first} +${second} +CHANGE$`, "m"));
    expect(diff.stdout).toMatch(
      /^val_loss ↓ +[\d.]+ +[\d.]+ +[-+][\d.]+ \([-+][\d.]+%\) (better|worse)$/m,
    );
    const download = join(tmp, "out");
    await dstack(["artifacts", "download", second, "-o", download], repo);
    const steps = readFileSync(join(download, "metrics/dstack.jsonl"), "utf8")
      .trim()
      .split("\n")
      .map((l) => (JSON.parse(l) as { step: number }).step);
    expect(steps).toEqual([0, 1, 2]);
    expect(existsSync(join(download, "checkpoints/epoch-0002.pt"))).toBe(true);
    console.log(
      `examples/torch: train-cpu (venv built cold, 2 epochs) ${trainSeconds.toFixed(1)} s; resume (venv reused, 1 epoch) ${resumeSeconds.toFixed(1)} s`,
    );
  }, 600_000);

  it("a second attempt resumes from the checkpoints an attempt uploaded while it trained", async () => {
    // What a resumed attempt of an interruptible job gets (dispatchAndFollow of @dstack/github):
    // deps: - run: of the earlier attempt and DSTACK_RUN_ATTEMPT=2; here on this machine.
    const repo = join(tmp, "repo-spot");
    cpSync(join(root, "examples/torch"), repo, { recursive: true });
    mkdirSync(join(repo, ".git"));
    const workflows = join(repo, ".dstack/workflows.yaml");
    const cpu =
      "    requirements: requirements.txt\n    resources:\n      cpu: 2\n      memory: 2GB\n";
    const spot = `  - name: spot-cpu
    provider: python
    file: train.py
    args: --epochs 2 --upload-every 1
    artifacts:
      - metrics
${cpu}`;
    writeFileSync(workflows, `${readFileSync(workflows, "utf8")}\n${spot}`);
    const first = await dstack(["run", "spot-cpu"], repo);
    expect(first.code, first.stderr).toBe(0);
    const lost = runName(first.stderr);
    const listed = await dstack(["artifacts", "list", lost], repo);
    expect(listed.stdout).toContain("checkpoints/epoch-0001.pt");

    writeFileSync(
      workflows,
      `${readFileSync(workflows, "utf8")}  - name: attempt-2
    provider: python
    file: train.py
    args: --epochs 3
    environment:
      DSTACK_RUN_ATTEMPT: "2"
    deps:
      - run: ${lost}
${cpu}`,
    );
    const second = await dstack(["run", "attempt-2"], repo);
    expect(second.code, second.stderr).toBe(0);
    expect(second.stderr).toContain(`run ${lost}: artifacts of ${lost} placed in the repository`);
    expect(second.stdout).toMatch(/^attempt 2 of this run: its runner was lost before$/m);
    expect(second.stdout).toMatch(
      /^resumed from checkpoints\/epoch-0001\.pt(\/epoch-0001\.pt)? \(epoch 1, /m,
    );
    expect(second.stdout).toMatch(/epochs 2\.\.2$/m);
  }, 600_000);
});
