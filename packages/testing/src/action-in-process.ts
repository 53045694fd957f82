/**
 * Runs an action's `run()` inside the test's own process, against the real `@actions/core`: the
 * shared `@actions/core` fixture of every action test (one fixture, so that every action test
 * sets up a step the same way). It does what the
 * runner does around a step, so the code under test cannot tell the difference for what our
 * actions use:
 *
 * - inputs become `INPUT_<NAME>` variables; a declared input that is not given gets its
 *   `action.yml` default (as the runner fills it in; an expression such as `${{ github.token }}`
 *   stays text, as `@github/local-action` leaves it); `required` and `getBooleanInput` are the
 *   real `core.getInput` / `core.getBooleanInput` rules;
 * - `GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_STATE`, `GITHUB_PATH` and `GITHUB_STEP_SUMMARY` are
 *   fresh files of the step, read back afterwards (outputs, exported variables, saved state, the
 *   job summary);
 * - stdout, stderr and `console` are the step's log: workflow commands in it are read as the
 *   runner reads them (`::error file=…,line=…::` annotations with their properties,
 *   `::group::`, `::add-mask::` values masked as `***` from that line on, `::stop-commands::`
 *   blocks, `::debug::` shown only with `ACTIONS_STEP_DEBUG=true`);
 * - `core.setFailed` sets `process.exitCode` to 1: that, not the presence of an error annotation,
 *   fails the step;
 * - a post entrypoint runs after the main one with the state the main one saved (`STATE_*`).
 *
 * Every run restores `process.env`, the working directory, `process.exitCode`, the output streams
 * and `core.summary` afterwards, so one test cannot leak a variable into the next. Runs share the
 * process, so they must not overlap: tests of one file run one at a time (vitest's default), and
 * `process.chdir` needs a process of its own per test file (vitest's `forks` pool).
 *
 * @module
 */
import fs from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { format } from "node:util";
import * as core from "@actions/core";
import { parse as parseYaml } from "yaml";
import type { LocalActionResult, RunLocalActionOptions } from "./local-action.js";

/** Options of {@link runActionInProcess}: those of `runLocalAction`, less its process timeout. */
export type RunActionInProcessOptions = Omit<RunLocalActionOptions, "timeoutMs">;

/** An annotation's properties as `core.error(message, properties)` writes them. */
export interface AnnotationProperties {
  title?: string;
  file?: string;
  line?: number;
  endLine?: number;
  col?: number;
  endColumn?: number;
}

/** One annotation of the step: level, message, and properties when the command had any. */
export interface InProcessAnnotation {
  level: "error" | "warning" | "notice";
  message: string;
  /** Present only when the command carried properties (`file`, `line`, `col`, ...). */
  properties?: AnnotationProperties;
}

/** What a {@link runActionInProcess} run did: `runLocalAction`'s result and a little more. */
export interface InProcessActionResult extends LocalActionResult {
  annotations: InProcessAnnotation[];
  /** `process.exitCode` after the step (and its post step): 1 when `core.setFailed` was called. */
  exitCode: number;
  /** Values saved with `core.saveState` by the main step (what the post step saw as `STATE_*`). */
  state: Record<string, string>;
  /** Variables exported with `core.exportVariable` (what later steps of the job would see). */
  exportedEnv: Record<string, string>;
}

/** Marks the process while a step runs in it (a second step at the same time is refused). */
const RUNNING = Symbol.for("dstack.testing.runActionInProcess");

/** Inputs of an `action.yml`: name -> default (when one is declared). */
async function declaredInputs(actionDir: string): Promise<Map<string, string | undefined>> {
  const text = await fs.readFile(path.join(actionDir, "action.yml"), "utf8");
  const doc = parseYaml(text) as { inputs?: Record<string, { default?: unknown } | null> } | null;
  const inputs = new Map<string, string | undefined>();
  for (const [name, spec] of Object.entries(doc?.inputs ?? {})) {
    const value = spec?.default;
    inputs.set(name, value === undefined || value === null ? undefined : String(value));
  }
  return inputs;
}

