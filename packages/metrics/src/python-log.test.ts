import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { PYTHON_PATH } from "@dstack/python";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { readMetricsDir } from "./node.js";
import { parseMetricsFiles } from "./parse.js";

let tmp: string;

beforeEach(() => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dstack-metrics-py-"));
});
afterEach(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs a script with the real interpreter and the `dstack` package on PYTHONPATH, in `tmp`. */
function python(
  script: string,
  env: Record<string, string> = {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const file = path.join(tmp, `script-${Math.random().toString(36).slice(2)}.py`);
  fs.writeFileSync(file, script);
  return new Promise((resolve) => {
    execFile(
      "python3",
      [file],
      {
        cwd: tmp,
        env: {
          PATH: process.env.PATH,
          PYTHONPATH: PYTHON_PATH,
          PYTHONDONTWRITEBYTECODE: "1",
          ...env,
        },
      },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : 1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

const read = (rel: string) => fs.readFileSync(path.join(tmp, rel), "utf8");

describe("dstack.metrics.log", () => {
  it("appends JSON lines to metrics/dstack.jsonl that the reader turns into curves", async () => {
    const r = await python(`from dstack import metrics

class Scalar:
    """Stands for a NumPy scalar or a one-element tensor: a Python number from .item()."""
    def __init__(self, v):
        self.v = v
    def item(self):
        return self.v

for step in range(3):
    metrics.log(step=step, loss=1.0 / (step + 1), accuracy=Scalar(0.5 + step / 10), epoch=step)
metrics.log(step=10, loss=0)
`);
    expect(r).toMatchObject({ code: 0, stderr: "" });
    expect(read("metrics/dstack.jsonl")).toBe(
      [
        '{"step":0,"loss":1.0,"accuracy":0.5,"epoch":0}',
        '{"step":1,"loss":0.5,"accuracy":0.6,"epoch":1}',
        '{"step":2,"loss":0.3333333333333333,"accuracy":0.7,"epoch":2}',
        '{"step":10,"loss":0}',
        "",
      ].join("\n"),
    );
    const report = await readMetricsDir(tmp);
    expect(report.problems).toEqual([]);
    expect(report.series.map((s) => [s.name, s.direction, s.last, s.best])).toEqual([
      ["loss", "min", { step: 10, value: 0 }, { step: 10, value: 0 }],
      ["accuracy", "max", { step: 2, value: 0.7 }, { step: 2, value: 0.7 }],
    ]);
  });

  it.each([
    { name: "relative, under the working directory", file: "out/m.jsonl" },
    { name: "absolute", file: "ABS/elsewhere/m.jsonl" },
  ])("writes to DSTACK_METRICS_FILE: $name", async ({ file }) => {
    const target = file.replace("ABS", tmp);
    const r = await python("from dstack import metrics\nmetrics.log(step=1, f1=0.9)\n", {
      DSTACK_METRICS_FILE: target,
    });
    expect(r.stderr).toBe("");
    expect(fs.readFileSync(path.resolve(tmp, target), "utf8")).toBe('{"step":1,"f1":0.9}\n');
    expect(fs.existsSync(path.join(tmp, "metrics"))).toBe(false);
  });

  it.each([
    {
      name: "NaN",
      call: "step=1, loss=float('nan')",
      error: "loss: nan is not a finite number; log finite values only",
    },
    {
      name: "infinity",
      call: "step=1, loss=float('-inf')",
      error: "loss: -inf is not a finite number; log finite values only",
    },
    {
      name: "a string",
      call: "step=1, loss='low'",
      error: "loss: 'low' is a str, not a number; log ints and floats",
    },
    {
      name: "a bool",
      call: "step=1, ok=True",
      error: "ok: True is a bool, not a number; log ints and floats",
    },
    {
      name: "a list",
      call: "step=1, loss=[1, 2]",
      error: "loss: [1, 2] is a list, not a number; log ints and floats",
    },
    {
      name: "a step that is not a number",
      call: "step='1', loss=1",
      error: "step: '1' is a str, not a number; log ints and floats",
    },
    {
      name: "a NaN step",
      call: "step=float('nan'), loss=1",
      error: "step: nan is not a finite number; log finite values only",
    },
    { name: "no values", call: "step=3", error: "log(step=3) has no values; pass e.g. loss=0.31" },
    {
      name: "a name with a line break",
      call: "step=1, **{'a\\nb': 1}",
      error: "'a\\nb': a metric name is 1 to 200 characters on one line",
    },
    {
      name: "a tensor of many values",
      call: "step=1, loss=Many()",
      error:
        "loss: Many has no single value (only one element tensors can be converted); log a number",
    },
  ])(
    "refuses $name with MetricsError, a DstackError, and writes nothing",
    async ({ call, error }) => {
      const r = await python(`import json
from dstack import metrics, DstackError, MetricsError

class Many:
    def item(self):
        raise ValueError("only one element tensors can be converted")

try:
    metrics.log(${call})
except DstackError as e:
    print(json.dumps([type(e).__name__, isinstance(e, MetricsError), str(e)]))
`);
      expect(r.stderr).toBe("");
      expect(JSON.parse(r.stdout)).toEqual(["MetricsError", true, error]);
      expect(fs.existsSync(path.join(tmp, "metrics"))).toBe(false);
    },
  );

  it("says which file it cannot write", async () => {
    fs.writeFileSync(path.join(tmp, "metrics"), "a file where the folder should be");
    const r = await python(`from dstack import metrics, MetricsError
try:
    metrics.log(step=1, loss=1)
except MetricsError as e:
    print(e)
`);
    expect(r.stdout).toMatch(/^cannot append to metrics\/dstack\.jsonl: \[Errno 17\] File exists/);
  });

  it("never interleaves lines of processes logging to one file at once", async () => {
    const r = await python(`import multiprocessing
from dstack import metrics

def work(k):
    for step in range(300):
        metrics.log(step=step, **{"worker_%d" % k: step * 1.5, "padding_%d" % k: 1e-300})

if __name__ == "__main__":
    ps = [multiprocessing.Process(target=work, args=(k,)) for k in range(6)]
    for p in ps: p.start()
    for p in ps: p.join()
    print(sum(p.exitcode for p in ps))
`);
    expect(r).toMatchObject({ code: 0, stdout: "0\n" });
    const text = read("metrics/dstack.jsonl");
    const lines = text.trimEnd().split("\n");
    expect(lines).toHaveLength(1800);
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const report = parseMetricsFiles([{ path: "metrics/dstack.jsonl", text }]);
    expect(report.problems).toEqual([]);
    expect(report.series.filter((s) => s.name.startsWith("worker_")).map((s) => s.count)).toEqual(
      Array(6).fill(300),
    );
  });
});
