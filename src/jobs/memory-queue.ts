import PQueue from "p-queue";
import { jobKey, type EnqueueResult, type Job, type JobQueue } from "./queue.js";

/** How many delivery ids are remembered to drop redeliveries. */
const REMEMBERED_DELIVERIES = 10_000;

/**
 * In-process queue: jobs run on this process with a concurrency limit and are lost
 * on a crash (the durable queue replaces it). It drops a redelivered webhook and a
 * job identical to one already waiting or running.
 */
export class MemoryQueue implements JobQueue {
  readonly #queue: PQueue;
  readonly #active = new Set<string>();
  readonly #deliveries = new Set<string>();
  readonly #pending: Job[] = [];
  #handler: ((job: Job) => Promise<void>) | undefined;
  #closed = false;

  readonly #onError: (job: Job, error: unknown) => void;

  /** `onError` is called when a handler throws, which it should not: the job is then dropped. */
  constructor(concurrency: number, onError: (job: Job, error: unknown) => void) {
    this.#queue = new PQueue({ concurrency });
    this.#onError = onError;
  }

  async enqueue(job: Job): Promise<EnqueueResult> {
    if (this.#closed) return { queued: false, reason: "closed" };
    if (this.#deliveries.has(job.id)) return { queued: false, reason: "duplicate-delivery" };
    if (this.#active.has(jobKey(job))) return { queued: false, reason: "already-queued" };
    this.#remember(job.id);
    this.#active.add(jobKey(job));
    if (this.#handler) this.#run(job, this.#handler);
    else this.#pending.push(job);
    return { queued: true };
  }

  start(handler: (job: Job) => Promise<void>): void {
    this.#handler = handler;
    for (const job of this.#pending.splice(0)) this.#run(job, handler);
  }

  async close(): Promise<void> {
    this.#closed = true;
    await this.#queue.onIdle();
  }

  stats() {
    return { waiting: this.#queue.size + this.#pending.length, running: this.#queue.pending };
  }

  #run(job: Job, handler: (job: Job) => Promise<void>) {
    void this.#queue.add(async () => {
      try {
        await handler(job);
      } catch (error) {
        this.#onError(job, error);
      } finally {
        this.#active.delete(jobKey(job));
      }
    });
  }

  #remember(id: string) {
    this.#deliveries.add(id);
    if (this.#deliveries.size > REMEMBERED_DELIVERIES) {
      const oldest = this.#deliveries.values().next().value;
      if (oldest !== undefined) this.#deliveries.delete(oldest);
    }
  }
}
