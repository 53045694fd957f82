/**
 * The pull-request command grammar: a comment line `/dstack run WORKFLOW [@SHA] [OPTIONS] [-- ARGS]`,
 * found in a comment body and parsed with the `dstack run` argv grammar of `@dstack/spec`.
 *
 * A command is text, never a shell line: it is split into words the way a POSIX shell would
 * (quotes and backslashes, by `shlex`, the splitter `@dstack/spec` uses for `args`), and nothing
 * is expanded or run.
 *
 * @module
 */
import { formatDiagnostic, parseRunArgv, type RunCommand } from "@dstack/spec";
import { join as shellJoin, split as shellSplit } from "shlex";

/** The word that starts a command line. */
export const COMMAND_PREFIX = "/dstack";

/** A commit SHA as a command names it: 7 to 40 hex digits after `@`. */
export const SHA_TOKEN_PATTERN = /^@([0-9a-fA-F]{7,40})$/;

/** The accepted grammar, shown with every refusal of a malformed command. */
export const COMMAND_USAGE = `usage: /dstack run WORKFLOW [@SHA] [OPTIONS] [-- ARGS ...]

  WORKFLOW   a workflow of .dstack/workflows.yaml on the default branch
  @SHA       the reviewed commit of this pull request, 7 to 40 hex digits
             (required for a pull request from a fork); default: the head commit now
  OPTIONS    as for dstack run: --cpu N, --memory SIZE, --gpu N, --gpu-name NAME,
             --gpu-memory SIZE, --shm-size SIZE, -i, -e NAME=VALUE, -a FOLDER,
             -r FILE, --working-dir DIR
  ARGS       the script's arguments (they replace the workflow's args)

example: /dstack run train --gpu 2 -- --epochs 3`;

/** A parsed pull-request command. */
export interface PullRequestCommand {
  /** The workflow to run (`WORKFLOW`). */
  workflow: string;
  /**
   * The commit asked for with `@SHA`: lower-case hex, 7 to 40 digits, as given (a prefix is
   * resolved against the pull request's commits by `pinPullRequest`). Absent: the head commit.
   */
  sha?: string;
  /** The words after `WORKFLOW` (and `@SHA`): options, then `--` and the script's arguments. */
  argv: string[];
  /** `argv` as the `dstack run` grammar reads it (`@dstack/spec` `parseRunArgv`). */
  run: RunCommand;
}

/** The result of {@link parseCommand}. */
export type ParseCommandResult =
  /** A command. */
  | { command: PullRequestCommand; line: string }
  /**
   * A `/dstack` line that is not a valid command: `error` says why and shows
   * {@link COMMAND_USAGE}; `help` when the line asked for the grammar (`/dstack help`, `-h`).
   */
  | { error: string; line: string; help?: true }
  /** No `/dstack` line: the comment is not a command. */
  | { none: true };

