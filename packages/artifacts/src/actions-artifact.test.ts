/**
 * The unmodified `@actions/artifact` client against Azurite and the results-service fake
 * (`@dstack/testing`'s `startActionsStorage`): the foundation every GitHub-store test stands on.
 */
import { createHash, randomBytes, randomUUID } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import {
  type ActionsStorageSession,
  ARTIFACT_SERVICE,
  type Azurite,
  enterActionsStorage,
  type ResultsService,
  writeTree,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

type ArtifactModule = typeof import("@actions/artifact");

const MiB = 1024 * 1024;

let storage: ActionsStorageSession;
let azurite: Azurite;
let service: ResultsService;
let artifact: ArtifactModule;
let client: InstanceType<ArtifactModule["DefaultArtifactClient"]>;
let tmp: string;
let src: string;
const big = randomBytes(8 * MiB);
const small: Record<string, string> = {
  "notes.txt": "first checkpoint\n",
  "config/params.json": `${JSON.stringify({ lr: 0.001, epochs: 3 })}\n`,
  "config/empty.txt": "",
};

/** Sets env vars (undefined deletes) for the duration of `fn`, then puts the old values back. */
async function withEnv<T>(env: Record<string, string | undefined>, fn: () => Promise<T>) {
  const old = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  setEnv(env);
  try {
    return await fn();
  } finally {
    setEnv(old);
  }
}

function setEnv(env: Record<string, string | undefined>): void {
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
}

function sha256(data: Buffer): string {
  return createHash("sha256").update(data).digest("hex");
}

/**
 * Every regular file below `root`, relative POSIX path -> `<size>:<sha256>` (vitest's deep
 * equality walks Buffers byte by byte: comparing 8 MiB ones directly takes most of a minute).
 */
function readTree(root: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const entry of fs.readdirSync(root, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const bytes = fs.readFileSync(full);
    out.set(
      path.relative(root, full).split(path.sep).join("/"),
      `${bytes.length}:${sha256(bytes)}`,
    );
  }
  return out;
}

beforeAll(async () => {
  // The env keys the client reads are set here, and put back by `close`.
  storage = await enterActionsStorage({
    repository: "octo/models",
    tmpPrefix: "actions-artifact-",
  });
  ({ azurite, service, tmp } = storage);
  src = path.join(tmp, "src");
  writeTree(src, small);
  fs.writeFileSync(path.join(src, "model.bin"), big);
  artifact = await import("@actions/artifact");
  client = new artifact.DefaultArtifactClient();
}, 60_000);

afterAll(() => storage?.close());

describe("@actions/artifact against Azurite and the results-service fake", () => {
  const name = "checkpoint";
  let uploaded: { id?: number; size?: number; digest?: string };

  it("uploads a folder: id, size and a bare-hex digest of the stored zip", async () => {
    const files = [...Object.keys(small), "model.bin"].map((p) => path.join(src, p));
    uploaded = await client.uploadArtifact(name, files, src);
    expect(uploaded.id).toBeGreaterThan(0);
    expect(uploaded.size).toBeGreaterThan(8 * MiB);
    expect(uploaded.digest).toMatch(/^[0-9a-f]{64}$/);

    const [stored] = service.artifacts();
    expect(stored).toMatchObject({
      id: uploaded.id,
      name,
      finalized: true,
      size: uploaded.size,
      blobSize: uploaded.size,
      digest: `sha256:${uploaded.digest}`,
      mimeType: "application/zip",
      version: 7,
      ...service.ids,
    });
    // The zip as Azurite holds it hashes to the digest the client reported.
    const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
    const blob = new BlobServiceClient(azurite.blobUrl, credential)
      .getContainerClient(stored?.container ?? "")
      .getBlobClient(stored?.blobName ?? "");
    const zip = await blob.downloadToBuffer();
    expect(zip.length).toBe(uploaded.size);
    expect(sha256(zip)).toBe(uploaded.digest);
  });

  it("lists it with a sha256:-prefixed digest", async () => {
    const { artifacts } = await client.listArtifacts();
    expect(artifacts).toHaveLength(1);
    const [listed] = artifacts;
    expect(listed).toMatchObject({
      name,
      id: uploaded.id,
      size: uploaded.size,
      digest: `sha256:${uploaded.digest}`,
    });
    expect(listed?.createdAt).toBeInstanceOf(Date);
    expect(Math.abs(Date.now() - (listed?.createdAt?.getTime() ?? 0))).toBeLessThan(60_000);
  });

  it("gets it by name", async () => {
    const { artifact: got } = await client.getArtifact(name);
    expect(got).toMatchObject({ name, id: uploaded.id, digest: `sha256:${uploaded.digest}` });
  });

  it("downloads it byte for byte, and the digest matches", async () => {
    const dest = path.join(tmp, "download");
    const result = await client.downloadArtifact(uploaded.id ?? 0, {
      path: dest,
      expectedHash: `sha256:${uploaded.digest}`,
    });
    expect(result).toEqual({ downloadPath: dest, digestMismatch: false });
    expect(readTree(dest)).toEqual(readTree(src));
    expect(fs.readFileSync(path.join(dest, "model.bin")).equals(big)).toBe(true);
  });

  it("reports a digest mismatch when told to expect another hash", async () => {
    const dest = path.join(tmp, "download-mismatch");
    const result = await client.downloadArtifact(uploaded.id ?? 0, {
      path: dest,
      expectedHash: `sha256:${"0".repeat(64)}`,
    });
    expect(result.digestMismatch).toBe(true);
  });

  it("refuses a duplicate name in the same run with the service's reason", async () => {
    const files = [path.join(src, "notes.txt")];
    await expect(client.uploadArtifact(name, files, src)).rejects.toThrow(
      /CreateArtifact.*\(409\).*an artifact with this name already exists on the workflow run/,
    );
    expect(service.artifacts()).toHaveLength(1);
  });

  it("rejects a download of an unknown artifact id", async () => {
    const dest = path.join(tmp, "download-unknown");
    const error = await client.downloadArtifact(999_999, { path: dest }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(artifact.ArtifactNotFoundError);
    expect(String(error)).toMatch(/No artifacts found for ID: 999999/);
  });

  it("does not show one run's artifacts to another run", async () => {
    const other = { workflowRunBackendId: randomUUID(), workflowJobRunBackendId: randomUUID() };
    const { artifacts } = await withEnv(service.envFor(other), () => client.listArtifacts());
    expect(artifacts).toEqual([]);
  });

  it("fails with the client's own error for a token without the Actions.Results scope", async () => {
    const token = `e30.${Buffer.from(JSON.stringify({ scp: "Actions.GenericRead:x" })).toString("base64url")}.sig`;
    await expect(
      withEnv({ ACTIONS_RUNTIME_TOKEN: token }, () => client.listArtifacts()),
    ).rejects.toThrow(/The provided JWT token is invalid and\/or missing claims/);
  });

  it("deletes it: gone from the list, the service and Azurite", async () => {
    const stored = service.artifacts()[0];
    const { id } = await client.deleteArtifact(name);
    expect(id).toBe(uploaded.id);
    await expect(client.getArtifact(name)).rejects.toBeInstanceOf(artifact.ArtifactNotFoundError);
    expect(service.artifacts()).toEqual([]);
    const credential = new StorageSharedKeyCredential(azurite.accountName, azurite.accountKey);
    const blob = new BlobServiceClient(azurite.blobUrl, credential)
      .getContainerClient(stored?.container ?? "")
      .getBlobClient(stored?.blobName ?? "");
    expect(await blob.exists()).toBe(false);
    await expect(client.deleteArtifact(name)).rejects.toBeInstanceOf(
      artifact.ArtifactNotFoundError,
    );
  });
});

describe("the results-service fake answers Twirp errors", () => {
  const cases = [
    {
      name: "a missing required field",
      method: "CreateArtifact",
      body: () => ({
        workflow_run_backend_id: service.ids.workflowRunBackendId,
        workflow_job_run_backend_id: service.ids.workflowJobRunBackendId,
        version: 7,
      }),
      status: 400,
      code: "invalid_argument",
      msg: /name: is required/,
    },
    {
      name: "a bad int64",
      method: "ListArtifacts",
      body: () => ({ ...wire(service.ids), id_filter: "12x" }),
      status: 400,
      code: "invalid_argument",
      msg: /id_filter/,
    },
    {
      name: "another run than the token's",
      method: "ListArtifacts",
      body: () => ({ ...wire(service.ids), workflow_run_backend_id: randomUUID() }),
      status: 403,
      code: "permission_denied",
      msg: /not scoped/,
    },
    {
      name: "finalizing an artifact never created",
      method: "FinalizeArtifact",
      body: () => ({ ...wire(service.ids), name: "nope", size: "1" }),
      status: 404,
      code: "not_found",
      msg: /nope/,
    },
    {
      name: "a signed URL for an unknown artifact",
      method: "GetSignedArtifactURL",
      body: () => ({ ...wire(service.ids), name: "nope" }),
      status: 404,
      code: "not_found",
      msg: /nope/,
    },
    {
      name: "an unknown method",
      method: "MigrateArtifact",
      body: () => ({}),
      status: 404,
      code: "bad_route",
      msg: /MigrateArtifact/,
    },
    {
      name: "a forged token",
      method: "ListArtifacts",
      body: () => wire(service.ids),
      token: () => `${service.runtimeToken.slice(0, -4)}AAAA`,
      status: 401,
      code: "unauthenticated",
      msg: /signature/,
    },
  ];

  it.each(cases)("$name", async ({ method, body, token, status, code, msg }) => {
    const res = await fetch(new URL(`/twirp/${ARTIFACT_SERVICE}/${method}`, service.url), {
      method: "POST",
      headers: {
        "Content-Type": "application/json",
        Authorization: `Bearer ${token ? token() : service.runtimeToken}`,
      },
      body: JSON.stringify(body()),
    });
    expect(res.status).toBe(status);
    const answer = (await res.json()) as { code: string; msg: string };
    expect(answer.code).toBe(code);
    expect(answer.msg).toMatch(msg);
  });
});

/** Backend ids as proto field names. */
function wire(ids: ResultsService["ids"]) {
  return {
    workflow_run_backend_id: ids.workflowRunBackendId,
    workflow_job_run_backend_id: ids.workflowJobRunBackendId,
  };
}
