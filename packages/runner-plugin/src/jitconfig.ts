/**
 * Just-in-time runners: register a runner through the REST API and start it with
 * `./run.sh --jitconfig <config>`, no `config.sh`, no registration token.
 *
 * Endpoints (https://docs.github.com/en/rest/actions/self-hosted-runners):
 * - `POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig` ("Create configuration for a
 *   just-in-time runner for a repository"): the user must be a repository admin; a classic token
 *   needs the `repo` scope, a fine-grained token or GitHub App the repository permission
 *   "Administration" (write);
 * - `POST /orgs/{org}/actions/runners/generate-jitconfig` ("... for an organization"): the user
 *   must be an organization admin; a classic token needs `admin:org`, a fine-grained token or
 *   GitHub App the organization permission "Self-hosted runners" (write).
 *
 * Body: `name`, `runner_group_id` (1 is the default group), `labels` (1 to 100), `work_folder`
 * (default `_work`). Answer 201: `{ runner: { id, ... }, encoded_jit_config }`. The encoded config
 * registers exactly one runner, for one job (a JIT runner is ephemeral): treat it as a secret
 * until `run.sh` has used it.
 *
 * @module
 */

import {
  apiUrlForHost,
  type GitHubClient,
  GitHubError,
  type GitHubErrorReason,
} from "@dstack/github";
import { EPHEMERAL_LABEL } from "@dstack/spec";
import { formatCommand } from "./configure.js";

/** Where a JIT runner is registered: a repository, or an organization. */
export type JitTarget = { owner: string; repo: string } | { org: string };

/** The least of a client (`createGitHubClient` of `@dstack/github`) that {@link generateJitConfig} uses. */
export type OctokitRequester = Pick<GitHubClient, "request">;

/** The most labels the endpoint accepts (`maxItems` of `labels` in GitHub's OpenAPI description). */
export const MAX_JIT_LABELS = 100;

/** Options of {@link generateJitConfig}. */
export interface GenerateJitConfigOptions {
  /** From `createGitHubClient` of `@dstack/github`. */
  octokit: OctokitRequester;
  /** The repository or organization the runner joins. */
  target: JitTarget;
  /** The runner's name; unique among the target's runners (GitHub answers 409 otherwise). */
  name: string;
  /**
   * Its labels (e.g. `hostRunnerLabels`); a JIT runner gets no default labels. `dstack-ephemeral`
   * is added when missing (a JIT runner takes one job), and the whole must be 1 to 100 labels.
   */
  labels: readonly string[];
  /** The runner group's id. Default 1, the default group. */
  runnerGroupId?: number;
  /** The work folder, relative to the runner folder. Default `_work`. */
  workFolder?: string;
}

/** A registered JIT runner. */
export interface JitConfig {
  /** The runner's id (`runner.id`), for `DELETE .../actions/runners/{runner_id}`. */
  runnerId: number;
  /** `encoded_jit_config`: pass it to `./run.sh --jitconfig`. A secret until used. */
  encodedJitConfig: string;
}

/** Why GitHub refused a JIT registration; see {@link JitConfigError}. */
export type JitConfigErrorCode =
  | "bad-credentials"
  | "permission"
  | "not-found"
  | "conflict"
  | "invalid"
  | "http";

/** The reason of `@dstack/github`'s {@link GitHubError} for each {@link JitConfigErrorCode}. */
const REASONS: Record<JitConfigErrorCode, GitHubErrorReason> = {
  "bad-credentials": "unauthorized",
  permission: "permission",
  "not-found": "not-found",
  conflict: "api",
  invalid: "invalid-inputs",
  http: "unreachable",
};

/**
 * GitHub refused to register a JIT runner; `message` says why and what to change. A
 * {@link GitHubError} (the one error type of dstack's GitHub calls) with the registration's
 * finer `code`.
 */
export class JitConfigError extends GitHubError {
  override readonly name = "JitConfigError";
  /** What went wrong. */
  readonly code: JitConfigErrorCode;
  /** The HTTP status GitHub answered (0 when no answer came). */
  override readonly status: number;

