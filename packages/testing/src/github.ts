/**
 * Test helper: a local GitHub REST API whose every request and answer is checked against GitHub's
 * published OpenAPI description (`@octokit/openapi`, `generated/api.github.com.json`), so a test
 * cannot pass with a request GitHub would refuse or an answer GitHub would never send.
 *
 * Private to the workspaces; imported by tests only.
 *
 * @module
 */

import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createRequire } from "node:module";
import type { AddressInfo } from "node:net";
import { Ajv, type ValidateFunction } from "ajv";

/** An OpenAPI operation, as far as this helper reads it. */
interface Operation {
  operationId: string;
  parameters?: { $ref?: string; name?: string; in?: string; schema?: unknown }[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema?: unknown }> }>;
}

interface GitHubApi {
  doc: { paths: Record<string, Record<string, Operation>> } & Record<string, unknown>;
  ajv: Ajv;
  /** Compiled validators by schema object: compiling the large schemas once per process. */
  compiled: Map<unknown, ValidateFunction>;
}

/**
 * Rewrites OpenAPI 3.0 schema dialect into JSON Schema that ajv compiles, in place:
 * - `nullable: true` next to `type: T` becomes `type: [T, "null"]` (and `null` joins an `enum`);
 * - `nullable: true` without `type` (e.g. beside `allOf`) becomes `anyOf: [<the rest>, {type: null}]`;
 * - local `$ref`s (`#/components/...`) point into the document registered as `github`, so a
 *   schema taken out of the document still resolves them.
 */
function rewrite(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) {
      rewrite(item);
    }
    return;
  }
  if (node === null || typeof node !== "object") {
    return;
  }
  const obj = node as Record<string, unknown>;
  for (const value of Object.values(obj)) {
    rewrite(value);
  }
  if (typeof obj.$ref === "string" && obj.$ref.startsWith("#/")) {
    obj.$ref = `github${obj.$ref}`;
  }
  if (obj.nullable === true) {
    delete obj.nullable;
    if (typeof obj.type === "string") {
      obj.type = [obj.type, "null"];
      if (Array.isArray(obj.enum) && !obj.enum.includes(null)) {
        obj.enum = [...obj.enum, null];
      }
    } else if (obj.type === undefined) {
      const rest: Record<string, unknown> = {};
      for (const key of Object.keys(obj)) {
        if (key !== "description" && key !== "title") {
          rest[key] = obj[key];
          delete obj[key];
        }
      }
      obj.anyOf = [rest, { type: "null" }];
    }
  }
}

let loaded: GitHubApi | undefined;

/** The schema of GitHub's error answers; one object, so its validator is compiled once. */
const BASIC_ERROR = Object.freeze({ $ref: "github#/components/schemas/basic-error" });

/** GitHub's OpenAPI description, rewritten for ajv and registered as `github`; read once. */
export function gitHubApi(): GitHubApi {
  if (!loaded) {
    const require = createRequire(import.meta.url);
    const file = require.resolve("@octokit/openapi/generated/api.github.com.json");
    const doc = JSON.parse(readFileSync(file, "utf8")) as GitHubApi["doc"];
    rewrite(doc);
    const ajv = new Ajv({
      strict: false,
      allErrors: true,
      validateFormats: false,
      validateSchema: false,
    });
    ajv.addSchema(doc, "github");
    loaded = { doc, ajv, compiled: new Map() };
  }
  return loaded;
}

/**
 * A copy of one of the OpenAPI description's `components.examples` (e.g. `pull-request`), for a
 * fake's answers to start from real shapes.
 *
 * @throws Error when the description has no example of that name.
 */
export function openApiExample(name: string): Record<string, unknown> {
  const examples = (gitHubApi().doc.components as { examples: Record<string, { value: unknown }> })
    .examples;
  const value = examples[name]?.value;
  if (value === undefined) {
    throw new Error(`@octokit/openapi has no example ${name}`);
  }
  return structuredClone(value) as Record<string, unknown>;
}

/** Follows a `github#/...` reference inside the document. */
function deref<T>(api: GitHubApi, node: T & { $ref?: string }): T {
  let current: unknown = node;
  for (let hops = 0; hops < 10; hops++) {
    const ref = (current as { $ref?: unknown }).$ref;
    if (typeof ref !== "string" || !ref.startsWith("github#/")) {
      return current as T;
    }
    current = ref
      .slice("github#/".length)
      .split("/")
      .map((p) => p.replaceAll("~1", "/").replaceAll("~0", "~"))
      .reduce<unknown>((at, key) => (at as Record<string, unknown>)[key], api.doc);
  }
  throw new Error(`reference loop at ${JSON.stringify(node)}`);
}

