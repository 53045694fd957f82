/**
 * The naming rules of dstack's artifact stores, pure (no file system, no network): which run
 * names, tags and artifact paths are valid, and the GitHub artifact names the GitHub store
 * writes them under.
 *
 * ```
 * dstack--<run-name>--<path-slug>   the files of one artifact path of a run (a zip)
 * dstack-tar--<run-name>--<path-slug>.tar[.gz]  the files of one artifact path as one tar
 *                                  (many small files; see `archive.ts`)
 * dstack-run--<run-name>            a run marker, holding `dstack-run.json`
 * dstack-tag--<tag>                 a tag, holding `dstack-tag.json` = { version: 1, tag, runName }
 *                                   (+ `workflowRunId`, the run's workflow run, when another one
 *                                   wrote the tag; + `pullRequest` in a pull request's namespace)
 * pr-<n>.<tag>                      a tag written by a run of pull request n's code
 * ```
 *
 * - Run names and tags match `TAG_PATTERN` from `@dstack/spec` (letters, digits, `.`, `_`, `-`,
 *   starting with a letter or digit) and have at most 200 characters, so `<tag>.json` and
 *   temporary names fit in a 255-byte file name. In GitHub artifact names a run name may not
 *   hold `--`, so `dstack--<run-name>--` is an unambiguous prefix.
 * - `<path-slug>` is the artifact path with `%` -> `%25`, `~` -> `%7E` and `/` -> `~`
 *   (`output/my_model` -> `output~my_model`); reversible. A path holding a character GitHub
 *   refuses in artifact names (`" : < > | * ? \ CR LF`, see `@actions/artifact`'s name
 *   validation) is refused.
 *
 * Every check throws a {@link StoreError} `invalid` that names the value and what is allowed.
 *
 * @module
 */
import { checkRepoPath, TAG_PATTERN } from "@dstack/spec";
import { StoreError } from "./errors.js";
import { FILE_ARTIFACT_PREFIX } from "./github-files.js";

