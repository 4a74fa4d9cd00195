/**
 * In-memory state of the fake GitHub. Plain data; the routes mutate it and the
 * FakeGitHub views read it. Owner and repository names are case-insensitive,
 * as on GitHub.
 */
import { createHash } from "node:crypto";
import { commentableLines, type CommentableLines } from "./diff-lines.js";
import type { FakeComparisonInfo, FakeFile, FakePermission, FakePullRequest, Side } from "./types.js";

/** An author as the fake stores it. */
export interface UserRef {
  login: string;
  type: "User" | "Bot";
}

/** The app's own identity: everything posted through the API is authored by it. */
export const BOT_USER: UserRef = { login: "backend-agent[bot]", type: "Bot" };
export const APP_ID = 1;
export const APP_SLUG = "backend-agent";

/** A pull request plus what the fake derives from it. */
export interface PullState {
  pr: FakePullRequest & { baseRef: string; headRef: string; state: "open" | "closed" };
  /** Every head SHA this PR ever had: a review may name an earlier one. */
  shas: Set<string>;
  /** Commentable lines per filename, parsed lazily. */
  lines: Map<string, CommentableLines>;
  createdAt: string;
}

export interface LabelState {
  id: number;
  name: string;
  color: string;
  description: string | null;
}

export interface IssueCommentState {
  id: number;
  issueNumber: number;
  body: string;
  user: UserRef;
  createdAt: string;
  updatedAt: string;
}

export type ReviewEvent = "APPROVE" | "REQUEST_CHANGES" | "COMMENT" | "PENDING";

export interface ReviewState {
  id: number;
  pullNumber: number;
  event: ReviewEvent;
  body: string;
  commitId: string;
  user: UserRef;
  submittedAt: string | undefined;
}

export interface ReviewCommentState {
  id: number;
  reviewId: number;
  pullNumber: number;
  path: string;
  line: number;
  side: Side;
  startLine: number | undefined;
  startSide: Side | undefined;
  position: number | undefined;
  body: string;
  user: UserRef;
  commitId: string;
  inReplyToId: number | undefined;
  diffHunk: string;
  createdAt: string;
  updatedAt: string;
}

export interface CheckRunState {
  id: number;
  name: string;
  headSha: string;
  status: string;
  conclusion: string | null;
  output: { title?: string; summary?: string; text?: string };
  annotations: Array<Record<string, unknown>>;
  actions: unknown[] | undefined;
  externalId: string | undefined;
  detailsUrl: string | undefined;
  startedAt: string | undefined;
  completedAt: string | undefined;
  /** The app that created the run (default: this app, {@link APP_ID}). */
  app?: { id: number; slug: string } | undefined;
}

export interface ReactionState {
  id: number;
  content: string;
  user: UserRef;
  createdAt: string;
}

/** Everything the fake knows about one repository. */
export interface RepoState {
  owner: string;
  name: string;
  id: number;
  defaultBranch: string;
  private: boolean;
  pulls: Map<number, PullState>;
  /** ref key (DEFAULT_REF or a ref/SHA) → path → content. */
  files: Map<string, Map<string, string>>;
  /** lower-cased login → permission. */
  permissions: Map<string, FakePermission>;
  /** lower-cased name → label. */
  labels: Map<string, LabelState>;
  /** issue number → lower-cased label names, in the order they were added. */
  issueLabels: Map<number, string[]>;
  issueComments: IssueCommentState[];
  reviews: ReviewState[];
  reviewComments: ReviewCommentState[];
  checkRuns: CheckRunState[];
  /** "base...head" → files. */
  comparisons: Map<string, FakeFile[]>;
  /** "base...head" → ancestry, when not the default "ahead by 1". */
  comparisonInfo: Map<string, FakeComparisonInfo>;
  /** Ids of root review comments whose thread a person resolved. */
  /** Root comment id of each resolved review thread → login of who resolved it. */
  resolvedThreads: Map<number, string>;
}

/** Key under which files of the default branch are stored, whatever its name. */
export const DEFAULT_REF = "\u0000default";

/**
 * Ids come from separate ranges per kind so that a test (or the app) mixing up an
 * issue-comment id with a review-comment id gets a 404 instead of a lucky hit.
 */
const ID_BASE = {
  repo: 100,
  label: 5_000_000,
  issueComment: 1_000_000,
  reviewComment: 2_000_000,
  review: 3_000_000,
  checkRun: 4_000_000,
  reaction: 6_000_000,
} as const;
export type IdKind = keyof typeof ID_BASE;

