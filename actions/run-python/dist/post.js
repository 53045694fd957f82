import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  runPost
} from "./chunks/chunk-Y5V33DYB.js";
import "./chunks/chunk-ZSAAEPPP.js";
import "./chunks/chunk-JKJATBYZ.js";
import "./chunks/chunk-L7YJCSFV.js";
import "./chunks/chunk-EACBGY5O.js";
import "./chunks/chunk-KQX3PZ3A.js";
import {
  getState,
  setFailed
} from "./chunks/chunk-RTZHXGW5.js";
import "./chunks/chunk-NRL3C347.js";
import "./chunks/chunk-HEMNLYJN.js";
import "./chunks/chunk-2XQLGBSN.js";

// lib/post.js
try {
  const mode = getState("mode");
  if (mode === "run")
    await runPost();
  else if (mode === "dispatch")
    await (await import("./chunks/dispatch-VOOXY5RS.js")).dispatchPost();
} catch (e) {
  setFailed(e instanceof Error ? e.message : String(e));
}
