/**
 * Test helper: validates GitHub Actions workflow files (and action.yml files) with GitHub's own
 * parser, `@actions/languageservice` `validate()`, the code behind the VS Code extension: schema,
 * keys, `on:` events, expressions and their contexts, `runs-on`, reusable-workflow inputs and,
 * for `uses:` steps of our own actions, the action's inputs read from this repository's
 * `actions/<name>/action.yml`.
 *
 * Two things the language service does that a test must not trip over:
 * - it imports JSON without import attributes, which Node refuses (ERR_IMPORT_ASSERTION_TYPE_MISSING
 *   on Node 20, ERR_IMPORT_ATTRIBUTE_MISSING later); {@link loadLanguageService} registers a
 *   resolve hook that adds `type: "json"` to such imports before loading it;
 * - it catches any exception thrown while validating, logs it and returns the diagnostics found
 *   so far (often none); the logger registered here turns that log line into a diagnostic, so a
 *   crash never reads as "valid". It also caches parses by URI, so every call uses a fresh URI.
 *
 * Private to the workspaces; imported by tests only.
 *
 * @module
 */

import { AsyncLocalStorage } from "node:async_hooks";
import { randomUUID } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { readFile } from "node:fs/promises";
import { register } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import type { ActionMetadata, ActionReference } from "@actions/languageservice/action";
import type { ValidationConfig } from "@actions/languageservice/validate";
import { parseDocument } from "yaml";

/** One problem found in a workflow or action file; `line` and `column` count from 1. */
export interface WorkflowDiagnostic {
  /** The name the text was validated under (a path, usually relative to the repository). */
  file: string;
  line: number;
  column: number;
  severity: "error" | "warning" | "information" | "hint";
  message: string;
}

export interface ValidateWorkflowOptions {
  /**
   * The repository root. Local actions (`uses: ./actions/NAME`, `$/actions/NAME`), reusable
   * workflows (`uses: ./.github/workflows/X.yml`) and our published actions are read from here.
   * Default: the repository this file belongs to.
   */
  root?: string;
  /**
   * Remote actions whose metadata is served from a local file: `owner/name` or
   * `owner/name/path` (no `@ref`) -> the action.yml path, relative to `root`. Default
   * {@link dstackActions}: `dstack/<name>` and `OWNER/REPO/actions/<name>` for every
   * `actions/<name>/action.yml` under `root`. Other remote actions (`actions/checkout@v4`)
   * cannot be fetched here: their inputs are not checked.
   */
  actions?: Record<string, string>;
}

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..", "..");

/**
 * A Node resolve hook: JSON modules imported without `with { type: "json" }` get the attribute,
 * so `@actions/languageservice` and `@actions/workflow-parser` load on Node 20 and later. Only
 * `.json` URLs inside `node_modules/@actions/` are touched.
 */
const jsonImportHook = `
export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (resolved.url.endsWith(".json") && resolved.url.includes("/node_modules/@actions/") &&
      context.importAttributes?.type === undefined) {
    return { ...resolved, importAttributes: { ...context.importAttributes, type: "json" } };
  }
  return resolved;
}`;

type LanguageService = typeof import("@actions/languageservice");
type WorkflowCache = typeof import("@actions/languageservice/utils/workflow-cache");

interface Loaded {
  service: LanguageService;
  cache: WorkflowCache;
  TextDocument: typeof import("vscode-languageserver-textdocument").TextDocument;
}

/** Errors the language service logged (it swallows its own exceptions) during one validation. */
const logged = new AsyncLocalStorage<string[]>();

/**
 * Loads the language service once per process (an immutable module, memoized as a promise):
 * registers the JSON import hook when Node needs it, and a logger that records swallowed errors
 * for the validation in progress.
 */
const loadLanguageService: () => Promise<Loaded> = (() => {
  let loading: Promise<Loaded> | undefined;
  return () => {
    loading ??= (async () => {
      // Needed under vitest too: it leaves node_modules to Node's own loader (measured on 4.1).
      register(`data:text/javascript,${encodeURIComponent(jsonImportHook)}`);
      const service = await import("@actions/languageservice");
      const cache = await import("@actions/languageservice/utils/workflow-cache");
      const { TextDocument } = await import("vscode-languageserver-textdocument");
      service.registerLogger({
        error: (message) => logged.getStore()?.push(message),
        warn: () => {},
        info: () => {},
        log: () => {},
      });
      return { service, cache, TextDocument };
    })();
    return loading;
  };
})();

