/**
 * One workflow: schema -> normalize -> named rules -> a {@link Job} or diagnostics.
 *
 * The schema (`schema.ts`) checks shapes with ajv; the rules here check what a JSON Schema cannot
 * say well, each with a message that names the field, what was given and what is allowed.
 *
 * @module
 */
import { posix } from "node:path";
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import { closest, distance } from "fastest-levenshtein";
import { split as shellSplit } from "shlex";
import type { Diagnostic, FieldPath } from "./diagnostics.js";
import { validateWorkflow as precompiledWorkflowValidator } from "./generated/workflow-validator.js";
import { gpuNameProblem, normalizeGpuName } from "./gpu.js";
import type { Dep, GpuRequest, Job, MetricDirection, Resources } from "./job.js";
import type { Locator } from "./locator.js";
import { metricNameProblem } from "./metric-names.js";
import { ENV_NAME_PATTERN, SIZE_FORMAT, WORKFLOW_NAME_PATTERN } from "./schema.js";
import { parseSize } from "./units.js";

/** Tag names: the same alphabet as workflow names (they end up in artifact names). */
export const TAG_PATTERN = WORKFLOW_NAME_PATTERN;

const ENV_NAME_RE = new RegExp(ENV_NAME_PATTERN);
const TAG_RE = new RegExp(TAG_PATTERN);
const VERSION_RE = /^3(\.\d+){0,2}$/;

/**
 * Builds the ajv instance shared by the file and workflow validators.
 *
 * The schemas are ours and fixed, so they are not checked against the JSON Schema meta-schema
 * on every start (`validateSchema: false`): compiling the meta-schema cost about 60 ms of each
 * action's and CLI's start. `schema.test.ts` checks them against it instead (pass
 * `{ validateSchema: true }` there).
 */
export function createAjv(options: { validateSchema?: boolean } = {}): Ajv {
  const ajv = new Ajv({
    allErrors: true,
    verbose: true,
    strict: true,
    allowUnionTypes: true,
    validateSchema: options.validateSchema ?? false,
  });
  ajv.addFormat(SIZE_FORMAT, { type: "string", validate: (s: string) => "bytes" in parseSize(s) });
  return ajv;
}

/**
 * The workflow validator: `WorkflowSchema` (schema.ts) compiled by ajv at build time
 * (`generated/workflow-validator.ts`, see `validator-code.ts`), so no start pays for compiling it;
 * `schema.test.ts` checks it against the schema.
 */
const workflowValidator = precompiledWorkflowValidator as unknown as ValidateFunction;

/**
 * Suggests the closest allowed word, for did-you-mean hints.
 *
 * @returns the closest candidate within an edit distance of max(2, a third of its length), or
 *   `undefined`.
 */
export function didYouMean(given: string, candidates: readonly string[]): string | undefined {
  if (candidates.length === 0) return undefined;
  const lower = given.toLowerCase();
  const best = closest(lower, [...candidates]);
  const limit = Math.max(2, Math.floor(best.length / 3));
  return distance(lower, best) <= limit ? best : undefined;
}

/** How a value is described in messages: strings quoted, maps and lists by kind. */
export function describeValue(value: unknown): string {
  if (value === null || value === undefined) return "nothing";
  if (Array.isArray(value)) return "a list";
  if (typeof value === "object") return "a map";
  if (typeof value === "string") return JSON.stringify(value);
  return String(value);
}

const TYPE_NAMES: Record<string, string> = {
  string: "a string",
  integer: "an integer",
  number: "a number",
  boolean: "true or false",
  object: "a map",
  array: "a list",
  null: "nothing",
};

function typeName(schema: unknown): string {
  const s = schema as { type?: string | string[]; format?: string };
  if (s.format === SIZE_FORMAT) return "a size such as 16GB";
  const types = Array.isArray(s.type) ? s.type : s.type ? [s.type] : [];
  return types.map((t) => TYPE_NAMES[t] ?? t).join(" or ") || "a value";
}

