// Bundles the CLI into ESM (dist/dstack.js): loading one file instead of several hundred modules
// roughly halves `dstack`'s start-up (see `bench: run-overhead-ms`). The `--remote` commands
// (the REST client, @actions/artifact) are loaded with import(), so they go to a chunk of their
// own (dist/chunks/) that local commands never read. @dstack/python stays external: it locates
// the Python module relative to its own file.
import { rmSync } from "node:fs";
import { build } from "esbuild";

rmSync("dist", { recursive: true, force: true });
await build({
  entryPoints: { dstack: "lib/main.js" },
  outdir: "dist",
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
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
