/**
 * The bridge between a running job and its artifact store: a Unix domain socket that the
 * `dstack` Python module (`from dstack import artifacts`) talks to, so the same script works
 * under `dstack run` here and under `dstack/run-python` on a runner.
 *
 * Protocol: one request per connection, newline-delimited JSON. The client sends
 * `{"op": "upload" | "download", ...arguments, "cwd": "<the job's working folder>"}` and a
 * newline; the bridge answers `{"ok": true, ...}` or `{"ok": false, "error": "<one line>"}` and a
 * newline, then closes the connection. Requests:
 *
 * - `upload`: `local_path` (string, relative to `cwd` or absolute), `artifact_path` (string or
 *   null), `tag` (string or null). Without a tag the files become artifacts of the bridge's run;
 *   with one, a new run (workflow `null`, status `done`, `parentRun` the bridge's run) holds them
 *   and the tag is set (or moved) to it. Answer: `run`, `artifact_path`, `files`, `bytes`, and
 *   `tag`, `previous` (the run the tag pointed at before) for a tagged upload.
 * - `download`: exactly one of `run` and `tag`; `artifact_path` (default `""`: all);
 *   `local_path` (default `"."`, relative to `cwd`). Answer: `run`, `files`, `bytes`,
 *   `local_path` (absolute).
 *
 * Artifact paths must stay relative (`../x` and `/x` are refused); local paths are the job's
 * own business and may be anywhere it can write.
 *
 * @module
 */
import { randomBytes } from "node:crypto";
import * as fsp from "node:fs/promises";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { StoreError } from "./errors.js";
import { checkArtifactPath, isValidName } from "./names.js";
import type { ArtifactStore, DownloadArtifactsResult, RunRef } from "./types.js";

/**
 * A remote store the bridge sends the job's uploads and downloads to instead of the local store:
 * on a runner, the GitHub store (`GitHubStore` of `@dstack/artifacts/github` has this shape), so
 * `artifacts.download(tag=...)` finds tags set by other workflow runs.
 */
export interface RemoteArtifacts {
  /** Uploads a folder or file as `artifactPath` of `runName`, pointing `tag` at the run if given. */
  upload(options: {
    runName: string;
    localPath: string;
    artifactPath: string;
    tag?: string;
  }): Promise<{ runName: string; artifactPath: string; files: number; bytes: number }>;
  /** Downloads a run's or a tag's artifacts (or one artifact path) into `localPath`. */
  downloadArtifacts(
    ref: RunRef,
    options: { artifactPath?: string; localPath: string },
  ): Promise<DownloadArtifactsResult>;
}

/** The environment variable that names the socket, read by the Python module. */
export const ARTIFACTS_SOCKET_ENV = "DSTACK_ARTIFACTS_SOCKET";

/** Longest socket path in bytes: `sun_path` is 108 bytes on Linux and 104 on macOS, with a NUL. */
export const MAX_SOCKET_PATH_BYTES = 103;

/** A request longer than this (bytes) is refused. */
const MAX_REQUEST_BYTES = 1 << 20;

/** Options of {@link startArtifactsBridge}. */
export interface ArtifactsBridgeOptions {
  /** The store that holds the run (the local store). */
  store: ArtifactStore;
  /**
   * Where uploads and downloads go instead of `store` (the GitHub store on a runner). A tagged
   * upload then goes to a run of its own, `<run>-<tag>-<n>` (n counts this bridge's taggings),
   * so the tag points at exactly the uploaded files, as in the local store.
   */
  remote?: RemoteArtifacts;
  /** The run whose job talks to the bridge: `upload` without a tag adds to its artifacts. */
  runName: string;
  /**
   * Where to make the private socket folder; default `os.tmpdir()`. Keep it short: the socket
   * path must fit in {@link MAX_SOCKET_PATH_BYTES} bytes.
   */
  socketDir?: string;
  /**
   * Called after the job's upload pointed a tag at a run (`artifacts.upload(..., tag=...)`): the
   * tag, the run it now points at and, in the local store, the run it pointed at before. The
   * executor writes it into the run's log.
   */
  onTag?: (event: { tag: string; run: string; previous?: string }) => void;
}

/** A running bridge. */
export interface ArtifactsBridge {
  /** The socket's path (absolute), inside a folder only this user can enter (mode 0700). */
  socketPath: string;
  /** What to add to the job's environment: `{ DSTACK_ARTIFACTS_SOCKET: socketPath }`. */
  env: Record<string, string>;
  /**
   * Stops accepting connections, lets requests being handled finish, drops idle connections
   * and removes the socket folder. Calling it again does nothing.
   */
  close(): Promise<void>;
}

type Request = Record<string, unknown>;
type Reply = { ok: true; [key: string]: unknown } | { ok: false; error: string };

/** A string field of a request; `undefined` and `null` give `undefined`. */
function optionalString(req: Request, key: string): string | undefined {
  const v = req[key];
  if (v === undefined || v === null) return undefined;
  if (typeof v !== "string") {
    throw new StoreError("invalid", `${key}: expected a string, got ${JSON.stringify(v)}`);
  }
  return v;
}

