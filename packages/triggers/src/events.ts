/**
 * The parts of GitHub's webhook payloads this package reads. Structural, so the payloads of
 * `@octokit/webhooks-types` (and the `github.event` of an action) fit them as they are.
 * Shapes: docs.github.com/webhooks/webhook-events-and-payloads (`issue_comment`, `pull_request`).
 *
 * @module
 */

/** A user as payloads carry it. */
export interface EventUser {
  login: string;
  /** `User`, `Bot` or `Organization`. */
  type?: string;
}

/** The repository of an event. */
export interface EventRepository {
  name: string;
  owner: { login: string };
  /** The default branch: where the workflows file and the runner workflow are read from. */
  default_branch: string;
}

/** An `issue_comment` event (`created`, `edited`, `deleted`). */
export interface IssueCommentEvent {
  action: string;
  issue: {
    number: number;
    /** Present (an object) when the issue is a pull request. */
    pull_request?: unknown;
  };
  comment: {
    id: number;
    body?: string | null;
    user: EventUser | null;
    html_url?: string;
    /** When the comment was written, ISO 8601: the moment whose head the command runs. */
    created_at: string;
    /** The commenter's association with the repository (`OWNER`, `MEMBER`, ...): a hint only, never the authority. */
    author_association?: string;
  };
  repository: EventRepository;
  sender?: EventUser;
}

/** A repository as a pull request's head or base names it. */
export interface EventPullRequestRepo {
  id: number;
  full_name: string;
}

/** A `pull_request` event (`labeled`, `synchronize`, ...). */
export interface PullRequestEvent {
  action: string;
  number: number;
  /** The label added or removed (`labeled`, `unlabeled`). */
  label?: { name: string } | null;
  pull_request: {
    number: number;
    state: string;
    html_url: string;
    head: { sha: string; ref: string; repo: EventPullRequestRepo | null };
    base: { ref: string; repo: EventPullRequestRepo };
    labels?: { name: string }[];
  };
  repository: EventRepository;
  sender: EventUser;
  /** `synchronize`: the head before and after the push. */
  before?: string;
  after?: string;
}

/**
 * A `repository_dispatch` event: `action` is the `event_type` the sender chose (`dstack-run`),
 * `client_payload` what it sent (docs.github.com/rest/repos/repos#create-a-repository-dispatch-event).
 */
export interface RepositoryDispatchEvent {
  action: string;
  branch?: string;
  client_payload?: unknown;
  repository: EventRepository;
  sender: EventUser;
}
