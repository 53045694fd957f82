// Builds the release tree of each action: for every actions/<name>/ with an action.yml,
// `release/<name>/` = action.yml, dist/ (the checked-in bundle, built by `npm run build`),
// README.md and the repository's LICENSE, which is what the action's own repository
// (`dstack/<name>`) holds so that `uses: dstack/<name>@v1` runs. Each tree is checked before it is
// kept: runs.using is node24, the runs.main/pre/post files exist, and no bundled file imports a
// package or a path outside the tree.
//
//   node scripts/build-action-trees.js [--out DIR] [--root DIR] [NAME ...]
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { cp, mkdir, rm } from "node:fs/promises";
import { builtinModules } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { build } from "esbuild";
import { parseDocument } from "yaml";

const repoRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** The Node version actions declare (`runs.using: node24`, GitHub's current JavaScript action runtime:
 * https://docs.github.com/en/actions/sharing-automations/creating-actions/metadata-syntax-for-github-actions#runsusing-for-javascript-actions). */
export const RUNS_USING = "node24";

/** Parses an action.yml; a YAML error is thrown as `FILE:LINE:COL: message`. */
function readAction(file) {
  const doc = parseDocument(readFileSync(file, "utf8"));
  const [first] = doc.errors;
  if (first) {
    const at = first.linePos?.[0] ?? { line: 1, col: 1 };
    const message = first.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new Error(`${file}:${at.line}:${at.col}: ${message}`);
  }
  return doc.toJS() ?? {};
}

/** Every file under dir, relative to it, with `/` separators. */
function filesUnder(dir) {
  if (!existsSync(dir)) {
    return [];
  }
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.relative(dir, path.join(e.parentPath, e.name)).split(path.sep).join("/"))
    .sort();
}

/**
 * The module specifiers a JavaScript file imports or requires (static and literal dynamic
 * imports, re-exports, require()), as esbuild's parser finds them: names in comments and strings
 * (TSDoc examples, ajv's code templates) are not imports. Every specifier is kept external, so
 * nothing is resolved or read.
 * @param {string} source the file's text
 * @returns {Promise<string[]>}
 */
export async function importSpecifiers(source) {
  const found = new Set();
  await build({
    stdin: { contents: source, loader: "js", sourcefile: "scanned.js" },
    bundle: true,
    write: false,
    format: "esm",
    platform: "node",
    logLevel: "silent",
    plugins: [
      {
        name: "record-imports",
        setup(b) {
          b.onResolve({ filter: /.*/ }, (args) => {
            found.add(args.path);
            return { path: args.path, external: true };
          });
        },
      },
    ],
  });
  return [...found];
}

const builtins = new Set(builtinModules);

function isBuiltin(specifier) {
  return specifier.startsWith("node:") || builtins.has(specifier.split("/")[0]);
}

/**
 * What would stop a release tree from running as `uses: dstack/<name>@v1`: a wrong `runs.using`,
 * a missing runs.main/pre/post file, a bundled file importing a path outside the tree or a
 * missing file, or a package that is not a Node builtin (nothing is installed beside an action).
 * @param {string} tree the tree's folder
 * @returns {Promise<string[]>} problems, `FILE: what`; empty when the tree is self-contained
 */
export async function checkTree(tree) {
  const problems = [];
  const actionFile = path.join(tree, "action.yml");
  if (!existsSync(actionFile)) {
    return ["action.yml: missing"];
  }
  const runs = readAction(actionFile).runs ?? {};
  if (runs.using !== RUNS_USING) {
    problems.push(`action.yml: runs.using is ${JSON.stringify(runs.using)}, not ${RUNS_USING}`);
  }
  for (const key of ["main", "pre", "post"]) {
    if (key === "main" || runs[key] !== undefined) {
      const file = runs[key];
      if (typeof file !== "string" || !existsSync(path.join(tree, file))) {
        problems.push(`action.yml: runs.${key} ${JSON.stringify(file)} is not in the tree`);
      }
    }
  }
  for (const file of filesUnder(path.join(tree, "dist"))) {
    if (!/\.[cm]?js$/.test(file)) {
      continue;
    }
    const absolute = path.join(tree, "dist", file);
    for (const specifier of await importSpecifiers(readFileSync(absolute, "utf8"))) {
      const where = `dist/${file}`;
      if (specifier.startsWith(".") || specifier.startsWith("/")) {
        const target = path.resolve(path.dirname(absolute), specifier);
        if (path.relative(tree, target).startsWith("..") || path.isAbsolute(specifier)) {
          problems.push(`${where}: imports ${specifier}, outside the tree`);
        } else if (!existsSync(target)) {
          problems.push(`${where}: imports ${specifier}, which is not in the tree`);
        }
      } else if (!isBuiltin(specifier)) {
        problems.push(`${where}: imports the package ${specifier}, which is not bundled`);
      }
    }
  }
  return problems;
}

/** Names of the folders in `root/actions` that have an action.yml. */
export function actionNames(root) {
  const actions = path.join(root, "actions");
  if (!existsSync(actions)) {
    return [];
  }
  return readdirSync(actions, { withFileTypes: true })
    .filter((e) => e.isDirectory() && existsSync(path.join(actions, e.name, "action.yml")))
    .map((e) => e.name)
    .sort();
}

/**
 * Builds `out/<name>/` for each action and checks it; throws naming every problem.
 * @param {{ root?: string, out?: string, names?: string[] }} options
 * @returns {Promise<string[]>} the trees built
 */
export async function buildActionTrees({
  root = repoRoot,
  out = path.join(root, "release"),
  names = actionNames(root),
} = {}) {
  const built = [];
  const problems = [];
  const license = ["LICENSE", "LICENSE.md", "LICENSE.txt"]
    .map((f) => path.join(root, f))
    .find((f) => existsSync(f));
  for (const name of names) {
    const source = path.join(root, "actions", name);
    const tree = path.join(out, name);
    await rm(tree, { recursive: true, force: true });
    await mkdir(tree, { recursive: true });
    await cp(path.join(source, "action.yml"), path.join(tree, "action.yml"));
    if (existsSync(path.join(source, "dist"))) {
      await cp(path.join(source, "dist"), path.join(tree, "dist"), {
        recursive: true,
        filter: (src) => !src.includes("__pycache__"),
      });
    }
    if (existsSync(path.join(source, "README.md"))) {
      await cp(path.join(source, "README.md"), path.join(tree, "README.md"));
    }
    if (license) {
      await cp(license, path.join(tree, path.basename(license)));
    }
    problems.push(
      ...(await checkTree(tree)).map((p) => `${path.relative(root, tree) || tree}/${p}`),
    );
    built.push(tree);
  }
  if (problems.length > 0) {
    throw new Error(`release trees are not self-contained:\n  ${problems.join("\n  ")}`);
  }
  return built;
}

async function main(argv) {
  const option = (flag) => {
    const at = argv.indexOf(flag);
    return at >= 0 ? path.resolve(argv[at + 1] ?? ".") : undefined;
  };
  const root = option("--root") ?? repoRoot;
  const out = option("--out") ?? path.join(root, "release");
  const names = argv.filter((a, i) => !a.startsWith("--") && !argv[i - 1]?.startsWith("--"));
  const built = await buildActionTrees({ root, out, ...(names.length ? { names } : {}) });
  for (const tree of built) {
    console.log(`built ${path.relative(process.cwd(), tree) || tree}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
