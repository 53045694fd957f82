/**
 * The `dstack/artifacts` action: `run()` reads the inputs once, selects files with the
 * upload-artifact `path` rules of `@dstack/artifacts`, calls its GitHub store, and sets outputs
 * and the job summary. Glue only: patterns, names, lookups, digests and safety rules
 * live in the package.
 *
 * @module
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import * as core from "@actions/core";
import {
  type FoundUploadFiles,
  findUploadFiles,
  StoreError,
  stageUploadGroups,
} from "@dstack/artifacts";
import { GitHubStore, type GitHubUploadResult } from "@dstack/artifacts/github";
import { formatCount, formatRunName, formatSize, runNameStem } from "@dstack/spec";
import {
  type DownloadInputs,
  getInputs,
  InputError,
  Inputs,
  type TagInputs,
  type UploadInputs,
} from "./inputs.js";

/** The environment variable holding the job's dstack run (set by run-python and by uploads). */
export const RUN_NAME_ENV = "DSTACK_RUN_NAME";

/** Runs the action; throws on failure ({@link runStep} turns it into `core.setFailed`). */
export async function run(): Promise<void> {
  const inputs = getInputs();
  if (inputs.mode === "upload") await upload(inputs);
  else if (inputs.mode === "tag") await tagRun(inputs);
  else await download(inputs);
}

/** {@link run}, with any throw (an Error or not) turned into a failed step; never throws. */
export async function runStep(): Promise<void> {
  try {
    await run();
  } catch (e) {
    core.setFailed(e instanceof Error ? e.message : String(e));
  }
}

function workspace(): string {
  return path.resolve(process.env.GITHUB_WORKSPACE ?? process.cwd());
}

/**
 * The run to upload into: the `run` input, else the job's run (`DSTACK_RUN_NAME`), else a
 * fresh name `<adjective>-<animal>-<workflow run id>` (unique across the repository's runs).
 */
function chooseRunName(given: string | undefined): string {
  if (given !== undefined) return given;
  const job = process.env[RUN_NAME_ENV];
  if (job !== undefined && job !== "") return job;
  const runId = Number(process.env.GITHUB_RUN_ID ?? "");
  return formatRunName(
    runNameStem(Math.random),
    Number.isSafeInteger(runId) && runId > 0 ? runId : 1,
  );
}

function artifactUrl(id: number): string | undefined {
  const server = process.env.GITHUB_SERVER_URL ?? "https://github.com";
  const repo = process.env.GITHUB_REPOSITORY;
  const runId = process.env.GITHUB_RUN_ID;
  return repo && runId ? `${server}/${repo}/actions/runs/${runId}/artifacts/${id}` : undefined;
}

/**
 * Selects the files of the `path` lines (upload-artifact's rules, in `@dstack/artifacts`) and
 * applies `if-no-files-found` as upload-artifact does, to the whole selection after exclusions:
 * when no line selects a file, `error` fails before anything is uploaded, `warn` warns and
 * `ignore` logs. A line that selects nothing beside lines that do is named in a warning (a log
 * line with `ignore`), and the rest is uploaded.
 */
