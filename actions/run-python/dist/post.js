import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  runPost
} from "./chunks/chunk-3H7GHGN6.js";
import "./chunks/chunk-ZSAAEPPP.js";
import "./chunks/chunk-JKJATBYZ.js";
import "./chunks/chunk-ZLJ4UXHV.js";
import "./chunks/chunk-7B776LUP.js";
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
    await (await import("./chunks/dispatch-JXQSVDVE.js")).dispatchPost();
} catch (e) {
  setFailed(e instanceof Error ? e.message : String(e));
}
