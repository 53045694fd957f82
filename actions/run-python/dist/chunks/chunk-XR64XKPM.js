import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  ARCHIVE_SUFFIXES,
  DEFAULT_LARGE_FILE_BYTES,
  FILE_ARTIFACT_PREFIX,
  RUN_ARTIFACT_PREFIX,
  RUN_FILE,
  StoreError,
  TAG_ARTIFACT_PREFIX,
  TAG_FILE,
  archiveArtifactName,
  checkArtifactPath,
  checkArtifactRunName,
  checkArtifactTag,
  checkPullRequest,
  dataArtifactName,
  encodeArtifactPath,
  ioError,
  isValidName,
  mergeInto,
  moveSingleFile,
  parseRunArtifactName,
  pullRequestOfTag,
  pullRequestTag,
  runArtifactName,
  scanTree,
  settleLimited,
  tagArtifactName,
  tempName,
  transferConcurrency,
  treeStats,
  watchBytes,
  withStagedName
} from "./chunk-VA56QZAF.js";
import {
  require_tar_stream
} from "./chunk-THC2AKT7.js";
import {
  DEFAULT_API_URL,
  apiUrlForHost,
  restError
} from "./chunk-W67435B5.js";
import {
  formatCount,
  metricNameProblem
} from "./chunk-OADE2NIT.js";
import {
  __toESM
} from "./chunk-2XQLGBSN.js";

// ../../packages/artifacts/lib/github-store.js
import { createHash as createHash2 } from "node:crypto";
import * as fsp3 from "node:fs/promises";
import os from "node:os";
import path2 from "node:path";

// ../../node_modules/is-network-error/index.js
var objectToString = Object.prototype.toString;
var isError = (value) => objectToString.call(value) === "[object Error]";
var errorMessages = /* @__PURE__ */ new Set([
  "network error",
  // Chrome
  "NetworkError when attempting to fetch resource.",
  // Firefox
  "The Internet connection appears to be offline.",
  // Safari 16
  "Network request failed",
  // `cross-fetch`
  "fetch failed",
  // Undici (Node.js)
  "terminated",
  // Undici (Node.js)
  " A network error occurred.",
  // Bun (WebKit)
  "Network connection lost"
  // Cloudflare Workers (fetch)
]);
function isNetworkError(error) {
  const isValid = error && isError(error) && error.name === "TypeError" && typeof error.message === "string";
  if (!isValid) {
    return false;
  }
  const { message, stack } = error;
  if (message === "Load failed" || message.startsWith("Load failed (") && message.endsWith(")")) {
    return stack === void 0 || "__sentry_captured__" in error;
  }
  if (message.startsWith("error sending request for url")) {
    return true;
  }
  if (message === "Failed to fetch" || message.startsWith("Failed to fetch (") && message.endsWith(")")) {
    return true;
  }
  return errorMessages.has(message);
}

// ../../node_modules/p-retry/index.js
function validateRetries(retries) {
  if (typeof retries === "number") {
    if (retries < 0) {
      throw new TypeError("Expected `retries` to be a non-negative number.");
    }
    if (Number.isNaN(retries)) {
      throw new TypeError("Expected `retries` to be a valid number or Infinity, got NaN.");
    }
  } else if (retries !== void 0) {
    throw new TypeError("Expected `retries` to be a number or Infinity.");
  }
}
function validateNumberOption(name, value, { min = 0, allowInfinity = false } = {}) {
  if (value === void 0) {
    return;
  }
  if (typeof value !== "number" || Number.isNaN(value)) {
    throw new TypeError(`Expected \`${name}\` to be a number${allowInfinity ? " or Infinity" : ""}.`);
  }
  if (!allowInfinity && !Number.isFinite(value)) {
    throw new TypeError(`Expected \`${name}\` to be a finite number.`);
  }
  if (value < min) {
    throw new TypeError(`Expected \`${name}\` to be \u2265 ${min}.`);
  }
}
var AbortError = class extends Error {
  constructor(message) {
    super();
    if (message instanceof Error) {
      this.originalError = message;
      ({ message } = message);
    } else {
      this.originalError = new Error(message);
      this.originalError.stack = this.stack;
    }
    this.name = "AbortError";
    this.message = message;
  }
};
function calculateDelay(retriesConsumed, options) {
  const attempt = Math.max(1, retriesConsumed + 1);
  const random = options.randomize ? Math.random() + 1 : 1;
  let timeout = Math.round(random * options.minTimeout * options.factor ** (attempt - 1));
  timeout = Math.min(timeout, options.maxTimeout);
  return timeout;
}
function calculateRemainingTime(start, max) {
  if (!Number.isFinite(max)) {
    return max;
  }
  return max - (performance.now() - start);
}
async function onAttemptFailure({ error, attemptNumber, retriesConsumed, startTime, options }) {
  const normalizedError = error instanceof Error ? error : new TypeError(`Non-error was thrown: "${error}". You should only throw errors.`);
  if (normalizedError instanceof AbortError) {
    throw normalizedError.originalError;
  }
  const retriesLeft = Number.isFinite(options.retries) ? Math.max(0, options.retries - retriesConsumed) : options.retries;
  const maxRetryTime = options.maxRetryTime ?? Number.POSITIVE_INFINITY;
  const context = Object.freeze({
    error: normalizedError,
    attemptNumber,
    retriesLeft,
    retriesConsumed
  });
  await options.onFailedAttempt(context);
  if (calculateRemainingTime(startTime, maxRetryTime) <= 0) {
    throw normalizedError;
  }
  const consumeRetry = await options.shouldConsumeRetry(context);
  const remainingTime = calculateRemainingTime(startTime, maxRetryTime);
  if (remainingTime <= 0 || retriesLeft <= 0) {
    throw normalizedError;
  }
  if (normalizedError instanceof TypeError && !isNetworkError(normalizedError)) {
    if (consumeRetry) {
      throw normalizedError;
    }
    options.signal?.throwIfAborted();
    return false;
  }
  if (!await options.shouldRetry(context)) {
    throw normalizedError;
  }
  if (!consumeRetry) {
    options.signal?.throwIfAborted();
    return false;
  }
  const delayTime = calculateDelay(retriesConsumed, options);
  const finalDelay = Math.min(delayTime, remainingTime);
  options.signal?.throwIfAborted();
  if (finalDelay > 0) {
    await new Promise((resolve, reject) => {
      const onAbort = () => {
        clearTimeout(timeoutToken);
        options.signal?.removeEventListener("abort", onAbort);
        reject(options.signal.reason);
      };
      const timeoutToken = setTimeout(() => {
        options.signal?.removeEventListener("abort", onAbort);
        resolve();
      }, finalDelay);
      if (options.unref) {
        timeoutToken.unref?.();
      }
      options.signal?.addEventListener("abort", onAbort, { once: true });
    });
  }
  options.signal?.throwIfAborted();
  return true;
}
async function pRetry(input, options = {}) {
  options = { ...options };
  validateRetries(options.retries);
  if (Object.hasOwn(options, "forever")) {
    throw new Error("The `forever` option is no longer supported. For many use-cases, you can set `retries: Infinity` instead.");
  }
  options.retries ??= 10;
  options.factor ??= 2;
  options.minTimeout ??= 1e3;
  options.maxTimeout ??= Number.POSITIVE_INFINITY;
  options.maxRetryTime ??= Number.POSITIVE_INFINITY;
  options.randomize ??= false;
  options.onFailedAttempt ??= () => {
  };
  options.shouldRetry ??= () => true;
  options.shouldConsumeRetry ??= () => true;
  validateNumberOption("factor", options.factor, { min: 0, allowInfinity: false });
  validateNumberOption("minTimeout", options.minTimeout, { min: 0, allowInfinity: false });
  validateNumberOption("maxTimeout", options.maxTimeout, { min: 0, allowInfinity: true });
  validateNumberOption("maxRetryTime", options.maxRetryTime, { min: 0, allowInfinity: true });
  if (!(options.factor > 0)) {
    options.factor = 1;
  }
  options.signal?.throwIfAborted();
  let attemptNumber = 0;
  let retriesConsumed = 0;
  const startTime = performance.now();
  while (Number.isFinite(options.retries) ? retriesConsumed <= options.retries : true) {
    attemptNumber++;
    try {
      options.signal?.throwIfAborted();
      const result = await input(attemptNumber);
      options.signal?.throwIfAborted();
      return result;
    } catch (error) {
      if (await onAttemptFailure({
        error,
        attemptNumber,
        retriesConsumed,
        startTime,
        options
      })) {
        retriesConsumed++;
      }
    }
  }
  throw new Error("Retry attempts exhausted without throwing an error.");
}