async function selectFiles(inputs: UploadInputs, root: string): Promise<FoundUploadFiles> {
  let found: FoundUploadFiles;
  try {
    found = await findUploadFiles({
      patterns: inputs.paths,
      workspace: root,
      includeHiddenFiles: inputs.includeHiddenFiles,
      ...(inputs.artifactPath !== undefined ? { artifactPath: inputs.artifactPath } : {}),
    });
  } catch (e) {
    if (e instanceof StoreError && e.code === "invalid") {
      throw new InputError(`${Inputs.Path}: ${e.message}`);
    }
    throw e;
  }
  const problems = found.patterns.flatMap((p) =>
    p.problem === undefined ? [] : [`${Inputs.Path}: ${p.problem}`],
  );
  // upload-artifact's rule: the mode applies to the whole selection (after exclusions). A line
  // that selects nothing while others select files is a warning in `warn` and `error` alike.
  if (found.files === 0 && problems.length > 0 && inputs.ifNoFilesFound === "error") {
    throw new InputError(
      `${problems.join("; ")} (${Inputs.IfNoFilesFound}: error); nothing was uploaded`,
    );
  }
  for (const problem of problems) {
    const message = `${problem}; nothing uploaded for it`;
    if (inputs.ifNoFilesFound === "ignore") core.info(message);
    else core.warning(message);
  }
  if (found.files > 0) {
    core.info(
      `${Inputs.Path}: ${formatCount(found.files, "file")} selected, below ${found.rootRel === "" ? "the workspace" : found.rootRel} -> ${found.groups.map((g) => g.artifactPath).join(", ")}`,
    );
  }
  return found;
}

/** Where to lay out files before uploading: `RUNNER_TEMP` (the workspace's disk on a runner). */
function tempDir(): string {
  const runnerTemp = process.env.RUNNER_TEMP;
  return runnerTemp && fs.existsSync(runnerTemp) ? runnerTemp : os.tmpdir();
}

async function upload(inputs: UploadInputs): Promise<void> {
  const root = workspace();
  const found = await selectFiles(inputs, root);
  const store = GitHubStore.fromEnv(process.env, {
    token: inputs.token,
    warn: (message) => core.warning(message),
    // Progress (MiB, %, artifacts, MiB/s): a line at most every 10 s or 10 %, then the total.
    log: (line) => core.info(line),
  });
  const runName = chooseRunName(inputs.run);
  core.exportVariable(RUN_NAME_ENV, runName);
  core.setOutput("run-name", runName);
  const done: GitHubUploadResult[] = [];
  if (found.files > 0) {
    const staged = await stageUploadGroups({ groups: found.groups, tempDir: tempDir() });
    try {
      if (staged.copied > 0) {
        core.info(
          `copied ${formatCount(staged.copied, "file")} to ${staged.dir} to upload them (another file system than the workspace, so no hard links)`,
        );
      }
      for (const group of staged.groups) {
        const r = await store.upload({
          runName,
          localPath: group.folder,
          artifactPath: group.artifactPath,
          compressionLevel: inputs.compression,
          // The patterns already chose which hidden files go (include-hidden-files).
          includeHiddenFiles: true,
          ...(inputs.retentionDays !== undefined ? { retentionDays: inputs.retentionDays } : {}),
        });
        done.push(r);
        core.info(
          `${r.artifactPath}: ${formatCount(r.files, "file")}, ${formatSize(r.bytes)} -> ${r.name} (id ${r.id}, ${formatSize(r.size)} zipped at level ${r.compressionLevel}: ${r.compressionReason})`,
        );
      }
    } finally {
      await staged.dispose();
    }
  }
  let tagId: number | undefined;
  if (inputs.tag !== undefined) {
    if (done.length === 0) {
      core.warning(`tag ${JSON.stringify(inputs.tag)} not set: nothing was uploaded`);
    } else {
      const t = await store.setTag({
        tag: inputs.tag,
        runName,
        ...(inputs.retentionDays !== undefined ? { retentionDays: inputs.retentionDays } : {}),
      });
      tagId = t.id;
      core.info(`tag ${inputs.tag} -> run ${runName} (${t.name}, id ${t.id})`);
    }
  }
  core.setOutput("artifact-ids", done.map((r) => r.id).join(","));
  core.setOutput("artifact-digests", done.map((r) => `sha256:${r.digest}`).join(","));
  core.setOutput("artifact-urls", done.map((r) => artifactUrl(r.id) ?? "").join(","));
  if (done.length > 0) {
    await core.summary
      .addHeading(`dstack artifacts: run ${runName}`, 3)
      .addTable([
        [
          { data: "artifact path", header: true },
          { data: "files", header: true },
          { data: "size", header: true },
          { data: "zip level", header: true },
          { data: "digest", header: true },
        ],
        ...done.map((r) => {
          const url = artifactUrl(r.id);
          return [
            url ? `<a href="${url}">${r.artifactPath}</a>` : r.artifactPath,
            String(r.files),
            formatSize(r.bytes),
            String(r.compressionLevel),
            `<code>sha256:${r.digest.slice(0, 12)}…</code>`,
          ];
        }),
      ])
      .addRaw(
        inputs.tag !== undefined && tagId !== undefined
          ? `Tagged <code>${inputs.tag}</code>: a later workflow downloads it with <code>tag: ${inputs.tag}</code>.`
          : "",
        true,
      )
      .write();
  }
}