/** A request the fake received, after validation. */
export interface FakeRequest {
  /** `POST`, `GET`, ... */
  method: string;
  /** The OpenAPI path template that matched, e.g. `/repos/{owner}/{repo}/actions/runners`. */
  route: string;
  /** The operation's id, e.g. `actions/generate-runner-jitconfig-for-repo`. */
  operationId: string;
  /** Path parameters by name, as sent (decoded strings). */
  params: Record<string, string>;
  /** The query string, parsed (`query.get("per_page")`); empty when none was sent. */
  query: URLSearchParams;
  /** Request headers, lower-case names. */
  headers: Record<string, string | string[] | undefined>;
  /** The parsed JSON body, or `undefined`. */
  body: unknown;
  /**
   * How the fake answered, once it has: the status sent (`304` for a conditional request that
   * matched), `"reset"` when the connection was destroyed, `"hang"` when no answer was sent.
   */
  outcome?: number | "reset" | "hang";
  /** Whether an injected fault answered instead of (or after) the handler. */
  faulted?: boolean;
}

/** What a handler answers. */
export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** What a handler can do besides answering. */
export interface FakeContext {
  /**
   * Serves `content` from a second local server (another origin, like GitHub's signed log and
   * artifact storage URLs) and returns its URL, for a `302` `Location`. Blob requests are not
   * REST requests: they are neither validated nor counted, and are listed in `blobRequests`.
   */
  blob(content: string | Uint8Array, contentType?: string): string;
}

/** Answers one operation. */
export type FakeHandler = (
  request: FakeRequest,
  context: FakeContext,
) => FakeReply | Promise<FakeReply>;

/**
 * A fault injected into one request to a route (see {@link FakeGitHub.inject} and
 * {@link fakeFaults}).
 */
export interface FakeFault {
  /**
   * Whether the handler runs first, so the request is accepted and acted on (a dispatch creates
   * its workflow run) before the fault hides the answer: the worst case for a client that must
   * not repeat a request. Default false: the fault answers and the handler never runs.
   */
  accepted?: boolean;
  /**
   * What the client gets: a reply (validated like any answer: an error status against
   * `basic-error`), `"reset"` (the socket is destroyed without an answer), or `"hang"` (no answer
   * until the client gives up or the fake closes).
   */
  answer: FakeReply | "reset" | "hang";
}

/** Ready-made {@link FakeFault}s, as GitHub sends them. */
export const fakeFaults = {
  /** A 5xx before the request is acted on (default 502, as GitHub's front end answers). */
  serverError(status = 502): FakeFault {
    return { answer: { status, body: { message: "Server Error" } } };
  },
  /** The request is acted on, then the answer is a 5xx (a gateway timeout after the work). */
  acceptedThenServerError(status = 504): FakeFault {
    return { accepted: true, answer: { status, body: { message: "Gateway Timeout" } } };
  },
  /** 429 with `Retry-After` (seconds): a secondary rate limit, as GitHub words it. */
  tooManyRequests(retryAfterS = 1): FakeFault {
    return {
      answer: {
        status: 429,
        headers: { "retry-after": String(retryAfterS) },
        body: {
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url:
            "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits",
          status: "429",
        },
      },
    };
  },
  /** 403 secondary rate limit with `retry-after` (seconds). */
  secondaryRateLimit(retryAfterS = 1): FakeFault {
    return {
      answer: {
        status: 403,
        headers: { "retry-after": String(retryAfterS) },
        body: {
          message:
            "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
          documentation_url:
            "https://docs.github.com/rest/using-the-rest-api/rate-limits-for-the-rest-api#about-secondary-rate-limits",
          status: "403",
        },
      },
    };
  },
  /** 403 primary rate limit: `x-ratelimit-remaining: 0` and `x-ratelimit-reset` (epoch seconds). */
  primaryRateLimit(resetEpochS: number): FakeFault {
    return {
      answer: {
        status: 403,
        headers: {
          "x-ratelimit-limit": "5000",
          "x-ratelimit-remaining": "0",
          "x-ratelimit-used": "5000",
          "x-ratelimit-reset": String(resetEpochS),
          "x-ratelimit-resource": "core",
        },
        body: {
          message: "API rate limit exceeded for installation ID 1.",
          documentation_url:
            "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-primary-rate-limits",
          status: "403",
        },
      },
    };
  },
  /** The connection is reset before the request is acted on. */
  reset(): FakeFault {
    return { answer: "reset" };
  },
  /** The request is acted on, then the connection is reset before the answer. */
  acceptedThenReset(): FakeFault {
    return { accepted: true, answer: "reset" };
  },
  /** No answer at all (the client's timeout decides); `accepted` says whether it was acted on. */
  hang(accepted = false): FakeFault {
    return { accepted, answer: "hang" };
  },
} as const;