/** Run names and tags: a safe single folder or file name (`TAG_PATTERN` from `@dstack/spec`). */
const NAME_RE = new RegExp(TAG_PATTERN);
/** Longest run name or tag, so `<tag>.json` and temporary names fit in 255 bytes. */
export const MAX_NAME_LENGTH = 200;
/** Characters GitHub refuses in artifact names (see `@actions/artifact`'s name validation). */
const FORBIDDEN = /[":<>|*?\r\n\\]/;

/** Prefix of a run's data artifacts: `dstack--<run-name>--<path-slug>`. */
export const DATA_ARTIFACT_PREFIX = "dstack--";
/** Prefix of a run's archive artifacts: `dstack-tar--<run-name>--<path-slug>.tar[.gz]`. */
export const ARCHIVE_ARTIFACT_PREFIX = "dstack-tar--";
/** The end of an archive artifact's name: `.tar.gz` when gzipped, else `.tar`. */
export const ARCHIVE_SUFFIXES = { gzip: ".tar.gz", plain: ".tar" } as const;
/** Prefix of a run marker artifact: `dstack-run--<run-name>`. */
export const RUN_ARTIFACT_PREFIX = "dstack-run--";
/** Prefix of a tag artifact: `dstack-tag--<tag>`. */
export const TAG_ARTIFACT_PREFIX = "dstack-tag--";
/** The one file a tag artifact (and a run marker) holds. */
export const TAG_FILE = "dstack-tag.json";
/** The one file a run marker holds. */
export const RUN_FILE = "dstack-run.json";

/**
 * `true` when `name` can be a run name or a tag: it matches `TAG_PATTERN` from `@dstack/spec`
 * (`^[A-Za-z0-9][A-Za-z0-9._-]*$`, so a single safe file name) and has at most 200 characters.
 */
export function isValidName(name: unknown): name is string {
  return typeof name === "string" && name.length <= MAX_NAME_LENGTH && NAME_RE.test(name);
}

/**
 * `name` when it is a valid run name or tag ({@link isValidName}).
 *
 * @param kind - `run` or `tag`, for the message.
 * @throws StoreError `invalid` naming the value and the allowed characters.
 */
export function checkName(kind: "run" | "tag", name: unknown): string {
  if (!isValidName(name)) {
    throw new StoreError(
      "invalid",
      `${kind} ${JSON.stringify(name)} is not a valid ${kind} name; use letters, digits, ".", "_" and "-", starting with a letter or digit (at most ${MAX_NAME_LENGTH} characters)`,
    );
  }
  return name;
}

/**
 * Checks an artifact path and returns it normalized (POSIX, no trailing `/`; `checkRepoPath`
 * of `@dstack/spec`: relative, no `..`). With `allowAll`, `""` and `.` mean the whole of a
 * run's artifacts and give `""`.
 *
 * @param options - `label` names the value in messages (default `artifact path`).
 * @throws StoreError `invalid` for a non-string, an absolute or escaping path, or `.` without
 *   `allowAll`.
 */
export function checkArtifactPath(
  value: unknown,
  options: { label?: string; allowAll?: boolean } = {},
): string {
  const label = options.label ?? "artifact path";
  if (typeof value !== "string") {
    throw new StoreError("invalid", `${label}: expected a string, got ${JSON.stringify(value)}`);
  }
  if (value === "" && options.allowAll) return "";
  const checked = checkRepoPath(value);
  if ("error" in checked) throw new StoreError("invalid", `${label}: ${checked.error}`);
  if (checked.path === ".") {
    if (options.allowAll) return "";
    throw new StoreError(
      "invalid",
      `${label}: ${JSON.stringify(value)} names no folder; give a relative path such as "model"`,
    );
  }
  return checked.path;
}

/**
 * A run name as GitHub artifact names hold it: a valid name ({@link isValidName}) without `--`.
 *
 * @throws StoreError `invalid` naming the run name.
 */
export function checkArtifactRunName(runName: unknown): string {
  if (!isValidName(runName) || runName.includes("--")) {
    throw new StoreError(
      "invalid",
      `run ${JSON.stringify(runName)} is not a valid run name for the GitHub store; use letters, digits, ".", "_" and single "-", starting with a letter or digit`,
    );
  }
  return runName;
}

/**
 * A tag as GitHub artifact names hold it ({@link isValidName}).
 *
 * @throws StoreError `invalid` naming the tag.
 */
export function checkArtifactTag(tag: unknown): string {
  if (!isValidName(tag)) {
    throw new StoreError(
      "invalid",
      `tag ${JSON.stringify(tag)} cannot be a GitHub artifact tag; use letters, digits, ".", "_" and "-", starting with a letter or digit (at most 200 characters)`,
    );
  }
  return tag;
}

/**
 * The slug of an artifact path inside an artifact name: `%` -> `%25`, `~` -> `%7E`, `/` -> `~`.
 *
 * @throws StoreError `invalid` for a path that is not a valid artifact path or holds a
 *   character GitHub forbids in artifact names (`" : < > | * ? \ CR LF`), naming it.
 */
export function encodeArtifactPath(artifactPath: string): string {
  const checked = checkArtifactPath(artifactPath);
  const bad = FORBIDDEN.exec(checked);
  if (bad) {
    throw new StoreError(
      "invalid",
      `artifact path ${JSON.stringify(checked)}: ${JSON.stringify(bad[0])} cannot be in a GitHub artifact name; rename it (not allowed: " : < > | * ? \\ and line breaks)`,
    );
  }
  return checked.replace(/[%~/]/g, (c) => (c === "%" ? "%25" : c === "~" ? "%7E" : "~"));
}

/** The inverse of {@link encodeArtifactPath}: `output~my_model` -> `output/my_model`. */
export function decodeArtifactPath(slug: string): string {
  return slug.replace(/%25|%7E|~/g, (s) => (s === "%25" ? "%" : s === "%7E" ? "~" : "/"));
}

/**
 * The GitHub name of a run's artifact path: `dstack--<run-name>--<path-slug>`.
 *
 * @throws StoreError `invalid` for a bad run name (one holding `--` included) or artifact path.
 */
export function dataArtifactName(runName: string, artifactPath: string): string {
  return `${DATA_ARTIFACT_PREFIX}${checkArtifactRunName(runName)}--${encodeArtifactPath(artifactPath)}`;
}

/**
 * The GitHub name of a run's artifact path packed as one tar (`archive.ts`):
 * `dstack-tar--<run-name>--<path-slug>.tar.gz`, or `.tar` when not gzipped. The artifact is the
 * file itself (uploaded without a zip), so the name is also its file name and tells its type.
 *
 * @throws StoreError `invalid` for a bad run name or artifact path.
 */
export function archiveArtifactName(
  runName: string,
  artifactPath: string,
  options: { gzip: boolean },
): string {
  const suffix = options.gzip ? ARCHIVE_SUFFIXES.gzip : ARCHIVE_SUFFIXES.plain;
  return `${ARCHIVE_ARTIFACT_PREFIX}${checkArtifactRunName(runName)}--${encodeArtifactPath(artifactPath)}${suffix}`;
}

/**
 * The artifact path and kind a run's artifact name holds (`dstack--<run>--<slug>` a zip,
 * `dstack-file--<run>--<slug>` a file, `dstack-tar--<run>--<slug>.tar[.gz]` an archive), or
 * undefined for a name of another run or kind.
 */
export function parseRunArtifactName(
  name: string,
  runName: string,
): { artifactPath: string; kind: "zip" | "file" | "archive" } | undefined {
  for (const [prefix, kind] of [
    [`${DATA_ARTIFACT_PREFIX}${runName}--`, "zip"],
    [`${FILE_ARTIFACT_PREFIX}${runName}--`, "file"],
    [`${ARCHIVE_ARTIFACT_PREFIX}${runName}--`, "archive"],
  ] as const) {
    if (!name.startsWith(prefix)) continue;
    let slug = name.slice(prefix.length);
    if (kind === "archive") {
      const suffix = [ARCHIVE_SUFFIXES.gzip, ARCHIVE_SUFFIXES.plain].find((x) => slug.endsWith(x));
      if (suffix === undefined) return undefined;
      slug = slug.slice(0, -suffix.length);
    }
    return { artifactPath: decodeArtifactPath(slug), kind };
  }
  return undefined;
}

/** The GitHub name of a run's marker: `dstack-run--<run-name>`. @throws StoreError `invalid`. */
export function runArtifactName(runName: string): string {
  return `${RUN_ARTIFACT_PREFIX}${checkArtifactRunName(runName)}`;
}

/** The GitHub name of a tag: `dstack-tag--<tag>`. @throws StoreError `invalid`. */
export function tagArtifactName(tag: string): string {
  return `${TAG_ARTIFACT_PREFIX}${checkArtifactTag(tag)}`;
}

/**
 * A tag in a pull request's namespace: `pr-<n>.<tag>` (`best` of pull request 12 is
 * `pr-12.best`, stored as the artifact `dstack-tag--pr-12.best`). Runs of pull-request code write
 * their tags there, so they never move a tag that default-branch runs read; reading `best` still
 * finds the shared tag. The prefix is reserved: no other run may write a tag that starts with it.
 */
export function pullRequestTag(tag: string, pullRequest: number): string {
  return `pr-${pullRequest}.${tag}`;
}

/** The pull request whose namespace a tag is in (`pr-12.best` -> 12), or undefined. */
export function pullRequestOfTag(tag: string): number | undefined {
  const m = /^pr-(\d+)\./.exec(tag);
  return m ? Number(m[1]) : undefined;
}

/**
 * Checks a pull request number for {@link pullRequestTag}.
 *
 * @throws StoreError `invalid` for anything but a positive safe integer.
 */
export function checkPullRequest(n: unknown): number {
  if (typeof n !== "number" || !Number.isSafeInteger(n) || n < 1) {
    throw new StoreError(
      "invalid",
      `pullRequest: ${JSON.stringify(n)} is not a pull request number; expected a positive integer`,
    );
  }
  return n;
}
