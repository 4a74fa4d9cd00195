import type { JobQueue } from "../jobs/queue.js";
import type { WebhookEvent } from "./webhook-event.js";

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
  return async (event: WebhookEvent<(typeof REVIEW_ACTIONS)[number]>): Promise<void> => {
    const { pull_request: pr, repository, installation } = event.payload;
    const fields = { repo: repository.full_name, pr: pr.number, sha: pr.head.sha, job: event.id };
    if (!installation || pr.state !== "open") {
      event.log.debug(fields, "pull request ignored (closed or no installation)");
      return;
    }
    const result = await queue.enqueue({
      kind: "review",
      id: event.id,
      installationId: installation.id,
      owner: repository.owner.login,
      repo: repository.name,
      pullNumber: pr.number,
      headSha: pr.head.sha,
      trigger: `pull_request.${event.payload.action}`,
      mode: "review",
    });
    event.log.info({ ...fields, ...result }, result.queued ? "review queued" : "review not queued");
  };
}
