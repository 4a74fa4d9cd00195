import { Queue, Worker } from "bullmq";
import { Redis } from "ioredis";
import { BullInbox } from "./bullmq-inbox.js";
import { processBullJob } from "./bullmq-process.js";
import { INBOX_SWEEP_AFTER_MS, withInboxScripts, type InboxRedis } from "./inbox-scripts.js";
import { RedisCheckRuns } from "./redis-check-runs.js";
import { RedisLeases } from "./redis-lease.js";
import { withTimeout } from "./with-timeout.js";
import type { EnqueueResult, Job, JobHandler, JobQueue, QueueStats } from "./queue.js";

/**
 * How long a webhook waits for Redis to take its job. Below the webhook middleware's
 * 9 s, after which it would answer "202 still processing" — a success to GitHub for a
 * job never stored — and GitHub's own 10 s.
 */
const ENQUEUE_TIMEOUT_MS = 5_000;
/** How long /readyz waits for Redis's PONG, and /metrics for the job counts. */
const READ_TIMEOUT_MS = 2_000;

/** Settings of {@link BullQueue}. */
export interface BullQueueOptions {
  url: string;
  prefix: string;
  /** Jobs this process runs at once. */
  concurrency: number;
  /** Jobs of one installation running at once across all workers. */
  perInstallation: number;
  /** Job lock; a dead worker's job is taken over after about this long. */
  lockMs: number;
  attempts: number;
  /**
   * How long a claimed inbox entry may wait for its add before another sweep takes it
   * over (the add itself follows the claim within milliseconds). Default 10 s.
   */
  sweepAfterMs?: number;
  onSuperseded?(job: Job): void;
  onRecovered?(job: Job): void;
  /** A job failed; without one, the queue itself erred (Redis; the jobs stay queued or in the inbox). */
  onError?(job: Job | undefined, error: unknown): void;
  /** Takes the errors of each Redis connection the queue opens (by default they are dropped: `onError` sees their effect). */
  watchConnection?(client: Redis, name: string): void;
}

/**
 * The queue on Redis (BullMQ): any number of processes enqueue, any number work,
 * a job runs once (BullMQ's lock; a killed worker's job is taken over when its lock
 * lapses). Our semantics on top: delivery dedupe by job id, work dedupe by a marker
 * held while the job lives, supersede by a "latest head" marker checked when a job
 * starts, and leases for per-PR serialisation and per-installation concurrency.
 * Its parts: the inbox (accept and sweeps, bullmq-inbox.ts), running a job
 * (bullmq-process.ts), and this composition of them with BullMQ's queue and worker.
 */
export class BullQueue implements JobQueue {
  readonly checkRuns: RedisCheckRuns;
  readonly #redis: InboxRedis;
  readonly #queue: Queue<Job>;
  readonly #leases: RedisLeases;
  readonly #options: BullQueueOptions;
  readonly #inbox: BullInbox;
  #worker: Worker<Job> | undefined;
  #workerRedis: Redis | undefined;
  /** The handlers running in this process. */
  readonly #running = new Set<Promise<void>>();
  #closed = false;

