import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  runPost
} from "./chunks/chunk-2SEEKA5B.js";
import "./chunks/chunk-464OCQFX.js";
import "./chunks/chunk-6EIEKSYR.js";
import "./chunks/chunk-KQX3PZ3A.js";
import {
  getState,
  setFailed
} from "./chunks/chunk-RTZHXGW5.js";
import "./chunks/chunk-TQ5QIVPP.js";
import "./chunks/chunk-2XQLGBSN.js";

// lib/post.js
try {
  const mode = getState("mode");
  if (mode === "run")
    await runPost();
  else if (mode === "dispatch")
    await (await import("./chunks/dispatch-OBXGMO5N.js")).dispatchPost();
} catch (e) {
  setFailed(e instanceof Error ? e.message : String(e));
}
