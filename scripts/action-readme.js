// Writes the inputs and outputs tables of each action's README.md from its action.yml (action.yml is
// the one source of the inputs and outputs; the README is generated from it), between `<!-- action-inputs:start -->`/`<!-- action-inputs:end -->` and
// `<!-- action-outputs:start -->`/`<!-- action-outputs:end -->`.
//
//   node scripts/action-readme.js [--check] [--root DIR] [actions/NAME ...]
//
// Without names: every actions/*/ folder that has both an action.yml and a README.md. `--check`
// writes nothing and exits 1 naming each README whose tables differ from its action.yml (CI).
import { existsSync, readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseDocument } from "yaml";

const repoRoot = path.dirname(path.dirname(fileURLToPath(import.meta.url)));

/** Parses an action.yml; a YAML error is thrown as `FILE:LINE:COL: message`. */
export function parseAction(text, file) {
  const doc = parseDocument(text);
  const [first] = doc.errors;
  if (first) {
    const at = first.linePos?.[0] ?? { line: 1, col: 1 };
    const message = first.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "");
    throw new Error(`${file}:${at.line}:${at.col}: ${message}`);
  }
  return doc.toJS() ?? {};
}

/** A table cell: one line, pipes escaped. */
function cell(value) {
  return String(value ?? "")
    .replace(/\s+/g, " ")
    .trim()
    .replaceAll("|", "\\|");
}

/** `code`, with a longer fence when the value holds backticks. */
function code(value) {
  const text = cell(value);
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** The inputs table (Markdown) of a parsed action.yml. */
export function inputsTable(action) {
  const rows = Object.entries(action.inputs ?? {}).map(([name, input]) => {
    const required = input?.required === true || input?.required === "true" ? "yes" : "no";
    const fallback = input?.default === undefined ? "" : code(input.default);
    return `| \`${name}\` | ${cell(input?.description)} | ${required} | ${fallback} |`;
  });
  if (rows.length === 0) {
    return "This action has no inputs.";
  }
  return [
    "| Input | Description | Required | Default |",
    "| --- | --- | --- | --- |",
    ...rows,
  ].join("\n");
}

/** The outputs table (Markdown) of a parsed action.yml. */
export function outputsTable(action) {
  const rows = Object.entries(action.outputs ?? {}).map(
    ([name, output]) => `| \`${name}\` | ${cell(output?.description)} |`,
  );
  if (rows.length === 0) {
    return "This action has no outputs.";
  }
  return ["| Output | Description |", "| --- | --- |", ...rows].join("\n");
}

/**
 * The README with both generated sections replaced. Throws when a pair of markers is missing, so
 * a README cannot silently lose its tables.
 */
export function renderReadme(readme, action, file = "README.md") {
  let out = readme;
  for (const [section, table] of [
    ["inputs", inputsTable(action)],
    ["outputs", outputsTable(action)],
  ]) {
    const start = `<!-- action-${section}:start -->`;
    const end = `<!-- action-${section}:end -->`;
    const from = out.indexOf(start);
    const to = out.indexOf(end);
    if (from < 0 || to < from) {
      throw new Error(`${file}: no ${start} ... ${end} section`);
    }
    out = `${out.slice(0, from + start.length)}\n\n${table}\n\n${out.slice(to)}`;
  }
  return out;
}

/** Action folders (relative to root) that have an action.yml and a README.md. */
export function actionDirs(root) {
  const actions = path.join(root, "actions");
  if (!existsSync(actions)) {
    return [];
  }
  return readdirSync(actions, { withFileTypes: true })
    .filter((e) => e.isDirectory())
    .map((e) => `actions/${e.name}`)
    .filter(
      (dir) =>
        existsSync(path.join(root, dir, "action.yml")) &&
        existsSync(path.join(root, dir, "README.md")),
    )
    .sort();
}

/**
 * Renders the README of each action folder; writes the changed ones unless `check`.
 * @param {{ root: string, dirs?: string[], check?: boolean }} options
 * @returns {Promise<{ stale: string[] }>} READMEs (relative to root) that differed
 */
export async function updateReadmes({ root, dirs = actionDirs(root), check = false }) {
  const stale = [];
  for (const dir of dirs) {
    const actionFile = `${dir}/action.yml`;
    const readmeFile = `${dir}/README.md`;
    const action = parseAction(await readFile(path.join(root, actionFile), "utf8"), actionFile);
    const readme = await readFile(path.join(root, readmeFile), "utf8");
    const rendered = renderReadme(readme, action, readmeFile);
    if (rendered !== readme) {
      stale.push(readmeFile);
      if (!check) {
        await writeFile(path.join(root, readmeFile), rendered);
      }
    }
  }
  return { stale };
}

async function main(argv) {
  const check = argv.includes("--check");
  const rootAt = argv.indexOf("--root");
  const root = rootAt >= 0 ? path.resolve(argv[rootAt + 1] ?? ".") : repoRoot;
  const dirs = argv.filter((a, i) => !a.startsWith("--") && !(rootAt >= 0 && i === rootAt + 1));
  const { stale } = await updateReadmes({ root, check, ...(dirs.length ? { dirs } : {}) });
  for (const file of stale) {
    if (check) {
      console.error(
        `${file}: the inputs/outputs tables differ from action.yml; run \`node scripts/action-readme.js\``,
      );
    } else {
      console.log(`wrote ${file}`);
    }
  }
  if (check && stale.length > 0) {
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((e) => {
    console.error(e instanceof Error ? e.message : e);
    process.exitCode = 1;
  });
}
