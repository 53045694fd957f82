import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
} from "./chunk-JW67PFLK.js";
import "./chunk-J6PATVPN.js";
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
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
};
