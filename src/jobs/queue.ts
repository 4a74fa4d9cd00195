import type { ReviewMode } from "../engine/prompt.js";

/** Everything a worker needs to run a review; plain data, so a durable queue can store it. */
export interface ReviewJob {
  /** Unique per job; the webhook's delivery id when there is one. */
  id: string;
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  headSha: string;
  /** What asked for it, e.g. `pull_request.synchronize`. */
  trigger: string;
  mode: ReviewMode;
}

/** Why `enqueue` did not take a job. */
export type EnqueueResult = { queued: true } | { queued: false; reason: "duplicate-delivery" | "already-queued" | "closed" };

/**
 * The queue between webhook handlers and review workers. Handlers only enqueue;
 * workers run jobs with a concurrency limit. Implementations: in-memory now, a
 * durable one and BullMQ later, behind this interface.
 */
export interface JobQueue {
  enqueue(job: ReviewJob): Promise<EnqueueResult>;
  /** Starts running jobs with `handler`; a handler must not throw for a job to be done. */
  start(handler: (job: ReviewJob) => Promise<void>): void;
  /** Stops taking jobs and waits for running ones. */
  close(): Promise<void>;
  /** Jobs waiting and running, for /readyz and logs. */
  stats(): { waiting: number; running: number };
}

/** Jobs for the same PR head and mode are the same work. */
export const jobKey = (job: ReviewJob) => `${job.owner}/${job.repo}#${job.pullNumber}@${job.headSha}:${job.mode}`;
