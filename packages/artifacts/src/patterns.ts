/**
 * `actions/upload-artifact`'s `path` language, for uploads of the artifacts action: which files
 * a block of pattern lines selects, and where each file goes among a run's artifact paths.
 *
 * Matching is `@actions/glob`'s (the library upload-artifact uses), with upload-artifact's
 * options: symbolic links followed, a folder matches everything below it (implicit
 * descendants), broken links left out, and hidden files and folders (a name starting with `.`)
 * left out unless {@link FindUploadFilesOptions.includeHiddenFiles}. A line is a glob (`*`,
 * `**`, `?`, `[...]`), `!pattern` excludes what earlier lines matched (a later line can match
 * it again), and `#` starts a comment line.
 *
 * Where files land (upload-artifact's `src/shared/search.ts` rule): the root is the least
 * common ancestor of the patterns' search paths (the literal folders before the first glob
 * segment, exclusions not counted), compared segment by segment; with a single search path it
 * is that path, and a single literal file's root is its folder. Each file's path below the
 * root is its path in the artifact, so downloading the artifact path gives upload-artifact's
 * layout. The root's own artifact path is {@link FindUploadFilesOptions.artifactPath} if
 * given, else the root's path relative to the workspace; when the root is the workspace itself
 * (patterns in several top-level folders), each top-level entry becomes its own artifact path,
 * so a whole-run download gives back the workspace's layout.
 *
 * Stricter than upload-artifact, on purpose: every pattern must stay inside the workspace (a
 * pattern with `..`, an absolute path or `~` elsewhere is refused, naming it), and a file
 * reached through a symbolic link that resolves outside the workspace is refused.
 *
 * @module
 */
import * as fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import type { GlobOptions } from "@actions/glob";
import { formatCount } from "@dstack/spec";
import { errnoCode, ioError, StoreError } from "./errors.js";
import { checkArtifactPath } from "./names.js";
import { isInside } from "./tree.js";

type GlobModule = typeof import("@actions/glob");

/**
 * The most files one block of patterns may select (after exclusions). Matching keeps about
 * 0.4 KB per file (measured: 100,000 files, 42 MB of heap), and the upload lists them again;
 * this keeps both well under a gigabyte. The files' bytes are streamed, never held.
 */
export const MAX_UPLOAD_FILES = 250_000;

/**
 * The most artifact paths one block of patterns is split into when the files' root is the
 * workspace itself (one per top-level entry); each is a GitHub artifact of its own, and GitHub
 * allows 500 per job.
 */
export const MAX_SPLIT_ARTIFACTS = 20;

/** Options of {@link findUploadFiles}. */
export interface FindUploadFilesOptions {
  /**
   * The pattern lines as a user writes upload-artifact's `path`, one per line: a file, a folder
   * or a glob, relative to `workspace` (or absolute inside it); `!` before a line excludes;
   * blank lines and lines starting with `#` are ignored. At least one line must include.
   */
  patterns: readonly string[];
  /** The folder patterns are relative to, and that no file may come from outside of (absolute). */
  workspace: string;
  /** Select files and folders whose name starts with `.` too (default `false`, as upload-artifact v4.4+). */
  includeHiddenFiles?: boolean;
  /**
   * The artifact path that all selected files go under, at their paths below the root (e.g.
   * `model`). Default: the root's path relative to the workspace (see the module comment).
   */
  artifactPath?: string;
  /** At most this many files (default {@link MAX_UPLOAD_FILES}). */
  maxFiles?: number;
}

/** One selected file. */
export interface UploadFile {
  /** The file to read: absolute, symbolic links resolved (inside the workspace). */
  source: string;
  /** Its path inside its artifact path: POSIX, relative, e.g. `run1/metrics.json`. */
  rel: string;
}

/** The files that go to one artifact path. */
export interface UploadGroup {
  /** The artifact path: POSIX, relative, e.g. `logs` or `model`. */
  artifactPath: string;
  /** Its files, in the order they were found. */
  files: UploadFile[];
}

/** What one including pattern line selected. */
export interface PatternMatch {
  /** The line as given (trimmed). */
  pattern: string;
  /** Files it selects that no later `!` line excludes (a file may count for several lines). */
  files: number;
  /**
   * Why it selects nothing, when `files` is 0: one sentence starting with the quoted pattern,
   * e.g. `"logs/**" matches 3 files, but "!logs/**" excludes every one`.
   */
  problem?: string;
}

