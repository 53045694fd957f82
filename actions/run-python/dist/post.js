import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  runPost
} from "./chunks/chunk-AH3A7TE4.js";
import "./chunks/chunk-XR64XKPM.js";
import "./chunks/chunk-VA56QZAF.js";
import "./chunks/chunk-THC2AKT7.js";
import "./chunks/chunk-KQX3PZ3A.js";
import {
  getState,
  setFailed
} from "./chunks/chunk-RTZHXGW5.js";
import "./chunks/chunk-W67435B5.js";
import "./chunks/chunk-OADE2NIT.js";
import "./chunks/chunk-2XQLGBSN.js";

// lib/post.js
try {
  const mode = getState("mode");
  if (mode === "run")
    await runPost();
  else if (mode === "dispatch")
    await (await import("./chunks/dispatch-AI73Q3VV.js")).dispatchPost();
} catch (e) {
  setFailed(e instanceof Error ? e.message : String(e));
}
