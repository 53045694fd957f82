/**
 * Finding and reading a repository's workflows files from disk, for the CLI and the run-python
 * action (the node-only side of `@dstack/spec`: `@dstack/spec/node`).
 *
 * @module
 */
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, resolve } from "node:path";
import {
  type ParsedWorkflows,
  parseWorkflows,
  WORKFLOWS_DIR,
  WORKFLOWS_FILE,
  type WorkflowsSource,
} from "./index.js";

/**
 * A workflows file that is missing or cannot be read; the message names the path and the fix,
 * and is meant to be shown as is (no stack trace).
 */
export class WorkflowsFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "WorkflowsFileError";
  }
}

/** Where a repository's workflows are and how to print their paths. */
export interface WorkflowsLocation {
  /** Absolute path of the repository root (the folder that holds `.dstack/`). */
  root: string;
  /** Absolute paths of the files to read, main file first, then `.dstack/workflows/` by name. */
  files: string[];
}

/**
 * Finds the workflows files for `target`: a repository folder (its `.dstack/workflows.yaml` and
 * `.dstack/workflows/*.yaml|yml`) or one workflows file.
 *
 * @param target - a folder or file path, relative to `cwd`.
 * @param cwd - the current directory (absolute).
 * @throws {@link WorkflowsFileError} when the path does not exist or holds no workflows file.
 */
export function locateWorkflows(target: string, cwd: string): WorkflowsLocation {
  const abs = resolve(cwd, target);
  if (!existsSync(abs)) {
    throw new WorkflowsFileError(`${target}: no such file or folder`);
  }
  if (statSync(abs).isFile()) {
    const parent = dirname(abs);
    // .dstack/workflows.yaml and .dstack/workflows/x.yaml both have the repository above .dstack.
    const dstackDir =
      basename(parent) === ".dstack"
        ? parent
        : basename(dirname(parent)) === ".dstack"
          ? dirname(parent)
          : undefined;
    return { root: dstackDir ? dirname(dstackDir) : parent, files: [abs] };
  }
  const files: string[] = [];
  const main = join(abs, WORKFLOWS_FILE);
  if (existsSync(main)) files.push(main);
  const dir = join(abs, WORKFLOWS_DIR);
  if (existsSync(dir) && statSync(dir).isDirectory()) {
    const names = readdirSync(dir)
      .filter((n) => /\.ya?ml$/.test(n))
      .sort();
    files.push(...names.map((n) => join(dir, n)));
  }
  if (files.length === 0) {
    throw new WorkflowsFileError(
      `${target}: no ${WORKFLOWS_FILE} or ${WORKFLOWS_DIR}/*.yaml here; create one (dstack schema prints its JSON Schema)`,
    );
  }
  return { root: abs, files };
}

/**
 * Reads and validates the workflows at `target`, with file-existence checks against the
 * repository. Diagnostics name files relative to `cwd`, so editors and terminals can open them.
 *
 * @throws {@link WorkflowsFileError} as {@link locateWorkflows} does, or when a file cannot be read.
 */
export function loadWorkflows(target: string, cwd: string): ParsedWorkflows & WorkflowsLocation {
  const location = locateWorkflows(target, cwd);
  const sources: WorkflowsSource[] = location.files.map((file) => {
    try {
      return { path: relative(cwd, file) || file, text: readFileSync(file, "utf8") };
    } catch (e) {
      throw new WorkflowsFileError(
        `${relative(cwd, file)}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`,
      );
    }
  });
  const parsed = parseWorkflows({
    files: sources,
    fileExists: (repoPath) => existsSync(join(location.root, repoPath)),
  });
  return { ...parsed, ...location };
}
