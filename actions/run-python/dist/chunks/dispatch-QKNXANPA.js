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
} from "./chunk-EENBJGTU.js";
import "./chunk-R45WJKPF.js";
import "./chunk-GK2HHDUQ.js";
import "./chunk-KQX3PZ3A.js";
import "./chunk-RTZHXGW5.js";
import "./chunk-7KL5WNV2.js";
import "./chunk-MNSEIZCD.js";
import "./chunk-BV2H6TSC.js";
import "./chunk-AUCTGA3N.js";
import "./chunk-WOHHE5EB.js";
import "./chunk-2XQLGBSN.js";
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
