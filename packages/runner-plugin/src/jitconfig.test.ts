import { readFileSync } from "node:fs";
import { join } from "node:path";
import { createGitHubClient } from "@dstack/github";
import { type HostReport, parseNvidiaSmiCsv } from "@dstack/host";
import { type FakeGitHub, type FakeRequest, startFakeGitHub } from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  generateJitConfig,
  type JitConfigError,
  type JitTarget,
  runShLine,
  targetFromUrl,
} from "./jitconfig.js";
import { hostRunnerLabels } from "./labels.js";

const fixtures = new URL("../../host/src/fixtures/", import.meta.url).pathname;
const gpuDetails = parseNvidiaSmiCsv(readFileSync(join(fixtures, "h100-80gb-hbm3-x8.csv"), "utf8"));
const report: HostReport = {
  cpus: 208,
  memoryBytes: 2 * 2 ** 40,
  shmSizeBytes: 2 ** 40,
  interruptible: false,
  gpus: gpuDetails.map(({ name, memoryBytes }) => ({ name, memoryBytes })),
  gpuDetails,
  notes: [],
  sources: { cpus: "os", memory: "meminfo", gpus: "nvidia-smi" },
};
const LABELS = hostRunnerLabels(report, { gpuIndexes: [0, 1, 2, 3] });
const ENCODED = Buffer.from(JSON.stringify({ ".runner": "e30=", ".credentials": "e30=" })).toString(
  "base64",
);
const TOKEN = "github_pat_11AAAAAAA0000000000000_fake";

/** What the fake GitHub answers for a JIT request that GitHub would accept. */
function created(request: FakeRequest) {
  const body = request.body as { name: string; labels: string[]; runner_group_id: number };
  return {
    status: 201,
    body: {
      runner: {
        id: 23,
        runner_group_id: body.runner_group_id,
        name: body.name,
        os: "unknown",
        status: "offline",
        busy: false,
        ephemeral: true,
        labels: body.labels.map((name, i) => ({ id: i + 1, name, type: "custom" })),
      },
      encoded_jit_config: ENCODED,
    },
  };
}

/** Answers for the refusals, as GitHub sends them. */
const refusals = {
  forbidden: {
    status: 403,
    headers: { "x-accepted-github-permissions": "administration=write" },
    body: {
      message: "Resource not accessible by personal access token",
      documentation_url:
        "https://docs.github.com/rest/actions/self-hosted-runners#create-configuration-for-a-just-in-time-runner-for-a-repository",
      status: "403",
    },
  },
  forbiddenOrg: {
    status: 403,
    headers: { "x-accepted-oauth-scopes": "admin:org" },
    body: {
      message: "Must have admin rights to Repository.",
      documentation_url: "https://docs.github.com/rest",
      status: "403",
    },
  },
  notFound: {
    status: 404,
    body: {
      message: "Not Found",
      documentation_url: "https://docs.github.com/rest",
      status: "404",
    },
  },
  conflict: {
    status: 409,
    body: {
      message: "Already exists - A runner with the name box-gpu0-3 already exists.",
      documentation_url: "https://docs.github.com/rest",
      status: "409",
    },
  },
  badCredentials: {
    status: 401,
    body: {
      message: "Bad credentials",
      documentation_url: "https://docs.github.com/rest",
      status: "401",
    },
  },
  invalid: {
    status: 422,
    body: {
      message: "Validation Failed",
      errors: ["runner group 99 does not exist"],
      documentation_url: "https://docs.github.com/rest",
    },
  },
};

/** Which answer each repository or organization gets. */
const answers: Record<string, keyof typeof refusals | "created"> = {
  "acme/train": "created",
  acme: "created",
  "acme/locked": "forbidden",
  locked: "forbiddenOrg",
  "acme/missing": "notFound",
  "acme/taken": "conflict",
  "acme/expired": "badCredentials",
  "acme/badgroup": "invalid",
};

/** How often `acme/flaky` was asked: it fails with 502 the first time. */
let flaky = 0;

