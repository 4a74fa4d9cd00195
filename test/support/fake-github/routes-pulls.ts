/**
 * Pull requests: the PR itself (JSON or whole diff), its files, its review
 * comments and replies to them.
 */
import {
  asRecord,
  json,
  notFound,
  notSupplied,
  paginate,
  validationFailed,
  type Reply,
  type Route,
  type RouteContext,
} from "./http.js";
import { repoOf } from "./routes-repos.js";
import { fileJson, issueLabelsJson, pullJson, reviewCommentJson } from "./serialize.js";
import { BOT_USER, now, type PullState, type RepoState } from "./state.js";

const DOCS = {
  pull: "https://docs.github.com/rest/pulls/pulls#get-a-pull-request",
  files: "https://docs.github.com/rest/pulls/pulls#list-pull-requests-files",
  commits: "https://docs.github.com/rest/pulls/pulls#list-commits-on-a-pull-request",
  issue: "https://docs.github.com/rest/issues/issues#get-an-issue",
  comments: "https://docs.github.com/rest/pulls/comments#list-review-comments-on-a-pull-request",
  reply: "https://docs.github.com/rest/pulls/comments#create-a-reply-for-a-review-comment",
};

/** GitHub stops listing a PR's files after this many. */
export const MAX_LISTED_FILES = 3000;
/** Past these, the whole-PR diff media type answers 406. */
const MAX_DIFF_FILES = 300;
const MAX_DIFF_LINES = 20_000;
/** Longest comment body GitHub stores. */
export const MAX_COMMENT_BODY = 65_536;

/** The repository and pull request named by the path, or undefined (→ 404). */
export function pullOf(ctx: RouteContext): { repo: RepoState; pull: PullState } | undefined {
  const repo = repoOf(ctx);
  const pull = repo?.pulls.get(Number(ctx.params.pull_number ?? ctx.params.issue_number));
  return repo && pull ? { repo, pull } : undefined;
}

function wantsDiff(ctx: RouteContext): boolean {
  const accept = ctx.headers.accept;
  const value = Array.isArray(accept) ? accept.join(",") : (accept ?? "");
  return /vnd\.github(\.v3)?\.diff/i.test(value);
}

function getPull(ctx: RouteContext): Reply {
  const found = pullOf(ctx);
  if (!found) return notFound(DOCS.pull);
  const { repo, pull } = found;
  if (!wantsDiff(ctx)) return json(200, pullJson(repo, pull, ctx.apiUrl));

  const files = pull.pr.files;
  const lines = files.reduce((n, f) => n + f.additions + f.deletions, 0);
  if (files.length > MAX_DIFF_FILES || lines > MAX_DIFF_LINES) {
    const message =
      files.length > MAX_DIFF_FILES
        ? `Sorry, the diff exceeded the maximum number of files (${MAX_DIFF_FILES}). Consider using 'List pull requests files' API or locally cloning the repository instead.`
        : `Sorry, the diff exceeded the maximum number of lines (${MAX_DIFF_LINES}). Consider using 'List pull requests files' API or locally cloning the repository instead.`;
    return json(406, {
      message,
      errors: [{ resource: "PullRequest", field: "diff", code: "too_large" }],
      documentation_url: DOCS.pull,
      status: "406",
    });
  }
  const text = files
    .map((f) => {
      const from = f.previous_filename ?? f.filename;
      const header = `diff --git a/${from} b/${f.filename}\n--- ${f.status === "added" ? "/dev/null" : `a/${from}`}\n+++ ${f.status === "removed" ? "/dev/null" : `b/${f.filename}`}\n`;
      return f.patch === undefined ? `diff --git a/${from} b/${f.filename}\nBinary files differ\n` : `${header}${f.patch}\n`;
    })
    .join("");
  return { status: 200, text, contentType: "application/vnd.github.diff; charset=utf-8" };
}

function listFiles(ctx: RouteContext): Reply {
  const found = pullOf(ctx);
  if (!found) return notFound(DOCS.files);
  const { repo, pull } = found;
  const { page, headers } = paginate(pull.pr.files, ctx, MAX_LISTED_FILES);
  return json(
    200,
    page.map((f) => fileJson(repo, f, pull.pr.headSha, ctx.apiUrl)),
    headers,
  );
}

