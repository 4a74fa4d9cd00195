import type { Octokit, RepoRef } from "./octokit.js";

/** The reactions GitHub accepts. */
export type ReactionContent = "+1" | "-1" | "laugh" | "confused" | "heart" | "hooray" | "rocket" | "eyes";

/** Which kind of comment a reaction goes on: conversation comments and review comments have separate ids. */
export type CommentKind = "issue-comment" | "review-comment";

/** Reacts to a comment (e.g. 👀 to acknowledge a command). Reacting twice is harmless: GitHub returns the first. */
export async function addReaction(octokit: Octokit, ref: RepoRef & { kind: CommentKind; commentId: number; content: ReactionContent }): Promise<void> {
  const params = { owner: ref.owner, repo: ref.repo, comment_id: ref.commentId, content: ref.content };
  if (ref.kind === "issue-comment") await octokit.rest.reactions.createForIssueComment(params);
  else await octokit.rest.reactions.createForPullRequestReviewComment(params);
}
