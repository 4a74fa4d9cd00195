import type { CheckOutput, PublicationPlan } from "../core/plan-publication.js";
import { syncSecurityLabel } from "./labels.js";
import type { Octokit, PullRef } from "./octokit.js";
import { publishReview } from "./publish-review.js";
import { getPullRequest } from "./pull-request.js";

/** What publishing did: posted, with the check run's output to complete; or nothing, because the head moved on. */
export type PublicationOutcome = { posted: true; check: CheckOutput } | { posted: false; supersededBy: string };

/**
 * Carries out a review's {@link PublicationPlan} on the PR. First the head is read
 * again: a PR that moved on while the review ran gets nothing (that commit gets its
 * own review). Then one review with the new findings (folded into its body if
 * GitHub refuses the inline comments), then the label, from the labels just read.
 * The check run is the caller's to complete, with the output returned here.
 */
export async function publishPlan(octokit: Octokit, pull: PullRef & { headSha: string }, plan: PublicationPlan): Promise<PublicationOutcome> {
  const now = await getPullRequest(octokit, pull);
  if (now.headSha !== pull.headSha) return { posted: false, supersededBy: now.headSha };
  let check = plan.check;
  if (plan.review) {
    const outcome = await publishReview(octokit, { ...pull, commitId: pull.headSha, ...plan.review });
    if (outcome.posted === "body-only") check = plan.checkIfInlineRefused ?? check;
  }
  if (plan.label) await syncSecurityLabel(octokit, pull, plan.label.level, { onlyRaise: plan.label.onlyRaise, current: now.labels });
  return { posted: true, check };
}
