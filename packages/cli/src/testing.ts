/**
 * Test helpers shared by this package's tests (not exported from the package).
 *
 * @module
 */
import { main } from "./main.js";

/** Runs `dstack` in-process in `cwd`, with `env` (default `process.env`), capturing its output. */
export async function runDstack(argv: string[], cwd: string, env: NodeJS.ProcessEnv = process.env) {
  let stdout = "";
  let stderr = "";
  const status = await main(argv, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    cwd,
    env,
  });
  return { status, stdout, stderr };
}
