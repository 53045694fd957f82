/**
 * A repository's files by ref, for the fake GitHub: `GET /repos/{o}/{r}` (the default branch) and
 * `GET /repos/{o}/{r}/contents/{path}?ref=` (a file as base64, as GitHub sends it: lines of 60
 * characters). Responses start from `@octokit/openapi`'s examples, so they keep the real shapes.
 *
 * @module
 */
import { type FakeHandler, type FakeReply, openApiExample } from "./github.js";

/** Options of {@link createContentsModel}. */
export interface ContentsModelOptions {
  /** Default `octo-org`. */
  owner?: string;
  /** Default `octo-repo`. */
  repo?: string;
  /** Default `main`. */
  defaultBranch?: string;
  /** The repository's numeric id (`id`, what `GITHUB_REPOSITORY_ID` holds). Default the example's. */
  id?: number;
  /** Files by ref, then by path (`{ main: { ".dstack/policy.yaml": "gpu: ..." } }`). */
  files?: Record<string, Record<string, string>>;
}

/** The model: the reads it answered, and routes for `startFakeGitHub`. */
export interface ContentsModel {
  /** Every contents read, in order: the path and the ref asked for. */
  readonly reads: { path: string; ref: string }[];
  /** Files by ref and path; tests may change them between requests. */
  readonly files: Record<string, Record<string, string>>;
  readonly routes: Record<string, FakeHandler>;
}

/** Route keys the model serves. */
export const CONTENTS_ROUTES = {
  getRepo: "GET /repos/{owner}/{repo}",
  getContent: "GET /repos/{owner}/{repo}/contents/{path}",
} as const;

const notFound = (): FakeReply => ({
  status: 404,
  body: {
    message: "Not Found",
    documentation_url: "https://docs.github.com/rest/repos/contents#get-repository-content",
    status: "404",
  },
});

/** Creates the model; add its routes to `startFakeGitHub`. */
export function createContentsModel(options: ContentsModelOptions = {}): ContentsModel {
  const owner = options.owner ?? "octo-org";
  const repo = options.repo ?? "octo-repo";
  const defaultBranch = options.defaultBranch ?? "main";
  const files = options.files ?? {};
  const reads: ContentsModel["reads"] = [];
  const ours = (params: Record<string, string>) => params.owner === owner && params.repo === repo;
  const routes: Record<string, FakeHandler> = {
    [CONTENTS_ROUTES.getRepo]: (r) => {
      if (!ours(r.params)) return notFound();
      return {
        status: 200,
        body: {
          ...openApiExample("full-repository"),
          // Required by the schema, missing from the example.
          has_discussions: false,
          ...(options.id !== undefined ? { id: options.id } : {}),
          name: repo,
          full_name: `${owner}/${repo}`,
          default_branch: defaultBranch,
        },
      };
    },
    [CONTENTS_ROUTES.getContent]: (r) => {
      const filePath = r.params.path ?? "";
      const ref = r.query.get("ref") ?? defaultBranch;
      reads.push({ path: filePath, ref });
      const text = ours(r.params) ? files[ref]?.[filePath] : undefined;
      if (text === undefined) return notFound();
      const bytes = Buffer.from(text, "utf8");
      const base64 = bytes.toString("base64").replace(/.{60}/g, "$&\n");
      const name = filePath.split("/").pop() ?? filePath;
      const url = `https://api.github.com/repos/${owner}/${repo}/contents/${filePath}?ref=${ref}`;
      return {
        status: 200,
        body: {
          ...openApiExample("content-file-response-if-content-is-a-file"),
          name,
          path: filePath,
          size: bytes.length,
          content: base64,
          url,
        },
      };
    },
  };
  return { reads, files, routes };
}
