/**
 * Test helpers shared by this package's tests (not exported from the package).
 *
 * @module
 */
import { type Io, main } from "./main.js";

/**
 * Runs `dstack` in-process in `cwd`, with `env` (default `process.env`), capturing its output.
 * `io` adds test-only parts of {@link Io}, e.g. a simulated clock's `sleep` and `now`.
 */
export async function runDstack(
  argv: string[],
  cwd: string,
  env: NodeJS.ProcessEnv = process.env,
  io: Pick<Io, "sleep" | "now"> = {},
) {
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
    ...io,
  });
  return { status, stdout, stderr };
}
