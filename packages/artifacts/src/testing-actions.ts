/**
 * Test stand-ins for GitHub Actions artifact storage (not part of the build): Azurite, Microsoft's
 * blob storage emulator, run as a child process ({@link startAzurite}), and a small fake of
 * GitHub's Actions results service ({@link startResultsService}), the Twirp service that the
 * unmodified `@actions/artifact` client talks to.
 *
 * The fake speaks Twirp's JSON protocol: `POST /twirp/github.actions.results.api.v1.ArtifactService/<Method>`
 * with proto field names (`workflow_run_backend_id`), 64-bit integers as strings, wrapper types
 * (`StringValue`, `Int64Value`) as bare values and timestamps as RFC 3339 strings. Errors are
 * Twirp errors, `{ "code": "not_found", "msg": "..." }` with the matching HTTP status, so the
 * client's own error paths run. Uploads and downloads go straight to Azurite through SAS URLs the
 * fake signs with Azurite's well-known account key, as the real service signs Azure URLs.
 *
 * @module
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import fs from "node:fs";
import fsp from "node:fs/promises";
import http from "node:http";
import net from "node:net";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import {
  CONTENTS_ROUTES,
  createContentsModel,
  type FakeGitHub,
  type FakeRequest,
  startFakeGitHub,
  workflowRunJson,
} from "@dstack/testing";

/** Azurite's well-known development account name. */
export const AZURITE_ACCOUNT_NAME = "devstoreaccount1";

/** Azurite's well-known development account key (public; it only works against the emulator). */
export const AZURITE_ACCOUNT_KEY =
  "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==";

/** The Twirp service the `@actions/artifact` client calls. */
export const ARTIFACT_SERVICE = "github.actions.results.api.v1.ArtifactService";

/** How long {@link startAzurite} waits for Azurite to listen. */
const AZURITE_START_TIMEOUT_MS = 30_000;
/** How long a stop waits after SIGTERM before SIGKILL. */
const AZURITE_STOP_TIMEOUT_MS = 10_000;
/** GitHub's default retention when an upload names none. */
const DEFAULT_RETENTION_DAYS = 90;
/** How long signed URLs stay valid. */
const SAS_LIFETIME_MS = 60 * 60 * 1000;
/** The largest request body the fake reads (the real messages are tiny). */
const MAX_BODY_BYTES = 1024 * 1024;

/** A running Azurite blob service, from {@link startAzurite}. */
export interface Azurite {
  /** The blob endpoint, path-style: `http://127.0.0.1:<port>/devstoreaccount1`. */
  blobUrl: string;
  /** The account name (Azurite's well-known one). */
  accountName: "devstoreaccount1";
  /** The account key (Azurite's well-known one). */
  accountKey: string;
  /** Stops Azurite (SIGTERM, then waits for it to exit) and removes its data folder. */
  stop(): Promise<void>;
}

/**
 * Starts Azurite's blob service (`azurite-blob` from this repository's `node_modules`) on
 * 127.0.0.1 and a free port, with its data in a fresh temporary folder. Resolves once it
 * listens; a port taken between finding it and Azurite binding it is retried once with another.
 */
export async function startAzurite(): Promise<Azurite> {
  const bin = findAzuriteBin();
  try {
    return await startAzuriteOnce(bin);
  } catch (error) {
    if (error instanceof AzuriteStartError && error.addressInUse)
      return await startAzuriteOnce(bin);
    throw error;
  }
}

/** Why Azurite did not start; `addressInUse` when its port was taken. */
class AzuriteStartError extends Error {
  constructor(
    message: string,
    readonly addressInUse: boolean,
  ) {
    super(message);
    this.name = "AzuriteStartError";
  }
}

/** `node_modules/.bin/azurite-blob` in the nearest folder at or above this file that has it. */
function findAzuriteBin(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const candidate = path.join(dir, "node_modules", ".bin", "azurite-blob");
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error("azurite-blob not found in any node_modules/.bin above");
    dir = parent;
  }
}

/** A port that was free a moment ago (listen on port 0, read it, close). */
async function freePort(): Promise<number> {
  return await new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      const port = typeof address === "object" && address ? address.port : 0;
      server.close(() => (port ? resolve(port) : reject(new Error("no port assigned"))));
    });
  });
}

