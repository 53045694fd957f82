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
} from "./chunk-HIMO6SI7.js";
import "./chunk-GG7FTHRE.js";
import "./chunk-F2AVCGAK.js";
import "./chunk-3XBP4AMB.js";
import "./chunk-GBEIOCTR.js";
import "./chunk-THC2AKT7.js";
import "./chunk-KQX3PZ3A.js";
import "./chunk-RTZHXGW5.js";
import "./chunk-BKX2P44D.js";
import "./chunk-4R5INGCW.js";
import "./chunk-W67435B5.js";
import "./chunk-WOHHE5EB.js";
import "./chunk-6HKVVBLW.js";
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
