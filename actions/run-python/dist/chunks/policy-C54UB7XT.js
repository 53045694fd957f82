import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
} from "./chunk-2DALJ552.js";
import "./chunk-TPNCFWZ2.js";
import "./chunk-2NXZJ3C7.js";
import "./chunk-CEQRAJJN.js";
import "./chunk-4GHH66SC.js";
import "./chunk-VYXCIYYJ.js";
import "./chunk-SE5SO25T.js";
export {
  WORKFLOW_TOKEN_ACTOR,
  enforcePolicy,
  loadPolicy,
  workflowTrigger
};
