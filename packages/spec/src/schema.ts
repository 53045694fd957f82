/**
 * The one source of `.dstack/workflows.yaml`'s shape: the validator compiles these schemas, and
 * the committed JSON Schema (`schema/workflows.schema.json`, for editors) is generated from them
 * (`npm run schema -w @dstack/spec`; a test fails when the committed file is stale).
 *
 * Keys and descriptions come from the python provider's reference (seeds 000 and 001).
 * Semantic rules that a JSON Schema cannot say well (sizes, paths, deps, duplicate names) live in
 * `validate.ts` as named rules, so their messages can say what is allowed.
 *
 * @module
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { PROVIDERS } from "./job.js";

/** Environment variable names: POSIX portable names (IEEE Std 1003.1, 8.1). */
export const ENV_NAME_PATTERN = "^[A-Za-z_][A-Za-z0-9_]*$";

/** Workflow names: used on the command line, in run names and in artifact names. */
export const WORKFLOW_NAME_PATTERN = "^[A-Za-z0-9][A-Za-z0-9._-]*$";

/** The ajv format that marks a size string; checked by `parseSize` (see `units.ts`). */
export const SIZE_FORMAT = "dstack-size";

const size = (description: string) =>
  Type.String({
    format: SIZE_FORMAT,
    description: `${description}. Decimal units KB, MB, GB, TB (10^3n bytes) or binary KiB, MiB, GiB, TiB (2^10n bytes), e.g. "16GB" or "512MiB".`,
    examples: ["16GB", "512MiB"],
  });

const path = (description: string) => Type.String({ minLength: 1, description });

const count = (description: string) => Type.Integer({ minimum: 1, description });

/** `resources.gpu` written as an object (seed 001, "gpu"). */
export const GpuObjectSchema = Type.Object(
  {
    count: Type.Optional(count("The number of GPUs; 1 when only a name or memory is given")),
    name: Type.Optional(
      Type.String({
        minLength: 1,
        description: 'The name of the GPU model (e.g. "K80", "V100", "H100")',
      }),
    ),
    memory: Type.Optional(size("The size of GPU memory per GPU")),
  },
  { additionalProperties: false, description: "The number of GPUs, their model name and memory" },
);

/** `resources` (seed 001, "resources"). */
export const ResourcesSchema = Type.Object(
  {
    cpu: Type.Optional(count("The number of CPU cores")),
    memory: Type.Optional(size("The size of RAM memory")),
    gpu: Type.Optional(
      Type.Union([count("The number of GPUs"), GpuObjectSchema], {
        description: "The number of GPUs, or their count, model name and memory",
      }),
    ),
    shm_size: Type.Optional(size("The size of shared memory (/dev/shm)")),
    interruptible: Type.Optional(
      Type.Boolean({
        description:
          "true if the workflow can run on interruptible (spot) machines. By default, it's false.",
      }),
    ),
  },
  { additionalProperties: false, description: "The hardware resources required by the workflow" },
);

const ArtifactSchema = Type.Union(
  [
    path("A folder saved as an output artifact, relative to the repository root"),
    Type.Object(
      { path: path("A folder saved as an output artifact, relative to the repository root") },
      { additionalProperties: false },
    ),
  ],
  { description: "A folder saved as an output artifact" },
);

const EnvironmentSchema = Type.Union(
  [
    Type.Record(
      Type.String({ pattern: ENV_NAME_PATTERN }),
      Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
      {
        description: "Variable names and their values",
        additionalProperties: false,
      },
    ),
    Type.Array(Type.String({ description: "NAME=VALUE" }), {
      description: "A list of NAME=VALUE",
    }),
  ],
  { description: "The environment variables and their values" },
);

const DepSchema = Type.Union(
  [
    Type.Object(
      {
        tag: Type.String({
          minLength: 1,
          description: "A tag whose artifacts this workflow needs",
        }),
      },
      { additionalProperties: false },
    ),
    Type.Object(
      {
        workflow: Type.String({
          minLength: 1,
          description: "A workflow whose latest successful run's artifacts this workflow needs",
        }),
      },
      { additionalProperties: false },
    ),
  ],
  { description: "A tag or a workflow whose artifacts are placed in the repository first" },
);

const stringOrList = (description: string, item: string) =>
  Type.Union([Type.String({ description: item }), Type.Array(Type.String({ description: item }))], {
    description,
  });

/** One workflow of `workflows:` with the python provider's keys (seeds 000 and 001). */
export const WorkflowSchema = Type.Object(
  {
    name: Type.String({
      pattern: WORKFLOW_NAME_PATTERN,
      description: "The workflow name, used as `dstack run NAME`",
    }),
    provider: Type.Optional(
      Type.String({
        enum: [...PROVIDERS],
        description: "The provider that runs the workflow; python by default",
      }),
    ),
    file: Type.Optional(path("The Python file to run, relative to working_dir")),
    script: Type.Optional(path("The Python file to run (the older name of `file`)")),
    args: Type.Optional(
      stringOrList(
        "The arguments for the Python program: a list kept exactly, or a string split as a shell would",
        "An argument",
      ),
    ),
    requirements: Type.Optional(
      path("The path to the requirements.txt file, relative to working_dir"),
    ),
    version: Type.Optional(
      Type.Union([Type.String(), Type.Number()], {
        description:
          'The Python version, e.g. "3.11"; quote it, since YAML reads 3.10 as 3.1. By default, the host\'s python3.',
      }),
    ),
    environment: Type.Optional(EnvironmentSchema),
    env: Type.Optional(EnvironmentSchema),
    artifacts: Type.Optional(
      Type.Array(ArtifactSchema, {
        description: "The folders that must be saved as output artifacts",
      }),
    ),
    working_dir: Type.Optional(path("The working directory, relative to the repository root")),
    before_run: Type.Optional(
      stringOrList(
        "The shell commands to run before running the Python file",
        "A shell command, run by bash -e",
      ),
    ),
    resources: Type.Optional(ResourcesSchema),
    deps: Type.Optional(
      Type.Array(DepSchema, {
        description: "The tags and workflows whose artifacts this workflow needs",
      }),
    ),
  },
  {
    additionalProperties: false,
    description: "A workflow run by the python provider",
  },
);

/** The whole `.dstack/workflows.yaml` (or one file of `.dstack/workflows/`). */
export const WorkflowsFileSchema = Type.Object(
  {
    workflows: Type.Array(WorkflowSchema, { description: "The workflows of this repository" }),
  },
  {
    additionalProperties: false,
    title: "dstack workflows",
    description: "dstack workflows (.dstack/workflows.yaml)",
  },
);

/** A workflow as written, once it passed the schema. */
export type RawWorkflow = Static<typeof WorkflowSchema>;

/** Where the committed JSON Schema is published, for `$id`. */
export const SCHEMA_ID =
  "https://raw.githubusercontent.com/dstack/run-python/main/packages/spec/schema/workflows.schema.json";

/**
 * The JSON Schema of `.dstack/workflows.yaml` for editors (draft-07, which yaml-language-server
 * and VS Code read): put `# yaml-language-server: $schema=<path or URL>` at the top of the file.
 *
 * @returns a plain JSON object; the committed file is this, `JSON.stringify`d with 2 spaces.
 */
export function workflowsJsonSchema(): Record<string, unknown> {
  // TypeBox keeps its metadata under symbols; a JSON round trip leaves the plain schema.
  const plain = JSON.parse(JSON.stringify(WorkflowsFileSchema as TSchema)) as Record<
    string,
    unknown
  >;
  return { $schema: "http://json-schema.org/draft-07/schema#", $id: SCHEMA_ID, ...plain };
}
