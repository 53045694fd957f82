/**
 * The environment a job (its `before_run`, pip, the Python file) starts from: the caller's
 * environment without the credentials of the process that runs it.
 *
 * On a runner the action's process holds the runner's credentials in its environment: the
 * Actions runtime token and service URLs (`ACTIONS_RUNTIME_TOKEN`, `ACTIONS_RESULTS_URL`,
 * `ACTIONS_CACHE_URL`, `ACTIONS_RUNTIME_URL`), the OIDC request pair
 * (`ACTIONS_ID_TOKEN_REQUEST_URL`, `ACTIONS_ID_TOKEN_REQUEST_TOKEN`) and every input as
 * `INPUT_<NAME>` (the `github-token` input among them). Sources: GitHub's "Metadata syntax
 * reference" (https://docs.github.com/en/actions/reference/workflows-and-actions/metadata-syntax,
 * `inputs`: "GitHub stores input parameters as environment variables"), "Security hardening with
 * OpenID Connect" (the `ACTIONS_ID_TOKEN_REQUEST_*` pair a job with `id-token: write` gets) and
 * "Security hardening for GitHub Actions" (self-hosted runners for untrusted code). The runner
 * gives these to a JavaScript action's process; a program the action starts inherits them unless
 * the action removes them. With them, code run by a pull-request command could upload
 * artifacts and write caches in the default branch's scope, or mint OIDC tokens. The job talks to
 * artifacts through the bridge's socket (`DSTACK_ARTIFACTS_SOCKET`), which the parent serves
 * with the credentials it keeps.
 *
 * This is defence in depth, not a boundary: a process of the same user can still read the
 * parent's environment (`/proc/<pid>/environ`) or find the runner's files. Untrusted code belongs
 * on ephemeral runners (see `EPHEMERAL_LABEL` of `@dstack/spec`).
 *
 * @module
 */

/**
 * Prefixes of variables a job never inherits: `ACTIONS_` (the runtime token, the results, cache
 * and runtime URLs, the OIDC request URL and token, the runner's debug switches) and `INPUT_`
 * (the action's inputs, tokens included). Compared case-sensitively, as Linux names are.
 */
export const JOB_ENV_DENIED_PREFIXES: readonly string[] = ["ACTIONS_", "INPUT_"];

/**
 * Variables a job never inherits: `GITHUB_TOKEN` and `GH_TOKEN` (the names workflows and the `gh`
 * CLI use for a token); `GITHUB_ENV` and `GITHUB_PATH`, the runner's files whose lines become
 * the environment of the job's later steps, the action's own post step among them (which holds
 * the credentials again); and `GITHUB_OUTPUT` and `GITHUB_STATE`, the files of the step's outputs
 * and of the state its post step reads, which are the action's to write, not the job's
 * (docs.github.com/actions/reference/workflow-commands-for-github-actions). The job summary
 * (`GITHUB_STEP_SUMMARY`) stays the job's to write.
 */
export const JOB_ENV_DENIED_NAMES: readonly string[] = [
  "GITHUB_TOKEN",
  "GH_TOKEN",
  "GITHUB_ENV",
  "GITHUB_PATH",
  "GITHUB_OUTPUT",
  "GITHUB_STATE",
];

/** The shortest secret looked for inside longer values; shorter ones drop only exact matches. */
const MIN_SECRET_SUBSTRING = 8;

/** Options of {@link jobEnvironment}. */
export interface JobEnvironmentOptions {
  /** The caller's environment (`process.env` of the CLI or the action). */
  parent: NodeJS.ProcessEnv;
  /**
   * The job's own `environment:` (literal values from the workflows file or `-e`), applied over
   * what is kept of `parent`. A name it declares is set even if `parent`'s value was dropped: it
   * gets the literal value, never the parent's.
   */
  job?: Readonly<Record<string, string>>;
  /**
   * Secret values the caller knows (the action's `github-token` input). A variable (of `parent`
   * or `job`) whose value equals one, or contains one of 8 characters or more, is dropped,
   * whatever its name. Empty strings are ignored.
   */
  secrets?: readonly string[];
}

/** Whether a variable name is one a job never inherits ({@link JOB_ENV_DENIED_PREFIXES}, {@link JOB_ENV_DENIED_NAMES}). */
export function isDeniedJobVariable(name: string): boolean {
  return (
    JOB_ENV_DENIED_NAMES.includes(name) || JOB_ENV_DENIED_PREFIXES.some((p) => name.startsWith(p))
  );
}

/**
 * The environment a job starts from: `parent` without the variables of
 * {@link isDeniedJobVariable}, then `job`'s literal values over it; any value that holds one of
 * `secrets` is dropped from both. Variables with an `undefined` value are left out. The caller
 * adds its own (the bridge's socket, `PATH`, `PYTHONPATH`, `DSTACK_RUN_NAME`) afterwards.
 *
 * @param options - see {@link JobEnvironmentOptions}.
 * @returns a new object; `parent` is not changed.
 */
export function jobEnvironment(options: JobEnvironmentOptions): Record<string, string> {
  const secrets = (options.secrets ?? []).filter((s) => s !== "");
  const holdsSecret = (value: string) =>
    secrets.some((s) => value === s || (s.length >= MIN_SECRET_SUBSTRING && value.includes(s)));
  const env: Record<string, string> = {};
  for (const [name, value] of Object.entries(options.parent)) {
    if (value === undefined || isDeniedJobVariable(name) || holdsSecret(value)) continue;
    env[name] = value;
  }
  for (const [name, value] of Object.entries(options.job ?? {})) {
    if (holdsSecret(value)) {
      delete env[name];
      continue;
    }
    env[name] = value;
  }
  return env;
}
