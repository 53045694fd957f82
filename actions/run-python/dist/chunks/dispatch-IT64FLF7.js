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
} from "./chunk-PKJCVG6E.js";
import "./chunk-JOHSBRTS.js";
import "./chunk-VGM3R4QO.js";
import "./chunk-XOK7H72G.js";
import "./chunk-MDTW7KAN.js";
import "./chunk-GUKMPEGV.js";
import "./chunk-WHLF2K26.js";
import "./chunk-KQX3PZ3A.js";
import "./chunk-RTZHXGW5.js";
import "./chunk-6ETKDQGE.js";
import "./chunk-4DSC3WTW.js";
import "./chunk-HTFTXNBD.js";
import "./chunk-NQND4VWP.js";
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
