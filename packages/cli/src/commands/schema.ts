/**
 * `dstack schema`: the JSON Schema of `.dstack/workflows.yaml`, for editors.
 *
 * @module
 */
import { workflowsJsonSchema } from "@dstack/spec";
import type { RunContext } from "../context.js";

/** Prints the schema as indented JSON. */
export function schemaCommand(ctx: RunContext): number {
  ctx.stdout(`${JSON.stringify(workflowsJsonSchema(), null, 2)}\n`);
  return 0;
}
