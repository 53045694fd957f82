import { createRequire as __dstackRequire } from 'node:module'; const require = __dstackRequire(import.meta.url);
import {
  apiUrlOf,
  countingFetch,
  fetchOf,
  sleepFor
} from "./chunk-4R5INGCW.js";
import {
  GitHubError,
  answeredStatus,
  gitHubMessage,
  isRateLimited,
  isTransient,
  rateLimitWaitMs,
  restError
} from "./chunk-W67435B5.js";
import {
  POLICY_FILE,
  jobLabels,
  jobToWorkflow,
  parsePolicy
} from "./chunk-OADE2NIT.js";

// ../../packages/github/lib/follow.js
var PAGE_SIZE = 100;
function workflowRunState(run) {
  return {
    workflowRunId: run.id,
    status: run.status ?? "queued",
    conclusion: run.conclusion,
    htmlUrl: run.html_url,
    displayTitle: run.display_title,
    updatedAt: run.updated_at,
    runAttempt: run.run_attempt ?? 1
  };
}
function throwIfAborted(signal) {
  if (signal?.aborted) {
    throw signal.reason;
  }
}
async function followRun(client, options) {
  const { owner, repo, workflowRunId, signal } = options;
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {
  });
  const min = options.minIntervalMs ?? 5e3;
  const max = Math.max(min, options.maxIntervalMs ?? 6e4);
  const requests = { counted: 0, notModified: 0 };
  const request = { fetch: countingFetch(client, requests), signal };
  const what = `follow workflow run ${workflowRunId} in ${owner}/${repo}`;
  let etag;
  let last;
  let interval = min;
  for (; ; ) {
    throwIfAborted(signal);
    let wait = interval;
    try {
      const answer = await client.rest.actions.getWorkflowRun({
        owner,
        repo,
        run_id: workflowRunId,
        headers: etag === void 0 ? {} : { "if-none-match": etag },
        request
      });
      etag = answer.headers.etag ?? void 0;
      const state = workflowRunState(answer.data);
      const changed = last === void 0 || state.status !== last.status || state.conclusion !== last.conclusion || state.updatedAt !== last.updatedAt || state.runAttempt !== last.runAttempt;
      last = state;
      if (changed) {
        await options.onUpdate?.(state);
        interval = min;
      } else {
        interval = Math.min(max, interval * 2);
      }
      if (state.status === "completed") {
        break;
      }
      wait = interval;
    } catch (e) {
      throwIfAborted(signal);
      if (answeredStatus(e) === 304) {
        interval = Math.min(max, interval * 2);
        wait = interval;
      } else if (isTransient(e)) {
        wait = isRateLimited(e) ? rateLimitWaitMs(e, now()) : interval;
        interval = Math.min(max, interval * 2);
        log(`${what}: ${answeredStatus(e) ?? "no answer"} (${gitHubMessage(e)}); polling again in ${Math.ceil(wait / 1e3)} s`);
      } else {
        throw restError(what, e, apiUrlOf(client));
      }
    }
    await sleep(wait, signal);
  }
  const persist = async (step, fn) => {
    let backoff = min;
    for (; ; ) {
      throwIfAborted(signal);
      try {
        return await fn();
      } catch (e) {
        throwIfAborted(signal);
        if (!isTransient(e)) {
          throw restError(`${step} of workflow run ${workflowRunId} in ${owner}/${repo}`, e, apiUrlOf(client));
        }
        const waitMs = isRateLimited(e) ? rateLimitWaitMs(e, now()) : backoff;
        backoff = Math.min(max, backoff * 2);
        log(`${step} of workflow run ${workflowRunId}: ${answeredStatus(e) ?? "no answer"} (${gitHubMessage(e)}); again in ${Math.ceil(waitMs / 1e3)} s`);
        await sleep(waitMs, signal);
      }
    }
  };
  const jobs = await persist("list the jobs", () => listJobPages(client, { owner, repo, workflowRunId }, request));
  const artifacts = await persist("list the artifacts", async () => {
    const all = [];
    for (let page = 1; ; page++) {
      const { data } = await client.rest.actions.listWorkflowRunArtifacts({
        owner,
        repo,
        run_id: workflowRunId,
        per_page: PAGE_SIZE,
        page,
        request
      });
      all.push(...data.artifacts);
      if (data.artifacts.length < PAGE_SIZE || all.length >= data.total_count) {
        return all;
      }
    }
  });
  return {
    ...last,
    jobs: jobs.map(jobOf),
    artifacts: artifacts.map((a) => ({
      id: a.id,
      name: a.name,
      sizeInBytes: a.size_in_bytes,
      digest: a.digest ?? null,
      expired: a.expired
    })),
    requests
  };
}
function jobOf(j) {
  return {
    id: j.id,
    name: j.name,
    status: j.status,
    conclusion: j.conclusion,
    htmlUrl: j.html_url,
    startedAt: j.started_at,
    completedAt: j.completed_at,
    runnerName: j.runner_name,
    labels: j.labels,
    steps: (j.steps ?? []).map((step) => ({
      name: step.name,
      status: step.status,
      conclusion: step.conclusion,
      number: step.number
    })),
    checkRunId: Number(/\/check-runs\/(\d+)$/.exec(j.check_run_url ?? "")?.[1] ?? j.id)
  };
}
async function listJobPages(client, at, request) {
  const all = [];
  for (let page = 1; ; page++) {
    const { data } = await client.rest.actions.listJobsForWorkflowRun({
      owner: at.owner,
      repo: at.repo,
      run_id: at.workflowRunId,
      filter: "latest",
      per_page: PAGE_SIZE,
      page,
      request
    });
    all.push(...data.jobs);
    if (data.jobs.length < PAGE_SIZE || all.length >= data.total_count) {
      return all;
    }
  }
}
async function listRunJobs(client, options) {
  const { owner, repo, workflowRunId } = options;
  try {
    const jobs = await listJobPages(client, options, { signal: options.signal });
    return jobs.map(jobOf);
  } catch (e) {
    throw restError(`list the jobs of workflow run ${workflowRunId} in ${owner}/${repo}`, e, apiUrlOf(client));
  }
}
async function cancelRun(client, options) {
  const { owner, repo, workflowRunId } = options;
  try {
    await client.rest.actions.cancelWorkflowRun({
      owner,
      repo,
      run_id: workflowRunId,
      request: { signal: options.signal }
    });
    return "requested";
  } catch (e) {
    const status = answeredStatus(e);
    if (status === 409) {
      return "already-completed";
    }
    if (status === 403 && !isRateLimited(e)) {
      throw new GitHubError("permission", `cancel workflow run ${workflowRunId} in ${owner}/${repo}: 403 ${gitHubMessage(e)}: the token needs the "actions: write" permission (in a workflow: permissions: actions: write)`, { status, cause: e });
    }
    throw restError(`cancel workflow run ${workflowRunId} in ${owner}/${repo}`, e, apiUrlOf(client));
  }
}
async function fetchJobLog(client, options) {
  const { owner, repo, jobId } = options;
  const what = `log of job ${jobId} in ${owner}/${repo}`;
  try {
    const answer = await client.rest.actions.downloadJobLogsForWorkflowRun({
      owner,
      repo,
      job_id: jobId,
      request: { signal: options.signal }
    });
    const data = answer.data;
    if (typeof data === "string") {
      return data;
    }
    if (data instanceof ArrayBuffer) {
      return new TextDecoder().decode(data);
    }
    throw new GitHubError("api", `${what}: expected text, got ${typeof data}`);
  } catch (e) {
    const status = answeredStatus(e);
    if (status === 404 || status === 410) {
      throw new GitHubError("not-found", `${what}: GitHub answered ${status} (${gitHubMessage(e)}): no such job, its log is not written yet, or it has expired (logs are kept 90 days by default)`, { status, cause: e });
    }
    if (status === 403 && !isRateLimited(e)) {
      throw new GitHubError("permission", `${what}: 403 ${gitHubMessage(e)}: the token needs the "actions: read" permission`, { status, cause: e });
    }
    throw restError(what, e, apiUrlOf(client));
  }
}