/** JSON pointer (`/resources/gpu/0`) to a field path, with list indexes as numbers. */
function pointerToPath(pointer: string, root: unknown): (string | number)[] {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let node = root;
  for (const raw of pointer.slice(1).split("/")) {
    const part = raw.replaceAll("~1", "/").replaceAll("~0", "~");
    if (Array.isArray(node)) {
      const i = Number(part);
      out.push(i);
      node = node[i];
    } else {
      out.push(part);
      node = (node as Record<string, unknown> | undefined)?.[part];
    }
  }
  return out;
}

/** Collects diagnostics for one workflow with its locator. */
class Reporter {
  readonly diagnostics: Diagnostic[] = [];
  constructor(
    private readonly loc: Locator,
    private readonly workflow: string | undefined,
  ) {}

  report(
    severity: Diagnostic["severity"],
    path: FieldPath,
    message: string,
    options?: { key?: boolean },
  ): void {
    const pos = this.loc.position(path, options);
    this.diagnostics.push({
      severity,
      source: this.loc.source,
      ...(pos ? { line: pos.line, col: pos.col } : {}),
      field: this.loc.field(path),
      message,
      ...(this.workflow ? { workflow: this.workflow } : {}),
    });
  }
  error(path: FieldPath, message: string, options?: { key?: boolean }): void {
    this.report("error", path, message, options);
  }
  warn(path: FieldPath, message: string): void {
    this.report("warning", path, message);
  }
}

/**
 * Turns ajv's errors into messages that say what was given and what is allowed. Unions
 * (`gpu: 2` or `gpu: {count: 2}`) are resolved by the type of the value: the errors of the branch
 * whose type matches are kept; when none matches, one "expected A or B" message is given.
 */
