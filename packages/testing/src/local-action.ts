/**
 * Runs an action the way GitHub's own local runner for actions runs it: `@github/local-action`
 * (`local-action run DIR ENTRYPOINT ENV_FILE`), from the repository root so its `npm ls` finds
 * the root's `@actions/*` (it looks them up there, not in the action's folder). It stubs `@actions/core` (inputs from
 * `INPUT_*` with `action.yml` defaults, outputs, secrets, the job summary) and runs the
 * entrypoint's exported `run()`; its exit code is always 0, so the outcome is read from its log.
 *
 * @module
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { execa } from "execa";

/** The repository root (where `node_modules/.bin/local-action` is). */
export const REPO_ROOT = path.resolve(fileURLToPath(new URL("../../..", import.meta.url)));

/** Options of {@link runLocalAction}. */
export interface RunLocalActionOptions {
  /** The action's folder (holding `action.yml`), absolute. */
  actionDir: string;
  /** The module exporting `run()`, relative to `actionDir` (e.g. `src/main.ts`). */
  entrypoint: string;
  /** Inputs by their `action.yml` names (`artifact-path`); become `INPUT_ARTIFACT-PATH`. */
  inputs?: Record<string, string>;
  /** Other environment variables for the step (`GITHUB_WORKSPACE`, `ACTIONS_RUNTIME_TOKEN`, ...). */
  env?: Record<string, string>;
  /** A post entrypoint to run after the main one (relative to `actionDir`). */
  post?: string;
  /** Milliseconds before the run is killed; default 120 000. */
  timeoutMs?: number;
}

/** What a {@link runLocalAction} run did. */
export interface LocalActionResult {
  /** Outputs set with `core.setOutput`, by name. */
  outputs: Record<string, string>;
  /** The message of the last error annotation: what `core.setFailed` logs when the step fails. */
  failed?: string;
  /** Annotations (`::error::`, `::warning::`, `::notice::`) with their messages. */
  annotations: { level: "error" | "warning" | "notice"; message: string }[];
  /** The job summary written to `GITHUB_STEP_SUMMARY` (Markdown/HTML). */
  summary: string;
  /** local-action's whole log (stdout and stderr, colours off). */
  log: string;
}

/**
 * A value in dotenv's syntax, kept literally: dotenv unescapes nothing but `\n` in double quotes,
 * so values go in backticks (literal, may span lines), or single quotes when they hold a backtick.
 *
 * @throws Error for a value holding both a backtick and a single quote.
 */
function dotenvValue(value: string): string {
  if (!value.includes("`")) return `\`${value}\``;
  if (!value.includes("'") && !value.includes("\n")) return `'${value}'`;
  throw new Error(`runLocalAction: cannot pass ${JSON.stringify(value)} through a dotenv file`);
}

/**
 * Runs an action's entrypoint through `@github/local-action` and collects what it did.
 *
 * @throws Error when local-action itself cannot start or times out (not when the action fails:
 *   see {@link LocalActionResult.failed}).
 */
export async function runLocalAction(options: RunLocalActionOptions): Promise<LocalActionResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "local-action-"));
  try {
    const summaryFile = path.join(dir, "summary.md");
    await fs.writeFile(summaryFile, "");
    const vars: Record<string, string> = {
      GITHUB_STEP_SUMMARY: summaryFile,
      ...options.env,
    };
    for (const [name, value] of Object.entries(options.inputs ?? {})) {
      vars[`INPUT_${name.toUpperCase()}`] = value;
    }
    const envFile = path.join(dir, "step.env");
    await fs.writeFile(
      envFile,
      Object.entries(vars)
        .map(([k, v]) => `${k}=${dotenvValue(v)}`)
        .join("\n"),
    );
    const args = ["run", options.actionDir, options.entrypoint, envFile];
    if (options.post !== undefined) args.push("--post", options.post);
    const run = await execa(path.join(REPO_ROOT, "node_modules", ".bin", "local-action"), args, {
      cwd: REPO_ROOT,
      timeout: options.timeoutMs ?? 120_000,
      env: { FORCE_COLOR: "0", NO_COLOR: "1", NODE_NO_WARNINGS: "1" },
      reject: false,
    });
    // A non-zero exit is local-action crashing on the action's throw: its log says why.
    if (run.timedOut || run.exitCode === undefined) throw run;
    const log = `${run.stdout}\n${run.stderr}`;
    if (!log.includes("Action Outputs")) {
      throw new Error(`local-action did not run the action to the end:\n${log.slice(-4000)}`);
    }
    const outputs: Record<string, string> = {};
    const annotations: LocalActionResult["annotations"] = [];
    for (const line of log.split("\n")) {
      const out = /::set-output name=([^:]+)::(.*)$/.exec(line);
      if (out) outputs[out[1] as string] = out[2] as string;
      const note = /::(error|warning|notice)(?: [^:]*)?::(.*)$/.exec(line);
      if (note) annotations.push({ level: note[1] as "error", message: note[2] as string });
    }
    const failed = annotations.filter((a) => a.level === "error").at(-1)?.message;
    return {
      outputs,
      ...(failed !== undefined ? { failed } : {}),
      annotations,
      summary: await fs.readFile(summaryFile, "utf8"),
      log,
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