/** Waits for a child to exit; resolves at once when it already has. */
function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => child.once("exit", () => resolve()));
}

async function startAzuriteOnce(bin: string): Promise<Azurite> {
  const port = await freePort();
  const location = await fsp.mkdtemp(path.join(os.tmpdir(), "azurite-"));
  // biome-ignore format: one flag per line reads better
  const args = [
    bin,
    "--blobHost", "127.0.0.1",
    "--blobPort", String(port),
    "--location", location,
    "--silent", "--loose", "--skipApiVersionCheck", "--disableTelemetry",
  ];
  const child = spawn(process.execPath, args, {
    cwd: location,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const ready = new Promise<void>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new AzuriteStartError(`Azurite did not start in time:\n${output}`, false)),
      AZURITE_START_TIMEOUT_MS,
    );
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (/successfully listens on/.test(output)) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on("data", onData);
    child.stderr?.on("data", onData);
    child.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
    child.once("exit", (code, signal) => {
      clearTimeout(timer);
      reject(
        new AzuriteStartError(
          `Azurite exited before listening (code ${code}, signal ${signal}):\n${output}`,
          /EADDRINUSE/.test(output),
        ),
      );
    });
  });
  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      const done = exited(child);
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), AZURITE_STOP_TIMEOUT_MS);
      await done;
      clearTimeout(timer);
    }
    await fsp.rm(location, { recursive: true, force: true });
  };
  try {
    await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  return {
    blobUrl: `http://127.0.0.1:${port}/${AZURITE_ACCOUNT_NAME}`,
    accountName: AZURITE_ACCOUNT_NAME,
    accountKey: AZURITE_ACCOUNT_KEY,
    stop,
  };
}

/** The two ids the runtime token's `Actions.Results:<run>:<job>` scope carries. */
export interface BackendIds {
  /** The workflow run's backend id (a UUID). */
  workflowRunBackendId: string;
  /** The job's backend id within the run (a UUID). */
  workflowJobRunBackendId: string;
}

/** An artifact as the fake keeps it; {@link ResultsService.artifacts} returns copies. */
export interface StoredArtifact extends BackendIds {
  /** The artifact's id (`database_id` on the wire; `id` in the client's results). */
  id: number;
  /** Its name, unique in its workflow run. */
  name: string;
  /** Its size in bytes as the client reported it when finalizing (0 until then). */
  size: number;
  /** The size of the blob in Azurite when it was finalized (0 until then). */
  blobSize: number;
  /** The digest the client sent when finalizing, `sha256:<hex>`; absent when it sent none. */
  digest?: string;
  /** The MIME type the client declared (`application/zip` for a zipped upload). */
  mimeType?: string;
  /** The upload protocol version the client declared (7 for `@actions/artifact` 6). */
  version: number;
  /** When it was created, ISO 8601. */
  createdAt: string;
  /** When it expires, ISO 8601 (the client's `expires_at`, else 90 days after creation). */
  expiresAt: string;
  /** Whether `FinalizeArtifact` has succeeded; only finalized artifacts are listed. */
  finalized: boolean;
  /** The Azurite container holding its blob. */
  container: string;
  /** The blob's name in that container (`<run>/<job>/<name>[.zip]`). */
  blobName: string;
}

/** Options of {@link startResultsService}. */
export interface ResultsServiceOptions {
  /** The Azurite instance blobs go to (from {@link startAzurite}). */
  azurite: Pick<Azurite, "blobUrl" | "accountName" | "accountKey">;
  /** The ids {@link ResultsService.runtimeToken} carries (fresh UUIDs by default). */
  ids?: Partial<BackendIds>;
  /** The container to keep blobs in (default `actions-results`); created if missing. */
  container?: string;
  /**
   * How many `CreateArtifact` calls for a name its workflow run deleted answer 409
   * `already_exists` before the name is free again, as GitHub does for a moment after a delete
   * (reported by upload-artifact users re-uploading a name). Default 0.
   */
  conflictsAfterDelete?: number;
}

