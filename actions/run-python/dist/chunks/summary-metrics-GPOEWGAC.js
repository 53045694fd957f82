import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  readMetricsDir
} from "./chunk-YI5KFGCX.js";
import "./chunk-EXW4HUQH.js";
import "./chunk-OADE2NIT.js";
import "./chunk-2XQLGBSN.js";

// lib/summary-metrics.js
async function metricsSummary(artifactsDir, options = {}) {
  const directions = options.directions;
  const metrics = await readMetricsDir(artifactsDir, directions ? { directions } : {});
  const none = metrics.series.length === 0 && metrics.problems.length === 0;
  if (none && Object.keys(metrics.scalars).length === 0)
    return void 0;
  const { renderMetricsMarkdown } = await import("./lib-FLJ6FITH.js");
  const lines = renderMetricsMarkdown({ metrics, ...directions ? { directions } : {} });
  return lines.length > 0 ? `
${lines.join("\n")}
` : void 0;
}
export {
  metricsSummary
};
