/**
 * Pull request reviews. The create endpoint is the strict one: every inline
 * comment must land on a line of the PR's diff, and a single bad comment makes
 * GitHub reject the whole review with 422 and store nothing.
 *
 * Error strings mirror what GitHub answers today on this endpoint
 * (`{ message: "Unprocessable Entity", errors: ["Line could not be resolved"] }`,
 * "Path could not be resolved", "… start line must be part of the same hunk as the line.",
 * "… start line must precede the end line.", "User can only have one pending review per
 * pull request"). "Start line could not be resolved", "Commit is not part of the pull
 * request" and "Body can't be blank" are the fake's best guess at wording GitHub does not
 * document; tests should assert on the status, not on those three strings.
 */
import { diffHunkFor, type DiffLine } from "./diff-lines.js";
import {
  asRecord,
  has,
  invalidRequest,
  json,
  notFound,
  notOneOf,
  notSupplied,
  optInt,
  optString,
  paginate,
  typeError,
  unprocessable,
  validationFailed,
  type Reply,
  type Route,
  type RouteContext,
} from "./http.js";
import { MAX_COMMENT_BODY, pullOf } from "./routes-pulls.js";
import { reviewJson } from "./serialize.js";
import { BOT_USER, now, type FakeState, type PullState, type ReviewEvent, type ReviewState } from "./state.js";
import type { Side } from "./types.js";

const DOCS = {
  create: "https://docs.github.com/rest/pulls/reviews#create-a-review-for-a-pull-request",
  list: "https://docs.github.com/rest/pulls/reviews#list-reviews-for-a-pull-request",
  get: "https://docs.github.com/rest/pulls/reviews#get-a-review-for-a-pull-request",
  remove: "https://docs.github.com/rest/pulls/reviews#delete-a-pending-review-for-a-pull-request",
  submit: "https://docs.github.com/rest/pulls/reviews#submit-a-review-for-a-pull-request",
};

const EVENTS = ["APPROVE", "REQUEST_CHANGES", "COMMENT"] as const;
const SIDES = ["LEFT", "RIGHT"] as const;

/** Where a validated comment lands. */
interface Placement {
  path: string;
  line: number;
  side: Side;
  startLine: number | undefined;
  startSide: Side | undefined;
  position: number | undefined;
  body: string;
  diffHunk: string;
}

/** Schema checks of one `comments[]` item; a reply means the whole request is rejected. */
function checkCommentShape(item: unknown): Reply | undefined {
  const c = asRecord(item);
  if (!c) return invalidRequest(DOCS.create, `For 'items', ${JSON.stringify(item)} is not an object.`);
  if (!has(c, "path")) return notSupplied(DOCS.create, "path");
  if (!has(c, "body")) return notSupplied(DOCS.create, "body");
  for (const key of ["path", "body", "side", "start_side"]) {
    const err = typeError(DOCS.create, c, key, "string");
    if (err) return err;
  }
  for (const key of ["line", "start_line", "position"]) {
    const err = typeError(DOCS.create, c, key, "integer");
    if (err) return err;
  }
  for (const key of ["side", "start_side"]) {
    const v = optString(c, key);
    if (v !== undefined && !(SIDES as readonly string[]).includes(v)) return notOneOf(DOCS.create, key, v, SIDES);
  }
  const body = optString(c, "body") ?? "";
  if (body.length > MAX_COMMENT_BODY) {
    return validationFailed(DOCS.create, [
      { resource: "PullRequestReviewComment", code: "custom", field: "body", message: `body is too long (maximum is ${MAX_COMMENT_BODY} characters)` },
    ]);
  }
  return undefined;
}

