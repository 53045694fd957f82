/**
 * The one source of the shapes users write: `.dstack/workflows.yaml`, `.dstack/policy.yaml` and a
 * `repository_dispatch`'s `client_payload`. The validators compile these schemas, and the
 * committed JSON Schemas (`schema/workflows.schema.json` and `schema/policy.schema.json`, for
 * editors) are generated from them (`npm run schema -w @dstack/spec`; a test fails when a
 * committed file is stale).
 *
 * Keys and descriptions come from the python provider's reference (its `script:` and `file:` forms).
 * Semantic rules that a JSON Schema cannot say well (sizes, paths, deps, duplicate names) live in
 * `validate.ts` as named rules, so their messages can say what is allowed.
 *
 * @module
 */
import { type Static, type TSchema, Type } from "@sinclair/typebox";
import { METRIC_DIRECTIONS, PROVIDERS } from "./job.js";

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

/** `resources.gpu` written as an object (dstack's Python provider, "gpu"). */
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

/** `resources` (dstack's Python provider, "resources"). */
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
    Type.Object(
      {
        run: Type.String({
          minLength: 1,
          description:
            "A run name whose artifacts this workflow needs, whatever the run's end (how a resumed attempt gets the checkpoints of the one before)",
        }),
      },
      { additionalProperties: false },
    ),
  ],
  {
    description: "A tag, a workflow or a run whose artifacts are placed in the repository first",
  },
);

const stringOrList = (description: string, item: string) =>
  Type.Union([Type.String({ description: item }), Type.Array(Type.String({ description: item }))], {
    description,
  });