async function download(inputs: DownloadInputs): Promise<void> {
  const store = GitHubStore.fromEnv(process.env, {
    token: inputs.token,
    repository: inputs.repository,
    // Tag and run candidates from untrusted workflow runs are skipped, and named in one warning.
    warn: (message) => core.warning(message),
    log: (line) => core.info(line),
  });
  const localPath = path.resolve(workspace(), inputs.localPath);
  const r = await store.downloadArtifacts(inputs.ref, {
    artifactPath: inputs.artifactPath,
    localPath,
  });
  const from =
    "tag" in inputs.ref ? `tag ${inputs.ref.tag} (run ${r.runName})` : `run ${r.runName}`;
  core.info(
    `${from}: ${formatCount(r.files, "file")}, ${formatSize(r.bytes)} from workflow run ${r.workflowRunId} -> ${r.localPath} (digests checked: ${r.artifacts.map((a) => a.name).join(", ")})`,
  );
  core.setOutput("run-name", r.runName);
  core.setOutput("artifact-ids", r.artifacts.map((a) => a.id).join(","));
  core.setOutput("artifact-digests", r.artifacts.map((a) => a.digest ?? "").join(","));
  core.setOutput("workflow-run-id", String(r.workflowRunId));
  core.setOutput("download-path", r.localPath);
}

/**
 * `mode: tag`: points the tag at a run another workflow run of the repository made, from this
 * workflow run (the runner workflow's tag-only job). The store resolves the run among trusted
 * workflow runs only and refuses a run of a pull request's or another branch's code, so a tag
 * written here never points at untrusted artifacts; the step fails with its reason otherwise.
 */
async function tagRun(inputs: TagInputs): Promise<void> {
  const store = GitHubStore.fromEnv(process.env, {
    token: inputs.token,
    warn: (message) => core.warning(message),
  });
  const { resolved, tag, previous } = await store.tagRun({
    tag: inputs.tag,
    runName: inputs.run,
    ...(inputs.retentionDays !== undefined ? { retentionDays: inputs.retentionDays } : {}),
  });
  // The local `dstack tags add`'s words first: `dstack tags add --remote` prints them from this log.
  core.info(
    `${previous !== undefined && previous !== resolved.runName ? `tag ${tag.tag} moved from ${previous} to ${resolved.runName}` : `tag ${tag.tag} -> ${resolved.runName}`} (workflow run ${resolved.workflowRunId}; ${tag.name}, id ${tag.id})`,
  );
  core.setOutput("run-name", resolved.runName);
  core.setOutput("artifact-ids", String(tag.id));
  core.setOutput("artifact-digests", `sha256:${tag.digest}`);
  core.setOutput("artifact-urls", artifactUrl(tag.id) ?? "");
  core.setOutput("workflow-run-id", String(resolved.workflowRunId));
  await core.summary
    .addHeading(`dstack artifacts: tag ${tag.tag}`, 3)
    .addRaw(
      `Tagged <code>${tag.tag}</code> -> run <code>${resolved.runName}</code> (workflow run ${resolved.workflowRunId}): a later workflow downloads it with <code>tag: ${tag.tag}</code>.`,
      true,
    )
    .write();
}
