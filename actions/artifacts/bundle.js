// Builds dist/ from lib/ (see scripts/bundle-action.js).
import { fileURLToPath } from "node:url";
import { bundleAction } from "../../scripts/bundle-action.js";

await bundleAction({
  dir: fileURLToPath(new URL(".", import.meta.url)),
  entries: ["index"],
});