/** The runner's variable name of an input: spaces to `_`, upper case (as `core.getInput` reads). */
function inputVariable(name: string): string {
  return `INPUT_${name.replace(/ /g, "_").toUpperCase()}`;
}

/**
 * Reads a file command file (`GITHUB_OUTPUT`, `GITHUB_ENV`, `GITHUB_STATE`): `name<<DELIMITER`
 * blocks as `core` writes them, and `name=value` lines as a shell step writes them.
 */
async function readFileCommands(file: string): Promise<Record<string, string>> {
  let text: string;
  try {
    text = await fs.readFile(file, "utf8");
  } catch {
    return {};
  }
  const out: Record<string, string> = {};
  const lines = text.split(os.EOL);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as string;
    const block = /^([^=<]+)<<(.+)$/.exec(line);
    if (block) {
      const value: string[] = [];
      for (i++; i < lines.length && lines[i] !== block[2]; i++) value.push(lines[i] as string);
      out[block[1] as string] = value.join("\n");
      continue;
    }
    const eq = line.indexOf("=");
    if (eq > 0) out[line.slice(0, eq)] = line.slice(eq + 1);
  }
  return out;
}

/** Undoes `@actions/core`'s escaping of a command's message (`%25`, `%0D`, `%0A`). */
function unescapeData(s: string): string {
  return s.replace(/%0D/g, "\r").replace(/%0A/g, "\n").replace(/%25/g, "%");
}

/** Undoes the escaping of a command property (also `%3A` for `:` and `%2C` for `,`). */
function unescapeProperty(s: string): string {
  return unescapeData(s.replace(/%3A/g, ":").replace(/%2C/g, ","));
}

/** Numeric annotation properties (the rest are text). */
const NUMERIC = new Set(["line", "endLine", "col", "endColumn"]);

function parseProperties(text: string | undefined): AnnotationProperties | undefined {
  if (text === undefined || text === "") return undefined;
  const props: Record<string, string | number> = {};
  for (const pair of text.split(",")) {
    const eq = pair.indexOf("=");
    if (eq <= 0) continue;
    const key = pair.slice(0, eq);
    const value = unescapeProperty(pair.slice(eq + 1));
    props[key] = NUMERIC.has(key) ? Number(value) : value;
  }
  return Object.keys(props).length > 0 ? (props as AnnotationProperties) : undefined;
}

/**
 * Reads a step's raw output as the runner does: masks, annotations, outputs of the deprecated
 * `::set-output` command, and the log as shown (without `::add-mask::` lines; debug lines only
 * when `debug`).
 */
function readLog(raw: string, debug: boolean) {
  const secrets: string[] = [];
  const annotations: InProcessAnnotation[] = [];
  const outputs: Record<string, string> = {};
  const shown: string[] = [];
  let stopToken: string | undefined;
  const mask = (line: string) =>
    secrets.reduce((text, secret) => text.split(secret).join("***"), line);
  for (const line of raw.split(/\r?\n/)) {
    if (stopToken !== undefined) {
      if (line === `::${stopToken}::`) stopToken = undefined;
      shown.push(mask(line));
      continue;
    }
    const command = /^::([a-z-]+)(?: ([^:]*))?::(.*)$/.exec(line);
    if (!command) {
      shown.push(mask(line));
      continue;
    }
    const [, name, props, data] = command as unknown as [
      string,
      string,
      string | undefined,
      string,
    ];
    if (name === "add-mask") {
      const secret = unescapeData(data);
      if (secret !== "") secrets.push(secret);
      continue;
    }
    if (name === "stop-commands") stopToken = data;
    if (name === "debug" && !debug) continue;
    if (name === "set-output") {
      const key = parseProperties(props) as { name?: string } | undefined;
      if (key?.name !== undefined) outputs[key.name] = unescapeData(data);
    }
    if (name === "error" || name === "warning" || name === "notice") {
      const properties = parseProperties(props);
      annotations.push({
        level: name,
        message: mask(unescapeData(data)),
        ...(properties !== undefined ? { properties } : {}),
      });
    }
    shown.push(mask(line));
  }
  return { secrets, annotations, outputs, log: shown.join("\n") };
}

