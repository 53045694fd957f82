import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { type LocalStore, openRepoStore } from "@dstack/artifacts";
import { type Job, parseWorkflows } from "@dstack/spec";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { runDstack } from "./testing.js";

let tmp: string;
let env: NodeJS.ProcessEnv;
let store: LocalStore;

beforeEach(async () => {
  tmp = mkdtempSync(join(tmpdir(), "dstack-cli-metrics-"));
  env = { ...process.env, DSTACK_HOME: join(tmp, "home") };
  // The store of the folder the commands run in (a store per repository).
  store = (await openRepoStore({ home: join(tmp, "home"), cwd: tmp })).store;
});
afterEach(() => rmSync(tmp, { recursive: true, force: true }));

/** The job of a workflows file of one workflow `train` with `metrics` as its `metrics:` lines. */
function trainJob(metrics: string): Job {
  const text = `workflows:\n  - name: train\n    file: train.py\n    metrics: ${metrics}\n`;
  const parsed = parseWorkflows({ files: [{ path: "w.yaml", text }] });
  expect(parsed.diagnostics).toEqual([]);
  return parsed.jobs[0] as Job;
}

/** A finished run named `runName` whose saved artifacts hold `files`, of `job` when given. */
async function runWith(
  runName: string,
  files: Record<string, string>,
  job: Job | null = null,
): Promise<void> {
  const repo = join(tmp, `repo-${runName}`);
  for (const [p, text] of Object.entries(files)) {
    mkdirSync(dirname(join(repo, p)), { recursive: true });
    writeFileSync(join(repo, p), text);
  }
  await store.createRun({ workflow: "train", job, repoDir: repo, runName });
  const roots = new Set(Object.keys(files).map((p) => p.split("/")[0] as string));
  for (const root of roots) {
    await store.addArtifact(runName, { localPath: join(repo, root), artifactPath: root });
  }
  await store.updateRun(runName, { status: "done", finishedAt: new Date().toISOString() });
}

const lines = (rows: Record<string, number>[]) => rows.map((r) => JSON.stringify(r)).join("\n");

describe("dstack metrics", () => {
  it("prints last, best, points and a sparkline per curve; problems on stderr", async () => {
    await runWith("calm-cat-1", {
      "metrics/dstack.jsonl": `${lines([
        { step: 0, loss: 1.6, accuracy: 0.2 },
        { step: 1, loss: 0.8, accuracy: 0.6 },
        { step: 2, loss: 0.4, accuracy: 0.9 },
        { step: 3, loss: 0.5, accuracy: 0.85 },
      ])}\n{"step": 4, "loss": NaN}\n`,
      "metrics/eval.json": '{"f1": 0.88, "model": "cnn"}',
    });
    const r = await runDstack(["metrics", "calm-cat-1"], tmp, env);
    expect(r).toEqual({
      status: 0,
      stdout: [
        "METRIC      LAST      BEST     POINTS  CURVE",
        "loss ↓      0.5 @ 3   0.4 @ 2  4       █▃▁▂",
        "accuracy ↑  0.85 @ 3  0.9 @ 2  4       ▁▅█▇",
        "f1          0.88",
        "model       cnn",
        "",
      ].join("\n"),
      stderr:
        "calm-cat-1: metrics/dstack.jsonl:5: loss: NaN is not a finite number; the point is left out\n",
    });
  });

  it("takes :TAG, reads Lightning's CSV, and prints JSON with --json", async () => {
    await runWith("calm-cat-2", {
      "lightning_logs/version_0/metrics.csv": "epoch,step,val_loss\n0,10,0.9\n1,20,0.7\n",
    });
    await store.setTag("best", "calm-cat-2");
    const r = await runDstack(["metrics", ":best", "--json"], tmp, env);
    expect(r.status).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      run: "calm-cat-2",
      series: [{ name: "val_loss", direction: "min", last: { step: 20, value: 0.7 }, count: 2 }],
      scalars: {},
      problems: [],
    });
  });

  it("keeps terminal control characters in metric names from reaching the terminal", async () => {
    await runWith("calm-cat-3", {
      "metrics/a.jsonl": JSON.stringify({ step: 1, "loss\u001b]0;pwned\u0007\u202e": 1 }),
    });
    const r = await runDstack(["metrics", "calm-cat-3"], tmp, env);
    expect(r.stdout).toContain("loss?]0;pwned?? ↓");
    expect(r.stdout.replaceAll("\n", "")).not.toMatch(/[\p{Cc}\u202e]/u);
  });

  it("says how to log metrics when a run has none", async () => {
    await runWith("calm-cat-4", { "checkpoints/model.pt": "weights" });
    expect(await runDstack(["metrics", "calm-cat-4"], tmp, env)).toEqual({
      status: 0,
      stdout: "",
      stderr:
        "calm-cat-4: no metrics; log them with dstack.metrics.log(step=..., name=value) and list `metrics` in the workflow's artifacts\n",
    });
  });

  it("fails with the store's message for an unknown run", async () => {
    const r = await runDstack(["metrics", "no-such-run-1"], tmp, env);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/^dstack: .*no-such-run-1/);
  });
});

