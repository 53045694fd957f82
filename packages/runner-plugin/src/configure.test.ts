import { chmodSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PassThrough } from "node:stream";
import { afterAll, describe, expect, it } from "vitest";
import {
  type ConfigArgsOptions,
  configArgs,
  formatCommand,
  runConfig,
  shellQuote,
} from "./configure.js";

const TOKEN = "AABBCCDDEEFFGG1122334455667";
const base: ConfigArgsOptions = {
  url: "https://github.com/acme/train",
  token: TOKEN,
  labels: ["self-hosted", "dstack", "gpu-h100"],
  name: "box-gpu0-3",
};

const made: string[] = [];
afterAll(() => {
  for (const dir of made) {
    rmSync(dir, { recursive: true, force: true });
  }
});

function tempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), "dstack-configure-"));
  made.push(dir);
  return dir;
}

describe("configArgs", () => {
  const cases: { name: string; options: ConfigArgsOptions; want: string[] }[] = [
    {
      name: "the least: an ephemeral runner, with its label",
      options: base,
      want: [
        "./config.sh",
        "--url",
        "https://github.com/acme/train",
        "--token",
        TOKEN,
        "--name",
        "box-gpu0-3",
        "--labels",
        "self-hosted,dstack,gpu-h100,dstack-ephemeral",
        "--unattended",
        "--replace",
        "--ephemeral",
      ],
    },
    {
      name: "a persistent runner: neither --ephemeral nor the label",
      options: { ...base, ephemeral: false },
      want: [
        "./config.sh",
        "--url",
        "https://github.com/acme/train",
        "--token",
        TOKEN,
        "--name",
        "box-gpu0-3",
        "--labels",
        "self-hosted,dstack,gpu-h100",
        "--unattended",
        "--replace",
      ],
    },
    {
      name: "an ephemeral runner whose labels have it already",
      options: { ...base, labels: ["self-hosted", "dstack-ephemeral"] },
      want: [
        "./config.sh",
        "--url",
        "https://github.com/acme/train",
        "--token",
        TOKEN,
        "--name",
        "box-gpu0-3",
        "--labels",
        "self-hosted,dstack-ephemeral",
        "--unattended",
        "--replace",
        "--ephemeral",
      ],
    },
    {
      name: "everything",
      options: {
        ...base,
        url: "https://github.com/acme",
        ephemeral: true,
        runnerGroup: "GPU runners",
        workFolder: "_work",
        noDefaultLabels: true,
      },
      want: [
        "./config.sh",
        "--url",
        "https://github.com/acme",
        "--token",
        TOKEN,
        "--name",
        "box-gpu0-3",
        "--labels",
        "self-hosted,dstack,gpu-h100,dstack-ephemeral",
        "--runnergroup",
        "GPU runners",
        "--work",
        "_work",
        "--no-default-labels",
        "--unattended",
        "--replace",
        "--ephemeral",
      ],
    },
  ];
  it.each(cases)("$name", ({ options, want }) => {
    expect(configArgs(options)).toEqual(want);
  });

  const bad: { name: string; options: ConfigArgsOptions; error: string }[] = [
    {
      name: "not a URL",
      options: { ...base, url: "acme/train" },
      error: 'url "acme/train" is not a repository or organization URL',
    },
    {
      name: "a URL without owner",
      options: { ...base, url: "https://github.com/" },
      error: "is not a repository or organization URL",
    },
    {
      name: "no token",
      options: { ...base, token: " " },
      error: "the registration token is empty",
    },
    { name: "no name", options: { ...base, name: "" }, error: "the runner name is empty" },
    { name: "no labels", options: { ...base, labels: [] }, error: "no labels" },
    {
      name: "a label with a comma",
      options: { ...base, labels: ["a,b"] },
      error: 'label "a,b" is empty or has a comma',
    },
    {
      name: "the ephemeral label on a persistent runner",
      options: { ...base, ephemeral: false, labels: ["self-hosted", "DSTACK-EPHEMERAL"] },
      error: "configure: label dstack-ephemeral is for ephemeral runners only",
    },
  ];
  it.each(bad)("refuses $name", ({ options, error }) => {
    expect(() => configArgs(options)).toThrow(error);
  });
});

