/**
 * The `dstack run` argv grammar (dstack's Python provider reference, "CLI reference"):
 *
 * ```
 * dstack run python [-d] [-h] [-r REQUIREMENTS] [-e ENV] [-a ARTIFACT] [--working-dir WORKING_DIR]
 *                   [-i] [--cpu CPU] [--memory MEMORY] [--gpu GPU_COUNT] [--gpu-name GPU_NAME]
 *                   [--gpu-memory GPU_MEMORY] [--shm-size SHM_SIZE] FILE [ARGS ...]
 * dstack run WORKFLOW [the same options] [-- ARGS ...]
 * ```
 *
 * plus dstack's own `--remote` (run on a GitHub runner through the repository's runner workflow)
 * with `--repo`, `--ref`, `--runner-workflow`, `--tag` and `--api-url`.
 *
 * dstack's options are dstack's wherever they stand before `--`, after FILE too: that reference's own
 * example is `dstack run python train.py -r requirements.txt -a model --gpu 4 --gpu-name K80`.
 * After FILE, the words dstack does not know (`--epochs 20`, `data.csv`, `-v`) are the script's,
 * in their order; everything after the first `--` is the script's, exactly (a second `--`
 * included). An option after FILE taken as dstack's is reported in one warning line, since a
 * script may have meant its own `-d` or `-r`; the warning says how to give them to the script
 * (after `--`). With a workflow, the script's arguments come only after `--` (they replace the
 * file's reviewed `args`, so a mistyped option is refused rather than passed on), and options
 * override the file's values.
 *
 * Lexing is Node's own `util.parseArgs` (short groups like `-di`, `--opt=value`, a value in the
 * next word); this module only decides which words are the script's, which parseArgs cannot (in
 * its lenient mode unknown options are kept but not told apart from a script's; in its strict
 * mode they are errors).
 *
 * @module
 */
import { parseArgs } from "node:util";
import { quote as shellQuote } from "shlex";
import type { Diagnostic, FieldPath } from "./diagnostics.js";
import type { Job } from "./job.js";
import type { Locator } from "./locator.js";
import { didYouMean, validateWorkflow } from "./validate.js";

/**
 * The usage line of `dstack run`, as dstack's Python provider reference prints it, plus the
 * workflow form.
 */
export const RUN_USAGE = `usage: dstack run python [-d] [-h] [-r REQUIREMENTS] [-e ENV] [-a ARTIFACT]
                         [--working-dir WORKING_DIR] [-i] [--cpu CPU]
                         [--memory MEMORY] [--gpu GPU_COUNT]
                         [--gpu-name GPU_NAME] [--gpu-memory GPU_MEMORY]
                         [--shm-size SHM_SIZE]
                         FILE [ARGS ...]
       dstack run WORKFLOW [the same options] [-- ARGS ...]

  FILE                    the Python file to run
  ARGS                    the arguments for the Python program: the words after FILE that are
                          not dstack's options, then everything after --, exactly
  -d, --detach            do not poll for status update and logs
  -h, --help              show this help
  -r, --requirements REQUIREMENTS
                          the path to the requirements.txt file
  -e, --env ENV           an environment variable, NAME=VALUE (repeatable)
  -a, --artifact ARTIFACT a folder that must be saved as output artifact (repeatable)
  --tag TAG               point TAG at the run's artifacts when the run succeeds
  --working-dir WORKING_DIR
                          the path to the working directory
  -i, --interruptible     the workflow can run on interruptible instances
  --cpu CPU               the number of CPU cores
  --memory MEMORY         the size of RAM memory, e.g. 16GB
  --gpu GPU_COUNT         the number of GPUs
  --gpu-name GPU_NAME     the name of the GPU model, e.g. K80, V100
  --gpu-memory GPU_MEMORY the size of GPU memory, e.g. 16GB
  --shm-size SHM_SIZE     the size of shared memory, e.g. 8GB

On GitHub (a runner whose labels match the job's resources):
  --remote                dispatch the job to the repository's runner workflow and follow it;
                          the token is GITHUB_TOKEN, GH_TOKEN or \`gh auth token\`
  --repo OWNER/NAME       the repository (default: from \`git remote get-url origin\`)
  --ref REF               the branch or tag to run (default: the current branch, as pushed)
  --runner-workflow FILE  the runner workflow under .github/workflows/ (default dstack-run.yml)
  --api-url URL           the REST API root (default GITHUB_API_URL, or from the remote's host)
  --resume-limit N        with -i: dispatch again at most N times when a spot runner is lost (default 3)

dstack's options are dstack's wherever they stand before --, after FILE too:
  dstack run python train.py -r requirements.txt -a model --gpu 4 --gpu-name K80
Options dstack does not know stay the script's, in order (train.py --epochs 20). A script's own
-d, -r, --gpu ... go after --, where everything is the script's:
  dstack run python train.py -- -d -r x`;

