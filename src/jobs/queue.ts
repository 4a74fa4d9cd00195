import type { Job } from "../workers/job.js";

// The payloads are the app's (what webhook handlers produce and the job handler runs); the queue only stores and keys them.
export type { CommandJob, CommandSource, Job, ReviewJob } from "../workers/job.js";

/**
 * What `enqueue` did: took the job (and dropped `superseded` older waiting reviews
 * of the same PR and mode), or why it did not.
 */
export type EnqueueResult = { queued: true; superseded?: number } | { queued: false; reason: "duplicate-delivery" | "already-queued" | "closed" };

/** Counts a queue reports for /readyz, /metrics and logs. */
export interface QueueStats {
  waiting: number;
  running: number;
}

/**
 * The queue between webhook handlers and workers. Handlers only enqueue;
 * workers run jobs with a concurrency limit. Implementations: in-memory now, a
 * durable one and BullMQ later, behind this interface.
 */
export interface JobQueue {
  enqueue(job: Job): Promise<EnqueueResult>;
  /** Starts running jobs with `handler`; a handler must not throw for a job to be done. */
  start(handler: (job: Job) => Promise<void>): void;
  /**
   * Stops taking jobs and waits for running ones, at most `graceMs` when given: a
   * durable queue leaves what is still running for the next start to run again.
   */
  close(graceMs?: number): Promise<void>;
  /** Jobs waiting and running in this process's view, for /readyz and logs. */
  stats(): QueueStats;
  /** Waiting and running across every process sharing the queue (BullMQ); `stats()` when absent. */
  counts?(): Promise<QueueStats>;
  /** Whether the backing store answers (the /readyz probe); in-process queues always do. */
  ping?(): Promise<boolean>;
}

/** The job handler a queue runs; it must not throw for the job to count as done. */
export type JobHandler = (job: Job) => Promise<void>;

/**
 * Reviews of the same PR head and mode are the same work: a second one while the
 * first waits or runs is dropped. Every command is its own work.
 */
export const jobKey = (job: Job): string =>
  job.kind === "review"
    ? `${job.owner}/${job.repo}#${job.pullNumber}@${job.headSha}:${job.mode}`
    : `${job.owner}/${job.repo}#${job.pullNumber}:command:${job.id}`;

/**
 * Jobs with the same lane run one at a time (reviews of one PR: two reviews of
 * one PR at once would race on its labels and check). Commands have no lane.
 */
export const laneKey = (job: Job): string | undefined => (job.kind === "review" ? `${job.owner}/${job.repo}#${job.pullNumber}` : undefined);

/** A waiting review with the same key and an older head is superseded by a newer one. */
export const supersedeKey = (job: Job): string | undefined => (job.kind === "review" ? `${job.owner}/${job.repo}#${job.pullNumber}:${job.mode}` : undefined);

/**
 * The queue could not take a job in time (Redis down or stalled). Its `status` is what
 * the webhook answers: GitHub then shows a failed delivery that can be redelivered,
 * rather than a success for a job that was never stored.
 */
export class QueueUnavailableError extends Error {
  readonly status = 503;
  constructor(message: string) {
    super(message);
    this.name = "QueueUnavailableError";
  }
}