/** Places one comment on the PR's diff, or returns GitHub's reason for refusing it. */
function place(state: FakeState, pull: PullState, c: Record<string, unknown>): Placement | string {
  const path = optString(c, "path") ?? "";
  const file = pull.pr.files.find((f) => f.filename === path);
  if (!file) return "Path could not be resolved";
  // No patch (binary, too large): there is no diff row to hang a line comment on.
  const lines = state.linesOf(pull, file);
  if (!lines) return "Line could not be resolved";

  const line = optInt(c, "line");
  const position = optInt(c, "position");
  let end: DiffLine | undefined;
  if (line !== undefined) {
    const side = (optString(c, "side") ?? "RIGHT") as Side;
    end = (side === "RIGHT" ? lines.right : lines.left).get(line);
  } else if (position !== undefined) {
    end = lines.positions.get(position);
    if (!end) return "Pull request review thread position is invalid";
  }
  if (!end) return "Line could not be resolved";

  const startLine = optInt(c, "start_line");
  let startSide: Side | undefined;
  if (startLine !== undefined) {
    startSide = (optString(c, "start_side") ?? end.side) as Side;
    const start = (startSide === "RIGHT" ? lines.right : lines.left).get(startLine);
    if (!start) return "Start line could not be resolved";
    if (start.hunk !== end.hunk) return "Pull request review thread start line must be part of the same hunk as the line.";
    if (start.row >= end.row) return "Pull request review thread start line must precede the end line.";
  }
  return {
    path,
    line: end.line,
    side: end.side,
    startLine,
    startSide,
    position: line === undefined ? position : undefined,
    body: optString(c, "body") ?? "",
    diffHunk: diffHunkFor(lines, end),
  };
}

function createReview(ctx: RouteContext): Reply {
  const found = pullOf(ctx);
  if (!found) return notFound(DOCS.create);
  const { repo, pull } = found;
  const body = ctx.body === undefined ? {} : asRecord(ctx.body);
  if (!body) return invalidRequest(DOCS.create, `For 'type', ${JSON.stringify(ctx.body)} is not an object.`);

  for (const key of ["commit_id", "body", "event"]) {
    const err = typeError(DOCS.create, body, key, "string");
    if (err) return err;
  }
  const arrErr = typeError(DOCS.create, body, "comments", "array");
  if (arrErr) return arrErr;
  const event = optString(body, "event");
  if (event !== undefined && !(EVENTS as readonly string[]).includes(event)) {
    return notOneOf(DOCS.create, "event", event, EVENTS);
  }
  const comments: unknown[] = Array.isArray(body.comments) ? body.comments : [];
  for (const item of comments) {
    const err = checkCommentShape(item);
    if (err) return err;
  }
  const text = optString(body, "body") ?? "";
  if (text.length > MAX_COMMENT_BODY) {
    return validationFailed(DOCS.create, [
      { resource: "PullRequestReview", code: "custom", field: "body", message: `body is too long (maximum is ${MAX_COMMENT_BODY} characters)` },
    ]);
  }
  const commitId = optString(body, "commit_id") ?? pull.pr.headSha;
  if (!pull.shas.has(commitId)) return unprocessable(DOCS.create, ["Commit is not part of the pull request"]);
  if ((event === "REQUEST_CHANGES" || event === "COMMENT") && text === "" && comments.length === 0) {
    return unprocessable(DOCS.create, ["Body can't be blank"]);
  }
  if (pull.pr.user?.login === BOT_USER.login && event === "APPROVE") {
    return unprocessable(DOCS.create, ["Review Can not approve your own pull request"]);
  }
  if (pull.pr.user?.login === BOT_USER.login && event === "REQUEST_CHANGES") {
    return unprocessable(DOCS.create, ["Review Can not request changes on your own pull request"]);
  }
  if (
    event === undefined &&
    repo.reviews.some((r) => r.pullNumber === pull.pr.number && r.event === "PENDING" && r.user.login === BOT_USER.login)
  ) {
    return unprocessable(DOCS.create, ["User can only have one pending review per pull request"]);
  }

  const placements: Placement[] = [];
  const errors = new Set<string>();
  for (const item of comments) {
    const placed = place(ctx.state, pull, asRecord(item) ?? {});
    if (typeof placed === "string") errors.add(placed);
    else placements.push(placed);
  }
  // All or nothing: GitHub stores no part of a review it rejects.
  if (errors.size > 0) return unprocessable(DOCS.create, [...errors]);

  const at = now();
  const review: ReviewState = {
    id: ctx.state.nextId("review"),
    pullNumber: pull.pr.number,
    event: (event ?? "PENDING") as ReviewEvent,
    body: text,
    commitId,
    user: BOT_USER,
    submittedAt: event === undefined ? undefined : at,
  };
  repo.reviews.push(review);
  for (const p of placements) {
    repo.reviewComments.push({
      id: ctx.state.nextId("reviewComment"),
      reviewId: review.id,
      pullNumber: pull.pr.number,
      path: p.path,
      line: p.line,
      side: p.side,
      startLine: p.startLine,
      startSide: p.startSide,
      position: p.position,
      body: p.body,
      user: BOT_USER,
      commitId,
      inReplyToId: undefined,
      diffHunk: p.diffHunk,
      createdAt: at,
      updatedAt: at,
    });
  }
  return json(200, reviewJson(repo, review, ctx.apiUrl));
}

