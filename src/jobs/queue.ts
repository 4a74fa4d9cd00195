import type { SlashCommand } from "../commands/parse-command.js";
import type { ReviewMode } from "../engine/prompt.js";

/** Fields every job carries: where it runs and what asked for it. */
interface JobBase {
  /** Unique per job; the webhook's delivery id when there is one. */
  id: string;
  installationId: number;
  owner: string;
  repo: string;
  pullNumber: number;
  /** What asked for it, e.g. `pull_request.synchronize` or `issue_comment.created`. */
  trigger: string;
}

/** A review of one PR head; plain data, so a durable queue can store it. */
export interface ReviewJob extends JobBase {
  kind: "review";
  headSha: string;
  mode: ReviewMode;
  /** Login of whoever asked for it (slash command, re-run button), for logs. */
  requestedBy?: string | undefined;
}

/** The comment a slash command was written in: where to react and where to answer. */
export type CommandSource =
  | { type: "issue-comment"; commentId: number; author: string }
  | {
      type: "review-comment";
      commentId: number;
      author: string;
      /** The thread's file and GitHub's `diff_hunk` (the hunk up to the commented line). */
      path: string;
      diffHunk: string;
    };

/**
 * A slash command to carry out. The handler only parsed it: who may run it, the
 * rate limit and the PR's head are decided by the worker, which may talk to GitHub.
 */
export interface CommandJob extends JobBase {
  kind: "command";
  command: SlashCommand;
  source: CommandSource;
}

/** Everything a worker runs. */
export type Job = ReviewJob | CommandJob;

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