/** The result of {@link findUploadFiles}. */
export interface FoundUploadFiles {
  /** The root (absolute): paths inside the artifacts are relative to it. */
  root: string;
  /** The root relative to the workspace, POSIX; `""` for the workspace itself. */
  rootRel: string;
  /** The files by artifact path; empty when nothing was selected. */
  groups: UploadGroup[];
  /** One entry per including line, in order. */
  patterns: PatternMatch[];
  /** Files selected in all (each once). */
  files: number;
}

/** One parsed line. */
interface Line {
  /** As given, trimmed (with its `!`). */
  text: string;
  /** An exclusion. */
  negate: boolean;
  /** The line for `@actions/glob`: absolute, the workspace's own characters escaped. */
  glob: string;
  /** The literal folder or file before the first glob segment (absolute). */
  searchPath: string;
}

const GLOB_OPTIONS = {
  followSymbolicLinks: true,
  implicitDescendants: true,
  omitBrokenSymbolicLinks: true,
  // Folders are never uploaded themselves (upload-artifact drops them from the results).
  matchDirectories: false,
} as const satisfies GlobOptions;

/** Escapes a literal path for a glob: `\`, `*`, `?`, `[` and `]` lose their meaning. */
function escapeGlob(literal: string): string {
  return literal.replace(/[\\*?[\]]/g, "\\$&");
}

/** `true` when a pattern segment holds glob syntax (an unescaped `*`, `?` or `[...]`). */
function isGlobSegment(segment: string): boolean {
  const bare = segment.replace(/\\./g, "");
  return /[*?]/.test(bare) || /\[.*\]/.test(bare);
}

/** A literal pattern segment with its backslash escapes removed. */
function unescapeSegment(segment: string): string {
  return segment.replace(/\\(.)/g, "$1");
}

const quote = (s: string) => JSON.stringify(s);

/**
 * Parses one non-blank, non-comment line: its `!`s (each toggles, as in `@actions/glob`), then
 * a pattern relative to the workspace, absolute, or starting with `~`.
 *
 * @throws StoreError `invalid` naming the line: an exclusion of nothing, a `.` or `..`
 *   segment, or a pattern whose literal part leaves the workspace.
 */
function parseLine(text: string, workspace: string): Line {
  let body = text;
  let negate = false;
  while (body.startsWith("!")) {
    negate = !negate;
    body = body.slice(1).trim();
  }
  if (body === "") {
    throw new StoreError("invalid", `${quote(text)} excludes nothing; write "!" before a pattern`);
  }
  let base = workspace;
  if (body === "~" || body.startsWith("~/")) {
    base = os.homedir();
    body = body.slice(1);
  } else if (path.isAbsolute(body)) {
    base = path.parse(body).root;
  }
  if (body === "." || body.startsWith("./")) body = body.slice(1);
  const trailingSlash = body.endsWith("/") && body.replace(/\/+$/, "") !== "";
  const segments = body.split("/").filter((s) => s !== "");
  const firstGlob = segments.findIndex(isGlobSegment);
  const literal = (firstGlob < 0 ? segments : segments.slice(0, firstGlob)).map(unescapeSegment);
  const searchPath = path.resolve(base, ...literal);
  if (!isInside(workspace, searchPath)) {
    throw new StoreError(
      "invalid",
      `${quote(text)} reaches outside the workspace ${workspace} (to ${searchPath}); patterns select files inside the workspace only: copy the files into it first`,
    );
  }
  if (segments.some((s) => s === "." || s === "..")) {
    throw new StoreError(
      "invalid",
      `${quote(text)} has a "." or ".." segment inside it, which @actions/glob does not allow; write the path without it`,
    );
  }
  const glob = [escapeGlob(base === path.parse(base).root ? "" : base), ...segments].join("/");
  return {
    text,
    negate,
    glob: `${negate ? "!" : ""}${glob === "" ? "/" : glob}${trailingSlash ? "/" : ""}`,
    searchPath,
  };
}

/**
 * The root of the artifact, as upload-artifact computes it from `@actions/glob`'s search paths
 * (deduplicated, none below another): several -> their least common ancestor, segment by
 * segment; one that is the only file found -> its folder; else the one search path.
 */
