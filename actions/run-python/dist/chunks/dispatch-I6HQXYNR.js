import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  DispatchInputs,
  DispatchState,
  defaultRef,
  dispatchMode,
  dispatchPost,
  formatDuration,
  getDispatchSettings,
  runArtifacts
} from "./chunk-TE23ZJ7F.js";
import "./chunk-CWNFSQVH.js";
import "./chunk-2NXZJ3C7.js";
import "./chunk-CEQRAJJN.js";
import "./chunk-4GHH66SC.js";
import "./chunk-VYXCIYYJ.js";
import "./chunk-SE5SO25T.js";
export {
  DispatchInputs,
  DispatchState,
  defaultRef,
  dispatchMode,
  dispatchPost,
  formatDuration,
  getDispatchSettings,
  runArtifacts
};
