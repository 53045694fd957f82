/**
 * The `client_payload` of a `repository_dispatch` with `event_type: dstack-run`: a run asked for
 * through the REST API (`POST /repos/{owner}/{repo}/dispatches`), as `dstack run WORKFLOW ...`
 * would ask for it on the command line.
 *
 * ```json
 * {
 *   "event_type": "dstack-run",
 *   "client_payload": {
 *     "workflow": "train",
 *     "args": "--epochs 3",
 *     "env": { "SEED": 1 },
 *     "resources": { "gpu": { "count": 2, "name": "A100" } },
 *     "ref": "main",
 *     "tag": "best",
 *     "run_name": "sharp-shrimp-1"
 *   }
 * }
 * ```
 *
 * The payload comes from whoever holds a token for the repository, so nothing in it is trusted:
 * shapes are checked by {@link DispatchPayloadSchema}, `ref`, `tag`, `run_name` and an `args`
 * string by named rules here, and the job's values by {@link runCommandJob} with the workflows
 * file's rules.
 *
 * @module
 */
import { split as shellSplit } from "shlex";
import type { RunCommand } from "./argv.js";
import type { Diagnostic, FieldPath } from "./diagnostics.js";
import { formatFieldPath } from "./diagnostics.js";
import { gpuNameProblem } from "./gpu.js";
import { parseRunName } from "./runname.js";
import { DispatchPayloadSchema } from "./schema.js";
import { createAjv, describeValue, TAG_PATTERN, translateSchemaErrors } from "./validate.js";

/** The `event_type` of a dispatch that asks for a dstack run. */
export const DISPATCH_EVENT_TYPE = "dstack-run";

/**
 * The largest `client_payload` accepted, in characters of its JSON (GitHub's limit, REST API
 * "Create a repository dispatch event": "The maximum payload size is 65,535 characters").
 */
export const MAX_DISPATCH_PAYLOAD_CHARS = 65535;

/**
 * The most top-level properties of a `client_payload` (GitHub's limit, REST API "Create a
 * repository dispatch event": "The `client_payload` can include a maximum of 10 top-level
 * properties").
 */
export const MAX_DISPATCH_PAYLOAD_PROPERTIES = 10;

/** The longest `ref` accepted, in characters. */
export const MAX_DISPATCH_REF_CHARS = 255;

/** What a `dstack-run` dispatch asks for, once its payload passed {@link parseDispatchPayload}. */
export interface DispatchRequest {
  /**
   * The run, as `dstack run WORKFLOW ...` would ask for it: feed it to {@link runCommandJob} with
   * the workflows file's jobs. `target` is `{ workflow }`, `detach` and `help` are `false`,
   * `overrides` holds the keys the argv parser produces for the same options (`args`,
   * `environment` as `NAME=VALUE` strings, `resources` with `gpu` as an object), and `hasArgs` is
   * `true` when the payload has `args` (they replace the workflow's, even when empty).
   */
  command: RunCommand;
  /**
   * Where the code runs: a branch, tag or full/short commit SHA, checked against
   * `git check-ref-format`'s rules; absent = the default branch. Given to `actions/checkout`,
   * never to a shell.
   */
  ref?: string;
  /** A tag to point at the run's artifacts on success ({@link TAG_PATTERN}). */
  tag?: string;
  /** A run name, `adjective-animal-N` ({@link parseRunName}). */
  runName?: string;
}

const SOURCE = "client_payload";
const TAG_RE = new RegExp(TAG_PATTERN);

/**
 * Why `ref` is not a ref `git check-ref-format` (and `git rev-parse`) would take, or `undefined`.
 *
 * The rules (git-check-ref-format(1)): no whitespace or control characters; none of
 * `~ ^ : ? * [ \`; no `..`; no `@{`; not `@` alone; no leading `-` (it would read as an option);
 * no `//`, no leading or trailing `/`, no trailing `.`; no component starting with `.` or ending
 * with `.lock`. A hex SHA passes them all.
 */