/** A running results-service fake, from {@link startResultsService}. */
export interface ResultsService {
  /** The service's base URL, `http://127.0.0.1:<port>/` (what `ACTIONS_RESULTS_URL` holds). */
  url: string;
  /** A runtime token (a JWT, HS256-signed by the fake) scoped to {@link ResultsService.ids}. */
  runtimeToken: string;
  /** The run and job the runtime token is scoped to. */
  ids: BackendIds;
  /**
   * What the client reads from the environment: `ACTIONS_RUNTIME_TOKEN`, `ACTIONS_RESULTS_URL`
   * and `GITHUB_SERVER_URL` (`https://github.com`, so the client does not refuse as on GHES).
   */
  env: Record<string, string>;
  /** The same environment for another job or run (a fresh token), e.g. a later workflow run. */
  envFor(ids: BackendIds): Record<string, string>;
  /** Every artifact created so far and not deleted, finalized or not, oldest first. */
  artifacts(): StoredArtifact[];
  /**
   * A read-only signed URL of an artifact's blob (valid one hour), with the content-disposition
   * GitHub sends: what `GetSignedArtifactURL` answers, and what the REST API's
   * `GET .../artifacts/{id}/zip` redirects to.
   */
  downloadUrl(artifact: StoredArtifact): string;
  /** Sets {@link ResultsServiceOptions.conflictsAfterDelete} from now on. */
  setConflictsAfterDelete(n: number): void;
  /** Stops the server. Blobs stay in Azurite. */
  close(): Promise<void>;
}

/** A Twirp error: the code (e.g. `not_found`) and its message. */
class TwirpError extends Error {
  constructor(
    readonly code: TwirpCode,
    message: string,
  ) {
    super(message);
    this.name = "TwirpError";
  }
}

/** The Twirp error codes this fake answers, with their HTTP statuses (from the Twirp spec). */
const TWIRP_STATUS = {
  invalid_argument: 400,
  malformed: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  bad_route: 404,
  already_exists: 409,
  failed_precondition: 412,
  internal: 500,
} as const;

/** A Twirp error code this fake answers. */
type TwirpCode = keyof typeof TWIRP_STATUS;

/** A JSON object from a request body. */
type Json = Record<string, unknown>;

/** Encodes bytes or text as base64url without padding (JWT segments). */
function base64url(data: string | Buffer): string {
  return Buffer.from(data).toString("base64url");
}

/**
 * Starts the results-service fake on 127.0.0.1 and a free port, backed by Azurite. Implements
 * `CreateArtifact`, `FinalizeArtifact`, `ListArtifacts`, `GetSignedArtifactURL` and
 * `DeleteArtifact`, checking the bearer token and each request's required fields as the real
 * service does.
 */