export function translateSchemaErrors(
  errors: readonly ErrorObject[],
  root: unknown,
  out: { error(path: FieldPath, message: string, options?: { key?: boolean }): void },
  basePath: FieldPath = [],
): void {
  const dropped = new Set<ErrorObject>();
  const unions = errors
    .filter((e) => e.keyword === "anyOf")
    .sort((a, b) => a.schemaPath.length - b.schemaPath.length);
  for (const u of unions) {
    if (dropped.has(u)) continue;
    const byBranch = new Map<number, ErrorObject[]>();
    for (const e of errors) {
      if (dropped.has(e) || !e.schemaPath.startsWith(`${u.schemaPath}/`)) continue;
      const branch = Number(e.schemaPath.slice(u.schemaPath.length + 1).split("/")[0]);
      byBranch.set(branch, [...(byBranch.get(branch) ?? []), e]);
    }
    const branches = u.schema as unknown[];
    const matching = branches
      .map((_, i) => i)
      .filter(
        (i) =>
          !(byBranch.get(i) ?? []).some(
            (e) =>
              e.instancePath === u.instancePath && (e.keyword === "type" || e.keyword === "format"),
          ),
      )
      .sort((a, b) => (byBranch.get(a)?.length ?? 0) - (byBranch.get(b)?.length ?? 0));
    const keep = matching[0];
    const tied =
      matching.length > 1 &&
      (byBranch.get(matching[0] ?? -1)?.length ?? 0) ===
        (byBranch.get(matching[1] ?? -1)?.length ?? 0);
    for (const [branch, errs] of byBranch) {
      if (branch !== keep || tied) for (const e of errs) dropped.add(e);
    }
    if (keep !== undefined && !tied) {
      dropped.add(u);
    } else if (tied) {
      // Several maps fit the type (deps: {tag} or {workflow}): say which shapes are allowed.
      const shapes = matching.map((i) => {
        const s = branches[i] as { properties?: Record<string, unknown> };
        return `{${Object.keys(s.properties ?? {}).join(", ")}: ...}`;
      });
      (u as ErrorObject & { dstackMessage?: string }).dstackMessage =
        `expected exactly one of ${shapes.join(" or ")}, got a map with ${Object.keys(
          (u.data as Record<string, unknown>) ?? {},
        )
          .map((k) => JSON.stringify(k))
          .join(", ")}`;
    }
  }

  for (const e of errors) {
    if (dropped.has(e)) continue;
    const path = [...basePath, ...pointerToPath(e.instancePath, root)];
    const parent = e.parentSchema as Record<string, unknown> | undefined;
    const isSize = parent?.format === SIZE_FORMAT;
    switch (e.keyword) {
      case "anyOf": {
        const custom = (e as ErrorObject & { dstackMessage?: string }).dstackMessage;
        const names = [...new Set((e.schema as unknown[]).map(typeName))];
        out.error(path, custom ?? `expected ${names.join(" or ")}, got ${describeValue(e.data)}`);
        break;
      }
      case "type": {
        // A direction of another type: the enum's message below says what is allowed.
        if (path.length === 2 && path[0] === "metrics") break;
        if (isSize && (typeof e.data === "number" || typeof e.data === "string")) {
          const r = parseSize(String(e.data));
          out.error(path, "error" in r ? r.error.message : `expected a size such as 16GB`);
        } else {
          out.error(path, `expected ${typeName(parent)}, got ${describeValue(e.data)}`);
        }
        break;
      }
      case "format": {
        const r = parseSize(String(e.data));
        out.error(path, "error" in r ? r.error.message : `expected a size such as 16GB`);
        break;
      }
      case "additionalProperties": {
        const key = (e.params as { additionalProperty: string }).additionalProperty;
        const pattern = parent?.patternProperties
          ? Object.keys(parent.patternProperties as object)[0]
          : undefined;
        if (pattern === ENV_NAME_PATTERN) {
          out.error(
            [...path, key],
            `${JSON.stringify(key)} is not a valid environment variable name; use letters, digits and _, not starting with a digit`,
            { key: true },
          );
          break;
        }
        const allowed = Object.keys((parent?.properties as object) ?? {});
        const hint = didYouMean(key, allowed);
        out.error(
          [...path, key],
          `unknown key ${JSON.stringify(key)}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ""} (allowed: ${allowed.join(", ")})`,
          { key: true },
        );
        break;
      }
      case "required": {
        const key = (e.params as { missingProperty: string }).missingProperty;
        const desc = (parent?.properties as Record<string, { description?: string }>)?.[key]
          ?.description;
        out.error(path, `missing required key ${JSON.stringify(key)}${desc ? ` (${desc})` : ""}`);
        break;
      }
      case "minimum": {
        const limit = (e.params as { limit: number }).limit;
        const field = path.join(".");
        const hint =
          field.endsWith("gpu") || field.endsWith("gpu.count")
            ? "; leave resources.gpu out for a job without GPUs"
            : "";
        out.error(path, `must be at least ${limit}, got ${describeValue(e.data)}${hint}`);
        break;
      }
      case "minLength":
        out.error(path, "must not be empty");
        break;
      case "enum": {
        const allowed = (e.params as { allowedValues: unknown[] }).allowedValues.map(String);
        if (path.length === 2 && path[0] === "metrics") {
          out.error(path, metricDirectionMessage(e.data));
          break;
        }
        const what = path[path.length - 1] === "provider" ? "a provider" : "allowed";
        const hint = didYouMean(String(e.data), allowed);
        out.error(
          path,
          `${describeValue(e.data)} is not ${what}${hint ? `; did you mean ${JSON.stringify(hint)}?` : ""} (${what === "allowed" ? "allowed" : "providers"}: ${allowed.join(", ")})`,
        );
        break;
      }
      case "pattern":
        if (parent?.pattern === WORKFLOW_NAME_PATTERN) {
          out.error(
            path,
            `${describeValue(e.data)} is not a valid name; use letters, digits, ".", "_" and "-", starting with a letter or digit`,
          );
        } else {
          out.error(path, `${describeValue(e.data)} does not match ${String(parent?.pattern)}`);
        }
        break;
      default:
        out.error(path, `${describeValue(e.data)} is not allowed here (${e.message ?? e.keyword})`);
    }
  }
}

/** Words people write for a direction, and the one `metrics:` takes. */
const DIRECTION_WORDS: Readonly<Record<string, MetricDirection>> = {
  lower: "min",
  minimize: "min",
  minimise: "min",
  minimum: "min",
  down: "min",
  higher: "max",
  maximize: "max",
  maximise: "max",
  maximum: "max",
  up: "max",
};

