/**
 * The metric directions a run marker records, through the real parts: markers written by
 * `GitHubStore.upload` with the unmodified `@actions/artifact` client (Azurite and the
 * results-service fake) and read back by `GitHubStore.recordedMetrics` through the
 * OpenAPI-validated REST fake. A marker is data from a workflow run: one recording directions
 * that are not valid is ignored with a warning, never an error.
 */
import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import {
  type ActionsStorageSession,
  type ArtifactsRestApi,
  type BackendIds,
  enterActionsStorage,
  workflowRuns,
} from "@dstack/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  GitHubStore,
  MARKER_METRICS_MAX,
  RUN_MARKER_MAX_BYTES,
  type RunMarkerFields,
} from "./github-store.js";

const TOKEN = "ghs_fake_token_for_marker_tests";
const REPO = "octo/models";

let storage: ActionsStorageSession;
let rest: ArtifactsRestApi;
let tmp: string;
const runs = workflowRuns();

function store(options: Partial<ConstructorParameters<typeof GitHubStore>[0]> = {}) {
  return new GitHubStore({
    token: TOKEN,
    repository: REPO,
    apiUrl: rest.url,
    warn: () => undefined,
    writeSpacingMs: 0,
    ...options,
  });
}

/** Every marker of the cases below, by run name: what the writing store was given. */
const many = Object.fromEntries(
  Array.from({ length: MARKER_METRICS_MAX + 1 }, (_, i) => [`m${i}`, "min"]),
);
const cases: {
  name: string;
  runName: string;
  /** The marker's fields; cast, since a workflow run may write anything. */
  marker?: unknown;
  want: Record<string, string> | undefined;
  warning?: RegExp;
}[] = [
  {
    name: "the job's directions, as written",
    runName: "dir-bee-1",
    marker: { workflow: "train", untrusted: false, metrics: { val_loss: "max", f1: "min" } },
    want: { val_loss: "max", f1: "min" },
  },
  {
    name: "a job without metrics: none, recorded",
    runName: "none-elk-1",
    marker: { workflow: "train", untrusted: false, metrics: {} },
    want: {},
  },
  {
    name: "a marker from before markers recorded them: unknown",
    runName: "old-owl-1",
    marker: { workflow: "train", untrusted: false },
    want: undefined,
  },
  {
    name: "a store without marker fields (the artifacts action): unknown",
    runName: "bare-bat-1",
    want: undefined,
  },
  {
    name: "a direction that is not min or max: ignored",
    runName: "bad-dog-1",
    marker: { untrusted: false, metrics: { val_loss: "up", f1: "max" } },
    want: undefined,
    warning:
      /dstack-run--bad-dog-1 .* is not valid: metrics: "val_loss" is "up"; the directions are "min" and "max"; its recorded metric directions are ignored/,
  },
  {
    name: "metrics that are not an object: ignored",
    runName: "str-cat-1",
    marker: { untrusted: false, metrics: ["val_loss", "min"] },
    want: undefined,
    warning: /is not valid: metrics is an array, not an object/,
  },
  {
    name: "a name that is no metric name: ignored",
    runName: "step-ant-1",
    marker: { untrusted: false, metrics: { step: "min" } },
    want: undefined,
    warning: /is not valid: metrics: "step" is the step of each point, not a metric/,
  },
  {
    name: "more metrics than are read: ignored",
    runName: "many-fox-1",
    marker: { untrusted: false, metrics: many },
    want: undefined,
    warning: new RegExp(
      `is not valid: metrics names ${MARKER_METRICS_MAX + 1} metrics; at most ${MARKER_METRICS_MAX} are read`,
    ),
  },
  {
    name: "a marker larger than is read: ignored, not downloaded",
    runName: "big-gnu-1",
    // Random text: the zip stays larger than the limit.
    marker: {
      workflow: randomBytes(RUN_MARKER_MAX_BYTES * 2).toString("base64"),
      untrusted: false,
      metrics: { val_loss: "max" },
    },
    want: undefined,
    warning: new RegExp(`is \\d+ bytes, more than ${RUN_MARKER_MAX_BYTES}; its recorded`),
  },
];

/** The workflow run of each case, by run name. */
const runOf = new Map<string, { id: number; ids: BackendIds }>(
  cases.map((c, i) => [c.runName, { id: 301 + i, ids: runs.add(301 + i) }] as const),
);

/** Runs `fn` as a step of `run` (its runtime token in the environment). */
const inRun = <T>(run: BackendIds, fn: () => Promise<T>): Promise<T> => storage.inRun(run, fn);

beforeAll(async () => {
  storage = await enterActionsStorage({
    repository: REPO,
    runs,
    tmpPrefix: "github-store-marker-",
  });
  ({ rest, tmp } = storage);
  for (const c of cases) {
    const dir = path.join(tmp, "src", c.runName);
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, "values.jsonl"), '{"step":1,"val_loss":0.5}\n');
    const runMarker = c.marker as RunMarkerFields | undefined;
    await inRun((runOf.get(c.runName) as { ids: BackendIds }).ids, () =>
      store(runMarker ? { runMarker } : {}).upload({
        runName: c.runName,
        localPath: dir,
        artifactPath: "metrics",
      }),
    );
  }
}, 120_000);

afterAll(async () => {
  // Every request and answer kept to GitHub's OpenAPI description.
  expect(rest?.github.problems ?? []).toEqual([]);
  await storage?.close();
});

describe("GitHubStore.recordedMetrics", { timeout: 60_000 }, () => {
  it.each(cases)("$name", async ({ runName, want, warning }) => {
    const warnings: string[] = [];
    const s = store({ warn: (w) => warnings.push(w) });
    const resolved = await s.resolveRun(runName);
    expect(resolved.workflowRunId).toBe(runOf.get(runName)?.id);
    const got = await s.recordedMetrics(resolved);
    expect(got).toEqual(want);
    if (warning === undefined) expect(warnings).toEqual([]);
    else {
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatch(warning);
    }
  });

  it("a workflow run without the run's marker: unknown", async () => {
    const s = store();
    const other = runOf.get("dir-bee-1")?.id as number;
    expect(await s.recordedMetrics({ runName: "none-elk-1", workflowRunId: other })).toBe(
      undefined,
    );
  });
});
