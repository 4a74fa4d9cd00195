import { Webhooks, type EmitterWebhookEventName } from "@octokit/webhooks";
import type { Logger } from "pino";
import { onCheckRunRerun, onCheckSuiteRerun, RERUN_ACTIONS } from "./check-rerun.js";
import { onPullRequest, REVIEW_ACTIONS } from "./pull-request.js";
import { onIssueComment, onReviewComment } from "./slash-command.js";
import { QueueUnavailableError, type JobQueue } from "../jobs/queue.js";

/** What the handlers share: the queue, and the bundled agent's name (the command and the check). */
export interface WebhookRouterDeps {
  queue: JobQueue;
  agentName: string;
  /** Bot logins whose slash commands are not ignored. */
  allowedBots?: readonly string[] | undefined;
  /** The GitHub App's webhook secret: deliveries without its signature are refused. */
  secret: string;
  log: Logger;
}

/**
 * The webhook router: verifies each delivery and routes it to the event
 * handlers, which only enqueue. Built on `@octokit/webhooks`, the library under
 * Probot's own middleware, but without Probot's per-delivery authenticated Octokit:
 * no handler uses one, and building it was most of the acknowledgement's cost
 * (bench/ack-backends.ts). Reviews get their Octokit from Probot in the worker.
 */
export function createWebhookRouter(deps: WebhookRouterDeps): Webhooks {
  const webhooks = new Webhooks({ secret: deps.secret });
  // Each handler is typed by its own events; `never` lets one helper register them all
  // (a generic one makes TypeScript give up on the payload union, TS2590).
  const on = (names: readonly EmitterWebhookEventName[], handler: (event: { id: string; payload: never; log: Logger }) => Promise<void>) =>
    webhooks.on([...names], ({ id, payload }) => handler({ id, payload: payload as never, log: deps.log.child({ name: "event", id }) }));
  on(REVIEW_ACTIONS, onPullRequest(deps.queue));
  on(["issue_comment.created"], onIssueComment(deps));
  on(["pull_request_review_comment.created"], onReviewComment(deps));
  on(RERUN_ACTIONS, onCheckRunRerun(deps));
  on(["check_suite.rerequested"], onCheckSuiteRerun(deps));
  // The errors carry the delivery (`event`, payload included): log what failed, never the payload.
  webhooks.onError((error) => {
    const failures = [...(error.errors as unknown[])];
    // A queue that is away (Redis down) is an outage already logged on its own, not a bug: one warn line, no stack.
    if (failures.length > 0 && failures.every((e) => e instanceof QueueUnavailableError)) {
      const reason = (failures[0] as Error).message;
      return void deps.log.warn({ event: error.event?.name, job: error.event?.id, reason }, "webhook not queued (answered 503; GitHub shows it failed, redeliver it once the queue is back)");
    }
    const errors = failures.map((e) => (e instanceof Error ? { type: e.name, message: e.message, stack: e.stack } : { message: String(e) }));
    deps.log.error({ errors, event: error.event?.name, job: error.event?.id }, "webhook handler failed");
  });
  return webhooks;
}