/**
 * The artifact path an upload uses when none is given: the local path as given when it is a
 * relative path inside `cwd`; for any other path, its place below `cwd` if it is inside, else
 * its last name (`/data/x` is stored as `x`).
 */
export function defaultArtifactPath(localPath: string, cwd: string): string {
  const abs = path.resolve(cwd, localPath);
  const rel = path.relative(cwd, abs);
  const inside = rel !== "" && rel !== ".." && !rel.startsWith(`..${path.sep}`);
  const candidate = inside && !path.isAbsolute(rel) ? rel.split(path.sep).join("/") : "";
  if (candidate !== "") return candidate;
  if (rel === "") {
    throw new StoreError(
      "invalid",
      `local_path ${JSON.stringify(localPath)} is the whole working folder; give artifact_path too, e.g. artifact_path="snapshot"`,
    );
  }
  return path.basename(abs);
}

/** What a request handler works with. */
interface Context {
  store: ArtifactStore;
  remote: RemoteArtifacts | undefined;
  runName: string;
  /** 1, 2, ...: the number of this bridge's next tagged upload to the remote store. */
  nextTagging: () => number;
  /** {@link ArtifactsBridgeOptions.onTag}. */
  onTag: ((event: { tag: string; run: string; previous?: string }) => void) | undefined;
}

async function handleUpload(context: Context, req: Request, cwd: string) {
  const { store, remote, runName, nextTagging } = context;
  const localPath = optionalString(req, "local_path");
  if (localPath === undefined || localPath === "") {
    throw new StoreError("invalid", "local_path: give the folder or file to upload");
  }
  const given = optionalString(req, "artifact_path");
  const artifactPath = checkArtifactPath(given ?? defaultArtifactPath(localPath, cwd), {
    label: "artifact_path",
  });
  const tag = optionalString(req, "tag");
  if (tag !== undefined && !isValidName(tag)) {
    throw new StoreError(
      "invalid",
      `tag ${JSON.stringify(tag)} is not a valid tag name; use letters, digits, ".", "_" and "-", starting with a letter or digit`,
    );
  }
  const abs = path.resolve(cwd, localPath);
  if ((await fsp.lstat(abs).catch(() => undefined)) === undefined) {
    throw new StoreError(
      "not-found",
      `local_path ${JSON.stringify(localPath)} does not exist (looked for ${abs})`,
    );
  }
  if (remote !== undefined) {
    const target = tag === undefined ? runName : `${runName}-${tag}-${nextTagging()}`;
    const r = await remote.upload({
      runName: target,
      localPath: abs,
      artifactPath,
      ...(tag !== undefined ? { tag } : {}),
    });
    if (tag !== undefined) context.onTag?.({ tag, run: r.runName });
    return {
      run: r.runName,
      ...(tag !== undefined ? { tag } : {}),
      artifact_path: r.artifactPath,
      files: r.files,
      bytes: r.bytes,
    };
  }
  if (tag === undefined) {
    const entry = await store.addArtifact(runName, { localPath: abs, artifactPath });
    return { run: runName, artifact_path: entry.path, files: entry.files, bytes: entry.bytes };
  }
  const parent = await store.getRun(runName);
  const run = await store.createRun({
    workflow: null,
    job: null,
    repoDir: parent.repoDir,
    parentRun: runName,
    // The job's supervisor creates it, so a later command can tell when it is gone.
    ...(parent.supervisor !== undefined ? { supervisor: parent.supervisor } : {}),
  });
  const startedAt = new Date().toISOString();
  let entry: Awaited<ReturnType<ArtifactStore["addArtifact"]>>;
  try {
    await store.updateRun(run.runName, { status: "uploading", startedAt });
    entry = await store.addArtifact(run.runName, { localPath: abs, artifactPath });
  } catch (e) {
    await store
      .updateRun(run.runName, {
        status: "failed",
        finishedAt: new Date().toISOString(),
        message: e instanceof Error ? e.message : String(e),
      })
      .catch(() => undefined);
    throw e;
  }
  await store.updateRun(run.runName, { status: "done", finishedAt: new Date().toISOString() });
  const { previous } = await store.setTag(tag, run.runName);
  context.onTag?.({ tag, run: run.runName, ...(previous !== undefined ? { previous } : {}) });
  return {
    run: run.runName,
    tag,
    ...(previous !== undefined ? { previous } : {}),
    artifact_path: entry.path,
    files: entry.files,
    bytes: entry.bytes,
  };
}

async function handleDownload(context: Context, req: Request, cwd: string) {
  const source = context.remote ?? context.store;
  const run = optionalString(req, "run");
  const tag = optionalString(req, "tag");
  if ((run === undefined) === (tag === undefined)) {
    throw new StoreError(
      "invalid",
      run === undefined
        ? "give run= or tag= to say whose artifacts to download"
        : "give run= or tag=, not both",
    );
  }
  const artifactPath = checkArtifactPath(optionalString(req, "artifact_path") ?? "", {
    label: "artifact_path",
    allowAll: true,
  });
  const localPath = path.resolve(cwd, optionalString(req, "local_path") ?? ".");
  const r = await source.downloadArtifacts(run !== undefined ? { run } : { tag: tag as string }, {
    artifactPath,
    localPath,
  });
  return { run: r.runName, files: r.files, bytes: r.bytes, local_path: r.localPath };
}