/** Options of {@link startFakeGitHub}. */
export interface FakeGitHubOptions {
  /**
   * Route keys (`GET /repos/{owner}/{repo}/actions/runs/{run_id}`) whose `200` answers carry an
   * `ETag` (the handler's, else a weak one computed from the body) and that answer `304 Not
   * Modified` without a body to a request whose `If-None-Match` holds it, as GitHub does
   * ("Use conditional requests if appropriate", docs.github.com/rest/using-the-rest-api/best-practices-for-using-the-rest-api).
   * The handler's answer is validated before it is compared, so a 304 hides no invalid answer.
   */
  conditional?: string[];
}

/** A running fake. */
export interface FakeGitHub {
  /** `http://127.0.0.1:PORT`: the REST API root to give Octokit as `baseUrl`. */
  url: string;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** Every deviation from GitHub's description, in requests or in the handlers' answers. */
  problems: string[];
  /**
   * REST requests that count against the primary rate limit: every request received except
   * those answered `304` (GitHub: "a 304 response does not count against your primary rate
   * limit"). Injected faults count; blob requests do not.
   */
  readonly counted: number;
  /** Conditional requests answered `304 Not Modified`. */
  readonly notModified: number;
  /** Requests to blob URLs made by {@link FakeContext.blob}, in order. */
  blobRequests: { url: string; headers: Record<string, string | string[] | undefined> }[];
  /**
   * Queues faults for a route (a key as in `routes`): each next request to it takes the next
   * fault, in order, instead of the plain answer. Throws for a key that is not served.
   */
  inject(routeKey: string, ...faults: FakeFault[]): void;
  /** Faults still queued for a route. */
  pendingFaults(routeKey: string): number;
  /** Stops the server. */
  close(): Promise<void>;
}

