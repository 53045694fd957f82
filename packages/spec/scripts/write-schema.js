// Writes schema/workflows.schema.json from the TypeBox source (src/schema.ts), via the build.
// Run: npm run build -w @dstack/spec && npm run schema -w @dstack/spec
import { writeFileSync } from "node:fs";
import { workflowsJsonSchema } from "../lib/index.js";

const target = new URL("../schema/workflows.schema.json", import.meta.url);
writeFileSync(target, `${JSON.stringify(workflowsJsonSchema(), null, 2)}\n`);
console.log(`wrote ${target.pathname}`);
