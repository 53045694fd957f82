/**
 * `dstack-runner configure`: the `./config.sh` command line that registers a self-hosted runner
 * with its labels, shown (token masked) or run.
 *
 * Flags are the runner's own (`./config.sh --help`, actions/runner `src/Runner.Listener/Runner.cs`;
 * https://docs.github.com/en/actions/hosting-your-own-runners/managing-self-hosted-runners/adding-self-hosted-runners):
 * `--url`, `--token` (a registration token, not a PAT), `--name`, `--labels` (comma list, added to
 * the default `self-hosted`, OS and architecture labels unless `--no-default-labels`),
 * `--runnergroup`, `--work`, `--unattended` (no prompts), `--replace` (take over a runner with the
 * same name), `--ephemeral` (one job, then the runner is removed).
 *
 * Runners are ephemeral unless the operator asks otherwise: GitHub's guidance for self-hosted
 * runners ("Security hardening for GitHub Actions") is that a persistent runner can be
 * compromised by the code of one job and keep that for the next. An ephemeral runner carries
 * `dstack-ephemeral` (`EPHEMERAL_LABEL` of `@dstack/spec`), the label jobs running pull-request
 * code ask for; a persistent one never does.
 *
 * @module
 */

import { resolve } from "node:path";
import type { Writable } from "node:stream";
import { EPHEMERAL_LABEL } from "@dstack/spec";
import { execa } from "execa";

/** Options of {@link configArgs}. */
export interface ConfigArgsOptions {
  /**
   * Where the runner registers: `https://github.com/OWNER/REPO`, `https://github.com/ORG`, or the
   * same on a GitHub Enterprise Server host.
   */
  url: string;
  /**
   * A runner registration token (`POST .../actions/runners/registration-token`, valid one hour),
   * as GitHub's "New self-hosted runner" page shows it.
   */
  token: string;
  /**
   * The runner's labels, e.g. from `hostRunnerLabels`; joined with commas. At least one. An
   * ephemeral runner gets `dstack-ephemeral` added when it is missing; a persistent one must not
   * have it.
   */
  labels: readonly string[];
  /** The runner's name; `--replace` takes over an existing runner of that name. */
  name: string;
  /**
   * `--ephemeral`: take one job, then GitHub removes the runner. Default `true`; `false`
   * registers a persistent runner, which must never run code from pull requests.
   */
  ephemeral?: boolean;
  /** `--runnergroup NAME`: the runner group (organization runners). Default: the default group. */
  runnerGroup?: string;
  /** `--work DIR`: the work folder, relative to the runner folder. Default: the runner's `_work`. */
  workFolder?: string;
  /** `--no-default-labels`: drop the runner's `self-hosted`, OS and architecture labels. */
  noDefaultLabels?: boolean;
}

/** The program {@link configArgs} names, run from the runner folder. */
export const CONFIG_SH = "./config.sh";

/**
 * The argv of `./config.sh` that registers a runner without prompts.
 *
 * Order: `./config.sh --url URL --token TOKEN --name NAME --labels L1,L2,...
 * [--runnergroup G] [--work DIR] [--no-default-labels] --unattended --replace [--ephemeral]`.
 * `--ephemeral` and the `dstack-ephemeral` label come together (the default); a persistent
 * runner (`ephemeral: false`) has neither.
 *
 * @param options - see {@link ConfigArgsOptions}.
 * @returns the argv, program first, for {@link runConfig} or {@link formatCommand}.
 * @throws Error when `url` is not an http(s) URL with an owner, `token` or `name` is empty, there
 *   are no labels, a label is empty or holds a comma (the runner splits `--labels` on commas), or
 *   a persistent runner is given `dstack-ephemeral`.
 */
export function configArgs(options: ConfigArgsOptions): string[] {
  const { url, token, labels, name } = options;
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    parsed = undefined;
  }
  if (
    !parsed ||
    (parsed.protocol !== "https:" && parsed.protocol !== "http:") ||
    parsed.pathname.replace(/\/+$/, "") === ""
  ) {
    throw new Error(
      `configure: url ${JSON.stringify(url)} is not a repository or organization URL; write e.g. https://github.com/OWNER/REPO or https://github.com/ORG`,
    );
  }
  if (token.trim() === "") {
    throw new Error(
      "configure: the registration token is empty; copy it from the repository's Settings > Actions > Runners > New self-hosted runner, or use --jit with an access token",
    );
  }
  if (name.trim() === "") {
    throw new Error("configure: the runner name is empty");
  }
  if (labels.length === 0) {
    throw new Error("configure: no labels; a dstack runner needs the labels of its host");
  }
  for (const label of labels) {
    if (label.trim() === "" || label.includes(",")) {
      throw new Error(
        `configure: label ${JSON.stringify(label)} is empty or has a comma; config.sh splits --labels on commas`,
      );
    }
  }
  const ephemeral = options.ephemeral ?? true;
  const marked = labels.some((l) => l.toLowerCase() === EPHEMERAL_LABEL);
  if (!ephemeral && marked) {
    throw new Error(
      `configure: label ${EPHEMERAL_LABEL} is for ephemeral runners only; a persistent runner with it would take jobs that run pull-request code and keep whatever they left for the next job`,
    );
  }
  const argv = [CONFIG_SH, "--url", url, "--token", token, "--name", name];
  argv.push("--labels", [...labels, ...(ephemeral && !marked ? [EPHEMERAL_LABEL] : [])].join(","));
  if (options.runnerGroup !== undefined) {
    argv.push("--runnergroup", options.runnerGroup);
  }
  if (options.workFolder !== undefined) {
    argv.push("--work", options.workFolder);
  }
  if (options.noDefaultLabels) {
    argv.push("--no-default-labels");
  }
  argv.push("--unattended", "--replace");
  if (ephemeral) {
    argv.push("--ephemeral");
  }
  return argv;
}

