import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  runPost
} from "./chunks/chunk-I3M6KSVL.js";
import "./chunks/chunk-JKJATBYZ.js";
import "./chunks/chunk-6BQZ2PZ3.js";
import "./chunks/chunk-A2YETTRY.js";
import "./chunks/chunk-KOTS3SFY.js";
import "./chunks/chunk-KQX3PZ3A.js";
import {
  getState,
  setFailed
} from "./chunks/chunk-RTZHXGW5.js";
import "./chunks/chunk-2XQLGBSN.js";

// lib/post.js
try {
  const mode = getState("mode");
  if (mode === "run")
    await runPost();
  else if (mode === "dispatch")
    await (await import("./chunks/dispatch-IH3B6PDN.js")).dispatchPost();
} catch (e) {
  setFailed(e instanceof Error ? e.message : String(e));
}