export async function startResultsService(options: ResultsServiceOptions): Promise<ResultsService> {
  const { azurite } = options;
  const containerName = options.container ?? "actions-results";
  const ids: BackendIds = {
    workflowRunBackendId: options.ids?.workflowRunBackendId ?? randomUUID(),
    workflowJobRunBackendId: options.ids?.workflowJobRunBackendId ?? randomUUID(),
  };
  const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
  const container = new BlobServiceClient(azurite.blobUrl, credential).getContainerClient(
    containerName,
  );
  await container.createIfNotExists();

  const secret = Buffer.from(randomUUID());
  const sign = (data: string) => createHmac("sha256", secret).update(data).digest();
  const mintToken = (scope: BackendIds): string => {
    const now = Math.floor(Date.now() / 1000);
    const header = base64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
    const payload = base64url(
      JSON.stringify({
        scp: `Actions.GenericRead:${scope.workflowRunBackendId} Actions.Results:${scope.workflowRunBackendId}:${scope.workflowJobRunBackendId}`,
        iss: "https://token.actions.githubusercontent.com",
        aud: "vso:results-service-fake",
        nbf: now - 60,
        exp: now + 6 * 3600,
      }),
    );
    return `${header}.${payload}.${base64url(sign(`${header}.${payload}`))}`;
  };
  const verifyToken = (authorization: string | undefined): BackendIds => {
    const match = /^Bearer (\S+)$/.exec(authorization ?? "");
    const parts = match?.[1]?.split(".") ?? [];
    const [header, payload, signature] = parts;
    if (parts.length !== 3 || !header || !payload || !signature) {
      throw new TwirpError("unauthenticated", "missing or malformed bearer token");
    }
    const given = Buffer.from(signature, "base64url");
    const expected = sign(`${header}.${payload}`);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
      throw new TwirpError("unauthenticated", "invalid token signature");
    }
    const claims = JSON.parse(Buffer.from(payload, "base64url").toString()) as Json;
    if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) {
      throw new TwirpError("unauthenticated", "token expired");
    }
    for (const scope of String(claims.scp ?? "").split(" ")) {
      const [kind, run, job] = scope.split(":");
      if (kind === "Actions.Results" && run && job) {
        return { workflowRunBackendId: run, workflowJobRunBackendId: job };
      }
    }
    throw new TwirpError("permission_denied", "token has no Actions.Results scope");
  };

  const store: StoredArtifact[] = [];
  let nextId = 1001;
  let conflictsAfterDelete = options.conflictsAfterDelete ?? 0;
  /** `<run backend id>/<name>` of deleted artifacts -> 409s still to answer for that name. */
  const recentlyDeleted = new Map<string, number>();
  const sasUrl = (artifact: StoredArtifact, permissions: string, contentDisposition?: string) => {
    const sas = generateBlobSASQueryParameters(
      {
        containerName,
        blobName: artifact.blobName,
        permissions: BlobSASPermissions.parse(permissions),
        expiresOn: new Date(Date.now() + SAS_LIFETIME_MS),
        ...(contentDisposition ? { contentDisposition } : {}),
      },
      credential,
    );
    return `${container.getBlobClient(artifact.blobName).url}?${sas.toString()}`;
  };
  const downloadUrl = (artifact: StoredArtifact) => {
    const fileName = artifact.blobName.slice(artifact.blobName.lastIndexOf("/") + 1);
    return sasUrl(artifact, "r", `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}`);
  };
  const live = (artifact: StoredArtifact) =>
    artifact.finalized && Date.parse(artifact.expiresAt) > Date.now();
  const findLive = (run: string, name: string) =>
    store.find((a) => a.workflowRunBackendId === run && a.name === name && live(a));

  /** Checks the request's ids: present, and the run (and for writes the job) the token's. */
  const checkScope = (body: Json, scope: BackendIds, sameJob: boolean): BackendIds => {
    const run = requireString(body, "workflow_run_backend_id");
    const job = requireString(body, "workflow_job_run_backend_id");
    if (run !== scope.workflowRunBackendId || (sameJob && job !== scope.workflowJobRunBackendId)) {
      throw new TwirpError("permission_denied", "the token is not scoped to this workflow run/job");
    }
    return { workflowRunBackendId: run, workflowJobRunBackendId: job };
  };

  const methods: Record<string, (body: Json, scope: BackendIds) => Promise<Json>> = {
    async CreateArtifact(body, scope) {
      const owner = checkScope(body, scope, true);
      const name = requireString(body, "name");
      const version = body.version;
      if (!Number.isInteger(version) || (version as number) < 4) {
        throw new TwirpError("invalid_argument", "version: must be 4 or greater");
      }
      const mimeType = optionalString(body, "mime_type");
      const createdAt = new Date();
      let expiresAt = new Date(createdAt.getTime() + DEFAULT_RETENTION_DAYS * 86_400_000);
      if (body.expires_at !== undefined) {
        const at = typeof body.expires_at === "string" ? Date.parse(body.expires_at) : Number.NaN;
        if (Number.isNaN(at)) {
          throw new TwirpError("invalid_argument", "expires_at: not an RFC 3339 timestamp");
        }
        if (at <= createdAt.getTime()) {
          throw new TwirpError("invalid_argument", "expires_at: must be in the future");
        }
        expiresAt = new Date(at);
      }
      const deletedKey = `${owner.workflowRunBackendId}/${name}`;
      const pending = recentlyDeleted.get(deletedKey) ?? 0;
      if (pending > 0) recentlyDeleted.set(deletedKey, pending - 1);
      if (
        pending > 0 ||
        store.some((a) => a.workflowRunBackendId === owner.workflowRunBackendId && a.name === name)
      ) {
        throw new TwirpError(
          "already_exists",
          "an artifact with this name already exists on the workflow run",
        );
      }
      const suffix = mimeType === "application/zip" ? ".zip" : "";
      const artifact: StoredArtifact = {
        ...owner,
        id: nextId++,
        name,
        size: 0,
        blobSize: 0,
        ...(mimeType !== undefined ? { mimeType } : {}),
        version: version as number,
        createdAt: createdAt.toISOString(),
        expiresAt: expiresAt.toISOString(),
        finalized: false,
        container: containerName,
        blobName: `${owner.workflowRunBackendId}/${owner.workflowJobRunBackendId}/${name}${suffix}`,
      };
      store.push(artifact);
      return { ok: true, signed_upload_url: sasUrl(artifact, "cw") };
    },

    async FinalizeArtifact(body, scope) {
      const owner = checkScope(body, scope, true);
      const name = requireString(body, "name");
      // proto3 JSON leaves out zero values, so a missing size is 0.
      const size = body.size === undefined ? 0 : requireInt64(body, "size");
      const hash = optionalString(body, "hash");
      if (hash !== undefined && !/^sha256:[0-9a-f]{64}$/.test(hash)) {
        throw new TwirpError("invalid_argument", "hash: expected sha256:<64 hex digits>");
      }
      const artifact = store.find(
        (a) =>
          a.workflowRunBackendId === owner.workflowRunBackendId &&
          a.workflowJobRunBackendId === owner.workflowJobRunBackendId &&
          a.name === name,
      );
      if (!artifact) throw new TwirpError("not_found", `artifact ${name} not found`);
      if (artifact.finalized) {
        throw new TwirpError("failed_precondition", `artifact ${name} is already finalized`);
      }
      const blob = container.getBlobClient(artifact.blobName);
      if (!(await blob.exists())) {
        throw new TwirpError("failed_precondition", `artifact ${name} has no uploaded content`);
      }
      artifact.blobSize = (await blob.getProperties()).contentLength ?? 0;
      artifact.size = size;
      if (hash !== undefined) artifact.digest = hash;
      artifact.finalized = true;
      return { ok: true, artifact_id: String(artifact.id) };
    },

    async ListArtifacts(body, scope) {
      const owner = checkScope(body, scope, false);
      const nameFilter = optionalString(body, "name_filter");
      const idFilter = body.id_filter === undefined ? undefined : requireInt64(body, "id_filter");
      const found = store.filter(
        (a) =>
          a.workflowRunBackendId === owner.workflowRunBackendId &&
          live(a) &&
          (nameFilter === undefined || a.name === nameFilter) &&
          (idFilter === undefined || a.id === idFilter),
      );
      return {
        artifacts: found.map((a) => ({
          workflow_run_backend_id: a.workflowRunBackendId,
          workflow_job_run_backend_id: a.workflowJobRunBackendId,
          database_id: String(a.id),
          name: a.name,
          size: String(a.size),
          created_at: a.createdAt,
          ...(a.digest !== undefined ? { digest: a.digest } : {}),
        })),
      };
    },

    async GetSignedArtifactURL(body, scope) {
      const owner = checkScope(body, scope, false);
      const name = requireString(body, "name");
      const artifact = findLive(owner.workflowRunBackendId, name);
      if (!artifact) throw new TwirpError("not_found", `artifact ${name} not found`);
      return { signed_url: downloadUrl(artifact) };
    },

    async DeleteArtifact(body, scope) {
      const owner = checkScope(body, scope, false);
      const name = requireString(body, "name");
      const artifact = findLive(owner.workflowRunBackendId, name);
      if (!artifact) throw new TwirpError("not_found", `artifact ${name} not found`);
      await container.getBlobClient(artifact.blobName).deleteIfExists();
      store.splice(store.indexOf(artifact), 1);
      if (conflictsAfterDelete > 0) {
        recentlyDeleted.set(`${owner.workflowRunBackendId}/${name}`, conflictsAfterDelete);
      }
      return { ok: true, artifact_id: String(artifact.id) };
    },
  };

  const prefix = `/twirp/${ARTIFACT_SERVICE}/`;
  const handle = async (req: http.IncomingMessage): Promise<Json> => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const method = url.pathname.startsWith(prefix) ? url.pathname.slice(prefix.length) : "";
    const handler = Object.hasOwn(methods, method) ? methods[method] : undefined;
    if (req.method !== "POST" || !handler) {
      throw new TwirpError("bad_route", `no handler for ${req.method} ${url.pathname}`);
    }
    const contentType = (req.headers["content-type"] ?? "").split(";")[0]?.trim();
    if (contentType !== "application/json") {
      throw new TwirpError("bad_route", `unexpected Content-Type: ${contentType || "(none)"}`);
    }
    const scope = verifyToken(req.headers.authorization);
    const raw = await readBody(req);
    let body: unknown;
    try {
      body = JSON.parse(raw);
    } catch {
      throw new TwirpError("malformed", "the request body is not JSON");
    }
    if (typeof body !== "object" || body === null || Array.isArray(body)) {
      throw new TwirpError("malformed", "the request body is not a JSON object");
    }
    return await handler(body as Json, scope);
  };

  const server = http.createServer((req, res) => {
    handle(req).then(
      (result) => send(res, 200, result),
      (error: unknown) => {
        const twirp =
          error instanceof TwirpError
            ? error
            : new TwirpError("internal", error instanceof Error ? error.message : String(error));
        send(res, TWIRP_STATUS[twirp.code], { code: twirp.code, msg: twirp.message });
      },
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  const port = typeof address === "object" && address ? address.port : 0;
  const url = `http://127.0.0.1:${port}/`;
  const envFor = (scope: BackendIds): Record<string, string> => ({
    ACTIONS_RUNTIME_TOKEN: mintToken(scope),
    ACTIONS_RESULTS_URL: url,
    GITHUB_SERVER_URL: "https://github.com",
  });
  const env = envFor(ids);
  return {
    url,
    runtimeToken: env.ACTIONS_RUNTIME_TOKEN as string,
    ids,
    env,
    envFor,
    artifacts: () => store.map((a) => ({ ...a })),
    downloadUrl,
    setConflictsAfterDelete(n) {
      conflictsAfterDelete = n;
    },
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}

/** Reads a request body as text, refusing one over {@link MAX_BODY_BYTES}. */
async function readBody(req: http.IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of req) {
    total += (chunk as Buffer).length;
    if (total > MAX_BODY_BYTES) throw new TwirpError("malformed", "the request body is too large");
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Writes a JSON answer. */
function send(res: http.ServerResponse, status: number, body: Json): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    "Content-Type": "application/json",
    "Content-Length": Buffer.byteLength(text),
  });
  res.end(text);
}

/** A required non-empty string field (proto3 JSON omits empty strings, so empty is missing). */
function requireString(body: Json, field: string): string {
  const value = body[field];
  if (value === undefined || value === "") {
    throw new TwirpError("invalid_argument", `${field}: is required`);
  }
  if (typeof value !== "string") throw new TwirpError("invalid_argument", `${field}: not a string`);
  return value;
}

/** An optional string field (a string or a `StringValue`, which is a bare string in JSON). */
function optionalString(body: Json, field: string): string | undefined {
  const value = body[field];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== "string") throw new TwirpError("invalid_argument", `${field}: not a string`);
  return value;
}

