/**
 * Files on disk for tests: temporary folders, trees written from and read into plain objects,
 * and leftovers of interrupted writes.
 *
 * @module
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A new empty temporary folder (`<tmpdir>/<prefix>XXXXXX`). */
export function tempDir(prefix = "dstack-test-"): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * Writes files (path -> content) and symbolic links (path -> target) below `root`, creating
 * folders.
 *
 * @returns `root`.
 */
export function writeTree(
  root: string,
  files: Record<string, string>,
  links: Record<string, string> = {},
): string {
  for (const [p, content] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.writeFileSync(path.join(root, p), content);
  }
  for (const [p, target] of Object.entries(links)) {
    fs.mkdirSync(path.dirname(path.join(root, p)), { recursive: true });
    fs.symlinkSync(target, path.join(root, p));
  }
  return root;
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
