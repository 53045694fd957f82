/**
 * The one set-up of GitHub Actions artifact storage for tests: Azurite, the results-service fake
 * on it, and the artifacts REST API over both, started together and stopped together.
 *
 * @module
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  type ArtifactsRestApi,
  type ArtifactsRestApiOptions,
  startArtifactsRestApi,
} from "./artifacts-rest.js";
import { type Azurite, startAzurite } from "./azurite.js";
import { type BackendIds, type ResultsService, startResultsService } from "./results-service.js";

/** Options of {@link startActionsStorage}. */
export interface ActionsStorageOptions {
  /** The repository the REST routes answer for, `owner/name`. */
  repository: string;
  /** The REST fake's clock (ms since the epoch), deciding what has expired. Default `Date.now`. */
  now?: ArtifactsRestApiOptions["now"];
  /** The workflow runs both fakes know (a `workflowRuns()` filled before the start). */
  runs?: ArtifactsRestApiOptions["runs"];
}

/** Artifact storage as a workflow run sees it, from {@link startActionsStorage}. */
export interface ActionsStorage {
  /** The blob store. */
  azurite: Azurite;
  /** The Twirp service `@actions/artifact` calls (`ACTIONS_RESULTS_URL`, runtime tokens). */
  service: ResultsService;
  /** The REST API (`GITHUB_API_URL`) over the service's finalized artifacts. */
  rest: ArtifactsRestApi;
  /** Stops the REST API, the service and Azurite, in that order. */
  close(): Promise<void>;
}

/**
 * Starts Azurite, the results-service fake and the artifacts REST API. When a later part fails
 * to start, the parts already started are stopped before the error is thrown. Allow about a
 * minute in a `beforeAll` (Azurite's start).
 * A test file of the GitHub store uses {@link enterActionsStorage}, which also sets the env.
 *
 * @param options - see {@link ActionsStorageOptions}.
 */
export async function startActionsStorage(options: ActionsStorageOptions): Promise<ActionsStorage> {
  const azurite = await startAzurite();
  let service: ResultsService | undefined;
  try {
    service = await startResultsService({ azurite });
    const rest = await startArtifactsRestApi({
      service,
      repository: options.repository,
      ...(options.now ? { now: options.now } : {}),
      ...(options.runs ? { runs: options.runs } : {}),
    });
    const started = service;
    return {
      azurite,
      service: started,
      rest,
      async close() {
        await rest.close();
        await started.close();
        await azurite.stop();
      },
    };
  } catch (error) {
    await service?.close();
    await azurite.stop();
    throw error;
  }
}

/** The process-env keys {@link enterActionsStorage} sets or deletes, and restores on close. */
export const ACTIONS_STORAGE_ENV_KEYS = [
  "ACTIONS_RUNTIME_TOKEN",
  "ACTIONS_RESULTS_URL",
  "GITHUB_SERVER_URL",
  "GITHUB_WORKSPACE",
  "GITHUB_RETENTION_DAYS",
  "GITHUB_API_URL",
] as const;

/** Options of {@link enterActionsStorage}. */
export interface EnterActionsStorageOptions extends ActionsStorageOptions {
  /** Prefix of the temporary folder made for the tests (`GITHUB_WORKSPACE`), below the OS's. */
  tmpPrefix: string;
}

/** Artifact storage the process env points at, from {@link enterActionsStorage}. */
export interface ActionsStorageSession extends ActionsStorage {
  /** A new empty temporary folder, also `GITHUB_WORKSPACE`; removed by `close`. */
  tmp: string;
  /**
   * Runs `fn` as a step of workflow run `run`: `ACTIONS_RUNTIME_TOKEN` is the run's own while
   * `fn` runs and is put back after, whether `fn` resolves or rejects.
   */
  inRun<T>(run: BackendIds, fn: () => Promise<T>): Promise<T>;
  /**
   * Stops the storage ({@link ActionsStorage.close}), removes `tmp` and puts back the env keys
   * of {@link ACTIONS_STORAGE_ENV_KEYS} as they were before the start (unset ones unset).
   */
  close(): Promise<void>;
}

/**
 * The set-up of a test file of the GitHub store: starts the storage ({@link startActionsStorage}),
 * makes a temporary folder, and points the process env at them the way a workflow run's step
 * sees it: the results service's `ACTIONS_RUNTIME_TOKEN`, `ACTIONS_RESULTS_URL` and
 * `GITHUB_SERVER_URL`, `GITHUB_WORKSPACE` = the folder, `GITHUB_API_URL` = the REST fake, and no
 * `GITHUB_RETENTION_DAYS`. `@actions/github` reads `GITHUB_API_URL` once, when first loaded: call
 * this before the client is. Call it in a `beforeAll` (allow a minute) and `close` in the
 * `afterAll`; the env is saved before the start and put back by `close`.
 *
 * @param options - see {@link EnterActionsStorageOptions}.
 * @throws whatever {@link startActionsStorage} throws; the env is then left untouched.
 */
export async function enterActionsStorage(
  options: EnterActionsStorageOptions,
): Promise<ActionsStorageSession> {
  const { tmpPrefix, ...storageOptions } = options;
  const saved = new Map(ACTIONS_STORAGE_ENV_KEYS.map((k) => [k, process.env[k]] as const));
  const storage = await startActionsStorage(storageOptions);
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), tmpPrefix));
  Object.assign(process.env, storage.service.env, {
    GITHUB_WORKSPACE: tmp,
    GITHUB_API_URL: storage.rest.url,
  });
  delete process.env.GITHUB_RETENTION_DAYS;
  return {
    ...storage,
    tmp,
    async inRun<T>(run: BackendIds, fn: () => Promise<T>): Promise<T> {
      const old = process.env.ACTIONS_RUNTIME_TOKEN;
      process.env.ACTIONS_RUNTIME_TOKEN = storage.service.envFor(run).ACTIONS_RUNTIME_TOKEN;
      try {
        return await fn();
      } finally {
        process.env.ACTIONS_RUNTIME_TOKEN = old;
      }
    },
    async close() {
      await storage.close();
      fs.rmSync(tmp, { recursive: true, force: true });
      for (const [k, v] of saved) {
        if (v === undefined) delete process.env[k];
        else process.env[k] = v;
      }
    },
  };
}
