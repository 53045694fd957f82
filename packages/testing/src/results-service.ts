/**
 * A small fake of GitHub's Actions results service ({@link startResultsService}), the Twirp
 * service that the unmodified `@actions/artifact` client talks to, backed by Azurite
 * (`azurite.ts`).
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
import { createHmac, randomUUID, timingSafeEqual } from "node:crypto";
import http from "node:http";
import {
  BlobSASPermissions,
  BlobServiceClient,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import type { Azurite } from "./azurite.js";

/** The Twirp service the `@actions/artifact` client calls. */
export const ARTIFACT_SERVICE = "github.actions.results.api.v1.ArtifactService";

/** GitHub's default retention when an upload names none. */
const DEFAULT_RETENTION_DAYS = 90;
/** How long signed URLs stay valid. */
const SAS_LIFETIME_MS = 60 * 60 * 1000;
/** The largest request body the fake reads (the real messages are tiny). */
const MAX_BODY_BYTES = 1024 * 1024;

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
   * Deletes an artifact by id, blob and all, as `DELETE /repos/{o}/{r}/actions/artifacts/{id}`
   * does; `false` when there is none.
   */
  deleteArtifact(id: number): Promise<boolean>;
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
    async deleteArtifact(id) {
      const artifact = store.find((a) => a.id === id);
      if (!artifact) return false;
      await container.getBlobClient(artifact.blobName).deleteIfExists();
      store.splice(store.indexOf(artifact), 1);
      return true;
    },
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
