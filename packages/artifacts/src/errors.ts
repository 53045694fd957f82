/**
 * The one error type of the artifact stores.
 *
 * @module
 */

/**
 * What went wrong, for callers that react differently:
 *
 * - `not-found`: an unknown run, tag, artifact path or local path (the message names it and,
 *   where there are candidates, suggests the closest and lists what there is);
 * - `invalid`: a name or path that can never be valid (a tag outside `TAG_PATTERN`, an artifact
 *   path that leaves its folder, a symbolic link pointing out of an artifact folder, ...);
 * - `io`: the file system refused (an unwritable `DSTACK_HOME`, a full disk, ...); the message
 *   names the folder and the errno, e.g. `EACCES`.
 */
export type StoreErrorCode = "not-found" | "invalid" | "io";

/** An error of an artifact store. The message is one line, ready to print as it is. */
export class StoreError extends Error {
  /** See {@link StoreErrorCode}. */
  readonly code: StoreErrorCode;

  constructor(code: StoreErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = "StoreError";
    this.code = code;
  }
}

/** The errno code (`ENOENT`, `EACCES`, ...) of a Node file-system error, if it is one. */
export function errnoCode(e: unknown): string | undefined {
  const code = (e as NodeJS.ErrnoException | null)?.code;
  return typeof code === "string" ? code : undefined;
}

/**
 * Wraps a file-system failure as a `StoreError` `io` whose message is `what: <node's message>`
 * (Node's message starts with the errno: `EACCES: permission denied, mkdir '/x'`). A
 * `StoreError` passes through unchanged.
 */
export function ioError(what: string, e: unknown): StoreError {
  if (e instanceof StoreError) return e;
  const detail = e instanceof Error ? e.message : String(e);
  return new StoreError("io", `${what}: ${detail.replaceAll("\n", " ")}`, { cause: e });
}
