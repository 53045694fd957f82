// scripts/action-readme.js: the READMEs' inputs/outputs tables come from action.yml, and
// `--check` fails CI naming a README whose tables are stale.
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { inputsTable, outputsTable, renderReadme } from "../scripts/action-readme.js";

const root = fileURLToPath(new URL("..", import.meta.url));
const script = path.join(root, "scripts", "action-readme.js");

function cli(args: string[]) {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

const scratch = mkdtempSync(path.join(tmpdir(), "dstack-action-readme-"));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

const actionYml = `name: demo
description: a fixture
inputs:
  mode:
    description: >-
      \`run\` or \`plan\`,
      on two lines
    default: run
  token:
    description: "A token | with a pipe."
    required: true
    default: \${{ github.token }}
outputs:
  exit-code:
    description: The exit code.
runs:
  using: node24
  main: dist/index.js
`;

const readme = `# demo

## Inputs

<!-- action-inputs:start -->
| Input | old |
<!-- action-inputs:end -->

## Outputs

<!-- action-outputs:start -->
<!-- action-outputs:end -->

Footer.
`;

/** A repository with one action, `actions/demo`, whose README is `text`. */
async function fixture(name: string, text: string): Promise<string> {
  const dir = path.join(scratch, name);
  await mkdir(path.join(dir, "actions", "demo"), { recursive: true });
  await writeFile(path.join(dir, "actions", "demo", "action.yml"), actionYml);
  await writeFile(path.join(dir, "actions", "demo", "README.md"), text);
  return dir;
}

describe("action READMEs", () => {
  it("are up to date with their action.yml", () => {
    const r = cli(["--check"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
  });

  it("a stale one is named by --check, left as it is, and rewritten without --check", async () => {
    const dir = await fixture("stale", readme);
    const file = path.join(dir, "actions", "demo", "README.md");

    const checked = cli(["--check", "--root", dir]);
    expect(checked.status).toBe(1);
    expect(checked.stderr).toContain("actions/demo/README.md: the inputs/outputs tables differ");
    expect(await readFile(file, "utf8")).toBe(readme);

    const written = cli(["--root", dir]);
    expect(written.status).toBe(0);
    expect(written.stdout).toContain("wrote actions/demo/README.md");
    const text = await readFile(file, "utf8");
    expect(text).toContain("| `exit-code` | The exit code. |");
    expect(text).not.toContain("| Input | old |");
    expect(text.endsWith("Footer.\n")).toBe(true);

    expect(cli(["--check", "--root", dir]).status).toBe(0);
  });

  it("a README without the markers is an error, not a silent pass", async () => {
    const dir = await fixture("markers", "# demo\n\nNo tables.\n");
    const r = cli(["--check", "--root", dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("actions/demo/README.md: no <!-- action-inputs:start -->");
  });

  it("an action.yml that is not YAML is an error with its position", async () => {
    const dir = await fixture("broken", readme);
    await writeFile(
      path.join(dir, "actions", "demo", "action.yml"),
      "name: demo\ndescription: a: b\n",
    );
    const r = cli(["--check", "--root", dir]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("actions/demo/action.yml:2:14:");
  });

  it("tables: one line per input, pipes escaped, defaults as code, required marked", async () => {
    const { parse } = await import("yaml");
    const action = parse(actionYml);
    expect(inputsTable(action)).toBe(
      [
        "| Input | Description | Required | Default |",
        "| --- | --- | --- | --- |",
        "| `mode` | `run` or `plan`, on two lines | no | `run` |",
        // biome-ignore lint/suspicious/noTemplateCurlyInString: a GitHub expression, not a template
        "| `token` | A token \\| with a pipe. | yes | `${{ github.token }}` |",
      ].join("\n"),
    );
    expect(outputsTable(action)).toBe(
      ["| Output | Description |", "| --- | --- |", "| `exit-code` | The exit code. |"].join("\n"),
    );
    expect(outputsTable({})).toBe("This action has no outputs.");
    expect(renderReadme(readme, action)).toBe(renderReadme(renderReadme(readme, action), action));
  });
});
