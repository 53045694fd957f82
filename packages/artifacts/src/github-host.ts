/**
 * Which GitHub a step talks to, for the GitHub store: the REST API root of a server, and whether
 * that server has the Actions artifacts service that `@actions/artifact` 2+ needs.
 *
 * - `github.com`: API `https://api.github.com`;
 * - GitHub Enterprise Cloud with data residency, `<subdomain>.ghe.com`: API
 *   `https://api.<subdomain>.ghe.com` (docs.github.com/enterprise-cloud@latest/admin/data-residency/network-details-for-ghecom);
 * - GitHub Enterprise Server, any other host: API `https://<host>/api/v3`, and no artifacts
 *   service for `@actions/artifact` 2+ (upload-artifact@v4 and download-artifact@v4 are not
 *   supported there; GHES users stay on v3).
 *
 * `@actions/artifact` makes the same decision from `GITHUB_SERVER_URL` (its `isGhes()`), and also
 * accepts `*.localhost` (GitHub's own development hosts); so does this module.
 *
 * @module
 */
import { apiUrlForHost } from "@dstack/github/hosts";
import { StoreError } from "./errors.js";

/** The host name of a server URL, lower case; undefined for a URL that does not parse. */
function hostOf(serverUrl: string): string | undefined {
  try {
    return new URL(serverUrl).hostname.toLowerCase();
  } catch {
    return undefined;
  }
}

/**
 * The REST API root of a server URL (`GITHUB_SERVER_URL`), as the module comment lists.
 *
 * @throws StoreError `invalid` for a server URL that does not parse.
 */
export function apiUrlForServer(serverUrl: string): string {
  const host = hostOf(serverUrl);
  if (host === undefined) {
    throw new StoreError(
      "invalid",
      `GITHUB_SERVER_URL: ${JSON.stringify(serverUrl)} is not a URL; expected e.g. https://github.com`,
    );
  }
  const url = new URL(serverUrl);
  return apiUrlForHost(url.host, url.protocol === "http:" ? "http:" : "https:");
}

/** Whether a server has the artifacts service: github.com, `*.ghe.com` and `*.localhost`. */
export function hasArtifactsService(serverUrl: string): boolean {
  const host = hostOf(serverUrl);
  return (
    host !== undefined &&
    (host === "github.com" || host.endsWith(".ghe.com") || host.endsWith(".localhost"))
  );
}

/**
 * Refuses a server without the artifacts service, before the client is asked anything.
 *
 * @param serverUrl - `GITHUB_SERVER_URL`; default `https://github.com`, as the client assumes.
 * @param what - what was attempted, for the message (`upload of artifact X`).
 * @throws StoreError `invalid` naming the server, on GitHub Enterprise Server.
 */
export function checkArtifactsService(serverUrl: string | undefined, what: string): void {
  const server = serverUrl || "https://github.com";
  if (hasArtifactsService(server)) return;
  throw new StoreError(
    "invalid",
    `${what}: GITHUB_SERVER_URL is ${server}, a GitHub Enterprise Server: it has no artifacts service for @actions/artifact 2+ (the one upload-artifact@v4 uses), so the GitHub store cannot upload or download there; use github.com or GHE.com (*.ghe.com), or the local store`,
  );
}
