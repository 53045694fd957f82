/**
 * GPUs for tests: a fake `nvidia-smi` on `PATH`, answering the three queries `@dstack/host` makes
 * from fixture text files, like the real one would; recorded real outputs (`@dstack/host`'s
 * fixtures, `packages/host/src/fixtures`) and host reports built from them; scratch folders and
 * processes (lock owners, leftover GPU processes).
 *
 * The fake is a bash script that uses bash builtins only (tests put nothing else on `PATH`). It
 * lives in its own temp folder with its state files, which tests change between calls:
 *
 * | file | answers |
 * | --- | --- |
 * | `gpus.csv` | `--query-gpu=index,name,memory.total,uuid --format=csv,noheader,nounits` |
 * | `apps.csv` | `--query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits`: lines whose pid is not running are left out (as the driver would), unless `keepDeadPids` |
 * | `used.csv` | `--query-gpu=uuid,memory.used --format=csv,noheader,nounits`; absent: computed per GPU of `gpus.csv` as the sum of `used_memory` of the running processes of `apps.csv` |
 * | `fail.txt` | when present: printed on stdout for every query, which then exits with `exit-code` (a driver failure: `driver-failure.txt` of `@dstack/host`, exit 9) |
 * | `stderr.txt` | printed on stderr by every query |
 * | `exit-code` | the exit code of every query (default 0) |
 * | `apps-error.txt` | when present: the compute-apps query prints it on stderr and exits 255 |
 * | `calls.log` | one line per call: its arguments |
 *
 * Any other arguments: `fake nvidia-smi: unexpected arguments: …` on stderr, exit 2, so a query
 * that drifts from what the hooks document fails loudly.
 *
 * @module
 */

import { type ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type HostReport, parseNvidiaSmiCsv } from "@dstack/host";

/** The argument lines the fake answers, exactly as the hooks pass them (joined by spaces). */
export const FAKE_QUERIES = {
  gpus: "--query-gpu=index,name,memory.total,uuid --format=csv,noheader,nounits",
  used: "--query-gpu=uuid,memory.used --format=csv,noheader,nounits",
  apps: "--query-compute-apps=gpu_uuid,pid,used_memory --format=csv,noheader,nounits",
} as const;

/** The state of a fake nvidia-smi; every field optional. */
export interface FakeGpuState {
  /** `--query-gpu=index,name,memory.total,uuid` output (a fixture of `@dstack/host`). */
  gpus?: string;
  /** `--query-compute-apps=gpu_uuid,pid,used_memory` lines, `uuid, pid, MiB`. */
  apps?: string;
  /** `--query-gpu=uuid,memory.used` output; `null` removes it (computed from `apps`). */
  used?: string | null;
  /** Printed on stdout instead of any answer, with `exitCode`; `null` removes it. */
  fail?: string | null;
  /** Printed on stderr by every call; `null` removes it. */
  stderr?: string | null;
  /** Exit code of every call. */
  exitCode?: number;
  /** Makes only the compute-apps query fail: printed on stderr, exit 255; `null` removes it. */
  appsError?: string | null;
  /** Keep `apps` lines whose pid is not running. Default false. */
  keepDeadPids?: boolean;
}

/** A fake nvidia-smi in its own folder. */
export interface FakeNvidiaSmi {
  /** The folder: put it on `PATH`. */
  dir: string;
  /** The script's path. */
  path: string;
  /** Changes the state files (fields left out stay as they are). */
  set(state: FakeGpuState): void;
  /** The arguments of each call so far, one string per call. */
  calls(): string[];
  /** Removes the folder. */
  remove(): void;
}

