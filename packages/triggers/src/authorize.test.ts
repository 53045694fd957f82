// The role check and commit statuses against the OpenAPI-validated fake.
import { describe, expect, it } from "vitest";
import { authorizeActor, type PermissionLevel } from "./authorize.js";
import { STATUS_DESCRIPTION_MAX, setCommitStatus } from "./status.js";
import { OWNER, REPO, startHarness } from "./test-helpers.js";

describe("authorizeActor", () => {
  it.each<{
    name: string;
    login: string;
    minimum?: PermissionLevel;
    ok: boolean;
    permission: string;
  }>([
    { name: "admin", login: "admin", ok: true, permission: "admin" },
    { name: "write", login: "maintainer", ok: true, permission: "write" },
    {
      name: "maintain (legacy permission reads write)",
      login: "keeper",
      ok: true,
      permission: "maintain",
    },
    { name: "a custom role based on write", login: "custom", ok: true, permission: "write" },
    {
      name: "triage (legacy permission reads read)",
      login: "triager",
      ok: false,
      permission: "triage",
    },
    { name: "read", login: "reader", ok: false, permission: "read" },
    { name: "a user GitHub does not know (404)", login: "ghost", ok: false, permission: "none" },
    {
      name: "write below a minimum of admin",
      login: "maintainer",
      minimum: "admin",
      ok: false,
      permission: "write",
    },
  ])("$name", async ({ login, minimum, ok, permission }) => {
    const h = await startHarness({
      roles: {
        admin: "admin",
        maintainer: "write",
        keeper: "maintain",
        triager: "triage",
        reader: "read",
        custom: "ml",
      },
      customRoles: { ml: "write" },
      missingUsers: ["ghost"],
    });
    try {
      const auth = await authorizeActor({
        client: h.client,
        owner: OWNER,
        repo: REPO,
        login,
        ...(minimum ? { minimum } : {}),
      });
      expect(auth).toEqual({ ok, permission, minimum: minimum ?? "write" });
      expect(h.github.problems).toEqual([]);
    } finally {
      await h.close();
    }
  });
});

describe("setCommitStatus", () => {
  it("cuts a long description to GitHub's limit and sends only http(s) target URLs", async () => {
    const h = await startHarness();
    try {
      const sha = "a".repeat(40);
      await setCommitStatus({
        client: h.client,
        owner: OWNER,
        repo: REPO,
        sha,
        state: "failure",
        context: "dstack/train",
        targetUrl: "javascript:alert(1)",
        description: `line one\nline two ${"x".repeat(200)}`,
      });
      const [status] = h.model.statuses;
      expect(status).toMatchObject({ sha, state: "failure", context: "dstack/train" });
      expect(status?.targetUrl).toBeUndefined();
      expect(status?.description).toHaveLength(STATUS_DESCRIPTION_MAX);
      expect(status?.description?.startsWith("line one line two x")).toBe(true);
      expect(h.github.problems).toEqual([]);
    } finally {
      await h.close();
    }
  });
});
