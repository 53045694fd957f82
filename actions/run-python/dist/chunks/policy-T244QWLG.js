import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  eventDefaultBranch,
  loadPolicy,
  workflowTrigger
} from "./chunk-GG7FTHRE.js";
import "./chunk-F2AVCGAK.js";
import "./chunk-GBEIOCTR.js";
import "./chunk-KQX3PZ3A.js";
import "./chunk-RTZHXGW5.js";
import "./chunk-BKX2P44D.js";
import "./chunk-4R5INGCW.js";
import "./chunk-W67435B5.js";
import "./chunk-WOHHE5EB.js";
import "./chunk-6HKVVBLW.js";
import "./chunk-2XQLGBSN.js";
export {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  eventDefaultBranch,
  loadPolicy,
  workflowTrigger
};