// ../../packages/github/lib/contents.js
var MAX_CONTENTS_BYTES = 1e6;
async function readRepositoryFile(options) {
  const { client, owner, repo, path, ref } = options;
  const what = `read ${path} at ${ref} in ${owner}/${repo}`;
  let data;
  try {
    ({ data } = await client.request("GET /repos/{owner}/{repo}/contents/{path}", {
      owner,
      repo,
      path,
      ref
    }));
  } catch (e) {
    if (e.status === 404)
      return void 0;
    const error = restError(what, e, apiUrlOf(client));
    if (error.reason === "permission") {
      throw new GitHubError("permission", `${error.message}; give the workflow's token contents: read (permissions: contents: read)`, { status: 403, cause: e });
    }
    throw error;
  }
  const file = data;
  if (Array.isArray(data) || file.type !== "file") {
    const kind = Array.isArray(data) ? "folder" : String(file.type);
    throw new GitHubError("invalid", `${what}: it is a ${kind}, not a file`);
  }
  if (typeof file.size === "number" && file.size > MAX_CONTENTS_BYTES) {
    throw new GitHubError("invalid", `${what}: ${file.size} bytes, more than the ${MAX_CONTENTS_BYTES} bytes a rule file may have`);
  }
  if (file.encoding !== "base64" || typeof file.content !== "string") {
    throw new GitHubError("invalid", `${what}: GitHub sent it as ${String(file.encoding)}, not base64`);
  }
  return Buffer.from(file.content, "base64").toString("utf8");
}
async function readDefaultBranch(options) {
  const { client, owner, repo } = options;
  try {
    const { data } = await client.request("GET /repos/{owner}/{repo}", { owner, repo });
    return data.default_branch;
  } catch (e) {
    throw restError(`read the default branch of ${owner}/${repo}`, e, apiUrlOf(client));
  }
}

