// Bundles one action into its checked-in dist/ (one command builds dist, and
// CI fails when it is stale): one ESM file per entry point, with everything it imports inside, so
// the action's folder (action.yml, dist/, README) is self-contained and can be published as its
// own repository. @actions/artifact stays a dynamic import() inside the bundle (a separate chunk
// is not needed: esbuild inlines it, but only evaluates it when an upload or download runs).
import { cp, mkdir, rm } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

/**
 * Makes `@actions/core`'s OIDC client a lazy import. `@actions/core` imports it at the top
 * (`core.getIDToken`), and with it `@actions/http-client` and undici: about 1 MB of code that
 * every step would compile at start, though none of our actions asks for an OIDC token. The stub
 * keeps `getIDToken` working: it imports the real module (a chunk of its own) when called.
 *
 * @type {import("esbuild").Plugin}
 */
export const lazyOidc = {
  name: "lazy-actions-core-oidc",
  setup(b) {
    b.onResolve({ filter: /^\.\/oidc-utils\.js$/ }, (args) =>
      args.importer.includes(`${path.sep}@actions${path.sep}core${path.sep}`) &&
      !args.importer.endsWith(`${path.sep}oidc-stub.js`)
        ? {
            path: path.join(path.dirname(args.importer), "oidc-stub.js"),
            namespace: "lazy-oidc",
            pluginData: { real: path.join(path.dirname(args.importer), "oidc-utils.js") },
          }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "lazy-oidc" }, (args) => ({
      contents: `export class OidcClient {
  static async getIDToken(audience) {
    const { OidcClient: Real } = await import(${JSON.stringify(args.pluginData.real)});
    return Real.getIDToken(audience);
  }
}
`,
      resolveDir: path.dirname(args.pluginData.real),
      loader: "js",
    }));
  },
};

/**
 * @param {object} options
 * @param {string} options.dir the action's folder (absolute)
 * @param {string[]} options.entries entry names: `lib/<name>.js` -> `dist/<name>.js`
 * @param {boolean} [options.python] copy the `dstack` Python module to `dist/dstack` (the
 *   bundled `@dstack/python` resolves PYTHON_PATH to the bundle's own folder)
 */
export async function bundleAction({ dir, entries, python = false }) {
  const dist = path.join(dir, "dist");
  await rm(dist, { recursive: true, force: true });
  await mkdir(dist, { recursive: true });
  await build({
    entryPoints: Object.fromEntries(entries.map((e) => [e, path.join(dir, "lib", `${e}.js`)])),
    outdir: dist,
    bundle: true,
    splitting: true,
    chunkNames: "chunks/[name]-[hash]",
    platform: "node",
    format: "esm",
    target: "node20",
    // Bundled CommonJS packages call require(); ESM output needs one.
    banner: {
      js: "import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);",
    },
    legalComments: "linked",
    logLevel: "warning",
    plugins: [lazyOidc],
  });
  if (python) {
    const root = path.dirname(path.dirname(fileURLToPath(import.meta.url)));
    await cp(path.join(root, "python", "dstack"), path.join(dist, "dstack"), {
      recursive: true,
      filter: (src) => !src.includes("__pycache__"),
    });
  }
}
