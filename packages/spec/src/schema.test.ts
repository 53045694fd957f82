import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { WorkflowSchema, workflowsJsonSchema } from "./schema.js";
import { createAjv } from "./validate.js";

const here = new URL(".", import.meta.url).pathname;
const committedPath = join(here, "../schema/workflows.schema.json");
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
  });
});