describe("dstack metrics diff", () => {
  it("compares last values: A, B, the change and whether B is better", async () => {
    await runWith("base-run-1", {
      "metrics/dstack.jsonl": lines([{ step: 9, loss: 0.5, accuracy: 0.8, old: 1 }]),
    });
    await runWith("pr-run-2", {
      "metrics/dstack.jsonl": lines([{ step: 9, loss: 0.4, accuracy: 0.7, fresh: 2 }]),
    });
    const r = await runDstack(["metrics", "diff", "base-run-1", "pr-run-2"], tmp, env);
    expect(r).toEqual({
      status: 0,
      stdout: [
        "METRIC      base-run-1  pr-run-2  CHANGE",
        "loss ↓      0.5         0.4       -0.1 (-20.0%) better",
        "accuracy ↑  0.8         0.7       -0.1 (-12.5%) worse",
        "fresh ↑     -           2         only in B",
        "old ↑       1           -         only in A",
        "",
      ].join("\n"),
      stderr: "",
    });
  });
});

describe("the workflow's metrics: directions", () => {
  const A = lines([
    { step: 1, loss: 0.5, accuracy: 0.6 },
    { step: 2, loss: 0.9, accuracy: 0.8 },
  ]);
  const B = lines([{ step: 2, loss: 0.4, accuracy: 0.7 }]);

  it("dstack metrics RUN: arrows and best values follow the job the run ran", async () => {
    await runWith("dir-dog-1", { "metrics/dstack.jsonl": A }, trainJob("{ loss: max }"));
    const r = await runDstack(["metrics", "dir-dog-1"], tmp, env);
    expect(r.stdout.split("\n").slice(1, 3)).toEqual([
      "loss ↑      0.9 @ 2  0.9 @ 2  2       ▁█",
      "accuracy ↑  0.8 @ 2  0.8 @ 2  2       ▁█",
    ]);
  });

  it.each([
    {
      name: "by the name rule for jobs without metrics:",
      a: null,
      b: null,
      argv: [],
      want: [
        "loss ↓      0.9        0.4        -0.5 (-55.6%) better",
        "accuracy ↑  0.8        0.7        -0.1 (-12.5%) worse",
      ],
    },
    {
      name: "by B's job's metrics: (A's job is the name rule's)",
      a: null,
      b: "{ loss: max, accuracy: min }",
      argv: [],
      want: [
        "loss ↑      0.9        0.4        -0.5 (-55.6%) worse",
        "accuracy ↓  0.8        0.7        -0.1 (-12.5%) better",
      ],
    },
    {
      name: "by A's job's where B's says nothing",
      a: "{ accuracy: min }",
      b: "{ loss: max }",
      argv: [],
      want: [
        "loss ↑      0.9        0.4        -0.5 (-55.6%) worse",
        "accuracy ↓  0.8        0.7        -0.1 (-12.5%) better",
      ],
    },
    {
      name: "by --workflow's in this checkout's workflows file, over the jobs'",
      a: null,
      b: "{ loss: max }",
      argv: ["--workflow", "eval"],
      want: [
        "loss ↓      0.9        0.4        -0.5 (-55.6%) better",
        "accuracy ↓  0.8        0.7        -0.1 (-12.5%) better",
      ],
    },
  ])("dstack metrics diff judges $name", async ({ a, b, argv, want }) => {
    mkdirSync(join(tmp, ".dstack"), { recursive: true });
    writeFileSync(
      join(tmp, ".dstack/workflows.yaml"),
      "workflows:\n  - name: eval\n    file: eval.py\n    metrics: { accuracy: min }\n",
    );
    writeFileSync(join(tmp, "eval.py"), "");
    await runWith("dir-ant-1", { "metrics/dstack.jsonl": A }, a === null ? null : trainJob(a));
    await runWith("dir-bee-2", { "metrics/dstack.jsonl": B }, b === null ? null : trainJob(b));
    const r = await runDstack(["metrics", "diff", "dir-ant-1", "dir-bee-2", ...argv], tmp, env);
    expect(r.stderr).toBe("");
    expect(r.stdout.split("\n").slice(1, 3)).toEqual(want);
  });

  it("refuses --workflow naming no workflow of this checkout", async () => {
    mkdirSync(join(tmp, ".dstack"), { recursive: true });
    writeFileSync(
      join(tmp, ".dstack/workflows.yaml"),
      "workflows:\n  - name: eval\n    file: eval.py\n",
    );
    writeFileSync(join(tmp, "eval.py"), "");
    await runWith("dir-cat-3", { "metrics/dstack.jsonl": B });
    const r = await runDstack(["metrics", "dir-cat-3", "--workflow", "trian"], tmp, env);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe("dstack: --workflow trian: no such workflow (workflows: eval)\n");
  });
});
