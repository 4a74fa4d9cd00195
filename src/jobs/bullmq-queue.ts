import { DelayedError, Queue, Worker, type Job as BullJob } from "bullmq";
import { Redis } from "ioredis";
import { INBOX_SWEEP_AFTER_MS, INBOX_SWEEP_BATCH, KEEP_DELIVERY_MS, MARKER_TTL_MS, withInboxScripts, type InboxRedis } from "./inbox-scripts.js";
import { RedisCheckRuns } from "./redis-check-runs.js";
import { RedisLeases, type Lease } from "./redis-lease.js";
import { withTimeout } from "./with-timeout.js";
import { jobKey, laneKey, supersedeKey, type EnqueueResult, type Job, type JobHandler, type JobQueue, type QueueStats } from "./queue.js";

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

/** BullMQ ids may not contain ':'; ours (`<delivery>:<pr>`) may. */
const bullId = (id: string) => id.replaceAll(":", "~");

/**
 * The queue on Redis (BullMQ): any number of processes enqueue, any number work,
 * a job runs once (BullMQ's lock; a killed worker's job is taken over when its lock
 * lapses). Our semantics on top: delivery dedupe by job id, work dedupe by a marker
 * held while the job lives, supersede by a "latest head" marker checked when a job
 * starts, and leases for per-PR serialisation and per-installation concurrency
 * (a job that cannot take them goes back to `delayed` without spending an attempt).
 *
 * A webhook waits for one small script that checks the batch and stores the taken
 * jobs in an inbox, and a message wakes the workers. The BullMQ add (the costlier write)
 * follows the answer, made by a worker: it claims what is due, in batches, and adds it.
 * A web process writes no more than the accept; a worker that stops between its claim
 * and its add leaves the entries due again for the others.
 */
export class BullQueue implements JobQueue {
  readonly checkRuns: RedisCheckRuns;
  readonly #redis: InboxRedis;
  readonly #queue: Queue<Job>;
  readonly #leases: RedisLeases;
  readonly #options: BullQueueOptions;
  readonly #inbox: { jobs: string; since: string; handoff: string };
  readonly #sweepAfterMs: number;
  #sweeper: NodeJS.Timeout | undefined;
  #sweeping = false;
  #sweepAgain = false;
  #worker: Worker<Job> | undefined;
  #workerRedis: Redis | undefined;
  #subscriber: Redis | undefined;
  /** The handlers running in this process. */
  readonly #running = new Set<Promise<void>>();
  #closed = false;
  /** Batches being accepted, which a close waits for. */
  readonly #writing = new Set<Promise<void>>();
  readonly #pending: Array<{ job: Job; resolve(result: EnqueueResult): void; reject(error: unknown): void }> = [];
  readonly #jobOptions: { attempts: number; backoff: { type: "exponential"; delay: number }; removeOnComplete: boolean; removeOnFail: boolean };

