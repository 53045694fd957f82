/**
 * Shared by this package's tests: a fake GitHub serving the Actions model, and a client for it
 * that never waits for real (retry waits scaled to 1 ms per second, writes not spaced: the fake
 * has no secondary rate limit).
 *
 * @module
 */
import {
  type ActionsModel,
  type ActionsModelOptions,
  type FakeGitHub,
  startFakeActions,
} from "@dstack/testing";
import { createGitHubClient, type GitHubClient, type GitHubClientOptions } from "./client.js";

/** A normalized job, as the `job` input carries it. */
export const JOB_INPUT = JSON.stringify({
  name: "train",
  provider: "python",
  file: "train.py",
  resources: { gpu: { count: 1 } },
});

/** A fake GitHub with the model and a client for it. */
export interface Harness {
  github: FakeGitHub;
  model: ActionsModel;
  client: GitHubClient;
  /** The fields every dispatchRun/followRun call of a test shares. */
  at: { owner: string; repo: string; sleep: ActionsModel["clock"]["sleep"]; now: () => number };
  close(): Promise<void>;
}

/**
 * Starts a harness. Its client sends writes without plugin-throttling's one-second spacing
 * (`writeSpacingMs: 0`) unless `client` says otherwise; each harness gets its own token, so a
 * test that keeps the default spacing does not wait on another's writes.
 */
export async function startHarness(
  options: ActionsModelOptions = {},
  client: Partial<GitHubClientOptions> = {},
  token = `ghs_${Math.random().toString(36).slice(2)}`,
): Promise<Harness> {
  const { github, model } = await startFakeActions(options);
  return {
    github,
    model,
    client: createGitHubClient({
      token,
      apiUrl: github.url,
      retryBaseMs: 1,
      writeSpacingMs: 0,
      ...client,
    }),
    at: {
      owner: model.options.owner,
      repo: model.options.repo,
      sleep: model.clock.sleep,
      now: model.clock.now,
    },
    close: () => github.close(),
  };
}