/** The message for a `metrics:` value that is not `min` or `max`, with a did-you-mean. */
function metricDirectionMessage(given: unknown): string {
  const word = typeof given === "string" ? given.trim().toLowerCase() : "";
  const hint = Object.hasOwn(DIRECTION_WORDS, word)
    ? DIRECTION_WORDS[word]
    : didYouMean(word, ["min", "max"]);
  return `${describeValue(given)} is not a direction${hint ? `; did you mean ${JSON.stringify(hint)}?` : ""} (allowed: min when lower is better, max when higher is better)`;
}

/**
 * Normalizes a relative path and checks that it stays inside its base.
 *
 * @param value - the path as written.
 * @param base - the repository-relative folder it is relative to (`.` for the root).
 * @returns `{ path }` normalized (no `./`, no trailing `/`), or `{ error }` for absolute paths,
 *   `~`, or paths whose `..` leave the repository.
 */
export function checkRepoPath(value: string, base = "."): { path: string } | { error: string } {
  if (value.startsWith("/") || /^[A-Za-z]:[\\/]/.test(value) || value.startsWith("\\")) {
    return {
      error: `${JSON.stringify(value)} is absolute; give a path relative to the repository`,
    };
  }
  if (value === "~" || value.startsWith("~/")) {
    return {
      error: `${JSON.stringify(value)} is in the home folder; give a path inside the repository`,
    };
  }
  if (value.includes("\0")) {
    return { error: `${JSON.stringify(value)} contains a NUL byte` };
  }
  const normalized = posix.normalize(value.replaceAll("\\", "/")).replace(/\/+$/, "") || ".";
  const joined = posix.normalize(posix.join(base, normalized));
  if (joined === ".." || joined.startsWith("../")) {
    return { error: `${JSON.stringify(value)} leaves the repository; paths must stay inside it` };
  }
  return { path: normalized };
}

/** Options of {@link validateWorkflow}. */
export interface ValidateWorkflowOptions {
  /** Where each field came from. */
  locator: Locator;
  /**
   * Tells whether a repository-relative file exists. Given by callers that can read the
   * repository (the CLI); without it, existence is not checked (this package does no I/O).
   */
  fileExists?: (repoPath: string) => boolean;
}

/**
 * Validates one workflow as written (a YAML map, or what the argv grammar built) and normalizes it.
 *
 * @param raw - the workflow's plain value.
 * @returns `job` when there are no errors, and every diagnostic (errors and warnings). Never
 *   throws on user input.
 */