/** The options of that usage line, in `util.parseArgs` form. */
const OPTIONS = {
  detach: { type: "boolean", short: "d" },
  help: { type: "boolean", short: "h" },
  requirements: { type: "string", short: "r" },
  env: { type: "string", short: "e", multiple: true },
  artifact: { type: "string", short: "a", multiple: true },
  "working-dir": { type: "string" },
  interruptible: { type: "boolean", short: "i" },
  cpu: { type: "string" },
  memory: { type: "string" },
  gpu: { type: "string" },
  "gpu-name": { type: "string" },
  "gpu-memory": { type: "string" },
  "shm-size": { type: "string" },
  remote: { type: "boolean" },
  repo: { type: "string" },
  ref: { type: "string" },
  "runner-workflow": { type: "string" },
  tag: { type: "string" },
  "api-url": { type: "string" },
  "resume-limit": { type: "string" },
} as const;

/** The options that only mean something with `--remote` (`--tag` means something for both). */
const REMOTE_ONLY = ["repo", "ref", "runner-workflow", "api-url", "resume-limit"] as const;

/** `--remote` and its options, as given (checked where they are used). */
export interface RemoteRunOptions {
  /** `--repo OWNER/NAME`. */
  repo?: string;
  /** `--ref REF`: the branch or tag the runner workflow runs on. */
  ref?: string;
  /** `--runner-workflow FILE`: the runner workflow's file name under `.github/workflows/`. */
  runnerWorkflow?: string;
  /** `--tag TAG`: a tag to point at the run's artifacts. */
  tag?: string;
  /** `--api-url URL`: the REST API root. */
  apiUrl?: string;
  /** `--resume-limit N`: how many times a lost spot runner's job is dispatched again (as given). */
  resumeLimit?: string;
}

type OptionName = keyof typeof OPTIONS;

/** What `dstack run ...` asked for, before it is turned into a job. */
export interface RunCommand {
  /** `python` for an inline job (`dstack run python FILE`), else the workflow's name. */
  target: "python" | { workflow: string };
  /** `-d`: start the run and return without following it. */
  detach: boolean;
  /** `-h`: print {@link RUN_USAGE}. */
  help: boolean;
  /** The job's keys as the workflows file spells them, from the options and FILE/ARGS. */
  overrides: Record<string, unknown>;
  /** Whether ARGS were given (after FILE, or after `--` for a workflow). */
  hasArgs: boolean;
  /** `--remote` and its options; absent for a run on this machine. */
  remote?: RemoteRunOptions;
  /**
   * `--tag TAG`: the tag to point at the run when it succeeds, here or on GitHub (with
   * `--remote` it is `remote.tag` too).
   */
  tag?: string;
}

/** Maps a job field path to the option users typed. */
function optionFor(path: FieldPath): string {
  const [a, b, c] = path;
  if (a === "file") return "FILE";
  if (a === "args") return "ARGS";
  if (a === "requirements") return "--requirements";
  if (a === "environment") return "--env";
  if (a === "artifacts") return "--artifact";
  if (a === "working_dir") return "--working-dir";
  if (a === "resources") {
    if (b === "gpu") return c === "name" ? "--gpu-name" : c === "memory" ? "--gpu-memory" : "--gpu";
    if (b === "shm_size") return "--shm-size";
    if (b === "interruptible") return "--interruptible";
    if (typeof b === "string") return `--${b}`;
  }
  return "command line";
}

