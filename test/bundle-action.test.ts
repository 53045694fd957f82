// scripts/bundle-action.js: @actions/core's OIDC client (and with it @actions/http-client and
// undici) is not in an action's entry chunk, and core.getIDToken still reaches the real client.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { afterAll, describe, expect, it } from "vitest";
import { lazyOidc } from "../scripts/bundle-action.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const scratch = mkdtempSync(path.join(tmpdir(), "dstack-bundle-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe("the lazy OIDC client of @actions/core", () => {
  it("keeps undici out of the entry chunk and still calls the real getIDToken", async () => {
    const entry = path.join(root, "test", `.oidc-entry-${process.pid}.mjs`);
    writeFileSync(
      entry,
      'import * as core from "@actions/core";\ncore.getIDToken("aud").then(() => console.log("token"), (e) => console.log("error: " + e.message));\n',
    );
    try {
      await build({
        entryPoints: { main: entry },
        outdir: scratch,
        bundle: true,
        splitting: true,
        chunkNames: "chunks/[name]-[hash]",
        platform: "node",
        format: "esm",
        target: "node20",
        banner: {
          js: "import { createRequire as __r } from 'node:module'; const require = __r(import.meta.url);",
        },
        logLevel: "silent",
        plugins: [lazyOidc],
      });
    } finally {
      rmSync(entry, { force: true });
    }
    // Everything but the OIDC chunk is loaded at start: undici is not in it.
    const chunks = readdirSync(path.join(scratch, "chunks"));
    const atStart = [
      readFileSync(path.join(scratch, "main.js"), "utf8"),
      ...chunks
        .filter((c) => !c.startsWith("oidc-utils-"))
        .map((c) => readFileSync(path.join(scratch, "chunks", c), "utf8")),
    ].join("\n");
    expect(atStart).not.toContain("ProxyAgent");
    expect(atStart).toMatch(/import\("\.\/(chunks\/)?oidc-utils-[A-Z0-9]+\.js"\)/);
    const oidc = chunks.find((c) => c.startsWith("oidc-utils-")) ?? "";
    expect(readFileSync(path.join(scratch, "chunks", oidc), "utf8")).toContain("ProxyAgent");
    // Without the runner's OIDC variables the real client refuses, naming the variable.
    const env = { PATH: process.env.PATH ?? "" };
    const r = spawnSync(process.execPath, [path.join(scratch, "main.js")], {
      env,
      encoding: "utf8",
    });
    expect(r.stdout.trim()).toBe(
      "error: Error message: Unable to get ACTIONS_ID_TOKEN_REQUEST_URL env variable",
    );
  });
});
