import { httpStatusOf } from "../errors.js";
import { fitOutput } from "./check-run.js";
import { INLINE_REFUSED, type PlannedComment } from "../core/plan-publication.js";
import type { Octokit, PullRef } from "./octokit.js";

/** What was posted: a review with inline comments, one without (after a 422), or nothing. */
export type PublishOutcome = { posted: "inline"; reviewId: number } | { posted: "body-only"; reviewId: number; reason: string };

/**
 * Posts one review with every inline comment in one request. The bot never
 * approves. If GitHub still refuses a comment (422: the PR moved under us), one
 * bad comment would sink all of them, so the review is posted again with the
 * comments folded into its body (`fallbackBody`): nothing is lost.
 */
export async function publishReview(
  octokit: Octokit,
  ref: PullRef & { commitId: string; event: "COMMENT" | "REQUEST_CHANGES"; body: string; comments: PlannedComment[]; fallbackBody: string },
): Promise<PublishOutcome> {
  const base = { owner: ref.owner, repo: ref.repo, pull_number: ref.pullNumber, commit_id: ref.commitId, event: ref.event };
  try {
    const { data } = await octokit.rest.pulls.createReview({
      ...base,
      body: fitOutput(ref.body),
      comments: ref.comments.map((c) => ({
        path: c.path,
        line: c.line,
        side: c.side,
        body: fitOutput(c.body),
        ...(c.startLine !== undefined ? { start_line: c.startLine, start_side: c.side } : {}),
      })),
    });
    return { posted: "inline", reviewId: data.id };
  } catch (error) {
    if (httpStatusOf(error) !== 422 || ref.comments.length === 0) throw error;
    const { data } = await octokit.rest.pulls.createReview({ ...base, body: fitOutput(ref.fallbackBody) });
    return { posted: "body-only", reviewId: data.id, reason: INLINE_REFUSED };
  }
}