/** Sets `process.env` to exactly `env` (deleting what is not in it). */
function setProcessEnv(env: Record<string, string | undefined>): void {
  for (const key of Object.keys(process.env)) if (!(key in env)) delete process.env[key];
  for (const [key, value] of Object.entries(env)) {
    if (value === undefined) delete process.env[key];
    else if (process.env[key] !== value) process.env[key] = value;
  }
}

/** `core.summary` is one object per process that keeps the file of the first step that wrote. */
function resetSummary(): void {
  core.summary.emptyBuffer();
  (core.summary as unknown as { _filePath?: string })._filePath = undefined;
}

/** Runs `fn` with stdout, stderr and `console` going to `sink` instead of the test's output. */
async function captured<T>(sink: string[], fn: () => Promise<T>): Promise<T> {
  const stdoutWrite = process.stdout.write;
  const stderrWrite = process.stderr.write;
  const write = ((chunk: string | Uint8Array, ...rest: unknown[]) => {
    sink.push(typeof chunk === "string" ? chunk : Buffer.from(chunk).toString("utf8"));
    const done = rest.find((r) => typeof r === "function") as (() => void) | undefined;
    if (done) process.nextTick(done);
    return true;
  }) as typeof process.stdout.write;
  const methods = ["log", "info", "warn", "error", "debug"] as const;
  const consoleBefore = methods.map((m) => console[m]);
  process.stdout.write = write;
  process.stderr.write = write;
  for (const m of methods) {
    console[m] = (...args: unknown[]) => {
      sink.push(`${format(...args)}\n`);
    };
  }
  try {
    return await fn();
  } finally {
    process.stdout.write = stdoutWrite;
    process.stderr.write = stderrWrite;
    methods.forEach((m, i) => {
      console[m] = consoleBefore[i] as (typeof console)[typeof m];
    });
  }
}

/** Imports an entrypoint and calls its exported `run()` (the contract of `@github/local-action`). */
async function callEntrypoint(actionDir: string, entrypoint: string): Promise<void> {
  const file = path.resolve(actionDir, entrypoint);
  const mod = (await import(/* @vite-ignore */ file)) as { run?: unknown };
  if (typeof mod.run !== "function") {
    throw new Error(`runActionInProcess: ${entrypoint} does not export a run() function`);
  }
  await (mod.run as () => Promise<void>)();
}

/**
 * Runs an action's entrypoint (and post entrypoint) in this process, as a runner step, and
 * collects what it did; the result has the shape of `runLocalAction`'s, so a test can use either.
 *
 * @throws Error when the entrypoint cannot be imported, does not export `run()`, or `run()`
 *   throws (an action's `run()` turns failures into `core.setFailed`: see
 *   {@link LocalActionResult.failed}); when another step runs in this process at the same time;
 *   when `GITHUB_WORKSPACE` is not a folder.
 */
export async function runActionInProcess(
  options: RunActionInProcessOptions,
): Promise<InProcessActionResult> {
  // Marked on the process (what a step changes is the process's), before anything is awaited.
  const running = process as unknown as Record<symbol, boolean | undefined>;
  if (running[RUNNING]) {
    throw new Error(
      "runActionInProcess: another step is running in this process; run the action tests of one file one at a time",
    );
  }
  running[RUNNING] = true;
  try {
    return await runStep(options);
  } finally {
    running[RUNNING] = undefined;
  }
}

async function runStep(options: RunActionInProcessOptions): Promise<InProcessActionResult> {
  const declared = await declaredInputs(options.actionDir);
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), "action-step-"));
  try {
    return await runStepIn({ dir, declared, options });
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}