// ../../packages/artifacts/lib/archive.js
var import_tar_stream = __toESM(require_tar_stream(), 1);
import { createHash } from "node:crypto";
import fs from "node:fs";
import * as fsp from "node:fs/promises";
import path from "node:path";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";
import zlib from "node:zlib";
var asNode = (stream) => stream;
var ARCHIVE_MANIFEST = ".dstack-archive.json";
var SMALL_ENTRY_BYTES = 1024 * 1024;
var WRITE_CHUNK_BYTES = 256 * 1024;
var READ_BATCH = 64;
var MAX_MANIFEST_BYTES = 64 * 1024;
function manifestOf(files) {
  const list = createHash("sha256");
  let bytes = 0;
  for (const f of files) {
    list.update(`${f.rel}\0${f.size}
`);
    bytes += f.size;
  }
  return { version: 1, files: files.length, bytes, listSha256: list.digest("hex") };
}
async function packArchive(options) {
  for (const f of options.files) {
    checkEntryName(f.rel, `file ${JSON.stringify(f.rel)}`);
    if (f.rel === ARCHIVE_MANIFEST) {
      throw new StoreError("invalid", `file ${JSON.stringify(f.rel)}: the name is reserved for the archive's own manifest`);
    }
  }
  const pack = import_tar_stream.default.pack();
  const gzip = options.gzipLevel > 0 ? [zlib.createGzip({ level: options.gzipLevel })] : [];
  const written = pipeline([
    asNode(pack),
    coalesce(WRITE_CHUNK_BYTES),
    ...gzip,
    fs.createWriteStream(options.dest, { flags: "wx" })
  ]);
  written.catch(() => void 0);
  const packed = [];
  const files = options.files;
  try {
    for (let i = 0; i < files.length; i++) {
      if (i % READ_BATCH === READ_BATCH - 1)
        await new Promise((r) => setImmediate(r));
      const f = files[i];
      let loaded;
      try {
        loaded = load(f);
      } catch (e) {
        throw ioError(`cannot pack ${f.abs}`, e);
      }
      const header = { name: f.rel, size: loaded.size, mode: loaded.mode, mtime: loaded.mtime };
      if (loaded.body !== void 0) {
        await addEntry(pack, header, loaded.body);
      } else {
        const sink = entrySink(pack, header);
        await pipeline(fs.createReadStream(f.abs, { start: 0, end: loaded.size - 1 }), sink.stream).catch((e) => {
          throw ioError(`cannot pack ${f.abs} (${loaded.size} bytes when it was opened)`, e);
        });
        await sink.done;
      }
      packed.push({ rel: f.rel, size: loaded.size });
    }
    const manifest = manifestOf(packed);
    await addEntry(pack, { name: ARCHIVE_MANIFEST, mode: 420, mtime: /* @__PURE__ */ new Date() }, Buffer.from(`${JSON.stringify(manifest)}
`));
    pack.finalize();
    await written.catch((e) => {
      throw ioError(`cannot write the archive ${options.dest}`, e);
    });
    return { manifest, size: (await fsp.stat(options.dest)).size };
  } catch (e) {
    pack.destroy(e instanceof Error ? e : new Error(String(e)));
    const failed = await written.then(() => void 0, (w) => w);
    if (e instanceof StoreError || failed === void 0 || failed === e)
      throw e;
    throw ioError(`cannot write the archive ${options.dest}`, failed);
  }
}
function coalesce(bytes) {
  let held = [];
  let size = 0;
  const flushHeld = (push) => {
    if (size > 0)
      push(held.length === 1 ? held[0] : Buffer.concat(held, size));
    held = [];
    size = 0;
  };
  return new Transform({
    transform(chunk, _encoding, done) {
      held.push(chunk);
      size += chunk.length;
      if (size >= bytes)
        flushHeld((b) => this.push(b));
      done();
    },
    flush(done) {
      flushHeld((b) => this.push(b));
      done();
    }
  });
}
function load(f) {
  const fd = fs.openSync(f.abs, "r");
  try {
    const st = fs.fstatSync(fd);
    if (!st.isFile())
      throw new StoreError("invalid", `${f.abs}: not a regular file`);
    const mode = st.mode & 511;
    if (st.size > SMALL_ENTRY_BYTES)
      return { size: st.size, mode, mtime: st.mtime };
    const body = Buffer.allocUnsafe(st.size);
    let got = 0;
    while (got < body.length) {
      const n = fs.readSync(fd, body, got, body.length - got, got);
      if (n === 0)
        break;
      got += n;
    }
    return { size: got, mode, mtime: st.mtime, body: body.subarray(0, got) };
  } finally {
    fs.closeSync(fd);
  }
}
function addEntry(pack, header, body) {
  return new Promise((resolve, reject) => {
    pack.entry(header, body, (e) => e ? reject(e) : resolve());
  });
}
function entrySink(pack, header) {
  let stream;
  const done = new Promise((resolve, reject) => {
    stream = pack.entry(header, (e) => e ? reject(e) : resolve());
  });
  done.catch(() => void 0);
  return { stream: asNode(stream), done };
}
function checkEntryName(name, what) {
  const why = name === "" ? "it is empty" : name.startsWith("/") || /^[A-Za-z]:/.test(name) ? "it is absolute" : name.includes("\\") ? "it holds a backslash" : name.includes("\0") ? "it holds a NUL byte" : name.split("/").some((part) => part === "..") ? "it climbs out with .." : name.split("/").some((part) => part === "" || part === ".") ? "it has an empty or . part" : void 0;
  if (why !== void 0) {
    throw new StoreError("invalid", `${what}: ${why}; archive paths must be relative paths of plain names that stay inside the folder`);
  }
  return name;
}
async function unpackArchive(options) {
  const { label } = options;
  const only = options.only === void 0 || options.only === "" ? void 0 : options.only;
  const refuse = (message) => new StoreError("invalid", `${label}: ${message}`);
  const extract = import_tar_stream.default.extract();
  const read = pipeline([
    fs.createReadStream(options.archive, { highWaterMark: SMALL_ENTRY_BYTES }),
    ...options.gzip ? [zlib.createGunzip()] : [],
    asNode(extract)
  ]);
  read.catch(() => void 0);
  const files = /* @__PURE__ */ new Set();
  const dirs = /* @__PURE__ */ new Set();
  const made = /* @__PURE__ */ new Set();
  const inFlight = /* @__PURE__ */ new Set();
  const maxWrites = Math.max(1, options.writes ?? 8);
  const seen = [];
  const written = { files: 0, bytes: 0 };
  let manifest;
  try {
    for await (const entry of extract) {
      const h = entry.header;
      const what = `entry ${JSON.stringify(h.name)}`;
      if (manifest !== void 0) {
        throw refuse(`${what} comes after the manifest ${ARCHIVE_MANIFEST}, which must be last`);
      }
      if (h.name === ARCHIVE_MANIFEST && h.type === "file") {
        if (h.size > MAX_MANIFEST_BYTES) {
          throw refuse(`the manifest ${ARCHIVE_MANIFEST} is ${h.size} bytes; at most ${MAX_MANIFEST_BYTES} are read`);
        }
        const text = (await collect(asNode(entry))).toString("utf8");
        try {
          manifest = JSON.parse(text);
        } catch {
          throw refuse(`the manifest ${ARCHIVE_MANIFEST} is not JSON`);
        }
        if (manifest === void 0 || manifest === null)
          manifest = {};
        continue;
      }
      const name = h.type === "directory" ? h.name.replace(/\/$/, "") : h.name;
      const rel = checkEntryName(name, `${label}: ${what}`);
      if (h.type !== "file") {
        throw refuse(`${what} is a ${h.type === "symlink" ? "symbolic link" : h.type === "link" ? "hard link" : h.type ?? "entry of unknown type"}${h.linkname ? ` to ${JSON.stringify(h.linkname)}` : ""}; these archives hold regular files only`);
      }
      if (files.has(rel) || dirs.has(rel)) {
        throw refuse(`${what} is there twice, or is both a file and a folder`);
      }
      const parts = rel.split("/");
      for (let i = 1; i < parts.length; i++) {
        const dir = parts.slice(0, i).join("/");
        if (files.has(dir))
          throw refuse(`${what} lies below ${JSON.stringify(dir)}, a file`);
        dirs.add(dir);
      }
      files.add(rel);
      seen.push({ rel, size: h.size });
      if (only !== void 0 && rel !== only && !rel.startsWith(`${only}/`)) {
        entry.resume();
        continue;
      }
      written.files += 1;
      written.bytes += h.size;
      const target = path.join(options.dest, ...parts);
      const parent = path.dirname(target);
      if (!made.has(parent)) {
        await fsp.mkdir(parent, { recursive: true });
        made.add(parent);
      }
      const mode = h.mode & 511 || 420;
      if (h.size <= SMALL_ENTRY_BYTES) {
        const body = await collect(asNode(entry));
        while (inFlight.size >= maxWrites)
          await Promise.race(inFlight);
        const w = fsp.writeFile(target, body, { flag: "wx", mode }).finally(() => {
          inFlight.delete(w);
        });
        inFlight.add(w);
      } else {
        await pipeline(asNode(entry), fs.createWriteStream(target, { flags: "wx", mode }));
      }
    }
    await read;
    await Promise.all(inFlight);
  } catch (e) {
    extract.destroy();
    await read.catch(() => void 0);
    await Promise.allSettled(inFlight);
    throw ioError(`cannot unpack ${label}`, e);
  }
  const m = manifest;
  if (m === void 0)
    throw refuse(`it has no manifest ${ARCHIVE_MANIFEST}, so it is refused`);
  const got = manifestOf(seen);
  if (m.version !== 1 || m.files !== got.files || m.bytes !== got.bytes || m.listSha256 !== got.listSha256) {
    throw refuse(`it does not hold the files its manifest lists: the manifest says ${String(m.files)} files of ${String(m.bytes)} bytes (list ${String(m.listSha256).slice(0, 12)}), the archive holds ${got.files} files of ${got.bytes} bytes (list ${got.listSha256.slice(0, 12)})`);
  }
  return written;
}
async function collect(entry) {
  const chunks = [];
  for await (const chunk of entry) {
    chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength));
  }
  return chunks.length === 1 ? chunks[0] : Buffer.concat(chunks);
}

