/**
 * The repository policy as the runners apply it: `.dstack/policy.yaml` of the **default
 * branch**, read through the REST API, never from a checkout (a branch that loosens the policy
 * does not loosen it for its own runs). The one reader of it over REST, for the CLI's
 * `dstack run --remote` and the run-python action's `plan`, `dispatch` and `command` modes.
 * The same file on disk is `readPolicyFile` of `@dstack/spec/node`.
 *
 * @module
 */
import { type Diagnostic, POLICY_FILE, type Policy, parsePolicy } from "@dstack/spec";
import type { GitHubClient } from "./client.js";
import { readDefaultBranch, readRepositoryFile } from "./contents.js";

/** Options of {@link readDefaultBranchPolicy}. */
export interface ReadDefaultBranchPolicyOptions {
  /** A client; its token needs `contents: read` (and `metadata: read` for the default branch). */
  client: GitHubClient;
  /** The repository owner. */
  owner: string;
  /** The repository name. */
  repo: string;
  /** The default branch when the caller knows it (e.g. from the event payload); else it is asked. */
  defaultBranch?: string;
  /**
   * How diagnostics name the file, given the branch read (default `.dstack/policy.yaml`, which
   * annotations on a runner need); the CLI says `.dstack/policy.yaml (o/r on main)`.
   */
  source?: (ref: string) => string;
}

/** The default branch's policy file, parsed. */
export interface DefaultBranchPolicy {
  /** The branch read. */
  ref: string;
  /** Whether the file is there; without it there are no limits. */
  exists: boolean;
  /** The policy, when the file parsed without errors (or is absent: then `undefined`). */
  policy?: Policy;
  /** Its problems, each at `source:line:col`. */
  diagnostics: Diagnostic[];
  /** The name diagnostics use. */
  source: string;
}

/**
 * Reads `.dstack/policy.yaml` at the default branch (`GET /repos/{o}/{r}` for the branch unless
 * given, then `GET /repos/{o}/{r}/contents/.dstack/policy.yaml?ref=`) and parses it.
 *
 * @throws GitHubError when GitHub cannot be asked (403 names `contents: read`; 401, 404 for the
 *   repository, 5xx after retries, unreachable).
 */
export async function readDefaultBranchPolicy(
  options: ReadDefaultBranchPolicyOptions,
): Promise<DefaultBranchPolicy> {
  const { client, owner, repo } = options;
  const ref = options.defaultBranch ?? (await readDefaultBranch({ client, owner, repo }));
  const text = await readRepositoryFile({ client, owner, repo, path: POLICY_FILE, ref });
  const source = options.source?.(ref) ?? POLICY_FILE;
  if (text === undefined) return { ref, exists: false, diagnostics: [], source };
  const parsed = parsePolicy({ text, source });
  return {
    ref,
    exists: true,
    source,
    diagnostics: parsed.diagnostics,
    ...("policy" in parsed ? { policy: parsed.policy } : {}),
  };
}
