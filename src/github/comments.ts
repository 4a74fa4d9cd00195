import type { Octokit, PullRef } from "./octokit.js";

/** GitHub's limit on a comment body, in characters. */
export const MAX_COMMENT_CHARS = 65_536;

/** Cuts a body to GitHub's limit, saying so, rather than having the comment refused. */
function fitComment(body: string): string {
  if (body.length <= MAX_COMMENT_CHARS) return body;
  const note = "\n\n_…truncated: the reply did not fit GitHub's comment limit._";
  return body.slice(0, MAX_COMMENT_CHARS - note.length) + note;
}

/**
 * Posts a comment on the PR's conversation, or a reply in a review-comment
 * thread when `inReplyTo` names a review comment. Returns the new comment's id.
 */
export async function postComment(octokit: Octokit, ref: PullRef & { body: string; inReplyTo?: number | undefined }): Promise<number> {
  const body = fitComment(ref.body);
  if (ref.inReplyTo !== undefined) {
    const { data } = await octokit.rest.pulls.createReplyForReviewComment({
      owner: ref.owner, repo: ref.repo, pull_number: ref.pullNumber, comment_id: ref.inReplyTo, body,
    });
    return data.id;
  }
  const { data } = await octokit.rest.issues.createComment({ owner: ref.owner, repo: ref.repo, issue_number: ref.pullNumber, body });
  return data.id;
}

/**
 * True when a comment of this app (`botLogin`) on the PR's conversation contains
 * `marker` (a hidden HTML comment). Reading GitHub instead of memory makes "say it
 * once per PR" survive a restart; the caller remembers positive answers to skip the
 * listing. Any other account — another bot included — can write the same marker.
 */
export async function hasBotComment(octokit: Octokit, ref: PullRef & { marker: string; botLogin: string }): Promise<boolean> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, { owner: ref.owner, repo: ref.repo, issue_number: ref.pullNumber, per_page: 100 });
  const own = ref.botLogin.toLowerCase();
  return comments.some((c) => c.user?.login.toLowerCase() === own && (c.body ?? "").includes(ref.marker));
}
