/**
 * Test helper: a local GitHub REST API whose every request and answer is checked against GitHub's
 * published OpenAPI description (`@octokit/openapi`, `generated/api.github.com.json`), so a test
 * cannot pass with a request GitHub would refuse or an answer GitHub would never send.
 *
 * Private to the workspaces; imported by tests only.
 *
 * @module
 */

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
    loaded = { doc, ajv };
  }
  return loaded;
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
}

/** What a handler answers. */
export interface FakeReply {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

/** Answers one operation. */
export type FakeHandler = (request: FakeRequest) => FakeReply | Promise<FakeReply>;

/** A running fake. */
export interface FakeGitHub {
  /** `http://127.0.0.1:PORT`: the REST API root to give Octokit as `baseUrl`. */
  url: string;
  /** Every request received, in order. */
  requests: FakeRequest[];
  /** Every deviation from GitHub's description, in requests or in the handlers' answers. */
  problems: string[];
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
 */
export async function startFakeGitHub(routes: Record<string, FakeHandler>): Promise<FakeGitHub> {
  const api = gitHubApi();
  const compiled = new Map<unknown, ValidateFunction>();
  const validator = (schema: unknown): ValidateFunction => {
    let fn = compiled.get(schema);
    if (!fn) {
      fn = api.ajv.compile(schema as object);
      compiled.set(schema, fn);
    }
    return fn;
  };
  const table = Object.entries(routes).map(([key, handler]) => {
    const [method = "", route = ""] = key.split(" ");
    const operation = api.doc.paths[route]?.[method.toLowerCase()];
    if (!operation) {
      throw new Error(`fake GitHub: ${key} is not in GitHub's OpenAPI description`);
    }
    return { method, route, operation, handler, ...templateRegex(route) };
  });
  const requests: FakeRequest[] = [];
  const problems: string[] = [];

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
    const reply = await r.handler(request);
    const documented = r.operation.responses[String(reply.status)];
    const responseSchema = documented
      ? deref(api, documented).content?.["application/json"]?.schema
      : reply.status >= 400
        ? { $ref: "github#/components/schemas/basic-error" }
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
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    problems,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.closeAllConnections();
        server.close((error) => (error ? reject(error) : resolve()));
      }),
  };
}
