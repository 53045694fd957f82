/**
 * The action's inputs, read once, in one place: {@link getInputs} returns one typed object or
 * throws an {@link InputError} naming the input, what was given and what is allowed.
 *
 * @module
 */
import * as core from "@actions/core";
import { checkArtifactPath, StoreError } from "@dstack/artifacts";

/** The input names, as `action.yml` spells them. */
export const Inputs = {
  Mode: "mode",
  Path: "path",
  ArtifactPath: "artifact-path",
  Run: "run",
  Tag: "tag",
  LocalPath: "local-path",
  RetentionDays: "retention-days",
  Compression: "compression",
  IncludeHiddenFiles: "include-hidden-files",
  IfNoFilesFound: "if-no-files-found",
  GitHubToken: "github-token",
  Repository: "repository",
} as const;

/** What `if-no-files-found` does with a `path` line that selects no files (upload-artifact's values). */
export type IfNoFilesFound = "warn" | "error" | "ignore";

/** The inputs of `mode: upload`. */
export interface UploadInputs {
  mode: "upload";
  /**
   * upload-artifact's `path` lines as given: files, folders or globs relative to the workspace
   * (or absolute inside it), `!` to exclude; at least one line.
   */
  paths: string[];
  /** Where the files' root goes among the run's artifacts (checked); undefined: the root's own path. */
  artifactPath?: string;
  /** The run name; undefined: the job's run or a fresh one. */
  run?: string;
  /** A tag to point at the run. */
  tag?: string;
  /** Days GitHub keeps the artifacts (an integer >= 1); undefined: the repository's setting. */
  retentionDays?: number;
  /** Zip level 0 to 9, or `auto`. */
  compression: number | "auto";
  /** Select hidden files and folders too. */
  includeHiddenFiles: boolean;
  /** What a `path` line that selects no files does. */
  ifNoFilesFound: IfNoFilesFound;
  /** The token (masked in logs). */
  token: string;
}

/** The inputs of `mode: download`. */
export interface DownloadInputs {
  mode: "download";
  /** Exactly one of a run name and a tag. */
  ref: { run: string } | { tag: string };
  /** The artifact path to download; `""`: all. */
  artifactPath: string;
  /** The folder to write to, as given (relative to the workspace or absolute). */
  localPath: string;
  /** The token (masked in logs). */
  token: string;
  /** `owner/name`. */
  repository: string;
}

/** The inputs of `mode: tag`: point a tag at a run another workflow run made. */
export interface TagInputs {
  mode: "tag";
  /** The run to tag. */
  run: string;
  /** The tag. */
  tag: string;
  /** Days GitHub keeps the tag artifact (an integer >= 1); undefined: the repository's setting. */
  retentionDays?: number;
  /** The token (masked in logs). */
  token: string;
}

/** All inputs, by mode. */
export type ActionInputs = UploadInputs | DownloadInputs | TagInputs;

/** A user mistake in the inputs; the message starts with the input's name. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InputError";
  }
}

function optional(name: string): string | undefined {
  const value = core.getInput(name);
  return value === "" ? undefined : value;
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new InputError(
    `${name}: ${JSON.stringify(value)} is not allowed; use one of ${allowed.join(", ")}`,
  );
}

/**
 * Reads and checks every input of the current mode (inputs of the other mode are ignored).
 *
 * @throws InputError for a missing, malformed or contradictory input.
 */
