import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  runPost
} from "./chunks/chunk-BTJZNRS3.js";
import "./chunks/chunk-ZSAAEPPP.js";
import "./chunks/chunk-JKJATBYZ.js";
import "./chunks/chunk-PYFRP5RD.js";
import "./chunks/chunk-IK35DNUY.js";
import "./chunks/chunk-KQX3PZ3A.js";
import {
  getState,
  setFailed
} from "./chunks/chunk-RTZHXGW5.js";
import "./chunks/chunk-K5MPCVMA.js";
import "./chunks/chunk-HEMNLYJN.js";
import "./chunks/chunk-2XQLGBSN.js";

// lib/post.js
try {
  const mode = getState("mode");
  if (mode === "run")
    await runPost();
  else if (mode === "dispatch")
    await (await import("./chunks/dispatch-3S4CRS6N.js")).dispatchPost();
} catch (e) {
  setFailed(e instanceof Error ? e.message : String(e));
}