// ../../packages/github/lib/dispatch.js
var RUNNER_WORKFLOW_FILE = "dstack-run.yml";
var MAX_DISPATCH_INPUTS_CHARS = 65535;
var MAX_DISPATCH_INPUTS = 25;
function checkDispatchInputs(inputs) {
  const names = Object.keys(inputs);
  if (names.length > MAX_DISPATCH_INPUTS) {
    throw new GitHubError("invalid-inputs", `inputs: ${names.length} workflow_dispatch inputs (${names.join(", ")}); GitHub takes at most ${MAX_DISPATCH_INPUTS}; nothing was dispatched`);
  }
  const chars = JSON.stringify(inputs).length;
  if (chars > MAX_DISPATCH_INPUTS_CHARS) {
    const [largest, value] = Object.entries(inputs).sort((a, b) => b[1].length - a[1].length)[0] ?? ["", ""];
    throw new GitHubError("invalid-inputs", `inputs: the workflow_dispatch inputs are ${chars.toLocaleString("en-US")} characters of JSON (the largest, ${largest}, has ${value.length.toLocaleString("en-US")}); GitHub allows at most ${MAX_DISPATCH_INPUTS_CHARS.toLocaleString("en-US")} characters for all inputs together. Make the job smaller (long arguments or variables belong in a file of the repository); nothing was dispatched`);
  }
}
var CLOCK_SKEW_MS = 12e4;
var FIRST_LOOK_MS = 1e3;
var MAX_LOOK_MS = 8e3;
function iso(ms) {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, "Z");
}
function fetchWithin(client, ms) {
  const inner = fetchOf(client);
  return (input, init) => {
    const timeout = AbortSignal.timeout(ms);
    return inner(input, {
      ...init,
      signal: init?.signal ? AbortSignal.any([init.signal, timeout]) : timeout
    });
  };
}
function throwIfAborted2(signal) {
  if (signal?.aborted) {
    throw signal.reason;
  }
}
async function findRunByName(client, options) {
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const deadline = now() + options.budgetMs;
  const created = `>=${iso(options.since - CLOCK_SKEW_MS)}`;
  let wait = FIRST_LOOK_MS;
  for (; ; ) {
    throwIfAborted2(options.signal);
    try {
      const { data } = await client.rest.actions.listWorkflowRuns({
        owner: options.owner,
        repo: options.repo,
        workflow_id: options.workflowFile,
        event: "workflow_dispatch",
        created,
        per_page: 100,
        request: { signal: options.signal }
      });
      const found = data.workflow_runs.filter((run) => run.display_title === options.runName).sort((a, b) => a.id - b.id)[0];
      if (found) {
        return { workflowRunId: found.id, htmlUrl: found.html_url };
      }
    } catch (e) {
      throwIfAborted2(options.signal);
      const status = answeredStatus(e);
      if (status !== void 0 && status < 500 && !isRateLimited(e)) {
        throw restError(`look for workflow run ${JSON.stringify(options.runName)} of workflow ${options.workflowFile} in ${options.owner}/${options.repo}`, e, apiUrlOf(client));
      }
    }
    const left = deadline - now();
    if (left <= 0) {
      return void 0;
    }
    await sleep(Math.min(wait, left), options.signal);
    wait = Math.min(wait * 2, MAX_LOOK_MS);
  }
}
async function dispatchRun(client, options) {
  const { owner, repo, ref, runName, signal } = options;
  const sleep = options.sleep ?? sleepFor;
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {
  });
  const runNameInput = options.runNameInput ?? "run-name";
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  const workflow = String(options.workflowFile);
  const where = `${owner}/${repo}`;
  const file = /^\d+$/.test(workflow) ? `workflow ${workflow}` : `.github/workflows/${workflow}`;
  if (typeof runName !== "string" || runName.trim() === "") {
    throw new GitHubError("invalid", "runName: a dstack run name is required (e.g. sharp-shrimp-1)");
  }
  const given = options.inputs[runNameInput];
  if (given !== void 0 && given !== runName) {
    throw new GitHubError("invalid", `inputs.${runNameInput}: ${JSON.stringify(given)} differs from runName ${JSON.stringify(runName)}; leave it out (it is set from runName)`);
  }
  const inputs = { ...options.inputs, [runNameInput]: runName };
  checkDispatchInputs(inputs);
  const since = now();
  const find = (budgetMs) => findRunByName(client, {
    owner,
    repo,
    workflowFile: options.workflowFile,
    runName,
    since,
    budgetMs,
    signal,
    sleep,
    now
  });
  for (let attempt = 1; ; attempt++) {
    throwIfAborted2(signal);
    let answer;
    try {
      answer = await client.request("POST /repos/{owner}/{repo}/actions/workflows/{workflow_id}/dispatches", {
        owner,
        repo,
        workflow_id: options.workflowFile,
        ref,
        inputs,
        return_run_details: true,
        // Not idempotent: plugin-retry must never send it again by itself.
        // The time limit starts when the request is sent, after plugin-throttling's spacing.
        request: { retries: 0, signal, fetch: fetchWithin(client, options.timeoutMs ?? 3e4) }
      });
    } catch (e) {
      throwIfAborted2(signal);
      const status = answeredStatus(e);
      if (isRateLimited(e)) {
        if (attempt >= maxAttempts) {
          throw restError(`dispatch ${file} on ${ref} in ${where}`, e, apiUrlOf(client));
        }
        const waitMs = rateLimitWaitMs(e, now());
        log(`dispatch of ${runName}: rate limited (${status}); sending again in ${Math.ceil(waitMs / 1e3)} s`);
        await sleep(waitMs, signal);
        continue;
      }
      if (status !== void 0 && status < 500) {
        throw dispatchError(e, status, { file, ref, where, inputs });
      }
      const what = status === void 0 ? `no answer (${gitHubMessage(e)})` : `${status}`;
      log(`dispatch of ${runName}: ${what}; looking for its workflow run before sending again`);
      const found2 = await find(options.graceMs ?? 6e4);
      if (found2) {
        return { ...found2, via: "run-name", attempts: attempt };
      }
      if (attempt >= maxAttempts) {
        throw new GitHubError("unreachable", `dispatch ${file} on ${ref} in ${where}: ${what} on each of ${attempt} attempts, and no workflow run named ${runName} showed up; check ${apiUrlOf(client)} and try again`, { ...status === void 0 ? {} : { status }, cause: e });
      }
      continue;
    }
    const details = answer.data;
    if (answer.status === 200 && typeof details?.workflow_run_id === "number") {
      return {
        workflowRunId: details.workflow_run_id,
        htmlUrl: typeof details.html_url === "string" ? details.html_url : "",
        via: "run-details",
        attempts: attempt
      };
    }
    const found = await find(options.correlateMs ?? 12e4);
    if (found) {
      return { ...found, via: "run-name", attempts: attempt };
    }
    throw new GitHubError("no-run", `dispatch ${file} on ${ref} in ${where} was accepted, but no workflow run named ${runName} showed up within ${Math.round((options.correlateMs ?? 12e4) / 1e3)} s: the workflow must set run-name: \${{ inputs.${runNameInput} }} (see README)`);
  }
}
function dispatchError(e, status, at) {
  const message = gitHubMessage(e);
  const { file, ref, where } = at;
  if (status === 404) {
    return new GitHubError("not-found", `no runner workflow ${file} on ${ref} in ${where}: add it (copy dstack's runner workflow .github/workflows/dstack-run.yml into the repository as ${file} on ${ref}; see README), or check the ref and that the token can see ${where} (GitHub answered 404 ${message})`, { status, cause: e });
  }
  if (status === 403) {
    return new GitHubError("permission", `the token cannot dispatch ${file} in ${where} (403 ${message}): it needs the "actions: write" permission; in the calling workflow set permissions: actions: write (a fine-grained token: Actions read and write)`, { status, cause: e });
  }
  if (status === 422) {
    return new GitHubError("invalid-inputs", `dispatch ${file} on ${ref} in ${where}: GitHub refused it: ${message}; the inputs given (${Object.keys(at.inputs).join(", ")}) must match the workflow_dispatch inputs of ${file} on ${ref}, and the ref must exist`, { status, cause: e });
  }
  if (status === 401) {
    return new GitHubError("unauthorized", `dispatch ${file} in ${where}: GitHub refused the token (401 ${message})`, { status, cause: e });
  }
  return new GitHubError("api", `dispatch ${file} on ${ref} in ${where}: GitHub answered ${status} (${message})`, {
    status,
    cause: e
  });
}

