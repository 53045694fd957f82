import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  StoreError,
  checkArtifactPath,
  ioError,
  isValidName,
  mergeInto,
  scanTree,
  treeStats
} from "./chunk-NANBG44T.js";

// ../../packages/artifacts/lib/github-store.js
import { randomBytes } from "node:crypto";
import * as fsp2 from "node:fs/promises";
import os from "node:os";
import path from "node:path";

// ../../packages/artifacts/lib/compression.js
import * as fsp from "node:fs/promises";
import { constants, deflateRawSync } from "node:zlib";
var DEFAULT_COMPRESSION_LEVEL = 6;
var STORE_COMPRESSION_LEVEL = 0;
async function head(file, max) {
  const handle = await fsp.open(file, "r");
  try {
    const buffer = Buffer.alloc(max);
    let got = 0;
    while (got < max) {
      const { bytesRead } = await handle.read(buffer, got, max - got, got);
      if (bytesRead === 0)
        break;
      got += bytesRead;
    }
    return buffer.subarray(0, got);
  } finally {
    await handle.close();
  }
}
async function chooseCompressionLevel(files, options = {}) {
  const sampleBytes = options.sampleBytes ?? 1024 * 1024;
  const maxFiles = options.maxFiles ?? 8;
  const minSaving = options.minSaving ?? 0.1;
  const sized = [];
  for (const file of files) {
    const st = await fsp.stat(file).catch(() => void 0);
    if (st?.isFile() && st.size > 0)
      sized.push({ file, size: st.size });
  }
  sized.sort((a, b) => b.size - a.size || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const picked = sized.slice(0, Math.max(0, maxFiles));
  let raw = 0;
  let deflated = 0;
  for (const { file, size } of picked) {
    const sample = await head(file, Math.min(size, sampleBytes)).catch(() => void 0);
    if (sample === void 0 || sample.length === 0)
      continue;
    raw += sample.length;
    deflated += deflateRawSync(sample, { level: 1, strategy: constants.Z_DEFAULT_STRATEGY }).length;
  }
  if (raw === 0) {
    return {
      level: DEFAULT_COMPRESSION_LEVEL,
      reason: `auto: nothing to sample (no non-empty files); level ${DEFAULT_COMPRESSION_LEVEL}, the default`
    };
  }
  const saving = 1 - deflated / raw;
  const measured = `a sample of ${raw} bytes from ${picked.length} file(s) deflates to ${deflated} bytes (saves ${(saving * 100).toFixed(1)}%)`;
  if (saving < minSaving) {
    return {
      level: STORE_COMPRESSION_LEVEL,
      reason: `auto: ${measured}, under ${minSaving * 100}%: incompressible, stored (level 0)`
    };
  }
  return {
    level: DEFAULT_COMPRESSION_LEVEL,
    reason: `auto: ${measured}, at least ${minSaving * 100}%: deflated at level ${DEFAULT_COMPRESSION_LEVEL}`
  };
}

// ../../packages/artifacts/lib/github-store.js
var DATA_ARTIFACT_PREFIX = "dstack--";
var RUN_ARTIFACT_PREFIX = "dstack-run--";
var TAG_ARTIFACT_PREFIX = "dstack-tag--";
var TAG_FILE = "dstack-tag.json";
var RUN_FILE = "dstack-run.json";
var FORBIDDEN = /[":<>|*?\r\n\\]/;
var DEFAULT_API_URL = "https://api.github.com";
var PAGE_SIZE = 100;
var DAY_MS = 864e5;
var GitHubStoreError = class extends StoreError {
  /** See {@link GitHubErrorReason}. */
  reason;
  constructor(code, reason, message, options) {
    super(code, message, options);
    this.name = "GitHubStoreError";
    this.reason = reason;
  }
};
function checkRunName(runName) {
  if (!isValidName(runName) || runName.includes("--")) {
    throw new StoreError("invalid", `run ${JSON.stringify(runName)} is not a valid run name for the GitHub store; use letters, digits, ".", "_" and single "-", starting with a letter or digit`);
  }
  return runName;
}
function checkTag(tag) {
  if (!isValidName(tag)) {
    throw new StoreError("invalid", `tag ${JSON.stringify(tag)} cannot be a GitHub artifact tag; use letters, digits, ".", "_" and "-", starting with a letter or digit (at most 200 characters)`);
  }
  return tag;
}
function encodeArtifactPath(artifactPath) {
  const checked = checkArtifactPath(artifactPath);
  const bad = FORBIDDEN.exec(checked);
  if (bad) {
    throw new StoreError("invalid", `artifact path ${JSON.stringify(checked)}: ${JSON.stringify(bad[0])} cannot be in a GitHub artifact name; rename it (not allowed: " : < > | * ? \\ and line breaks)`);
  }
  return checked.replace(/[%~/]/g, (c) => c === "%" ? "%25" : c === "~" ? "%7E" : "~");
}
function decodeArtifactPath(slug) {
  return slug.replace(/%25|%7E|~/g, (s) => s === "%25" ? "%" : s === "%7E" ? "~" : "/");
}
function dataArtifactName(runName, artifactPath) {
  return `${DATA_ARTIFACT_PREFIX}${checkRunName(runName)}--${encodeArtifactPath(artifactPath)}`;
}
function runArtifactName(runName) {
  return `${RUN_ARTIFACT_PREFIX}${checkRunName(runName)}`;
}
function tagArtifactName(tag) {
  return `${TAG_ARTIFACT_PREFIX}${checkTag(tag)}`;
}
var GitHubStore = class _GitHubStore {
  /** `owner` of the repository. */
  owner;
  /** `name` of the repository. */
  repo;
  /** The REST API root in use. */
  apiUrl;
  token;
  retryBaseMs;
  client;
  pageSize;
  now;
  retries;
  /** @throws StoreError `invalid` for a repository not of the form `owner/name`. */
  constructor(options) {
    const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(options.repository);
    if (!m) {
      throw new StoreError("invalid", `repository ${JSON.stringify(options.repository)}: expected owner/name`);
    }
    this.owner = m[1];
    this.repo = m[2];
    this.token = options.token;
    this.apiUrl = (options.apiUrl ?? process.env.GITHUB_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, "");
    this.pageSize = Math.max(1, Math.min(PAGE_SIZE, options.pageSize ?? PAGE_SIZE));
    this.now = options.now ?? Date.now;
    this.retries = options.retries ?? 3;
    this.retryBaseMs = options.retryBaseMs ?? 1e3;
  }
  /** The REST client, made (and its modules imported) on first use. */
  octokit() {
    this.client ??= (async () => {
      const [{ Octokit }, { retry }, { throttling }] = await Promise.all([
        import("./dist-src-I3VXHNY7.js"),
        import("./dist-bundle-KKPTRP7P.js"),
        import("./dist-bundle-D64DFM7B.js")
      ]);
      const retries = this.retries;
      return new (Octokit.plugin(retry, throttling))({
        auth: this.token,
        baseUrl: this.apiUrl,
        userAgent: "dstack-artifacts",
        log: { debug: () => {
        }, info: () => {
        }, warn: () => {
        }, error: () => {
        } },
        retry: { retries, retryAfterBaseValue: this.retryBaseMs },
        throttle: {
          onRateLimit: (_after, _o, _k, count) => count < retries,
          onSecondaryRateLimit: (_after, _o, _k, count) => count < retries
        }
      });
    })();
    return this.client;
  }
  /**
   * A store for a workflow step: `GITHUB_TOKEN` (or `token`), `GITHUB_REPOSITORY`, `GITHUB_API_URL`.
   *
   * @throws StoreError `invalid` when the token or repository is missing.
   */
  static fromEnv(env = process.env, overrides = {}) {
    const token = overrides.token ?? env.GITHUB_TOKEN ?? "";
    const repository = overrides.repository ?? env.GITHUB_REPOSITORY ?? "";
    if (token === "") {
      throw new StoreError("invalid", "no GitHub token: set GITHUB_TOKEN or pass github-token");
    }
    if (repository === "") {
      throw new StoreError("invalid", "no repository: set GITHUB_REPOSITORY (owner/name)");
    }
    return new _GitHubStore({
      ...overrides,
      token,
      repository,
      apiUrl: overrides.apiUrl ?? env.GITHUB_API_URL ?? DEFAULT_API_URL
    });
  }
  /**
   * Uploads a folder (or one file) as the run's artifact path, in the current workflow run (the
   * client's `ACTIONS_RUNTIME_TOKEN`), with the run marker if this workflow run has none yet,
   * and, with `tag`, a tag artifact (replacing one of the same tag in this workflow run).
   *
   * @returns the artifact's name, id, bare-hex digest and size; files and bytes sent; the tag's
   *   artifact; the zip level used and why (`compressionLevel` defaults to `"auto"`).
   * @throws StoreError `invalid` for bad names, paths or compression level, `not-found` for a missing or empty
   *   `localPath`, {@link GitHubStoreError} `duplicate` when this workflow run already holds
   *   that artifact path of that run, `io` when the upload fails.
   */
  async upload(options) {
    const runName = checkRunName(options.runName);
    const artifactPath = checkArtifactPath(options.artifactPath);
    const name = dataArtifactName(runName, artifactPath);
    if (options.tag !== void 0)
      tagArtifactName(options.tag);
    const level = options.compressionLevel ?? "auto";
    if (level !== "auto" && !(Number.isInteger(level) && level >= 0 && level <= 9)) {
      throw new StoreError("invalid", `compressionLevel ${JSON.stringify(level)}: expected an integer 0 (store) to 9, or "auto"`);
    }
    const localPath = path.resolve(options.localPath);
    const st = await fsp2.stat(localPath).catch(() => void 0);
    if (st === void 0) {
      throw new StoreError("not-found", `${localPath}: no such file or folder to upload`);
    }
    const root = st.isDirectory() ? localPath : path.dirname(localPath);
    const nodes = st.isDirectory() ? await scanTree(localPath, localPath) : [{ rel: path.basename(localPath), kind: "file", bytes: st.size }];
    const hiddenPrefix = (rel) => {
      const parts = rel.split("/");
      const i = parts.findIndex((part) => part.startsWith("."));
      return i < 0 ? void 0 : parts.slice(0, i + 1).join("/");
    };
    const skipped = /* @__PURE__ */ new Set();
    const files = nodes.filter((n) => {
      if (n.kind === "dir" || n.rel === "")
        return false;
      const prefix = hiddenPrefix(n.rel);
      if (st.isDirectory() && options.includeHiddenFiles !== true && prefix !== void 0) {
        skipped.add(prefix);
        return false;
      }
      return true;
    });
    const skippedHidden = [...skipped];
    if (files.length === 0 && st.isDirectory()) {
      throw new StoreError("not-found", skippedHidden.length > 0 ? `${localPath}: the folder holds only hidden files (${skippedHidden.slice(0, 3).join(", ")}${skippedHidden.length > 3 ? ", ..." : ""}); set include-hidden-files to upload them` : `${localPath}: the folder holds no files to upload`);
    }
    for (const n of files) {
      if (n.kind !== "link")
        continue;
      const target = await fsp2.stat(path.join(root, n.rel)).catch(() => void 0);
      if (target === void 0 || !target.isFile()) {
        throw new StoreError("invalid", `${localPath}/${n.rel}: a symbolic link to ${target === void 0 ? "nothing (a broken link)" : "a folder"}; GitHub artifacts hold files, so upload the folder it points at instead, or remove the link`);
      }
    }
    const stats = treeStats(files);
    const absolute = files.map((n) => path.join(root, n.rel));
    const chosen = level === "auto" ? await chooseCompressionLevel(absolute) : { level, reason: "given" };
    const { DefaultArtifactClient } = await loadClient();
    const client = new DefaultArtifactClient();
    const uploadOptions = {
      ...options.retentionDays !== void 0 ? { retentionDays: options.retentionDays } : {},
      compressionLevel: chosen.level
    };
    const uploaded = await uploadWith(client, name, absolute, root, uploadOptions);
    await this.ensureMarker(client, runName, uploadOptions);
    const result = {
      runName,
      artifactPath,
      ...uploaded,
      files: stats.files,
      bytes: stats.bytes,
      compressionLevel: chosen.level,
      compressionReason: chosen.reason,
      skippedHidden
    };
    if (options.tag !== void 0) {
      result.tag = await this.setTag({
        tag: options.tag,
        runName,
        ...options.retentionDays !== void 0 ? { retentionDays: options.retentionDays } : {}
      });
    }
    return result;
  }
  /**
   * Points a tag at a run from the current workflow run: uploads `dstack-tag--<tag>` (replacing
   * this workflow run's earlier one). Across workflow runs the newest tagging wins.
   *
   * @returns the tag artifact.
   * @throws StoreError `invalid` for a bad tag or run name; `io` when the upload fails.
   */
  async setTag(options) {
    const tagName = tagArtifactName(options.tag);
    const runName = checkRunName(options.runName);
    const { DefaultArtifactClient } = await loadClient();
    const client = new DefaultArtifactClient();
    const existing = await client.getArtifact(tagName).catch(() => void 0);
    if (existing !== void 0)
      await client.deleteArtifact(tagName);
    return await uploadJson(client, tagName, TAG_FILE, { version: 1, tag: options.tag, runName }, options.retentionDays !== void 0 ? { retentionDays: options.retentionDays } : {});
  }
  /** Uploads `dstack-run--<run>` unless this workflow run already has it. */
  async ensureMarker(client, runName, uploadOptions) {
    const marker = runArtifactName(runName);
    const existing = await client.getArtifact(marker).catch(() => void 0);
    if (existing !== void 0)
      return;
    try {
      await uploadJson(client, marker, RUN_FILE, { version: 1, runName }, uploadOptions);
    } catch (e) {
      if (!(e instanceof GitHubStoreError && e.reason === "duplicate"))
        throw e;
    }
  }
  /**
   * The run a tag points at: the newest unexpired `dstack-tag--<tag>` artifact in any workflow
   * run of the repository (by `created_at`, then id), read and digest-checked.
   *
   * @throws StoreError `invalid` for a malformed tag; {@link GitHubStoreError} `not-found`
   *   naming the tag when there is none, `expired` (saying when) when all have expired;
   *   `permission` / `unreachable` / `io` from GitHub.
   */
  async resolveTag(tag) {
    const name = tagArtifactName(tag);
    const found = await this.newestLive(name, `tag ${JSON.stringify(tag)}`);
    const workflowRunId = found.workflow_run?.id;
    if (workflowRunId === void 0) {
      throw new GitHubStoreError("io", "api", `tag ${JSON.stringify(tag)}: GitHub lists artifact ${name} (id ${found.id}) without its workflow run`);
    }
    const record = await this.readJson(found, TAG_FILE);
    const runName = record.runName;
    if (typeof runName !== "string" || !isValidName(runName)) {
      throw new GitHubStoreError("io", "api", `tag ${JSON.stringify(tag)}: artifact ${name} (id ${found.id}) does not name a run`);
    }
    return {
      runName,
      workflowRunId,
      tag,
      artifactId: found.id,
      createdAt: found.created_at ?? "",
      expiresAt: found.expires_at
    };
  }
  /**
   * The workflow run holding a dstack run: the newest unexpired `dstack-run--<run-name>`.
   *
   * @throws StoreError `invalid`; {@link GitHubStoreError} `not-found` / `expired` naming the run.
   */
  async resolveRun(runName) {
    const name = runArtifactName(runName);
    const found = await this.newestLive(name, `run ${JSON.stringify(runName)}`);
    const workflowRunId = found.workflow_run?.id;
    if (workflowRunId === void 0) {
      throw new GitHubStoreError("io", "api", `run ${JSON.stringify(runName)}: GitHub lists artifact ${name} (id ${found.id}) without its workflow run`);
    }
    return {
      runName,
      workflowRunId,
      artifactId: found.id,
      createdAt: found.created_at ?? "",
      expiresAt: found.expires_at
    };
  }
  /** A run or a tag, resolved. */
  async resolveRef(ref) {
    return "tag" in ref ? await this.resolveTag(ref.tag) : await this.resolveRun(ref.run);
  }
  /**
   * The unexpired data artifacts of a run in a workflow run, sorted by artifact path.
   *
   * @throws {@link GitHubStoreError} `permission` / `unreachable` / `io` from GitHub.
   */
  async listRunArtifacts(resolved) {
    const prefix = `${DATA_ARTIFACT_PREFIX}${resolved.runName}--`;
    const all = await this.rest(`GET /repos/${this.owner}/${this.repo}/actions/runs/${resolved.workflowRunId}/artifacts`, (octokit) => octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
      owner: this.owner,
      repo: this.repo,
      run_id: resolved.workflowRunId,
      per_page: this.pageSize
    }));
    return all.filter((a) => a.name.startsWith(prefix) && this.isLive(a)).map((a) => ({
      artifactPath: decodeArtifactPath(a.name.slice(prefix.length)),
      name: a.name,
      id: a.id,
      digest: a.digest ?? null,
      size: a.size_in_bytes,
      expiresAt: a.expires_at
    })).sort((a, b) => a.artifactPath < b.artifactPath ? -1 : 1);
  }
  /**
   * Downloads a run's artifacts (or a part) into `localPath`, from whichever workflow run holds
   * them. `artifactPath` `""` (default) gives every artifact path as a folder below `localPath`;
   * an artifact path, or a path inside or above one, puts a folder's files directly in
   * `localPath` and a single file as `localPath/<its name>`. Existing files in `localPath` are
   * kept unless overwritten by a downloaded file of the same name.
   *
   * All artifacts are downloaded and digest-checked in a temporary folder beside `localPath`
   * first; on any failure it is removed and `localPath` is left as it was.
   *
   * @throws StoreError `invalid` for bad refs or paths; `not-found` for an unknown run, tag or
   *   artifact path (listing the run's paths); {@link GitHubStoreError} `digest-mismatch`
   *   naming the artifact, `permission`, `unreachable`; `io` for local failures.
   */
  async downloadArtifacts(ref, options) {
    const want = checkArtifactPath(options.artifactPath ?? "", { allowAll: true });
    const localPath = path.resolve(options.localPath);
    const clientApiUrl = (process.env.GITHUB_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, "");
    if (clientApiUrl !== this.apiUrl) {
      throw new StoreError("invalid", `the artifact client downloads through GITHUB_API_URL=${clientApiUrl}, but this store uses ${this.apiUrl}; set GITHUB_API_URL to the same API`);
    }
    const resolved = await this.resolveRef(ref);
    const what = resolved.tag !== void 0 ? `tag ${JSON.stringify(resolved.tag)} (run ${resolved.runName})` : `run ${JSON.stringify(resolved.runName)}`;
    const all = await this.listRunArtifacts(resolved);
    const chosen = all.filter((a) => want === "" || a.artifactPath === want || want.startsWith(`${a.artifactPath}/`) || a.artifactPath.startsWith(`${want}/`));
    if (chosen.length === 0) {
      const have = all.map((a) => a.artifactPath).join(", ") || "none";
      throw new StoreError("not-found", `${what} has no artifact path ${JSON.stringify(want)} (workflow run ${resolved.workflowRunId}; it has: ${have})`);
    }
    const parent = path.dirname(localPath);
    try {
      await fsp2.mkdir(parent, { recursive: true });
    } catch (e) {
      throw ioError(`cannot create ${parent}`, e);
    }
    const staging = path.join(parent, `.${path.basename(localPath)}.dstack-download-${randomBytes(6).toString("hex")}`);
    try {
      await fsp2.mkdir(staging);
      const { DefaultArtifactClient } = await loadClient();
      const client = new DefaultArtifactClient();
      for (const a of chosen) {
        await this.downloadOne(client, a, path.join(staging, "all", a.artifactPath), what);
      }
      const picked = want === "" ? path.join(staging, "all") : path.join(staging, "all", want);
      const st = await fsp2.lstat(picked).catch(() => void 0);
      if (st === void 0) {
        throw new StoreError("not-found", `${what}: no ${JSON.stringify(want)} inside artifact ${chosen.map((a) => a.artifactPath).join(", ")}`);
      }
      let source = picked;
      if (!st.isDirectory()) {
        source = path.join(staging, "file");
        await fsp2.mkdir(source);
        await fsp2.rename(picked, path.join(source, path.basename(picked)));
      }
      const { files, bytes } = treeStats(await scanTree(source, source));
      await fsp2.mkdir(localPath, { recursive: true });
      await mergeInto(source, localPath);
      return {
        runName: resolved.runName,
        files,
        bytes,
        localPath,
        workflowRunId: resolved.workflowRunId,
        artifacts: chosen
      };
    } catch (e) {
      if (e instanceof StoreError)
        throw e;
      throw ioError(`cannot download ${what} into ${localPath}`, e);
    } finally {
      await fsp2.rm(staging, { recursive: true, force: true }).catch(() => void 0);
    }
  }
  /** Downloads one artifact into `dest` through the client and checks its digest. */
  async downloadOne(client, a, dest, what) {
    if (a.digest === null || !/^sha256:[0-9a-f]{64}$/.test(a.digest)) {
      throw new GitHubStoreError("io", "digest-mismatch", `artifact ${a.name} (id ${a.id}) of ${what} has no sha256 digest on GitHub, so it cannot be verified; upload it again`);
    }
    await fsp2.mkdir(dest, { recursive: true });
    let result;
    try {
      result = await client.downloadArtifact(a.id, {
        path: dest,
        expectedHash: a.digest,
        findBy: {
          token: this.token,
          repositoryOwner: this.owner,
          repositoryName: this.repo,
          workflowRunId: 0
        }
      });
    } catch (e) {
      throw this.restError(`download artifact ${a.name} (id ${a.id}) of ${what}`, e);
    }
    if (result.digestMismatch) {
      throw new GitHubStoreError("io", "digest-mismatch", `artifact ${a.name} (id ${a.id}) of ${what}: the download does not match its digest ${a.digest}; it is corrupted or was changed, nothing was written`);
    }
  }
  /** Downloads a small JSON-holding artifact (a tag) and parses its one file. */
  async readJson(a, file) {
    const dir = await fsp2.mkdtemp(path.join(os.tmpdir(), "dstack-tag-"));
    try {
      const { DefaultArtifactClient } = await loadClient();
      await this.downloadOne(new DefaultArtifactClient(), { id: a.id, name: a.name, digest: a.digest ?? null }, dir, `artifact ${a.name}`);
      const text = await fsp2.readFile(path.join(dir, file), "utf8").catch((e) => {
        throw new GitHubStoreError("io", "api", `artifact ${a.name} (id ${a.id}) holds no ${file}`, {
          cause: e
        });
      });
      return JSON.parse(text);
    } finally {
      await fsp2.rm(dir, { recursive: true, force: true });
    }
  }
  isLive(a) {
    return !a.expired && (a.expires_at === null || Date.parse(a.expires_at) > this.now());
  }
  /** The newest unexpired artifact of an exact name, across all workflow runs. */
  async newestLive(name, what) {
    const found = await this.rest(`GET /repos/${this.owner}/${this.repo}/actions/artifacts`, (octokit) => octokit.paginate(octokit.rest.actions.listArtifactsForRepo, {
      owner: this.owner,
      repo: this.repo,
      name,
      per_page: this.pageSize
    }));
    const exact = found.filter((a) => a.name === name);
    const newestFirst = (a, b) => (b.created_at ?? "").localeCompare(a.created_at ?? "") || b.id - a.id;
    const live = exact.filter((a) => this.isLive(a)).sort(newestFirst);
    if (live[0] !== void 0)
      return live[0];
    if (exact.length === 0) {
      throw new GitHubStoreError("not-found", "api", `no ${what} in ${this.owner}/${this.repo}: no workflow run has an artifact named ${name}`);
    }
    const lastExpiry = exact.map((a) => a.expires_at ?? "").sort().at(-1);
    const newest = exact.sort(newestFirst)[0];
    const days = newest.created_at && newest.expires_at ? Math.round((Date.parse(newest.expires_at) - Date.parse(newest.created_at)) / DAY_MS) : void 0;
    throw new GitHubStoreError("not-found", "expired", `${what} expired on ${lastExpiry || "an unknown date"}: its newest artifact ${name} (id ${newest.id}, workflow run ${newest.workflow_run?.id ?? "?"}${days !== void 0 ? `, kept ${days} days` : ""}) is gone; upload it again`);
  }
  /** Runs a REST call, turning its failure into a {@link GitHubStoreError}. */
  async rest(what, fn) {
    try {
      return await fn(await this.octokit());
    } catch (e) {
      throw this.restError(what, e);
    }
  }
  restError(what, e) {
    if (e instanceof StoreError)
      return e;
    const status = e?.status;
    const response = e?.response;
    const detail = (e instanceof Error ? e.message : String(e)).replaceAll("\n", " ");
    const repo = `${this.owner}/${this.repo}`;
    if (status === 403) {
      return new GitHubStoreError("io", "permission", `${what}: GitHub answered 403 (${detail}): the token needs the "actions: read" permission on ${repo} (in a workflow: permissions: { actions: read }; for another repository, a token with access to it)`, { cause: e });
    }
    if (status === 401) {
      return new GitHubStoreError("io", "unauthorized", `${what}: GitHub refused the token (401 ${detail}); check github-token`, { cause: e });
    }
    if (status === 404) {
      return new GitHubStoreError("not-found", "api", `${what}: GitHub answered 404 (${detail}): ${repo} does not exist or the token cannot see it`, { cause: e });
    }
    if (typeof status === "number" && (status >= 500 || response === void 0)) {
      return new GitHubStoreError("io", "unreachable", `${what}: cannot reach the GitHub API at ${this.apiUrl} (${this.retries} retries): ${detail}`, { cause: e });
    }
    if (typeof status === "number") {
      return new GitHubStoreError("io", "api", `${what}: GitHub answered ${status} (${detail})`, {
        cause: e
      });
    }
    return new GitHubStoreError("io", "api", `${what}: ${detail}`, { cause: e });
  }
};
async function loadClient() {
  return await import("./artifact-5GNL6IMR.js");
}
async function uploadWith(client, name, files, root, options) {
  let r;
  try {
    r = await client.uploadArtifact(name, files, root, options);
  } catch (e) {
    const detail = (e instanceof Error ? e.message : String(e)).replaceAll("\n", " ");
    if (/already exists/i.test(detail)) {
      throw new GitHubStoreError("invalid", "duplicate", `artifact ${name} already exists in this workflow run: GitHub keeps artifact names unique per workflow run, so each artifact path of a run is uploaded once per workflow run`, { cause: e });
    }
    throw new GitHubStoreError("io", "api", `upload of artifact ${name} failed: ${detail}`, {
      cause: e
    });
  }
  if (r.id === void 0 || r.digest === void 0) {
    throw new GitHubStoreError("io", "api", `upload of artifact ${name}: the service returned no id or digest`);
  }
  return { name, id: r.id, digest: r.digest, size: r.size ?? 0 };
}
async function uploadJson(client, name, file, value, options) {
  const dir = await fsp2.mkdtemp(path.join(os.tmpdir(), "dstack-meta-"));
  try {
    const full = path.join(dir, file);
    await fsp2.writeFile(full, `${JSON.stringify(value)}
`);
    return await uploadWith(client, name, [full], dir, options);
  } finally {
    await fsp2.rm(dir, { recursive: true, force: true });
  }
}

export {
  DATA_ARTIFACT_PREFIX,
  GitHubStoreError,
  decodeArtifactPath,
  GitHubStore
};
