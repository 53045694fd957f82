import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  HOOK_COMPLETED_ENV,
  HOOK_STARTED_ENV,
  hookScript,
  InstallHooksError,
  installHooks,
  mergeEnvFile,
  quoteForBash,
  writableBy,
} from "./install-hooks.js";

/** A user id jobs run as in these tests: not the owner of anything the test creates. */
const NOBODY = 65534;

const made: string[] = [];
afterAll(() => {
  for (const dir of made) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "dstack-install-hooks-"));
  made.push(dir);
  return dir;
}

/**
 * A stand-in for a program the hook scripts exec (the dstack-runner bin, or node): records its
 * argv and the variables a hook sees into `<record>`, one `name=value` per line, then exits with
 * `STUB_EXIT` (default 0). Bash builtins only.
 */
function stub(path: string, record: string): string {
  writeFileSync(
    path,
    [
      "#!/bin/bash",
      `out=${quoteForBash(record)}`,
      "{",
      '  printf "argc=%s\\n" "$#"',
      '  for a in "$@"; do printf "arg=%s\\n" "$a"; done',
      "  for v in GITHUB_ENV RUNNER_NAME GITHUB_RUN_ID GITHUB_JOB DSTACK_RUNNER_GPUS; do",
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash indirect expansion
      '    printf "%s=%s\\n" "$v" "${!v}"',
      "  done",
      '} > "$out"',
      // biome-ignore lint/suspicious/noTemplateCurlyInString: bash default expansion
      'exit "${STUB_EXIT:-0}"',
      "",
    ].join("\n"),
  );
  chmodSync(path, 0o755);
  return path;
}

/** Runs `script` the way the runner runs a hook: `bash -e <script>`. */
function runAsRunner(script: string, env: NodeJS.ProcessEnv) {
  return spawnSync("bash", ["-e", script], {
    env: { PATH: process.env.PATH, ...env },
    encoding: "utf8",
  });
}

const hookEnv = {
  GITHUB_ENV: "/tmp/runner/_work/_temp/_runner_file_commands/set_env_1",
  RUNNER_NAME: "gpu-box-0",
  GITHUB_RUN_ID: "42",
  GITHUB_JOB: "train",
  DSTACK_RUNNER_GPUS: "GPU-3edf87da-6dc2-bd9a-1484-92b81d6e1f89",
};

describe("quoteForBash", () => {
  const cases = [
    { name: "plain", value: "/opt/dstack/bin/dstack-runner.js" },
    { name: "spaces", value: "/home/ci/actions runner/bin" },
    { name: "a single quote", value: "/home/o'brien/bin" },
    // biome-ignore lint/suspicious/noTemplateCurlyInString: a bash expansion that must stay literal
    { name: "expansions stay literal", value: "/x/$HOME/$(id)/`id`/${PATH}/!1/*" },
    { name: "backslashes and double quotes", value: '/x/\\n/"q"' },
    { name: "a line break", value: "/x/a\nb" },
    { name: "empty", value: "" },
  ];
  it.each(cases)("$name", ({ value }) => {
    const result = spawnSync("bash", ["-c", `printf '%s' ${quoteForBash(value)}`], {
      encoding: "utf8",
    });
    expect(result.stdout).toBe(value);
  });
});

describe("hookScript", () => {
  it("bash, set -e, exec of the bin with hook <event>, paths quoted", () => {
    expect(hookScript({ event: "job-started", bin: "/opt/it's here/dstack-runner.js" })).toBe(
      [
        "#!/usr/bin/env bash",
        "# Written by `dstack-runner install-hooks`; the runner runs it as `bash -e <this file>`",
        "# (ACTIONS_RUNNER_HOOK_JOB_STARTED in the runner's .env). Edits are lost when install-hooks runs again.",
        "set -e",
        "exec '/opt/it'\\''s here/dstack-runner.js' hook job-started",
        "",
      ].join("\n"),
    );
    expect(
      hookScript({ event: "job-completed", bin: "/b/dstack-runner.js", nodePath: "/usr/bin/node" }),
    ).toContain("\nexec '/usr/bin/node' '/b/dstack-runner.js' hook job-completed\n");
  });
});