/** The {@link Locator} for argv: no positions, fields named by their option. */
export const ARGV_LOCATOR: Locator = {
  source: "command line",
  position: () => undefined,
  field: optionFor,
  sourceText: () => undefined,
};

function argvError(field: string, message: string): Diagnostic {
  return { severity: "error", source: "command line", field, message };
}

/** Counts are written as digits on the command line; anything else stays a string for the schema to refuse. */
const countValue = (s: string): string | number => (/^\d+$/.test(s) ? Number(s) : s);

/** What {@link parseRunArgv} gives for argv it accepts. */
export interface ParsedRunArgv {
  /** The run asked for. */
  command: RunCommand;
  /**
   * One warning line (severity `warning`, source `command line`), present when options after
   * FILE were taken as dstack's: it names them, as given, and shows the command that gives them
   * to the script instead (after `--`). Callers print it (the CLI on stderr) so that a script's
   * own `-d` or `-r` is never taken silently.
   */
  warning?: Diagnostic;
}

/** One argv word that is an option (a short group like `-di` holds several), as parseArgs read it. */
type OptionToken = Extract<
  NonNullable<ReturnType<typeof parseArgs>["tokens"]>[number],
  { kind: "option" }
>;

/** A word for a message: shell-quoted, on one line (a word with a line break is JSON-quoted). */
function shown(word: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it finds
  return /[\u0000-\u001f\u007f]/.test(word) ? JSON.stringify(word) : shellQuote(word);
}

/**
 * Parses the argv after `dstack run` (e.g. `["python", "train.py", "-r", "req.txt", "--epochs",
 * "3"]` or `["train", "--gpu", "2", "--", "--epochs", "3"]`), by the grammar of this module:
 * dstack's options wherever they stand before `--`; after FILE, the words dstack does not know
 * are the script's, in order; after `--`, everything.
 *
 * A value of an option that takes one is the rest of its word (`--gpu=4`, `-r req.txt` as
 * `-rreq.txt`) or the next word; a next word that starts with `-` is refused rather than taken
 * as the value (write `--requirements=-x.txt`), as Node's strict parseArgs and Python's argparse
 * do, so that a missing value never swallows the next option or `--`.
 *
 * @returns `{ command, warning? }` ({@link ParsedRunArgv}), or `{ errors }` for unknown options
 *   before FILE or in the workflow form (with a did-you-mean), options without values, a short
 *   group after FILE that mixes dstack's options with others, a missing FILE or WORKFLOW, and
 *   stray arguments of the workflow form. Values are checked later, by {@link runCommandJob},
 *   with the workflows file's rules.
 */
