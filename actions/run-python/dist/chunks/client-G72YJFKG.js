import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  apiUrlOf,
  countingFetch,
  createGitHubClient,
  fetchOf,
  sleepFor
} from "./chunk-4R5INGCW.js";
import {
  DEFAULT_API_URL,
  apiUrlForHost
} from "./chunk-W67435B5.js";
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
