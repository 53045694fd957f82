import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  apiUrlOf
} from "./chunk-4R5INGCW.js";
import {
  GitHubError,
  RunConcludedError,
  restError
} from "./chunk-W67435B5.js";
import {
  DIRECTION_ARROW,
  directionOf,
  formatMetricNumber,
  isBetter,
  lastValues
} from "./chunk-EXW4HUQH.js";
import {
  DISPATCH_EVENT_TYPE,
  REPOSITORY_ROLES,
  checkJobPolicy,
  checkTriggerPolicy,
  findWorkflow,
  formatDiagnostic,
  formatDuration,
  join,
  parseDispatchPayload,
  parseRunArgv,
  requiredRole,
  runCommandJob,
  split
} from "./chunk-OADE2NIT.js";

// ../../packages/triggers/lib/authorize.js
var PERMISSION_LEVELS = REPOSITORY_ROLES;
var rank = (p) => PERMISSION_LEVELS.indexOf(p);
var asLevel = (v) => PERMISSION_LEVELS.includes(v) ? v : void 0;
async function authorizeActor(options) {
  const { client, owner, repo, login } = options;
  const minimum = options.minimum ?? "write";
  let permission;
  try {
    const { data } = await client.request("GET /repos/{owner}/{repo}/collaborators/{username}/permission", { owner, repo, username: login });
    permission = asLevel(data.role_name) ?? asLevel(data.permission) ?? "none";
  } catch (e) {
    if (e.status !== 404) {
      throw restError(`read the permission of ${login} on ${owner}/${repo}`, e, apiUrlOf(client));
    }
    permission = "none";
  }
  return { ok: rank(permission) >= rank(minimum), permission, minimum };
}

