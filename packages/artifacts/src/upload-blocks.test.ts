// The client's blocks per upload, set in an environment of the test's own while the store's
// uploads run and restored afterwards; the real client reading it is checked in
// github-files.test.ts.
import { describe, expect, it } from "vitest";
import { StoreError } from "./errors.js";
import { UPLOAD_CONCURRENCY_ENV, UploadBlocks } from "./upload-blocks.js";

const VAR = UPLOAD_CONCURRENCY_ENV;

describe("UploadBlocks", () => {
  const cases = [
    {
      name: "unset: 1 meanwhile, unset after",
      env: {},
      blocks: undefined,
      during: "1",
      after: undefined,
    },
    {
      name: "a runner's own value is kept",
      env: { [VAR]: "3" },
      blocks: undefined,
      during: "3",
      after: "3",
    },
    {
      name: "an empty value counts as unset",
      env: { [VAR]: "" },
      blocks: undefined,
      during: "1",
      after: "",
    },
    {
      name: "a given value wins, and the runner's comes back",
      env: { [VAR]: "3" },
      blocks: 2,
      during: "2",
      after: "3",
    },
  ];
  it.each(cases)("$name", async ({ env, blocks, during, after }) => {
    const e: NodeJS.ProcessEnv = { ...env };
    const b = new UploadBlocks({ env: e, ...(blocks !== undefined ? { blocks } : {}) });
    const seen = await b.around(async () => e[VAR]);
    expect(seen).toBe(during);
    expect(e[VAR]).toBe(after);
  });

  it("stays set while any of its uploads runs, and is restored when the last ends", async () => {
    const e: NodeJS.ProcessEnv = {};
    const b = new UploadBlocks({ env: e });
    const gate: { open?: () => void } = {};
    const slow = b.around(
      () =>
        new Promise<string | undefined>((resolve) => {
          gate.open = () => resolve(e[VAR]);
        }),
    );
    expect(await b.around(async () => e[VAR])).toBe("1");
    // The quick one ended; the slow one still runs with the value.
    expect(e[VAR]).toBe("1");
    gate.open?.();
    expect(await slow).toBe("1");
    expect(VAR in e).toBe(false);
  });

  it("leaves the variable alone when something else changed it meanwhile, and after a throw", async () => {
    const e: NodeJS.ProcessEnv = {};
    const b = new UploadBlocks({ env: e });
    await expect(
      b.around(async () => {
        e[VAR] = "7";
        throw new Error("upload failed");
      }),
    ).rejects.toThrow("upload failed");
    expect(e[VAR]).toBe("7");
  });

  const bad = [0, -1, 1.5, Number.NaN];
  it.each(bad)("refuses blocks %s", (blocks) => {
    expect(() => new UploadBlocks({ blocks })).toThrow(StoreError);
    expect(() => new UploadBlocks({ blocks })).toThrow(
      /uploadBlocks .*expected an integer of at least 1/,
    );
  });
});
