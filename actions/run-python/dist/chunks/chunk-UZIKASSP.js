import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  error,
  warning
} from "./chunk-RTZHXGW5.js";
import {
  formatDiagnostic
} from "./chunk-OADE2NIT.js";

// lib/annotate.js
function annotate(diagnostics) {
  for (const d of diagnostics) {
    const properties = {
      ...d.line !== void 0 ? { file: d.source } : {},
      ...d.line !== void 0 ? { startLine: d.line } : {},
      ...d.col !== void 0 ? { startColumn: d.col } : {}
    };
    if (d.severity === "error")
      error(formatDiagnostic(d), properties);
    else
      warning(formatDiagnostic(d), properties);
  }
}

export {
  annotate
};
