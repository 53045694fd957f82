import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  runPost
} from "./chunks/chunk-MBVLLPO5.js";
import "./chunks/chunk-ZSAAEPPP.js";
import "./chunks/chunk-JKJATBYZ.js";
import "./chunks/chunk-R45WJKPF.js";
import "./chunks/chunk-GK2HHDUQ.js";
import "./chunks/chunk-KQX3PZ3A.js";
import {
  getState,
  setFailed
} from "./chunks/chunk-RTZHXGW5.js";
import "./chunks/chunk-MNSEIZCD.js";
import "./chunks/chunk-AUCTGA3N.js";
import "./chunks/chunk-2XQLGBSN.js";

// lib/post.js
try {
  const mode = getState("mode");
  if (mode === "run")
    await runPost();
  else if (mode === "dispatch")
    await (await import("./chunks/dispatch-QKNXANPA.js")).dispatchPost();
} catch (e) {
  setFailed(e instanceof Error ? e.message : String(e));
}
