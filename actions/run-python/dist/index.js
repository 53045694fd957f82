import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  runMode
} from "./chunks/chunk-FLI23RSF.js";
import {
  annotate
} from "./chunks/chunk-IIKAMEGP.js";
import {
  InputError,
  getInputs,
  jobLabels,
  jobToWorkflow,
  resolveJob
} from "./chunks/chunk-BBQ3E3ZB.js";
import {
  error,
  info,
  setFailed,
  setOutput
} from "./chunks/chunk-DCS6GOOZ.js";

// lib/plan.js
async function planMode(job) {
  const labels = jobLabels(job.resources);
  if ("errors" in labels) {
    for (const e of labels.errors)
      error(e.message);
    throw new InputError(`no runner labels express this job's resources: ${labels.errors.map((e) => e.message).join("; ")}`);
  }
  setOutput("runs-on", JSON.stringify(labels.labels));
  setOutput("job", JSON.stringify(jobToWorkflow(job)));
  setOutput("python-version", job.version ?? "");
  info(`runs-on: ${labels.labels.join(", ")}`);
}

// lib/main.js
async function run() {
  const inputs = getInputs();
  if (inputs.source === void 0)
    return (await import("./chunks/command-IT65CGNI.js")).commandMode(inputs);
  const resolved = resolveJob(inputs.source);
  annotate(resolved.diagnostics);
  if (!("job" in resolved)) {
    const n = resolved.diagnostics.filter((d) => d.severity === "error").length;
    throw new InputError(`the job has ${n} problem${n === 1 ? "" : "s"} (see the annotations above)`);
  }
  const { job } = resolved;
  if (inputs.mode === "plan")
    await planMode(job);
  else if (inputs.mode === "dispatch")
    await (await import("./chunks/dispatch-QXXAG747.js")).dispatchMode(job, inputs);
  else
    await runMode(job, inputs);
}
async function runStep() {
  try {
    await run();
  } catch (e) {
    setFailed(e instanceof Error ? e.message : String(e));
  }
}

// lib/index.js
await runStep();
