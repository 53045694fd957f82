// Packs the `dstack` command line for installing into another project: the bundled CLI
// (bin/ + dist/, built by `npm run build`) in a package whose only dependency is @dstack/python
// (the Python module, which the bundle loads from its own folder), and @dstack/python itself.
// Everything else is inside dist/, so installing needs no registry:
//
//   node packages/cli/pack.js --out DIR
//   cd my-project && npm install -D DIR/dstack-cli-*.tgz DIR/dstack-python-*.tgz
//
// Prints the two tarballs' paths, one a line.
import { execFileSync } from "node:child_process";
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const args = process.argv.slice(2);
const outAt = args.indexOf("--out");
const out = resolve(outAt >= 0 && args[outAt + 1] ? args[outAt + 1] : join(root, "release"));
mkdirSync(out, { recursive: true });

if (!existsSync(join(here, "dist/dstack.js"))) {
  console.error("packages/cli/dist is missing: run `npm run build -w @dstack/cli` first");
  process.exit(1);
}
const cli = JSON.parse(readFileSync(join(here, "package.json"), "utf8"));
const python = JSON.parse(readFileSync(join(root, "python/package.json"), "utf8"));
const rootPackage = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));

const stage = mkdtempSync(join(tmpdir(), "dstack-cli-pack-"));
try {
  cpSync(join(here, "bin"), join(stage, "bin"), { recursive: true });
  cpSync(join(here, "dist"), join(stage, "dist"), { recursive: true });
  cpSync(join(root, "LICENSE"), join(stage, "LICENSE"));
  const manifest = {
    name: cli.name,
    version: cli.version,
    description: cli.description,
    license: cli.license,
    type: "module",
    bin: cli.bin,
    exports: { ".": "./dist/dstack.js" },
    files: ["bin", "dist"],
    engines: rootPackage.engines,
    dependencies: { [python.name]: python.version },
  };
  writeFileSync(join(stage, "package.json"), `${JSON.stringify(manifest, null, 2)}\n`);
  const pack = (dir) =>
    JSON.parse(
      execFileSync("npm", ["pack", "--json", "--pack-destination", out], {
        cwd: dir,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "ignore"],
      }),
    )[0].filename;
  console.log(join(out, pack(stage)));
  console.log(join(out, pack(join(root, "python"))));
} finally {
  rmSync(stage, { recursive: true, force: true });
}