/** One workflow of `workflows:` with the python provider's keys (its `script:` and `file:` forms). */
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
        description: "The tags, workflows and runs whose artifacts this workflow needs",
      }),
    ),
    metrics: Type.Optional(
      Type.Record(
        Type.String(),
        Type.String({
          enum: [...METRIC_DIRECTIONS],
          description: "min: lower is better (a loss); max: higher is better (an accuracy)",
        }),
        {
          description:
            "Which way is better for the named metrics, e.g. val_loss: min, f1: max. Metrics not named here follow the name rule: names with loss, error, err, perplexity, ppl, mae, mse or rmse are lower-is-better, others higher-is-better.",
        },
      ),
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

/**
 * GitHub event names in `triggers.events` of `.dstack/policy.yaml`: the alphabet of the event
 * names GitHub documents (`workflow_dispatch`, `issue_comment`).
 */
export const EVENT_NAME_PATTERN = "^[a-z_]+$";

/**
 * GitHub logins in `triggers.actors`: letters, digits and hyphens, not starting with a hyphen
 * (looser than GitHub's sign-up rule, which older logins predate), optionally ending in `[bot]`
 * as an app's login does (`dependabot[bot]` is what `github.actor` holds when an app starts a run).
 */
export const ACTOR_PATTERN = "^[A-Za-z0-9][A-Za-z0-9-]*(?:\\[bot\\])?$";

/**
 * Repository roles, lowest first (docs.github.com/organizations/managing-user-access-to-your-organizations-repositories/managing-repository-roles/repository-roles-for-an-organization).
 * `none` is a user without access.
 */
export const REPOSITORY_ROLES = ["none", "read", "triage", "write", "maintain", "admin"] as const;

/** `gpu:` of `.dstack/policy.yaml`: the GPUs a job may ask for. */
export const PolicyGpuSchema = Type.Object(
  {
    names: Type.Optional(
      Type.Array(Type.String({ minLength: 1, description: 'A GPU model, e.g. "A100" or "H100"' }), {
        description:
          'The GPU models jobs may ask for, matched by model ("NVIDIA A100" = "a100" = "A100"). When set, a job that asks for GPUs must name one of them. Absent: any model.',
      }),
    ),
    max_count: Type.Optional(
      Type.Integer({
        minimum: 0,
        description: "The most GPUs one job may ask for; 0 allows no GPU jobs. Absent: no limit.",
      }),
    ),
  },
  { additionalProperties: false, description: "The GPUs a job may ask for" },
);

/** `triggers:` of `.dstack/policy.yaml`: who may start runs, and from which events. */
export const PolicyTriggersSchema = Type.Object(
  {
    events: Type.Optional(
      Type.Array(
        Type.String({
          pattern: EVENT_NAME_PATTERN,
          description: "A GitHub Actions event name, e.g. workflow_dispatch",
        }),
        { description: "The GitHub events that may start runs. Absent: any event." },
      ),
    ),
    actors: Type.Optional(
      Type.Array(
        Type.String({
          pattern: ACTOR_PATTERN,
          description: "A GitHub login (matched case-insensitively, as GitHub does)",
        }),
        { description: "The GitHub logins that may start runs. Absent: anyone." },
      ),
    ),
    permission: Type.Optional(
      Type.String({
        enum: [...REPOSITORY_ROLES],
        description:
          "The lowest repository role that may start runs: none, read, triage, write, maintain or admin. Absent: no role beyond what the trigger itself requires.",
      }),
    ),
  },
  { additionalProperties: false, description: "Who may start runs, and from which events" },
);

/** A workflow file name in `.github/workflows/`, as `artifacts.trusted_workflows` lists them. */
export const WORKFLOW_FILE_PATTERN = "^[A-Za-z0-9_.-]+\\.ya?ml$";

/** `artifacts:` of `.dstack/policy.yaml`: which runs' tags and artifacts readers trust. */
export const PolicyArtifactsSchema = Type.Object(
  {
    pull_requests_write_shared_tags: Type.Optional(
      Type.Boolean({
        description:
          "Whether runs of pull-request code may move shared tags (e.g. best). Default false: such a run writes tag T as pr-<number>.T, which default-branch runs never read as T.",
      }),
    ),
    trusted_workflows: Type.Optional(
      Type.Array(
        Type.String({
          pattern: WORKFLOW_FILE_PATTERN,
          description: "A workflow file name in .github/workflows/, e.g. nightly.yml",
        }),
        {
          description:
            "Workflows (besides the runner workflow) whose runs' tags and artifacts count from any branch and any event but a pull request's. Runs of any workflow on the default branch by push, schedule, workflow_dispatch or repository_dispatch count anyway.",
        },
      ),
    ),
  },
  {
    additionalProperties: false,
    description: "Which workflow runs' tags and artifacts readers trust",
  },
);

/** The whole `.dstack/policy.yaml`. Every key is optional; `{}` allows everything. */
export const PolicyFileSchema = Type.Object(
  {
    gpu: Type.Optional(PolicyGpuSchema),
    triggers: Type.Optional(PolicyTriggersSchema),
    artifacts: Type.Optional(PolicyArtifactsSchema),
  },
  {
    additionalProperties: false,
    title: "dstack policy",
    description:
      "dstack policy (.dstack/policy.yaml): the repository's guard on cost and on who starts runs",
  },
);

/** Where the committed policy JSON Schema is published, for `$id`. */
export const POLICY_SCHEMA_ID =
  "https://raw.githubusercontent.com/dstack/run-python/main/packages/spec/schema/policy.schema.json";

/**
 * The JSON Schema of `.dstack/policy.yaml` for editors (draft-07), like
 * {@link workflowsJsonSchema}.
 *
 * @returns a plain JSON object; the committed file is this, `JSON.stringify`d with 2 spaces.
 */
export function policyJsonSchema(): Record<string, unknown> {
  const plain = JSON.parse(JSON.stringify(PolicyFileSchema as TSchema)) as Record<string, unknown>;
  return { $schema: "http://json-schema.org/draft-07/schema#", $id: POLICY_SCHEMA_ID, ...plain };
}

/**
 * The `client_payload` of a `repository_dispatch` with `event_type: dstack-run` (see
 * `dispatch-payload.ts`). Shapes only; `ref`, `tag`, `run_name` and `args` strings are checked by
 * named rules there.
 */
export const DispatchPayloadSchema = Type.Object(
  {
    workflow: Type.String({
      pattern: WORKFLOW_NAME_PATTERN,
      description: "The workflow to run, as `dstack run WORKFLOW`",
    }),
    args: Type.Optional(
      stringOrList(
        "The arguments for the Python program, replacing the workflow's: a list kept exactly, or a string split as a shell would",
        "An argument",
      ),
    ),
    env: Type.Optional(
      Type.Record(
        Type.String({ pattern: ENV_NAME_PATTERN }),
        Type.Union([Type.String(), Type.Number(), Type.Boolean()]),
        {
          description: "Environment variables set over the workflow's, as `-e NAME=VALUE`",
          additionalProperties: false,
        },
      ),
    ),
    resources: Type.Optional(ResourcesSchema),
    ref: Type.Optional(
      Type.String({
        minLength: 1,
        description: "The branch, tag or commit SHA to run; the default branch when absent",
      }),
    ),
    tag: Type.Optional(
      Type.String({ minLength: 1, description: "A tag to point at the run's artifacts" }),
    ),
    run_name: Type.Optional(
      Type.String({ minLength: 1, description: "The run's name, e.g. sharp-shrimp-1" }),
    ),
  },
  { additionalProperties: false, description: "The client_payload of a dstack-run dispatch" },
);

/** A workflows file's outer shape only (`workflows:`, a list of objects); each workflow is checked by the workflow schema. */
export const WorkflowsFileShapeSchema = {
  type: "object",
  properties: { workflows: { type: "array", items: { type: "object" } } },
  required: ["workflows"],
  additionalProperties: false,
} as const;
