/**
 * Fixtures shared by this package's tests (not part of the build's public API).
 *
 * @module
 */
import fs from "node:fs";
import path from "node:path";
import { ADJECTIVES, ANIMALS, type Job } from "@dstack/spec";

/** A job as `@dstack/spec` normalizes it. */
export function makeJob(workflow: string | null = "train"): Job {
  return {
    workflow,
    provider: "python",
    file: "train.py",
    args: [],
    environment: {},
    artifacts: ["model"],
    workingDir: ".",
    beforeRun: [],
    resources: { interruptible: false },
    deps: [],
  };
}

/** A `random` for `createRun` that always picks these words, e.g. `sharp`, `shrimp`. */
export function wordsRandom(adjective: string, animal: string): () => number {
  const a = (ADJECTIVES.indexOf(adjective) + 0.5) / ADJECTIVES.length;
  const b = (ANIMALS.indexOf(animal) + 0.5) / ANIMALS.length;
  if (a < 0 || b < 0) throw new Error(`unknown words ${adjective} ${animal}`);
  let i = 0;
  return () => (i++ % 2 === 0 ? a : b);
}

/** Writes files (path -> content) and symbolic links (path -> target) below `root`. */
export function writeTree(
  root: string,
  files: Record<string, string>,
  links: Record<string, string> = {},
): void {
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
  for (const [p, target] of Object.entries(links)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.symlinkSync(target, path.join(root, p));
  }
}

/**
 * What is below `root`: file path -> content, link path -> `-> target`, empty folder -> `/`.
 * Hidden names are included, so leftovers show.
 */
export function readTree(root: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (dir: string, rel: string) => {
    const entries = fs.readdirSync(dir, { withFileTypes: true });
    if (entries.length === 0 && rel !== "") out[rel] = "/";
    for (const e of entries) {
      const r = rel === "" ? e.name : `${rel}/${e.name}`;
      const abs = path.join(dir, e.name);
      if (e.isSymbolicLink()) out[r] = `-> ${fs.readlinkSync(abs)}`;
      else if (e.isDirectory()) walk(abs, r);
      else out[r] = fs.readFileSync(abs, "utf8");
    }
  };
  if (fs.existsSync(root)) walk(root, "");
  return out;
}

/** Every path below `root` whose name holds `.dstack-` (a temporary file left behind). */
export function leftovers(root: string): string[] {
  return Object.keys(readTree(root)).filter((p) =>
    p.split("/").some((n) => n.includes(".dstack-")),
  );
}
