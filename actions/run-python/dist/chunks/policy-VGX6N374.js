import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
} from "./chunk-6B62FDZV.js";
import "./chunk-K3T6ZNBU.js";
import "./chunk-BZPPNJKK.js";
import "./chunk-KQX3PZ3A.js";
import "./chunk-RTZHXGW5.js";
import "./chunk-SUMIZ72Y.js";
import "./chunk-MDTW7KAN.js";
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
