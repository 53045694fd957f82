import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { COMMAND_USAGE, findCommandLine, parseCommand, renderCommand } from "./command.js";

const SHA = "0123456789abcdef0123456789abcdef01234567";
// biome-ignore lint/suspicious/noTemplateCurlyInString: shell text that must stay unexpanded
const SHELL_TEXT = "MSG=$(rm -rf /) ${HOME}";

describe("findCommandLine", () => {
  it.each([
    {
      name: "the first /dstack line",
      body: "LGTM\n/dstack run train\n/dstack run eval",
      want: "/dstack run train",
    },
    { name: "CRLF line ends", body: "hi\r\n/dstack run train  \r\nbye", want: "/dstack run train" },
    { name: "up to 3 leading spaces", body: "   /dstack run train", want: "/dstack run train" },
    { name: "not 4 (indented code)", body: "    /dstack run train", want: undefined },
    { name: "not a quoted reply", body: "> /dstack run train\nthanks", want: undefined },
    { name: "not inside a ``` block", body: "```\n/dstack run train\n```", want: undefined },
    {
      name: "after a ``` block",
      body: "```sh\n/dstack run a\n```\n/dstack run b",
      want: "/dstack run b",
    },
    { name: "not inside a ~~~ block", body: "~~~\n/dstack run train\n~~~", want: undefined },
    {
      name: "a shorter fence does not close a longer one",
      body: "````\n```\n/dstack run a\n````\n/dstack run b",
      want: "/dstack run b",
    },
    {
      name: "not inside an HTML comment",
      body: "<!--\n/dstack run a\n-->\n/dstack run b",
      want: "/dstack run b",
    },
    { name: "not a longer word", body: "/dstackrun train", want: undefined },
    { name: "not in the middle of a line", body: "please /dstack run train", want: undefined },
    { name: "a bare /dstack", body: "/dstack", want: "/dstack" },
  ])("$name", ({ body, want }) => {
    expect(findCommandLine(body)).toBe(want);
  });
});

describe("parseCommand", () => {
  it.each([
    {
      name: "the issue's example",
      body: "/dstack run train --gpu 2 -- --epochs 3",
      workflow: "train",
      sha: undefined,
      argv: ["--gpu", "2", "--", "--epochs", "3"],
      overrides: { resources: { gpu: { count: 2 } }, args: ["--epochs", "3"] },
    },
    {
      name: "a pinned commit, upper case",
      body: "/dstack run train @ABCDEF1 --memory 16GB",
      workflow: "train",
      sha: "abcdef1",
      argv: ["--memory", "16GB"],
      overrides: { resources: { memory: "16GB" } },
    },
    {
      name: "a full SHA",
      body: `/dstack run train @${SHA}`,
      workflow: "train",
      sha: SHA,
      argv: [],
      overrides: {},
    },
    {
      name: "quotes kept as one word, nothing expanded",
      body: `/dstack run train -e "${SHELL_TEXT}" -- 'a b' "\`id\`"`,
      workflow: "train",
      sha: undefined,
      argv: ["-e", SHELL_TEXT, "--", "a b", "`id`"],
      overrides: { environment: [SHELL_TEXT], args: ["a b", "`id`"] },
    },
    {
      name: "a script's own options after --",
      body: "/dstack run train -- --gpu 8 -d",
      workflow: "train",
      sha: undefined,
      argv: ["--", "--gpu", "8", "-d"],
      overrides: { args: ["--gpu", "8", "-d"] },
    },
    {
      name: "a script's own -d and -r after --, a second -- included (the dstack run grammar)",
      body: "/dstack run train --cpu 2 -- -d -r x -- y",
      workflow: "train",
      sha: undefined,
      argv: ["--cpu", "2", "--", "-d", "-r", "x", "--", "y"],
      overrides: { resources: { cpu: 2 }, args: ["-d", "-r", "x", "--", "y"] },
    },
  ])("$name", ({ body, workflow, sha, argv, overrides }) => {
    const result = parseCommand(body);
    if (!("command" in result)) throw new Error(JSON.stringify(result));
    expect(result.command.workflow).toBe(workflow);
    expect(result.command.sha).toBe(sha);
    expect(result.command.argv).toEqual(argv);
    expect(result.command.run.overrides).toEqual(overrides);
    expect(result.command.run.target).toEqual({ workflow });
  });

  it.each([
    { name: "an empty command", body: "/dstack", want: "The command is empty." },
    { name: "an unknown verb", body: "/dstack train", want: '"train" is not a command' },
    { name: "no workflow", body: "/dstack run", want: "WORKFLOW is missing." },
    {
      name: "an option first",
      body: "/dstack run --gpu 2 train",
      want: "WORKFLOW must come first",
    },
    { name: "the inline form", body: "/dstack run python train.py", want: "inline form" },
    {
      name: "a bad SHA",
      body: "/dstack run train @xyz123456",
      want: '"@xyz123456" is not a commit',
    },
    { name: "a short SHA", body: "/dstack run train @abc12", want: '"@abc12" is not a commit' },
    {
      name: "a SHA after the options",
      body: "/dstack run train --gpu 2 @abcdef1",
      want: "@SHA goes right after WORKFLOW: /dstack run train @abcdef1",
    },
    { name: "an unknown option", body: "/dstack run train --gpus 2", want: "did you mean --gpu?" },
    {
      name: "an option without a value",
      body: "/dstack run train --gpu",
      want: "--gpu: needs a value",
    },
    {
      name: "a script's option before --",
      body: "/dstack run train --epochs 20",
      want: "--epochs: unknown option (see dstack run --help); a script's own options go after --",
    },
    {
      name: "an option whose value would be --",
      body: "/dstack run train --gpu -- --epochs 3",
      want: '--gpu: needs a value; the next word "--" starts with -',
    },
    {
      name: "an open quote",
      body: "/dstack run train -e 'A=b",
      want: "cannot be split into words",
    },
  ])("refuses $name, showing the grammar", ({ body, want }) => {
    const result = parseCommand(body);
    if (!("error" in result)) throw new Error(JSON.stringify(result));
    expect(result.error).toContain(want);
    expect(result.error).toContain(COMMAND_USAGE);
    expect(result.help).toBeUndefined();
  });

  it.each([
    { name: "help", body: "/dstack help" },
    { name: "-h", body: "/dstack -h" },
    { name: "run -h", body: "/dstack run -h" },
    { name: "run WORKFLOW --help", body: "/dstack run train --help" },
  ])("answers $name with the grammar", ({ body }) => {
    expect(parseCommand(body)).toEqual({ error: COMMAND_USAGE, line: body, help: true });
  });

  it("says none for a comment without a command", () => {
    expect(parseCommand("LGTM, thanks!")).toEqual({ none: true });
  });
});

