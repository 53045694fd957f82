/**
 * Lays selected files out as folders, one per artifact path, so that a store that uploads a
 * folder ({@link GitHubStore.upload}) uploads exactly them at their paths: hard links where the
 * file system allows (no bytes copied, however large the checkpoint), else copies
 * (copy-on-write where it can).
 *
 * @module
 */
import { constants } from "node:fs";
import * as fsp from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { errnoCode, ioError } from "./errors.js";
import { settleLimited } from "./limit.js";
import type { UploadGroup } from "./patterns.js";

/** How many files are linked or copied at once. */
const STAGE_CONCURRENCY = 16;

/** Options of {@link stageUploadGroups}. */
export interface StageUploadGroupsOptions {
  /** The groups of {@link findUploadFiles}. */
  groups: readonly UploadGroup[];
  /**
   * The folder to make the temporary folder in (default `os.tmpdir()`); on the workspace's file
   * system (a runner's `RUNNER_TEMP`) files are hard-linked rather than copied.
   */
  tempDir?: string;
}

/** One laid-out group. */
export interface StagedGroup {
  /** The group's artifact path. */
  artifactPath: string;
  /** The folder holding exactly its files at their paths (absolute). */
  folder: string;
  /** Its files. */
  files: number;
}

/** The result of {@link stageUploadGroups}: remove it with `dispose` once uploaded. */
export interface StagedUpload {
  /** The temporary folder holding every group. */
  dir: string;
  /** One per group, in order. */
  groups: StagedGroup[];
  /** Files copied because a hard link was refused (another file system); 0 when all were linked. */
  copied: number;
  /** Removes the temporary folder; never throws. */
  dispose(): Promise<void>;
}

/**
 * Makes a temporary folder with one sub-folder per group holding its files: `files[i].source`
 * at `files[i].rel`. The sources are left untouched.
 *
 * @throws StoreError `io` when the folder cannot be made or a file cannot be linked or copied
 *   (the temporary folder is removed first).
 */
export async function stageUploadGroups(options: StageUploadGroupsOptions): Promise<StagedUpload> {
  const parent = options.tempDir ?? os.tmpdir();
  let dir: string;
  try {
    dir = await fsp.mkdtemp(path.join(parent, "dstack-upload-"));
  } catch (e) {
    throw ioError(`cannot make a temporary folder in ${parent}`, e);
  }
  const dispose = () => fsp.rm(dir, { recursive: true, force: true }).catch(() => undefined);
  let copied = 0;
  try {
    const groups: StagedGroup[] = [];
    for (const [i, group] of options.groups.entries()) {
      const folder = path.join(dir, String(i));
      await fsp.mkdir(folder);
      const made = new Set<string>([folder]);
      for (const f of group.files) {
        const parentDir = path.dirname(path.join(folder, f.rel));
        if (made.has(parentDir)) continue;
        await fsp.mkdir(parentDir, { recursive: true });
        made.add(parentDir);
      }
      await settleLimited(group.files, STAGE_CONCURRENCY, async (f) => {
        const dest = path.join(folder, f.rel);
        try {
          await fsp.link(f.source, dest);
        } catch (e) {
          if (!["EXDEV", "EPERM", "ENOTSUP", "EMLINK", "EACCES"].includes(errnoCode(e) ?? "")) {
            throw e;
          }
          await fsp.copyFile(f.source, dest, constants.COPYFILE_FICLONE);
          copied++;
        }
      });
      groups.push({ artifactPath: group.artifactPath, folder, files: group.files.length });
    }
    return { dir, groups, copied, dispose };
  } catch (e) {
    await dispose();
    throw ioError(`cannot lay out the files to upload in ${dir}`, e);
  }
}
