import { describe, expect, it } from "vitest";
import { jobToWorkflow } from "./job-json.js";
import { valueLocator } from "./locator.js";
import { validateWorkflow } from "./validate.js";
import { parseWorkflows } from "./workflows.js";

const text = `workflows:
  - name: train
    provider: python
    file: train.py
    args: --epochs 3 "a b"
    requirements: requirements.txt
    version: "3.10"
    environment: { SEED: "1" }
    artifacts: [model, logs]
    working_dir: src
    before_run: [echo hi]
    resources:
      cpu: 8
      memory: 64GB
      shm_size: 8GiB
      gpu: { name: NVIDIA A100, count: 2, memory: 40GB }
      interruptible: true
    deps:
      - tag: data
    metrics: { val_loss: max, f1: min }
  - name: tiny
    provider: python
    file: tiny.py
`;

describe("jobToWorkflow", () => {
  const parsed = parseWorkflows({ files: [{ path: "w.yaml", text }] });
  it.each(parsed.jobs.map((job) => ({ name: job.workflow, job })))(
    "$name survives a JSON round trip through validateWorkflow",
    ({ job }) => {
      const json = JSON.parse(JSON.stringify(jobToWorkflow(job)));
      const back = validateWorkflow(json, { locator: valueLocator("the job input") });
      expect(back.diagnostics.filter((d) => d.severity === "error")).toEqual([]);
      expect(back.job).toEqual(job);
    },
  );
});