// ../../packages/triggers/lib/command.js
var COMMAND_PREFIX = "/dstack";
var SHA_TOKEN_PATTERN = /^@([0-9a-fA-F]{7,40})$/;
var COMMAND_USAGE = `usage: /dstack run WORKFLOW [@SHA] [OPTIONS] [-- ARGS ...]

  WORKFLOW   a workflow of .dstack/workflows.yaml on the default branch
  @SHA       the reviewed commit of this pull request, 7 to 40 hex digits
             (required for a pull request from a fork); default: the head commit now
  OPTIONS    as for dstack run: --cpu N, --memory SIZE, --gpu N, --gpu-name NAME,
             --gpu-memory SIZE, --shm-size SIZE, -i, -e NAME=VALUE, -a FOLDER,
             -r FILE, --working-dir DIR
  ARGS       the script's arguments (they replace the workflow's args)

example: /dstack run train --gpu 2 -- --epochs 3`;
var FENCE = /^ {0,3}(`{3,}|~{3,})/;
function findCommandLine(body) {
  let fence;
  let inHtmlComment = false;
  for (const raw of body.split(/\r\n|\r|\n/)) {
    if (inHtmlComment) {
      if (raw.includes("-->"))
        inHtmlComment = false;
      continue;
    }
    const f = FENCE.exec(raw)?.[1];
    if (fence !== void 0) {
      if (f && f[0] === fence[0] && f.length >= fence.length && raw.trim() === f)
        fence = void 0;
      continue;
    }
    if (f) {
      fence = f;
      continue;
    }
    const line = raw.replace(/^ {0,3}/, "");
    if (line.startsWith("<!--")) {
      if (!line.includes("-->", 4))
        inHtmlComment = true;
      continue;
    }
    if (line.startsWith(COMMAND_PREFIX)) {
      const after = line.slice(COMMAND_PREFIX.length);
      if (after === "" || /^\s/.test(after))
        return line.trimEnd();
    }
  }
  return void 0;
}
var malformed = (line, why) => ({
  error: `${why}

${COMMAND_USAGE}`,
  line
});
var help = (line) => ({ error: COMMAND_USAGE, line, help: true });
function parseCommand(body) {
  const line = typeof body === "string" ? findCommandLine(body) : void 0;
  if (line === void 0)
    return { none: true };
  let words;
  try {
    words = split(line.slice(COMMAND_PREFIX.length));
  } catch (e) {
    return malformed(line, `The command cannot be split into words: ${e.message}.`);
  }
  const [verb, workflow, ...rest] = words;
  if (verb === void 0)
    return malformed(line, "The command is empty.");
  if (verb === "help" || verb === "--help" || verb === "-h")
    return help(line);
  if (verb !== "run") {
    return malformed(line, `${JSON.stringify(verb)} is not a command; the command is run.`);
  }
  if (workflow === void 0 || workflow === "--") {
    return malformed(line, "WORKFLOW is missing.");
  }
  if (workflow === "-h" || workflow === "--help")
    return help(line);
  if (workflow.startsWith("-")) {
    return malformed(line, `WORKFLOW must come first, right after run; got the option ${JSON.stringify(workflow)}.`);
  }
  if (workflow === "python") {
    return malformed(line, "The inline form (run python FILE) is not accepted on pull requests: name a workflow of .dstack/workflows.yaml on the default branch.");
  }
  let sha;
  let argv = rest;
  const first = rest[0];
  if (first?.startsWith("@")) {
    const m = SHA_TOKEN_PATTERN.exec(first);
    if (!m?.[1]) {
      return malformed(line, `${JSON.stringify(first)} is not a commit: write @ and 7 to 40 hex digits of a commit of this pull request, e.g. @1a2b3c4.`);
    }
    sha = m[1].toLowerCase();
    argv = rest.slice(1);
  }
  const parsed = parseRunArgv([workflow, ...argv]);
  if ("errors" in parsed) {
    const messages = parsed.errors.map(formatDiagnostic).map((m) => `- ${m}`);
    const stray = argv.find((w, i) => SHA_TOKEN_PATTERN.test(w) && !argv.slice(0, i).includes("--"));
    const hint = stray ? `

@SHA goes right after WORKFLOW: /dstack run ${workflow} ${stray}` : "";
    return malformed(line, `The command has errors:
${messages.join("\n")}${hint}`);
  }
  if (parsed.command.help)
    return help(line);
  return {
    command: { workflow, ...sha ? { sha } : {}, argv, run: parsed.command },
    line
  };
}
function renderCommand(command) {
  const words = [
    "run",
    command.workflow,
    ...command.sha ? [`@${command.sha}`] : [],
    ...command.argv
  ];
  if (words.some((w) => /[\r\n]/.test(w))) {
    throw new Error("renderCommand: a word holds a line break; a command is one line");
  }
  return `${COMMAND_PREFIX} ${join(words)}`;
}

// ../../packages/triggers/lib/head-history.js
async function branchChangesSince(options) {
  const { client, owner, repo, branch } = options;
  const since = Date.parse(options.since);
  if (Number.isNaN(since)) {
    throw new Error(`since: ${JSON.stringify(options.since)} is not an ISO 8601 time`);
  }
  const changes = [];
  try {
    const pages = client.paginate.iterator("GET /repos/{owner}/{repo}/activity", {
      owner,
      repo,
      ref: `refs/heads/${branch}`,
      direction: "desc",
      per_page: 100
    });
    for await (const page of pages) {
      for (const item of page.data) {
        if (Date.parse(item.timestamp) < Math.floor(since / 1e3) * 1e3) {
          return changes.reverse();
        }
        changes.push({
          timestamp: item.timestamp,
          type: item.activity_type,
          before: item.before,
          after: item.after,
          ...item.actor ? { actor: item.actor.login } : {}
        });
      }
    }
  } catch (e) {
    throw restError(`read the activity log of branch ${branch} in ${owner}/${repo}`, e, apiUrlOf(client));
  }
  return changes.reverse();
}

// ../../packages/triggers/lib/pin.js
var PULL_REQUEST_COMMITS_LIMIT = 250;
function isFork(pr) {
  return pr.head.repo === null || pr.head.repo.id !== pr.base.repo.id;
}
async function pinPullRequest(options) {
  const { client, owner, repo, number } = options;
  const where = `pull request #${number} of ${owner}/${repo}`;
  let pr;
  try {
    const { data } = await client.request("GET /repos/{owner}/{repo}/pulls/{pull_number}", {
      owner,
      repo,
      pull_number: number
    });
    pr = data;
  } catch (e) {
    throw restError(`read ${where}`, e, apiUrlOf(client));
  }
  if (pr.state !== "open") {
    return {
      refusal: {
        reason: "closed",
        message: `Pull request #${number} is ${pr.state}; runs start only on open pull requests.`
      }
    };
  }
  const fork = isFork(pr);
  const base = {
    number,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    fork,
    headRepo: pr.head.repo?.full_name ?? null,
    htmlUrl: pr.html_url
  };
  const requested = options.requestedSha?.toLowerCase();
  if (requested === void 0) {
    if (fork) {
      return {
        refusal: {
          reason: "fork-without-sha",
          message: `This pull request comes from a fork (${base.headRepo ?? "a deleted repository"}), where anyone with access to the fork can push. Review the code, then name the commit you reviewed: /dstack run WORKFLOW @${pr.head.sha.slice(0, 12)} (the head commit now).`
        }
      };
    }
    if (options.commentedAt !== void 0) {
      let changes;
      try {
        changes = await branchChangesSince({
          client,
          owner,
          repo,
          branch: pr.head.ref,
          since: options.commentedAt
        });
      } catch (e) {
        if (!(e instanceof GitHubError && (e.status === 403 || e.status === 404)))
          throw e;
        return {
          refusal: {
            reason: "head-unverified",
            message: `${e.message}

Without it, the head now (${short(pr.head.sha)}) cannot be shown to be the commit that was reviewed. Name the commit you reviewed: ${renderCommand({
              workflow: options.command?.workflow ?? "WORKFLOW",
              sha: short(pr.head.sha),
              argv: options.command?.argv ?? []
            })} (the head now).`
          }
        };
      }
      if (changes.length > 0) {
        const commits2 = await listCommits(options, where);
        return {
          refusal: pushedAfter({
            changes,
            commits: commits2,
            headSha: pr.head.sha,
            commentedAt: options.commentedAt,
            ...options.command ? { command: options.command } : {}
          })
        };
      }
    }
    return { pin: { ...base, sha: pr.head.sha } };
  }
  const commits = await listCommits(options, where);
  const matches = [...new Set(commits.map((c) => c.sha.toLowerCase()))].filter((sha) => sha.startsWith(requested));
  const [only] = matches;
  if (matches.length === 1 && only)
    return { pin: { ...base, sha: only } };
  const limit = commits.length >= PULL_REQUEST_COMMITS_LIMIT ? ` GitHub lists only the first ${PULL_REQUEST_COMMITS_LIMIT} commits of a pull request.` : "";
  return {
    refusal: {
      reason: "sha-not-in-pull-request",
      message: matches.length === 0 ? `@${requested} is not a commit of pull request #${number} (${commits.length} commits; the head is ${pr.head.sha.slice(0, 12)}).${limit}` : `@${requested} matches ${matches.length} commits of pull request #${number} (${matches.map((s) => s.slice(0, 12)).join(", ")}); give more digits.`
    }
  };
}
async function listCommits(options, where) {
  const { client, owner, repo, number } = options;
  try {
    return await client.paginate("GET /repos/{owner}/{repo}/pulls/{pull_number}/commits", {
      owner,
      repo,
      pull_number: number,
      per_page: 100
    });
  } catch (e) {
    throw restError(`list the commits of ${where}`, e, apiUrlOf(client));
  }
}
var NAMED_COMMITS = 20;
var short = (sha) => sha.slice(0, 12);
var ZERO_SHA = /^0+$/;
function pushedAfter(o) {
  const [first] = o.changes;
  const seen = first && !ZERO_SHA.test(first.before) ? first.before.toLowerCase() : void 0;
  const shas = o.commits.map((c) => c.sha.toLowerCase());
  const at = seen === void 0 ? -1 : shas.indexOf(seen);
  const unseen = at >= 0 ? shas.slice(at + 1) : shas.filter((s) => s !== seen);
  const rerun = (sha) => renderCommand({
    workflow: o.command?.workflow ?? "WORKFLOW",
    sha: short(sha),
    argv: o.command?.argv ?? []
  });
  const lines = [
    `The head branch changed after this command was written (${o.commentedAt}), so the commit it would run now is not the one that was reviewed:`,
    ...o.changes.map((c) => `  ${c.timestamp} ${c.type.replaceAll("_", " ")}${c.actor ? ` by ${c.actor}` : ""}: ${short(c.before)} -> ${short(c.after)}`),
    "",
    unseen.length === 0 ? "No commit of the pull request is new since then (the history was rewritten)." : `Commits not reviewed (${unseen.length}): ${unseen.slice(0, NAMED_COMMITS).map(short).join(", ")}${unseen.length > NAMED_COMMITS ? ", ..." : ""}`,
    at < 0 && seen !== void 0 ? `The reviewed head ${short(seen)} is no longer a commit of the pull request (a force push replaced it).` : "",
    "",
    ...at >= 0 && seen !== void 0 ? [`To run the commit that was reviewed: ${rerun(seen)}`] : [],
    `To run the new head after reviewing it: ${rerun(o.headSha)}`
  ];
  return {
    reason: "pushed-after-command",
    message: lines.filter((l, i, all) => l !== "" || all[i - 1] !== "").join("\n")
  };
}

