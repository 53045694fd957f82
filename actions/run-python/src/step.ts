// The entry point for @github/local-action, which imports a module and calls its `run()`.
export { runStep as run } from "./main.js";
