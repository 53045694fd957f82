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
} from "./chunk-OKK5WUDJ.js";
import "./chunk-KPQ4HDXD.js";
import "./chunk-HHOSKR52.js";
import "./chunk-KQX3PZ3A.js";
import "./chunk-RTZHXGW5.js";
import "./chunk-2SK62IOW.js";
import "./chunk-3XB4OFQD.js";
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
