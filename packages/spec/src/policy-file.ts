/**
 * Reading `.dstack/policy.yaml` from a folder on disk: `dstack validate`, and the run-python
 * action when it has no token to read the default branch's (the node-only side of
 * `@dstack/spec`: `@dstack/spec/node`). The default branch's policy is read over REST by
 * `readDefaultBranchPolicy` of `@dstack/github`.
 *
 * @module
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Diagnostic } from "./diagnostics.js";
import { POLICY_FILE, type Policy, parsePolicy } from "./policy.js";

/** Options of {@link readPolicyFile}. */
export interface ReadPolicyFileOptions {
  /** The repository root: the folder holding `.dstack/`. */
  root: string;
  /** How diagnostics name the file (default `.dstack/policy.yaml`). */
  source?: string;
}

/** A policy file read from disk: its text, and `parsePolicy`'s result (a policy, or only problems). */
export interface PolicyFile {
  /** The absolute path read. */
  file: string;
  /** The name diagnostics use. */
  source: string;
  /** The policy, when it parsed without errors. */
  policy?: Policy;
  /** Its problems, each at `source:line:col`. */
  diagnostics: Diagnostic[];
}

/**
 * Reads and parses `<root>/.dstack/policy.yaml`.
 *
 * @returns `undefined` when there is no such file (no policy: no limits).
 * @throws Error (from `node:fs`) when the file exists but cannot be read.
 */
export function readPolicyFile(options: ReadPolicyFileOptions): PolicyFile | undefined {
  const file = join(options.root, POLICY_FILE);
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw e;
  }
  const source = options.source ?? POLICY_FILE;
  const parsed = parsePolicy({ text, source });
  return {
    file,
    source,
    diagnostics: parsed.diagnostics,
    ...("policy" in parsed ? { policy: parsed.policy } : {}),
  };
}