/** Characters that need no quoting in a POSIX shell word. */
const SAFE_WORD = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** One argument quoted for a POSIX shell: as is when safe, else in single quotes. */
export function shellQuote(arg: string): string {
  if (SAFE_WORD.test(arg)) {
    return arg;
  }
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Options of {@link formatCommand}. */
export interface FormatCommandOptions {
  /** Secrets to show as `***` wherever they occur in an argument. Empty strings are ignored. */
  mask?: readonly string[];
}

/** What a masked secret is shown as. */
export const MASK = "***";

/**
 * A command line for people: each argument shell-quoted (POSIX single quotes where needed), joined
 * with spaces, every occurrence of a `mask` value replaced by `***`. Copy-paste safe apart from
 * the masked values.
 *
 * @param argv - program and arguments, e.g. from {@link configArgs}.
 * @param options - see {@link FormatCommandOptions}.
 * @returns one line, no final newline.
 */
export function formatCommand(argv: readonly string[], options: FormatCommandOptions = {}): string {
  const secrets = (options.mask ?? []).filter((s) => s !== "");
  return argv
    .map((arg) => {
      let masked = false;
      let shown = arg;
      for (const secret of secrets) {
        if (shown.includes(secret)) {
          shown = shown.replaceAll(secret, "\u0000");
          masked = true;
        }
      }
      if (!masked) {
        return shellQuote(arg);
      }
      // Quote the parts around the mask, not the mask itself, so `***` stays readable.
      return shown
        .split("\u0000")
        .map((part) => (part === "" ? "" : shellQuote(part)))
        .join(MASK);
    })
    .join(" ");
}

/** Options of {@link runConfig}. */
export interface RunConfigOptions {
  /** The runner folder: where `config.sh` is (the extracted actions-runner release). */
  runnerDir: string;
  /** Program and arguments from {@link configArgs}; the program is resolved against `runnerDir`. */
  argv: readonly string[];
  /** Environment for config.sh. Default `process.env`. */
  env?: NodeJS.ProcessEnv;
  /** Where config.sh's stdout goes, as it is written. Default `process.stdout`. */
  stdout?: Writable;
  /** Where config.sh's stderr goes, as it is written. Default `process.stderr`. */
  stderr?: Writable;
  /** Values never to show in error messages (the token). */
  mask?: readonly string[];
}

/**
 * Runs `config.sh` in the runner folder, without a shell, stdin closed (it runs `--unattended`),
 * streaming its output as it comes.
 *
 * @param options - see {@link RunConfigOptions}.
 * @returns `{ exitCode: 0 }` once config.sh succeeded.
 * @throws Error when config.sh is missing or not executable (naming the folder and where runners
 *   are downloaded), or exits non-zero or is killed (naming the command with the token masked;
 *   config.sh's own message is in the streamed output). Running as root adds the runner's rule:
 *   it refuses root unless `RUNNER_ALLOW_RUNASROOT=1`.
 */
export async function runConfig(options: RunConfigOptions): Promise<{ exitCode: number }> {
  const [program, ...args] = options.argv;
  if (program === undefined) {
    throw new Error("configure: no command to run");
  }
  const file = resolve(options.runnerDir, program);
  const shown = formatCommand(options.argv, { mask: options.mask ?? [] });
  const child = execa(file, args, {
    cwd: options.runnerDir,
    env: options.env ?? process.env,
    extendEnv: false,
    stdin: "ignore",
    buffer: false,
    reject: false,
  });
  child.stdout?.pipe(options.stdout ?? process.stdout, { end: false });
  child.stderr?.pipe(options.stderr ?? process.stderr, { end: false });
  const result = await child;
  if (result.code === "ENOENT" || result.code === "EACCES") {
    throw new Error(
      `configure: cannot run ${file} (${result.code}); extract a runner release from https://github.com/actions/runner/releases into ${options.runnerDir} first`,
    );
  }
  if (result.failed || result.exitCode !== 0) {
    const how =
      result.signal !== undefined
        ? `was killed by ${result.signal}`
        : `exited with code ${result.exitCode ?? "?"}`;
    const root =
      process.getuid?.() === 0 && (options.env ?? process.env).RUNNER_ALLOW_RUNASROOT === undefined
        ? "; the runner refuses to run as root unless RUNNER_ALLOW_RUNASROOT=1"
        : "";
    throw new Error(`configure: ${shown} ${how} in ${options.runnerDir}${root}`);
  }
  return { exitCode: 0 };
}