/** A required non-negative int64 field (a decimal string in proto3 JSON, or a number). */
function requireInt64(body: Json, field: string): number {
  const value = body[field];
  if (value === undefined) throw new TwirpError("invalid_argument", `${field}: is required`);
  const text = typeof value === "number" ? String(value) : value;
  if (typeof text !== "string" || !/^\d+$/.test(text) || !Number.isSafeInteger(Number(text))) {
    throw new TwirpError("invalid_argument", `${field}: not a non-negative integer`);
  }
  return Number(text);
}

/** The numeric id of the repository the REST fake answers for (`GITHUB_REPOSITORY_ID`). */
export const FAKE_REPOSITORY_ID = 1;
/** The numeric id of a fork of it, whose pull requests' runs are runs of the repository. */
export const FAKE_FORK_ID = 2;
/** The REST fake's default branch. */
export const FAKE_DEFAULT_BRANCH = "main";

/**
 * What the REST API says about a workflow run (`GET .../actions/runs/{id}`), the facts the
 * store's trust rules read. Defaults: a `workflow_dispatch` run of `dstack-run.yml` on `main`,
 * of the repository's own code.
 */
export interface RunFacts {
  /** The event that started it. Default `workflow_dispatch`. */
  event: string;
  /** The workflow file in `.github/workflows/`. Default `dstack-run.yml`. */
  workflowFile: string;
  /** The branch it ran on. Default `main`. */
  headBranch: string;
  /** Whether its code came from a fork ({@link FAKE_FORK_ID}): a fork's `pull_request` run. */
  fork: boolean;
}