  constructor(options: BullQueueOptions) {
    this.#options = options;
    // BullMQ requires maxRetriesPerRequest: null on worker connections (blocking commands).
    const redis = new Redis(options.url, { maxRetriesPerRequest: null });
    options.watchConnection?.(redis, "queue");
    this.#redis = withInboxScripts(redis);
    this.#queue = new Queue<Job>("jobs", { connection: this.#redis, prefix: options.prefix });
    this.#leases = new RedisLeases(this.#redis, options.lockMs);
    this.checkRuns = new RedisCheckRuns(this.#redis, options.prefix);
    this.#inbox = new BullInbox({
      redis: this.#redis, queue: this.#queue, key: (kind, name) => this.#key(kind, name),
      jobOptions: { attempts: options.attempts, backoff: { type: "exponential", delay: 5_000 }, removeOnComplete: true, removeOnFail: true },
      sweepAfterMs: options.sweepAfterMs ?? INBOX_SWEEP_AFTER_MS,
      onRecovered: options.onRecovered, onError: options.onError,
    });
  }

  /** `client`, its errors given to `watchConnection` (or dropped). */
  #watched(client: Redis, name: string): Redis {
    if (this.#options.watchConnection) this.#options.watchConnection(client, name);
    else client.on("error", () => undefined);
    return client;
  }

  #key(kind: string, name: string) {
    return `${this.#options.prefix}:${kind}:${name}`;
  }

  async enqueue(job: Job): Promise<EnqueueResult> {
    if (this.#closed) return { queued: false, reason: "closed" };
    return withTimeout(this.#inbox.accept(job), ENQUEUE_TIMEOUT_MS, `Redis did not take the job within ${ENQUEUE_TIMEOUT_MS / 1000} s`);
  }

  start(handler: JobHandler): void {
    const deps = {
      redis: this.#redis, leases: this.#leases, checkRuns: this.checkRuns, key: (kind: string, name: string) => this.#key(kind, name),
      deliveryKey: (id: string) => this.#inbox.deliveryKey(id), perInstallation: this.#options.perInstallation, running: this.#running,
      onSuperseded: this.#options.onSuperseded, onRecovered: this.#options.onRecovered,
    };
    this.#worker = new Worker<Job>("jobs", (bullJob, token) => processBullJob(deps, bullJob, token, handler), {
      connection: (this.#workerRedis = this.#watched(this.#redis.duplicate({ maxRetriesPerRequest: null }), "queue worker")),
      prefix: this.#options.prefix,
      concurrency: this.#options.concurrency,
      lockDuration: this.#options.lockMs,
      stalledInterval: Math.max(1_000, Math.floor(this.#options.lockMs / 2)),
      maxStalledCount: 2,
    });
    this.#worker.on("failed", (bullJob, error) => this.#options.onError?.(bullJob?.data, error));
    this.#worker.on("error", (error) => this.#options.onError?.(undefined, error));
    // Workers move the inbox into BullMQ: at once when a process accepts jobs, and on a timer.
    // Its outages show on the main connection's commands too; meanwhile the timer sweeps.
    this.#inbox.startSweeping(this.#watched(this.#redis.duplicate(), "queue subscriber"));
  }

  async close(graceMs?: number): Promise<void> {
    this.#closed = true;
    // Enqueued before the close: accepted and answered before the connection goes.
    await this.#inbox.close();
    const worker = this.#worker;
    if (worker) {
      // Take no new jobs, then give the running ones the grace period. (Not `worker.close()`
      // first: a later `close(true)` would only return that first close, which waits for them all.)
      await worker.pause(true);
      const finished = Promise.allSettled(this.#running).then(() => true);
      const inTime = graceMs === undefined ? await finished : await Promise.race([finished, new Promise<false>((resolve) => setTimeout(() => resolve(false), graceMs).unref())]);
      // Past the grace period the job's lock lapses and another worker (or the next start) runs it.
      await worker.close(!inTime);
    }
    await this.#queue.close();
    this.#workerRedis?.disconnect();
    this.#redis.disconnect();
  }

  stats(): QueueStats {
    return { waiting: 0, running: this.#running.size };
  }

  /** Waiting (in the inbox too) and running across every worker; rejects when Redis does not answer in time. */
  async counts(): Promise<QueueStats> {
    const read = Promise.all([this.#queue.getJobCounts("waiting", "delayed", "prioritized", "active"), this.#redis.hlen(this.#inbox.keys.jobs)]);
    const [c, inbox] = await withTimeout(read, READ_TIMEOUT_MS, `Redis did not answer with the job counts within ${READ_TIMEOUT_MS / 1000} s`);
    return { waiting: inbox + (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0), running: c.active ?? 0 };
  }

  async ping(): Promise<boolean> {
    return (await withTimeout(this.#redis.ping(), READ_TIMEOUT_MS, "no PONG").catch(() => "")) === "PONG";
  }
}
