/**
 * Public shapes of the fake GitHub: what a test registers (pull requests,
 * files) and what it reads back (recorded requests, state views).
 */

/** Status of a file in a pull request, as `GET /pulls/{n}/files` reports it. */
export type FakeFileStatus =
  | "added"
  | "removed"
  | "modified"
  | "renamed"
  | "copied"
  | "changed"
  | "unchanged";

/** One file of a pull request. `patch` absent = binary or too large (GitHub omits it then). */
export interface FakeFile {
  filename: string;
  status: FakeFileStatus;
  additions: number;
  deletions: number;
  changes: number;
  patch?: string;
  previous_filename?: string;
  /** Blob SHA; null for a mode-only change (as GitHub reports it); absent = the fake derives one. */
  sha?: string | null;
}

/** A pull request the fake serves. Registering the same number again models a push. */
export interface FakePullRequest {
  owner: string;
  repo: string;
  number: number;
  headSha: string;
  baseSha: string;
  headRef?: string;
  /** Defaults to "main". */
  baseRef?: string;
  draft?: boolean;
  title?: string;
  body?: string;
  user?: { login: string; type?: "User" | "Bot" };
  files: FakeFile[];
  state?: "open" | "closed";
  /** The PR's commits after its base, oldest first (`GET /pulls/{n}/commits`); default: just the head. */
  commits?: string[];
}

/** Ancestry of a comparison as `GET /compare` reports it (default: ahead by 1). */
export interface FakeComparisonInfo {
  status: "ahead" | "behind" | "diverged" | "identical";
  aheadBy: number;
  behindBy: number;
}

/** One HTTP request the fake received, with what it answered. */
export interface RecordedRequest {
  method: string;
  /** Path without the `/api/v3` prefix and without the query string (still URL-encoded). */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON body, or undefined when there was none (or it was not JSON). */
  body: unknown;
  rawBody: string;
  /** HTTP status the fake answered (0 while a delayed request is still pending or was cut by stop()). */
  status: number;
  /**
   * The route template that handled the request (e.g. `GET /repos/{owner}/{repo}/pulls/{pull_number}`),
   * or null when no route matched: an endpoint the fake does not know, i.e. an unexpected call.
   */
  route: string | null;
}

/** Repository permission levels accepted by {@link FakeGitHub.setPermission}. */
export type FakePermission = "admin" | "maintain" | "write" | "triage" | "read" | "none";

/** Diff side of a review comment. */
export type Side = "LEFT" | "RIGHT";

/** A stored inline review comment, as a user would see it on the PR. */
export interface ReviewCommentView {
  id: number;
  path: string;
  line: number;
  side: Side;
  start_line?: number;
  start_side?: string;
  body: string;
  in_reply_to_id?: number;
}

/** A stored review, as a user would see it on the PR. */
export interface ReviewView {
  id: number;
  /** APPROVE | REQUEST_CHANGES | COMMENT, or PENDING when the request had no event. */
  event: string;
  body: string;
  commit_id?: string;
  comments: ReviewCommentView[];
}

/** A stored check run with every annotation it accumulated. */
export interface CheckRunView {
  id: number;
  name: string;
  head_sha: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string; text?: string };
  annotations: Array<Record<string, unknown>>;
  actions?: unknown[];
  external_id?: string;
  details_url?: string;
  started_at?: string;
  completed_at?: string;
}

/** A repository label. */
export interface LabelView {
  name: string;
  color: string;
  description: string | null;
}

/** A comment on the PR's conversation tab. */
export interface IssueCommentView {
  id: number;
  body: string;
  user: { login: string; type: string };
}

/** Options of {@link FakeGitHub.start}. */
export interface FakeGitHubOptions {
  /**
   * Answer 401 to API calls without an installation token the fake issued (default true).
   * Turn off only for tests that drive a bare Octokit with a made-up token.
   */
  requireAuth?: boolean;
  /**
   * When set, app routes (`GET /app`, installation tokens…) check the JWT as GitHub
   * does: RS256 signed by this public key, `iss` this App ID, `exp` in the future;
   * 401 otherwise. Unset: any well-formed JWT passes (the fake cannot know the key).
   */
  app?: { id: number; publicKey: string };
}