/** Workflow runs as the fakes know them: backend ids, the numeric id REST reports, and facts. */
export interface WorkflowRuns {
  /** Backend workflow run id -> the numeric workflow run id. */
  readonly ids: ReadonlyMap<string, number>;
  /** Numeric workflow run id -> what `GET .../actions/runs/{id}` reports. */
  readonly facts: ReadonlyMap<number, RunFacts>;
  /**
   * A new workflow run: fresh backend ids (use them with {@link ResultsService.envFor}) and the
   * numeric id the REST API reports for its artifacts; `facts` override {@link RunFacts}' defaults.
   */
  add(id: number, facts?: Partial<RunFacts>): BackendIds & { id: number };
}

/** A registry of workflow runs; may be filled before any server starts. */
export function workflowRuns(): WorkflowRuns {
  const ids = new Map<string, number>();
  const facts = new Map<number, RunFacts>();
  return {
    ids,
    facts,
    add(id, given = {}) {
      const backend = { workflowRunBackendId: randomUUID(), workflowJobRunBackendId: randomUUID() };
      ids.set(backend.workflowRunBackendId, id);
      facts.set(id, {
        event: given.event ?? "workflow_dispatch",
        workflowFile: given.workflowFile ?? "dstack-run.yml",
        headBranch: given.headBranch ?? FAKE_DEFAULT_BRANCH,
        fork: given.fork ?? false,
      });
      return { ...backend, id };
    },
  };
}

