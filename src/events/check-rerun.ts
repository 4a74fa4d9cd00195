import { modeOfCheckRun, pullNumberOfExternalId, RERUN_ACTION_ID } from "../github/check-run.js";
import type { JobQueue, ReviewJob } from "../jobs/queue.js";
import type { ReviewMode } from "../engine/prompt.js";
import type { Logger } from "pino";
import type { WebhookEvent } from "./webhook-event.js";

/** The check-run and check-suite actions that ask for the review again. */
export const RERUN_ACTIONS = ["check_run.rerequested", "check_run.requested_action"] as const;

/** What the re-run handlers need. */
export interface CheckRerunOptions {
  queue: JobQueue;
  /** The bundled agent's name: our check runs are named after it. */
  agentName: string;
}

interface RerunTarget {
  repository: { name: string; full_name: string; owner: { login: string } };
  installationId: number;
  headSha: string;
  pullNumbers: number[];
  mode: ReviewMode;
  trigger: string;
  sender: string;
  deliveryId: string;
}

/**
 * Enqueues a review of `headSha` for each PR. The queue drops it when that head
 * and mode are already being reviewed, so a re-run during a review starts nothing.
 */
async function enqueueReruns(queue: JobQueue, target: RerunTarget, log: Logger): Promise<void> {
  const fields = { repo: target.repository.full_name, sha: target.headSha, job: target.deliveryId };
  if (target.pullNumbers.length === 0) {
    log.info(fields, "re-run ignored: no pull request for this commit");
    return;
  }
  for (const pullNumber of new Set(target.pullNumbers)) {
    const job: ReviewJob = {
      kind: "review",
      // One delivery may name several PRs; each review is its own job.
      id: target.pullNumbers.length > 1 ? `${target.deliveryId}:${pullNumber}` : target.deliveryId,
      installationId: target.installationId,
      owner: target.repository.owner.login,
      repo: target.repository.name,
      pullNumber,
      headSha: target.headSha,
      trigger: target.trigger,
      mode: target.mode,
      requestedBy: target.sender,
    };
    const result = await queue.enqueue(job);
    log.info({ ...fields, pr: pullNumber, mode: target.mode, ...result }, result.queued ? "re-run queued" : "re-run not queued");
  }
}

/**
 * `check_run.rerequested` (the Re-run button) and `check_run.requested_action`
 * ("Re-run review"): reviews the run's head again, in the run's mode. Runs not
 * named after our agent are not ours. The PR comes from `pull_requests`, or from
 * our `external_id` when GitHub leaves the list empty (PRs from forks).
 */
export function onCheckRunRerun(options: CheckRerunOptions) {
  return async (event: WebhookEvent<(typeof RERUN_ACTIONS)[number]>): Promise<void> => {
    const { check_run: run, repository, installation, sender } = event.payload;
    const mode = modeOfCheckRun(run.name, options.agentName);
    if (!installation || !mode) return;
    if (event.payload.action === "requested_action" && event.payload.requested_action?.identifier !== RERUN_ACTION_ID) return;
    const listed = run.pull_requests.map((p) => p.number);
    const fromId = pullNumberOfExternalId(run.external_id);
    await enqueueReruns(options.queue, {
      repository, installationId: installation.id, headSha: run.head_sha, mode, sender: sender.login, deliveryId: event.id,
      pullNumbers: listed.length ? listed : fromId !== undefined ? [fromId] : [],
      trigger: `check_run.${event.payload.action}`,
    }, event.log);
  };
}

/**
 * `check_suite.rerequested` ("Re-run all checks"): GitHub sends it only to the app
 * that owns the suite, so it is ours; the full review runs again for its head.
 */
export function onCheckSuiteRerun(options: CheckRerunOptions) {
  return async (event: WebhookEvent<"check_suite.rerequested">): Promise<void> => {
    const { check_suite: suite, repository, installation, sender } = event.payload;
    if (!installation) return;
    await enqueueReruns(options.queue, {
      repository, installationId: installation.id, headSha: suite.head_sha, mode: "review", sender: sender.login, deliveryId: event.id,
      pullNumbers: suite.pull_requests.map((p) => p.number), trigger: "check_suite.rerequested",
    }, event.log);
  };
}