describe("mergeEnvFile", () => {
  const entries = {
    [HOOK_STARTED_ENV]: "/r/h/job-started.sh",
    [HOOK_COMPLETED_ENV]: "/r/h/job-completed.sh",
  };
  const cases: {
    name: string;
    text: string;
    want: string;
    changes: string[];
  }[] = [
    {
      name: "a new .env",
      text: "",
      want: `${HOOK_STARTED_ENV}=/r/h/job-started.sh\n${HOOK_COMPLETED_ENV}=/r/h/job-completed.sh\n`,
      changes: ["added", "added"],
    },
    {
      name: "other lines kept, in order, byte for byte",
      text: "LANG=C.UTF-8\n# a comment\nhttp_proxy=http://proxy:3128 \nDSTACK_RUNNER_GPUS=0,1\nnot a variable\n",
      want: `LANG=C.UTF-8\n# a comment\nhttp_proxy=http://proxy:3128 \nDSTACK_RUNNER_GPUS=0,1\nnot a variable\n${HOOK_STARTED_ENV}=/r/h/job-started.sh\n${HOOK_COMPLETED_ENV}=/r/h/job-completed.sh\n`,
      changes: ["added", "added"],
    },
    {
      name: "an existing hook replaced in place; a duplicate dropped",
      text: `A=1\n${HOOK_STARTED_ENV}=/opt/cleanup.sh\nB=2\n${HOOK_STARTED_ENV}=/opt/other.sh\n`,
      want: `A=1\n${HOOK_STARTED_ENV}=/r/h/job-started.sh\nB=2\n${HOOK_COMPLETED_ENV}=/r/h/job-completed.sh\n`,
      changes: ["replaced /opt/other.sh", "added"],
    },
    {
      name: "already set: unchanged",
      text: `${HOOK_COMPLETED_ENV}=/r/h/job-completed.sh\n${HOOK_STARTED_ENV}=/r/h/job-started.sh\n`,
      want: `${HOOK_COMPLETED_ENV}=/r/h/job-completed.sh\n${HOOK_STARTED_ENV}=/r/h/job-started.sh\n`,
      changes: ["unchanged", "unchanged"],
    },
    {
      name: "no final line break",
      text: "A=1",
      want: `A=1\n${HOOK_STARTED_ENV}=/r/h/job-started.sh\n${HOOK_COMPLETED_ENV}=/r/h/job-completed.sh\n`,
      changes: ["added", "added"],
    },
    {
      name: "CRLF lines stay CRLF",
      text: `A=1\r\n${HOOK_STARTED_ENV}=/old.sh\r\n`,
      want: `A=1\r\n${HOOK_STARTED_ENV}=/r/h/job-started.sh\r\n${HOOK_COMPLETED_ENV}=/r/h/job-completed.sh\r\n`,
      changes: ["replaced /old.sh", "added"],
    },
  ];
  it.each(cases)("$name", ({ text, want, changes }) => {
    const merged = mergeEnvFile(text, entries);
    expect(merged.text).toBe(want);
    expect(
      merged.changes.map((c) =>
        c.previous === undefined ? c.change : `${c.change} ${c.previous}`,
      ),
    ).toEqual(changes);
  });
});