describe("formatCommand", () => {
  const cases: { name: string; argv: string[]; mask?: string[]; want: string }[] = [
    {
      name: "config.sh with the token masked",
      argv: configArgs({ ...base, runnerGroup: "GPU runners" }),
      mask: [TOKEN],
      want: "./config.sh --url https://github.com/acme/train --token *** --name box-gpu0-3 --labels self-hosted,dstack,gpu-h100,dstack-ephemeral --runnergroup 'GPU runners' --unattended --replace --ephemeral",
    },
    { name: "a quote inside", argv: ["echo", "it's"], want: "echo 'it'\\''s'" },
    { name: "an empty argument", argv: ["x", ""], want: "x ''" },
    { name: "shell characters", argv: ["x", "$(id)", "a;b", "*"], want: "x '$(id)' 'a;b' '*'" },
    {
      name: "a token inside an argument",
      argv: ["x", `--token=${TOKEN}`],
      mask: [TOKEN],
      want: "x --token=***",
    },
    {
      name: "around the mask, quoted",
      argv: ["x", `a b${TOKEN}`],
      mask: [TOKEN],
      want: "x 'a b'***",
    },
    { name: "an empty mask changes nothing", argv: ["x", "y"], mask: [""], want: "x y" },
  ];
  it.each(cases)("$name", ({ argv, mask, want }) => {
    expect(formatCommand(argv, { mask: mask ?? [] })).toBe(want);
  });

  it("never shows a masked token", () => {
    for (const token of ["ghp_abc'def", "a b c", "x$y"]) {
      const shown = formatCommand(configArgs({ ...base, token }), { mask: [token] });
      expect(shown).not.toContain(token);
      expect(shown).toContain("--token ***");
    }
  });

  it("quotes what a shell would split", () => {
    expect(shellQuote("plain-word_1.2/x:y=z,@%+")).toBe("plain-word_1.2/x:y=z,@%+");
    expect(shellQuote("two words")).toBe("'two words'");
  });
});

describe("runConfig", () => {
  /** A runner folder whose config.sh prints its arguments, one per line, then exits with `code`. */
  function fakeRunner(code = 0): string {
    const dir = tempDir();
    writeFileSync(
      join(dir, "config.sh"),
      `#!/bin/sh\nfor a in "$@"; do printf 'arg: %s\\n' "$a"; done\necho "cwd: $(pwd)"\necho "to stderr" >&2\nexit ${code}\n`,
    );
    chmodSync(join(dir, "config.sh"), 0o755);
    return dir;
  }

  function collect(): { stream: PassThrough; text: () => string } {
    const stream = new PassThrough();
    const chunks: Buffer[] = [];
    stream.on("data", (c: Buffer) => chunks.push(c));
    return { stream, text: () => Buffer.concat(chunks).toString("utf8") };
  }

  it("runs config.sh in the runner folder, no shell, streaming its output", async () => {
    const dir = fakeRunner();
    const out = collect();
    const err = collect();
    const argv = configArgs({ ...base, runnerGroup: "GPU runners; rm -rf /" });
    const result = await runConfig({
      runnerDir: dir,
      argv,
      stdout: out.stream,
      stderr: err.stream,
    });
    expect(result).toEqual({ exitCode: 0 });
    expect(out.text()).toBe(
      `${argv
        .slice(1)
        .map((a) => `arg: ${a}\n`)
        .join("")}cwd: ${dir}\n`,
    );
    expect(err.text()).toBe("to stderr\n");
  });

  it("a failing config.sh: the command named, the token masked", async () => {
    const dir = fakeRunner(3);
    const run = runConfig({
      runnerDir: dir,
      argv: configArgs(base),
      mask: [TOKEN],
      stdout: collect().stream,
      stderr: collect().stream,
    });
    await expect(run).rejects.toThrow(/--token \*\*\* .* exited with code 3 in /);
    await expect(run).rejects.not.toThrow(TOKEN);
  });

  it("no config.sh: says where runners come from", async () => {
    const dir = tempDir();
    await expect(
      runConfig({
        runnerDir: dir,
        argv: configArgs(base),
        stdout: collect().stream,
        stderr: collect().stream,
      }),
    ).rejects.toThrow(
      /cannot run .*config\.sh \(ENOENT\); extract a runner release from https:\/\/github.com\/actions\/runner\/releases/,
    );
  });
});
