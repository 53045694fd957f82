/**
 * Where a field came from, so every diagnostic can point at it: a YAML node's line and column, or
 * a command-line option.
 *
 * @module
 */
import {
  type Document,
  isMap,
  isPair,
  isScalar,
  isSeq,
  type LineCounter,
  type Node,
  type YAMLError,
} from "yaml";
import { type Diagnostic, type FieldPath, formatFieldPath } from "./diagnostics.js";

/** A 1-based line and column. */
export interface Position {
  line: number;
  col: number;
}

/** Answers "where is this field?" for one workflow's description. */
export interface Locator {
  /** The file path as given, or `command line`. */
  readonly source: string;
  /**
   * The position of the value at `path` (relative to the workflow), or of its key when `key` is
   * set; `undefined` where there is no file or the node is missing (then the nearest parent's).
   */
  position(path: FieldPath, options?: { key?: boolean }): Position | undefined;
  /** The field as users know it: `resources.memory` in a file, `--memory` on the command line. */
  field(path: FieldPath): string;
  /** The source text of a scalar as written (YAML reads `3.10` as 3.1; this gives `3.10`). */
  sourceText(path: FieldPath): string | undefined;
}

/**
 * A {@link Locator} over a node of a parsed YAML document.
 *
 * @param options.source - the file path to print.
 * @param options.doc - the document, parsed with `lineCounter`.
 * @param options.lineCounter - the `yaml` LineCounter used while parsing.
 * @param options.base - the path of the workflow inside the document (`["workflows", 2]`).
 */
export function yamlLocator(options: {
  source: string;
  doc: Document;
  lineCounter: LineCounter;
  base: FieldPath;
}): Locator {
  const { source, doc, lineCounter, base } = options;
  const walk = (path: FieldPath, key: boolean): Node | undefined => {
    let node: unknown = doc.contents;
    let keyNode: unknown;
    for (const part of [...base, ...path]) {
      keyNode = undefined;
      if (isMap(node)) {
        const pair = node.items.find(
          (p) => isPair(p) && (isScalar(p.key) ? p.key.value : p.key) === part,
        );
        if (!pair) return isMap(node) ? (node as Node) : undefined;
        keyNode = pair.key;
        node = pair.value;
      } else if (isSeq(node) && typeof part === "number") {
        const item = node.items[part];
        if (item === undefined) return node as Node;
        node = item;
      } else {
        return node as Node | undefined;
      }
    }
    if (key && keyNode) return keyNode as Node;
    return (node ?? keyNode) as Node | undefined;
  };
  return {
    source,
    position(path, opts) {
      // walk() falls back to the nearest parent, so a missing key points at its map.
      const node = walk(path, opts?.key ?? false);
      const offset = node?.range?.[0];
      if (offset === undefined) return undefined;
      const { line, col } = lineCounter.linePos(offset);
      return { line, col };
    },
    field: (path) => formatFieldPath(path),
    sourceText(path) {
      const node = walk(path, false);
      return isScalar(node) && typeof node.source === "string" ? node.source : undefined;
    },
  };
}

/**
 * A {@link Locator} for a value that came without a file (JSON in an action input): no
 * positions; fields named as in the workflows file, e.g. `resources.gpu.count`.
 *
 * @param source - how the value is named in messages, e.g. `the job input`.
 * @param rename - a field's name where the user wrote it under another (an action input
 *   `gpu-memory` for `resources.gpu.memory`); default the workflows file's name.
 */
export function valueLocator(
  source: string,
  rename: (field: string) => string | undefined = () => undefined,
): Locator {
  return {
    source,
    position: () => undefined,
    field: (path) => {
      const name = formatFieldPath(path);
      return rename(name) ?? name;
    },
    sourceText: () => undefined,
  };
}

/**
 * A YAML syntax error or warning of the `yaml` library as a diagnostic of `source`: the 1-based
 * line and column of where it starts (`e.pos[0]`, through `lineCounter`), no field, and the
 * first line of the library's message after `YAML: `.
 */
export function yamlDiagnostic(
  source: string,
  lineCounter: LineCounter,
  e: YAMLError,
  severity: Diagnostic["severity"],
): Diagnostic {
  const { line, col } = lineCounter.linePos(e.pos[0]);
  return { severity, source, line, col, field: "", message: `YAML: ${e.message.split("\n")[0]}` };
}
