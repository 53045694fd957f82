/**
 * `dstack tags list|add|delete`: names for runs' artifacts in the local store.
 *
 * @module
 */
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { processRef } from "@dstack/executor";
import { CliError, findRepoDir, inThisRepo, type RunContext, repoStore } from "../context.js";
import { age, table } from "../format.js";

/**
 * `dstack tags list [--json]`: this repository's tags: the run each points at and, for a tag a
 * job set (`artifacts.upload(..., tag=...)`, which uploads into a run of its own), the job's run
 * that made it (MADE BY; `madeBy` in JSON, absent otherwise).
 */
export async function tagsListCommand(
  ctx: RunContext,
  opts: { json?: boolean } = {},
): Promise<number> {
  const store = await repoStore(ctx);
  const tags = await Promise.all(
    (await store.listTags()).map(async (t) => {
      const parent = await store
        .getRun(t.runName)
        .then((r) => r.parentRun)
        .catch(() => undefined);
      return { ...t, ...(parent !== undefined ? { madeBy: parent } : {}) };
    }),
  );
  if (opts.json) {
    ctx.stdout(`${JSON.stringify(tags, null, 2)}\n`);
    return 0;
  }
  const rows = [
    ["TAG", "RUN", "MADE BY", "CREATED"],
    ...tags.map((t) => [t.tag, t.runName, t.madeBy ?? "-", age(t.createdAt)]),
  ];
  ctx.stdout(`${table(rows)}\n`);
  return 0;
}

/**
 * `dstack tags add TAG RUN` points TAG at a run's artifacts; `dstack tags add TAG -a PATH ...`
 * uploads local folders as a new run and tags it (dstack's Python API
 * `upload(tag=...)`).
 */
export async function tagsAddCommand(
  tag: string,
  run: string | undefined,
  opts: { artifact?: string[] },
  ctx: RunContext,
): Promise<number> {
  const store = await repoStore(ctx);
  let runName = run;
  if (opts.artifact && opts.artifact.length > 0) {
    if (run) throw new CliError("give a RUN or -a PATH, not both", 2);
    // Every path is checked before the run exists; a failure after that removes the run, so a
    // failed command leaves nothing behind.
    const missing = opts.artifact.filter((p) => !existsSync(resolve(ctx.cwd, p)));
    if (missing.length > 0) {
      throw new CliError(
        `${missing.join(", ")}: no such file or folder; nothing was uploaded and no run was made`,
      );
    }
    const record = await store.createRun({
      workflow: null,
      job: null,
      repoDir: findRepoDir(ctx.cwd),
      supervisor: processRef(process.pid),
    });
    try {
      for (const path of opts.artifact) {
        await store.addArtifact(record.runName, {
          localPath: resolve(ctx.cwd, path),
          artifactPath: path,
        });
      }
      await store.updateRun(record.runName, {
        status: "done",
        finishedAt: new Date().toISOString(),
        message: `uploaded for tag ${tag}`,
        pid: undefined,
      });
    } catch (e) {
      await store.deleteRun(record.runName);
      throw e;
    }
    runName = record.runName;
  }
  if (!runName) throw new CliError("give the RUN to tag, or -a PATH to upload", 2);
  const target = runName;
  await inThisRepo(ctx, store, { run: target }, () => store.getRun(target));
  const { previous } = await store.setTag(tag, runName);
  ctx.stderr(
    previous && previous !== runName
      ? `tag ${tag} moved from ${previous} to ${runName}\n`
      : `tag ${tag} -> ${runName}\n`,
  );
  return 0;
}

/** `dstack tags delete TAG`. */
export async function tagsDeleteCommand(tag: string, ctx: RunContext): Promise<number> {
  const store = await repoStore(ctx);
  await store.deleteTag(tag);
  ctx.stderr(`tag ${tag} deleted\n`);
  return 0;
}