/** The PR's commits after its base, oldest first, as `GET /pulls/{n}/commits` lists them (at most 250). */
function listCommits(ctx: RouteContext): Reply {
  const found = pullOf(ctx);
  if (!found) return notFound(DOCS.commits);
  const { pull } = found;
  const shas = pull.pr.commits ?? [pull.pr.headSha];
  const { page, headers } = paginate(shas, ctx, 250);
  return json(
    200,
    page.map((sha, i) => ({ sha, commit: { message: `commit ${i + 1}` }, parents: [{ sha: i === 0 ? pull.pr.baseSha : shas[i - 1] }] })),
    headers,
  );
}

function getIssue(ctx: RouteContext): Reply {
  const found = pullOf(ctx);
  if (!found) return notFound(DOCS.issue);
  const { repo, pull } = found;
  const fullName = `${repo.owner}/${repo.name}`;
  const pr = pullJson(repo, pull, ctx.apiUrl);
  return json(200, {
    id: pr.id,
    node_id: pr.node_id,
    url: `${ctx.apiUrl}/repos/${fullName}/issues/${pull.pr.number}`,
    html_url: pr.html_url,
    number: pull.pr.number,
    state: pull.pr.state,
    title: pr.title,
    body: pr.body,
    user: pr.user,
    labels: issueLabelsJson(repo, pull.pr.number, ctx.apiUrl),
    comments: pr.comments,
    draft: pr.draft,
    pull_request: { url: pr.url, html_url: pr.html_url, diff_url: pr.diff_url },
    created_at: pull.createdAt,
    updated_at: pull.createdAt,
  });
}

function listReviewComments(ctx: RouteContext): Reply {
  const found = pullOf(ctx);
  if (!found) return notFound(DOCS.comments);
  const { repo, pull } = found;
  const pendingReviews = new Set(repo.reviews.filter((r) => r.event === "PENDING").map((r) => r.id));
  const comments = repo.reviewComments.filter(
    (c) => c.pullNumber === pull.pr.number && !pendingReviews.has(c.reviewId),
  );
  const { page, headers } = paginate(comments, ctx);
  return json(
    200,
    page.map((c) => reviewCommentJson(repo, c, ctx.apiUrl)),
    headers,
  );
}

/**
 * A reply joins the thread of its root comment (GitHub does not nest replies) and,
 * like on GitHub, arrives wrapped in a review of its own (state COMMENTED).
 */
function reply(ctx: RouteContext): Reply {
  const found = pullOf(ctx);
  if (!found) return notFound(DOCS.reply);
  const { repo, pull } = found;
  const target = repo.reviewComments.find(
    (c) => c.id === Number(ctx.params.comment_id) && c.pullNumber === pull.pr.number,
  );
  if (!target) return notFound(DOCS.reply);
  const body = asRecord(ctx.body);
  const text = body && typeof body.body === "string" ? body.body : undefined;
  if (text === undefined) return notSupplied(DOCS.reply, "body");
  if (text.length > MAX_COMMENT_BODY) {
    return validationFailed(DOCS.reply, [
      { resource: "PullRequestReviewComment", code: "custom", field: "body", message: `body is too long (maximum is ${MAX_COMMENT_BODY} characters)` },
    ]);
  }
  const root = target.inReplyToId !== undefined ? target.inReplyToId : target.id;
  const at = now();
  const reviewId = ctx.state.nextId("review");
  repo.reviews.push({
    id: reviewId,
    pullNumber: pull.pr.number,
    event: "COMMENT",
    body: "",
    commitId: pull.pr.headSha,
    user: BOT_USER,
    submittedAt: at,
  });
  const comment = {
    ...target,
    id: ctx.state.nextId("reviewComment"),
    reviewId,
    body: text,
    user: BOT_USER,
    inReplyToId: root,
    createdAt: at,
    updatedAt: at,
  };
  repo.reviewComments.push(comment);
  return json(201, reviewCommentJson(repo, comment, ctx.apiUrl));
}

/** Routes of this module. */
export const pullRoutes: Route[] = [
  { method: "GET", template: "/repos/{owner}/{repo}/pulls/{pull_number}", docs: DOCS.pull, handle: getPull },
  { method: "GET", template: "/repos/{owner}/{repo}/pulls/{pull_number}/files", docs: DOCS.files, handle: listFiles },
  { method: "GET", template: "/repos/{owner}/{repo}/pulls/{pull_number}/commits", docs: DOCS.commits, handle: listCommits },
  { method: "GET", template: "/repos/{owner}/{repo}/issues/{issue_number}", docs: DOCS.issue, handle: getIssue },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}/comments",
    docs: DOCS.comments,
    handle: listReviewComments,
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}/comments/{comment_id}/replies",
    docs: DOCS.reply,
    handle: reply,
  },
];