function rootOf(searchPaths: readonly string[], files: readonly string[]): string {
  const [first, ...rest] = searchPaths.map((p) => path.normalize(p));
  if (first === undefined) throw new Error("rootOf: no search path");
  if (rest.length === 0) {
    return files.length === 1 && files[0] === first ? path.dirname(first) : first;
  }
  const split = [first, ...rest].map((p) => p.split(path.sep));
  const common: string[] = [];
  for (let i = 0; i < Math.min(...split.map((s) => s.length)); i++) {
    const part = split[0]?.[i] as string;
    if (!split.every((s) => s[i] === part)) break;
    common.push(part);
  }
  return common.join(path.sep) || path.sep;
}

/** Counts what a globber yields, stopping at `max`; the first file found, if any. */
async function count(
  glob: GlobModule,
  lines: readonly string[],
  options: GlobOptions,
  max: number,
): Promise<{ n: number; first?: string }> {
  const g = await glob.create(lines.join("\n"), options);
  let n = 0;
  let first: string | undefined;
  for await (const file of g.globGenerator()) {
    first ??= file;
    if (++n >= max) break;
  }
  return first === undefined ? { n } : { n, first };
}

/** Why `line` (with its later exclusions `later`) selects nothing: one sentence naming it. */
async function explainEmpty(options: {
  glob: GlobModule;
  line: Line;
  later: readonly Line[];
  includeHiddenFiles: boolean;
  workspace: string;
  maxFiles: number;
}): Promise<string> {
  const { glob, line, later, workspace } = options;
  const hidden = { ...GLOB_OPTIONS, excludeHiddenFiles: !options.includeHiddenFiles };
  const rel = (p: string) => path.relative(workspace, p).split(path.sep).join("/") || ".";
  if (later.length > 0) {
    const before = await count(glob, [line.glob], hidden, options.maxFiles);
    if (before.n > 0) {
      return `${quote(line.text)} matches ${formatCount(before.n, "file")}, but ${later.map((l) => quote(l.text)).join(", ")} exclude${later.length === 1 ? "s" : ""} every one`;
    }
  }
  if (!options.includeHiddenFiles) {
    const withHidden = await count(
      glob,
      [line.glob, ...later.map((l) => l.glob)],
      { ...GLOB_OPTIONS, excludeHiddenFiles: false },
      options.maxFiles,
    );
    if (withHidden.first !== undefined) {
      return `${quote(line.text)} matches only hidden files (${withHidden.n}, e.g. ${rel(withHidden.first)}), which are left out; set include-hidden-files to true to upload them`;
    }
  }
  const st = await fsp.stat(line.searchPath).catch(() => undefined);
  if (st === undefined)
    return `${quote(line.text)} matches no files: ${rel(line.searchPath)} does not exist`;
  return `${quote(line.text)} matches no files${st.isDirectory() ? ` in ${rel(line.searchPath)}` : ""}`;
}

/**
 * Selects the files of a block of upload-artifact `path` lines and lays them out by artifact
 * path (the rules are in the module comment). Nothing is read but folder listings and file
 * metadata; files are walked as a stream, so memory grows with the number of files selected.
 *
 * @returns the root, the files grouped by artifact path, and per including line the files it
 *   selects (with the reason when none: no match, all excluded, only hidden files).
 * @throws StoreError `invalid` naming the line: a pattern leaving the workspace or with a `.`
 *   or `..` segment, an exclusion of nothing, no including line, a file reached through a
 *   symbolic link that resolves outside the workspace, more than `maxFiles` files, a bad
 *   `artifactPath`, or more than {@link MAX_SPLIT_ARTIFACTS} top-level entries without one;
 *   `not-found` for a missing workspace; `io` when a folder cannot be read.
 */
