/**
 * The {@link Io} of the `dstack` process: its standard streams, current folder and environment.
 *
 * @module
 */
import type { Io } from "./context.js";

/**
 * A writer to `stream` that stops writing once the stream fails: a closed pipe (`dstack run … |
 * head -2` after `head` exits: EPIPE) or a closed terminal (EIO after a hang-up) ends the
 * printing, never the command. The run goes on and its log file stays complete.
 */
export function guardedWriter(stream: NodeJS.WritableStream): (text: string) => void {
  let open = true;
  stream.on("error", () => {
    open = false;
  });
  return (text) => {
    if (!open) return;
    try {
      stream.write(text);
    } catch {
      open = false;
    }
  };
}

/**
 * The Io of this process: stdout and stderr guarded by {@link guardedWriter}, `process.cwd()`,
 * `process.env`, colours when stdout is a terminal and `NO_COLOR` is not set, progress bars when
 * stderr is a terminal (not `TERM=dumb`).
 */
export function processIo(proc: NodeJS.Process = process): Io {
  return {
    stdout: guardedWriter(proc.stdout),
    stderr: guardedWriter(proc.stderr),
    cwd: proc.cwd(),
    env: proc.env,
    isTTY: proc.stdout.isTTY === true && !proc.env.NO_COLOR,
    ...(proc.stderr.isTTY === true && proc.env.TERM !== "dumb" ? { terminal: proc.stderr } : {}),
  };
}
