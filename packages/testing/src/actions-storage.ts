/**
 * The one set-up of GitHub Actions artifact storage for tests: Azurite, the results-service fake
 * on it, and the artifacts REST API over both, started together and stopped together.
 *
 * @module
 */
import {
  type ArtifactsRestApi,
  type ArtifactsRestApiOptions,
  startArtifactsRestApi,
} from "./artifacts-rest.js";
import { type Azurite, startAzurite } from "./azurite.js";
import { type ResultsService, startResultsService } from "./results-service.js";

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