// ../../packages/artifacts/lib/github-rest.js
var GitHubStoreError = class extends StoreError {
  /** See {@link GitHubStoreErrorReason}. */
  reason;
  constructor(code, reason, message, options) {
    super(code, message, options);
    this.name = "GitHubStoreError";
    this.reason = reason;
  }
};
function newestArtifactFirst(a, b) {
  return (b.created_at ?? "").localeCompare(a.created_at ?? "") || b.id - a.id;
}
var STORE_REASONS = {
  permission: ["io", "permission"],
  unauthorized: ["io", "unauthorized"],
  unreachable: ["io", "unreachable"],
  "not-found": ["not-found", "api"]
};
var ArtifactsRest = class {
  o;
  client;
  constructor(options) {
    this.o = options;
  }
  /**
   * The REST client, made on first use: `@dstack/github/client` (and Octokit with it) is
   * imported then, so a step that never asks GitHub anything does not load it at start.
   */
  octokit() {
    this.client ??= (async () => {
      const { createGitHubClient } = await import("./client-G72YJFKG.js");
      return createGitHubClient({
        token: this.o.token,
        apiUrl: this.o.apiUrl,
        userAgent: "dstack-artifacts",
        retries: this.o.retries,
        retryBaseMs: this.o.retryBaseMs,
        ...this.o.writeSpacingMs !== void 0 ? { writeSpacingMs: this.o.writeSpacingMs } : {}
      });
    })();
    return this.client;
  }
  get repoPath() {
    return `/repos/${this.o.owner}/${this.o.repo}`;
  }
  /** `GET /repos/{o}/{r}/actions/artifacts?name=`: every artifact of that name, all pages. */
  async listNamed(name) {
    return await this.call(`GET ${this.repoPath}/actions/artifacts`, (octokit) => octokit.paginate(octokit.rest.actions.listArtifactsForRepo, {
      owner: this.o.owner,
      repo: this.o.repo,
      name,
      per_page: this.o.pageSize
    }));
  }
  /** `GET /repos/{o}/{r}/actions/artifacts`: every artifact of the repository, all pages. */
  async listAll() {
    return await this.call(`GET ${this.repoPath}/actions/artifacts`, (octokit) => octokit.paginate(octokit.rest.actions.listArtifactsForRepo, {
      owner: this.o.owner,
      repo: this.o.repo,
      per_page: this.o.pageSize
    }));
  }
  /**
   * `DELETE /repos/{o}/{r}/actions/artifacts/{id}` (docs.github.com/rest/actions/artifacts#delete-an-artifact):
   * needs `actions: write`; an artifact already gone (404) is fine.
   */
  async deleteArtifact(id) {
    const what = `DELETE ${this.repoPath}/actions/artifacts/${id}`;
    try {
      await (await this.octokit()).rest.actions.deleteArtifact({
        owner: this.o.owner,
        repo: this.o.repo,
        artifact_id: id
      });
    } catch (e) {
      const status = e?.status;
      if (status === 404)
        return;
      const failed = this.error(what, e);
      if (status === 403 && failed instanceof GitHubStoreError && failed.reason === "permission") {
        throw new GitHubStoreError("io", "permission", `${what}: 403: the token needs the "actions: write" permission on ${this.o.owner}/${this.o.repo} to delete artifacts (a fine-grained token with Actions: read and write, or a classic token with repo)`, { cause: failed });
      }
      throw failed;
    }
  }
  /** `GET /repos/{o}/{r}/actions/runs/{id}/artifacts`: every artifact of a run, all pages. */
  async listOfRun(runId) {
    return await this.call(`GET ${this.repoPath}/actions/runs/${runId}/artifacts`, (octokit) => octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
      owner: this.o.owner,
      repo: this.o.repo,
      run_id: runId,
      per_page: this.o.pageSize
    }));
  }
  /**
   * `GET /repos/{o}/{r}/actions/workflows/{file}/runs?branch=&status=success`: one page of a
   * workflow file's successful runs on a branch, newest first (docs.github.com/rest/actions/
   * workflow-runs#list-workflow-runs-for-a-workflow). A 404 (no such workflow file) is no runs.
   */
  async listSuccessfulRuns(options) {
    try {
      const { data } = await (await this.octokit()).rest.actions.listWorkflowRuns({
        owner: this.o.owner,
        repo: this.o.repo,
        workflow_id: options.workflowFile,
        branch: options.branch,
        status: "success",
        per_page: options.perPage,
        page: options.page
      });
      return data.workflow_runs.map((r) => ({
        id: r.id,
        event: r.event,
        path: r.path,
        headBranch: r.head_branch ?? null,
        headRepositoryId: r.head_repository?.id ?? null,
        htmlUrl: r.html_url
      }));
    } catch (e) {
      if (e?.status === 404)
        return [];
      throw this.error(`GET ${this.repoPath}/actions/workflows/${options.workflowFile}/runs`, e);
    }
  }
  /** `GET /repos/{o}/{r}`: the id and default branch, for the trust rules. */
  async getRepository() {
    const { data } = await this.call(`GET ${this.repoPath}`, (octokit) => octokit.rest.repos.get({ owner: this.o.owner, repo: this.o.repo }));
    return { id: data.id, defaultBranch: data.default_branch };
  }
  /** `GET /repos/{o}/{r}/actions/runs/{id}`: what the trust rules read; undefined on 404. */
  async getRun(runId) {
    try {
      const { data } = await (await this.octokit()).rest.actions.getWorkflowRun({
        owner: this.o.owner,
        repo: this.o.repo,
        run_id: runId
      });
      return {
        id: data.id,
        event: data.event,
        path: data.path,
        headBranch: data.head_branch ?? null,
        headRepositoryId: data.head_repository?.id ?? null,
        title: data.display_title,
        ...data.triggering_actor?.login ? { actor: data.triggering_actor.login } : {}
      };
    } catch (e) {
      if (e?.status === 404)
        return void 0;
      throw this.error(`GET ${this.repoPath}/actions/runs/${runId}`, e);
    }
  }
  /** Runs a REST call, turning its failure into a {@link GitHubStoreError}. */
  async call(what, fn) {
    try {
      return await fn(await this.octokit());
    } catch (e) {
      throw this.error(what, e);
    }
  }
  /**
   * A failure of GitHub (a REST call, or the artifact client's download through it) as a
   * {@link GitHubStoreError} whose `cause` is the `GitHubError` of `@dstack/github`: 403
   * `permission` (naming `actions: read`), 401 `unauthorized`, 404 `not-found`, 5xx or no
   * answer `unreachable`, else `api`. A StoreError passes through; a failure without an HTTP
   * status (the artifact client's own) is `api` with its message.
   */
  error(what, e) {
    if (e instanceof StoreError)
      return e;
    const detail = (e instanceof Error ? e.message : String(e)).replaceAll("\n", " ");
    if (typeof e?.status !== "number") {
      return new GitHubStoreError("io", "api", `${what}: ${detail}`, { cause: e });
    }
    const repo = `${this.o.owner}/${this.o.repo}`;
    const g = restError(what, e, this.o.apiUrl, {
      retries: this.o.retries,
      hint: {
        permission: `the token needs the "actions: read" permission on ${repo} (in a workflow: permissions: { actions: read }; for another repository, a token with access to it)`,
        "not-found": `${repo} does not exist or the token cannot see it`,
        unauthorized: this.o.tokenHint
      }
    });
    const [code, reason] = STORE_REASONS[g.reason] ?? ["io", "api"];
    return new GitHubStoreError(code, reason, g.message, { cause: g });
  }
};

// ../../packages/artifacts/lib/trust.js
var DEFAULT_RUNNER_WORKFLOW = "dstack-run.yml";
var DEFAULT_BRANCH_EVENTS = Object.freeze([
  "push",
  "schedule",
  "workflow_dispatch",
  "repository_dispatch"
]);
var PULL_REQUEST_EVENTS = /* @__PURE__ */ new Set([
  "pull_request",
  "pull_request_review",
  "pull_request_review_comment"
]);
var WORKFLOW_FILE = /^[A-Za-z0-9_.-]+\.ya?ml$/;
function workflowFileOf(runPath) {
  const m = /^\.github\/workflows\/([^/@]+)(?:@.*)?$/.exec(runPath);
  return m?.[1];
}
function isTrustedWorkflowRun(run, rules) {
  const file = workflowFileOf(run.path);
  return file !== void 0 && rules.trustedWorkflows.includes(file) && !PULL_REQUEST_EVENTS.has(run.event);
}
function forkDetail(headRepositoryId) {
  return `its code comes from another repository (id ${headRepositoryId ?? "unknown"}): a fork's pull request`;
}
function needsDefaultBranch(run, rules) {
  return run.headRepositoryId === rules.repositoryId && !isTrustedWorkflowRun(run, rules) && workflowFileOf(run.path) !== void 0 && DEFAULT_BRANCH_EVENTS.includes(run.event);
}
function judgeWorkflowRun(run, rules) {
  if (run.headRepositoryId !== rules.repositoryId) {
    return {
      trusted: false,
      reason: "fork",
      detail: forkDetail(run.headRepositoryId)
    };
  }
  if (isTrustedWorkflowRun(run, rules))
    return { trusted: true };
  const file = workflowFileOf(run.path);
  if (file === void 0) {
    return {
      trusted: false,
      reason: "workflow",
      detail: `workflow ${run.path || "(no path)"} is not a file under .github/workflows/`
    };
  }
  if (!DEFAULT_BRANCH_EVENTS.includes(run.event)) {
    return {
      trusted: false,
      reason: "event",
      detail: `workflow ${file} ran on ${run.event}${rules.trustedWorkflows.includes(file) ? " (a pull request's copy of the file)" : ", and it is not a trusted workflow"}`
    };
  }
  if (rules.defaultBranch === void 0) {
    throw new Error("judgeWorkflowRun: the default branch is needed for this run");
  }
  if (run.headBranch !== rules.defaultBranch) {
    return {
      trusted: false,
      reason: "branch",
      detail: `workflow ${file} ran on ${run.event} on branch ${run.headBranch ?? "(none)"}, not the default branch ${rules.defaultBranch}`
    };
  }
  return { trusted: true };
}
function checkWorkflowFile(name, field) {
  if (typeof name !== "string" || !WORKFLOW_FILE.test(name)) {
    throw new StoreError("invalid", `${field}: ${JSON.stringify(name)} is not a workflow file name; give the file name in .github/workflows/, e.g. dstack-run.yml`);
  }
  return name;
}
var TrustedSources = class {
  /** The trusted workflow file names, the runner workflow first. */
  trustedWorkflows;
  options;
  repository;
  runs = /* @__PURE__ */ new Map();
  constructor(options) {
    this.options = options;
    const runner = checkWorkflowFile(options.runnerWorkflow ?? DEFAULT_RUNNER_WORKFLOW, "runnerWorkflow");
    const extra = (options.trustedWorkflows ?? []).map((w, i) => checkWorkflowFile(w, `trustedWorkflows[${i}]`));
    this.trustedWorkflows = [.../* @__PURE__ */ new Set([runner, ...extra])];
  }
  repo() {
    this.repository ??= this.options.getRepository();
    return this.repository;
  }
  /** This repository's numeric id (the option, else `getRepository`, asked once). */
  async repositoryId() {
    return this.options.repositoryId ?? (await this.repo()).id;
  }
  /** The default branch (the option, else `getRepository`, asked once). */
  async defaultBranch() {
    return this.options.defaultBranch ?? (await this.repo()).defaultBranch;
  }
  /**
   * The facts of a workflow run: `GET .../actions/runs/{id}` once per run id for this instance's
   * life, shared with the trust judgements (a run judged already costs no request).
   *
   * @returns undefined when GitHub answers 404.
   */
  run(runId) {
    let found = this.runs.get(runId);
    if (found === void 0) {
      found = this.options.getRun(runId);
      this.runs.set(runId, found);
    }
    return found;
  }
  /** Judges one candidate; fetches its run (cached) only when the artifact alone cannot tell. */
  async judge(candidate) {
    const runId = candidate.workflow_run?.id;
    if (runId === void 0) {
      return {
        trusted: false,
        reason: "workflow",
        detail: "GitHub lists it without its workflow run"
      };
    }
    const repositoryId = await this.repositoryId();
    const headId = candidate.workflow_run?.head_repository_id;
    if (headId !== void 0 && headId !== repositoryId) {
      return { runId, trusted: false, reason: "fork", detail: forkDetail(headId) };
    }
    const run = await this.run(runId);
    if (run === void 0) {
      return {
        runId,
        trusted: false,
        reason: "workflow",
        detail: "its workflow run is gone (404)"
      };
    }
    const rules = { repositoryId, trustedWorkflows: this.trustedWorkflows };
    if (needsDefaultBranch(run, rules))
      rules.defaultBranch = await this.defaultBranch();
    return { runId, ...judgeWorkflowRun(run, rules) };
  }
  /**
   * The first trusted candidate of `newestFirst` (judged in order, stopping there) and every
   * candidate skipped before it.
   *
   * @throws whatever `getRepository` / `getRun` throw (a 404 of a run is a skip, not a throw).
   */
  async pick(newestFirst) {
    const skipped = [];
    for (const candidate of newestFirst) {
      const verdict = await this.judge(candidate);
      if (verdict.trusted)
        return { artifact: candidate, skipped };
      skipped.push({
        artifactId: candidate.id,
        ...verdict.runId !== void 0 ? { runId: verdict.runId } : {},
        reason: verdict.reason,
        detail: verdict.detail
      });
    }
    return { skipped };
  }
  /** What counts, in one sentence, for messages. */
  describeRules() {
    const files = this.trustedWorkflows.join(", ");
    const branch = this.options.defaultBranch ?? "the default branch";
    return `trusted sources are runs of this repository's own code (not a fork's) of the workflows ${files}, or of any workflow started on ${branch} by ${DEFAULT_BRANCH_EVENTS.join(", ")}`;
  }
};
function describeSkipped(skipped) {
  return skipped.map((s) => `artifact ${s.artifactId} (workflow run ${s.runId ?? "unknown"}): ${s.reason}: ${s.detail}`).join("; ");
}