/** Answers one request line; never throws. */
async function handle(context: Context, line: string): Promise<Reply> {
  try {
    let req: unknown;
    try {
      req = JSON.parse(line);
    } catch {
      throw new StoreError("invalid", "the request is not JSON");
    }
    if (typeof req !== "object" || req === null || Array.isArray(req)) {
      throw new StoreError("invalid", "the request is not a JSON object");
    }
    const request = req as Request;
    const cwd = optionalString(request, "cwd");
    if (cwd === undefined || !path.isAbsolute(cwd)) {
      throw new StoreError("invalid", "cwd: expected the job's working folder, an absolute path");
    }
    switch (request.op) {
      case "upload":
        return { ok: true, ...(await handleUpload(context, request, cwd)) };
      case "download":
        return { ok: true, ...(await handleDownload(context, request, cwd)) };
      default:
        throw new StoreError(
          "invalid",
          `op: ${JSON.stringify(request.op)} is not an operation; use "upload" or "download"`,
        );
    }
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: message.replaceAll("\n", " ") };
  }
}

/**
 * Starts the bridge for one run: a `node:net` server on a Unix socket in a new private folder
 * (mode 0700) under `socketDir`. Give the job `env` (and `PYTHON_PATH` from `@dstack/python` on
 * its `PYTHONPATH`); call `close()` when the job has ended.
 *
 * Every failure of a request (bad JSON, an unknown run or tag, an escaping artifact path, a
 * full disk, ...) is answered as `{ok: false, error}`; the server keeps running.
 *
 * @throws Error when the socket path would be longer than {@link MAX_SOCKET_PATH_BYTES} bytes
 *   or the socket cannot be created.
 */
export async function startArtifactsBridge(
  options: ArtifactsBridgeOptions,
): Promise<ArtifactsBridge> {
  let taggings = 0;
  const context: Context = {
    store: options.store,
    remote: options.remote,
    runName: options.runName,
    nextTagging: () => ++taggings,
    onTag: options.onTag,
  };
  const base = options.socketDir ?? os.tmpdir();
  const dir = await fsp.mkdtemp(path.join(base, "dstack-"));
  const socketPath = path.join(dir, `${randomBytes(3).toString("hex")}.sock`);
  try {
    await fsp.chmod(dir, 0o700);
    const length = Buffer.byteLength(socketPath);
    if (length > MAX_SOCKET_PATH_BYTES) {
      throw new Error(
        `the artifacts socket path ${socketPath} is ${length} bytes, over the ${MAX_SOCKET_PATH_BYTES} a Unix socket allows; give a shorter socketDir (e.g. /tmp)`,
      );
    }
  } catch (e) {
    await fsp.rm(dir, { recursive: true, force: true });
    throw e;
  }

  const sockets = new Set<net.Socket>();
  /** Requests being handled, by connection; close() waits for them. */
  const inflight = new Map<net.Socket, Promise<void>>();
  // allowHalfOpen: a client may end its side right after the request and still read the answer.
  const server = net.createServer({ allowHalfOpen: true }, (socket) => {
    sockets.add(socket);
    socket.on("close", () => sockets.delete(socket));
    socket.on("error", () => undefined);
    socket.setEncoding("utf8");
    let buffer = "";
    let started = false;
    const answer = (line: string) => {
      started = true;
      const done = handle(context, line).then((reply) => {
        if (!socket.destroyed) socket.end(`${JSON.stringify(reply)}\n`);
        inflight.delete(socket);
      });
      inflight.set(socket, done);
    };
    socket.on("data", (chunk: string) => {
      if (started) return;
      buffer += chunk;
      const nl = buffer.indexOf("\n");
      if (nl >= 0) {
        answer(buffer.slice(0, nl));
      } else if (Buffer.byteLength(buffer) > MAX_REQUEST_BYTES) {
        started = true;
        socket.end(`${JSON.stringify({ ok: false, error: "the request is too long" })}\n`);
      }
    });
    socket.on("end", () => {
      if (!started && buffer.trim() !== "") answer(buffer);
      else if (!started) socket.end();
    });
  });
  server.on("error", () => undefined);
  try {
    await new Promise<void>((resolve, reject) => {
      server.once("error", reject);
      server.listen(socketPath, () => {
        server.off("error", reject);
        resolve();
      });
    });
  } catch (e) {
    await fsp.rm(dir, { recursive: true, force: true });
    throw e;
  }

  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      // Idle connections end now (after flushing any answer already written); connections whose
      // request is being handled end after their answer.
      for (const s of sockets) if (!inflight.has(s)) s.destroySoon();
      await Promise.all(inflight.values());
      for (const s of sockets) s.destroySoon();
      await closed;
      await fsp.rm(dir, { recursive: true, force: true });
    })();
    return closing;
  };
  return { socketPath, env: { [ARTIFACTS_SOCKET_ENV]: socketPath }, close };
}