export function parseRunArgv(argv: readonly string[]): ParsedRunArgv | { errors: Diagnostic[] } {
  const { tokens } = parseArgs({
    args: [...argv],
    options: OPTIONS,
    strict: false,
    allowPositionals: true,
    tokens: true,
  });
  const errors: Diagnostic[] = [];
  const known = Object.keys(OPTIONS);
  const isKnown = (t: OptionToken) => Object.hasOwn(OPTIONS, t.name);
  const values: Partial<Record<OptionName, string | string[] | boolean>> = {};
  let target: RunCommand["target"] | undefined;
  let file: string | undefined;
  /** Where FILE stands in argv, when it came before any `--` (only then can options follow it). */
  let fileIndex: number | undefined;
  let args: string[] | undefined;
  /** The options after FILE taken as dstack's, each as its words were given. */
  const taken: string[][] = [];

  /** Records one known option; `afterFile` adds how to give it to the script to any error. */
  const apply = (t: OptionToken, afterFile: boolean) => {
    const name = t.name as OptionName;
    const spec = OPTIONS[name];
    const toScript = afterFile
      ? `; for the script's own ${t.rawName}, put it after --: dstack run python ${shown(file ?? "FILE")} -- ${t.rawName}`
      : "";
    if (spec.type === "boolean") {
      if (t.value !== undefined) {
        errors.push(
          argvError(t.rawName, `takes no value, got ${JSON.stringify(t.value)}${toScript}`),
        );
      } else {
        values[name] = true;
      }
      return;
    }
    if (t.value === undefined) {
      errors.push(argvError(t.rawName, `needs a value${toScript}`));
      return;
    }
    if (t.inlineValue === false && t.value.startsWith("-") && t.value !== "-") {
      errors.push(
        argvError(
          t.rawName,
          `needs a value; the next word ${JSON.stringify(t.value)} starts with -, so it is not taken as one (a value that starts with - is written --${name}=${t.value})${toScript}`,
        ),
      );
      return;
    }
    if ("multiple" in spec) {
      values[name] = [...((values[name] as string[] | undefined) ?? []), t.value];
    } else {
      values[name] = t.value;
    }
  };

  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i] as (typeof tokens)[number];
    if (t.kind === "option-terminator") {
      if (target === "python" && file === undefined) {
        file = argv[t.index + 1];
        args = argv.slice(t.index + 2);
      } else if (target !== undefined) {
        // After --, everything is the script's, exactly: a second -- included.
        args = [...(args ?? []), ...argv.slice(t.index + 1)];
      } else {
        errors.push(argvError("", "-- must come after python FILE or WORKFLOW"));
      }
      break;
    }
    if (t.kind === "positional") {
      if (target === undefined) {
        target = t.value === "python" ? "python" : { workflow: t.value };
      } else if (target === "python" && file === undefined) {
        file = t.value;
        fileIndex = t.index;
        args = [];
      } else if (target === "python") {
        args?.push(t.value);
      } else {
        errors.push(
          argvError(
            "",
            `unexpected argument ${JSON.stringify(t.value)}; put the script's arguments after --, e.g. dstack run ${target.workflow} -- ${t.value}`,
          ),
        );
      }
      continue;
    }
    // The tokens of one word: a short group (-di) gives one per letter, all at the word's index.
    const word: OptionToken[] = [t];
    for (let next = tokens[i + 1]; next?.kind === "option" && next.index === t.index; ) {
      word.push(next);
      i += 1;
      next = tokens[i + 1];
    }
    const unknown = word.filter((w) => !isKnown(w));
    if (fileIndex !== undefined) {
      // After FILE: a word dstack does not know is the script's, as given (parseArgs gives an
      // unknown option no value of the next word, so that word comes next as a positional).
      if (unknown.length === word.length) {
        args?.push(argv[t.index] as string);
        continue;
      }
      if (unknown.length > 0) {
        const mine = word.filter(isKnown).map((w) => w.rawName);
        errors.push(
          argvError(
            argv[t.index] as string,
            `mixes dstack's ${mine.join(" ")} with ${unknown.map((w) => w.rawName).join(" ")}, which dstack does not know; write dstack's options apart, and the script's after --: dstack run python ${shown(file ?? "FILE")} -- ${shown(argv[t.index] as string)}`,
          ),
        );
        continue;
      }
      const last = word.at(-1);
      taken.push(argv.slice(t.index, t.index + (last?.inlineValue === false ? 2 : 1)));
      for (const w of word) apply(w, true);
      continue;
    }
    for (const w of word) {
      if (isKnown(w)) {
        apply(w, false);
        continue;
      }
      const hint = didYouMean(w.name, known);
      errors.push(
        argvError(
          w.rawName,
          `unknown option${hint ? `; did you mean --${hint}?` : ""} (see dstack run --help)${
            target === "python"
              ? "; a script's own options go after FILE"
              : target
                ? "; a script's own options go after --"
                : ""
          }`,
        ),
      );
    }
  }

  const help = values.help === true;
  if (!help) {
    if (target === undefined) {
      errors.push(argvError("", "missing python FILE or WORKFLOW; see dstack run --help"));
    } else if (target === "python" && file === undefined) {
      errors.push(
        argvError("FILE", "missing the Python file to run: dstack run python FILE [ARGS ...]"),
      );
    }
  }
  if (values.remote !== true) {
    for (const name of REMOTE_ONLY) {
      if (values[name] !== undefined) {
        errors.push(argvError(`--${name}`, "only with --remote (a run on GitHub)"));
      }
    }
  }
  if (errors.length > 0) return { errors };
  const warning =
    fileIndex !== undefined && file !== undefined && taken.length > 0
      ? tookOptionsWarning({ argv, fileIndex, file, taken })
      : undefined;

  const overrides: Record<string, unknown> = {};
  if (file !== undefined) overrides.file = file;
  if (args !== undefined && (args.length > 0 || target === "python")) overrides.args = args;
  if (values.requirements !== undefined) overrides.requirements = values.requirements;
  if (values.env) overrides.environment = values.env;
  if (values.artifact) overrides.artifacts = values.artifact;
  if (values["working-dir"] !== undefined) overrides.working_dir = values["working-dir"];
  const resources: Record<string, unknown> = {};
  if (values.cpu !== undefined) resources.cpu = countValue(values.cpu as string);
  if (values.memory !== undefined) resources.memory = values.memory;
  if (values["shm-size"] !== undefined) resources.shm_size = values["shm-size"];
  if (values.interruptible) resources.interruptible = true;
  const gpu: Record<string, unknown> = {};
  if (values.gpu !== undefined) gpu.count = countValue(values.gpu as string);
  if (values["gpu-name"] !== undefined) gpu.name = values["gpu-name"];
  if (values["gpu-memory"] !== undefined) gpu.memory = values["gpu-memory"];
  if (Object.keys(gpu).length > 0) resources.gpu = gpu;
  if (Object.keys(resources).length > 0) overrides.resources = resources;

  return {
    command: {
      target: target ?? "python",
      detach: values.detach === true,
      help,
      overrides,
      hasArgs: args !== undefined && args.length > 0,
      ...(values.tag !== undefined ? { tag: values.tag as string } : {}),
      ...(values.remote === true
        ? {
            remote: {
              ...(values.repo !== undefined ? { repo: values.repo as string } : {}),
              ...(values.ref !== undefined ? { ref: values.ref as string } : {}),
              ...(values["runner-workflow"] !== undefined
                ? { runnerWorkflow: values["runner-workflow"] as string }
                : {}),
              ...(values.tag !== undefined ? { tag: values.tag as string } : {}),
              ...(values["api-url"] !== undefined ? { apiUrl: values["api-url"] as string } : {}),
              ...(values["resume-limit"] !== undefined
                ? { resumeLimit: values["resume-limit"] as string }
                : {}),
            },
          }
        : {}),
    },
    ...(warning ? { warning } : {}),
  };
}