// ../../packages/triggers/lib/markdown.js
function longestRun(text, char) {
  let longest = 0;
  let run = 0;
  for (const c of text) {
    run = c === char ? run + 1 : 0;
    longest = Math.max(longest, run);
  }
  return longest;
}
function code(text) {
  const flat = String(text).replace(/[\r\n]+/g, " ");
  if (flat === "")
    return '`""`';
  const fence = "`".repeat(longestRun(flat, "`") + 1);
  const pad = flat.startsWith("`") || flat.endsWith("`") || /^ .* $/.test(flat) ? " " : "";
  return `${fence}${pad}${flat}${pad}${fence}`;
}
function codeCell(text) {
  return code(text).replaceAll("|", "\\|");
}
function codeBlock(text, info = "text") {
  const fence = "`".repeat(Math.max(3, longestRun(String(text), "`") + 1));
  return `${fence}${info}
${String(text).replace(/\r\n?/g, "\n")}
${fence}`;
}
function link(label, url) {
  if (!url || !/^https?:\/\/[^\s]+$/i.test(url))
    return label;
  const safe = url.replace(/[()<>"'\\`|]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `[${label}](${safe})`;
}

// ../../packages/triggers/lib/replies.js
var REPLY_MARKER = "<!-- dstack-run:reply -->";
var TITLES = {
  "not-authorized": "not started: your role on the repository does not start runs",
  malformed: "not started: the command is malformed",
  help: "pull-request commands",
  "unknown-workflow": "not started: no such workflow",
  "invalid-override": "not started: an option is not valid for this workflow",
  "fork-without-sha": "not started: name the reviewed commit",
  "sha-not-in-pull-request": "not started: the commit is not part of this pull request",
  "pushed-after-command": "not started: commits came after the command",
  "head-unverified": "not started: name the reviewed commit",
  closed: "not started: the pull request is not open",
  "fork-label": "not started: the label does not run pull requests from forks",
  "no-workflows": "not started: no workflows file on the default branch",
  policy: "not started: the repository policy refuses it",
  "malformed-payload": "not started: the repository_dispatch payload is not valid"
};
function replyText(refusal, options = {}) {
  const who = options.actor ? ` (asked by ${code(options.actor)})` : "";
  const lines = [REPLY_MARKER, `**dstack**: ${TITLES[refusal.reason]}${who}.`, ""];
  if (options.command)
    lines.push(`> ${code(options.command)}`, "");
  lines.push(codeBlock(refusal.message));
  return `${lines.join("\n")}
`;
}

// ../../packages/triggers/lib/status.js
var STATUS_DESCRIPTION_MAX = 140;
function statusContext(workflow) {
  return `dstack/${workflow}`;
}
async function setCommitStatus(options) {
  const { client, owner, repo, sha, state, context } = options;
  const description = options.description?.replace(/\s+/g, " ").trim();
  try {
    const { data } = await client.request("POST /repos/{owner}/{repo}/statuses/{sha}", {
      owner,
      repo,
      sha,
      state,
      context,
      ...options.targetUrl && /^https?:\/\//i.test(options.targetUrl) ? { target_url: options.targetUrl } : {},
      ...description ? {
        description: description.length > STATUS_DESCRIPTION_MAX ? `${description.slice(0, STATUS_DESCRIPTION_MAX - 1)}\u2026` : description
      } : {}
    });
    return data.id;
  } catch (e) {
    throw restError(`set the ${context} status of ${sha.slice(0, 12)} in ${owner}/${repo}`, e, apiUrlOf(client));
  }
}

// ../../packages/metrics/lib/chart.js
var CHART_POINTS_MAX = 50;
var CHART_NAME_MAX = 60;
function pickIndices(n, max, keep) {
  if (n <= max)
    return Array.from({ length: n }, (_, i) => i);
  if (max < 2)
    return [n - 1];
  const picked = Array.from({ length: max }, (_, k) => Math.round(k * (n - 1) / (max - 1)));
  if (keep !== void 0 && keep > 0 && keep < n - 1 && !picked.includes(keep)) {
    let nearest = 1;
    for (let k = 1; k < max - 1; k++) {
      if (Math.abs(picked[k] - keep) < Math.abs(picked[nearest] - keep)) {
        nearest = k;
      }
    }
    picked[nearest] = keep;
    picked.sort((a, b) => a - b);
  }
  return picked;
}
function chartPoints(series, max = CHART_POINTS_MAX) {
  const pts = series.points;
  const best = pts.findIndex((p) => p.step === series.best.step && p.value === series.best.value);
  return pickIndices(pts.length, max, best < 0 ? void 0 : best).map((i) => pts[i]);
}
var plain = new Intl.NumberFormat("en-US", {
  useGrouping: false,
  maximumSignificantDigits: 6
});
function formatChartNumber(value) {
  return value === 0 ? "0" : plain.format(value);
}
function chartText(name) {
  const safe = [...name].map((c) => /^[\p{L}\p{N} ()[\].,/:_+=-]$/u.test(c) ? c : "_").join("");
  const cut = [...safe].length > CHART_NAME_MAX ? `${[...safe].slice(0, CHART_NAME_MAX - 1).join("")}\u2026` : safe;
  return cut.trim() === "" ? "metric" : cut;
}
function valueAt(points, step) {
  let v = points[0]?.value ?? 0;
  for (const p of points) {
    if (p.step > step)
      break;
    v = p.value;
  }
  return v;
}
function mermaidChart(series, options = {}) {
  const max = options.maxPoints ?? CHART_POINTS_MAX;
  const name = chartText(series.name);
  const fmt = formatChartNumber;
  const title = `${name}: last ${fmt(series.last.value)} at step ${fmt(series.last.step)}, best ${fmt(series.best.value)} at step ${fmt(series.best.step)}`;
  const mine = chartPoints(series, max);
  const lines = [];
  let steps;
  if (options.base && options.base.points.length > 0) {
    const theirs = chartPoints(options.base, max);
    const union = [...new Set([...mine, ...theirs].map((p) => p.step))].sort((a, b) => a - b);
    steps = pickIndices(union.length, max, union.indexOf(series.best.step)).map((i) => union[i]);
    lines.push(steps.map((s) => valueAt(series.points, s)));
    lines.push(steps.map((s) => valueAt(options.base?.points ?? [], s)));
  } else {
    steps = mine.map((p) => p.step);
    lines.push(mine.map((p) => p.value));
  }
  return [
    "xychart-beta",
    `  title "${title}"`,
    `  x-axis "step" [${steps.map(fmt).join(", ")}]`,
    `  y-axis "${name}"`,
    ...lines.map((l) => `  line [${l.map(fmt).join(", ")}]`)
  ].join("\n");
}
function mermaidBlock(series, options = {}) {
  return `\`\`\`mermaid
${mermaidChart(series, options)}
\`\`\``;
}

// ../../packages/metrics/lib/compare.js
function numbers(report) {
  const out = /* @__PURE__ */ new Map();
  for (const [k, v] of Object.entries(lastValues(report))) {
    if (typeof v === "number" && Number.isFinite(v))
      out.set(k, v);
  }
  return out;
}
function compareMetrics(run, base, options = {}) {
  const mine = numbers(run);
  const theirs = numbers(base);
  const directions = /* @__PURE__ */ new Map();
  for (const s of [...base.series, ...run.series])
    directions.set(s.name, s.direction);
  const names = [...mine.keys(), ...[...theirs.keys()].filter((k) => !mine.has(k))];
  return names.map((name) => {
    const given = options.directions;
    const direction = given && Object.hasOwn(given, name) ? directionOf(name, given) : directions.get(name) ?? directionOf(name);
    const value = mine.get(name);
    const b = theirs.get(name);
    if (value === void 0)
      return { name, direction, base: b, verdict: "missing" };
    if (b === void 0)
      return { name, direction, value, verdict: "new" };
    const change = value - b;
    const verdict = change === 0 ? "same" : isBetter(value, b, direction) ? "better" : "worse";
    return {
      name,
      direction,
      base: b,
      value,
      change,
      ...b !== 0 ? { relative: change / Math.abs(b) } : {},
      verdict
    };
  });
}

// ../../packages/triggers/lib/metrics-markdown.js
var CHARTS_MAX = 8;
var ARROW = DIRECTION_ARROW;
function changeText(c) {
  if (c.verdict === "new")
    return "new";
  if (c.verdict === "missing")
    return "not logged";
  const change = c.change ?? 0;
  const sign = change > 0 ? "+" : change < 0 ? "\u2212" : "";
  const rel = c.relative !== void 0 && change !== 0 ? ` (${sign}${Math.abs(c.relative * 100).toFixed(1)}%)` : "";
  const mark = c.verdict === "better" ? " \u2705 better" : c.verdict === "worse" ? " \u274C worse" : " same";
  return `${sign}${formatMetricNumber(Math.abs(change))}${rel}${mark}`;
}
var num = (v) => v === void 0 ? "\u2013" : codeCell(formatMetricNumber(v));
function renderMetricsMarkdown(options) {
  const { metrics, base } = options;
  const heading = "#".repeat(options.headingLevel ?? 4);
  const scalars = Object.entries(metrics.scalars);
  if (metrics.series.length === 0 && scalars.length === 0 && metrics.problems.length === 0) {
    return [];
  }
  const out = [`${heading} Metrics`, ""];
  if (base !== void 0) {
    if (base === null) {
      out.push("No base run: no successful run of this workflow on the default branch to compare with.", "");
    } else {
      out.push(`Compared with ${link(code(base.runName), base.url)}, the latest successful run of this workflow on the default branch:`, "");
      const rows = compareMetrics(metrics, base.metrics, {
        ...options.directions ? { directions: options.directions } : {}
      });
      if (rows.length > 0) {
        out.push("| metric | base | this run | change |", "|---|---:|---:|---|");
        for (const c of rows) {
          out.push(`| ${codeCell(c.name)} ${ARROW[c.direction]} | ${num(c.base)} | ${num(c.value)} | ${changeText(c)} |`);
        }
        out.push("", "\u2193 lower is better, \u2191 higher is better; values are each run's last.", "");
      }
    }
  }
  if (base === void 0 || base === null) {
    if (metrics.series.length > 0) {
      out.push("| metric | last | best | points |", "|---|---:|---:|---:|");
      for (const s of metrics.series) {
        out.push(`| ${codeCell(s.name)} ${ARROW[s.direction]} | ${num(s.last.value)} at ${s.last.step} | ${num(s.best.value)} at ${s.best.step} | ${s.count} |`);
      }
      out.push("");
    }
    if (scalars.length > 0) {
      out.push("| metric | value |", "|---|---:|");
      for (const [k, v] of scalars) {
        out.push(`| ${codeCell(k)} | ${codeCell(typeof v === "number" ? formatMetricNumber(v) : String(v))} |`);
      }
      out.push("");
    }
  }
  const max = options.chartsMax ?? CHARTS_MAX;
  const baseSeries = new Map((base?.metrics.series ?? []).map((s) => [s.name, s]));
  const charted = metrics.series.slice(0, max);
  for (const s of charted) {
    const other = baseSeries.get(s.name);
    out.push(mermaidBlock(s, other ? { base: other } : {}), "");
  }
  if (charted.length > 0 && base) {
    out.push(`On each chart the first line is this run, the second ${code(base.runName)}.`, "");
  }
  if (metrics.series.length > charted.length) {
    out.push(`${metrics.series.length - charted.length} more curves are in the table only (at most ${max} charts).`, "");
  }
  if (metrics.problems.length > 0)
    out.push(codeBlock(metrics.problems.join("\n")), "");
  while (out.at(-1) === "")
    out.pop();
  return out;
}

// ../../packages/triggers/lib/sticky.js
function stickyMarker(pr) {
  return `<!-- dstack-run:pr-${pr} -->`;
}
var STATUS_TITLE = {
  queued: "\u23F3 queued",
  running: "\u{1F3C3} running",
  success: "\u2705 success",
  failure: "\u274C failure",
  cancelled: "\u{1F6AB} cancelled",
  refused: "\u26D4 refused",
  "label-removed": "\u{1F3F7}\uFE0F label removed"
};
function formatDuration2(ms) {
  return formatDuration(ms, { style: "short" });
}
var formatValue = (v) => typeof v === "number" ? String(Number.isInteger(v) ? v : Number(v.toPrecision(6))) : String(v);
function renderSticky(state) {
  const rows = [];
  if (state.workflow !== void 0)
    rows.push(["Workflow", codeCell(state.workflow)]);
  if (state.command !== void 0)
    rows.push(["Command", codeCell(state.command)]);
  if (state.sha !== void 0)
    rows.push(["Commit", codeCell(state.sha.slice(0, 12))]);
  if (state.actor !== void 0)
    rows.push(["Requested by", codeCell(state.actor)]);
  if (state.runName !== void 0 || state.workflowRunUrl !== void 0) {
    rows.push(["Run", link(codeCell(state.runName ?? "workflow run"), state.workflowRunUrl)]);
  }
  if (state.runner !== void 0)
    rows.push(["Runner", codeCell(state.runner)]);
  if (state.durationMs !== void 0)
    rows.push(["Duration", formatDuration2(state.durationMs)]);
  const out = [stickyMarker(state.pr), `### dstack run: ${STATUS_TITLE[state.status]}`, ""];
  if (rows.length > 0) {
    out.push("| | |", "|---|---|", ...rows.map(([k, v]) => `| ${k} | ${v} |`), "");
  }
  const metrics = Object.entries(state.metrics ?? {});
  if (state.metricsReport) {
    const lines = renderMetricsMarkdown({
      metrics: state.metricsReport,
      ...state.base !== void 0 ? { base: state.base } : {},
      ...state.metricDirections ? { directions: state.metricDirections } : {}
    });
    if (lines.length > 0)
      out.push(...lines, "");
  } else if (metrics.length > 0) {
    out.push("**Metrics**", "", "| metric | value |", "|---|---:|", ...metrics.map(([k, v]) => `| ${codeCell(k)} | ${codeCell(formatValue(v))} |`), "");
  }
  const links = (items) => items.map((a) => link(code(a.name), a.url)).join(", ");
  if (state.artifacts?.length)
    out.push(`**Artifacts**: ${links(state.artifacts)}`, "");
  if (state.tags?.length)
    out.push(`**Tags**: ${links(state.tags)}`, "");
  if (state.message)
    out.push(codeBlock(state.message), "");
  return `${out.join("\n").trimEnd()}
`;
}
function createStickyComment(options) {
  const { client, owner, repo, pr } = options;
  const authors = new Set((options.authors ?? ["github-actions[bot]"]).map((a) => a.toLowerCase()));
  const marker = stickyMarker(pr);
  const where = `pull request #${pr} of ${owner}/${repo}`;
  let id;
  let looked = false;
  const find = async () => {
    if (looked)
      return id;
    try {
      const comments = await client.paginate("GET /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner, repo, issue_number: pr, per_page: 100 });
      const found = comments.find((c) => (c.body ?? "").startsWith(marker) && authors.has((c.user?.login ?? "").toLowerCase()));
      id = found ? Number(found.id) : void 0;
      looked = true;
      return id;
    } catch (e) {
      throw restError(`list the comments of ${where}`, e, apiUrlOf(client));
    }
  };
  return {
    find,
    async update(state) {
      const body = renderSticky({ ...state, pr });
      const existing = await find();
      try {
        if (existing !== void 0) {
          await client.request("PATCH /repos/{owner}/{repo}/issues/comments/{comment_id}", {
            owner,
            repo,
            comment_id: existing,
            body
          });
          return existing;
        }
        const { data } = await client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", { owner, repo, issue_number: pr, body });
        id = Number(data.id);
        return id;
      } catch (e) {
        throw restError(`write the dstack comment on ${where}`, e, apiUrlOf(client));
      }
    }
  };
}

// ../../packages/triggers/lib/handle.js
var DEFAULT_LABEL = "dstack-run";
async function react(client, at, content, warnings) {
  try {
    await client.request("POST /repos/{owner}/{repo}/issues/comments/{comment_id}/reactions", {
      owner: at.owner,
      repo: at.repo,
      comment_id: at.commentId,
      content
    });
  } catch (e) {
    warnings.push(restError(`react ${content} to comment ${at.commentId}`, e, apiUrlOf(client)).message);
  }
}
async function refuse(options, refusal, context, warnings) {
  const reply = replyText(refusal, context);
  if (options.post) {
    try {
      await options.client.request("POST /repos/{owner}/{repo}/issues/{issue_number}/comments", {
        owner: options.owner,
        repo: options.repo,
        issue_number: options.pr,
        body: reply
      });
    } catch (e) {
      throw restError(`reply on pull request #${options.pr} of ${options.owner}/${options.repo}`, e, apiUrlOf(options.client));
    }
  }
  return {
    kind: "refuse",
    reason: refusal.reason,
    message: refusal.message,
    reply,
    posted: options.post,
    warnings
  };
}
async function accept(options, d) {
  const { client, owner, repo } = options;
  const context = statusContext(d.workflow);
  const sticky = createStickyComment({
    client,
    owner,
    repo,
    pr: d.pr.number,
    ...options.stickyAuthors ? { authors: options.stickyAuthors } : {}
  });
  const stickyCommentId = await sticky.update({
    status: "queued",
    workflow: d.workflow,
    command: d.command,
    actor: d.actor,
    sha: d.sha
  });
  await setCommitStatus({
    client,
    owner,
    repo,
    sha: d.sha,
    state: "pending",
    context,
    description: `queued by ${d.actor}`
  });
  return {
    kind: "dispatch",
    ...d,
    inputs: { sha: d.sha },
    statusContext: context,
    stickyCommentId
  };
}
function jobFor(workflows, run) {
  const result = runCommandJob({ command: run, workflows });
  if ("job" in result)
    return result;
  const unknown = result.errors.some((d) => d.field === "WORKFLOW");
  return {
    refusal: {
      reason: unknown ? "unknown-workflow" : "invalid-override",
      message: `${result.errors.map(formatDiagnostic).join("\n")}${unknown ? "\n\nWorkflows are read from .dstack/workflows.yaml on the default branch." : ""}`
    }
  };
}
function minimumRole(options) {
  const minimum = options.minimum ?? "write";
  return options.policy ? requiredRole(options.policy, minimum) : minimum;
}
function policyRefusal(violations) {
  if (violations.length === 0)
    return void 0;
  return {
    reason: "policy",
    message: `${violations.map((v) => v.message).join("\n")}

The policy is .dstack/policy.yaml on the default branch.`
  };
}
function triggerRefusal(policy, event, actor) {
  return policy ? policyRefusal(checkTriggerPolicy(policy, { event, actors: [actor] })) : void 0;
}
function jobRefusal(policy, job) {
  return policy ? policyRefusal(checkJobPolicy(policy, job)) : void 0;
}
async function handleIssueComment(options) {
  const { client, event } = options;
  if (event.action !== "created") {
    return { kind: "ignore", why: `comment ${event.action}: only new comments are commands` };
  }
  if (!event.issue.pull_request) {
    return { kind: "ignore", why: `#${event.issue.number} is an issue, not a pull request` };
  }
  const user = event.comment.user;
  if (!user || user.type === "Bot") {
    return { kind: "ignore", why: "comments by bots are not commands" };
  }
  const parsed = parseCommand(event.comment.body ?? "");
  if ("none" in parsed)
    return { kind: "ignore", why: "no /dstack line in the comment" };
  const owner = event.repository.owner.login;
  const repo = event.repository.name;
  const number = event.issue.number;
  const warnings = [];
  const at = { owner, repo, commentId: event.comment.id };
  const context = { command: parsed.line, actor: user.login };
  const no = async (refusal, reaction = "confused") => {
    await react(client, at, reaction, warnings);
    return refuse({ client, owner, repo, pr: number, post: true }, refusal, context, warnings);
  };
  const auth = await authorizeActor({
    client,
    owner,
    repo,
    login: user.login,
    minimum: minimumRole(options)
  });
  if (!auth.ok) {
    return no({
      reason: "not-authorized",
      message: `${user.login} has the ${auth.permission} role on ${owner}/${repo}; starting runs needs ${auth.minimum} or above. A maintainer can review the pull request and comment the command.`
    }, "-1");
  }
  const byTrigger = triggerRefusal(options.policy, "issue_comment", user.login);
  if (byTrigger)
    return no(byTrigger, "-1");
  if ("error" in parsed) {
    return no({ reason: parsed.help ? "help" : "malformed", message: parsed.error });
  }
  const { command } = parsed;
  const resolved = jobFor(options.workflows, command.run);
  if ("refusal" in resolved)
    return no(resolved.refusal);
  const byJob = jobRefusal(options.policy, resolved.job);
  if (byJob)
    return no(byJob);
  const pinned = await pinPullRequest({
    client,
    owner,
    repo,
    number,
    ...command.sha ? { requestedSha: command.sha } : { commentedAt: event.comment.created_at, command }
  });
  if ("refusal" in pinned)
    return no(pinned.refusal);
  await react(client, at, "rocket", warnings);
  return accept({ ...options, owner, repo }, {
    job: resolved.job,
    workflow: command.workflow,
    sha: pinned.pin.sha,
    pr: pinned.pin,
    ref: event.repository.default_branch,
    actor: user.login,
    command: parsed.line,
    warnings
  });
}
async function handlePullRequestLabel(options) {
  const { client, event } = options;
  const label = options.label ?? DEFAULT_LABEL;
  const owner = event.repository.owner.login;
  const repo = event.repository.name;
  const pr = event.pull_request;
  const number = pr.number;
  const fork = isFork(pr);
  const hasLabel = (pr.labels ?? []).some((l) => l.name.toLowerCase() === label.toLowerCase());
  const removeLabel = async () => {
    try {
      await client.request("DELETE /repos/{owner}/{repo}/issues/{issue_number}/labels/{name}", {
        owner,
        repo,
        issue_number: number,
        name: label
      });
    } catch (e) {
      if (e.status !== 404) {
        throw restError(`remove the label ${label} from #${number}`, e, apiUrlOf(client));
      }
    }
  };
  if (event.action === "synchronize") {
    if (!hasLabel)
      return { kind: "ignore", why: `a push to #${number}, which has no ${label} label` };
    if (fork)
      return { kind: "ignore", why: `a push to #${number}, from a fork: labels never run forks` };
    await removeLabel();
    const sticky = createStickyComment({
      client,
      owner,
      repo,
      pr: number,
      ...options.stickyAuthors ? { authors: options.stickyAuthors } : {}
    });
    await sticky.update({
      status: "label-removed",
      sha: event.after ?? pr.head.sha,
      message: `A new push (${(event.after ?? pr.head.sha).slice(0, 12)}) removed the ${label} label: review the new commits, then add the label again to run them.`
    });
    return { kind: "ignore", why: `a push to #${number}: the ${label} label was removed` };
  }
  if (event.action !== "labeled" || event.label?.name.toLowerCase() !== label.toLowerCase()) {
    return {
      kind: "ignore",
      why: `pull_request ${event.action}: not the ${label} label being added`
    };
  }
  const context = { command: `label ${label}`, actor: event.sender.login };
  const warnings = [];
  if (fork) {
    return refuse({ client, owner, repo, pr: number, post: false }, {
      reason: "fork-label",
      message: `Pull request #${number} comes from a fork (${pr.head.repo?.full_name ?? "a deleted repository"}): the ${label} label does not run it. Review the code, then comment /dstack run ${options.workflow} @${pr.head.sha.slice(0, 12)}.`
    }, context, warnings);
  }
  const auth = await authorizeActor({
    client,
    owner,
    repo,
    login: event.sender.login,
    minimum: minimumRole(options)
  });
  const post = { client, owner, repo, pr: number, post: true };
  if (!auth.ok) {
    await removeLabel();
    return refuse(post, {
      reason: "not-authorized",
      message: `${event.sender.login} has the ${auth.permission} role on ${owner}/${repo}; the ${label} label starts runs only when added by ${auth.minimum} or above. The label was removed.`
    }, context, warnings);
  }
  if (pr.state !== "open") {
    return refuse(post, {
      reason: "closed",
      message: `Pull request #${number} is ${pr.state}; runs start only on open pull requests.`
    }, context, warnings);
  }
  const found = findWorkflow(options.workflows, options.workflow);
  if ("error" in found) {
    return refuse(post, {
      reason: "unknown-workflow",
      message: `label ${label}: ${found.error}. The workflow comes from the label input of the dstack-command workflow and .dstack/workflows.yaml on the default branch.`
    }, context, warnings);
  }
  const byPolicy = triggerRefusal(options.policy, "pull_request", event.sender.login) ?? jobRefusal(options.policy, found.job);
  if (byPolicy)
    return refuse(post, byPolicy, context, warnings);
  const pin = {
    number,
    sha: pr.head.sha,
    headSha: pr.head.sha,
    headRef: pr.head.ref,
    baseRef: pr.base.ref,
    fork,
    headRepo: pr.head.repo?.full_name ?? null,
    htmlUrl: pr.html_url
  };
  return accept({ ...options, owner, repo }, {
    job: found.job,
    workflow: options.workflow,
    sha: pin.sha,
    pr: pin,
    ref: event.repository.default_branch,
    actor: event.sender.login,
    command: context.command,
    warnings
  });
}

// ../../packages/triggers/lib/dispatch-event.js
async function handleRepositoryDispatch(options) {
  const { client, event } = options;
  if (event.action !== DISPATCH_EVENT_TYPE) {
    return {
      kind: "ignore",
      why: `repository_dispatch ${JSON.stringify(event.action)}: runs start on event_type ${DISPATCH_EVENT_TYPE}`
    };
  }
  const actor = event.sender.login;
  const owner = event.repository.owner.login;
  const repo = event.repository.name;
  const command = `repository_dispatch ${DISPATCH_EVENT_TYPE}`;
  const no = (refusal) => ({
    kind: "refuse",
    reason: refusal.reason,
    message: refusal.message,
    reply: replyText(refusal, { command, actor }),
    posted: false,
    warnings: []
  });
  const auth = await authorizeActor({
    client,
    owner,
    repo,
    login: actor,
    minimum: minimumRole(options)
  });
  if (!auth.ok) {
    return no({
      reason: "not-authorized",
      message: `${actor} has the ${auth.permission} role on ${owner}/${repo}; starting runs needs ${auth.minimum} or above.`
    });
  }
  const byTrigger = triggerRefusal(options.policy, "repository_dispatch", actor);
  if (byTrigger)
    return no(byTrigger);
  const parsed = parseDispatchPayload(event.client_payload);
  if ("errors" in parsed) {
    return no({
      reason: "malformed-payload",
      message: parsed.errors.map((d) => d.field ? `${d.field}: ${d.message}` : d.message).join("\n")
    });
  }
  const { request } = parsed;
  const resolved = jobFor(options.workflows, request.command);
  if ("refusal" in resolved)
    return no(resolved.refusal);
  const byJob = jobRefusal(options.policy, resolved.job);
  if (byJob)
    return no(byJob);
  const workflow = typeof request.command.target === "object" ? request.command.target.workflow : "python";
  return {
    kind: "dispatch",
    job: resolved.job,
    workflow,
    ref: event.repository.default_branch,
    inputs: request.ref !== void 0 ? { sha: request.ref } : {},
    actor,
    ...request.tag !== void 0 ? { tag: request.tag } : {},
    ...request.runName !== void 0 ? { runName: request.runName } : {},
    command: `${command}: ${workflow} by ${actor}`,
    warnings: []
  };
}

// ../../packages/triggers/lib/report.js
var STATE = {
  queued: "pending",
  running: "pending",
  success: "success",
  failure: "failure",
  cancelled: "error"
};
async function reportRun(options) {
  const { client, owner, repo, decision: d, report } = options;
  await createStickyComment({
    client,
    owner,
    repo,
    pr: d.pr.number,
    ...options.stickyAuthors ? { authors: options.stickyAuthors } : {}
  }).update({
    workflow: d.workflow,
    command: d.command,
    actor: d.actor,
    sha: d.sha,
    // The default branch's workflow says which way each metric is better, not the pull request.
    ...d.job.metrics ? { metricDirections: d.job.metrics } : {},
    ...report
  });
  const took = report.durationMs === void 0 ? "" : ` in ${formatDuration2(report.durationMs)}`;
  await setCommitStatus({
    client,
    owner,
    repo,
    sha: d.sha,
    state: STATE[report.status],
    context: d.statusContext,
    ...report.workflowRunUrl ? { targetUrl: report.workflowRunUrl } : {},
    description: `${report.runName ?? d.workflow}: ${report.status}${took}`
  });
}
function endedRunReport(options) {
  const { outcome, metrics = {} } = options;
  const runner = outcome.jobs.find((j) => j.runnerName)?.runnerName ?? void 0;
  const success = outcome.conclusion === "success";
  return {
    status: success ? "success" : outcome.conclusion === "cancelled" ? "cancelled" : "failure",
    runName: outcome.runName,
    workflowRunUrl: outcome.htmlUrl,
    durationMs: outcome.durationMs,
    ...runner ? { runner } : {},
    ...metrics.report ? { metrics: metrics.report.scalars, metricsReport: metrics.report } : {},
    artifacts: options.artifacts.map((a) => ({
      name: a.path,
      url: `${options.serverUrl}/${options.repository}/actions/runs/${outcome.workflowRunId}/artifacts/${a.id}`
    })),
    ...options.tag !== void 0 && success ? { tags: [{ name: options.tag }] } : {},
    ...metrics.problem ? { message: metrics.problem } : {}
  };
}
function failedRunReport(error, seen) {
  if (seen.workflowRunUrl !== "" && error instanceof RunConcludedError)
    return void 0;
  return {
    status: seen.workflowRunUrl === "" ? "failure" : "cancelled",
    ...seen.runName ? { runName: seen.runName } : {},
    ...seen.workflowRunUrl ? { workflowRunUrl: seen.workflowRunUrl } : {},
    message: error instanceof Error ? error.message : String(error)
  };
}

export {
  PERMISSION_LEVELS,
  authorizeActor,
  COMMAND_PREFIX,
  SHA_TOKEN_PATTERN,
  COMMAND_USAGE,
  findCommandLine,
  parseCommand,
  renderCommand,
  PULL_REQUEST_COMMITS_LIMIT,
  isFork,
  pinPullRequest,
  code,
  codeCell,
  codeBlock,
  link,
  REPLY_MARKER,
  replyText,
  STATUS_DESCRIPTION_MAX,
  statusContext,
  setCommitStatus,
  renderMetricsMarkdown,
  stickyMarker,
  formatDuration2 as formatDuration,
  renderSticky,
  createStickyComment,
  DEFAULT_LABEL,
  jobFor,
  minimumRole,
  policyRefusal,
  triggerRefusal,
  jobRefusal,
  handleIssueComment,
  handlePullRequestLabel,
  handleRepositoryDispatch,
  reportRun,
  endedRunReport,
  failedRunReport
};