/** Options of {@link startArtifactsRestApi}. */
export interface ArtifactsRestApiOptions {
  /** The results-service fake whose artifacts the REST API lists. */
  service: ResultsService;
  /** The repository the routes answer for, `owner/name`. */
  repository: string;
  /** The clock deciding what has expired (ms since the epoch); default `Date.now`. */
  now?: () => number;
  /** The workflow runs REST reports artifacts under (default a new {@link workflowRuns}). */
  runs?: WorkflowRuns;
}

/** The Actions artifacts REST API over a results-service fake, from {@link startArtifactsRestApi}. */
export interface ArtifactsRestApi {
  /** The fake's base URL (what `GITHUB_API_URL` holds). */
  url: string;
  /** The OpenAPI-validated fake, for its request log. */
  github: FakeGitHub;
  /** A new workflow run of {@link ArtifactsRestApiOptions.runs} (see {@link WorkflowRuns.add}). */
  workflowRun(id: number, facts?: Partial<RunFacts>): BackendIds & { id: number };
  /** When `true`, every route answers 403 "Resource not accessible by integration". */
  deny(on: boolean): void;
  /** Stops the server. */
  close(): Promise<void>;
}

/**
 * Starts the REST side of Actions artifacts (`GET /repos/{o}/{r}/actions/artifacts?name=`,
 * `GET .../actions/runs/{run_id}/artifacts`, `GET .../actions/artifacts/{id}` and
 * `GET .../actions/artifacts/{id}/zip`, a 302 into Azurite, 410 once expired) on the
 * OpenAPI-validated GitHub fake of `@dstack/testing`, answered from the results service's
 * finalized artifacts so both views agree. Lists page as GitHub pages (`per_page`, `page`, a
 * `Link` header), newest first. It also answers `GET /repos/{o}/{r}` (id
 * {@link FAKE_REPOSITORY_ID}, default branch `main`) and `GET .../actions/runs/{run_id}` from
 * each run's {@link RunFacts} (a fork's runs: head repository {@link FAKE_FORK_ID}).
 */