function script(dir: string): string {
  const q = (s: string) => `'${s.replaceAll("'", `'\\''`)}'`;
  // biome-ignore-start lint/suspicious/noTemplateCurlyInString: these strings are bash, not templates
  return [
    "#!/bin/bash",
    "# Fake nvidia-smi for tests (packages/testing/src/gpus.ts): bash builtins only.",
    `d=${q(dir)}`,
    `printf '%s\\n' "$*" >> "$d/calls.log"`,
    'trim() { local s=$1; s=${s#"${s%%[![:space:]]*}"}; s=${s%"${s##*[![:space:]]}"}; printf \'%s\' "$s"; }',
    'emit() { [[ -s "$1" ]] || return 0; local text; text=$(<"$1"); [[ -n "$text" ]] && printf \'%s\\n\' "$text"; return 0; }',
    'code=0; [[ -s "$d/exit-code" ]] && code=$(<"$d/exit-code")',
    'emit "$d/stderr.txt" >&2',
    'if [[ -f "$d/fail.txt" ]]; then emit "$d/fail.txt"; exit "$code"; fi',
    "live() {",
    '  [[ -f "$d/keep-dead" ]] && return 0',
    '  [[ "$1" =~ ^[0-9]+$ ]] && kill -0 "$1" 2>/dev/null',
    "}",
    "apps() {",
    '  if [[ -f "$d/apps-error.txt" ]]; then emit "$d/apps-error.txt" >&2; exit 255; fi',
    '  [[ -f "$d/apps.csv" ]] || return 0',
    "  local uuid pid mem",
    '  while IFS=, read -r uuid pid mem || [[ -n "$uuid" ]]; do',
    '    [[ -z "$(trim "$uuid")" ]] && continue',
    '    live "$(trim "$pid")" && printf \'%s,%s,%s\\n\' "$uuid" "$pid" "$mem"',
    '  done < "$d/apps.csv"',
    "}",
    `case "$*" in`,
    `  ${q(FAKE_QUERIES.gpus)}) emit "$d/gpus.csv" ;;`,
    `  ${q(FAKE_QUERIES.apps)}) apps ;;`,
    `  ${q(FAKE_QUERIES.used)})`,
    '    if [[ -f "$d/used.csv" ]]; then emit "$d/used.csv"; else',
    "      declare -A used=()",
    "      while IFS=, read -r uuid pid mem; do",
    '        uuid=$(trim "$uuid"); mem=$(trim "$mem")',
    '        [[ "$mem" =~ ^[0-9]+$ ]] && used[$uuid]=$(( ${used[$uuid]:-0} + mem ))',
    "      done < <(apps)",
    '      if [[ -f "$d/gpus.csv" ]]; then',
    '        while IFS= read -r line || [[ -n "$line" ]]; do',
    '          [[ -z "$(trim "$line")" ]] && continue',
    '          uuid=$(trim "${line##*,}")',
    '          printf \'%s, %s\\n\' "$uuid" "${used[$uuid]:-0}"',
    '        done < "$d/gpus.csv"',
    "      fi",
    "    fi ;;",
    "  *) printf 'fake nvidia-smi: unexpected arguments: %s\\n' \"$*\" >&2; exit 2 ;;",
    "esac",
    'exit "$code"',
    "",
  ].join("\n");
  // biome-ignore-end lint/suspicious/noTemplateCurlyInString: these strings are bash, not templates
}

/**
 * Writes a fake `nvidia-smi` into a new temp folder (or `dir`, created when missing) with
 * `state`, executable.
 *
 * @returns the fake; put `fake.dir` on the hooks' `PATH`.
 */
export function fakeNvidiaSmi(state: FakeGpuState = {}, dir?: string): FakeNvidiaSmi {
  const folder = dir ?? mkdtempSync(join(tmpdir(), "dstack-fake-smi-"));
  mkdirSync(folder, { recursive: true });
  const path = join(folder, "nvidia-smi");
  writeFileSync(path, script(folder));
  chmodSync(path, 0o755);
  const file = (name: string) => join(folder, name);
  const setText = (name: string, value: string | null | undefined) => {
    if (value === undefined) {
      return;
    }
    if (value === null) {
      rmSync(file(name), { force: true });
    } else {
      writeFileSync(file(name), value);
    }
  };
  const fake: FakeNvidiaSmi = {
    dir: folder,
    path,
    set(next) {
      setText("gpus.csv", next.gpus);
      setText("apps.csv", next.apps);
      setText("used.csv", next.used);
      setText("fail.txt", next.fail);
      setText("stderr.txt", next.stderr);
      setText("apps-error.txt", next.appsError);
      if (next.exitCode !== undefined) {
        writeFileSync(file("exit-code"), String(next.exitCode));
      }
      if (next.keepDeadPids !== undefined) {
        if (next.keepDeadPids) {
          writeFileSync(file("keep-dead"), "");
        } else {
          rmSync(file("keep-dead"), { force: true });
        }
      }
    },
    calls() {
      const log = file("calls.log");
      return existsSync(log) ? readFileSync(log, "utf8").split("\n").filter(Boolean) : [];
    },
    remove() {
      rmSync(folder, { recursive: true, force: true });
    },
  };
  fake.set(state);
  return fake;
}

/** A recorded nvidia-smi output of `@dstack/host` (`packages/host/src/fixtures/<name>`). */
export function hostFixture(name: string): string {
  return readFileSync(new URL(`../../host/src/fixtures/${name}`, import.meta.url), "utf8");
}

/** The UUIDs of a `--query-gpu=index,name,memory.total,uuid` fixture, in order. */
export function fixtureUuids(csv: string): string[] {
  return parseNvidiaSmiCsv(csv).map((gpu) => gpu.uuid);
}

/**
 * A host report from a recorded nvidia-smi CSV of `@dstack/host`'s fixtures (see
 * {@link hostFixture}) and a large machine's other facts (208 CPUs, 2 TiB memory, 1 TiB
 * /dev/shm, on demand), overridden by `facts`. Sizes in bytes.
 */
export function fixtureReport(file: string, facts: Partial<HostReport> = {}): HostReport {
  const gpuDetails = parseNvidiaSmiCsv(hostFixture(file));
  return {
    cpus: 208,
    memoryBytes: 2048 * 2 ** 30,
    shmSizeBytes: 1024 * 2 ** 30,
    interruptible: false,
    gpus: gpuDetails.map(({ name, memoryBytes }) => ({ name, memoryBytes })),
    gpuDetails,
    notes: [`gpus from nvidia-smi: ${gpuDetails.length}`],
    sources: { cpus: "os", memory: "meminfo", gpus: "nvidia-smi" },
    ...facts,
  };
}

/** Temporary folders and processes of one test file, removed and killed by `cleanup()`. */
export interface Scratch {
  /** A new empty temporary folder (`<tmpdir>/<prefix>XXXXXX`). */
  tempDir(): string;
  /** The pid of a running `sleep 300`: a leftover GPU process, or another runner's job worker. */
  liveProcess(): number;
  /** The pid of a process that has exited and been reaped. */
  deadPid(): Promise<number>;
  /** Registers a child the test started, so `cleanup()` kills it too; returns it. */
  track<T extends ChildProcess>(child: T): T;
  /** Kills the live processes and removes the folders; call it from `afterAll`. */
  cleanup(): void;
}

/** Scratch space for a test file; see {@link Scratch}. */
export function scratch(prefix: string): Scratch {
  const made: string[] = [];
  const children: ChildProcess[] = [];
  return {
    tempDir() {
      const dir = mkdtempSync(join(tmpdir(), prefix));
      made.push(dir);
      return dir;
    },
    liveProcess() {
      const child = spawn("sleep", ["300"], { stdio: "ignore" });
      children.push(child);
      if (child.pid === undefined) throw new Error("sleep did not start");
      return child.pid;
    },
    async deadPid() {
      const child = spawn("true", { stdio: "ignore" });
      await once(child, "exit");
      if (child.pid === undefined) throw new Error("true did not start");
      return child.pid;
    },
    track(child) {
      children.push(child);
      return child;
    },
    cleanup() {
      for (const child of children) child.kill("SIGKILL");
      for (const dir of made) rmSync(dir, { recursive: true, force: true });
    },
  };
}
