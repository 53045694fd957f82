import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
} from "./chunk-727AOZQV.js";
import "./chunk-NFRV7IHF.js";
import "./chunk-CGL3SX5L.js";
import "./chunk-KQX3PZ3A.js";
import "./chunk-RTZHXGW5.js";
import "./chunk-NWEBIUR4.js";
import "./chunk-27KKD2PL.js";
import "./chunk-BV2H6TSC.js";
import "./chunk-AUCTGA3N.js";
import "./chunk-WOHHE5EB.js";
import "./chunk-2XQLGBSN.js";
export {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
};