/**
 * `dstack/<name>` and the path form `OWNER/REPO/actions/<name>` (matched for any owner, see
 * {@link findLocalAction}) for every `actions/<name>/action.yml` under `root`.
 */
export function dstackActions(root: string = repoRoot): Record<string, string> {
  const actions: Record<string, string> = {};
  const dir = path.join(root, "actions");
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    const file = path.join("actions", name, "action.yml");
    if (existsSync(path.join(root, file))) {
      actions[`dstack/${name}`] = file;
    }
  }
  return actions;
}

/** The action.yml (relative to root) that serves a remote reference, if any. */
function findLocalAction(
  ref: ActionReference,
  root: string,
  actions: Record<string, string>,
): string | undefined {
  const full = ref.path ? `${ref.owner}/${ref.name}/${ref.path}` : `${ref.owner}/${ref.name}`;
  const mapped = actions[full];
  if (mapped !== undefined) {
    return mapped;
  }
  // `uses: OWNER/REPO/actions/run-python@v1`: this monorepo, used by path.
  const match = /^actions\/([\w.-]+)$/.exec(ref.path ?? "");
  if (match) {
    const file = path.join("actions", match[1] as string, "action.yml");
    if (existsSync(path.join(root, file))) {
      return file;
    }
  }
  return undefined;
}

/** The first YAML error in `text` as `FILE:LINE:COL: message`, if any. */
function yamlProblem(text: string, file: string): string | undefined {
  const [first] = parseDocument(text).errors;
  if (first === undefined) {
    return undefined;
  }
  const at = first.linePos?.[0] ?? { line: 1, col: 1 };
  return `${file}:${at.line}:${at.col}: ${oneLine(first.message)}`;
}

/** An action.yml's text (free of YAML errors) as the language service's ActionMetadata. */
function actionMetadata(text: string, file: string): ActionMetadata {
  const value = parseDocument(text).toJS() as Partial<ActionMetadata> | null;
  return {
    name: value?.name ?? file,
    description: value?.description ?? "",
    ...(value?.inputs ? { inputs: value.inputs } : {}),
    ...(value?.outputs ? { outputs: value.outputs } : {}),
  };
}

/**
 * Step-level `uses: ./PATH` is skipped by the language service (it only resolves remote
 * references and the self-repository form `$/PATH`, through the file provider). `./` and `$/`
 * have the same length, so rewriting one into the other keeps every line:column; job-level
 * reusable workflows (`./.github/workflows/...`) are left as they are.
 */
