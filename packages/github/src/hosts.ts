/**
 * Where GitHub's REST API lives for a web host. No Octokit here: the artifacts store imports it
 * at start-up, before any client is made.
 *
 * @module
 */

/** The public API root. */
export const DEFAULT_API_URL = "https://api.github.com";

/**
 * The REST API root of a GitHub web host: `https://api.github.com` for `github.com`;
 * `https://api.SUBDOMAIN.ghe.com` for GitHub Enterprise Cloud with data residency
 * (`SUBDOMAIN.ghe.com`, docs.github.com/enterprise-cloud@latest/rest/quickstart); else
 * `PROTOCOL//HOST/api/v3` (GitHub Enterprise Server, docs.github.com/enterprise-server@latest/rest/quickstart).
 *
 * @param host - the web host, `host:port` where a port is given.
 * @param protocol - the web URL's protocol, kept for a GitHub Enterprise Server (default `https:`).
 */
export function apiUrlForHost(host: string, protocol: "https:" | "http:" = "https:"): string {
  const name = host.toLowerCase();
  if (name === "github.com" || name === "www.github.com") return DEFAULT_API_URL;
  const ghe = /^([a-z0-9-]+)\.ghe\.com$/.exec(name);
  if (ghe) return `https://api.${ghe[1]}.ghe.com`;
  return `${protocol}//${host}/api/v3`;
}