function refProblem(ref: string): string | undefined {
  if (ref.length > MAX_DISPATCH_REF_CHARS) {
    return `is ${ref.length} characters long; refs are at most ${MAX_DISPATCH_REF_CHARS}`;
  }
  if (/\s/.test(ref)) return "contains whitespace";
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what is refused
  if (/[\x00-\x1f\x7f]/.test(ref)) return "contains a control character";
  const special = /[~^:?*[\\]/.exec(ref);
  if (special) return `contains ${JSON.stringify(special[0])}`;
  if (ref.includes("..")) return 'contains ".."';
  if (ref.includes("@{")) return 'contains "@{"';
  if (ref === "@") return 'is "@" alone';
  if (ref.startsWith("-")) return 'starts with "-"';
  if (ref.includes("//")) return 'contains "//"';
  if (ref.startsWith("/") || ref.endsWith("/")) return 'starts or ends with "/"';
  if (ref.endsWith(".")) return 'ends with "."';
  for (const part of ref.split("/")) {
    if (part.startsWith(".")) return `has a part starting with "." (${JSON.stringify(part)})`;
    if (part.endsWith(".lock")) return `has a part ending with ".lock" (${JSON.stringify(part)})`;
  }
  return undefined;
}

/**
 * Checks the `client_payload` of a `dstack-run` dispatch and turns it into a
 * {@link DispatchRequest}. Every problem is reported at once.
 *
 * Keys (snake_case; unknown keys are errors with a did-you-mean):
 * - `workflow` (required): the workflow to run, {@link WORKFLOW_NAME_PATTERN};
 * - `args`: a list of strings kept exactly, or a string split as a shell would (as the workflows
 *   file's `args` string is); replaces the workflow's args;
 * - `env`: a map of NAME ({@link ENV_NAME_PATTERN}) to a string, number or boolean; set over the
 *   workflow's variables, as `-e NAME=VALUE`;
 * - `resources`: the workflows file's `resources` (cpu, memory, gpu as a count or a map,
 *   shm_size, interruptible); each key given replaces the workflow's, as `--cpu`, `--gpu` … do
 *   (`interruptible: true` makes the job interruptible; `false` does not undo a workflow's
 *   `true`, as on the command line);
 * - `ref`: 1 to {@link MAX_DISPATCH_REF_CHARS} characters, a git ref name or a hex SHA;
 * - `tag`: {@link TAG_PATTERN}; `run_name`: a run name such as `sharp-shrimp-1`.
 *
 * Refused as a whole: anything but a JSON object, more than
 * {@link MAX_DISPATCH_PAYLOAD_PROPERTIES} top-level properties, JSON longer than
 * {@link MAX_DISPATCH_PAYLOAD_CHARS} characters (GitHub's limits).
 *
 * @param clientPayload - `github.event.client_payload`, as parsed from JSON.
 * @returns `{ request }`, or `{ errors }` with source `client_payload` and fields such as
 *   `client_payload.resources.gpu.count`. Never throws on any input.
 */
export function parseDispatchPayload(
  clientPayload: unknown,
): { request: DispatchRequest } | { errors: Diagnostic[] } {
  const errors: Diagnostic[] = [];
  const error = (path: FieldPath, message: string): void => {
    errors.push({
      severity: "error",
      source: SOURCE,
      field: formatFieldPath([SOURCE, ...path]),
      message,
    });
  };

  if (clientPayload === null || typeof clientPayload !== "object" || Array.isArray(clientPayload)) {
    error([], `expected a JSON object, got ${describeValue(clientPayload)}`);
    return { errors };
  }
  const p = clientPayload as Record<string, unknown>;

  let chars: number | undefined;
  try {
    chars = JSON.stringify(p).length;
  } catch (e) {
    error([], `cannot be written as JSON (${(e as Error).message})`);
  }
  if (chars !== undefined && chars > MAX_DISPATCH_PAYLOAD_CHARS) {
    error(
      [],
      `the payload is ${chars} characters of JSON; GitHub allows at most ${MAX_DISPATCH_PAYLOAD_CHARS}`,
    );
  }
  const keys = Object.keys(p);
  if (keys.length > MAX_DISPATCH_PAYLOAD_PROPERTIES) {
    error(
      [],
      `has ${keys.length} top-level properties; GitHub allows at most ${MAX_DISPATCH_PAYLOAD_PROPERTIES}`,
    );
  }

  // Compiled here, not at import: about 8 ms that every importer of @dstack/spec (the actions'
  // cold start) would pay, for a payload read once per run.
  const payloadValidator = createAjv().compile(DispatchPayloadSchema);
  if (!payloadValidator(p)) {
    translateSchemaErrors(payloadValidator.errors ?? [], p, {
      error: (path, message) => error(path, message),
    });
  }

  const str = (v: unknown): v is string => typeof v === "string";
  const overrides: Record<string, unknown> = {};

  // args: replace the workflow's; a string is split as the workflows file's args string is.
  let hasArgs = false;
  if (Array.isArray(p.args)) {
    if (p.args.every(str)) {
      overrides.args = [...p.args];
      hasArgs = true;
    }
  } else if (str(p.args)) {
    try {
      overrides.args = shellSplit(p.args);
      hasArgs = true;
    } catch (e) {
      error(
        ["args"],
        `${JSON.stringify(p.args)} cannot be split as a shell would (${(e as Error).message}); close the quote, or give args as a list`,
      );
    }
  }

  // env: NAME=VALUE strings, the shape -e gives.
  if (p.env && typeof p.env === "object" && !Array.isArray(p.env)) {
    const environment = Object.entries(p.env as Record<string, unknown>).flatMap(([k, v]) =>
      str(v) || typeof v === "number" || typeof v === "boolean" ? [`${k}=${String(v)}`] : [],
    );
    if (environment.length > 0) overrides.environment = environment;
  }

  // resources: as --cpu, --memory, --gpu, --gpu-name, --gpu-memory, --shm-size, -i give them.
  if (p.resources && typeof p.resources === "object" && !Array.isArray(p.resources)) {
    const resources = { ...(p.resources as Record<string, unknown>) };
    const gpu = resources.gpu;
    if (typeof gpu === "number") {
      resources.gpu = { count: gpu };
    } else if (gpu && typeof gpu === "object" && !Array.isArray(gpu)) {
      const g = { ...(gpu as Record<string, unknown>) };
      resources.gpu = g;
      const problem = str(g.name) ? gpuNameProblem(g.name) : undefined;
      if (problem) error(["resources", "gpu", "name"], problem);
    }
    if (Object.keys(resources).length > 0) overrides.resources = resources;
  }

  if (str(p.ref) && p.ref !== "") {
    const problem = refProblem(p.ref);
    if (problem) {
      error(
        ["ref"],
        `${JSON.stringify(p.ref)} is not a git ref: it ${problem}; give a branch, a tag or a commit SHA`,
      );
    }
  }
  if (str(p.tag) && p.tag !== "" && !TAG_RE.test(p.tag)) {
    error(
      ["tag"],
      `${JSON.stringify(p.tag)} is not a valid tag; use letters, digits, ".", "_" and "-", starting with a letter or digit`,
    );
  }
  if (str(p.run_name) && p.run_name !== "" && parseRunName(p.run_name) === null) {
    error(
      ["run_name"],
      `${JSON.stringify(p.run_name)} is not a run name; run names are adjective-animal-N in lower case, e.g. sharp-shrimp-1`,
    );
  }

  if (errors.length > 0 || !str(p.workflow)) return { errors };
  return {
    request: {
      command: {
        target: { workflow: p.workflow },
        detach: false,
        help: false,
        overrides,
        hasArgs,
      },
      ...(str(p.ref) ? { ref: p.ref } : {}),
      ...(str(p.tag) ? { tag: p.tag } : {}),
      ...(str(p.run_name) ? { runName: p.run_name } : {}),
    },
  };
}