describe("installHooks", () => {
  /** A runner folder with a .env, and a stub bin in a folder whose name needs quoting. */
  function runner(envText?: string) {
    const root = tempDir();
    const runnerDir = join(root, "actions-runner");
    mkdirSync(runnerDir);
    writeFileSync(join(runnerDir, "config.sh"), "");
    if (envText !== undefined) {
      writeFileSync(join(runnerDir, ".env"), envText, { mode: 0o600 });
    }
    const binDir = join(root, "it's $HOME `id` dir");
    mkdirSync(binDir);
    const record = join(root, "record.txt");
    const bin = stub(join(binDir, "dstack-runner.js"), record);
    // Outside the runner folder, as the default is; tests never write the real default.
    const hooksDir = join(root, "opt", "dstack-runner", "hooks");
    const base = { runnerDir, bin, hooksDir, jobUid: NOBODY, jobGid: NOBODY };
    return { root, runnerDir, bin, record, hooksDir, base };
  }

  it("writes both scripts (0755), merges .env keeping its lines, and is idempotent", () => {
    const r = runner("LANG=C.UTF-8\nDSTACK_RUNNER_GPUS=0,1\n");
    const first = installHooks(r.base);
    const started = join(r.hooksDir, "job-started.sh");
    const completed = join(r.hooksDir, "job-completed.sh");
    expect(first.scripts).toEqual({ started, completed });
    expect(first.scriptsWritten).toEqual([started, completed]);
    expect(statSync(started).mode & 0o777).toBe(0o755);
    expect(statSync(completed).mode & 0o777).toBe(0o755);
    expect(readFileSync(started, "utf8")).toBe(hookScript({ event: "job-started", bin: r.bin }));
    const envFile = join(r.runnerDir, ".env");
    expect(readFileSync(envFile, "utf8")).toBe(
      `LANG=C.UTF-8\nDSTACK_RUNNER_GPUS=0,1\n${HOOK_STARTED_ENV}=${started}\n${HOOK_COMPLETED_ENV}=${completed}\n`,
    );
    expect(statSync(envFile).mode & 0o777).toBe(0o600);
    expect(first.changed).toBe(true);
    expect(first.lines).toEqual([
      `wrote ${started}`,
      `wrote ${completed}`,
      `${envFile}: added ${HOOK_STARTED_ENV}=${started}`,
      `${envFile}: added ${HOOK_COMPLETED_ENV}=${completed}`,
      "restart the runner so it reads .env (sudo ./svc.sh stop && sudo ./svc.sh start, or stop and start ./run.sh)",
    ]);
    expect(first.warnings).toEqual([]);

    const again = installHooks(r.base);
    expect(again.changed).toBe(false);
    expect(again.scriptsWritten).toEqual([]);
    expect(again.env.map((e) => e.change)).toEqual(["unchanged", "unchanged"]);
    expect(again.lines).toEqual([`hooks already installed in ${r.runnerDir}: nothing changed`]);
  });

  it("a new .env is created 0644; a hooks folder elsewhere", () => {
    const r = runner();
    const hooksDir = join(r.root, "elsewhere", "dstack-hooks");
    const result = installHooks({ ...r.base, hooksDir });
    expect(result.scripts.started).toBe(join(hooksDir, "job-started.sh"));
    expect(statSync(join(r.runnerDir, ".env")).mode & 0o777).toBe(0o644);
    expect(readFileSync(join(r.runnerDir, ".env"), "utf8")).toBe(
      `${HOOK_STARTED_ENV}=${hooksDir}/job-started.sh\n${HOOK_COMPLETED_ENV}=${hooksDir}/job-completed.sh\n`,
    );
  });

  it("replacing an administrator's hook says so", () => {
    const r = runner(`${HOOK_STARTED_ENV}=/opt/cleanup.sh\n`);
    const result = installHooks(r.base);
    expect(result.env[0]).toMatchObject({ change: "replaced", previous: "/opt/cleanup.sh" });
    expect(result.lines).toContain(
      `${result.envFile}: replaced ${HOOK_STARTED_ENV}=/opt/cleanup.sh with ${result.scripts.started} (that script no longer runs)`,
    );
  });

  const runs = [
    { name: "job-started", script: "started" as const, event: "job-started", exit: "0", code: 0 },
    {
      name: "job-completed",
      script: "completed" as const,
      event: "job-completed",
      exit: "0",
      code: 0,
    },
    {
      name: "a failing bin fails the hook",
      script: "started" as const,
      event: "job-started",
      exit: "7",
      code: 7,
    },
  ];
  it.each(runs)("run by the runner (bash -e): $name", ({ script, event, exit, code }) => {
    const r = runner();
    const installed = installHooks(r.base);
    const result = runAsRunner(installed.scripts[script], { ...hookEnv, STUB_EXIT: exit });
    expect(result.status).toBe(code);
    expect(readFileSync(r.record, "utf8")).toBe(
      [
        "argc=2",
        "arg=hook",
        `arg=${event}`,
        ...Object.entries(hookEnv).map(([k, v]) => `${k}=${v}`),
        "",
      ].join("\n"),
    );
  });

  it("with nodePath: node runs the bin, whatever PATH the runner has", () => {
    const r = runner();
    const node = stub(join(r.root, "node"), r.record);
    const installed = installHooks({ ...r.base, nodePath: node });
    const result = spawnSync("/bin/bash", ["-e", installed.scripts.completed], {
      env: { ...hookEnv, PATH: "/nonexistent" },
      encoding: "utf8",
    });
    expect(result.status).toBe(0);
    expect(readFileSync(r.record, "utf8").split("\n").slice(0, 4)).toEqual([
      "argc=3",
      `arg=${r.bin}`,
      "arg=hook",
      "arg=job-completed",
    ]);
  });

  const bad: {
    name: string;
    options: (r: ReturnType<typeof runner>) => Parameters<typeof installHooks>[0];
    message: string | RegExp;
  }[] = [
    {
      name: "a relative runner folder",
      options: (r) => ({ runnerDir: "actions-runner", bin: r.bin }),
      message:
        'runner folder: "actions-runner" is not an absolute path; the runner needs absolute paths',
    },
    {
      name: "a missing runner folder",
      options: (r) => ({ runnerDir: join(r.root, "nope"), bin: r.bin }),
      message: /^runner folder: .*\/nope does not exist$/,
    },
    {
      name: "a runner folder that is a file",
      options: (r) => ({ runnerDir: join(r.runnerDir, "config.sh"), bin: r.bin }),
      message: /^runner folder: .*\/config\.sh is not a folder$/,
    },
    {
      name: "a relative bin",
      options: (r) => ({ runnerDir: r.runnerDir, bin: "bin/dstack-runner.js" }),
      message:
        'dstack-runner bin: "bin/dstack-runner.js" is not an absolute path; the runner needs absolute paths',
    },
    {
      name: "a missing bin",
      options: (r) => ({ runnerDir: r.runnerDir, bin: join(r.root, "missing.js") }),
      message: /^dstack-runner bin: .*\/missing\.js does not exist$/,
    },
    {
      name: "a bin that is a folder",
      options: (r) => ({ runnerDir: r.runnerDir, bin: r.root }),
      message: /^dstack-runner bin: .* is not a file$/,
    },
    {
      name: "a path with a line break (a .env line cannot carry it)",
      options: (r) => ({ runnerDir: r.runnerDir, bin: r.bin, hooksDir: join(r.root, "a\nb") }),
      message:
        /^hooks folder: ".*a\\nb" holds a line break or NUL, which a runner \.env line cannot carry$/,
    },
    {
      name: "a missing node",
      options: (r) => ({ runnerDir: r.runnerDir, bin: r.bin, nodePath: "/nonexistent/node" }),
      message: "node: /nonexistent/node does not exist",
    },
  ];
  it.each(bad)("$name: refused, nothing written", ({ options, message }) => {
    const r = runner();
    let error: unknown;
    try {
      installHooks({ hooksDir: r.hooksDir, ...options(r) });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InstallHooksError);
    expect((error as InstallHooksError).code).toBe("bad-path");
    expect((error as Error).message).toMatch(message);
    expect(() => statSync(join(r.runnerDir, ".env"))).toThrow();
  });
});