/** {@link runStep} with `dir` for the step's files and `declared`, the inputs of action.yml. */
async function runStepIn(step: {
  dir: string;
  declared: Map<string, string | undefined>;
  options: RunActionInProcessOptions;
}): Promise<InProcessActionResult> {
  const { dir, declared, options } = step;
  const files = {
    GITHUB_OUTPUT: path.join(dir, "output"),
    GITHUB_ENV: path.join(dir, "env"),
    GITHUB_STATE: path.join(dir, "state"),
    GITHUB_PATH: path.join(dir, "path"),
    GITHUB_STEP_SUMMARY: path.join(dir, "summary.md"),
  };
  for (const file of Object.values(files)) await fs.writeFile(file, "");

  const before = { ...process.env };
  const cwd = process.cwd();
  const exitCodeBefore = process.exitCode;
  // The step's environment: the test process's, without another step's inputs or state.
  const base: Record<string, string | undefined> = {};
  for (const [key, value] of Object.entries(before)) {
    if (!key.startsWith("INPUT_") && !key.startsWith("STATE_")) base[key] = value;
  }
  const stepEnv: Record<string, string | undefined> = { ...base, ...files, ...options.env };
  for (const [name, value] of declared) {
    if (value !== undefined) stepEnv[inputVariable(name)] = value;
  }
  for (const [name, value] of Object.entries(options.inputs ?? {})) {
    stepEnv[inputVariable(name)] = value;
  }

  const raw: string[] = [];
  let state: Record<string, string> = {};
  let exitCode = 0;
  try {
    resetSummary();
    setProcessEnv(stepEnv);
    process.exitCode = undefined;
    const workspace = stepEnv.GITHUB_WORKSPACE;
    // The runner starts a node action in the workspace.
    if (workspace) process.chdir(workspace);
    await captured(raw, () => callEntrypoint(options.actionDir, options.entrypoint));
    exitCode = Number(process.exitCode ?? 0);
    state = await readFileCommands(stepEnv.GITHUB_STATE ?? files.GITHUB_STATE);
    if (options.post !== undefined) {
      // The post step: a step of its own, with the main step's state and its exported variables.
      const exported = await readFileCommands(stepEnv.GITHUB_ENV ?? files.GITHUB_ENV);
      const postEnv = { ...stepEnv, ...exported };
      for (const [key, value] of Object.entries(state)) postEnv[`STATE_${key}`] = value;
      resetSummary();
      setProcessEnv(postEnv);
      process.exitCode = undefined;
      const post = options.post;
      await captured(raw, () => callEntrypoint(options.actionDir, post));
      exitCode = Math.max(exitCode, Number(process.exitCode ?? 0));
    }
  } finally {
    process.exitCode = exitCodeBefore;
    setProcessEnv(before);
    resetSummary();
    process.chdir(cwd);
  }
  return await results({ raw, stepEnv, files, exitCode, state });
}

/** What a step did, from its log and its files (then removed). */
async function results(step: {
  raw: string[];
  stepEnv: Record<string, string | undefined>;
  files: Record<"GITHUB_OUTPUT" | "GITHUB_ENV" | "GITHUB_STEP_SUMMARY", string>;
  exitCode: number;
  state: Record<string, string>;
}): Promise<InProcessActionResult> {
  const { raw, stepEnv, files, exitCode, state } = step;
  const read = readLog(raw.join(""), stepEnv.ACTIONS_STEP_DEBUG === "true");
  const outputs = {
    ...read.outputs,
    ...(await readFileCommands(stepEnv.GITHUB_OUTPUT ?? files.GITHUB_OUTPUT)),
  };
  const exportedEnv = await readFileCommands(stepEnv.GITHUB_ENV ?? files.GITHUB_ENV);
  const summaryFile = stepEnv.GITHUB_STEP_SUMMARY ?? files.GITHUB_STEP_SUMMARY;
  const summary = summaryFile === "" ? "" : await fs.readFile(summaryFile, "utf8");
  const failed =
    exitCode !== 0
      ? (read.annotations.filter((a) => a.level === "error").at(-1)?.message ??
        `the step exited with ${exitCode}`)
      : undefined;
  return {
    outputs,
    ...(failed !== undefined ? { failed } : {}),
    annotations: read.annotations,
    summary,
    log: read.log,
    exitCode,
    state,
    exportedEnv,
  };
}