export function validateWorkflow(
  raw: unknown,
  options: ValidateWorkflowOptions,
): { job?: Job; diagnostics: Diagnostic[] } {
  const { locator } = options;
  const name =
    raw && typeof raw === "object" && typeof (raw as { name?: unknown }).name === "string"
      ? (raw as { name: string }).name
      : undefined;
  const r = new Reporter(locator, name);
  if (!workflowValidator(raw)) {
    translateSchemaErrors(workflowValidator.errors ?? [], raw, r);
  }
  if (!raw || typeof raw !== "object" || Array.isArray(raw)) {
    return { diagnostics: r.diagnostics };
  }
  const w = raw as Record<string, unknown>;
  const str = (v: unknown): v is string => typeof v === "string";

  // file / script
  if (w.file !== undefined && w.script !== undefined) {
    r.error(["script"], 'give "file" or its older name "script", not both');
  } else if (w.file === undefined && w.script === undefined) {
    r.error([], 'missing required key "file" (the Python file to run)');
  }
  const fileKey = w.file !== undefined ? "file" : "script";

  // working_dir, then the paths relative to it
  let workingDir = ".";
  if (str(w.working_dir)) {
    const p = checkRepoPath(w.working_dir);
    if ("error" in p) r.error(["working_dir"], p.error);
    else workingDir = p.path;
  }
  const relPath = (key: string, value: unknown, base: string): string | undefined => {
    if (!str(value) || value === "") return undefined;
    const p = checkRepoPath(value, base);
    if ("error" in p) {
      r.error([key], p.error);
      return undefined;
    }
    const repoPath = posix.join(base, p.path);
    if (options.fileExists && !options.fileExists(repoPath)) {
      r.error(
        [key],
        `${JSON.stringify(value)} does not exist (looked for ${repoPath} in the repository)`,
      );
    }
    return p.path;
  };
  const file = relPath(fileKey, w[fileKey], workingDir);
  const requirements = relPath("requirements", w.requirements, workingDir);

  // args
  let args: string[] = [];
  if (Array.isArray(w.args)) {
    args = w.args.filter(str);
  } else if (str(w.args)) {
    try {
      args = shellSplit(w.args);
    } catch (e) {
      r.error(
        ["args"],
        `${JSON.stringify(w.args)} cannot be split as a shell would (${(e as Error).message}); close the quote, or write args as a list`,
      );
    }
  }

  // version
  let version: string | undefined;
  if (typeof w.version === "number") {
    const text = locator.sourceText(["version"]);
    if (text !== undefined && VERSION_RE.test(text)) {
      version = text;
      if (text !== String(w.version)) {
        r.warn(
          ["version"],
          `${text} is written unquoted, which YAML reads as the number ${w.version}; read as "${text}", quote it: version: "${text}"`,
        );
      }
    } else {
      r.error(["version"], `${w.version} must be a quoted string such as version: "3.11"`);
    }
  } else if (str(w.version)) {
    if (VERSION_RE.test(w.version)) version = w.version;
    else
      r.error(
        ["version"],
        `${JSON.stringify(w.version)} is not a Python 3 version; write e.g. "3.11" or "3.10.14"`,
      );
  }

  // environment / env
  const environment: Record<string, string> = {};
  if (w.environment !== undefined && w.env !== undefined) {
    r.error(["env"], 'give "environment" or its short name "env", not both');
  }
  const envKey = w.environment !== undefined ? "environment" : "env";
  const env = w[envKey];
  if (Array.isArray(env)) {
    env.forEach((item, i) => {
      if (!str(item)) return;
      const eq = item.indexOf("=");
      const key = eq < 0 ? item : item.slice(0, eq);
      if (eq < 0) {
        r.error([envKey, i], `${JSON.stringify(item)} is not NAME=VALUE`);
      } else if (!ENV_NAME_RE.test(key)) {
        r.error(
          [envKey, i],
          `${JSON.stringify(key)} is not a valid environment variable name; use letters, digits and _, not starting with a digit`,
        );
      } else if (key in environment) {
        r.error([envKey, i], `${JSON.stringify(key)} is set twice`);
      } else {
        environment[key] = item.slice(eq + 1);
      }
    });
  } else if (env && typeof env === "object") {
    for (const [key, value] of Object.entries(env)) {
      if (!ENV_NAME_RE.test(key)) continue; // reported by the schema
      if (typeof value === "number") {
        // YAML reads 1.10 as 1.1 and 010 as 8: keep what was written.
        environment[key] = locator.sourceText([envKey, key]) ?? String(value);
      } else if (typeof value === "string" || typeof value === "boolean") {
        environment[key] = String(value);
      }
    }
  }

  // artifacts
  const artifacts: string[] = [];
  if (Array.isArray(w.artifacts)) {
    w.artifacts.forEach((item, i) => {
      const value = str(item) ? item : (item as { path?: unknown } | null)?.path;
      if (!str(value) || value === "") return;
      const where = str(item) ? [i] : [i, "path"];
      const p = checkRepoPath(value);
      if ("error" in p) {
        r.error(["artifacts", ...where], p.error);
      } else if (p.path === ".") {
        r.error(
          ["artifacts", ...where],
          `${JSON.stringify(value)} is the whole repository; name the folders to keep`,
        );
      } else if (artifacts.includes(p.path)) {
        r.error(["artifacts", ...where], `${JSON.stringify(value)} is listed twice`);
      } else {
        artifacts.push(p.path);
      }
    });
  }

  // before_run
  const beforeRun = Array.isArray(w.before_run)
    ? w.before_run.filter(str)
    : str(w.before_run)
      ? [w.before_run]
      : [];

  const resources = normalizeResources(w.resources, r);
  const deps = normalizeDeps(w.deps, r);
  const metrics = normalizeMetrics(w.metrics, r);

  if (r.diagnostics.some((d) => d.severity === "error") || file === undefined) {
    return { diagnostics: r.diagnostics };
  }
  const job: Job = {
    workflow: name ?? null,
    provider: "python",
    file,
    args,
    ...(requirements !== undefined ? { requirements } : {}),
    ...(version !== undefined ? { version } : {}),
    environment,
    artifacts,
    workingDir,
    beforeRun,
    resources,
    deps,
    ...(metrics !== undefined ? { metrics } : {}),
  };
  return { job, diagnostics: r.diagnostics };
}