// ../../packages/artifacts/lib/base-run.js
var MARKER_METRICS_MAX = 1e3;
function markerMetrics(record) {
  if (typeof record !== "object" || record === null || !("metrics" in record))
    return void 0;
  const value = record.metrics;
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const given = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    return { problem: `metrics is ${given}, not an object` };
  }
  const entries = Object.entries(value);
  if (entries.length > MARKER_METRICS_MAX) {
    return {
      problem: `metrics names ${entries.length} metrics; at most ${MARKER_METRICS_MAX} are read`
    };
  }
  const out = {};
  for (const [name, direction] of entries) {
    const problem = metricNameProblem(name);
    if (problem !== void 0)
      return { problem: `metrics: ${problem}` };
    if (direction !== "min" && direction !== "max") {
      return {
        problem: `metrics: ${JSON.stringify(name.slice(0, 60))} is ${JSON.stringify(direction)?.slice(0, 60) ?? typeof direction}; the directions are "min" and "max"`
      };
    }
    Object.defineProperty(out, name, { value: direction, enumerable: true, writable: true });
  }
  return { directions: out };
}
function isBaseMarker(record, runName, workflow) {
  if (typeof record !== "object" || record === null)
    return false;
  const r = record;
  return r.runName === runName && r.workflow === workflow && r.untrusted === false && r.pullRequest === void 0;
}
async function findBaseRun(sources, options) {
  const want = options.artifactPath ?? "metrics";
  const maxRuns = options.maxRuns ?? 30;
  const perPage = Math.max(1, Math.min(100, options.pageSize ?? 10));
  const defaultBranch = await sources.defaultBranch();
  const repositoryId = await sources.repositoryId();
  const rules = {
    repositoryId,
    trustedWorkflows: [sources.runnerWorkflow],
    defaultBranch
  };
  let seen = 0;
  for (let page = 1; seen < maxRuns; page++) {
    const runs = await sources.listSuccessfulRuns({
      workflowFile: sources.runnerWorkflow,
      branch: defaultBranch,
      page,
      perPage
    });
    for (const run of runs) {
      if (seen++ >= maxRuns)
        return void 0;
      if (run.headBranch !== defaultBranch || !judgeWorkflowRun(run, rules).trusted)
        continue;
      const found = await baseOfWorkflowRun(sources, run, want, options);
      if (found !== void 0)
        return found;
    }
    if (runs.length < perPage)
      return void 0;
  }
  return void 0;
}
async function baseOfWorkflowRun(sources, run, want, options) {
  const artifacts = (await sources.listOfRun(run.id)).filter((a) => sources.isLive(a));
  const markers = artifacts.filter((a) => a.name.startsWith(RUN_ARTIFACT_PREFIX)).sort(newestArtifactFirst);
  for (const marker of markers) {
    const runName = marker.name.slice(RUN_ARTIFACT_PREFIX.length);
    if (runName === options.excludeRunName)
      continue;
    const holds = artifacts.some((a) => {
      const p = parseRunArtifactName(a.name, runName)?.artifactPath;
      return p !== void 0 && (p === want || p.startsWith(`${want}/`));
    });
    if (!holds)
      continue;
    if (!isBaseMarker(await sources.readMarker(marker), runName, options.workflow))
      continue;
    return {
      runName,
      workflowRunId: run.id,
      workflowRunUrl: run.htmlUrl,
      artifactId: marker.id,
      createdAt: marker.created_at ?? "",
      expiresAt: marker.expires_at
    };
  }
  return void 0;
}

// ../../packages/artifacts/lib/client-output.js
import { AsyncLocalStorage } from "node:async_hooks";
var UPLOADED_LINE = /^Uploaded bytes (\d+)\r?\n$/;
var LAYER = /* @__PURE__ */ Symbol("dstack.uploadTap");
async function withUploadTap(options, fn) {
  const stream = options.stream ?? process.stdout;
  const current = new AsyncLocalStorage();
  const layer = {
    previous: stream.write,
    own: Object.hasOwn(stream, "write"),
    removed: false
  };
  const filter = function(chunk, ...rest) {
    const onBytes = layer.removed ? void 0 : current.getStore();
    if (onBytes !== void 0 && typeof chunk === "string") {
      const m = UPLOADED_LINE.exec(chunk);
      if (m) {
        onBytes(Number(m[1]));
        const callback = rest.find((r) => typeof r === "function");
        if (callback !== void 0)
          process.nextTick(callback);
        return true;
      }
    }
    return layer.previous.call(this, chunk, ...rest);
  };
  Object.defineProperty(filter, LAYER, { value: layer });
  stream.write = filter;
  try {
    return await fn({
      track: (onBytes, upload) => current.run(onBytes, () => options.around !== void 0 ? options.around(upload) : upload())
    });
  } finally {
    layer.removed = true;
    for (; ; ) {
      const top = stream.write[LAYER];
      if (top === void 0 || !top.removed)
        break;
      if (top.own)
        stream.write = top.previous;
      else
        delete stream.write;
    }
  }
}