/**
 * The warning of {@link parseRunArgv} for options after FILE taken as dstack's: which ones, as
 * given, and the command that gives every word after FILE to the script instead (after `--`,
 * in the order given), e.g.
 *
 * `-r requirements.txt, --gpu 4 after train.py are taken as dstack's options (before train.py
 * they are too, without this warning); for the script, put them after --: dstack run python
 * train.py -- -r requirements.txt --gpu 4`
 */
function tookOptionsWarning(options: {
  argv: readonly string[];
  fileIndex: number;
  file: string;
  taken: readonly string[][];
}): Diagnostic {
  const { argv, fileIndex, file, taken } = options;
  const rest = argv.slice(fileIndex + 1);
  // The first -- after FILE ends dstack's part (a -- taken as a value was refused before this).
  const end = rest.indexOf("--");
  const script = end < 0 ? rest : [...rest.slice(0, end), ...rest.slice(end + 1)];
  const instead = [...argv.slice(0, fileIndex + 1), "--", ...script];
  const one = taken.length === 1;
  return {
    severity: "warning",
    source: "command line",
    field: "",
    message: `${taken.map((words) => words.map(shown).join(" ")).join(", ")} after ${shown(file)} ${one ? "is" : "are"} taken as dstack's option${one ? "" : "s"} (before ${shown(file)} ${one ? "it is" : "they are"} too, without this warning); for the script, put ${one ? "it" : "them"} after --: dstack run ${instead.map(shown).join(" ")}`,
  };
}

