/**
 * `dstack-runner`: labels self-hosted runners from their hardware, configures them, splits GPU
 * hosts into instances, guards jobs with runner hooks, and writes ARC values.
 *
 * @module
 */
import { existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createGitHubClient } from "@dstack/github";
import {
  HostError,
  type HostReport,
  parseGpuSet,
  RUNNER_GPUS_ENV,
  readHostFacts,
  readRunnerGpus,
  resolveGpuSet,
} from "@dstack/host";
import { Command, CommanderError } from "commander";
import { arcValues } from "./arc.js";
import { configArgs, formatCommand, runConfig } from "./configure.js";
import { DEFAULT_HOOKS_DIR, installHooks } from "./install-hooks.js";
import { generateJitConfig, runShLine, targetFromUrl } from "./jitconfig.js";
import { jobCompleted } from "./job-completed.js";
import { jobStarted } from "./job-started.js";
import { formatLabels, hostRunnerLabels } from "./labels.js";
import { checkRunnerVersion, MIN_RUNNER_VERSION, RUNNER_LISTENER } from "./runner-version.js";
import { planSplit } from "./split.js";

/** Where the command writes and what it runs with; tests pass their own. */
export interface RunnerIo {
  stdout(text: string): void;
  stderr(text: string): void;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

/** The installed bin, for the hook scripts `install-hooks` writes. */
const BIN = fileURLToPath(new URL("../bin/dstack-runner.js", import.meta.url));

/** A mistake in what the user gave: printed as one line, exit status 2. */
class UsageError extends Error {}

/** What `configure --persistent` prints to stderr before anything else. */
export const PERSISTENT_WARNING =
  "warning: --persistent registers a runner that keeps its folder, its work folder and its user's files from one job to the next: code from one job (a pull request's) can leave something that runs in a later trusted job. This runner does not get the dstack-ephemeral label, so dstack sends it no pull-request runs; never let it run untrusted code. GitHub's guidance: self-hosted runners for untrusted code must be ephemeral.";

/**
 * The part of the host this runner instance labels: `--gpus` when given, else
 * `DSTACK_RUNNER_GPUS` (what `split` writes into an instance's environment), else the whole
 * host; both read with `@dstack/host`'s one syntax for a GPU set (indexes, ranges, UUIDs).
 * `none`: the host without its GPUs.
 *
 * @returns the report to label and, for a list, the nvidia-smi indexes of the instance's GPUs.
 */
function instanceGpus(
  text: string | undefined,
  env: NodeJS.ProcessEnv,
  report: HostReport,
): { report: HostReport; gpuIndexes?: number[] } {
  try {
    const set = text === undefined ? readRunnerGpus(env) : parseGpuSet(text, { name: "--gpus" });
    if (set.kind === "all") return { report };
    if (set.kind === "none") return { report: { ...report, gpus: [], gpuDetails: [] } };
    const gpus = resolveGpuSet(set, report.gpuDetails, {
      name: text === undefined ? RUNNER_GPUS_ENV : "--gpus",
    });
    return { report, gpuIndexes: gpus.map((g) => g.index) };
  } catch (error) {
    if (error instanceof HostError && error.code === "bad-env") throw new UsageError(error.message);
    throw error;
  }
}

/** A secret from an option or, better (not visible in `ps`), an environment variable. */
function secret(given: string | undefined, env: NodeJS.ProcessEnv, names: string[], what: string) {
  const value = given ?? names.map((n) => env[n]).find(Boolean);
  if (!value) throw new UsageError(`${what}: set ${names.join(" or ")} (or pass --token)`);
  return value;
}

/**
 * Runs `dstack-runner`.
 *
 * @param argv - the arguments after `dstack-runner`.
 * @returns the exit status: 0 success, 1 a failure (a hook refusing a job, a GitHub error),
 *   2 a usage mistake. Never throws; no stack traces.
 */
export async function main(argv: readonly string[], io: RunnerIo): Promise<number> {
  let status = 0;
  const facts = () => readHostFacts({ env: io.env });
  const program = new Command("dstack-runner")
    .description("Label self-hosted runners from their hardware and guard their jobs")
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ writeOut: io.stdout, writeErr: io.stderr });

  program
    .command("labels")
    .description("print this host's runner labels (for config.sh --labels, or --json)")
    .option("--json", "print a JSON list")
    .option(
      "--gpus <gpus>",
      "only these GPUs (a split instance), e.g. 0-3 or GPU UUIDs; default DSTACK_RUNNER_GPUS",
    )
    .option("-l, --label <label...>", "your own labels, after the scheme's")
    .option("--ephemeral", "the labels of an ephemeral runner (config.sh --ephemeral)")
    .action(
      async (opts: { json?: boolean; gpus?: string; label?: string[]; ephemeral?: boolean }) => {
        const { report, gpuIndexes } = instanceGpus(opts.gpus, io.env, await facts());
        const labels = hostRunnerLabels(report, {
          ...(gpuIndexes ? { gpuIndexes } : {}),
          ...(opts.label ? { extra: opts.label } : {}),
          ephemeral: opts.ephemeral === true,
        });
        io.stdout(`${formatLabels(labels, opts.json ?? false)}\n`);
      },
    );

  program
    .command("configure")
    .description(
      "print (or --run) config.sh with this host's labels; --jit registers a just-in-time runner",
    )
    .requiredOption("--url <url>", "https://github.com/OWNER/REPO or https://github.com/ORG")
    .requiredOption("--name <name>", "the runner's name")
    .option("--token <token>", "registration token (better: RUNNER_TOKEN in the environment)")
    .option("--ephemeral", "take one job, then unregister (the default)")
    .option(
      "--persistent",
      "keep the runner registered between jobs (never for untrusted code; prints why)",
    )
    .option(
      "--gpus <gpus>",
      "only these GPUs (a split instance), e.g. 0-3; default DSTACK_RUNNER_GPUS",
    )
    .option("-l, --label <label...>", "your own labels")
    .option("--runner-group <group>", "the runner group")
    .option("--run", "run config.sh in --runner-dir instead of printing it")
    .option("--runner-dir <dir>", "the runner's folder", ".")
    .option("--jit", "register a just-in-time runner through the REST API (GITHUB_TOKEN)")
    .action(
      async (opts: {
        url: string;
        name: string;
        token?: string;
        ephemeral?: boolean;
        persistent?: boolean;
        gpus?: string;
        label?: string[];
        runnerGroup?: string;
        run?: boolean;
        runnerDir: string;
        jit?: boolean;
      }) => {
        if (opts.persistent && (opts.ephemeral || opts.jit)) {
          throw new UsageError(
            `--persistent: a runner is persistent or ${opts.jit ? "just-in-time (one job)" : "ephemeral"}, not both`,
          );
        }
        const ephemeral = !opts.persistent;
        if (!ephemeral) io.stderr(`${PERSISTENT_WARNING}\n`);
        const { report, gpuIndexes } = instanceGpus(opts.gpus, io.env, await facts());
        const labels = hostRunnerLabels(report, {
          ...(gpuIndexes ? { gpuIndexes } : {}),
          ...(opts.label ? { extra: opts.label } : {}),
          ephemeral,
        });
        const token = opts.jit
          ? secret(opts.token, io.env, ["GITHUB_TOKEN", "GH_TOKEN"], "--jit")
          : secret(opts.token, io.env, ["RUNNER_TOKEN"], "configure");
        // node24 actions need a recent runner: checked before anything is registered, always
        // with --run, else when the runner folder is there to ask.
        const runnerDir = resolve(io.cwd, opts.runnerDir);
        if (opts.run || existsSync(resolve(runnerDir, RUNNER_LISTENER))) {
          const version = await checkRunnerVersion({ runnerDir, env: io.env });
          io.stderr(`runner ${version} in ${runnerDir} (${MIN_RUNNER_VERSION} or later needed)\n`);
        } else {
          io.stderr(
            `note: no ${RUNNER_LISTENER} in ${runnerDir}, so the runner's version was not checked; dstack's actions need runner ${MIN_RUNNER_VERSION} or later (pass --runner-dir)\n`,
          );
        }
        if (opts.jit) {
          const { target, baseUrl } = targetFromUrl(opts.url);
          const octokit = createGitHubClient({
            token,
            apiUrl: baseUrl,
            userAgent: "dstack-runner",
            warn: (m) => io.stderr(`${m}\n`),
          });
          const jit = await generateJitConfig({ octokit, target, name: opts.name, labels });
          io.stderr(
            `registered just-in-time runner ${opts.name} (id ${jit.runnerId}); start it with:\n`,
          );
          io.stdout(`${runShLine(jit.encodedJitConfig)}\n`);
          return;
        }
        const argv = configArgs({
          url: opts.url,
          token,
          labels,
          name: opts.name,
          ephemeral,
          ...(opts.runnerGroup ? { runnerGroup: opts.runnerGroup } : {}),
        });
        if (!opts.run) {
          io.stdout(`${formatCommand(argv, { mask: [token] })}\n`);
          return;
        }
        const r = await runConfig({
          runnerDir,
          argv,
          env: io.env,
          mask: [token],
        });
        status = r.exitCode === 0 ? 0 : 1;
      },
    );

  program
    .command("split")
    .description("partition this host's GPUs into runner instances: env files and systemd units")
    .requiredOption("--layout <layout>", "e.g. 8x1, 1x4+4x1, or 0,1,2,3/4/5/6/7")
    .requiredOption("--name <name>", "the base runner name")
    .option("-l, --label <label...>", "your own labels for every instance")
    .option("--runners-dir <dir>", "where the instances' runner folders are")
    .option("--write <dir>", "write each instance's env file and systemd unit under DIR")
    .option("--json", "print the plan as JSON")
    .action(
      async (opts: {
        layout: string;
        name: string;
        label?: string[];
        runnersDir?: string;
        write?: string;
        json?: boolean;
      }) => {
        const plan = planSplit({
          report: await facts(),
          layout: opts.layout,
          name: opts.name,
          ...(opts.label ? { extraLabels: opts.label } : {}),
          ...(opts.runnersDir ? { runnersDir: opts.runnersDir } : {}),
        });
        if ("errors" in plan) throw new UsageError(plan.errors.join("\n"));
        for (const w of plan.warnings) io.stderr(`warning: ${w}\n`);
        if (opts.json) {
          io.stdout(`${JSON.stringify(plan.instances, null, 2)}\n`);
        } else {
          for (const i of plan.instances) {
            io.stdout(`${i.name}: GPUs ${i.gpuIndexes.join(",")}  labels ${i.labels.join(",")}\n`);
          }
        }
        if (opts.write) {
          const dir = resolve(io.cwd, opts.write);
          for (const i of plan.instances) {
            mkdirSync(join(dir, i.name), { recursive: true });
            writeFileSync(join(dir, i.name, "dstack-runner.env"), i.envFile);
            writeFileSync(join(dir, i.name, `${i.unitName}`), i.systemdUnit);
          }
          io.stderr(`wrote ${plan.instances.length} env files and systemd units under ${dir}\n`);
        }
      },
    );

  const hook = program.command("hook").description("runner job hooks (see install-hooks)");
  hook
    .command("job-started")
    .description(
      "check this instance's GPUs answer and are free, lock them, export them to the job",
    )
    .action(async () => {
      try {
        await jobStarted({ env: io.env, print: (l) => io.stdout(`${l}\n`) });
      } catch (e) {
        // A workflow command: the runner shows it as the job's error annotation.
        io.stdout(`::error::${(e as Error).message}\n`);
        status = 1;
      }
    });
  hook
    .command("job-completed")
    .description("end the job's leftover GPU processes, release the locks, report memory left")
    .action(async () => {
      await jobCompleted({ env: io.env, print: (l) => io.stdout(`${l}\n`) });
    });

  program
    .command("install-hooks")
    .description(
      "write the hook scripts and point the runner's .env at them (restart the runner after)",
    )
    .requiredOption("--runner-dir <dir>", "the runner's folder (where run.sh and .env are)")
    .option(
      "--hooks-dir <dir>",
      "where the scripts go, outside the runner folder; run as root so jobs cannot change them",
      DEFAULT_HOOKS_DIR,
    )
    .action((opts: { runnerDir: string; hooksDir: string }) => {
      const result = installHooks({
        runnerDir: resolve(io.cwd, opts.runnerDir),
        bin: BIN,
        nodePath: process.execPath,
        hooksDir: resolve(io.cwd, opts.hooksDir),
      });
      for (const l of result.lines) io.stdout(`${l}\n`);
      for (const w of result.warnings) io.stderr(`warning: ${w}\n`);
    });

  program
    .command("arc-values")
    .description(
      "Helm values for an actions-runner-controller gha-runner-scale-set of this node's GPUs",
    )
    .requiredOption(
      "--github-config-url <url>",
      "https://github.com/ORG or https://github.com/OWNER/REPO",
    )
    .requiredOption(
      "--github-config-secret <name>",
      "the Kubernetes secret holding the GitHub credentials",
    )
    .requiredOption("--name <name>", "the runner scale set's name")
    .option("--gpus-per-runner <n>", "GPUs per runner pod", "1")
    .option("--min-runners <n>", "idle runners kept ready")
    .option("--max-runners <n>", "the most runners at once")
    .option("-l, --label <label...>", "your own labels")
    .action(
      async (opts: {
        githubConfigUrl: string;
        githubConfigSecret: string;
        name: string;
        gpusPerRunner: string;
        minRunners?: string;
        maxRunners?: string;
        label?: string[];
      }) => {
        const int = (v: string, flag: string) => {
          if (!/^\d+$/.test(v))
            throw new UsageError(`${flag}: ${JSON.stringify(v)} is not a whole number`);
          return Number(v);
        };
        io.stdout(
          arcValues({
            report: await facts(),
            gpusPerRunner: int(opts.gpusPerRunner, "--gpus-per-runner"),
            githubConfigUrl: opts.githubConfigUrl,
            githubConfigSecret: opts.githubConfigSecret,
            runnerScaleSetName: opts.name,
            ...(opts.minRunners ? { minRunners: int(opts.minRunners, "--min-runners") } : {}),
            ...(opts.maxRunners ? { maxRunners: int(opts.maxRunners, "--max-runners") } : {}),
            ...(opts.label ? { extraLabels: opts.label } : {}),
          }),
        );
      },
    );

  try {
    await program.parseAsync([...argv], { from: "user" });
    return status;
  } catch (e) {
    if (e instanceof CommanderError) return e.exitCode === 0 ? 0 : 2;
    io.stderr(`dstack-runner: ${(e as Error)?.message ?? String(e)}\n`);
    return e instanceof UsageError ? 2 : 1;
  }
}
