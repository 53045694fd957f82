import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  readMetricsDir
} from "./chunk-2PM4Q346.js";
import "./chunk-B446ZKNS.js";
import "./chunk-2XQLGBSN.js";

// lib/summary-metrics.js
async function metricsSummary(artifactsDir) {
  const metrics = await readMetricsDir(artifactsDir);
  const none = metrics.series.length === 0 && metrics.problems.length === 0;
  if (none && Object.keys(metrics.scalars).length === 0)
    return void 0;
  const { renderMetricsMarkdown } = await import("./lib-ME74TTMS.js");
  const lines = renderMetricsMarkdown({ metrics });
  return lines.length > 0 ? `
${lines.join("\n")}
` : void 0;
}
export {
  metricsSummary
};
