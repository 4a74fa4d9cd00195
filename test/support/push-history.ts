/**
 * Pushes of a real git history onto the fake GitHub: each push registers the PR's
 * new head, files and commits, and the comparisons from every earlier head (with
 * their real ancestry, so a force push shows as `diverged`). Also a person's reply
 * in a review thread, delivered as GitHub would.
 */
import { OWNER, REPO, type Harness } from "./app-harness.js";
import { diffHunkFor, commentableLines } from "./fake-github/diff-lines.js";
import type { GitHistory } from "./git-fixture.js";
import { reviewCommentPayload, type Delivery } from "./signed-webhook.js";

/** Makes `history.heads[index]` the PR's head; returns its SHA. */
export function pushHead(h: Harness, number: number, history: GitHistory, index: number, title = "Add an endpoint"): string {
  const head = history.heads[index];
  if (!head) throw new Error(`no push ${index}`);
  for (const earlier of history.heads.slice(0, index)) {
    const c = history.compare(earlier.sha, head.sha);
    h.github.setComparison(OWNER, REPO, earlier.sha, head.sha, c.files, { status: c.status, aheadBy: c.aheadBy, behindBy: c.behindBy });
  }
  h.github.addPullRequest({ owner: OWNER, repo: REPO, number, headSha: head.sha, baseSha: history.baseSha, files: head.files, commits: head.commits, title });
  return head.sha;
}

/** A person's reply in the thread of review comment `rootId` (seeded, then its webhook delivered). */
export async function replyInThread(
  h: Harness,
  number: number,
  history: GitHistory,
  index: number,
  root: { id: number; path: string; line: number; side?: "LEFT" | "RIGHT" },
  body: string,
  user: string,
): Promise<{ id: number; delivery: Delivery }> {
  const head = history.heads[index];
  const patch = head?.files.find((f) => f.filename === root.path)?.patch;
  if (!head || patch === undefined) throw new Error(`no patch for ${root.path}`);
  const lines = commentableLines(patch);
  const anchor = (root.side === "LEFT" ? lines.left : lines.right).get(root.line);
  const diffHunk = anchor ? diffHunkFor(lines, anchor) : "";
  const id = h.github.addReviewComment(OWNER, REPO, number, { path: root.path, line: root.line, side: root.side ?? "RIGHT", body, user: { login: user }, inReplyTo: root.id });
  const payload = reviewCommentPayload({ owner: OWNER, repo: REPO, number, headSha: head.sha }, { id, body, user, path: root.path, line: root.line, side: root.side ?? "RIGHT", diffHunk });
  return { id, delivery: await h.send("pull_request_review_comment", payload) };
}