function reviewOf(ctx: RouteContext): { found: NonNullable<ReturnType<typeof pullOf>>; review: ReviewState } | undefined {
  const found = pullOf(ctx);
  const review = found?.repo.reviews.find(
    (r) => r.id === Number(ctx.params.review_id) && r.pullNumber === found.pull.pr.number,
  );
  return found && review ? { found, review } : undefined;
}

/** Routes of this module. */
export const reviewRoutes: Route[] = [
  { method: "POST", template: "/repos/{owner}/{repo}/pulls/{pull_number}/reviews", docs: DOCS.create, handle: createReview },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}/reviews",
    docs: DOCS.list,
    handle(ctx) {
      const found = pullOf(ctx);
      if (!found) return notFound(DOCS.list);
      const reviews = found.repo.reviews.filter((r) => r.pullNumber === found.pull.pr.number);
      const { page, headers } = paginate(reviews, ctx);
      return json(
        200,
        page.map((r) => reviewJson(found.repo, r, ctx.apiUrl)),
        headers,
      );
    },
  },
  {
    method: "GET",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}",
    docs: DOCS.get,
    handle(ctx) {
      const hit = reviewOf(ctx);
      return hit ? json(200, reviewJson(hit.found.repo, hit.review, ctx.apiUrl)) : notFound(DOCS.get);
    },
  },
  {
    method: "DELETE",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}",
    docs: DOCS.remove,
    handle(ctx) {
      const hit = reviewOf(ctx);
      if (!hit) return notFound(DOCS.remove);
      const { repo } = hit.found;
      if (hit.review.event !== "PENDING") {
        return unprocessable(DOCS.remove, ["Can not delete a non-pending pull request review"]);
      }
      repo.reviews = repo.reviews.filter((r) => r.id !== hit.review.id);
      repo.reviewComments = repo.reviewComments.filter((c) => c.reviewId !== hit.review.id);
      return json(200, reviewJson(repo, hit.review, ctx.apiUrl));
    },
  },
  {
    method: "POST",
    template: "/repos/{owner}/{repo}/pulls/{pull_number}/reviews/{review_id}/events",
    docs: DOCS.submit,
    handle(ctx) {
      const hit = reviewOf(ctx);
      if (!hit) return notFound(DOCS.submit);
      const body = asRecord(ctx.body) ?? {};
      const event = optString(body, "event");
      if (event === undefined) return notSupplied(DOCS.submit, "event");
      if (!(EVENTS as readonly string[]).includes(event)) return notOneOf(DOCS.submit, "event", event, EVENTS);
      if (hit.review.event !== "PENDING") {
        return unprocessable(DOCS.submit, ["Can not submit a non-pending pull request review"]);
      }
      hit.review.event = event as ReviewEvent;
      hit.review.body = optString(body, "body") ?? hit.review.body;
      hit.review.submittedAt = now();
      return json(200, reviewJson(hit.found.repo, hit.review, ctx.apiUrl));
    },
  },
];