export function getInputs(): ActionInputs {
  const mode = oneOf(Inputs.Mode, core.getInput(Inputs.Mode, { required: true }), [
    "upload",
    "download",
    "tag",
  ] as const);
  const token = core.getInput(Inputs.GitHubToken);
  if (token !== "") core.setSecret(token);
  if (mode === "download") {
    const run = optional(Inputs.Run);
    const tag = optional(Inputs.Tag);
    if ((run === undefined) === (tag === undefined)) {
      throw new InputError(
        `${Inputs.Run} / ${Inputs.Tag}: give exactly one of them (the run name to download, or the tag)${run !== undefined ? `; got run ${JSON.stringify(run)} and tag ${JSON.stringify(tag)}` : ""}`,
      );
    }
    return {
      mode,
      ref: run !== undefined ? { run } : { tag: tag as string },
      artifactPath: optional(Inputs.ArtifactPath) ?? "",
      localPath: optional(Inputs.LocalPath) ?? ".",
      token,
      repository: core.getInput(Inputs.Repository) || (process.env.GITHUB_REPOSITORY ?? ""),
    };
  }
  if (mode === "tag") {
    const run = optional(Inputs.Run);
    const tag = optional(Inputs.Tag);
    if (run === undefined || tag === undefined) {
      throw new InputError(
        `${run === undefined ? Inputs.Run : Inputs.Tag}: required for mode tag; give the run to tag (run) and the tag (tag)`,
      );
    }
    const retentionDays = readRetentionDays();
    return {
      mode,
      run,
      tag,
      ...(retentionDays !== undefined ? { retentionDays } : {}),
      token,
    };
  }
  const paths = core.getMultilineInput(Inputs.Path);
  if (paths.length === 0) {
    throw new InputError(
      `${Inputs.Path}: required for mode upload; give files, folders or glob patterns, one per line (e.g. logs/**/*.json)`,
    );
  }
  const artifactPath = optional(Inputs.ArtifactPath);
  if (artifactPath !== undefined) {
    try {
      checkArtifactPath(artifactPath, { label: Inputs.ArtifactPath });
    } catch (e) {
      if (e instanceof StoreError) throw new InputError(e.message);
      throw e;
    }
  }
  const retentionDays = readRetentionDays();
  const compressionText = optional(Inputs.Compression) ?? "auto";
  const compression = compressionText === "auto" ? "auto" : Number(compressionText);
  if (compression !== "auto" && !/^\d$/.test(compressionText)) {
    throw new InputError(
      `${Inputs.Compression}: ${JSON.stringify(compressionText)} is not allowed; use auto, or a zip level 0 (store) to 9`,
    );
  }
  const hidden = core.getInput(Inputs.IncludeHiddenFiles);
  // YAML 1.2 core schema booleans, as @actions/core's getBooleanInput accepts; empty: false.
  const includeHiddenFiles = ["true", "True", "TRUE"].includes(hidden);
  if (!includeHiddenFiles && !["", "false", "False", "FALSE"].includes(hidden)) {
    throw new InputError(
      `${Inputs.IncludeHiddenFiles}: ${JSON.stringify(hidden)} is not a boolean; use true or false`,
    );
  }
  const run = optional(Inputs.Run);
  const tag = optional(Inputs.Tag);
  return {
    mode,
    paths,
    ...(artifactPath !== undefined ? { artifactPath } : {}),
    ...(run !== undefined ? { run } : {}),
    ...(tag !== undefined ? { tag } : {}),
    ...(retentionDays !== undefined ? { retentionDays } : {}),
    compression,
    includeHiddenFiles,
    ifNoFilesFound: oneOf(Inputs.IfNoFilesFound, optional(Inputs.IfNoFilesFound) ?? "warn", [
      "warn",
      "error",
      "ignore",
    ] as const),
    token,
  };
}

/**
 * The `retention-days` input: undefined when not given.
 *
 * @throws InputError for anything but a whole number of days from 1.
 */
function readRetentionDays(): number | undefined {
  const retention = optional(Inputs.RetentionDays);
  if (retention === undefined) return undefined;
  const days = Number(retention);
  if (!/^\d+$/.test(retention) || days < 1) {
    throw new InputError(
      `${Inputs.RetentionDays}: ${JSON.stringify(retention)} is not a number of days; use a whole number from 1 to the repository's limit (90 by default)`,
    );
  }
  return days;
}
