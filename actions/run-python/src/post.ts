// The post step (runs: post, post-if: always()): the main step's mode saved its state with
// core.saveState; `mode: run` uploads the artifacts of a cancelled job, `mode: dispatch` cancels
// the dispatched run when this job was cancelled. Plan saves nothing and has nothing to do.
import * as core from "@actions/core";
import { runPost } from "./run-mode.js";

try {
  const mode = core.getState("mode");
  if (mode === "run") await runPost();
  else if (mode === "dispatch") await (await import("./dispatch.js")).dispatchPost();
} catch (e) {
  core.setFailed(e instanceof Error ? e.message : String(e));
}
