/**
 * One error type for every GitHub call: `restError` reads a failure as a reason, and the hint
 * the caller supplies (its own words for where the token came from, what permission it needs)
 * ends the message.
 */
import { describe, expect, it } from "vitest";
import { GitHubError, restError, withHint } from "./errors.js";

/** A failed Octokit request as @octokit/request-error shapes it. */
function answered(status: number, message: string, headers: Record<string, string> = {}) {
  return Object.assign(new Error(message), {
    status,
    response: { headers, data: { message } },
  });
}

const API = "https://api.github.com";

describe("restError", () => {
  const cases = [
    { name: "401 unauthorized", e: answered(401, "Bad credentials"), reason: "unauthorized" },
    { name: "403 permission", e: answered(403, "Resource not accessible"), reason: "permission" },
    { name: "404 not-found", e: answered(404, "Not Found"), reason: "not-found" },
    { name: "422 api", e: answered(422, "Validation Failed"), reason: "api" },
    { name: "502 unreachable", e: answered(502, "Bad Gateway"), reason: "unreachable" },
    {
      name: "429 rate-limited",
      e: answered(429, "API rate limit exceeded", { "retry-after": "30" }),
      reason: "rate-limited",
    },
    {
      name: "no answer unreachable",
      e: Object.assign(new Error("connect ECONNREFUSED"), { status: 500 }),
      reason: "unreachable",
    },
  ] as const;
  it.each(cases)("$name", ({ e, reason }) => {
    const error = restError("GET /repos/o/r", e, API);
    expect(error).toBeInstanceOf(GitHubError);
    expect(error.reason).toBe(reason);
    expect(error.hint).toBeUndefined();
    expect(error.message).toMatch(/^GET \/repos\/o\/r: /);
    // No advice of its own: what to check is the caller's to say.
    expect(error.message).not.toMatch(/github-token/);
  });

  it("ends the message with the caller's hint for that reason, and only that reason", () => {
    const hint = { permission: 'the token needs "actions: read"', unauthorized: "check the token" };
    const denied = restError("list artifacts", answered(403, "Resource not accessible"), API, {
      hint,
    });
    expect(denied.message).toBe(
      'list artifacts: GitHub answered 403 (Resource not accessible); the token needs "actions: read"',
    );
    expect(denied.hint).toBe('the token needs "actions: read"');
    const missing = restError("list artifacts", answered(404, "Not Found"), API, { hint });
    expect(missing.message).toBe("list artifacts: GitHub answered 404 (Not Found)");
  });

  it("says the retries of an API it could not reach", () => {
    const error = restError(
      "GET /x",
      Object.assign(new Error("ECONNREFUSED"), { status: 500 }),
      "http://127.0.0.1:9",
      { retries: 2 },
    );
    expect(error.message).toBe(
      "GET /x: cannot reach the GitHub API at http://127.0.0.1:9 (2 retries): ECONNREFUSED",
    );
  });
});

describe("withHint", () => {
  it("adds the caller's hint to a GitHubError once, keeping reason, status and cause", () => {
    const cause = answered(401, "Bad credentials");
    const bare = restError("dispatch", cause, API);
    const hinted = withHint(bare, { unauthorized: "check GITHUB_TOKEN" }) as GitHubError;
    expect(hinted).toBeInstanceOf(GitHubError);
    expect(hinted.message).toBe(
      "dispatch: GitHub refused the token (401 Bad credentials); check GITHUB_TOKEN",
    );
    expect([hinted.reason, hinted.status, hinted.cause]).toEqual(["unauthorized", 401, cause]);
    expect(withHint(hinted, "again")).toBe(hinted);
  });

  it("leaves other errors and other reasons alone", () => {
    const plain = new Error("boom");
    expect(withHint(plain, "check the token")).toBe(plain);
    const missing = restError("read", answered(404, "Not Found"), API);
    expect(withHint(missing, { unauthorized: "check the token" })).toBe(missing);
  });
});