/**
 * Turns a parsed `dstack run` into the job to run, checking every value with the same rules as
 * the workflows file.
 *
 * - `python FILE`: a job of its own (`workflow: null`).
 * - `WORKFLOW`: that workflow's job, with each given option overriding its value: `-r`,
 *   `--working-dir`, `--cpu`, `--memory`, `--shm-size`, `--gpu*` replace; `-e` sets variables over
 *   the file's; `-a` adds artifacts; `-i` makes it interruptible; ARGS replace `args`.
 *
 * @param options.command - from {@link parseRunArgv}.
 * @param options.workflows - the valid jobs of the workflows file (needed for the workflow form).
 * @returns `{ job }` or `{ errors }` naming the option, the value and what is allowed.
 */
export function runCommandJob(options: {
  command: RunCommand;
  workflows?: readonly Job[];
}): { job: Job } | { errors: Diagnostic[] } {
  const { command } = options;
  const inline = command.target === "python";
  const name = inline ? undefined : (command.target as { workflow: string }).workflow;
  const base = name === undefined ? undefined : options.workflows?.find((j) => j.workflow === name);
  if (name !== undefined && !base) {
    const names = (options.workflows ?? []).flatMap((j) => (j.workflow ? [j.workflow] : []));
    const hint = didYouMean(name, names);
    return {
      errors: [
        argvError(
          "WORKFLOW",
          `${JSON.stringify(name)} is not a workflow${hint ? `; did you mean ${JSON.stringify(hint)}?` : ""} (workflows: ${names.join(", ") || "none"}); for a file, write dstack run python ${name}`,
        ),
      ],
    };
  }
  // The options are checked by the workflows file's rules, as a workflow of their own; with a
  // workflow, -r is relative to its working_dir unless --working-dir replaces it.
  const raw = {
    name: "python",
    ...(base ? { file: base.file, working_dir: base.workingDir } : {}),
    ...command.overrides,
  };
  const result = validateWorkflow(raw, { locator: ARGV_LOCATOR });
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (!result.job || errors.length > 0) return { errors };
  const given = result.job;
  if (!base) return { job: { ...given, workflow: null } };

  const o = command.overrides as {
    requirements?: string;
    working_dir?: string;
    resources?: Record<string, unknown> & { gpu?: Record<string, unknown> };
  };
  const r = o.resources ?? {};
  const job: Job = {
    ...base,
    args: command.hasArgs ? given.args : base.args,
    environment: { ...base.environment, ...given.environment },
    artifacts: [...base.artifacts, ...given.artifacts.filter((a) => !base.artifacts.includes(a))],
    workingDir: o.working_dir !== undefined ? given.workingDir : base.workingDir,
    resources: {
      ...base.resources,
      ...(r.cpu !== undefined ? { cpu: given.resources.cpu } : {}),
      ...(r.memory !== undefined ? { memoryBytes: given.resources.memoryBytes } : {}),
      ...(r.shm_size !== undefined ? { shmSizeBytes: given.resources.shmSizeBytes } : {}),
      interruptible: base.resources.interruptible || given.resources.interruptible,
    },
  };
  if (o.requirements !== undefined && given.requirements !== undefined) {
    job.requirements = given.requirements;
  }
  if (r.gpu && given.resources.gpu) {
    const g = given.resources.gpu;
    job.resources.gpu = {
      ...base.resources.gpu,
      count: r.gpu.count !== undefined ? g.count : (base.resources.gpu?.count ?? 1),
      ...(g.name !== undefined ? { name: g.name } : {}),
      ...(g.memoryBytes !== undefined ? { memoryBytes: g.memoryBytes } : {}),
    };
  }
  return { job };
}