describe("installHooks keeps the hooks out of the job user's reach", () => {
  function runner() {
    const root = tempDir();
    const runnerDir = join(root, "actions-runner");
    mkdirSync(runnerDir);
    const bin = join(root, "dstack-runner.js");
    writeFileSync(bin, "");
    const hooksDir = join(root, "opt", "hooks");
    return { root, runnerDir, bin, hooksDir, base: { runnerDir, bin, hooksDir, jobUid: NOBODY } };
  }

  const inside: { name: string; hooksDir: (r: ReturnType<typeof runner>) => string }[] = [
    { name: "a folder in the runner folder", hooksDir: (r) => join(r.runnerDir, "dstack-hooks") },
    { name: "the runner folder itself", hooksDir: (r) => r.runnerDir },
    {
      name: "the runner folder through a symbolic link",
      hooksDir: (r) => {
        symlinkSync(r.runnerDir, join(r.root, "link"));
        return join(r.root, "link", "hooks");
      },
    },
    {
      name: "a path that climbs back in",
      hooksDir: (r) => join(r.root, "opt", "..", "actions-runner", "_work", "hooks"),
    },
  ];
  it.each(inside)("$name: refused, nothing written", ({ hooksDir }) => {
    const r = runner();
    const dir = hooksDir(r);
    let error: unknown;
    try {
      installHooks({ ...r.base, hooksDir: dir });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InstallHooksError);
    expect((error as InstallHooksError).code).toBe("unsafe-path");
    expect((error as Error).message).toContain(
      `is inside the runner folder ${r.runnerDir}, which the runner's user and so every job can write`,
    );
    expect(existsSync(join(r.runnerDir, ".env"))).toBe(false);
    expect(existsSync(join(dir, "job-started.sh"))).toBe(false);
  });

  it("a sibling whose name starts like the runner folder is outside it", () => {
    const r = runner();
    const hooksDir = join(r.root, "actions-runner-hooks");
    expect(installHooks({ ...r.base, hooksDir }).scripts.started).toBe(
      join(hooksDir, "job-started.sh"),
    );
  });

  it("resets a loose folder and scripts to 0755, owned by root when run as root", () => {
    const r = runner();
    mkdirSync(r.hooksDir, { recursive: true });
    chmodSync(r.hooksDir, 0o777);
    writeFileSync(join(r.hooksDir, "job-started.sh"), "echo planted\n", { mode: 0o777 });
    chmodSync(join(r.hooksDir, "job-started.sh"), 0o777);
    const root = process.getuid?.() === 0;
    if (root) {
      chownSync(r.hooksDir, NOBODY, NOBODY);
      chownSync(join(r.hooksDir, "job-started.sh"), NOBODY, NOBODY);
    }
    const result = installHooks(r.base);
    const owner = root ? 0 : process.getuid?.();
    for (const p of [r.hooksDir, result.scripts.started, result.scripts.completed]) {
      expect({ p, mode: statSync(p).mode & 0o777, uid: statSync(p).uid }).toEqual({
        p,
        mode: 0o755,
        uid: owner,
      });
    }
    expect(readFileSync(result.scripts.started, "utf8")).not.toContain("planted");
    expect(result.warnings).toEqual([]);
  });

  it("warns when the job user owns a folder above the hooks", () => {
    const r = runner();
    const me = process.getuid?.() ?? 0;
    const shared = join(r.root, "opt");
    mkdirSync(shared);
    // As root, a folder of the job user's above the hooks; otherwise the job user is this user.
    if (me === 0) chownSync(shared, NOBODY, NOBODY);
    const jobUid = me === 0 ? NOBODY : me;
    const result = installHooks({ ...r.base, jobUid, jobGid: NOBODY });
    expect(result.warnings).toHaveLength(2);
    expect(result.warnings[0]).toMatch(
      new RegExp(
        `^the job-started hook \\(${result.scripts.started}\\) can be changed by the job user \\(uid ${jobUid}\\): ${me === 0 ? shared : r.hooksDir} belongs to uid ${jobUid}\\.`,
      ),
    );
  });

  it("warns when the bin the hooks run is writable by every user", () => {
    const r = runner();
    chmodSync(r.bin, 0o666);
    const result = installHooks(r.base);
    expect(result.warnings).toEqual([
      expect.stringMatching(
        /^the dstack-runner bin the hooks run \(.*\) can be changed by the job user \(uid 65534\): .* is writable by every user\./,
      ),
    ]);
  });

  it("says a runner folder owned by root means jobs run as root", () => {
    const r = runner();
    const result = installHooks({ ...r.base, jobUid: 0 });
    expect(result.warnings).toEqual([expect.stringContaining("runs as root")]);
  });
});

describe("writableBy", () => {
  it("a folder with the sticky bit (like /tmp) is not a way in; a plain world-writable one is", () => {
    const dir = tempDir();
    const sticky = join(dir, "sticky");
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    writeFileSync(join(sticky, "f"), "");
    expect(writableBy(join(sticky, "f"), NOBODY, NOBODY)).toBeUndefined();
    chmodSync(sticky, 0o777);
    expect(writableBy(join(sticky, "f"), NOBODY, NOBODY)).toBe(
      `${sticky} is writable by every user`,
    );
  });
});
