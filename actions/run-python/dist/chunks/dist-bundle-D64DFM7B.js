import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  throttling
} from "./chunk-WHLF2K26.js";
import "./chunk-NQND4VWP.js";
import "./chunk-2XQLGBSN.js";
export {
  throttling
};