  /**
   * @param code - see {@link JitConfigErrorCode}.
   * @param status - the HTTP status.
   * @param message - one line: the request, GitHub's answer, the fix.
   * @param options - `cause`: Octokit's `RequestError`.
   */
  constructor(code: JitConfigErrorCode, status: number, message: string, options?: ErrorOptions) {
    super(code === "http" && status >= 400 && status < 500 ? "api" : REASONS[code], message, {
      ...(status !== 0 ? { status } : {}),
      ...(options?.cause !== undefined ? { cause: options.cause } : {}),
    });
    this.code = code;
    this.status = status;
  }
}

/** What a token needs to register runners on `target`, as GitHub's REST docs state it. */
export function neededPermission(target: JitTarget): string {
  return "org" in target
    ? `a fine-grained token or GitHub App needs the organization permission "Self-hosted runners: write"; a classic token needs the admin:org scope; and its user must be an owner of ${target.org}`
    : `a fine-grained token or GitHub App needs the repository permission "Administration: write"; a classic token needs the repo scope; and its user must be an admin of ${target.owner}/${target.repo}`;
}

interface RequestErrorLike {
  status?: number;
  message?: string;
  response?: { headers?: Record<string, string | number | undefined>; data?: unknown };
}

function githubMessage(error: RequestErrorLike): string {
  const data = error.response?.data;
  if (data && typeof data === "object" && "message" in data) {
    const message = String((data as { message: unknown }).message);
    const errors = (data as { errors?: unknown }).errors;
    return Array.isArray(errors) && errors.length > 0
      ? `${message} (${errors.map((e) => (typeof e === "string" ? e : JSON.stringify(e))).join("; ")})`
      : message;
  }
  return error.message ?? String(error);
}

function header(error: RequestErrorLike, name: string): string | undefined {
  const value = error.response?.headers?.[name];
  return value === undefined || value === "" ? undefined : String(value);
}

/**
 * Registers a just-in-time runner.
 *
 * @param options - see {@link GenerateJitConfigOptions}.
 * @returns the runner's id and its encoded JIT config.
 * @throws Error before any request when `labels` has 0 or more than 100 entries, a label is empty,
 *   `name` is empty, or `runnerGroupId` is not a positive integer.
 * @throws {@link JitConfigError} when GitHub refuses:
 *   `bad-credentials` (401: the token is wrong or expired);
 *   `permission` (403: names the permission or scope the token lacks, see {@link neededPermission},
 *   with GitHub's `X-Accepted-GitHub-Permissions` / `X-Accepted-OAuth-Scopes` when sent);
 *   `not-found` (404: GitHub hides what a token may not see, so this is a wrong target or the same
 *   missing permission; both are said);
 *   `conflict` (409: a runner with this name exists);
 *   `invalid` (422: e.g. an unknown runner group);
 *   `http` (anything else, e.g. 5xx after retries, or no answer).
 */
