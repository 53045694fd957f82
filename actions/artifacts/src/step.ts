// The entry point for @github/local-action, which imports a module and calls its `run()`: the
// same step as dist/index.js, failures included, without running it on import.
export { runStep as run } from "./main.js";
