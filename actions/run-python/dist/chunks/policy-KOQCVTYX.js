import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
} from "./chunk-VNKJ3C2I.js";
import "./chunk-BIKH7IWN.js";
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
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
};