// ../../packages/artifacts/lib/compression.js
import * as fsp2 from "node:fs/promises";
import { constants, deflateRawSync } from "node:zlib";
var DEFAULT_COMPRESSION_LEVEL = 6;
var STORE_COMPRESSION_LEVEL = 0;
async function head(file, max) {
  const handle = await fsp2.open(file, "r");
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
  for (const [i, file] of files.entries()) {
    const known = options.sizes?.[i];
    if (known !== void 0) {
      if (known > 0)
        sized.push({ file, size: known });
      continue;
    }
    const st = await fsp2.stat(file).catch(() => void 0);
    if (st?.isFile() && st.size > 0)
      sized.push({ file, size: st.size });
  }
  sized.sort((a, b) => b.size - a.size || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const picked = sized.slice(0, Math.max(0, maxFiles));
  let raw = 0;
  let deflated = 0;
  const samples = [];
  const deflate = (b) => deflateRawSync(b, { level: 1, strategy: constants.Z_DEFAULT_STRATEGY }).length;
  for (const { file, size } of picked) {
    const sample = await head(file, Math.min(size, sampleBytes)).catch(() => void 0);
    if (sample === void 0 || sample.length === 0)
      continue;
    raw += sample.length;
    if (options.together)
      samples.push(sample);
    else
      deflated += deflate(sample);
  }
  if (options.together && raw > 0)
    deflated = deflate(Buffer.concat(samples));
  if (raw === 0) {
    return {
      level: DEFAULT_COMPRESSION_LEVEL,
      reason: `auto: nothing to sample (no non-empty files); level ${DEFAULT_COMPRESSION_LEVEL}, the default`
    };
  }
  const saving = 1 - deflated / raw;
  const measured = `a sample of ${raw} bytes from ${formatCount(picked.length, "file")} deflates to ${deflated} bytes (saves ${(saving * 100).toFixed(1)}%)`;
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

// ../../packages/artifacts/lib/github-host.js
function hostOf(serverUrl) {
  try {
    return new URL(serverUrl).hostname.toLowerCase();
  } catch {
    return void 0;
  }
}
function apiUrlForServer(serverUrl) {
  const host = hostOf(serverUrl);
  if (host === void 0) {
    throw new StoreError("invalid", `GITHUB_SERVER_URL: ${JSON.stringify(serverUrl)} is not a URL; expected e.g. https://github.com`);
  }
  const url = new URL(serverUrl);
  return apiUrlForHost(url.host, url.protocol === "http:" ? "http:" : "https:");
}
function hasArtifactsService(serverUrl) {
  const host = hostOf(serverUrl);
  return host !== void 0 && (host === "github.com" || host.endsWith(".ghe.com") || host.endsWith(".localhost"));
}
function checkArtifactsService(serverUrl, what) {
  const server = serverUrl || "https://github.com";
  if (hasArtifactsService(server))
    return;
  throw new StoreError("invalid", `${what}: GITHUB_SERVER_URL is ${server}, a GitHub Enterprise Server: it has no artifacts service for @actions/artifact 2+ (the one upload-artifact@v4 uses), so the GitHub store cannot upload or download there; use github.com or GHE.com (*.ghe.com), or the local store`);
}

// ../../packages/artifacts/lib/progress.js
var TransferMeter = class {
  options;
  moved;
  finishedItems;
  totalBytes;
  started;
  now;
  /**
   * @param options.direction `upload` or `download`.
   * @param options.what what moves, for messages.
   * @param options.sizes each artifact's bytes (of a zip: its files' bytes).
   * @param options.onProgress where reports go (none when unset).
   * @param options.now the clock in ms, default `Date.now`.
   */
  constructor(options) {
    this.options = options;
    this.moved = options.sizes.map(() => 0);
    this.finishedItems = options.sizes.map(() => false);
    this.totalBytes = options.sizes.reduce((sum, n) => sum + n, 0);
    this.now = options.now ?? Date.now;
    this.started = this.now();
  }
  /** Reports the beginning (0 bytes). */
  begin() {
    this.report();
  }
  /** Artifact `index` has moved `bytes` bytes so far (a smaller count than before is ignored). */
  update(index, bytes) {
    const size = this.options.sizes[index] ?? 0;
    const next = Math.min(size, Math.max(this.moved[index] ?? 0, bytes));
    if (next === this.moved[index])
      return;
    this.moved[index] = next;
    this.report();
  }
  /** Artifact `index` arrived whole. */
  finish(index) {
    if (this.finishedItems[index])
      return;
    this.finishedItems[index] = true;
    this.moved[index] = this.options.sizes[index] ?? 0;
    this.report();
  }
  report() {
    const listener = this.options.onProgress;
    if (listener === void 0)
      return;
    const artifacts = this.finishedItems.filter(Boolean).length;
    listener({
      direction: this.options.direction,
      what: this.options.what,
      bytes: this.moved.reduce((sum, n) => sum + n, 0),
      totalBytes: this.totalBytes,
      artifacts,
      totalArtifacts: this.options.sizes.length,
      elapsedMs: Math.max(0, this.now() - this.started),
      finished: artifacts === this.options.sizes.length
    });
  }
};
function progressLines(options) {
  const everyMs = options.everyMs ?? 1e4;
  const everyPercent = options.everyPercent ?? 10;
  const minGapMs = options.minGapMs ?? 1e3;
  const state = { lastAt: 0, lastStep: 0, ended: false };
  return (event) => {
    if (state.ended)
      return;
    const at = event.elapsedMs;
    if (event.finished) {
      state.ended = true;
      options.log(finalLine(event));
      return;
    }
    const step = Math.floor(percentOf(event) / everyPercent);
    const since = at - state.lastAt;
    const due = since >= everyMs || step > state.lastStep && since >= minGapMs;
    if (!due || event.bytes === 0)
      return;
    state.lastAt = at;
    state.lastStep = step;
    options.log(progressLine(event));
  };
}
function progressLine(event) {
  const verb = event.direction === "upload" ? "uploading" : "downloading";
  return `${event.what}: ${verb} ${mib(event.bytes)} of ${mib(event.totalBytes)} MiB (${Math.floor(percentOf(event))}%), ${event.artifacts} of ${event.totalArtifacts} artifact${event.totalArtifacts === 1 ? "" : "s"}, ${rate(event)} MiB/s`;
}
function finalLine(event) {
  const verb = event.direction === "upload" ? "uploaded" : "downloaded";
  return `${event.what}: ${verb} ${mib(event.bytes)} MiB (${event.totalArtifacts} artifact${event.totalArtifacts === 1 ? "" : "s"}) in ${(event.elapsedMs / 1e3).toFixed(1)} s, ${rate(event)} MiB/s`;
}
function percentOf(event) {
  return event.totalBytes === 0 ? 100 : 100 * event.bytes / event.totalBytes;
}
function rate(event) {
  return mib(event.bytes * 1e3 / Math.max(1, event.elapsedMs));
}
function mib(bytes) {
  return (bytes / (1024 * 1024)).toFixed(1);
}

// ../../packages/artifacts/lib/upload-blocks.js
var UPLOAD_CONCURRENCY_ENV = "ACTIONS_ARTIFACT_UPLOAD_CONCURRENCY";
var DEFAULT_UPLOAD_BLOCKS = 1;
var UploadBlocks = class {
  blocks;
  env;
  /** Uploads of this store running now, and what the variable was before the first. */
  held;
  /**
   * @param options.blocks blocks at once, an integer of at least 1 (unset: see the class).
   * @param options.env the environment the client reads, default `process.env`.
   * @throws StoreError `invalid` for a `blocks` that is not a positive integer.
   */
  constructor(options = {}) {
    const { blocks } = options;
    if (blocks !== void 0 && !(Number.isSafeInteger(blocks) && blocks >= 1)) {
      throw new StoreError("invalid", `uploadBlocks ${JSON.stringify(blocks)}: expected an integer of at least 1 (8 MiB blocks each upload stages at once)`);
    }
    this.blocks = blocks;
    this.env = options.env ?? process.env;
    this.held = { count: 0, previous: void 0, value: void 0 };
  }
  /** Runs `fn` (the store's client uploads) with the variable set as the class says. */
  async around(fn) {
    if (this.held.count === 0) {
      const previous = this.env[UPLOAD_CONCURRENCY_ENV];
      const value = this.blocks !== void 0 ? String(this.blocks) : previous === void 0 || previous === "" ? String(DEFAULT_UPLOAD_BLOCKS) : void 0;
      this.held.previous = previous;
      this.held.value = value;
      if (value !== void 0)
        this.env[UPLOAD_CONCURRENCY_ENV] = value;
    }
    this.held.count += 1;
    try {
      return await fn();
    } finally {
      this.held.count -= 1;
      if (this.held.count === 0 && this.held.value !== void 0) {
        if (this.env[UPLOAD_CONCURRENCY_ENV] === this.held.value) {
          if (this.held.previous === void 0)
            delete this.env[UPLOAD_CONCURRENCY_ENV];
          else
            this.env[UPLOAD_CONCURRENCY_ENV] = this.held.previous;
        }
        this.held.value = void 0;
      }
    }
  }
};

// ../../packages/artifacts/lib/github-store.js
var PAGE_SIZE = 100;
var DEFAULT_ARCHIVE_MIN_FILES = 100;
var DAY_MS = 864e5;
var RUN_MARKER_MAX_BYTES = 64 * 1024;
function fileArtifactName(runName, artifactPath) {
  return `${FILE_ARTIFACT_PREFIX}${checkArtifactRunName(runName)}--${encodeArtifactPath(artifactPath)}`;
}
var GitHubStore = class _GitHubStore {
  /** `owner` of the repository. */
  owner;
  /** `name` of the repository. */
  repo;
  /** The REST API root in use. */
  apiUrl;
  token;
  /** The REST routes the store reads (`github-rest.ts`). */
  api;
  now;
  /** Which workflow runs' artifacts count (see `trust.ts`). */
  trust;
  pullRequest;
  warn;
  retag;
  largeFileBytes;
  archiveMinFiles;
  concurrency;
  log;
  onProgress;
  /** Sets the client's blocks per upload while this store's uploads run. */
  uploadBlocks;
  runMarker;
  /** {@link GitHubStore.findBaseRun}'s answers in this step, by workflow and artifact path. */
  baseRuns = /* @__PURE__ */ new Map();
  /**
   * Run markers this store has written or found present, by run name and workflow run (a
   * digest of the runtime token), so that later uploads of the same run in this step skip it.
   */
  markers = /* @__PURE__ */ new Map();
  /**
   * @throws StoreError `invalid` for a repository not of the form `owner/name`, or an
   *   `uploadBlocks` that is not a positive integer.
   */
  constructor(options) {
    const m = /^([A-Za-z0-9_.-]+)\/([A-Za-z0-9_.-]+)$/.exec(options.repository);
    if (!m) {
      throw new StoreError("invalid", `repository ${JSON.stringify(options.repository)}: expected owner/name`);
    }
    this.owner = m[1];
    this.repo = m[2];
    this.token = options.token;
    this.apiUrl = (options.apiUrl ?? process.env.GITHUB_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, "");
    this.api = new ArtifactsRest({
      token: this.token,
      owner: this.owner,
      repo: this.repo,
      apiUrl: this.apiUrl,
      retries: options.retries ?? 3,
      retryBaseMs: options.retryBaseMs ?? 1e3,
      ...options.writeSpacingMs !== void 0 ? { writeSpacingMs: options.writeSpacingMs } : {},
      pageSize: Math.max(1, Math.min(PAGE_SIZE, options.pageSize ?? PAGE_SIZE)),
      tokenHint: options.tokenHint ?? "check github-token"
    });
    this.now = options.now ?? Date.now;
    this.pullRequest = options.pullRequest === void 0 ? void 0 : checkPullRequest(options.pullRequest);
    this.warn = options.warn ?? ((m2) => process.emitWarning(m2, { code: "DSTACK_UNTRUSTED" }));
    this.retag = { retries: options.retagRetries ?? 4, minTimeout: options.retagRetryMs ?? 500 };
    this.largeFileBytes = options.largeFileBytes ?? DEFAULT_LARGE_FILE_BYTES;
    this.archiveMinFiles = options.archiveMinFiles ?? DEFAULT_ARCHIVE_MIN_FILES;
    this.concurrency = options.concurrency;
    this.log = options.log;
    this.onProgress = options.onProgress;
    this.uploadBlocks = new UploadBlocks(options.uploadBlocks !== void 0 ? { blocks: options.uploadBlocks } : {});
    this.runMarker = options.runMarker;
    this.trust = new TrustedSources({
      ...options.repositoryId !== void 0 ? { repositoryId: options.repositoryId } : {},
      ...options.defaultBranch !== void 0 ? { defaultBranch: options.defaultBranch } : {},
      ...options.runnerWorkflow !== void 0 ? { runnerWorkflow: options.runnerWorkflow } : {},
      ...options.trustedWorkflows ? { trustedWorkflows: options.trustedWorkflows } : {},
      getRepository: () => this.api.getRepository(),
      getRun: (id) => this.api.getRun(id)
    });
  }
  /**
   * A store for a workflow step: `GITHUB_TOKEN` (or `token`), `GITHUB_REPOSITORY` (and its id,
   * `GITHUB_REPOSITORY_ID`, when the repository is that one), `GITHUB_API_URL` (else derived from
   * `GITHUB_SERVER_URL`: `https://api.<sub>.ghe.com` for `<sub>.ghe.com`).
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
    const envId = Number(env.GITHUB_REPOSITORY_ID ?? "");
    const sameRepository = repository === env.GITHUB_REPOSITORY;
    return new _GitHubStore({
      ...sameRepository && Number.isSafeInteger(envId) && envId > 0 ? { repositoryId: envId } : {},
      ...overrides,
      token,
      repository,
      apiUrl: overrides.apiUrl ?? env.GITHUB_API_URL ?? (env.GITHUB_SERVER_URL ? apiUrlForServer(env.GITHUB_SERVER_URL) : DEFAULT_API_URL)
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
   *   that artifact path of that run as the same kind (zip or archive; when one of each is
   *   there, the newer is the artifact path), `io` when the upload fails.
   */
  async upload(options) {
    const runName = checkArtifactRunName(options.runName);
    const artifactPath = checkArtifactPath(options.artifactPath);
    const name = dataArtifactName(runName, artifactPath);
    if (options.tag !== void 0)
      this.tagToWrite(options.tag);
    const level = options.compressionLevel ?? "auto";
    if (level !== "auto" && !(Number.isInteger(level) && level >= 0 && level <= 9)) {
      throw new StoreError("invalid", `compressionLevel ${JSON.stringify(level)}: expected an integer 0 (store) to 9, or "auto"`);
    }
    const localPath = path2.resolve(options.localPath);
    const st = await fsp3.stat(localPath).catch(() => void 0);
    if (st === void 0) {
      throw new StoreError("not-found", `${localPath}: no such file or folder to upload`);
    }
    const root = st.isDirectory() ? localPath : path2.dirname(localPath);
    const nodes = st.isDirectory() ? await scanTree(localPath, localPath) : [{ rel: path2.basename(localPath), kind: "file", bytes: st.size }];
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
      const target = await fsp3.stat(path2.join(root, n.rel)).catch(() => void 0);
      if (target === void 0 || !target.isFile()) {
        throw new StoreError("invalid", `${localPath}/${n.rel}: a symbolic link to ${target === void 0 ? "nothing (a broken link)" : "a folder"}; GitHub artifacts hold files, so upload the folder it points at instead, or remove the link`);
      }
    }
    const stats = treeStats(files);
    const large = [];
    const zipped = [];
    for (const n of files) {
      const abs = path2.join(root, n.rel);
      const bytes = n.kind === "link" ? (await fsp3.stat(abs)).size : n.bytes;
      const store = bytes >= this.largeFileBytes && (level === 0 || level === "auto" && (await chooseCompressionLevel([abs])).level === 0);
      if (store) {
        large.push({ abs, artifactPath: checkArtifactPath(`${artifactPath}/${n.rel}`), bytes });
      } else {
        zipped.push({ abs, rel: n.rel, bytes });
      }
    }
    const archived = zipped.length > 0 && zipped.length >= this.archiveMinFiles && !zipped.some((f) => f.rel === ARCHIVE_MANIFEST);
    const picked = zipped.length === 0 ? { level: 0, reason: "every file is uploaded as it is, without a zip" } : level === "auto" ? await chooseCompressionLevel(zipped.map((f) => f.abs), { together: archived, sizes: zipped.map((f) => f.bytes) }) : { level, reason: "given" };
    const chosen = archived ? {
      level: picked.level,
      reason: `${picked.reason}; ${zipped.length} files packed into one ${picked.level > 0 ? `tar.gz (gzip level ${picked.level})` : "tar"}`
    } : picked;
    const { DefaultArtifactClient } = await loadClient(`upload of ${name}`);
    const client = new DefaultArtifactClient();
    const retention = options.retentionDays !== void 0 ? { retentionDays: options.retentionDays } : {};
    const uploadOptions = { ...retention, compressionLevel: chosen.level };
    const fileNames = large.map((f) => fileArtifactName(runName, f.artifactPath));
    const zipIndex = large.length;
    const meter = new TransferMeter({
      direction: "upload",
      what: artifactPath,
      sizes: [
        ...large.map((f) => f.bytes),
        ...zipped.length > 0 ? [zipped.reduce((sum, f) => sum + f.bytes, 0)] : []
      ],
      ...this.progressListener()
    });
    meter.begin();
    const quiet = () => void 0;
    const [zipDone, filesDone, markerDone] = await withUploadTap(this.uploadBlocks, (tap) => Promise.allSettled([
      zipped.length > 0 ? tap.track(quiet, () => archived ? uploadArchive(client, {
        name: archiveArtifactName(runName, artifactPath, { gzip: chosen.level > 0 }),
        files: zipped,
        gzipLevel: chosen.level,
        retention
      }) : uploadWith(client, name, zipped.map((f) => f.abs), root, uploadOptions)).then((up) => {
        meter.finish(zipIndex);
        return up;
      }) : void 0,
      settleLimited(large, this.concurrency ?? transferConcurrency({ items: large.length }), async (f, i) => {
        const fileName = fileNames[i];
        const up = await withStagedName(f.abs, fileName, (staged, dir) => tap.track((bytes) => meter.update(i, bytes), () => uploadWith(client, fileName, [staged], dir, { ...retention, skipArchive: true })));
        meter.finish(i);
        return { ...up, artifactPath: f.artifactPath };
      }),
      tap.track(quiet, () => this.ensureMarker(client, runName, retention))
    ]));
    for (const done of [zipDone, filesDone, markerDone]) {
      if (done.status === "rejected")
        throw done.reason;
    }
    const zip = zipDone.value;
    const fileArtifacts = filesDone.value;
    const main = zip ?? fileArtifacts[0];
    const result = {
      runName,
      artifactPath,
      name: main.name,
      id: main.id,
      digest: main.digest,
      size: main.size,
      files: stats.files,
      bytes: stats.bytes,
      compressionLevel: chosen.level,
      compressionReason: chosen.reason,
      skippedHidden,
      fileArtifacts
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
   * this workflow run's earlier one). Across workflow runs the newest trusted tagging wins. With
   * {@link GitHubStoreOptions.pullRequest} the tag is written as `pr-<n>.<tag>`.
   *
   * Re-tagging in the same workflow run deletes the older tag artifact first; GitHub may refuse
   * the freed name with 409 for a moment after that, so that upload is retried
   * ({@link GitHubStoreOptions.retagRetries}, doubling waits; p-retry).
   *
   * @returns the tag artifact, and the tag as written (`pr-12.best` for `best` in pull request 12).
   * @throws StoreError `invalid` for a bad tag or run name, or a tag in the reserved `pr-<n>.`
   *   namespace; {@link GitHubStoreError} `duplicate` when the 409 outlasts the retries; `io`
   *   when the upload fails.
   */
  async setTag(options) {
    const tag = this.tagToWrite(options.tag);
    const tagName = tagArtifactName(tag);
    const runName = checkArtifactRunName(options.runName);
    const { DefaultArtifactClient } = await loadClient(`tag ${JSON.stringify(tag)}`);
    const client = new DefaultArtifactClient();
    const existing = await client.getArtifact(tagName).catch(() => void 0);
    if (existing !== void 0)
      await client.deleteArtifact(tagName);
    const record = {
      version: 1,
      tag,
      runName,
      ...options.workflowRunId !== void 0 ? { workflowRunId: options.workflowRunId } : {},
      ...this.pullRequest !== void 0 ? { pullRequest: this.pullRequest } : {}
    };
    const retention = options.retentionDays !== void 0 ? { retentionDays: options.retentionDays } : {};
    const uploaded = await pRetry(() => uploadJson(client, tagName, TAG_FILE, record, retention), {
      // Only a 409 right after our own delete is worth waiting out.
      retries: existing !== void 0 ? this.retag.retries : 0,
      minTimeout: this.retag.minTimeout,
      factor: 2,
      randomize: false,
      shouldRetry: ({ error }) => error instanceof GitHubStoreError && error.reason === "duplicate"
    }).catch((e) => {
      if (existing !== void 0 && e instanceof GitHubStoreError && e.reason === "duplicate") {
        throw new GitHubStoreError("io", "duplicate", `tag ${JSON.stringify(tag)}: GitHub still refuses the name ${tagName} (409) after this workflow run deleted its older tag artifact, through ${this.retag.retries} retries; set the tag again later`, { cause: e });
      }
      throw e;
    });
    return { ...uploaded, tag };
  }
  /**
   * The repository's tags, each resolved as {@link GitHubStore.resolveTag} does (the newest
   * unexpired tagging from a trusted workflow run): every `dstack-tag--*` artifact listed by
   * `GET /repos/{o}/{r}/actions/artifacts` (all pages), then one resolution per tag name. Tags
   * with no live trusted tagging are left out (the store's warning names skipped artifacts).
   *
   * @returns `[{ tag, runName, createdAt, taggedBy }]`, by tag name; `taggedBy` is the workflow
   *   run that wrote the tag (its title and actor from the answer the trust rules read: no
   *   request of its own).
   * @throws {@link GitHubStoreError} `permission` / `unauthorized` / `unreachable` from GitHub.
   */
  async listTags() {
    const names = new Set((await this.api.listAll()).filter((a) => a.name.startsWith(TAG_ARTIFACT_PREFIX) && this.isLive(a)).map((a) => a.name.slice(TAG_ARTIFACT_PREFIX.length)));
    const tags = [];
    for (const tag of [...names].sort()) {
      try {
        const resolved = await this.resolveTag(tag);
        tags.push({
          tag,
          runName: resolved.runName,
          createdAt: resolved.createdAt,
          ...resolved.taggedBy !== void 0 ? { taggedBy: resolved.taggedBy } : {}
        });
      } catch (e) {
        if (!(e instanceof StoreError && (e.code === "not-found" || e.code === "invalid")))
          throw e;
      }
    }
    return tags;
  }
  /**
   * Deletes a tag: every `dstack-tag--<tag>` artifact of the repository, whichever workflow run
   * wrote it (`DELETE /repos/{o}/{r}/actions/artifacts/{id}`; the token needs `actions: write`).
   * The runs and their artifacts stay.
   *
   * @returns how many tag artifacts were deleted.
   * @throws StoreError `invalid` for a bad tag or one in the reserved `pr-<n>.` namespace (a pull
   *   request's runs own those); {@link GitHubStoreError} `not-found` when no artifact has that
   *   name, `permission` (naming `actions: write`) / `unauthorized` / `unreachable`.
   */
  async deleteTag(tag) {
    const written = this.tagToWrite(tag);
    const name = tagArtifactName(written);
    const found = (await this.api.listNamed(name)).filter((a) => a.name === name);
    if (found.length === 0) {
      throw new GitHubStoreError("not-found", "api", `no tag ${JSON.stringify(written)} in ${this.owner}/${this.repo}: no workflow run has an artifact named ${name}`);
    }
    for (const a of found)
      await this.api.deleteArtifact(a.id);
    return found.length;
  }
  /**
   * The tag this store writes for `tag`: itself, or `pr-<n>.<tag>` in a pull request's store.
   *
   * @throws StoreError `invalid` for a bad tag, or one in the reserved `pr-<n>.` namespace.
   */
  tagToWrite(tag) {
    checkArtifactTag(tag);
    if (pullRequestOfTag(tag) !== void 0) {
      throw new StoreError("invalid", `tag ${JSON.stringify(tag)}: names starting with pr-<number>. are the tags of pull requests' runs, written only by their own runs; choose another tag`);
    }
    return this.pullRequest === void 0 ? tag : checkArtifactTag(pullRequestTag(tag, this.pullRequest));
  }
  /**
   * Uploads `dstack-run--<run>` unless this workflow run already has it: GitHub refuses a second
   * artifact of the same name in a workflow run, so the upload is simply tried (one round trip
   * fewer than asking first), once per store, run name and runtime token (a step's token names
   * its workflow run and stays the same for the step; a different token is tried again).
   */
  ensureMarker(client, runName, uploadOptions) {
    const marker = runArtifactName(runName);
    const workflowRun = createHash2("sha256").update(process.env.ACTIONS_RUNTIME_TOKEN ?? "").digest("hex");
    const key = `${marker}\0${workflowRun}`;
    let made = this.markers.get(key);
    if (made === void 0) {
      made = (async () => {
        try {
          const record = { version: 1, runName, ...this.runMarker };
          await uploadJson(client, marker, RUN_FILE, record, uploadOptions);
        } catch (e) {
          if (!(e instanceof GitHubStoreError && e.reason === "duplicate"))
            throw e;
        }
      })();
      this.markers.set(key, made);
      made.catch(() => this.markers.delete(key));
    }
    return made;
  }
  /**
   * The run a tag points at: the newest unexpired `dstack-tag--<tag>` artifact of a trusted
   * workflow run of the repository (by `created_at`, then id; `trust.ts`), read and
   * digest-checked. A `pr-<n>.<tag>` tag must also have been written by a store of pull request n.
   *
   * @throws StoreError `invalid` for a malformed tag; {@link GitHubStoreError} `not-found`
   *   naming the tag when there is none, `expired` (saying when) when all have expired,
   *   `untrusted` (naming each skipped artifact and why) when none is from a trusted run;
   *   `permission` / `unreachable` / `io` from GitHub.
   */
  async resolveTag(tag) {
    const name = tagArtifactName(tag);
    const { found, skipped } = await this.newestLive(name, `tag ${JSON.stringify(tag)}`);
    const workflowRunId = found.workflow_run?.id;
    if (workflowRunId === void 0) {
      throw new GitHubStoreError("io", "api", `tag ${JSON.stringify(tag)}: GitHub lists artifact ${name} (id ${found.id}) without its workflow run`);
    }
    const record = await this.readJson(found, TAG_FILE);
    const runName = record.runName;
    if (typeof runName !== "string" || !isValidName(runName)) {
      throw new GitHubStoreError("io", "api", `tag ${JSON.stringify(tag)}: artifact ${name} (id ${found.id}) does not name a run`);
    }
    const pullRequest = pullRequestOfTag(tag);
    if (pullRequest !== void 0 && record.pullRequest !== pullRequest) {
      throw new GitHubStoreError("not-found", "untrusted", `tag ${JSON.stringify(tag)}: artifact ${name} (id ${found.id}, workflow run ${workflowRunId}) was not written by a run of pull request ${pullRequest}, so it is not used`);
    }
    const maker = await this.trust.run(workflowRunId);
    const taggedBy = {
      workflowRunId,
      ...maker?.title !== void 0 ? { title: maker.title } : {},
      ...maker?.actor !== void 0 ? { actor: maker.actor } : {}
    };
    return {
      runName,
      workflowRunId: await this.dataRunOfTag(tag, record, workflowRunId),
      tag,
      artifactId: found.id,
      skipped,
      createdAt: found.created_at ?? "",
      expiresAt: found.expires_at,
      taggedBy
    };
  }
  /**
   * The workflow run holding the artifacts of a tag's run: the tag's own workflow run, or, for a
   * tag written by {@link GitHubStore.tagRun} in another workflow run, the one its record names
   * (`workflowRunId`), judged by the trust rules again when read.
   *
   * @throws {@link GitHubStoreError} `io` for a record naming no workflow run id, `untrusted`
   *   when the named workflow run is not a trusted source.
   */
  async dataRunOfTag(tag, record, tagRunId) {
    const named = record.workflowRunId;
    if (named === void 0 || named === tagRunId)
      return tagRunId;
    if (typeof named !== "number" || !Number.isSafeInteger(named) || named < 1) {
      throw new GitHubStoreError("io", "api", `tag ${JSON.stringify(tag)}: its record names workflow run ${JSON.stringify(named)}, not a workflow run id; expected workflowRunId to be a positive integer`);
    }
    const verdict = await this.trust.judge({ id: 0, workflow_run: { id: named } });
    if (!verdict.trusted) {
      throw new GitHubStoreError("not-found", "untrusted", `tag ${JSON.stringify(tag)} points at workflow run ${named}, which is not a trusted source (${verdict.reason}: ${verdict.detail}); ${this.trust.describeRules()}`);
    }
    return named;
  }
  /**
   * The workflow run holding a dstack run: the newest unexpired `dstack-run--<run-name>` of a
   * trusted workflow run (`trust.ts`).
   *
   * @throws StoreError `invalid`; {@link GitHubStoreError} `not-found` / `expired` /
   *   `untrusted` naming the run.
   */
  async resolveRun(runName) {
    return (await this.findRunMarker(runName)).resolved;
  }
  /** {@link GitHubStore.resolveRun}, with the run marker artifact that was found. */
  async findRunMarker(runName) {
    const name = runArtifactName(runName);
    const { found, skipped } = await this.newestLive(name, `run ${JSON.stringify(runName)}`);
    const workflowRunId = found.workflow_run?.id;
    if (workflowRunId === void 0) {
      throw new GitHubStoreError("io", "api", `run ${JSON.stringify(runName)}: GitHub lists artifact ${name} (id ${found.id}) without its workflow run`);
    }
    return {
      resolved: {
        runName,
        workflowRunId,
        artifactId: found.id,
        skipped,
        createdAt: found.created_at ?? "",
        expiresAt: found.expires_at
      },
      marker: found
    };
  }
  /**
   * Points a shared tag at a run that another workflow run made, from the current workflow run
   * (the runner workflow's tag-only mode: `dstack tags add TAG RUN --remote`): the run is
   * resolved as {@link GitHubStore.resolveRun} does (a trusted workflow run's newest marker) and
   * its marker read; a run whose marker says it ran code not reviewed on the default branch
   * (`untrusted: true`, or a pull request's number) is refused, so a shared tag never points at a
   * pull request's artifacts. Then {@link GitHubStore.setTag}, with the record naming the
   * workflow run that holds the run's artifacts (`workflowRunId`), where
   * {@link GitHubStore.resolveTag} reads them.
   *
   * @returns the run as resolved, the tag artifact, and the run the tag pointed at before
   *   (`previous`: none when it had no live trusted tagging).
   * @throws StoreError `invalid` for a bad tag or run name or a reserved `pr-<n>.` tag;
   *   {@link GitHubStoreError} `not-found` (no such run), `expired`, `untrusted` (no trusted
   *   marker, or the marker of untrusted code), and `setTag`'s errors.
   */
  async tagRun(options) {
    this.tagToWrite(options.tag);
    const runName = checkArtifactRunName(options.runName);
    const { resolved, marker } = await this.findRunMarker(runName);
    const record = await this.readJson(marker, RUN_FILE);
    if (record.untrusted === true || record.pullRequest !== void 0) {
      const why = typeof record.pullRequest === "number" ? `pull request #${record.pullRequest}'s code (its runs tag it as ${pullRequestTag(options.tag, record.pullRequest)})` : "code not reviewed on the default branch";
      throw new GitHubStoreError("invalid", "untrusted", `run ${JSON.stringify(runName)} (workflow run ${resolved.workflowRunId}) ran ${why}; a shared tag never points at it, so tag ${JSON.stringify(options.tag)} was not set`);
    }
    const previous = await this.resolveTag(options.tag).then((r) => r.runName, (e) => {
      if (e instanceof StoreError)
        return void 0;
      throw e;
    });
    const tag = await this.setTag({
      tag: options.tag,
      runName,
      workflowRunId: resolved.workflowRunId,
      ...options.retentionDays !== void 0 ? { retentionDays: options.retentionDays } : {}
    });
    return { resolved, tag, ...previous !== void 0 ? { previous } : {} };
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
    const all = await this.api.listOfRun(resolved.workflowRunId);
    const listed = all.filter((a) => this.isLive(a)).flatMap((a) => {
      const parsed = parseRunArtifactName(a.name, resolved.runName);
      if (parsed === void 0)
        return [];
      return [
        {
          ...parsed,
          name: a.name,
          id: a.id,
          digest: a.digest ?? null,
          size: a.size_in_bytes,
          expiresAt: a.expires_at
        }
      ];
    });
    const folders = /* @__PURE__ */ new Map();
    for (const a of listed) {
      if (a.kind === "file")
        continue;
      const other = folders.get(a.artifactPath);
      if (other === void 0 || other.id < a.id)
        folders.set(a.artifactPath, a);
    }
    return listed.filter((a) => a.kind === "file" || folders.get(a.artifactPath) === a).sort((a, b) => a.artifactPath < b.artifactPath ? -1 : 1);
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
    const localPath = path2.resolve(options.localPath);
    checkArtifactsService(process.env.GITHUB_SERVER_URL, `download of ${refText(ref)}`);
    const clientApiUrl = (process.env.GITHUB_API_URL ?? DEFAULT_API_URL).replace(/\/+$/, "");
    if (clientApiUrl !== this.apiUrl) {
      throw new StoreError("invalid", `the artifact client downloads through GITHUB_API_URL=${clientApiUrl}, but this store uses ${this.apiUrl}; set GITHUB_API_URL to the same API`);
    }
    const resolved = options.from ?? await this.resolveRef(ref);
    const what = resolved.tag !== void 0 ? `tag ${JSON.stringify(resolved.tag)} (run ${resolved.runName})` : `run ${JSON.stringify(resolved.runName)}`;
    const all = await this.listRunArtifacts(resolved);
    const chosen = all.filter((a) => want === "" || a.artifactPath === want || want.startsWith(`${a.artifactPath}/`) || a.artifactPath.startsWith(`${want}/`));
    if (chosen.length === 0) {
      const have = all.map((a) => a.artifactPath).join(", ") || "none";
      throw new StoreError("not-found", `${what} has no artifact path ${JSON.stringify(want)} (workflow run ${resolved.workflowRunId}; it has: ${have})`);
    }
    const parent = path2.dirname(localPath);
    try {
      await fsp3.mkdir(parent, { recursive: true });
    } catch (e) {
      throw ioError(`cannot create ${parent}`, e);
    }
    const staging = path2.join(parent, tempName(path2.basename(localPath), "download"));
    try {
      await fsp3.mkdir(staging);
      const { DefaultArtifactClient } = await loadClient(`download of ${what}`);
      const client = new DefaultArtifactClient();
      const unpacked = { files: 0, bytes: 0 };
      const meter = new TransferMeter({
        direction: "download",
        what,
        sizes: chosen.map((a) => a.size),
        ...this.progressListener()
      });
      meter.begin();
      await settleLimited(chosen, this.concurrency ?? transferConcurrency({ items: chosen.length, max: 8, least: 4 }), async (a, i) => {
        const dest = path2.join(staging, "all", a.artifactPath);
        if (a.kind === "zip") {
          await this.downloadOne(client, a, dest, what);
        } else if (a.kind === "archive") {
          const raw = path2.join(staging, `archive-${i}`);
          await this.downloadOne(client, a, raw, what, { skipDecompress: true });
          const archive = path2.join(staging, `archive-${i}.tar`);
          await moveSingleFile(raw, archive);
          const inside = want.startsWith(`${a.artifactPath}/`) ? { only: want.slice(a.artifactPath.length + 1) } : {};
          const got = await unpackArchive({
            archive,
            gzip: a.name.endsWith(ARCHIVE_SUFFIXES.gzip),
            dest,
            label: `artifact ${a.name} (id ${a.id}) of ${what}`,
            ...inside
          });
          await fsp3.rm(archive, { force: true });
          unpacked.files += got.files;
          unpacked.bytes += got.bytes;
        } else {
          const raw = path2.join(staging, `file-${i}`);
          const stop = watchBytes(raw, (bytes2) => meter.update(i, bytes2));
          try {
            await this.downloadOne(client, a, raw, what, { skipDecompress: true });
          } finally {
            stop();
          }
          await moveSingleFile(raw, dest);
        }
        meter.finish(i);
      });
      const picked = want === "" ? path2.join(staging, "all") : path2.join(staging, "all", want);
      const st = await fsp3.lstat(picked).catch(() => void 0);
      if (st === void 0) {
        throw new StoreError("not-found", `${what}: no ${JSON.stringify(want)} inside artifact ${chosen.map((a) => a.artifactPath).join(", ")}`);
      }
      let source = picked;
      if (!st.isDirectory()) {
        source = path2.join(staging, "file");
        await fsp3.mkdir(source);
        await fsp3.rename(picked, path2.join(source, path2.basename(picked)));
      }
      const { files, bytes } = chosen.every((a) => a.kind === "archive") ? unpacked : treeStats(await scanTree(source, source));
      await fsp3.mkdir(localPath, { recursive: true });
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
      await fsp3.rm(staging, { recursive: true, force: true }).catch(() => void 0);
    }
  }
  /**
   * The base run of a pull request's run: the latest successful run of `workflow` on the default
   * branch by the runner workflow, of trusted code, that holds `artifactPath` (default
   * `metrics`); undefined when none (see `base-run.ts`). Answers are kept for this store's life
   * (one step).
   *
   * @throws {@link GitHubStoreError} `permission` / `unreachable` / `io` from GitHub.
   */
  findBaseRun(options) {
    const key = JSON.stringify([
      options.workflow,
      options.artifactPath ?? "",
      options.excludeRunName ?? ""
    ]);
    let found = this.baseRuns.get(key);
    if (found === void 0) {
      found = findBaseRun({
        runnerWorkflow: this.trust.trustedWorkflows[0],
        repositoryId: () => this.trust.repositoryId(),
        defaultBranch: () => this.trust.defaultBranch(),
        listSuccessfulRuns: (o) => this.api.listSuccessfulRuns(o),
        listOfRun: (id) => this.api.listOfRun(id),
        isLive: (a) => this.isLive(a),
        readMarker: (a) => this.readJson(a, RUN_FILE)
      }, options);
      this.baseRuns.set(key, found);
    }
    return found;
  }
  /**
   * The `metrics:` directions a run's marker records (the job it ran; see `base-run.ts`): the
   * newest unexpired `dstack-run--<run>` of the workflow run holding the run (a
   * {@link GitHubStore.resolveRef} or {@link GitHubStore.downloadArtifacts} answer), read and
   * validated by `markerMetrics`. The marker comes from a workflow run, so it is data: one larger
   * than {@link RUN_MARKER_MAX_BYTES}, not JSON, or recording directions that are not valid gives
   * `undefined` and a warning, never an error.
   *
   * @returns the directions (`{}` for a job without `metrics:`), or `undefined` when the marker
   *   records none (written before markers recorded them, or by a store without a job) or is
   *   ignored.
   * @throws {@link GitHubStoreError} `permission` / `unreachable` / `io` from GitHub.
   */
  async recordedMetrics(resolved) {
    const name = runArtifactName(checkArtifactRunName(resolved.runName));
    const marker = (await this.api.listOfRun(resolved.workflowRunId)).filter((a) => a.name === name && this.isLive(a)).sort(newestArtifactFirst)[0];
    if (marker === void 0)
      return void 0;
    const ignored = (why) => {
      this.warn(`run ${JSON.stringify(resolved.runName)}: its marker ${name} (id ${marker.id}, workflow run ${resolved.workflowRunId}) ${why}; its recorded metric directions are ignored`);
      return void 0;
    };
    if (marker.size_in_bytes > RUN_MARKER_MAX_BYTES) {
      return ignored(`is ${marker.size_in_bytes} bytes, more than ${RUN_MARKER_MAX_BYTES}`);
    }
    const parsed = parseRecord(await this.readText(marker, RUN_FILE));
    if ("problem" in parsed)
      return ignored(parsed.problem);
    const metrics = markerMetrics(parsed.record);
    if (metrics === void 0)
      return void 0;
    if ("problem" in metrics)
      return ignored(`is not valid: ${metrics.problem}`);
    return metrics.directions;
  }
  /**
   * The listener of one transfer's progress: {@link GitHubStoreOptions.onProgress} and lines
   * for {@link GitHubStoreOptions.log}, or nothing when neither is set.
   */
  progressListener() {
    const lines = this.log !== void 0 ? progressLines({ log: this.log }) : void 0;
    const given = this.onProgress;
    if (lines === void 0 && given === void 0)
      return {};
    return {
      onProgress: (event) => {
        given?.(event);
        lines?.(event);
      }
    };
  }
  /**
   * Downloads one artifact into `dest` through the client and checks its digest
   * (`skipDecompress`: a single-file artifact, written as it is).
   */
  async downloadOne(client, a, dest, what, options = {}) {
    const which = a.kind === "file" && a.artifactPath !== void 0 ? `file ${a.artifactPath} (artifact ${a.name}, id ${a.id})` : `artifact ${a.name} (id ${a.id})`;
    if (a.digest === null || !/^sha256:[0-9a-f]{64}$/.test(a.digest)) {
      throw new GitHubStoreError("io", "digest-mismatch", `${which} of ${what} has no sha256 digest on GitHub, so it cannot be verified; upload it again`);
    }
    await fsp3.mkdir(dest, { recursive: true });
    let result;
    try {
      result = await client.downloadArtifact(a.id, {
        path: dest,
        expectedHash: a.digest,
        ...options.skipDecompress ? { skipDecompress: true } : {},
        findBy: {
          token: this.token,
          repositoryOwner: this.owner,
          repositoryName: this.repo,
          workflowRunId: 0
        }
      });
    } catch (e) {
      throw this.api.error(`download ${which} of ${what}`, e);
    }
    if (result.digestMismatch) {
      throw new GitHubStoreError("io", "digest-mismatch", `${which} of ${what}: the download does not match its digest ${a.digest}; it is corrupted or was changed, nothing was written`);
    }
  }
  /**
   * Downloads a small record artifact (a tag, a run marker) and reads its one file, `file`.
   *
   * @returns the file's text.
   * @throws {@link GitHubStoreError} `io` when the artifact does not hold `file`, and the
   *   download's errors.
   */
  async readText(a, file) {
    const dir = await fsp3.mkdtemp(path2.join(os.tmpdir(), "dstack-tag-"));
    try {
      const { DefaultArtifactClient } = await loadClient(`download of ${a.name}`);
      await this.downloadOne(new DefaultArtifactClient(), { id: a.id, name: a.name, digest: a.digest ?? null }, dir, `artifact ${a.name}`);
      return await fsp3.readFile(path2.join(dir, file), "utf8").catch((e) => {
        throw new GitHubStoreError("io", "api", `artifact ${a.name} (id ${a.id}) holds no ${file}`, {
          cause: e
        });
      });
    } finally {
      await fsp3.rm(dir, { recursive: true, force: true });
    }
  }
  /**
   * {@link GitHubStore.readText}, parsed: the record a tag or run marker holds.
   *
   * @returns the file's JSON object.
   * @throws {@link GitHubStoreError} `io` when the file is not a JSON object (it comes from a
   *   workflow run: data, never trusted to have a shape), and {@link GitHubStore.readText}'s.
   */
  async readJson(a, file) {
    const parsed = parseRecord(await this.readText(a, file));
    if ("problem" in parsed) {
      throw new GitHubStoreError("io", "api", `artifact ${a.name} (id ${a.id}): its ${file} ${parsed.problem}; expected a JSON object`);
    }
    return parsed.record;
  }
  isLive(a) {
    return !a.expired && (a.expires_at === null || Date.parse(a.expires_at) > this.now());
  }
  /**
   * The newest unexpired artifact of an exact name from a trusted workflow run (`trust.ts`), and
   * the newer ones skipped as untrusted (named in one warning).
   */
  async newestLive(name, what) {
    const found = await this.api.listNamed(name);
    const exact = found.filter((a) => a.name === name);
    const live = exact.filter((a) => this.isLive(a)).sort(newestArtifactFirst);
    if (live.length > 0) {
      const { artifact, skipped } = await this.trust.pick(live);
      if (artifact === void 0) {
        throw new GitHubStoreError("not-found", "untrusted", `no trusted ${what} in ${this.owner}/${this.repo}: all ${skipped.length} artifacts named ${name} come from untrusted workflow runs and were skipped (${describeSkipped(skipped)}); ${this.trust.describeRules()}`);
      }
      if (skipped.length > 0) {
        this.warn(`${what}: skipped ${skipped.length} newer artifact${skipped.length === 1 ? "" : "s"} named ${name} from untrusted workflow runs (${describeSkipped(skipped)}); using artifact ${artifact.id} of workflow run ${artifact.workflow_run?.id}`);
      }
      return { found: artifact, skipped };
    }
    if (exact.length === 0) {
      throw new GitHubStoreError("not-found", "api", `no ${what} in ${this.owner}/${this.repo}: no workflow run has an artifact named ${name}`);
    }
    const lastExpiry = exact.map((a) => a.expires_at ?? "").sort().at(-1);
    const newest = exact.sort(newestArtifactFirst)[0];
    const days = newest.created_at && newest.expires_at ? Math.round((Date.parse(newest.expires_at) - Date.parse(newest.created_at)) / DAY_MS) : void 0;
    throw new GitHubStoreError("not-found", "expired", `${what} expired on ${lastExpiry || "an unknown date"}: its newest artifact ${name} (id ${newest.id}, workflow run ${newest.workflow_run?.id ?? "?"}${days !== void 0 ? `, kept ${days} days` : ""}) is gone; upload it again`);
  }
};
async function loadClient(what) {
  checkArtifactsService(process.env.GITHUB_SERVER_URL, what);
  return await import("./artifact-2SRGXWT7.js");
}
function refText(ref) {
  return "tag" in ref ? `tag ${JSON.stringify(ref.tag)}` : `run ${JSON.stringify(ref.run)}`;
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
async function uploadArchive(client, options) {
  const dir = await fsp3.mkdtemp(path2.join(os.tmpdir(), "dstack-tar-"));
  try {
    const file = path2.join(dir, options.name);
    await packArchive({ files: options.files, dest: file, gzipLevel: options.gzipLevel });
    return await uploadWith(client, options.name, [file], dir, {
      ...options.retention,
      skipArchive: true
    });
  } finally {
    await fsp3.rm(dir, { recursive: true, force: true });
  }
}
async function uploadJson(client, name, file, value, options) {
  const dir = await fsp3.mkdtemp(path2.join(os.tmpdir(), "dstack-meta-"));
  try {
    const full = path2.join(dir, file);
    await fsp3.writeFile(full, `${JSON.stringify(value)}
`);
    return await uploadWith(client, name, [full], dir, options);
  } finally {
    await fsp3.rm(dir, { recursive: true, force: true });
  }
}
function parseRecord(text) {
  let value;
  try {
    value = JSON.parse(text);
  } catch (e) {
    return { problem: `is not JSON (${e.message})` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    const kind = value === null ? "null" : Array.isArray(value) ? "an array" : typeof value;
    return { problem: `is ${kind}, not an object` };
  }
  return { record: value };
}

export {
  GitHubStoreError,
  GitHubStore
};
