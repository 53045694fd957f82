/**
 * Runs an action's `run()` in this process, as the runner would run the step, with the real
 * `@actions/core`: inputs become `INPUT_*` variables (with `action.yml`'s plain defaults for the
 * inputs not given), outputs, state and the job summary go to temp files named by
 * `GITHUB_OUTPUT`, `GITHUB_STATE` and `GITHUB_STEP_SUMMARY`, and the log is what the step writes
 * to stdout. About a millisecond a start instead of `@github/local-action`'s seconds; use
 * local-action where the test is about the shipped `dist/`.
 *
 * It swaps `process.env` and `process.stdout.write` for the length of the step: run one step at a
 * time (no `describe.concurrent` around it).
 *
 * @module
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { parse } from "yaml";

/** Options of {@link runActionStep}. */
export interface RunActionStepOptions {
  /** The action's folder (holding `action.yml`), for the inputs' defaults. */
  actionDir: string;
  /** The step: the action's `run()` (it throws on failure, as run-python's does). */
  run: () => Promise<void>;
  /** Inputs by their `action.yml` names (`pull-request`); become `INPUT_PULL-REQUEST`. */
  inputs?: Record<string, string>;
  /** The step's other environment variables; only `PATH`, `HOME` and `TMPDIR` are kept from this process. */
  env?: Record<string, string>;
}

/** What a step did. */
export interface ActionStepResult {
  /** Outputs set with `core.setOutput`, by name. */
  outputs: Record<string, string>;
  /** State saved with `core.saveState`, by name. */
  state: Record<string, string>;
  /** The message of the error the step threw, when it failed. */
  failed?: string;
  /** What the step wrote to stdout (`core.info`, workflow commands). */
  log: string;
  /** The job summary. */
  summary: string;
}

/** Reads a file of `name<<DELIMITER\nvalue\nDELIMITER` records (`@actions/core`'s file commands). */
function parseFileCommands(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  const record = /^([^\n<]+)<<(\S+)\r?\n([\s\S]*?)\r?\n\2\r?$/gm;
  for (const m of text.matchAll(record)) out[m[1] ?? ""] = m[3] ?? "";
  return out;
}

/** The plain defaults of `action.yml`'s inputs (`${{ }}` defaults are the runner's to fill). */
async function inputDefaults(actionDir: string): Promise<Record<string, string>> {
  const doc = parse(await fs.readFile(path.join(actionDir, "action.yml"), "utf8")) as {
    inputs?: Record<string, { default?: unknown }>;
  };
  const out: Record<string, string> = {};
  for (const [name, input] of Object.entries(doc.inputs ?? {})) {
    const value = input?.default;
    if (value !== undefined && !String(value).includes("${{")) out[name] = String(value);
  }
  return out;
}

/**
 * Runs one step in-process and collects what it did.
 *
 * @throws Error only when `action.yml` cannot be read; the step's own failure is
 *   {@link ActionStepResult.failed}.
 */
export async function runActionStep(options: RunActionStepOptions): Promise<ActionStepResult> {
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "action-step-"));
  // `core.summary` keeps the first GITHUB_STEP_SUMMARY it sees for the life of the process, so
  // every step of this process writes one file, emptied before each step.
  const summaryDir = path.join(os.tmpdir(), `action-step-summary-${process.pid}`);
  await fs.mkdir(summaryDir, { recursive: true });
  const files = {
    GITHUB_OUTPUT: path.join(dir, "output"),
    GITHUB_STATE: path.join(dir, "state"),
    GITHUB_STEP_SUMMARY: path.join(summaryDir, "summary.md"),
  };
  for (const file of Object.values(files)) await fs.writeFile(file, "");
  const env: Record<string, string> = {};
  for (const name of ["PATH", "HOME", "TMPDIR"]) {
    const value = process.env[name];
    if (value !== undefined) env[name] = value;
  }
  const inputs = { ...(await inputDefaults(options.actionDir)), ...options.inputs };
  for (const [name, value] of Object.entries(inputs)) env[`INPUT_${name.toUpperCase()}`] = value;
  Object.assign(env, options.env, files);

  const saved = { env: process.env, write: process.stdout.write, exitCode: process.exitCode };
  const log: string[] = [];
  process.env = env;
  process.stdout.write = ((chunk: string | Uint8Array) => {
    log.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    return true;
  }) as typeof process.stdout.write;
  let failed: string | undefined;
  try {
    await options.run();
  } catch (e) {
    failed = e instanceof Error ? e.message : String(e);
  } finally {
    process.env = saved.env;
    process.stdout.write = saved.write;
    process.exitCode = saved.exitCode;
  }
  try {
    return {
      outputs: parseFileCommands(await fs.readFile(files.GITHUB_OUTPUT, "utf8")),
      state: parseFileCommands(await fs.readFile(files.GITHUB_STATE, "utf8")),
      ...(failed !== undefined ? { failed } : {}),
      log: log.join(""),
      summary: await fs.readFile(files.GITHUB_STEP_SUMMARY, "utf8"),
    };
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}