function templateRegex(template: string): { re: RegExp; names: string[] } {
  const names: string[] = [];
  const source = template
    .split("/")
    .map((part) => {
      const m = /^\{(.+)\}$/.exec(part);
      if (m) {
        names.push(m[1] ?? "");
        return "([^/]+)";
      }
      return part.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
    })
    .join("/");
  return { re: new RegExp(`^${source}$`), names };
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

/**
 * A path parameter as its schema types it: a path carries only text, so `"42"` for an
 * `integer` (or `number`) parameter is the number 42, and `"true"`/`"false"` for a `boolean` one
 * the boolean. Text that is not such a value stays text, so the schema still refuses it.
 */
function coerceParam(raw: string, schema: unknown): unknown {
  const type = (schema as { type?: unknown } | null)?.type;
  const types = Array.isArray(type) ? type : [type];
  if (types.includes("integer") && /^-?\d+$/.test(raw)) {
    return Number(raw);
  }
  if (types.includes("number") && raw.trim() !== "" && Number.isFinite(Number(raw))) {
    return Number(raw);
  }
  if (types.includes("boolean") && (raw === "true" || raw === "false")) {
    return raw === "true";
  }
  return raw;
}

function ajvErrors(validate: ValidateFunction): string {
  return (validate.errors ?? [])
    .map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`.trim())
    .join("; ");
}

/**
 * Starts a fake GitHub REST API on 127.0.0.1 (a free port).
 *
 * Each route key is `METHOD TEMPLATE` exactly as in GitHub's description
 * (`POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig`); a key the description lacks
 * throws at once. For every request the fake checks, recording each deviation in `problems`:
 * the route exists; path parameters match their schemas (after reading a path parameter as its
 * schema's type: `"42"` is the integer 42); an `Authorization` header and an
 * `application/vnd.github` or JSON `Accept` are sent; a JSON body is sent where the operation
 * takes one and it validates against the `requestBody` schema (an invalid body is answered 422
 * as GitHub would, without calling the handler). The handler's answer is validated against the
 * operation's response schema for that status (for an undocumented status of 400 and above,
 * against `basic-error`, which GitHub's error answers use).
 *
 * Beyond plain answers: conditional requests (`ETag`/`If-None-Match` -> `304`) for the routes
 * named in {@link FakeGitHubOptions.conditional}, a count of rate-limited requests
 * (`counted`, `notModified`), faults injected per route ({@link FakeGitHub.inject},
 * {@link fakeFaults}), and blob URLs on a second origin for `302` redirects
 * ({@link FakeContext.blob}). An injected reply is validated like a handler's.
 */
export async function startFakeGitHub(
  routes: Record<string, FakeHandler>,
  options: FakeGitHubOptions = {},
): Promise<FakeGitHub> {
  const api = gitHubApi();
  const validator = (schema: unknown): ValidateFunction => {
    let fn = api.compiled.get(schema);
    if (!fn) {
      fn = api.ajv.compile(schema as object);
      api.compiled.set(schema, fn);
    }
    return fn;
  };
  const table = Object.entries(routes).map(([key, handler]) => {
    const [method = "", route = ""] = key.split(" ");
    const operation = api.doc.paths[route]?.[method.toLowerCase()];
    if (!operation) {
      throw new Error(`fake GitHub: ${key} is not in GitHub's OpenAPI description`);
    }
    return { key, method, route, operation, handler, ...templateRegex(route) };
  });
  const conditional = new Set(options.conditional ?? []);
  for (const key of conditional) {
    if (!table.some((r) => r.key === key)) {
      throw new Error(`fake GitHub: conditional route ${key} is not served`);
    }
  }
  const requests: FakeRequest[] = [];
  const problems: string[] = [];
  const faultQueues = new Map<string, FakeFault[]>();
  const stats = { counted: 0, notModified: 0 };
  const blobs = new Map<string, { content: string | Uint8Array; contentType: string }>();
  const blobRequests: FakeGitHub["blobRequests"] = [];
  const blobServer = createServer((req, res) => {
    blobRequests.push({ url: req.url ?? "/", headers: req.headers });
    const blob = blobs.get(new URL(req.url ?? "/", "http://blob").pathname);
    if (!blob) {
      res.writeHead(404, { "content-type": "text/plain" });
      res.end("BlobNotFound");
      return;
    }
    res.writeHead(200, { "content-type": blob.contentType });
    res.end(blob.content);
  });
  await new Promise<void>((resolve) => blobServer.listen(0, "127.0.0.1", resolve));
  const blobPort = (blobServer.address() as AddressInfo).port;
  const context: FakeContext = {
    blob(content, contentType = "text/plain; charset=utf-8") {
      const path = `/blobs/${blobs.size + 1}`;
      blobs.set(path, { content, contentType });
      return `http://127.0.0.1:${blobPort}${path}?sig=fake`;
    },
  };

  /** Validates a reply against the operation's description for its status. */
  const checkReply = (where: string, operation: Operation, reply: FakeReply): void => {
    const documented = operation.responses[String(reply.status)];
    const responseSchema = documented
      ? deref(api, documented).content?.["application/json"]?.schema
      : reply.status >= 400
        ? BASIC_ERROR
        : undefined;
    if (responseSchema === undefined) {
      if (reply.body !== undefined || !documented) {
        problems.push(`${where}: status ${reply.status} is not documented for this operation`);
      }
    } else {
      const validate = validator(responseSchema);
      if (!validate(reply.body)) {
        problems.push(`${where}: ${reply.status} answer: ${ajvErrors(validate)}`);
      }
    }
  };

  const send = (res: ServerResponse, reply: FakeReply): void => {
    res.writeHead(reply.status, {
      "content-type": "application/json; charset=utf-8",
      ...reply.headers,
    });
    res.end(reply.body === undefined ? "" : JSON.stringify(reply.body));
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const method = req.method ?? "GET";
    const url = new URL(req.url ?? "/", "http://fake");
    const path = url.pathname;
    const text = await readBody(req);
    const found = table
      .map((r) => ({ r, m: method === r.method ? r.re.exec(path) : null }))
      .find((x) => x.m);
    if (!found?.m) {
      stats.counted++;
      problems.push(`${method} ${path}: no such route in this fake`);
      send(res, {
        status: 404,
        body: { message: "Not Found", documentation_url: "", status: "404" },
      });
      return;
    }
    const { r, m } = found;
    const where = `${method} ${r.route}`;
    const params = Object.fromEntries(
      r.names.map((n, i) => [n, decodeURIComponent(m[i + 1] ?? "")]),
    );
    for (const param of r.operation.parameters ?? []) {
      const p = deref(api, param);
      if (p.in === "path" && p.name && p.schema) {
        const schema = deref(api, p.schema as { $ref?: string });
        const validate = validator(schema);
        const raw = params[p.name];
        if (!validate(raw === undefined ? raw : coerceParam(raw, schema))) {
          problems.push(`${where}: path parameter ${p.name}: ${ajvErrors(validate)}`);
        }
      }
    }
    if (!req.headers.authorization) {
      problems.push(`${where}: no Authorization header`);
    }
    const accept = String(req.headers.accept ?? "");
    if (!/application\/(vnd\.github|json)/.test(accept)) {
      problems.push(`${where}: Accept ${JSON.stringify(accept)} is not a GitHub media type`);
    }
    let body: unknown;
    if (text !== "") {
      try {
        body = JSON.parse(text);
      } catch {
        problems.push(`${where}: the body is not JSON: ${JSON.stringify(text.slice(0, 80))}`);
      }
    }
    const bodySchema = r.operation.requestBody?.content?.["application/json"]?.schema;
    if (bodySchema !== undefined) {
      if (!/application\/json/.test(String(req.headers["content-type"] ?? ""))) {
        problems.push(`${where}: Content-Type is not application/json`);
      }
      const validate = validator(bodySchema);
      if (!validate(body)) {
        const errors = ajvErrors(validate);
        problems.push(`${where}: request body: ${errors}`);
        stats.counted++;
        send(res, {
          status: 422,
          body: { message: "Invalid request.", documentation_url: "", errors: [errors] },
        });
        return;
      }
    }
    const request: FakeRequest = {
      method,
      route: r.route,
      operationId: r.operation.operationId,
      params,
      query: url.searchParams,
      headers: req.headers,
      body,
    };
    requests.push(request);
    const fault = faultQueues.get(r.key)?.shift();
    if (fault) {
      request.faulted = true;
    }
    let reply: FakeReply | undefined;
    if (!fault || fault.accepted) {
      reply = await r.handler(request, context);
      checkReply(where, r.operation, reply);
    }
    if (fault) {
      stats.counted++;
      if (fault.answer === "reset") {
        request.outcome = "reset";
        res.socket?.destroy();
        return;
      }
      if (fault.answer === "hang") {
        request.outcome = "hang";
        return;
      }
      checkReply(`${where} (injected fault)`, r.operation, fault.answer);
      request.outcome = fault.answer.status;
      send(res, fault.answer);
      return;
    }
    if (!reply) {
      return;
    }
    if (conditional.has(r.key) && reply.status === 200) {
      const etag =
        reply.headers?.etag ??
        `W/"${createHash("sha256")
          .update(JSON.stringify(reply.body ?? null))
          .digest("hex")
          .slice(0, 32)}"`;
      reply = { ...reply, headers: { ...reply.headers, etag } };
      const ifNoneMatch = String(req.headers["if-none-match"] ?? "");
      if (ifNoneMatch.split(",").some((tag) => tag.trim() === etag || tag.trim() === "*")) {
        stats.notModified++;
        request.outcome = 304;
        res.writeHead(304, { etag });
        res.end();
        return;
      }
    }
    stats.counted++;
    request.outcome = reply.status;
    send(res, reply);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      problems.push(`fake GitHub crashed: ${String(error)}`);
      send(res, { status: 400, body: { message: String(error) } });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  const closeServer = (s: typeof server): Promise<void> =>
    new Promise<void>((resolve, reject) => {
      s.closeAllConnections();
      s.close((error) => (error ? reject(error) : resolve()));
    });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    problems,
    get counted() {
      return stats.counted;
    },
    get notModified() {
      return stats.notModified;
    },
    blobRequests,
    inject(routeKey, ...faults) {
      if (!table.some((r) => r.key === routeKey)) {
        throw new Error(`fake GitHub: cannot inject faults into ${routeKey}: it is not served`);
      }
      faultQueues.set(routeKey, [...(faultQueues.get(routeKey) ?? []), ...faults]);
    },
    pendingFaults: (routeKey) => faultQueues.get(routeKey)?.length ?? 0,
    close: async () => {
      await Promise.all([closeServer(server), closeServer(blobServer)]);
    },
  };
}