// ../../packages/github/lib/runner-lost.js
var LOST_COMMUNICATION = /\brunner\b.*\blost communication with the server\b/is;
var SHUTDOWN_SIGNAL = /\bThe runner has received a shutdown signal\b/i;
function classifyJobEnd(facts) {
  if (facts.conclusion !== "failure") {
    return { kind: "not-lost", why: `the job concluded ${facts.conclusion ?? "nothing"}` };
  }
  const failedStep = facts.steps.find((s) => s.conclusion === "failure");
  if (failedStep !== void 0) {
    return { kind: "not-lost", why: `step ${JSON.stringify(failedStep.name)} failed` };
  }
  const said = facts.annotations.find((a) => a.annotation_level === "failure" && typeof a.message === "string" && (LOST_COMMUNICATION.test(a.message) || SHUTDOWN_SIGNAL.test(a.message)));
  if (said?.message) {
    return { kind: "runner-lost", evidence: said.message.split(". ")[0] ?? said.message };
  }
  return {
    kind: "not-lost",
    why: "no annotation says the runner lost communication or was shut down"
  };
}

// ../../packages/github/lib/dispatch-follow.js
var DEFAULT_RESUME_LIMIT = 3;
function attemptRunName(runName, attempt) {
  return attempt <= 1 ? runName : `${runName}-${attempt}`;
}
function attemptJob(job, attempt, earlier) {
  if (attempt <= 1)
    return job;
  return {
    ...job,
    environment: { ...job.environment, DSTACK_RUN_ATTEMPT: String(attempt) },
    deps: [...job.deps, ...earlier.map((run) => ({ run }))]
  };
}
function splitRepository(repository) {
  const m = /^([^/\s]+)\/([^/\s]+)$/.exec(repository);
  if (!m) {
    throw new GitHubError("invalid", `repository: ${JSON.stringify(repository)} is not owner/name (e.g. octo-org/octo-repo)`);
  }
  return { owner: m[1], repo: m[2] };
}
function rejectOnAbort(signal) {
  return new Promise((_, reject) => {
    if (signal?.aborted)
      reject(signal.reason);
    signal?.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}
function runnerWorkflowInputs(options) {
  for (const name of Object.keys(options.extraInputs ?? {})) {
    if (["job", "run-name", "tag", "timeout-minutes"].includes(name)) {
      throw new GitHubError("invalid", `extraInputs.${name}: set by dispatchAndFollow itself; pass it as its own option`);
    }
  }
  const inputs = {
    ...options.extraInputs,
    job: JSON.stringify(jobToWorkflow(options.job))
  };
  if (options.tag !== void 0 && options.tag !== "")
    inputs.tag = options.tag;
  if (options.timeoutMinutes !== void 0) {
    inputs["timeout-minutes"] = String(options.timeoutMinutes);
  }
  return inputs;
}
async function dispatchJob(options) {
  const { owner, repo } = splitRepository(options.repository);
  return dispatchRun(options.client, {
    ...options.dispatch,
    owner,
    repo,
    workflowFile: options.workflowFile ?? "dstack-run.yml",
    ref: options.ref,
    inputs: runnerWorkflowInputs(options),
    runName: options.runName,
    ...options.signal ? { signal: options.signal } : {},
    sleep: options.sleep ?? sleepFor,
    now: options.now ?? Date.now,
    log: options.log ?? (() => {
    })
  });
}
async function dispatchAndFollow(options) {
  const now = options.now ?? Date.now;
  const log = options.log ?? (() => {
  });
  const startedAt = now();
  const limit = options.job.resources.interruptible ? Math.max(0, options.resumeLimit ?? DEFAULT_RESUME_LIMIT) : 0;
  const attempts = [];
  const saved = [];
  for (let attempt = 1; ; attempt++) {
    const runName = attemptRunName(options.runName, attempt);
    const outcome = await followAttempt({
      ...options,
      runName,
      job: attemptJob(options.job, attempt, saved)
    });
    const record = {
      attempt,
      runName,
      workflowRunId: outcome.workflowRunId,
      htmlUrl: outcome.htmlUrl,
      conclusion: outcome.conclusion
    };
    attempts.push(record);
    const done = () => ({
      ...outcome,
      durationMs: Math.max(0, now() - startedAt),
      attempts
    });
    if (limit === 0 || outcome.conclusion !== "failure")
      return done();
    const verdict = await runnerVerdict(options, outcome);
    record.verdict = verdict;
    if (verdict.kind !== "runner-lost")
      return done();
    if (attempt > limit) {
      log(`${runName}: ${verdict.evidence}; not dispatched again: ${limit} resume${limit === 1 ? "" : "s"} already (the resume limit)`);
      return done();
    }
    if (outcome.artifacts.some((a) => a.name === `dstack-run--${runName}` && !a.expired)) {
      saved.push(runName);
    }
    const next = attemptRunName(options.runName, attempt + 1);
    options.onResume?.({
      attempt: attempt + 1,
      runName: next,
      lostRunName: runName,
      evidence: verdict.evidence,
      deps: [...saved]
    });
  }
}
async function runnerVerdict(options, run) {
  const { client, signal } = options;
  const { owner, repo } = splitRepository(options.repository);
  const log = options.log ?? (() => {
  });
  try {
    const verdicts = [];
    for (const job of run.jobs.filter((j) => j.conclusion === "failure")) {
      const annotations = await client.rest.checks.listAnnotations({
        owner,
        repo,
        check_run_id: job.checkRunId,
        per_page: 100,
        request: { signal }
      });
      verdicts.push(classifyJobEnd({
        conclusion: job.conclusion,
        steps: job.steps,
        annotations: annotations.data
      }));
    }
    const own = verdicts.find((v) => v.kind === "not-lost");
    const lost = verdicts.find((v) => v.kind === "runner-lost");
    return own ?? lost ?? { kind: "not-lost", why: "no job of the run failed" };
  } catch (e) {
    if (signal?.aborted)
      throw signal.reason;
    const error = restError(`read why workflow run ${run.workflowRunId} in ${owner}/${repo} failed`, e, apiUrlOf(client));
    log(`${error.message}; not dispatched again (the token needs "checks: read" to tell a lost runner)`);
    return { kind: "not-lost", why: error.message };
  }
}
async function followAttempt(options) {
  const { client, signal, runName } = options;
  const { owner, repo } = splitRepository(options.repository);
  const now = options.now ?? Date.now;
  const sleep = options.sleep ?? sleepFor;
  const log = options.log ?? (() => {
  });
  const startedAt = now();
  const dispatched = await dispatchJob({ ...options, sleep, now, log });
  const workflowRunId = dispatched.workflowRunId;
  try {
    await options.onDispatched?.(dispatched);
    const seen = /* @__PURE__ */ new Map();
    const report = (jobs) => {
      if (!options.onJob)
        return;
      for (const job of jobs) {
        const before = seen.get(job.id);
        const started = job.status !== "queued" && job.status !== "waiting";
        if (started && before === void 0) {
          seen.set(job.id, "started");
          options.onJob({ change: "started", job });
        }
        if (job.status === "completed" && seen.get(job.id) !== "finished") {
          seen.set(job.id, "finished");
          options.onJob({ change: "finished", job });
        }
      }
    };
    const following = followRun(client, {
      owner,
      repo,
      workflowRunId,
      ...signal ? { signal } : {},
      sleep,
      now,
      log,
      ...options.minIntervalMs !== void 0 ? { minIntervalMs: options.minIntervalMs } : {},
      ...options.maxIntervalMs !== void 0 ? { maxIntervalMs: options.maxIntervalMs } : {},
      onUpdate: async (state) => {
        options.onState?.(state);
        if (!options.onJob || state.status === "completed")
          return;
        try {
          report(await listRunJobs(client, { owner, repo, workflowRunId, signal }));
        } catch (e) {
          if (signal?.aborted)
            throw signal.reason;
          log(`jobs of workflow run ${workflowRunId}: ${e.message}`);
        }
      }
    });
    following.catch(() => {
    });
    const followed = await Promise.race([following, rejectOnAbort(signal)]);
    report(followed.jobs);
    return {
      ...followed,
      runName,
      dispatched,
      durationMs: Math.max(0, now() - startedAt)
    };
  } catch (e) {
    if (signal?.aborted && options.cancelOnAbort !== false) {
      try {
        const result = await cancelRun(client, {
          owner,
          repo,
          workflowRunId,
          signal: AbortSignal.timeout(3e4)
        });
        options.onCancel?.(result);
      } catch (c) {
        options.onCancel?.(restError(`cancel workflow run ${workflowRunId} in ${owner}/${repo}`, c, apiUrlOf(client)));
      }
    }
    throw e;
  }
}

// ../../packages/github/lib/policy.js
async function readDefaultBranchPolicy(options) {
  const { client, owner, repo } = options;
  const ref = options.defaultBranch ?? await readDefaultBranch({ client, owner, repo });
  const text = await readRepositoryFile({ client, owner, repo, path: POLICY_FILE, ref });
  const source = options.source?.(ref) ?? POLICY_FILE;
  if (text === void 0)
    return { ref, exists: false, diagnostics: [], source };
  const parsed = parsePolicy({ text, source });
  return {
    ref,
    exists: true,
    source,
    diagnostics: parsed.diagnostics,
    ..."policy" in parsed ? { policy: parsed.policy } : {}
  };
}

// ../../packages/github/lib/trust.js
var UNTRUSTED_INPUT = "untrusted";
var PULL_REQUEST_INPUT = "pull-request";
function isDefaultBranchRef(ref, defaultBranch) {
  return ref === defaultBranch || ref === `refs/heads/${defaultBranch}`;
}
function trustInputs(options) {
  const { defaultBranch, pullRequest } = options;
  const code = options.code ?? options.dispatchRef;
  const trusted = pullRequest === void 0 && defaultBranch !== void 0 && isDefaultBranchRef(options.dispatchRef, defaultBranch) && isDefaultBranchRef(code, defaultBranch);
  if (trusted)
    return {};
  return {
    [UNTRUSTED_INPUT]: "true",
    ...pullRequest !== void 0 ? { [PULL_REQUEST_INPUT]: String(pullRequest) } : {}
  };
}
var RUNS_ON_INPUT = "runs-on";
function plannedRunsOnInput(resources, trust) {
  const planned = jobLabels(resources, { untrusted: trust[UNTRUSTED_INPUT] === "true" });
  if ("errors" in planned) {
    throw new GitHubError("invalid-inputs", `${RUNS_ON_INPUT}: no runner labels express this job's resources: ${planned.errors.map((e) => e.message).join("; ")}; nothing was dispatched`);
  }
  return { [RUNS_ON_INPUT]: JSON.stringify(planned.labels) };
}

export {
  cancelRun,
  fetchJobLog,
  readDefaultBranch,
  RUNNER_WORKFLOW_FILE,
  findRunByName,
  dispatchAndFollow,
  readDefaultBranchPolicy,
  UNTRUSTED_INPUT,
  trustInputs,
  plannedRunsOnInput
};
