import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { code, codeBlock, codeCell, link } from "./markdown.js";
import { formatDuration, renderSticky, stickyMarker } from "./sticky.js";

/** Strips code spans and fenced blocks the way GFM reads them, leaving only rendered text. */
function outsideCode(markdown: string): string {
  return markdown
    .replace(/^(`{3,})[^\n]*\n[\s\S]*?\n\1$/gm, "")
    .replace(/(`+)(?!`)[\s\S]*?(?<!`)\1(?!`)/g, "");
}

describe("markdown for user text", () => {
  it.each([
    { name: "plain", text: "train", want: "`train`" },
    { name: "a backtick inside", text: "a`b", want: "``a`b``" },
    { name: "a leading backtick", text: "`x", want: "`` `x ``" },
    { name: "line breaks", text: "a\nb\r\nc", want: "`a b c`" },
    { name: "empty", text: "", want: '`""`' },
  ])("code: $name", ({ text, want }) => {
    expect(code(text)).toBe(want);
  });

  it.each([
    { name: "a mention", text: "@octocat /cc @org/team" },
    {
      name: "HTML and a comment marker",
      text: "<img src=x onerror=alert(1)> <!-- dstack-run:pr-1 -->",
    },
    { name: "a link and an issue reference", text: "[click](https://evil.example) #1" },
    { name: "backticks that try to close the span", text: "``` `` ` x" },
  ])("keeps $name inside code", ({ text }) => {
    expect(outsideCode(code(text)).trim()).toBe("");
    expect(outsideCode(codeBlock(text)).trim()).toBe("");
  });

  it("property: no text escapes a code span or block", () => {
    fc.assert(
      fc.property(fc.string({ unit: "grapheme", maxLength: 40 }), (text) => {
        expect(outsideCode(code(text)).trim()).toBe("");
        expect(outsideCode(codeBlock(text.replace(/\r/g, ""))).trim()).toBe("");
      }),
    );
  });

  it("escapes pipes in table cells and links only http(s) URLs", () => {
    expect(codeCell("a|b")).toBe("`a\\|b`");
    expect(link("x", "javascript:alert(1)")).toBe("x");
    expect(link("x", "https://e.example/a(b)|c")).toBe("[x](https://e.example/a%28b%29%7Cc)");
  });
});

describe("renderSticky", () => {
  it("shows the run with every user text in code", () => {
    const body = renderSticky({
      pr: 7,
      status: "success",
      workflow: "train",
      command: "/dstack run train -e X=@octocat -- <b>hi</b>",
      actor: "octocat",
      sha: "0123456789abcdef0123456789abcdef01234567",
      runName: "sharp-shrimp-1",
      workflowRunUrl: "https://github.com/o/r/actions/runs/42",
      runner: "gpu-box-1",
      durationMs: 3_723_000,
      metrics: { "eval|f1": 0.912345678, "notes @team": "ok" },
      artifacts: [{ name: "model", url: "https://github.com/o/r/actions/runs/42/artifacts/1" }],
      tags: [{ name: "best" }],
      message: "```\n@everyone",
    });
    expect(body.split("\n")[0]).toBe(stickyMarker(7));
    expect(body).toContain("### dstack run: ✅ success");
    expect(body).toContain("| Commit | `0123456789ab` |");
    expect(body).toContain("| Run | [`sharp-shrimp-1`](https://github.com/o/r/actions/runs/42) |");
    expect(body).toContain("| Duration | 1h 2m 3s |");
    expect(body).toContain("| `eval\\|f1` | `0.912346` |");
    expect(body).toContain(
      "**Artifacts**: [`model`](https://github.com/o/r/actions/runs/42/artifacts/1)",
    );
    expect(body).toContain("**Tags**: `best`");
    // Outside code there is no mention, HTML or user text at all.
    const rendered = outsideCode(body.replace(stickyMarker(7), ""));
    expect(rendered).not.toMatch(/@|<b>|octocat/);
  });

  it.each([
    { ms: 0, want: "0s" },
    { ms: 42_400, want: "42s" },
    { ms: 192_000, want: "3m 12s" },
    { ms: 3_600_000, want: "1h 0m 0s" },
  ])("formatDuration($ms) = $want", ({ ms, want }) => {
    expect(formatDuration(ms)).toBe(want);
  });
});
