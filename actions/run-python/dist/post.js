import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  dispatchPost,
  runPost
} from "./chunks/chunk-FGPQASVZ.js";
import {
  getState,
  setFailed
} from "./chunks/chunk-OVWCXPZ2.js";

// lib/post.js
try {
  const mode = getState("mode");
  if (mode === "run")
    await runPost();
  else if (mode === "dispatch")
    await dispatchPost();
} catch (e) {
  setFailed(e instanceof Error ? e.message : String(e));
}
