import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  Octokit
} from "./chunk-GUKMPEGV.js";
import "./chunk-6ETKDQGE.js";
import "./chunk-HTFTXNBD.js";
import "./chunk-2XQLGBSN.js";
export {
  Octokit
};
