import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import {
  checkRunnerVersion,
  compareVersions,
  MIN_RUNNER_VERSION,
  readRunnerVersion,
} from "./runner-version.js";

const made: string[] = [];
afterAll(() => {
  for (const dir of made) rmSync(dir, { recursive: true, force: true });
});

/**
 * A runner folder whose `bin/Runner.Listener` answers `--version` as the real one does (one line,
 * exit 0), or with `body` instead.
 */
function fakeRunner(options: { version?: string; body?: string }): string {
  const dir = mkdtempSync(join(tmpdir(), "dstack-runner-version-"));
  made.push(dir);
  mkdirSync(join(dir, "bin"));
  const body =
    options.body ??
    `if [ "$1" = "--version" ]; then echo ${options.version}; exit 0; fi\necho "unexpected $*" >&2\nexit 64\n`;
  writeFileSync(join(dir, "bin", "Runner.Listener"), `#!/bin/sh\n${body}`);
  chmodSync(join(dir, "bin", "Runner.Listener"), 0o755);
  return dir;
}

describe("compareVersions", () => {
  it.each([
    { a: "2.327.0", b: "2.327.0", sign: 0 },
    { a: "2.327.1", b: "2.327.0", sign: 1 },
    { a: "2.326.99", b: "2.327.0", sign: -1 },
    { a: "3.0.0", b: "2.999.999", sign: 1 },
    { a: "2.327", b: "2.327.0", sign: 0 },
  ])("$a vs $b", ({ a, b, sign }) => {
    expect(Math.sign(compareVersions(a, b))).toBe(sign);
  });

  it("refuses what is not a version", () => {
    expect(() => compareVersions("v2.327.0", "2.327.0")).toThrow('"v2.327.0" is not a version');
  });
});

describe("checkRunnerVersion", () => {
  it.each([
    { name: "the least runner node24 actions run on", version: MIN_RUNNER_VERSION },
    { name: "a later one", version: "2.330.1" },
  ])("accepts $name ($version)", async ({ version }) => {
    const runnerDir = fakeRunner({ version });
    expect(await checkRunnerVersion({ runnerDir })).toBe(version);
  });

  it("refuses an older runner, naming both versions", async () => {
    const runnerDir = fakeRunner({ version: "2.326.0" });
    await expect(checkRunnerVersion({ runnerDir })).rejects.toThrow(
      `configure: the runner in ${runnerDir} is version 2.326.0; dstack's actions run on node24, which needs runner 2.327.0 or later. Download a newer release from https://github.com/actions/runner/releases`,
    );
  });

  const broken = [
    {
      name: "no runner there",
      runnerDir: () => {
        const dir = mkdtempSync(join(tmpdir(), "dstack-runner-version-"));
        made.push(dir);
        return dir;
      },
      error:
        /^configure: cannot run .*bin\/Runner\.Listener \(ENOENT\) to read the runner's version; extract a runner release/,
    },
    {
      name: "a listener that fails",
      runnerDir: () => fakeRunner({ body: "exit 3\n" }),
      error: /^configure: .*Runner\.Listener --version exited with 3, not a runner version/,
    },
    {
      name: "a listener that prints something else",
      runnerDir: () => fakeRunner({ body: "echo 'Runner listener'\n" }),
      error: /--version printed "Runner listener", not a runner version/,
    },
  ];
  it.each(broken)("says so for $name", async ({ runnerDir, error }) => {
    await expect(readRunnerVersion({ runnerDir: runnerDir() })).rejects.toThrow(error);
  });
});