function answer(key: string, request: FakeRequest) {
  if (key === "acme/flaky") {
    flaky++;
    return flaky === 1
      ? { status: 502, body: { message: "Server Error", documentation_url: "", status: "502" } }
      : created(request);
  }
  const kind = answers[key] ?? "notFound";
  return kind === "created" ? created(request) : refusals[kind];
}

let github: FakeGitHub;
beforeAll(async () => {
  github = await startFakeGitHub({
    "POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig": (r) =>
      answer(`${r.params.owner}/${r.params.repo}`, r),
    "POST /orgs/{org}/actions/runners/generate-jitconfig": (r) => answer(r.params.org ?? "", r),
  });
});
afterAll(async () => {
  await github.close();
});

/**
 * A client for one test. Writes with one token are spaced a second apart (plugin-throttling), so
 * each test gets its own token suffix to keep the file fast; `TOKEN` stays its prefix.
 */
let clients = 0;
function octokit() {
  clients++;
  return createGitHubClient({
    token: `${TOKEN}${clients}`,
    apiUrl: github.url,
    retries: 0,
    warn: () => {},
  });
}

describe("generateJitConfig against a GitHub that checks every request against its OpenAPI description", () => {
  const ok: { name: string; target: JitTarget; route: string; params: Record<string, string> }[] = [
    {
      name: "a repository runner",
      target: { owner: "acme", repo: "train" },
      route: "/repos/{owner}/{repo}/actions/runners/generate-jitconfig",
      params: { owner: "acme", repo: "train" },
    },
    {
      name: "an organization runner",
      target: { org: "acme" },
      route: "/orgs/{org}/actions/runners/generate-jitconfig",
      params: { org: "acme" },
    },
  ];
  it.each(ok)("$name", async ({ target, route, params }) => {
    const before = github.requests.length;
    const result = await generateJitConfig({
      octokit: octokit(),
      target,
      name: "box-gpu0-3",
      labels: LABELS,
    });
    expect(result).toEqual({ runnerId: 23, encodedJitConfig: ENCODED });
    const request = github.requests[before];
    expect(request?.route).toBe(route);
    expect(request?.params).toEqual(params);
    expect(request?.body).toEqual({
      name: "box-gpu0-3",
      runner_group_id: 1,
      // A just-in-time runner takes one job: it carries the label of ephemeral runners.
      labels: [...LABELS, "dstack-ephemeral"],
      work_folder: "_work",
    });
    expect(request?.headers.authorization).toBe(`token ${TOKEN}${clients}`);
    expect(github.problems).toEqual([]);
  });

  it("passes the runner group and work folder", async () => {
    const before = github.requests.length;
    await generateJitConfig({
      octokit: octokit(),
      target: { owner: "acme", repo: "train" },
      name: "r",
      labels: ["self-hosted", "dstack"],
      runnerGroupId: 7,
      workFolder: "work",
    });
    expect(github.requests[before]?.body).toEqual({
      name: "r",
      runner_group_id: 7,
      labels: ["self-hosted", "dstack", "dstack-ephemeral"],
      work_folder: "work",
    });
    expect(github.problems).toEqual([]);
  });

  it("does not repeat dstack-ephemeral when the labels have it", async () => {
    const before = github.requests.length;
    await generateJitConfig({
      octokit: octokit(),
      target: { owner: "acme", repo: "train" },
      name: "r2",
      labels: ["self-hosted", "Dstack-Ephemeral"],
    });
    expect(github.requests[before]?.body).toMatchObject({
      labels: ["self-hosted", "Dstack-Ephemeral"],
    });
  });

  const refused: { name: string; target: JitTarget; code: string; message: RegExp }[] = [
    {
      name: "403 for a repository: the fine-grained permission and the classic scope named",
      target: { owner: "acme", repo: "locked" },
      code: "permission",
      message:
        /^POST \/repos\/acme\/locked\/actions\/runners\/generate-jitconfig: 403 Resource not accessible by personal access token; this token may not register runners on acme\/locked: a fine-grained token or GitHub App needs the repository permission "Administration: write"; a classic token needs the repo scope; and its user must be an admin of acme\/locked \(GitHub accepts: administration=write\)$/,
    },
    {
      name: "403 for an organization: Self-hosted runners: write, or admin:org",
      target: { org: "locked" },
      code: "permission",
      message:
        /403 Must have admin rights to Repository\.; this token may not register runners on organization locked: .*"Self-hosted runners: write"; a classic token needs the admin:org scope.*\(GitHub accepts: admin:org\)$/,
    },
    {
      name: "404: a wrong name, or the same missing permission",
      target: { owner: "acme", repo: "missing" },
      code: "not-found",
      message:
        /404 Not Found; acme\/missing does not exist, or this token may not see it: .*"Administration: write"/,
    },
    {
      name: "409: the runner name is taken",
      target: { owner: "acme", repo: "taken" },
      code: "conflict",
      message:
        /409 Already exists .*; a runner named "box-gpu0-3" already exists on acme\/taken; choose another name/,
    },
    {
      name: "401: the token is wrong",
      target: { owner: "acme", repo: "expired" },
      code: "bad-credentials",
      message: /401 Bad credentials; the token is wrong, expired or revoked$/,
    },
    {
      name: "422: GitHub's reasons kept",
      target: { owner: "acme", repo: "badgroup" },
      code: "invalid",
      message:
        /422 Validation Failed \(runner group 99 does not exist\); GitHub refused the request \(runner group 1/,
    },
  ];
  it.each(refused)("$name", async ({ target, code, message }) => {
    const error = (await generateJitConfig({
      octokit: octokit(),
      target,
      name: "box-gpu0-3",
      labels: LABELS,
    }).catch((e: unknown) => e)) as JitConfigError;
    expect(error.name).toBe("JitConfigError");
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain(TOKEN);
    expect(github.problems).toEqual([]);
  });

  it("no answer at all: the request named, code http", async () => {
    const closed = await startFakeGitHub({});
    await closed.close();
    const error = (await generateJitConfig({
      octokit: createGitHubClient({
        token: "t-closed",
        apiUrl: closed.url,
        retries: 0,
        warn: () => {},
      }),
      target: { owner: "acme", repo: "train" },
      name: "r",
      labels: ["a"],
    }).catch((e: unknown) => e)) as JitConfigError;
    expect(error.code).toBe("http");
    expect(error.status).toBe(0);
    expect(error.message).toMatch(
      /^POST \/repos\/acme\/train\/actions\/runners\/generate-jitconfig: no answer \(.*\); registering the runner on acme\/train failed$/,
    );
  });

  it("retries a server error, and not a conflict", async () => {
    const retrying = (n: number) =>
      createGitHubClient({
        token: `${TOKEN}-retry${n}`,
        apiUrl: github.url,
        retries: 2,
        warn: () => {},
      });
    const target = (repo: string): JitTarget => ({ owner: "acme", repo });
    const before = github.requests.length;
    await expect(
      generateJitConfig({
        octokit: retrying(1),
        target: target("flaky"),
        name: "r",
        labels: ["a"],
      }),
    ).resolves.toEqual({ runnerId: 23, encodedJitConfig: ENCODED });
    expect(github.requests.length - before).toBe(2);
    await expect(
      generateJitConfig({
        octokit: retrying(2),
        target: target("taken"),
        name: "r",
        labels: ["a"],
      }),
    ).rejects.toThrow("already exists");
    expect(github.requests.length - before).toBe(3);
    expect(github.problems).toEqual([]);
  });

  const invalid: { name: string; labels: string[]; runnerGroupId?: number; error: string }[] = [
    { name: "no labels", labels: [], error: "jit: 0 labels; GitHub accepts 1 to 100" },
    {
      name: "101 labels",
      labels: Array.from({ length: 101 }, (_, i) => `l${i}`),
      error: "jit: 102 labels (with dstack-ephemeral); GitHub accepts 1 to 100",
    },
    { name: "an empty label", labels: ["a", " "], error: 'jit: label " " is empty' },
    { name: "a bad runner group", labels: ["a"], runnerGroupId: 0, error: "runner group id 0" },
  ];
  it.each(invalid)(
    "refuses $name before asking GitHub",
    async ({ labels, runnerGroupId, error }) => {
      const before = github.requests.length;
      await expect(
        generateJitConfig({
          octokit: octokit(),
          target: { owner: "acme", repo: "train" },
          name: "r",
          labels,
          ...(runnerGroupId === undefined ? {} : { runnerGroupId }),
        }),
      ).rejects.toThrow(error);
      expect(github.requests.length).toBe(before);
    },
  );
});

describe("the fake GitHub itself", () => {
  it("records a request GitHub's description refuses", async () => {
    const strict = await startFakeGitHub({
      "POST /repos/{owner}/{repo}/actions/runners/generate-jitconfig": created,
    });
    try {
      const response = await fetch(
        `${strict.url}/repos/acme/train/actions/runners/generate-jitconfig`,
        {
          method: "POST",
          headers: {
            authorization: "token x",
            accept: "application/vnd.github+json",
            "content-type": "application/json",
          },
          body: JSON.stringify({ name: "r", runner_group_id: "1", labels: [] }),
        },
      );
      expect(response.status).toBe(422);
      expect(strict.problems).toEqual([
        expect.stringMatching(
          /request body: \/runner_group_id must be integer; \/labels must NOT have fewer than 1 items/,
        ),
      ]);
    } finally {
      await strict.close();
    }
  });

  it("records an answer GitHub would never send", async () => {
    const sloppy = await startFakeGitHub({
      "POST /orgs/{org}/actions/runners/generate-jitconfig": () => ({
        status: 201,
        body: { encoded_jit_config: 5 },
      }),
    });
    try {
      await generateJitConfig({
        octokit: createGitHubClient({ token: "t", apiUrl: sloppy.url, retries: 0, warn: () => {} }),
        target: { org: "acme" },
        name: "r",
        labels: ["a"],
      }).catch(() => undefined);
      expect(sloppy.problems).toEqual([
        expect.stringMatching(
          /201 answer: .*must have required property 'runner'.*\/encoded_jit_config must be string/,
        ),
      ]);
    } finally {
      await sloppy.close();
    }
  });

  it("refuses a route GitHub does not have", async () => {
    await expect(
      startFakeGitHub({ "POST /repos/{owner}/{repo}/runners": created }),
    ).rejects.toThrow("not in GitHub's OpenAPI description");
  });
});

describe("runShLine and targetFromUrl", () => {
  it("starts the runner with its config", () => {
    expect(runShLine(ENCODED)).toBe(`./run.sh --jitconfig ${ENCODED}`);
    expect(runShLine("a b")).toBe("./run.sh --jitconfig 'a b'");
  });

  const urls: {
    name: string;
    url: string;
    want?: ReturnType<typeof targetFromUrl>;
    error?: string;
  }[] = [
    {
      name: "a repository",
      url: "https://github.com/acme/train",
      want: { target: { owner: "acme", repo: "train" }, baseUrl: "https://api.github.com" },
    },
    {
      name: "an organization, trailing slash",
      url: "https://github.com/acme/",
      want: { target: { org: "acme" }, baseUrl: "https://api.github.com" },
    },
    {
      name: "GitHub Enterprise Server",
      url: "https://ghe.example.com/acme/train.git",
      want: { target: { owner: "acme", repo: "train" }, baseUrl: "https://ghe.example.com/api/v3" },
    },
    {
      name: "GHE.com with data residency",
      url: "https://octocorp.ghe.com/acme/train",
      want: { target: { owner: "acme", repo: "train" }, baseUrl: "https://api.octocorp.ghe.com" },
    },
    { name: "no owner", url: "https://github.com", error: "names no repository or organization" },
    {
      name: "too deep",
      url: "https://github.com/a/b/c",
      error: "names no repository or organization",
    },
    { name: "not a URL", url: "acme/train", error: "is not a URL" },
  ];
  it.each(urls)("$name", ({ url, want, error }) => {
    if (error) {
      expect(() => targetFromUrl(url)).toThrow(error);
    } else {
      expect(targetFromUrl(url)).toEqual(want);
    }
  });
});
