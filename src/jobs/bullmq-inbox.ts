import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { EnqueueBatcher } from "./enqueue-batcher.js";
import { INBOX_SWEEP_BATCH, KEEP_DELIVERY_MS, MARKER_TTL_MS, type InboxRedis } from "./inbox-scripts.js";
import { jobKey, supersedeKey, type EnqueueResult, type Job } from "./queue.js";

/** BullMQ ids may not contain ':'; ours (`<delivery>:<pr>`) may. */
export const bullId = (id: string) => id.replaceAll(":", "~");

/** Where the inbox lives and what it tells. */
export interface InboxOptions {
  redis: InboxRedis;
  queue: Queue<Job>;
  /** `<prefix>:<kind>:<name>` */
  key(kind: string, name: string): string;
  jobOptions: object;
  sweepAfterMs: number;
  onRecovered?(job: Job): void;
  onError?(job: Job | undefined, error: unknown): void;
}

/**
 * The accepting half of the BullMQ queue and its sweeps. A webhook waits for one small
 * script that checks its batch (delivery and work dedupe, the "latest head" marker) and
 * stores the taken jobs in an inbox; a message wakes the workers. The BullMQ add (the
 * costlier write) follows the answer, made by a sweep in a worker process: it claims
 * what is due, in batches, and adds it. A worker that stops between its claim and its
 * add leaves the entries due again for the others.
 */
export class BullInbox {
  readonly #o: InboxOptions;
  readonly keys: { jobs: string; since: string; handoff: string };
  readonly #batcher: EnqueueBatcher<Job, EnqueueResult>;
  #sweeper: NodeJS.Timeout | undefined;
  #subscriber: Redis | undefined;
  #sweeping = false;
  #sweepAgain = false;
  #closed = false;

  constructor(options: InboxOptions) {
    this.#o = options;
    this.keys = { jobs: options.key("inbox", "jobs"), since: options.key("inbox", "since"), handoff: options.key("inbox", "handoff") };
    this.#batcher = new EnqueueBatcher((jobs) => this.#accept(jobs));
  }

  /** The delivery marker of a job id: its accept time, then `ended:<time>` once it ran. */
  deliveryKey(id: string): string {
    return this.#o.key("delivery", id);
  }

  /** Takes the job into the inbox with the others of this turn of the event loop. */
  accept(job: Job): Promise<EnqueueResult> {
    return this.#batcher.add(job);
  }

  /** Runs the accept script for a batch; 0 taken, 1 a delivery seen before, 2 the same work waiting or running. */
  async #accept(jobs: Job[]): Promise<EnqueueResult[]> {
    const ids = jobs.map((job) => bullId(job.id));
    const keys = jobs.flatMap((job, i) => [this.#o.queue.toKey(ids[i]!), this.#o.key("work", jobKey(job)), this.#o.key("latest", supersedeKey(job) ?? "none"), this.deliveryKey(ids[i]!)]);
    const args = jobs.flatMap((job, i) => [ids[i]!, supersedeKey(job) ? "1" : "0", JSON.stringify(job)]);
    const marks = await this.#o.redis.acceptJobs(keys.length + 2, this.keys.jobs, this.keys.since, ...keys, MARKER_TTL_MS, this.keys.handoff, KEEP_DELIVERY_MS, Date.now(), ...args);
    return marks.map((mark) => (mark === 0 ? { queued: true } : { queued: false, reason: mark === 1 ? "duplicate-delivery" : "already-queued" }));
  }

  /** Sweeps when a process accepts jobs (the handoff message on `subscriber`) and on a timer. */
  startSweeping(subscriber: Redis): void {
    this.#subscriber = subscriber;
    subscriber.on("message", () => this.#sweepSoon());
    void subscriber.subscribe(this.keys.handoff).then(() => this.#sweepSoon(), () => undefined);
    this.#sweeper = setInterval(() => this.#sweepSoon(), this.#o.sweepAfterMs / 2).unref();
  }

  /** Stops sweeping and answers the enqueues accepted before. */
  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    await this.#batcher.drain();
    this.#subscriber?.disconnect();
  }

  /**
   * Sweeps now, or once more after the running sweep: one at a time, since while Redis
   * is away a sweep waits and the next ones would pile up. A close does not wait for
   * one: what it did not add stays in the inbox for the next.
   */
  #sweepSoon(): void {
    if (this.#closed) return;
    if (this.#sweeping) return void (this.#sweepAgain = true);
    this.#sweeping = true;
    void this.#sweep().finally(() => {
      this.#sweeping = false;
      if (this.#sweepAgain) {
        this.#sweepAgain = false;
        this.#sweepSoon();
      }
    });
  }

  /** Adds the inbox entries that are due: those just accepted, and those a worker claimed but stopped before adding (recovered). */
  async #sweep(): Promise<void> {
    try {
      const now = Date.now();
      const claimed = await this.#o.redis.claimDueJobs(this.keys.jobs, this.keys.since, now - this.#o.sweepAfterMs, now, INBOX_SWEEP_BATCH);
      const ids: string[] = [];
      const entries: Array<{ id: string; job: Job; fresh: boolean }> = [];
      for (let i = 0; i < claimed.length; i += 3) {
        const [id, score, data] = [claimed[i]!, claimed[i + 1], claimed[i + 2]];
        ids.push(id);
        if (data) entries.push({ id, job: JSON.parse(data) as Job, fresh: score === "0" });
      }
      await this.#add(entries, ids);
      for (const { job, fresh } of entries) if (!fresh) this.#o.onRecovered?.(job);
      // A full batch: more may be due.
      if (ids.length === INBOX_SWEEP_BATCH) this.#sweepAgain = true;
    } catch (error) {
      if (!this.#closed) this.#o.onError?.(undefined, error);
    }
  }

  /**
   * Adds inbox entries to BullMQ and takes them out of the inbox. Adding one twice is
   * harmless: BullMQ keeps the first job of an id while it lives, and one that already
   * ran is skipped by its delivery marker (ended jobs are removed from BullMQ).
   */
  async #add(entries: Array<{ id: string; job: Job }>, ids: string[]): Promise<void> {
    if (entries.length > 0) await this.#o.queue.addBulk(entries.map(({ id, job }) => ({ name: job.kind, data: job, opts: { ...this.#o.jobOptions, jobId: id } })));
    if (ids.length > 0) await this.#o.redis.takeOutJobs(this.keys.jobs, this.keys.since, ...ids);
  }
}
