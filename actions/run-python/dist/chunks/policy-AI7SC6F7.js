import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
} from "./chunk-C6GQUMZH.js";
import "./chunk-J5OL6YRR.js";
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
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
};
