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
} from "./chunk-52R4WMO7.js";
import "./chunk-PYFRP5RD.js";
import "./chunk-IK35DNUY.js";
import "./chunk-KQX3PZ3A.js";
import "./chunk-RTZHXGW5.js";
import "./chunk-SQZEKP46.js";
import "./chunk-K5MPCVMA.js";
import "./chunk-C3QXNLAT.js";
import "./chunk-HEMNLYJN.js";
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
