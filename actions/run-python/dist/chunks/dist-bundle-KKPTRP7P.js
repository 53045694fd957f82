import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  VERSION,
  retry
} from "./chunk-4DSC3WTW.js";
import "./chunk-HTFTXNBD.js";
import "./chunk-NQND4VWP.js";
import "./chunk-2XQLGBSN.js";
export {
  VERSION,
  retry
};
