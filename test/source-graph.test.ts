// Invariants of the source tree, read as text (no TypeScript compiler needed):
// - only @dstack/github makes Octokit clients (retry, throttling, abort and errors configured once);
// - no import cycle among the source files of packages/*/src and actions/*/src.
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const root = fileURLToPath(new URL("..", import.meta.url));

/** Every `.ts` file under `packages/<pkg>/src` and `actions/<action>/src` (absolute paths). */
function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const file = path.join(dir, name);
      if (statSync(file).isDirectory()) walk(file);
      else if (name.endsWith(".ts") && !name.endsWith(".d.ts")) out.push(file);
    }
  };
  for (const top of ["packages", "actions"]) {
    for (const pkg of readdirSync(path.join(root, top))) {
      const src = path.join(root, top, pkg, "src");
      if (existsSync(src)) walk(src);
    }
  }
  return out.sort();
}

/** Relative module specifiers of a file: static imports and re-exports (type-only too), and `import()`. */
function relativeImports(text: string): string[] {
  const specifiers: string[] = [];
  const patterns = [
    /\b(?:import|export)\s+(?:type\s+)?[^;'"]*?\bfrom\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s*["'](\.{1,2}\/[^"']+)["']/g,
    /\bimport\s*\(\s*["'](\.{1,2}\/[^"']+)["']\s*\)/g,
  ];
  // Comments may quote imports; they do not load anything.
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/^\s*\/\/.*$/gm, "");
  for (const pattern of patterns) {
    for (const m of code.matchAll(pattern)) specifiers.push(m[1] as string);
  }
  return specifiers;
}

/** The `.ts` file a relative specifier of `from` names (`./x.js` -> `./x.ts`, a folder -> its index). */
function resolveImport(from: string, specifier: string): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  const candidates = [base.replace(/\.js$/, ".ts"), `${base}.ts`, path.join(base, "index.ts")];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

/** The cycles of a graph, each as the files around it (Tarjan's strongly connected components). */
function importCycles(graph: Map<string, string[]>): string[][] {
  let index = 0;
  const indices = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (v: string): void => {
    indices.set(v, index);
    low.set(v, index);
    index++;
    stack.push(v);
    onStack.add(v);
    for (const w of graph.get(v) ?? []) {
      if (!indices.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v) as number, low.get(w) as number));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v) as number, indices.get(w) as number));
      }
    }
    if (low.get(v) === indices.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop() as string;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || (graph.get(v) ?? []).includes(v)) cycles.push(component);
    }
  };
  for (const v of graph.keys()) if (!indices.has(v)) visit(v);
  return cycles;
}

describe("the source tree", () => {
  const files = sourceFiles();

  it("finds the sources it checks", () => {
    expect(files.length).toBeGreaterThan(100);
    expect(files).toContain(path.join(root, "packages/cli/src/main.ts"));
  });

  it("only packages/github constructs Octokit", () => {
    const outside = files
      .filter((f) => !f.startsWith(path.join(root, "packages/github/src") + path.sep))
      .filter((f) =>
        /new\s+\(?\s*Octokit\b|Octokit\s*\.\s*plugin\s*\(|from\s+["']@octokit\/rest["']|import\(\s*["']@octokit\/(rest|core|plugin-retry|plugin-throttling)["']/.test(
          readFileSync(f, "utf8"),
        ),
      )
      .map((f) => path.relative(root, f));
    expect(outside).toEqual([]);
  });

  it("has no import cycle among source files", () => {
    const graph = new Map<string, string[]>();
    for (const file of files) {
      const targets = relativeImports(readFileSync(file, "utf8"))
        .map((s) => resolveImport(file, s))
        .filter((t): t is string => t !== undefined);
      graph.set(file, targets);
    }
    const cycles = importCycles(graph).map((c) => c.map((f) => path.relative(root, f)).sort());
    expect(cycles).toEqual([]);
  });
});

describe("the checks themselves", () => {
  it("read static, type-only, re-exported and dynamic imports, not commented ones", () => {
    const text = [
      'import { a } from "./a.js";',
      'import type { B } from "../b.js";',
      'export { c } from "./c.js";',
      'const d = await import("./d.js");',
      "import {\n  e,\n  f,\n} from './ef.js';",
      '// import { x } from "./x.js";',
      'import { y } from "@dstack/spec";',
    ].join("\n");
    expect(relativeImports(text).sort()).toEqual(
      ["../b.js", "./a.js", "./c.js", "./d.js", "./ef.js"].sort(),
    );
  });

  it("find a cycle of three and a self-import, and none in a chain", () => {
    const cyclic = new Map([
      ["main", ["run"]],
      ["run", ["remote"]],
      ["remote", ["main"]],
      ["self", ["self"]],
      ["leaf", []],
    ]);
    expect(importCycles(cyclic).map((c) => c.sort())).toEqual([
      ["main", "remote", "run"],
      ["self"],
    ]);
    expect(
      importCycles(
        new Map([
          ["a", ["b"]],
          ["b", ["c"]],
          ["c", []],
        ]),
      ),
    ).toEqual([]);
  });
});
