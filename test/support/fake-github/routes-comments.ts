/**
 * Conversation comments on a PR and reactions to comments (or to the PR itself).
 */
import {
  asRecord,
  has,
  json,
  noContent,
  notFound,
  notOneOf,
  notSupplied,
  optString,
  paginate,
  typeError,
  validationFailed,
  type Reply,
  type Route,
  type RouteContext,
} from "./http.js";
import { issueOf } from "./routes-labels.js";
import { MAX_COMMENT_BODY } from "./routes-pulls.js";
import { repoOf } from "./routes-repos.js";
import { issueCommentJson, reactionJson } from "./serialize.js";
import { BOT_USER, now, type RepoState } from "./state.js";

const DOCS = {
  comments: "https://docs.github.com/rest/issues/comments#list-issue-comments",
  createComment: "https://docs.github.com/rest/issues/comments#create-an-issue-comment",
  comment: "https://docs.github.com/rest/issues/comments#get-an-issue-comment",
  updateComment: "https://docs.github.com/rest/issues/comments#update-an-issue-comment",
  deleteComment: "https://docs.github.com/rest/issues/comments#delete-an-issue-comment",
  reactions: "https://docs.github.com/rest/reactions/reactions#create-reaction-for-an-issue-comment",
};

const REACTIONS = ["+1", "-1", "laugh", "confused", "heart", "hooray", "rocket", "eyes"] as const;

function checkBody(docs: string, resource: string, body: unknown): Reply | string {
  const b = asRecord(body) ?? {};
  if (!has(b, "body")) return notSupplied(docs, "body");
  const err = typeError(docs, b, "body", "string");
  if (err) return err;
  const text = optString(b, "body") ?? "";
  if (text.length > MAX_COMMENT_BODY) {
    return validationFailed(docs, [
      { resource, code: "custom", field: "body", message: `body is too long (maximum is ${MAX_COMMENT_BODY} characters)` },
    ]);
  }
  return text;
}

function commentOf(ctx: RouteContext): { repo: RepoState; index: number } | undefined {
  const repo = repoOf(ctx);
  const index = repo?.issueComments.findIndex((c) => c.id === Number(ctx.params.comment_id)) ?? -1;
  return repo && index >= 0 ? { repo, index } : undefined;
}

/** Reaction key for a comment or issue; ids of issue and review comments come from separate ranges. */
export function reactionKey(kind: "issue" | "pull" | "issue-body", id: number, repo?: RepoState): string {
  return kind === "issue-body" ? `issue-body:${repo?.id ?? 0}:${id}` : `${kind}:${id}`;
}

function react(ctx: RouteContext, kind: "issue" | "pull" | "issue-body"): Reply {
  const repo = repoOf(ctx);
  if (!repo) return notFound(DOCS.reactions);
  let id: number;
  if (kind === "issue-body") {
    id = Number(ctx.params.issue_number);
    if (!repo.pulls.has(id)) return notFound(DOCS.reactions);
  } else {
    id = Number(ctx.params.comment_id);
    const exists =
      kind === "issue" ? repo.issueComments.some((c) => c.id === id) : repo.reviewComments.some((c) => c.id === id);
    if (!exists) return notFound(DOCS.reactions);
  }
  const body = asRecord(ctx.body) ?? {};
  if (!has(body, "content")) return notSupplied(DOCS.reactions, "content");
  const content = optString(body, "content") ?? String(body.content);
  if (!(REACTIONS as readonly string[]).includes(content)) return notOneOf(DOCS.reactions, "content", content, REACTIONS);
  const key = reactionKey(kind, id, repo);
  const list = ctx.state.reactions.get(key) ?? [];
  // The same user reacting twice with the same content gets the existing reaction back with 200.
  const existing = list.find((r) => r.content === content && r.user.login === BOT_USER.login);
  if (existing) return json(200, reactionJson(existing, ctx.apiUrl));
  const reaction = { id: ctx.state.nextId("reaction"), content, user: BOT_USER, createdAt: now() };
  list.push(reaction);
  ctx.state.reactions.set(key, list);
  return json(201, reactionJson(reaction, ctx.apiUrl));
}

/** Routes of this module. */
export const commentRoutes: Route[] = [
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
    docs: DOCS.comments,
    handle(ctx) {
      const hit = issueOf(ctx);
      if (!hit) return notFound(DOCS.comments);
      const comments = hit.repo.issueComments.filter((c) => c.issueNumber === hit.number);
      const { page, headers } = paginate(comments, ctx);
      return json(
        200,
        page.map((c) => issueCommentJson(hit.repo, c, ctx.apiUrl)),
        headers,
      );
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/comments",
    docs: DOCS.createComment,
    handle(ctx) {
      const hit = issueOf(ctx);
      if (!hit) return notFound(DOCS.createComment);
      const text = checkBody(DOCS.createComment, "IssueComment", ctx.body);
      if (typeof text !== "string") return text;
      const at = now();
      const comment = { id: ctx.state.nextId("issueComment"), issueNumber: hit.number, body: text, user: BOT_USER, createdAt: at, updatedAt: at };
      hit.repo.issueComments.push(comment);
      return json(201, issueCommentJson(hit.repo, comment, ctx.apiUrl));
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/issues/comments/{comment_id}",
    docs: DOCS.comment,
    handle(ctx) {
      const hit = commentOf(ctx);
      const comment = hit?.repo.issueComments[hit.index];
      return hit && comment ? json(200, issueCommentJson(hit.repo, comment, ctx.apiUrl)) : notFound(DOCS.comment);
    },
  },
  {
    method: "PATCH",
    template: "/repos/{owner}/{repo}/issues/comments/{comment_id}",
    docs: DOCS.updateComment,
    handle(ctx) {
      const hit = commentOf(ctx);
      const comment = hit?.repo.issueComments[hit.index];
      if (!hit || !comment) return notFound(DOCS.updateComment);
      const text = checkBody(DOCS.updateComment, "IssueComment", ctx.body);
      if (typeof text !== "string") return text;
      comment.body = text;
      comment.updatedAt = now();
      return json(200, issueCommentJson(hit.repo, comment, ctx.apiUrl));
    },
  },
  {
    method: "DELETE",
    template: "/repos/{owner}/{repo}/issues/comments/{comment_id}",
    docs: DOCS.deleteComment,
    handle(ctx) {
      const hit = commentOf(ctx);
      if (!hit) return notFound(DOCS.deleteComment);
      hit.repo.issueComments.splice(hit.index, 1);
      return noContent();
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/issues/comments/{comment_id}/reactions",
    docs: DOCS.reactions,
    handle: (ctx) => react(ctx, "issue"),
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/pulls/comments/{comment_id}/reactions",
    docs: DOCS.reactions,
    handle: (ctx) => react(ctx, "pull"),
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/issues/{issue_number}/reactions",
    docs: DOCS.reactions,
    handle: (ctx) => react(ctx, "issue-body"),
  },
];
