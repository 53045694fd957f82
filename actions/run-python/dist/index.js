import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  annotate
} from "./chunks/chunk-UZIKASSP.js";
import {
  runMode
} from "./chunks/chunk-AH3A7TE4.js";
import "./chunks/chunk-XR64XKPM.js";
import {
  InputError,
  checkPlannedLabels,
  getInputs,
  resolveJob
} from "./chunks/chunk-VA56QZAF.js";
import "./chunks/chunk-THC2AKT7.js";
import "./chunks/chunk-KQX3PZ3A.js";
import {
  error,
  info,
  setFailed,
  setOutput
} from "./chunks/chunk-RTZHXGW5.js";
import {
  withHint
} from "./chunks/chunk-W67435B5.js";
import {
  jobLabels,
  jobToWorkflow
} from "./chunks/chunk-OADE2NIT.js";
import "./chunks/chunk-2XQLGBSN.js";

// lib/plan.js
async function planMode(job, options = {}) {
  const labels = jobLabels(job.resources, { untrusted: options.untrusted === true });
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
    return (await import("./chunks/command-5IDPSUIZ.js")).commandMode(inputs);
  const resolved = resolveJob(inputs.source);
  annotate(resolved.diagnostics);
  if (!("job" in resolved)) {
    const n = resolved.diagnostics.filter((d) => d.severity === "error").length;
    throw new InputError(`the job has ${n} problem${n === 1 ? "" : "s"} (see the annotations above)`);
  }
  const { job } = resolved;
  const planned = inputs.mode === "run" ? inputs.plannedLabels : void 0;
  if (planned !== void 0) {
    checkPlannedLabels(job, planned, { untrusted: inputs.untrusted });
  }
  let defaultBranch;
  if (inputs.mode === "plan" || inputs.mode === "dispatch" || planned !== void 0) {
    const { enforcePolicy, loadPolicy } = await import("./chunks/policy-6BLXUGRL.js");
    const repoDir = process.env.GITHUB_WORKSPACE ?? process.cwd();
    const loaded = await loadPolicy({ token: inputs.token, repoDir });
    await enforcePolicy({ loaded, job, token: inputs.token });
    defaultBranch = loaded.defaultBranch;
  }
  if (inputs.mode === "plan")
    await planMode(job, { untrusted: inputs.untrusted });
  else if (inputs.mode === "dispatch")
    await (await import("./chunks/dispatch-AI73Q3VV.js")).dispatchMode(job, inputs, defaultBranch !== void 0 ? { defaultBranch } : {});
  else
    await runMode(job, inputs);
}
var TOKEN_HINTS = { unauthorized: "check github-token" };
async function runStep() {
  try {
    await run();
  } catch (caught) {
    const e = withHint(caught, TOKEN_HINTS);
    setFailed(e instanceof Error ? e.message : String(e));
  }
}

// lib/index.js
await runStep();
