import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  runPost
} from "./chunks/chunk-LJBAZ37Z.js";
import "./chunks/chunk-AAQHJYDR.js";
import "./chunks/chunk-UUDTHP3E.js";
import "./chunks/chunk-KQX3PZ3A.js";
import {
  getState,
  setFailed
} from "./chunks/chunk-RTZHXGW5.js";
import "./chunks/chunk-E6WYTASD.js";
import "./chunks/chunk-2XQLGBSN.js";

// lib/post.js
try {
  const mode = getState("mode");
  if (mode === "run")
    await runPost();
  else if (mode === "dispatch")
    await (await import("./chunks/dispatch-PRI4R7VF.js")).dispatchPost();
} catch (e) {
  setFailed(e instanceof Error ? e.message : String(e));
}
