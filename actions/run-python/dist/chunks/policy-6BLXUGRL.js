import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  eventDefaultBranch,
  loadPolicy,
  workflowTrigger
} from "./chunk-O4KKMB4Y.js";
import "./chunk-UZIKASSP.js";
import "./chunk-VA56QZAF.js";
import "./chunk-KQX3PZ3A.js";
import "./chunk-RTZHXGW5.js";
import "./chunk-UVVLBS7E.js";
import "./chunk-4R5INGCW.js";
import "./chunk-W67435B5.js";
import "./chunk-WOHHE5EB.js";
import "./chunk-OADE2NIT.js";
import "./chunk-2XQLGBSN.js";
export {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  eventDefaultBranch,
  loadPolicy,
  workflowTrigger
};
