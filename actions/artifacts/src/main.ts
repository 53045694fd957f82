/**
 * The `dstack/artifacts` action: `run()` reads the inputs once, calls the GitHub store of
 * `@dstack/artifacts`, and sets outputs and the job summary. Glue only (DESIGN.md): names,
 * lookups, digests and safety rules live in the store.
 *
 * @module
 */
import path from "node:path";
import * as core from "@actions/core";
import { StoreError } from "@dstack/artifacts";
import { GitHubStore, type GitHubUploadResult } from "@dstack/artifacts/github";
import { formatRunName, formatSize, runNameStem } from "@dstack/spec";
import { type DownloadInputs, getInputs, InputError, type UploadInputs } from "./inputs.js";

/** The environment variable holding the job's dstack run (set by run-python and by uploads). */
export const RUN_NAME_ENV = "DSTACK_RUN_NAME";

/** Runs the action; throws on failure ({@link runStep} turns it into `core.setFailed`). */
export async function run(): Promise<void> {
  const inputs = getInputs();
  if (inputs.mode === "upload") await upload(inputs);
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

/** The artifact path of `localPath`: the `artifact-path` input, else its workspace-relative path. */
function artifactPathOf(localPath: string, given: string | undefined, root: string): string {
  if (given !== undefined) return given;
  const rel = path.relative(root, localPath);
  if (rel === "" || rel.startsWith("..") || path.isAbsolute(rel)) {
    throw new InputError(
      `path: ${JSON.stringify(localPath)} is ${rel === "" ? "the workspace itself" : "outside the workspace"}, so it has no artifact path of its own; name one with artifact-path`,
    );
  }
  return rel.split(path.sep).join("/");
}

function artifactUrl(id: number): string | undefined {
  const server = process.env.GITHUB_SERVER_URL ?? "https://github.com";
  const repo = process.env.GITHUB_REPOSITORY;
  const runId = process.env.GITHUB_RUN_ID;
  return repo && runId ? `${server}/${repo}/actions/runs/${runId}/artifacts/${id}` : undefined;
}

async function upload(inputs: UploadInputs): Promise<void> {
  const root = workspace();
  const store = GitHubStore.fromEnv(process.env, {
    token: inputs.token,
    warn: (message) => core.warning(message),
  });
  const runName = chooseRunName(inputs.run);
  core.exportVariable(RUN_NAME_ENV, runName);
  core.setOutput("run-name", runName);
  const done: GitHubUploadResult[] = [];
  for (const given of inputs.paths) {
    const localPath = path.resolve(root, given);
    const artifactPath = artifactPathOf(localPath, inputs.artifactPath, root);
    try {
      const r = await store.upload({
        runName,
        localPath,
        artifactPath,
        compressionLevel: inputs.compression,
        includeHiddenFiles: inputs.includeHiddenFiles,
        ...(inputs.retentionDays !== undefined ? { retentionDays: inputs.retentionDays } : {}),
      });
      done.push(r);
      core.info(
        `${artifactPath}: ${r.files} files, ${formatSize(r.bytes)} -> ${r.name} (id ${r.id}, ${formatSize(r.size)} zipped at level ${r.compressionLevel}: ${r.compressionReason})`,
      );
      if (r.skippedHidden.length > 0) {
        core.info(
          `${artifactPath}: left out hidden ${r.skippedHidden.join(", ")} (include-hidden-files: true uploads them)`,
        );
      }
    } catch (e) {
      if (!(e instanceof StoreError && e.code === "not-found")) throw e;
      const message = `path ${JSON.stringify(given)}: ${e.message.replace(`${localPath}: `, "")}`;
      if (inputs.ifNoFilesFound === "error")
        throw new InputError(`${message} (if-no-files-found: error)`);
      if (inputs.ifNoFilesFound === "warn") core.warning(`${message}; nothing uploaded for it`);
      else core.info(`${message}; nothing uploaded for it`);
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
  });
  const localPath = path.resolve(workspace(), inputs.localPath);
  const r = await store.downloadArtifacts(inputs.ref, {
    artifactPath: inputs.artifactPath,
    localPath,
  });
  const from =
    "tag" in inputs.ref ? `tag ${inputs.ref.tag} (run ${r.runName})` : `run ${r.runName}`;
  core.info(
    `${from}: ${r.files} files, ${formatSize(r.bytes)} from workflow run ${r.workflowRunId} -> ${r.localPath} (digests checked: ${r.artifacts.map((a) => a.name).join(", ")})`,
  );
  core.setOutput("run-name", r.runName);
  core.setOutput("artifact-ids", r.artifacts.map((a) => a.id).join(","));
  core.setOutput("artifact-digests", r.artifacts.map((a) => a.digest ?? "").join(","));
  core.setOutput("workflow-run-id", String(r.workflowRunId));
  core.setOutput("download-path", r.localPath);
}