export async function generateJitConfig(options: GenerateJitConfigOptions): Promise<JitConfig> {
  const { octokit, target, name } = options;
  // A just-in-time runner takes one job and is gone: it may take jobs that run pull-request code.
  const labels = options.labels.some((l) => l.toLowerCase() === EPHEMERAL_LABEL)
    ? [...options.labels]
    : [...options.labels, EPHEMERAL_LABEL];
  const runnerGroupId = options.runnerGroupId ?? 1;
  const workFolder = options.workFolder ?? "_work";
  if (name.trim() === "") {
    throw new Error("jit: the runner name is empty");
  }
  if (options.labels.length === 0 || labels.length > MAX_JIT_LABELS) {
    throw new Error(
      `jit: ${options.labels.length === 0 ? 0 : labels.length} labels${options.labels.length > 0 && labels.length > options.labels.length ? ` (with ${EPHEMERAL_LABEL})` : ""}; GitHub accepts 1 to ${MAX_JIT_LABELS} for a just-in-time runner`,
    );
  }
  const empty = labels.find((l) => l.trim() === "");
  if (empty !== undefined) {
    throw new Error(`jit: label ${JSON.stringify(empty)} is empty`);
  }
  if (!Number.isInteger(runnerGroupId) || runnerGroupId < 1) {
    throw new Error(`jit: runner group id ${runnerGroupId} is not a positive integer`);
  }
  const body = {
    name,
    runner_group_id: runnerGroupId,
    labels: [...labels],
    work_folder: workFolder,
  };
  const where = "org" in target ? `organization ${target.org}` : `${target.owner}/${target.repo}`;
  const route =
    "org" in target
      ? `POST /orgs/${target.org}/actions/runners/generate-jitconfig`
      : `POST /repos/${target.owner}/${target.repo}/actions/runners/generate-jitconfig`;
  try {
    const response =
      "org" in target
        ? await octokit.request("POST /orgs/{org}/actions/runners/generate-jitconfig", {
            org: target.org,
            ...body,
          })
        : await octokit.request("POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig", {
            owner: target.owner,
            repo: target.repo,
            ...body,
          });
    return {
      runnerId: response.data.runner.id,
      encodedJitConfig: response.data.encoded_jit_config,
    };
  } catch (caught) {
    const error = caught as RequestErrorLike;
    // Octokit reports a request that got no answer (refused, reset, DNS) as status 500 without a
    // response; call it what it is.
    const status =
      error.response !== undefined && typeof error.status === "number" ? error.status : 0;
    const said = githubMessage(error);
    const accepted = [
      header(error, "x-accepted-github-permissions"),
      header(error, "x-accepted-oauth-scopes"),
    ]
      .filter((h) => h !== undefined)
      .join("; ");
    const githubSays = accepted === "" ? "" : ` (GitHub accepts: ${accepted})`;
    const fail = (code: JitConfigErrorCode, message: string): never => {
      const answer = status === 0 ? `no answer (${said})` : `${status} ${said}`;
      throw new JitConfigError(code, status, `${route}: ${answer}; ${message}`, {
        cause: caught,
      });
    };
    switch (status) {
      case 401:
        return fail("bad-credentials", "the token is wrong, expired or revoked");
      case 403:
        return fail(
          "permission",
          `this token may not register runners on ${where}: ${neededPermission(target)}${githubSays}`,
        );
      case 404:
        return fail(
          "not-found",
          `${where} does not exist, or this token may not see it: check the name, then the token: ${neededPermission(target)}${githubSays}`,
        );
      case 409:
        return fail(
          "conflict",
          `a runner named ${JSON.stringify(name)} already exists on ${where}; choose another name or remove that runner`,
        );
      case 422:
        return fail(
          "invalid",
          `GitHub refused the request (runner group ${runnerGroupId}, ${labels.length} labels, work folder ${JSON.stringify(workFolder)})`,
        );
      default:
        return fail("http", `registering the runner on ${where} failed`);
    }
  }
}

/**
 * The command that starts a registered JIT runner, run in the runner folder:
 * `./run.sh --jitconfig <config>` (the config is base64, so it needs no quoting; anything else is
 * shell-quoted).
 */
export function runShLine(encodedJitConfig: string): string {
  return formatCommand(["./run.sh", "--jitconfig", encodedJitConfig]);
}

/**
 * Where `config.sh --url` points, as a JIT target and REST API root:
 * `https://github.com/OWNER/REPO` -> `{ owner, repo }`, `https://github.com/ORG` -> `{ org }`, with
 * the host's REST API root (`apiUrlForHost` of `@dstack/github`: `https://api.github.com`,
 * `https://api.SUBDOMAIN.ghe.com`, or GitHub Enterprise Server's `https://HOST/api/v3`).
 *
 * @throws Error when the URL is not http(s) or its path is not `/ORG` or `/OWNER/REPO`.
 */
export function targetFromUrl(url: string): { target: JitTarget; baseUrl: string } {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new Error(
      `jit: ${JSON.stringify(url)} is not a URL; write e.g. https://github.com/OWNER/REPO`,
    );
  }
  const parts = parsed.pathname.split("/").filter((p) => p !== "");
  if (
    (parsed.protocol !== "https:" && parsed.protocol !== "http:") ||
    parts.length < 1 ||
    parts.length > 2
  ) {
    throw new Error(
      `jit: ${JSON.stringify(url)} names no repository or organization; write https://github.com/OWNER/REPO or https://github.com/ORG`,
    );
  }
  const baseUrl = apiUrlForHost(parsed.host, parsed.protocol as "https:" | "http:");
  const [owner = "", repo] = parts;
  return {
    target: repo === undefined ? { org: owner } : { owner, repo: repo.replace(/\.git$/, "") },
    baseUrl,
  };
}
