/**
 * Replies to refused commands and labels, posted as a comment of their own (never in the sticky
 * comment: anyone can comment, and a refusal must not hide the state of a maintainer's run).
 *
 * @module
 */
import { code, codeBlock } from "./markdown.js";
import type { Refusal } from "./refusal.js";

/** The hidden first line of every reply, so that tools can find (or hide) them. */
export const REPLY_MARKER = "<!-- dstack-run:reply -->";

const TITLES: Record<Refusal["reason"], string> = {
  "not-authorized": "not started: your role on the repository does not start runs",
  malformed: "not started: the command is malformed",
  help: "pull-request commands",
  "unknown-workflow": "not started: no such workflow",
  "invalid-override": "not started: an option is not valid for this workflow",
  "fork-without-sha": "not started: name the reviewed commit",
  "sha-not-in-pull-request": "not started: the commit is not part of this pull request",
  "pushed-after-command": "not started: commits came after the command",
  "head-unverified": "not started: name the reviewed commit",
  closed: "not started: the pull request is not open",
  "fork-label": "not started: the label does not run pull requests from forks",
  "no-workflows": "not started: no workflows file on the default branch",
  policy: "not started: the repository policy refuses it",
  "malformed-payload": "not started: the repository_dispatch payload is not valid",
};

/** Options of {@link replyText}. */
export interface ReplyTextOptions {
  /** The command line as written, or e.g. `label dstack-run`; quoted as code. */
  command?: string;
  /** The login of who asked; shown as code (no mention, no notification). */
  actor?: string;
}

/**
 * The Markdown of a refusal: a title per reason, the command and who asked as code, and the
 * message (what was given, what is allowed, how to fix it) in a code block. User text cannot
 * add markup or mentions.
 */
export function replyText(refusal: Refusal, options: ReplyTextOptions = {}): string {
  const who = options.actor ? ` (asked by ${code(options.actor)})` : "";
  const lines = [REPLY_MARKER, `**dstack**: ${TITLES[refusal.reason]}${who}.`, ""];
  if (options.command) lines.push(`> ${code(options.command)}`, "");
  lines.push(codeBlock(refusal.message));
  return `${lines.join("\n")}\n`;
}