  constructor(options: BullQueueOptions) {
    this.#options = options;
    // BullMQ requires maxRetriesPerRequest: null on worker connections (blocking commands).
    const redis = new Redis(options.url, { maxRetriesPerRequest: null });
    options.watchConnection?.(redis, "queue");
    this.#redis = withInboxScripts(redis);
    this.#queue = new Queue<Job>("jobs", { connection: this.#redis, prefix: options.prefix });
    this.#leases = new RedisLeases(this.#redis, options.lockMs);
    this.checkRuns = new RedisCheckRuns(this.#redis, options.prefix);
    this.#inbox = { jobs: this.#key("inbox", "jobs"), since: this.#key("inbox", "since"), handoff: this.#key("inbox", "handoff") };
    this.#jobOptions = { attempts: options.attempts, backoff: { type: "exponential", delay: 5_000 }, removeOnComplete: true, removeOnFail: true };
    this.#sweepAfterMs = options.sweepAfterMs ?? INBOX_SWEEP_AFTER_MS;
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

  /** Keeps a write in view until it ends, so that a close waits for it. */
  #track(write: Promise<void>): void {
    this.#writing.add(write);
    void write.finally(() => this.#writing.delete(write));
  }

  async enqueue(job: Job): Promise<EnqueueResult> {
    if (this.#closed) return { queued: false, reason: "closed" };
    const accepted = new Promise<EnqueueResult>((resolve, reject) => {
      // Batched: the enqueues of one turn of the event loop share one accept script,
      // one round trip for a burst of webhooks rather than one each.
      if (this.#pending.push({ job, resolve, reject }) === 1) setImmediate(() => this.#track(this.#flush()));
    });
    return withTimeout(accepted, ENQUEUE_TIMEOUT_MS, `Redis did not take the job within ${ENQUEUE_TIMEOUT_MS / 1000} s`);
  }

  /** Accepts the pending jobs (handed to the workers) and answers each. */
  async #flush(): Promise<void> {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return;
    const ids = batch.map(({ job }) => bullId(job.id));
    let marks: number[];
    try {
      const keys = batch.flatMap(({ job }, i) => [this.#queue.toKey(ids[i]!), this.#key("work", jobKey(job)), this.#key("latest", supersedeKey(job) ?? "none"), this.#deliveryKey(ids[i]!)]);
      const args = batch.flatMap(({ job }, i) => [ids[i]!, supersedeKey(job) ? "1" : "0", JSON.stringify(job)]);
      marks = await this.#redis.acceptJobs(keys.length + 2, this.#inbox.jobs, this.#inbox.since, ...keys, MARKER_TTL_MS, this.#inbox.handoff, KEEP_DELIVERY_MS, Date.now(), ...args);
    } catch (error) {
      for (const { reject } of batch) reject(error);
      return;
    }
    batch.forEach(({ resolve }, i) => resolve(marks[i] === 0 ? { queued: true } : { queued: false, reason: marks[i] === 1 ? "duplicate-delivery" : "already-queued" }));
  }

  /** The delivery marker of a job id: its accept time, then `ended:<time>` once it ran. */
  #deliveryKey(id: string): string {
    return this.#key("delivery", id);
  }

  /**
   * Adds inbox entries to BullMQ and takes them out of the inbox. Adding one twice is
   * harmless: BullMQ keeps the first job of an id while it lives, and one that already
   * ran is skipped by its delivery marker (ended jobs are removed from BullMQ).
   */
  async #add(entries: Array<{ id: string; job: Job }>, ids: string[]): Promise<void> {
    if (entries.length > 0) await this.#queue.addBulk(entries.map(({ id, job }) => ({ name: job.kind, data: job, opts: { ...this.#jobOptions, jobId: id } })));
    if (ids.length > 0) await this.#redis.takeOutJobs(this.#inbox.jobs, this.#inbox.since, ...ids);
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

  /**
   * Adds the inbox entries that are due: those just accepted, and those a worker claimed
   * but stopped before adding (recovered).
   */
  async #sweep(): Promise<void> {
    try {
      const now = Date.now();
      const claimed = await this.#redis.claimDueJobs(this.#inbox.jobs, this.#inbox.since, now - this.#sweepAfterMs, now, INBOX_SWEEP_BATCH);
      const ids: string[] = [];
      const entries: Array<{ id: string; job: Job; fresh: boolean }> = [];
      for (let i = 0; i < claimed.length; i += 3) {
        const [id, score, data] = [claimed[i]!, claimed[i + 1], claimed[i + 2]];
        ids.push(id);
        if (data) entries.push({ id, job: JSON.parse(data) as Job, fresh: score === "0" });
      }
      await this.#add(entries, ids);
      for (const { job, fresh } of entries) if (!fresh) this.#options.onRecovered?.(job);
      // A full batch: more may be due.
      if (ids.length === INBOX_SWEEP_BATCH) this.#sweepAgain = true;
    } catch (error) {
      if (!this.#closed) this.#options.onError?.(undefined, error);
    }
  }

  start(handler: JobHandler): void {
    this.#worker = new Worker<Job>("jobs", (bullJob, token) => this.#process(bullJob, token, handler), {
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
    this.#subscriber = this.#watched(this.#redis.duplicate(), "queue subscriber");
    this.#subscriber.on("message", () => this.#sweepSoon());
    void this.#subscriber.subscribe(this.#inbox.handoff).then(() => this.#sweepSoon(), () => undefined);
    this.#sweeper = setInterval(() => this.#sweepSoon(), this.#sweepAfterMs / 2).unref();
  }

  async #process(bullJob: BullJob<Job>, token: string | undefined, handler: JobHandler): Promise<void> {
    const job = bullJob.data;
    const id = bullJob.id ?? bullId(job.id);
    // Added again by a sweep after it ran (a worker stopped between its add and taking it out of the inbox).
    if ((await this.#redis.get(this.#deliveryKey(id)))?.startsWith("ended")) return;
    const sup = supersedeKey(job);
    if (sup && ![null, id].includes(await this.#redis.get(this.#key("latest", sup)))) {
      this.#options.onSuperseded?.(job);
      await this.#done(job, id);
      return;
    }
    const leases: Lease[] = [];
    const take = async (key: string, limit: number) => {
      const lease = await this.#leases.acquire(key, id, limit);
      if (lease) leases.push(lease);
      return lease !== undefined;
    };
    const lane = laneKey(job);
    if (!(await take(this.#key("installation", String(job.installationId)), this.#options.perInstallation)) || (lane && !(await take(this.#key("lane", lane), 1)))) {
      await Promise.all(leases.map((l) => l.release()));
      // Not a failure: try again shortly, jittered so that waiting workers do not move in step.
      await bullJob.moveToDelayed(Date.now() + 500 + Math.floor(Math.random() * 500), token);
      throw new DelayedError();
    }
    if (bullJob.attemptsStarted > 1) {
      await this.checkRuns.orphan(job.id);
      this.#options.onRecovered?.(job);
    }
    const running = handler(job);
    this.#running.add(running);
    try {
      await running;
      await this.#redis.set(this.#deliveryKey(id), `ended:${Date.now()}`, "PX", KEEP_DELIVERY_MS);
    } finally {
      this.#running.delete(running);
      await Promise.all(leases.map((l) => l.release()));
      await this.#done(job, id);
    }
  }

  /** Drops the job's work marker (if still its own), so the same head may be reviewed again. */
  async #done(job: Job, id: string): Promise<void> {
    const workKey = this.#key("work", jobKey(job));
    if ((await this.#redis.get(workKey)) === id) await this.#redis.del(workKey);
  }

  async close(graceMs?: number): Promise<void> {
    this.#closed = true;
    clearInterval(this.#sweeper);
    // Enqueued before the close: accepted and answered before the connection goes.
    this.#track(this.#flush());
    await Promise.all(this.#writing);
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
    this.#subscriber?.disconnect();
    this.#redis.disconnect();
  }

  stats(): QueueStats {
    return { waiting: 0, running: this.#running.size };
  }

  /** Waiting (in the inbox too) and running across every worker; rejects when Redis does not answer in time. */
  async counts(): Promise<QueueStats> {
    const read = Promise.all([this.#queue.getJobCounts("waiting", "delayed", "prioritized", "active"), this.#redis.hlen(this.#inbox.jobs)]);
    const [c, inbox] = await withTimeout(read, READ_TIMEOUT_MS, `Redis did not answer with the job counts within ${READ_TIMEOUT_MS / 1000} s`);
    return { waiting: inbox + (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0), running: c.active ?? 0 };
  }

  async ping(): Promise<boolean> {
    return (await withTimeout(this.#redis.ping(), READ_TIMEOUT_MS, "no PONG").catch(() => "")) === "PONG";
  }
}
