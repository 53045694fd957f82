import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  runPost
} from "./chunks/chunk-5JGKKBWQ.js";
import "./chunks/chunk-CWNFSQVH.js";
import "./chunks/chunk-2NXZJ3C7.js";
import {
  getState,
  setFailed
} from "./chunks/chunk-CEQRAJJN.js";
import "./chunks/chunk-VYXCIYYJ.js";
import "./chunks/chunk-SE5SO25T.js";

// lib/post.js
try {
  const mode = getState("mode");
  if (mode === "run")
    await runPost();
  else if (mode === "dispatch")
    await (await import("./chunks/dispatch-I6HQXYNR.js")).dispatchPost();
} catch (e) {
  setFailed(e instanceof Error ? e.message : String(e));
}
