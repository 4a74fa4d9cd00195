import type { Side } from "../domain/findings.js";
import type { Octokit, PullRef } from "./octokit.js";

/** A review comment on the PR (a thread's first comment, or a reply in it). */
export interface PullReviewComment {
  id: number;
  /** The thread's first comment, for a reply. */
  inReplyTo: number | undefined;
  body: string;
  /** Login of the comment's author: only the app's own login makes its markers count (a `Bot` type says nothing: any app is one). */
  author: string;
  path: string;
  /** Null when GitHub marks the comment outdated (its line changed since). */
  line: number | null;
  side: Side;
  commitId: string;
}

/**
 * Every review comment of the PR, 100 a page. The bot's own comments carry its
 * findings' hidden markers: this listing is how a review knows what was already said.
 */
export async function listReviewComments(octokit: Octokit, ref: PullRef): Promise<PullReviewComment[]> {
  const comments = await octokit.paginate(octokit.rest.pulls.listReviewComments, { owner: ref.owner, repo: ref.repo, pull_number: ref.pullNumber, per_page: 100 });
  return comments.map((c) => ({
    id: c.id,
    inReplyTo: c.in_reply_to_id,
    body: c.body,
    author: c.user.login,
    path: c.path,
    line: c.line ?? null,
    side: c.side === "LEFT" ? "LEFT" : "RIGHT",
    commitId: c.commit_id,
  }));
}
