/**
 * Why a command or label is refused, as values: each refusal has a reason for code and a message
 * for people (posted on the pull request by `replyText`).
 *
 * @module
 */

/**
 * Why nothing was dispatched:
 * - `not-authorized`: the commenter or labeler has less than the required role;
 * - `malformed`: the `/dstack` line does not follow the grammar; `help`: it asked for it;
 * - `unknown-workflow`: no such workflow in the default branch's workflows file;
 * - `invalid-override`: an option's value is refused by the workflows file's rules;
 * - `fork-without-sha`: a pull request from a fork, and the command names no reviewed commit;
 * - `sha-not-in-pull-request`: `@SHA` is not a commit of the pull request (or matches several);
 * - `pushed-after-command`: the head branch changed after the command was written, so the head
 *   is not what was reviewed (run a commit by name with `@SHA`);
 * - `head-unverified`: GitHub would not give the head branch's activity log, so the head cannot
 *   be shown to be the reviewed commit (run a commit by name with `@SHA`);
 * - `closed`: the pull request is closed or merged;
 * - `fork-label`: the label on a pull request from a fork (its workflow token is read-only);
 * - `no-workflows`: the default branch has no valid workflows file;
 * - `policy`: the repository policy (`.dstack/policy.yaml` of the default branch) refuses the job
 *   (GPU model or count) or its trigger (event, actor);
 * - `malformed-payload`: a `repository_dispatch` `client_payload` that `@dstack/spec`
 *   `parseDispatchPayload` refuses (shape, size, values).
 */
export type RefusalReason =
  | "not-authorized"
  | "malformed"
  | "help"
  | "unknown-workflow"
  | "invalid-override"
  | "fork-without-sha"
  | "sha-not-in-pull-request"
  | "pushed-after-command"
  | "head-unverified"
  | "closed"
  | "fork-label"
  | "no-workflows"
  | "policy"
  | "malformed-payload";

/** A refusal: nothing is dispatched, and `message` tells the user why and what to do. */
export interface Refusal {
  /** See {@link RefusalReason}. */
  reason: RefusalReason;
  /**
   * Plain text (not Markdown; it may quote user input): what was given, what is allowed, how to
   * fix it. `replyText` puts it in a code block.
   */
  message: string;
}
