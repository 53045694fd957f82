import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  InputError
} from "./chunk-UMC5H6P2.js";

// lib/run-mode.js
async function runMode(_job, _inputs) {
  throw new InputError("mode: run is not available in this version of dstack/run-python yet; use mode: plan and run the job with dstack run on the planned runner");
}
async function runPost() {
}

export {
  runMode,
  runPost
};