function sizeOf(value: unknown): number | undefined {
  if (typeof value !== "string") return undefined;
  const s = parseSize(value);
  return "bytes" in s ? s.bytes : undefined; // errors were reported by the schema's format
}

function normalizeResources(value: unknown, r: Reporter): Resources {
  const res: Resources = { interruptible: false };
  if (!value || typeof value !== "object" || Array.isArray(value)) return res;
  const v = value as Record<string, unknown>;
  if (Number.isInteger(v.cpu) && (v.cpu as number) >= 1) res.cpu = v.cpu as number;
  const memory = sizeOf(v.memory);
  if (memory !== undefined) res.memoryBytes = memory;
  const shm = sizeOf(v.shm_size);
  if (shm !== undefined) res.shmSizeBytes = shm;
  if (typeof v.interruptible === "boolean") res.interruptible = v.interruptible;
  const gpu = v.gpu;
  if (Number.isInteger(gpu) && (gpu as number) >= 1) {
    res.gpu = { count: gpu as number };
  } else if (gpu && typeof gpu === "object" && !Array.isArray(gpu)) {
    const g = gpu as Record<string, unknown>;
    const out: GpuRequest = { count: Number.isInteger(g.count) ? (g.count as number) : 1 };
    if (typeof g.name === "string" && g.name !== "") {
      const problem = gpuNameProblem(g.name);
      if (problem) r.error(["resources", "gpu", "name"], problem);
      else out.name = normalizeGpuName(g.name);
    }
    const mem = sizeOf(g.memory);
    if (mem !== undefined) out.memoryBytes = mem;
    if (out.count >= 1) res.gpu = out;
  }
  return res;
}

function normalizeDeps(value: unknown, r: Reporter): Dep[] {
  const deps: Dep[] = [];
  if (!Array.isArray(value)) return deps;
  value.forEach((item, i) => {
    if (!item || typeof item !== "object") return;
    const d = item as Record<string, unknown>;
    const keys = Object.keys(d);
    if (keys.length !== 1) return; // reported by the schema
    if (typeof d.tag === "string" && d.tag !== "") {
      if (!TAG_RE.test(d.tag)) {
        r.error(
          ["deps", i, "tag"],
          `${JSON.stringify(d.tag)} is not a valid tag; use letters, digits, ".", "_" and "-", starting with a letter or digit`,
        );
      } else {
        deps.push({ tag: d.tag });
      }
    } else if (typeof d.workflow === "string" && d.workflow !== "") {
      deps.push({ workflow: d.workflow });
    } else if (typeof d.run === "string" && d.run !== "") {
      if (!TAG_RE.test(d.run)) {
        r.error(
          ["deps", i, "run"],
          `${JSON.stringify(d.run)} is not a valid run name; use letters, digits, ".", "_" and "-", starting with a letter or digit`,
        );
      } else {
        deps.push({ run: d.run });
      }
    }
  });
  return deps;
}

/**
 * `metrics:`, the directions by metric name: each name checked by {@link metricNameProblem} (an
 * error at its key); values other than `min` and `max` were reported by the schema. `undefined`
 * when the workflow has no `metrics:` map.
 */
function normalizeMetrics(
  value: unknown,
  r: Reporter,
): Record<string, MetricDirection> | undefined {
  if (!value || typeof value !== "object" || Array.isArray(value)) return undefined;
  const kept: [string, MetricDirection][] = [];
  for (const [name, direction] of Object.entries(value)) {
    const problem = metricNameProblem(name);
    if (problem !== undefined) r.error(["metrics", name], problem, { key: true });
    else if (direction === "min" || direction === "max") kept.push([name, direction]);
  }
  // fromEntries defines own properties: a metric named __proto__ stays a metric.
  return Object.fromEntries(kept);
}