export async function findUploadFiles(options: FindUploadFilesOptions): Promise<FoundUploadFiles> {
  const workspace = path.resolve(options.workspace);
  const includeHiddenFiles = options.includeHiddenFiles ?? false;
  const maxFiles = options.maxFiles ?? MAX_UPLOAD_FILES;
  const artifactPath =
    options.artifactPath === undefined ? undefined : checkArtifactPath(options.artifactPath);
  const lines = options.patterns
    .map((p) => p.trim())
    .filter((p) => p !== "" && !p.startsWith("#"))
    .map((p) => parseLine(p, workspace));
  if (!lines.some((l) => !l.negate)) {
    throw new StoreError(
      "invalid",
      `no pattern selects files${lines.length > 0 ? ` (${lines.map((l) => quote(l.text)).join(", ")} only exclude)` : ""}; give a file, a folder or a glob such as "logs/**/*.json"`,
    );
  }
  const realWorkspace = await fsp.realpath(workspace).catch((e) => {
    if (errnoCode(e) === "ENOENT") {
      throw new StoreError("not-found", `the workspace ${workspace} does not exist`);
    }
    throw ioError(`cannot read the workspace ${workspace}`, e);
  });
  const glob = await import("@actions/glob");
  const globOptions = { ...GLOB_OPTIONS, excludeHiddenFiles: !includeHiddenFiles };
  const rel = (from: string, p: string) => path.relative(from, p).split(path.sep).join("/");

  // Each including line is walked with the exclusions that follow it: a file counts for a line
  // when the line matches it and no later exclusion does, and the union over the lines is what
  // @actions/glob selects for the whole block (the last line that matches a file decides).
  const found: string[] = [];
  const seen = new Set<string>();
  // Real paths, kept only where they differ from the path found (a link on the way).
  const realPaths = new Map<string, string>();
  const realDirs = new Map<string, string>();
  const patterns: PatternMatch[] = [];
  try {
    for (const [i, line] of lines.entries()) {
      if (line.negate) continue;
      const later = lines.slice(i + 1).filter((l) => l.negate);
      const g = await glob.create([line, ...later].map((l) => l.glob).join("\n"), globOptions);
      let n = 0;
      for await (const file of g.globGenerator()) {
        n++;
        if (seen.has(file)) continue;
        if (seen.size >= maxFiles) {
          throw new StoreError(
            "invalid",
            `${quote(line.text)}: the patterns select more than ${maxFiles} files, the most one upload takes; narrow the patterns, or pack the files into an archive first`,
          );
        }
        const real = await realSource(file, realDirs);
        if (!isInside(realWorkspace, real)) {
          throw new StoreError(
            "invalid",
            `${quote(line.text)} matches ${rel(workspace, file)}, which a symbolic link leads to ${real}, outside the workspace; only files inside the workspace are uploaded (replace the link with a copy)`,
          );
        }
        if (real !== file) realPaths.set(file, real);
        seen.add(file);
        found.push(file);
      }
      const match: PatternMatch = { pattern: line.text, files: n };
      if (n === 0) {
        match.problem = await explainEmpty({
          glob,
          line,
          later,
          includeHiddenFiles,
          workspace,
          maxFiles,
        });
      }
      patterns.push(match);
    }
  } catch (e) {
    if (e instanceof StoreError) throw e;
    throw ioError("cannot list the files to upload", e);
  }

  const all = await glob.create(lines.map((l) => l.glob).join("\n"), globOptions);
  const root = rootOf(all.getSearchPaths(), found);
  const rootRel = rel(workspace, root);
  const file = (abs: string, relPath: string): UploadFile => ({
    source: realPaths.get(abs) ?? abs,
    rel: relPath,
  });
  let groups: UploadGroup[] = [];
  if (found.length === 0) {
    groups = [];
  } else if (artifactPath !== undefined || rootRel !== "") {
    groups = [
      {
        artifactPath: artifactPath ?? rootRel,
        files: found.map((f) => file(f, rel(root, f))),
      },
    ];
  } else {
    const byTop = new Map<string, UploadFile[]>();
    for (const f of found) {
      const r = rel(root, f);
      const slash = r.indexOf("/");
      const top = slash < 0 ? r : r.slice(0, slash);
      const list = byTop.get(top) ?? [];
      byTop.set(top, list);
      list.push(file(f, slash < 0 ? r : r.slice(slash + 1)));
    }
    if (byTop.size > MAX_SPLIT_ARTIFACTS) {
      const names = [...byTop.keys()];
      throw new StoreError(
        "invalid",
        `the files lie in ${names.length} top-level entries of the workspace (${names.slice(0, 5).join(", ")}, ...), and each would be an artifact of its own (at most ${MAX_SPLIT_ARTIFACTS}); set artifact-path to upload them as one, e.g. "files"`,
      );
    }
    groups = [...byTop].map(([top, files]) => ({ artifactPath: top, files }));
  }
  return { root, rootRel, groups, patterns, files: found.length };
}

/**
 * The real path of a file that `@actions/glob` yielded: its folder's real path (cached per
 * folder) joined with its name, or, for a symbolic link, the link resolved.
 */
async function realSource(file: string, realDirs: Map<string, string>): Promise<string> {
  const st = await fsp.lstat(file);
  if (st.isSymbolicLink()) return await fsp.realpath(file);
  const dir = path.dirname(file);
  let real = realDirs.get(dir);
  if (real === undefined) {
    real = await fsp.realpath(dir);
    realDirs.set(dir, real);
  }
  return path.join(real, path.basename(file));
}
