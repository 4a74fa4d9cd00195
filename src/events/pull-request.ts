import type { Context } from "probot";
import type { JobQueue } from "../jobs/queue.js";

/** The pull-request actions that change what there is to review. */
export const REVIEW_ACTIONS = [
  "pull_request.opened",
  "pull_request.reopened",
  "pull_request.synchronize",
  "pull_request.ready_for_review",
] as const;

/**
 * Enqueues a review of the PR's head and returns: the webhook is acknowledged as
 * soon as the job is queued, whatever the model does later. Drafts and paths are
 * decided by the worker, which reads the repo's settings.
 */
export function onPullRequest(queue: JobQueue) {
  return async (context: Context<(typeof REVIEW_ACTIONS)[number]>): Promise<void> => {
    const { pull_request: pr, repository, installation } = context.payload;
    const fields = { repo: repository.full_name, pr: pr.number, sha: pr.head.sha, job: context.id };
    if (!installation || pr.state !== "open") {
      context.log.debug(fields, "pull request ignored (closed or no installation)");
      return;
    }
    const result = await queue.enqueue({
      kind: "review",
      id: context.id,
      installationId: installation.id,
      owner: repository.owner.login,
      repo: repository.name,
      pullNumber: pr.number,
      headSha: pr.head.sha,
      trigger: `pull_request.${context.payload.action}`,
      mode: "review",
    });
    context.log.info({ ...fields, ...result }, result.queued ? "review queued" : "review not queued");
  };
}
