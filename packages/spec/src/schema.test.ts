import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv, type ValidateFunction } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import {
  validateWorkflow as precompiledWorkflowValidator,
  validateWorkflowsFileShape,
} from "./generated/workflow-validator.js";
import {
  PolicyFileSchema,
  policyJsonSchema,
  WorkflowSchema,
  WorkflowsFileShapeSchema,
  workflowsJsonSchema,
} from "./schema.js";
import { createAjv } from "./validate.js";
import { workflowValidatorCode } from "./validator-code.js";

const here = new URL(".", import.meta.url).pathname;
const committedPath = join(here, "../schema/workflows.schema.json");
const committedPolicyPath = join(here, "../schema/policy.schema.json");
const examples = join(here, "../../../examples");

/** Every workflows file shipped under examples/. */
function exampleFiles(): string[] {
  const out: string[] = [];
  for (const example of readdirSync(examples)) {
    const dstack = join(examples, example, ".dstack");
    for (const entry of readdirSync(dstack, { withFileTypes: true, recursive: true })) {
      if (entry.isFile() && /\.ya?ml$/.test(entry.name))
        out.push(join(entry.parentPath, entry.name));
    }
  }
  return out;
}

describe("the committed JSON Schema", () => {
  // The committed file is the snapshot: a change to the file's shape is a reviewed change.
  // Update it with `npm run schema -w @dstack/spec` (vitest -u on this file).
  it("is what src/schema.ts generates", async () => {
    await expect(`${JSON.stringify(workflowsJsonSchema(), null, 2)}\n`).toMatchFileSnapshot(
      committedPath,
    );
  });

  // An editor knows nothing of our size format: the schema must still load and judge shapes.
  const editor = new Ajv({ strict: false, allErrors: true }).compile(
    JSON.parse(readFileSync(committedPath, "utf8")),
  );

  it.each(exampleFiles().map((file) => ({ name: file.slice(examples.length + 1), file })))(
    "accepts the example $name as an editor would",
    ({ file }) => {
      expect(editor(parse(readFileSync(file, "utf8")))).toBe(true);
    },
  );

  // The validators skip the meta-schema check at start (validate.ts); it is made here instead.
  it("the schema the validator compiles is valid JSON Schema", () => {
    const ajv = createAjv({ validateSchema: true });
    expect(ajv.validateSchema(WorkflowSchema), ajv.errorsText()).toBe(true);
    expect(() => ajv.compile(WorkflowSchema)).not.toThrow();
    expect(() => ajv.compile({ type: "object", properties: { x: { type: "nope" } } })).toThrow(
      /schema is invalid/,
    );
  });

  it("points editors at mistakes", () => {
    expect(editor({ workflows: [{ name: "w", file: "t.py", requirments: "r.txt" }] })).toBe(false);
    expect(editor({ workflows: [{ name: "w", file: "t.py", resources: { gpu: 0 } }] })).toBe(false);
    expect(editor({ workflows: [{ name: "w", file: "t.py", metrics: { f1: "up" } }] })).toBe(false);
    expect(editor({ workflows: [{ name: "w", file: "t.py", metrics: { f1: "max" } }] })).toBe(true);
  });
});

describe("the committed policy JSON Schema", () => {
  // Like workflows.schema.json: the committed file is the snapshot (`npm run schema -w @dstack/spec`).
  it("is what src/schema.ts generates", async () => {
    await expect(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`).toMatchFileSnapshot(
      committedPolicyPath,
    );
  });

  it("the schema the validator compiles is valid JSON Schema", () => {
    const ajv = createAjv({ validateSchema: true });
    expect(ajv.validateSchema(PolicyFileSchema), ajv.errorsText()).toBe(true);
  });

  const editor = () =>
    new Ajv({ strict: false, allErrors: true }).compile(
      JSON.parse(readFileSync(committedPolicyPath, "utf8")),
    );

  const cases = [
    { name: "accepts {}", value: {}, ok: true },
    {
      name: "accepts every rule",
      value: {
        gpu: { names: ["A100", "NVIDIA H100"], max_count: 4 },
        triggers: {
          events: ["workflow_dispatch", "issue_comment"],
          actors: ["alice", "dependabot[bot]"],
          permission: "write",
        },
      },
      ok: true,
    },
    { name: "refuses an unknown key", value: { gpu: { max_cont: 4 } }, ok: false },
    { name: "refuses a negative max_count", value: { gpu: { max_count: -1 } }, ok: false },
    { name: "refuses an unknown role", value: { triggers: { permission: "owner" } }, ok: false },
    { name: "refuses an event in capitals", value: { triggers: { events: ["Push"] } }, ok: false },
  ];
  it.each(cases)("$name", ({ value, ok }) => {
    expect(editor()(value)).toBe(ok);
  });
});

describe("the precompiled workflow validator", () => {
  // The committed file is the snapshot (`npm run schema -w @dstack/spec` rewrites it).
  it("is what src/validator-code.ts generates from WorkflowSchema", async () => {
    await expect(workflowValidatorCode()).toMatchFileSnapshot(
      join(here, "generated/workflow-validator.ts"),
    );
  });

  it.each([
    { name: "a valid workflow", raw: { name: "w", provider: "python", file: "t.py" } },
    { name: "a bad size", raw: { name: "w", file: "t.py", resources: { memory: "16GBB" } } },
    { name: "an unknown key", raw: { name: "w", file: "t.py", requirments: "r.txt" } },
    { name: "a wrong type", raw: { name: "w", file: "t.py", resources: { gpu: "many" } } },
    { name: "an empty name", raw: { name: "", file: "t.py", artifacts: [""] } },
    { name: "a metric direction", raw: { name: "w", file: "t.py", metrics: { f1: "up", l: 1 } } },
    { name: "not an object", raw: ["w"] },
  ])("answers like ajv compiling the schema now: $name", ({ raw }) => {
    const compiled = createAjv().compile(WorkflowSchema);
    const precompiled = precompiledWorkflowValidator as unknown as ValidateFunction;
    const ok = compiled(raw);
    expect(precompiled(raw)).toBe(ok);
    // As JSON: the live schema objects also carry TypeBox's symbol keys.
    const json = (v: unknown) => JSON.parse(JSON.stringify(v ?? null));
    expect(json(precompiled.errors)).toEqual(json(compiled.errors));
    expect(ok ? 0 : (compiled.errors?.length ?? 0)).toBe(precompiled.errors?.length ?? 0);
  });

  it.each([
    { name: "a file", raw: { workflows: [{}] } },
    { name: "no workflows", raw: { workflow: [] } },
    { name: "not a list", raw: { workflows: "train" } },
  ])("the file shape answers like ajv compiling it now: $name", ({ raw }) => {
    const compiled = createAjv().compile(WorkflowsFileShapeSchema);
    const precompiled = validateWorkflowsFileShape as unknown as ValidateFunction;
    expect(precompiled(raw)).toBe(compiled(raw));
    expect(JSON.parse(JSON.stringify(precompiled.errors ?? null))).toEqual(
      JSON.parse(JSON.stringify(compiled.errors ?? null)),
    );
  });
});
