// Bundles the CLI into one ESM file (dist/dstack.js): loading one file instead of several hundred
// modules roughly halves `dstack`'s start-up (see `bench: run-overhead-ms`). @dstack/python stays
// external: it locates the Python module relative to its own file.
import { build } from "esbuild";

await build({
  entryPoints: ["lib/main.js"],
  outfile: "dist/dstack.js",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  external: ["@dstack/python"],
  // Bundled CommonJS packages call require(); ESM output needs one.
  banner: {
    js: "import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);",
  },
  logLevel: "warning",
});
