import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  annotate
} from "./chunk-UZIKASSP.js";
import {
  InputError,
  readPolicyFile
} from "./chunk-VA56QZAF.js";
import {
  getInput,
  info,
  warning
} from "./chunk-RTZHXGW5.js";
import {
  readDefaultBranchPolicy
} from "./chunk-UVVLBS7E.js";
import {
  createGitHubClient
} from "./chunk-4R5INGCW.js";
import {
  DEFAULT_API_URL
} from "./chunk-W67435B5.js";
import {
  POLICY_FILE,
  checkJobPolicy,
  checkTriggerPolicy,
  emptyPolicy,
  policyDiagnostics
} from "./chunk-OADE2NIT.js";

// lib/policy.js
import { readFile } from "node:fs/promises";

// lib/client.js
var WRITE_SPACING_INPUT = "write-spacing-ms";
function stepClient(options) {
  const spacing = getInput(WRITE_SPACING_INPUT);
  if (spacing !== "" && !/^\d+$/.test(spacing)) {
    throw new InputError(`${WRITE_SPACING_INPUT}: ${JSON.stringify(spacing)} is not a whole number of milliseconds`);
  }
  return createGitHubClient({
    token: options.token,
    apiUrl: options.apiUrl ?? (process.env.GITHUB_API_URL || DEFAULT_API_URL),
    ...options.warn === false ? {} : { warn: (m) => warning(m) },
    ...spacing !== "" ? { writeSpacingMs: Number(spacing) } : {}
  });
}

// lib/policy.js
var WORKFLOW_TOKEN_ACTOR = "github-actions[bot]";
async function eventDefaultBranch() {
  const file = process.env.GITHUB_EVENT_PATH;
  if (!file)
    return void 0;
  try {
    const event = JSON.parse(await readFile(file, "utf8"));
    const branch = event.repository?.default_branch;
    return typeof branch === "string" && branch !== "" ? branch : void 0;
  } catch {
    return void 0;
  }
}
async function loadPolicy(options) {
  const [owner = "", repo = ""] = (process.env.GITHUB_REPOSITORY ?? "").split("/");
  let read;
  let from;
  let defaultBranch;
  if (options.token !== "" && owner !== "" && repo !== "") {
    const client = options.client ?? stepClient({ token: options.token });
    const known = options.defaultBranch ?? await eventDefaultBranch();
    const found = await readDefaultBranchPolicy({
      client,
      owner,
      repo,
      ...known !== void 0 ? { defaultBranch: known } : {}
    });
    defaultBranch = found.ref;
    read = found.exists ? found : void 0;
    from = `${POLICY_FILE} at ${found.ref} (the default branch)`;
  } else {
    read = readPolicyFile({ root: options.repoDir });
    from = `${POLICY_FILE} in the checkout`;
    if (read !== void 0) {
      warning(`${POLICY_FILE}: read from the checkout, because there is no github-token or GITHUB_REPOSITORY to read the default branch's; with them, the default branch's policy applies whatever branch runs`);
    }
  }
  const branch = defaultBranch !== void 0 ? { defaultBranch } : {};
  if (read === void 0) {
    return { policy: emptyPolicy(), from: `no ${POLICY_FILE}: no limits`, ...branch };
  }
  annotate(read.diagnostics);
  if (read.policy === void 0) {
    const n = read.diagnostics.filter((d) => d.severity === "error").length;
    throw new InputError(`${from} has ${n} problem${n === 1 ? "" : "s"} (see the annotations above); no run starts until it is fixed`);
  }
  return { policy: read.policy, from, ...branch };
}
function workflowTrigger(env = process.env) {
  const actors = [env.GITHUB_ACTOR, env.GITHUB_TRIGGERING_ACTOR].filter((a) => typeof a === "string" && a !== "" && a !== WORKFLOW_TOKEN_ACTOR);
  return { event: env.GITHUB_EVENT_NAME ?? "", actors: [...new Set(actors)] };
}
async function enforcePolicy(options) {
  const { loaded, job } = options;
  const { policy } = loaded;
  const trigger = options.trigger ?? workflowTrigger();
  info(`policy: ${loaded.from}`);
  const checked = trigger.actors.length > 0 ? trigger : { event: trigger.event };
  const violations = [
    ...checkJobPolicy(policy, job),
    ...trigger.event !== "" ? checkTriggerPolicy(policy, checked) : []
  ];
  const minimum = policy.triggers.permission;
  if (minimum !== void 0 && trigger.actors.length > 0) {
    const [owner = "", repo = ""] = (process.env.GITHUB_REPOSITORY ?? "").split("/");
    if (options.token === "" || owner === "") {
      throw new InputError(`${POLICY_FILE}: triggers.permission asks for ${minimum} or above, and the role of ${trigger.actors.join(", ")} cannot be read without github-token`);
    }
    const { authorizeActor } = await import("./lib-FLJ6FITH.js");
    const client = stepClient({ token: options.token });
    for (const login of trigger.actors) {
      const auth = await authorizeActor({ client, owner, repo, login, minimum });
      if (!auth.ok) {
        violations.push({
          rule: "triggers.permission",
          field: "actor",
          message: `actor: ${login} has the ${auth.permission} role on ${owner}/${repo}; ${POLICY_FILE} lets ${minimum} or above start runs (triggers.permission)`
        });
      }
    }
  }
  if (violations.length === 0)
    return;
  annotate(policyDiagnostics(policy, violations));
  throw new InputError(`the repository policy refuses this run (${violations.length} rule${violations.length === 1 ? "" : "s"}; see the annotations above): ${violations.map((v) => v.message).join("; ")}`);
}

export {
  stepClient,
  WORKFLOW_TOKEN_ACTOR,
  eventDefaultBranch,
  loadPolicy,
  workflowTrigger,
  enforcePolicy
};
