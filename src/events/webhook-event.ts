import type { EmitterWebhookEvent, EmitterWebhookEventName } from "@octokit/webhooks";
import type { Logger } from "pino";

/**
 * What a handler gets for one verified delivery: its id (`X-GitHub-Delivery`), the
 * payload, and a logger bound to the delivery. No Octokit: handlers only enqueue.
 */
export interface WebhookEvent<E extends EmitterWebhookEventName> {
  id: string;
  payload: EmitterWebhookEvent<E>["payload"];
  log: Logger;
}