/** Words as a comment can hold them: no line breaks (a command is one line). */
const word = fc.string({ unit: "grapheme", maxLength: 12 }).filter((w) => !/[\r\n]/.test(w));
const workflowName = fc.stringMatching(/^[a-z][a-z0-9_-]{0,15}$/).filter((w) => w !== "python");
const option = fc.oneof(
  fc.tuple(fc.constantFrom("--gpu", "--cpu"), fc.integer({ min: 1, max: 64 }).map(String)),
  fc.tuple(
    fc.constantFrom("--memory", "--shm-size", "--gpu-memory"),
    fc.constantFrom("16GB", "512MiB"),
  ),
  fc.tuple(fc.constant("--gpu-name"), fc.constantFrom("H100", "A100", "K80")),
  fc.tuple(
    fc.constant("-e"),
    fc.tuple(fc.stringMatching(/^[A-Z_][A-Z0-9_]{0,8}$/), word).map(([k, v]) => `${k}=${v}`),
  ),
  fc.tuple(fc.constant("-a"), fc.stringMatching(/^[a-z][a-z0-9/]{0,10}$/)),
  fc.constant(["-i"] as [string]),
);

describe("properties", () => {
  it("a command rendered and parsed again is the same command", () => {
    fc.assert(
      fc.property(
        workflowName,
        fc.option(fc.stringMatching(/^[0-9a-f]{7,40}$/), { nil: undefined }),
        fc.array(option, { maxLength: 4 }),
        fc.option(fc.array(word, { maxLength: 5 }), { nil: undefined }),
        (workflow, sha, options, args) => {
          const argv = [...options.flat(), ...(args ? ["--", ...args] : [])];
          const first = parseCommand(renderCommand({ workflow, sha, argv }));
          if (!("command" in first)) throw new Error(JSON.stringify(first));
          expect(first.command.argv).toEqual(argv);
          const again = parseCommand(`LGTM\n${renderCommand(first.command)}\nthanks`);
          if (!("command" in again)) throw new Error(JSON.stringify(again));
          expect(again.command).toEqual(first.command);
        },
      ),
    );
  });

  it("no comment body makes parseCommand throw, and what it parses round-trips", () => {
    const line = fc
      .array(
        fc.oneof(
          word,
          fc.constantFrom("--", "--gpu", "2", "-e", "'", '"', "\\", "@abcdef1", "```"),
        ),
        {
          maxLength: 8,
        },
      )
      .map((ws) => `/dstack run ${ws.join(" ")}`);
    const body = fc.oneof(
      fc.string({ unit: "binary", maxLength: 200 }),
      fc
        .tuple(fc.string({ maxLength: 40 }), line, fc.string({ maxLength: 40 }))
        .map((p) => p.join("\n")),
    );
    fc.assert(
      fc.property(body, (text) => {
        const result = parseCommand(text);
        if ("command" in result) {
          const again = parseCommand(renderCommand(result.command));
          if (!("command" in again)) throw new Error(JSON.stringify(again));
          expect(again.command).toEqual(result.command);
        }
      }),
      { numRuns: 500 },
    );
  });
});