export async function startArtifactsRestApi(
  options: ArtifactsRestApiOptions,
): Promise<ArtifactsRestApi> {
  const { service, repository } = options;
  const now = options.now ?? Date.now;
  const runs = options.runs ?? workflowRuns();
  const runIds = runs.ids;
  let denied = false;
  let apiUrl = "";
  const forbidden = {
    status: 403,
    body: {
      message: "Resource not accessible by integration",
      documentation_url: "https://docs.github.com/rest/actions/artifacts",
    },
  };
  const notFound = { status: 404, body: { message: "Not Found", documentation_url: "" } };
  const toRest = (a: StoredArtifact) => {
    const url = `${apiUrl}/repos/${repository}/actions/artifacts/${a.id}`;
    const runId = runIds.get(a.workflowRunBackendId) ?? 0;
    const facts = runs.facts.get(runId);
    return {
      id: a.id,
      node_id: `MDg6QXJ0aWZhY3Q${a.id}`,
      name: a.name,
      size_in_bytes: a.size,
      url,
      archive_download_url: `${url}/zip`,
      expired: Date.parse(a.expiresAt) <= now(),
      created_at: a.createdAt,
      expires_at: a.expiresAt,
      updated_at: a.createdAt,
      digest: a.digest ?? null,
      workflow_run: {
        id: runId,
        repository_id: FAKE_REPOSITORY_ID,
        head_repository_id: facts?.fork ? FAKE_FORK_ID : FAKE_REPOSITORY_ID,
        head_branch: facts?.headBranch ?? FAKE_DEFAULT_BRANCH,
        head_sha: "0".repeat(40),
      },
    };
  };
  const page = (req: FakeRequest, pathname: string, items: StoredArtifact[]) => {
    const query = new URLSearchParams(req.query);
    const perPage = Number(query.get("per_page") ?? 30);
    const n = Number(query.get("page") ?? 1);
    const sorted = [...items].sort((a, b) => b.createdAt.localeCompare(a.createdAt) || b.id - a.id);
    const headers: Record<string, string> = {};
    if (n * perPage < sorted.length) {
      query.set("page", String(n + 1));
      headers.link = `<${apiUrl}${pathname}?${query}>; rel="next"`;
    }
    return {
      status: 200,
      headers,
      body: {
        total_count: sorted.length,
        artifacts: sorted.slice((n - 1) * perPage, n * perPage).map(toRest),
      },
    };
  };
  const finalized = () => service.artifacts().filter((a) => a.finalized);
  const [owner = "", repo = ""] = repository.split("/");
  const contents = createContentsModel({
    owner,
    repo,
    id: FAKE_REPOSITORY_ID,
    defaultBranch: FAKE_DEFAULT_BRANCH,
  });
  const getRepo = contents.routes[CONTENTS_ROUTES.getRepo];
  const github = await startFakeGitHub({
    ...(getRepo ? { [CONTENTS_ROUTES.getRepo]: getRepo } : {}),
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}": (req) => {
      if (denied) return forbidden;
      const id = Number(req.params.run_id);
      const facts = runs.facts.get(id);
      if (facts === undefined) return notFound;
      return {
        status: 200,
        body: workflowRunJson({
          id,
          repository,
          repositoryId: FAKE_REPOSITORY_ID,
          event: facts.event,
          path: `.github/workflows/${facts.workflowFile}`,
          headBranch: facts.headBranch,
          ...(facts.fork
            ? { headRepository: { fullName: `fork-owner/${repo}`, id: FAKE_FORK_ID } }
            : {}),
        }),
      };
    },
    "GET /repos/{owner}/{repo}/actions/artifacts": (req) => {
      if (denied) return forbidden;
      const name = req.query.get("name");
      const items = finalized().filter((a) => !name || a.name === name);
      return page(req, `/repos/${repository}/actions/artifacts`, items);
    },
    "GET /repos/{owner}/{repo}/actions/runs/{run_id}/artifacts": (req) => {
      if (denied) return forbidden;
      const runId = Number(req.params.run_id);
      const items = finalized().filter((a) => runIds.get(a.workflowRunBackendId) === runId);
      return page(req, `/repos/${repository}/actions/runs/${runId}/artifacts`, items);
    },
    "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}": (req) => {
      if (denied) return forbidden;
      const a = finalized().find((x) => x.id === Number(req.params.artifact_id));
      return a === undefined ? notFound : { status: 200, body: toRest(a) };
    },
    "GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}": (req) => {
      if (denied) return forbidden;
      const a = finalized().find((x) => x.id === Number(req.params.artifact_id));
      if (a === undefined) return notFound;
      if (Date.parse(a.expiresAt) <= now()) {
        return { status: 410, body: { message: "Artifact has expired", documentation_url: "" } };
      }
      return { status: 302, headers: { location: service.downloadUrl(a) } };
    },
  });
  apiUrl = github.url;
  return {
    url: github.url,
    github,
    workflowRun: (id, facts) => runs.add(id, facts),
    deny(on) {
      denied = on;
    },
    close: () => github.close(),
  };
}
