import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  DEFAULT_API_URL,
  apiUrlForHost,
  apiUrlOf,
  countingFetch,
  createGitHubClient,
  fetchOf,
  sleepFor
} from "./chunk-C3QXNLAT.js";
import "./chunk-HEMNLYJN.js";
import "./chunk-WOHHE5EB.js";
import "./chunk-2XQLGBSN.js";
export {
  DEFAULT_API_URL,
  apiUrlForHost,
  apiUrlOf,
  countingFetch,
  createGitHubClient,
  fetchOf,
  sleepFor
};