function localStepUsesAsSelfRepository(text: string): string {
  return text.replace(
    /^(\s*(?:-\s+)?uses:\s*["']?)\.\/(?!\.github\/workflows)/gm,
    (_, prefix: string) => `${prefix}$/`,
  );
}

/** The position of the `uses:` value naming `ref`, for a diagnostic about that action. */
function usesPosition(text: string, uses: string): { line: number; column: number } {
  const lines = text.split("\n");
  for (const [i, line] of lines.entries()) {
    const at = line.indexOf(uses);
    if (at >= 0 && /uses:/.test(line)) {
      return { line: i + 1, column: at + 1 };
    }
  }
  return { line: 1, column: 1 };
}

/** A YAML error's first line, without the position it repeats (`at line 3, column 7:`). */
function oneLine(message: string): string {
  return (message.split("\n")[0] ?? message).replace(/ at line \d+, column \d+:?$/, "");
}

const severities = ["error", "error", "warning", "information", "hint"] as const;

/**
 * Validates a workflow (or, when `name` ends in `action.yml`/`action.yaml`, an action metadata
 * file) given as text. `name` is used in the diagnostics and decides the kind of file.
 * Returns every diagnostic, errors and warnings, sorted by position.
 */
export async function validateWorkflowText(
  text: string,
  name: string,
  options: ValidateWorkflowOptions = {},
): Promise<WorkflowDiagnostic[]> {
  const root = options.root ?? repoRoot;
  const actions = options.actions ?? dstackActions(root);
  const { service, cache, TextDocument } = await loadLanguageService();
  const extra: WorkflowDiagnostic[] = [];
  // action.yml files found unreadable in this call, reported once each, at their first `uses:`.
  const reported = new Set<string>();
  const unreadable = (file: string, uses: string, problem: string): void => {
    if (!reported.has(file)) {
      reported.add(file);
      const message = `${uses}: cannot read its action.yml: ${problem}`;
      extra.push({ file: name, ...usesPosition(text, uses), severity: "error", message });
    }
  };

  const config: ValidationConfig = {
    actionsMetadataProvider: {
      async fetchActionMetadata(ref) {
        const uses = `${[ref.owner, ref.name, ref.path].filter(Boolean).join("/")}@${ref.ref}`;
        const file = findLocalAction(ref, root, actions);
        if (file === undefined) {
          // Not ours: cannot be fetched offline. Metadata without inputs skips the input checks.
          return { name: uses, description: "" };
        }
        const text = await readFile(path.join(root, file), "utf8");
        const problem = yamlProblem(text, file);
        if (problem !== undefined) {
          unreadable(file, uses, problem);
          return { name: uses, description: "" };
        }
        return actionMetadata(text, file);
      },
    },
    // Local files for `$/actions/NAME` steps and `./.github/workflows/X.yml` reusable workflows.
    fileProvider: {
      async getFileContent(ref) {
        if ("repository" in ref) {
          throw new Error(
            `remote file ${ref.owner}/${ref.repository}/${ref.path} is not available`,
          );
        }
        const file = path.resolve(root, ref.path);
        if (path.relative(root, file).startsWith("..")) {
          throw new Error(`${ref.path} is outside the repository`);
        }
        const content = await readFile(file, "utf8");
        // The language service reads a step's action.yml with a bare `parse()`, whose exception
        // would end the whole validation: report a broken one here and serve an empty one.
        const problem = /(^|\/)action\.ya?ml$/.test(ref.path)
          ? yamlProblem(content, ref.path)
          : undefined;
        if (problem !== undefined) {
          unreadable(ref.path, `./${path.posix.dirname(ref.path)}`, problem);
          return { name: ref.path, content: `name: ${ref.path}\ndescription: unreadable\n` };
        }
        return { name: ref.path, content };
      },
    },
  };

  // A fresh URI per call: the language service caches parses by URI. The file's own name stays
  // last, since it decides between a workflow and an action.yml.
  const uri = `file:///validate/${randomUUID()}/${name.replace(/^\/+/, "")}`;
  const doc = TextDocument.create(uri, "yaml", 1, localStepUsesAsSelfRepository(text));
  const errors: string[] = [];
  try {
    const found = await logged.run(errors, () => service.validate(doc, config));
    const diagnostics: WorkflowDiagnostic[] = found.map((d) => ({
      file: name,
      line: d.range.start.line + 1,
      column: d.range.start.character + 1,
      severity: severities[d.severity ?? 1],
      message: oneLine(typeof d.message === "string" ? d.message : d.message.value)
        .replaceAll("`$/", "`./")
        .replaceAll("'$/", "'./"),
    }));
    for (const message of errors) {
      diagnostics.push({
        file: name,
        line: 1,
        column: 1,
        severity: "error",
        message: oneLine(message),
      });
    }
    return [...diagnostics, ...extra].sort((a, b) => a.line - b.line || a.column - b.column);
  } finally {
    cache.clearCacheEntry(uri);
  }
}

/**
 * Validates a workflow file (or an action.yml) on disk. Diagnostics name the file relative to
 * `options.root` (default the repository root).
 */
export async function validateWorkflowFile(
  file: string,
  options: ValidateWorkflowOptions = {},
): Promise<WorkflowDiagnostic[]> {
  const root = options.root ?? repoRoot;
  const absolute = path.resolve(root, file);
  const name = path.relative(root, absolute).split(path.sep).join("/");
  return validateWorkflowText(readFileSync(absolute, "utf8"), name, { ...options, root });
}

/** `FILE:LINE:COL: severity: message`, one line, for test failures and CLI output. */
export function formatDiagnostic(d: WorkflowDiagnostic): string {
  return `${d.file}:${d.line}:${d.column}: ${d.severity}: ${d.message}`;
}