/** A CommonMark code fence opening or closing: up to 3 spaces, then 3+ backticks or tildes. */
const FENCE = /^ {0,3}(`{3,}|~{3,})/;

/**
 * Finds the command line of a comment body: the first line that starts with `/dstack` (after at
 * most 3 spaces) as a word of its own, outside fenced code blocks, block quotes (`> `, a reply
 * quoting an earlier command) and HTML comments (text a reader does not see).
 *
 * This reads Markdown at line level only (fences, quote markers, comment delimiters), which is
 * all the rule needs; a full Markdown parser would add a dependency for the same answer.
 *
 * @returns the line without the leading spaces and trailing whitespace, or `undefined`.
 */
export function findCommandLine(body: string): string | undefined {
  let fence: string | undefined;
  let inHtmlComment = false;
  for (const raw of body.split(/\r\n|\r|\n/)) {
    if (inHtmlComment) {
      if (raw.includes("-->")) inHtmlComment = false;
      continue;
    }
    const f = FENCE.exec(raw)?.[1];
    if (fence !== undefined) {
      // A closing fence: the same character, at least as long, nothing after it but spaces.
      if (f && f[0] === fence[0] && f.length >= fence.length && raw.trim() === f) fence = undefined;
      continue;
    }
    if (f) {
      fence = f;
      continue;
    }
    const line = raw.replace(/^ {0,3}/, "");
    if (line.startsWith("<!--")) {
      if (!line.includes("-->", 4)) inHtmlComment = true;
      continue;
    }
    if (line.startsWith(COMMAND_PREFIX)) {
      const after = line.slice(COMMAND_PREFIX.length);
      if (after === "" || /^\s/.test(after)) return line.trimEnd();
    }
  }
  return undefined;
}

const malformed = (line: string, why: string) => ({
  error: `${why}\n\n${COMMAND_USAGE}`,
  line,
});
const help = (line: string) => ({ error: COMMAND_USAGE, line, help: true as const });

/**
 * Parses a comment body into a pull-request command.
 *
 * The grammar ({@link COMMAND_USAGE}): `/dstack run WORKFLOW [@SHA] [OPTIONS] [-- ARGS ...]`.
 * `@SHA` may only come right after `WORKFLOW`; options and `--` are those of `dstack run`
 * (`@dstack/spec` `parseRunArgv`), values are checked later against the workflow
 * (`runCommandJob`). The inline form `run python FILE` is refused: a pull-request command runs a
 * workflow of the default branch's workflows file, whose resources and files were reviewed.
 * `-d` is accepted and has no effect (a command's run is always followed).
 *
 * Never throws, whatever the body.
 *
 * @returns `{ none }` when there is no `/dstack` line ({@link findCommandLine}); `{ error, line }`
 *   for a malformed one (the error names the problem, then shows the grammar); else
 *   `{ command, line }`.
 */
export function parseCommand(body: string): ParseCommandResult {
  const line = typeof body === "string" ? findCommandLine(body) : undefined;
  if (line === undefined) return { none: true };
  let words: string[];
  try {
    words = shellSplit(line.slice(COMMAND_PREFIX.length));
  } catch (e) {
    return malformed(line, `The command cannot be split into words: ${(e as Error).message}.`);
  }
  const [verb, workflow, ...rest] = words;
  if (verb === undefined) return malformed(line, "The command is empty.");
  if (verb === "help" || verb === "--help" || verb === "-h") return help(line);
  if (verb !== "run") {
    return malformed(line, `${JSON.stringify(verb)} is not a command; the command is run.`);
  }
  if (workflow === undefined || workflow === "--") {
    return malformed(line, "WORKFLOW is missing.");
  }
  if (workflow === "-h" || workflow === "--help") return help(line);
  if (workflow.startsWith("-")) {
    return malformed(
      line,
      `WORKFLOW must come first, right after run; got the option ${JSON.stringify(workflow)}.`,
    );
  }
  if (workflow === "python") {
    return malformed(
      line,
      "The inline form (run python FILE) is not accepted on pull requests: name a workflow of .dstack/workflows.yaml on the default branch.",
    );
  }
  let sha: string | undefined;
  let argv = rest;
  const first = rest[0];
  if (first?.startsWith("@")) {
    const m = SHA_TOKEN_PATTERN.exec(first);
    if (!m?.[1]) {
      return malformed(
        line,
        `${JSON.stringify(first)} is not a commit: write @ and 7 to 40 hex digits of a commit of this pull request, e.g. @1a2b3c4.`,
      );
    }
    sha = m[1].toLowerCase();
    argv = rest.slice(1);
  }
  const parsed = parseRunArgv([workflow, ...argv]);
  if ("errors" in parsed) {
    const messages = parsed.errors.map(formatDiagnostic).map((m) => `- ${m}`);
    const stray = argv.find(
      (w, i) => SHA_TOKEN_PATTERN.test(w) && !argv.slice(0, i).includes("--"),
    );
    const hint = stray
      ? `\n\n@SHA goes right after WORKFLOW: /dstack run ${workflow} ${stray}`
      : "";
    return malformed(line, `The command has errors:\n${messages.join("\n")}${hint}`);
  }
  if (parsed.command.help) return help(line);
  return {
    command: { workflow, ...(sha ? { sha } : {}), argv, run: parsed.command },
    line,
  };
}

/**
 * Writes a command back as a comment line that {@link parseCommand} reads as the same command:
 * words are quoted for a POSIX shell where needed (`shlex.join`).
 *
 * @throws Error when a word holds a line break (a command is one line, so no parsed command has one).
 */
export function renderCommand(
  command: Pick<PullRequestCommand, "workflow" | "sha" | "argv">,
): string {
  const words = [
    "run",
    command.workflow,
    ...(command.sha ? [`@${command.sha}`] : []),
    ...command.argv,
  ];
  if (words.some((w) => /[\r\n]/.test(w))) {
    throw new Error("renderCommand: a word holds a line break; a command is one line");
  }
  return `${COMMAND_PREFIX} ${shellJoin(words)}`;
}