/** The fake's whole world. */
export class FakeState {
  readonly repos = new Map<string, RepoState>();
  /** "issue:<id>" or "pull:<id>" → reactions. */
  readonly reactions = new Map<string, ReactionState[]>();
  /** Installation tokens the fake issued. */
  readonly tokens = new Set<string>();
  /** Where a commit's tarball is downloaded from (the codeload URL), when the fake serves it. */
  codeload?: (owner: string, repo: string, sha: string) => string | undefined;
  private readonly counters = new Map<IdKind, number>();

  /** Next id of a kind; ids are stable across runs for readable assertions. */
  nextId(kind: IdKind): number {
    const next = (this.counters.get(kind) ?? ID_BASE[kind]) + 1;
    this.counters.set(kind, next);
    return next;
  }

  /** Reserves an explicit id (a seeded comment that must match a webhook payload). */
  reserveId(kind: IdKind, id: number): void {
    if (id > (this.counters.get(kind) ?? ID_BASE[kind])) this.counters.set(kind, id);
  }

  /** The repository, or undefined: routes answer 404 for repositories nobody registered. */
  findRepo(owner: string, repo: string): RepoState | undefined {
    return this.repos.get(`${owner}/${repo}`.toLowerCase());
  }

  /** The repository, created on first mention by a test setter. */
  ensureRepo(owner: string, repo: string): RepoState {
    const key = `${owner}/${repo}`.toLowerCase();
    let state = this.repos.get(key);
    if (!state) {
      state = {
        owner,
        name: repo,
        id: this.nextId("repo"),
        defaultBranch: "main",
        private: false,
        pulls: new Map(),
        files: new Map(),
        permissions: new Map(),
        labels: new Map(),
        issueLabels: new Map(),
        issueComments: [],
        reviews: [],
        reviewComments: [],
        checkRuns: [],
        comparisons: new Map(),
        comparisonInfo: new Map(),
        resolvedThreads: new Map(),
      };
      this.repos.set(key, state);
    }
    return state;
  }

  /** Registers or updates (a push) a pull request. */
  upsertPull(pr: FakePullRequest): void {
    const repo = this.ensureRepo(pr.owner, pr.repo);
    const previous = repo.pulls.get(pr.number);
    const normalized = {
      ...pr,
      files: pr.files.map((f) => ({ ...f })),
      baseRef: pr.baseRef ?? "main",
      headRef: pr.headRef ?? `feature-${pr.number}`,
      state: pr.state ?? "open",
    };
    const shas = previous?.shas ?? new Set<string>();
    shas.add(pr.headSha);
    repo.pulls.set(pr.number, {
      pr: normalized,
      shas,
      lines: new Map(),
      createdAt: previous?.createdAt ?? now(),
    });
  }

  /** Commentable lines of a PR file, or undefined when the file has no patch. */
  linesOf(pull: PullState, file: FakeFile): CommentableLines | undefined {
    if (file.patch === undefined) return undefined;
    let lines = pull.lines.get(file.filename);
    if (!lines) {
      lines = commentableLines(file.patch);
      pull.lines.set(file.filename, lines);
    }
    return lines;
  }

  /** Commits GitHub would know in this repository: PR heads (past and present) and bases. */
  knowsCommit(repo: RepoState, sha: string): boolean {
    for (const pull of repo.pulls.values()) {
      if (pull.shas.has(sha) || pull.pr.baseSha === sha) return true;
    }
    for (const key of repo.comparisons.keys()) {
      if (key.split("...").includes(sha)) return true;
    }
    return false;
  }
}

/** ISO timestamp without milliseconds, like GitHub's. */
export function now(): string {
  return new Date().toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** A stable fake SHA-1 for anything the test did not give a SHA. */
export function fakeSha(...parts: string[]): string {
  return createHash("sha1").update(parts.join("\u0000")).digest("hex");
}

/** Git's blob SHA of a file's content, as `GET /contents` reports it. */
export function blobSha(content: string): string {
  const bytes = Buffer.from(content, "utf8");
  return createHash("sha1").update(`blob ${bytes.length}\u0000`).update(bytes).digest("hex");
}

/** A stable numeric id for a login (GitHub users have numeric ids). */
export function userId(login: string): number {
  if (login === BOT_USER.login) return 41898282 + APP_ID;
  return Number.parseInt(fakeSha("user", login).slice(0, 7), 16);
}
