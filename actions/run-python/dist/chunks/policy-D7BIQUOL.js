import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
} from "./chunk-HIH4HA52.js";
import "./chunk-QF2BOXVJ.js";
import "./chunk-6PHQUHME.js";
import "./chunk-KQX3PZ3A.js";
import "./chunk-RTZHXGW5.js";
import "./chunk-KVDHBA6D.js";
import "./chunk-IYV5HPO4.js";
import "./chunk-WOHHE5EB.js";
import "./chunk-2XQLGBSN.js";
export {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
};
