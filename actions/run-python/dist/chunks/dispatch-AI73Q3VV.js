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
} from "./chunk-R4BNECBY.js";
import "./chunk-O4KKMB4Y.js";
import "./chunk-UZIKASSP.js";
import "./chunk-XR64XKPM.js";
import "./chunk-VA56QZAF.js";
import "./chunk-THC2AKT7.js";
import "./chunk-KQX3PZ3A.js";
import "./chunk-RTZHXGW5.js";
import "./chunk-UVVLBS7E.js";
import "./chunk-4R5INGCW.js";
import "./chunk-W67435B5.js";
import "./chunk-WOHHE5EB.js";
import "./chunk-OADE2NIT.js";
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
