import { DelayedError, Queue, Worker, type Job as BullJob } from "bullmq";
import { Redis } from "ioredis";
import { RedisCheckRuns } from "./redis-check-runs.js";
import { RedisLeases, type Lease } from "./redis-lease.js";
import { jobKey, laneKey, supersedeKey, type EnqueueResult, type Job, type JobHandler, type JobQueue, type QueueStats } from "./queue.js";

/** Ended jobs (and so their delivery ids) are kept this long to recognise redeliveries. */
const KEEP_ENDED_S = 14 * 24 * 3600;
/** Dedupe and supersede markers outlive any job, then clean themselves up. */
const MARKER_TTL_MS = 24 * 3600_000;

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
  onSuperseded?(job: Job): void;
  onRecovered?(job: Job): void;
  onError?(job: Job | undefined, error: unknown): void;
}

/**
 * Enqueue's checks in one step. KEYS: the BullMQ job hash (exists → a redelivery: 1),
 * the work marker (held by this id → a redelivery still being added: 1; by another →
 * the same work is live: 2; else taken), and optionally the PR's latest-head marker
 * (set). ARGV: job id, marker TTL in ms.
 */
const MARK_SCRIPT = `
if redis.call("EXISTS", KEYS[1]) == 1 then return 1 end
if not redis.call("SET", KEYS[2], ARGV[1], "PX", ARGV[2], "NX") then
  if redis.call("GET", KEYS[2]) == ARGV[1] then return 1 end
  return 2
end
if #KEYS > 2 then redis.call("SET", KEYS[3], ARGV[1], "PX", ARGV[2]) end
return 0
`;

/** BullMQ ids may not contain ':'; ours (`<delivery>:<pr>`) may. */
const bullId = (id: string) => id.replaceAll(":", "~");

/**
 * The queue on Redis (BullMQ): any number of processes enqueue, any number work,
 * a job runs once (BullMQ's lock; a killed worker's job is taken over when its lock
 * lapses). Our semantics on top: delivery dedupe by job id, work dedupe by a marker
 * held while the job lives, supersede by a "latest head" marker checked when a job
 * starts, and leases for per-PR serialisation and per-installation concurrency
 * (a job that cannot take them goes back to `delayed` without spending an attempt).
 */
export class BullQueue implements JobQueue {
  readonly checkRuns: RedisCheckRuns;
  readonly #redis: Redis;
  readonly #queue: Queue<Job>;
  readonly #leases: RedisLeases;
  readonly #options: BullQueueOptions;
  #worker: Worker<Job> | undefined;
  #workerRedis: Redis | undefined;
  /** The handlers running in this process. */
  readonly #running = new Set<Promise<void>>();
  #closed = false;

  constructor(options: BullQueueOptions) {
    this.#options = options;
    // BullMQ requires maxRetriesPerRequest: null on worker connections (blocking commands).
    this.#redis = new Redis(options.url, { maxRetriesPerRequest: null });
    this.#queue = new Queue<Job>("jobs", { connection: this.#redis, prefix: options.prefix });
    this.#leases = new RedisLeases(this.#redis, options.lockMs);
    this.checkRuns = new RedisCheckRuns(this.#redis, options.prefix);
  }

  #key(kind: string, name: string) {
    return `${this.#options.prefix}:${kind}:${name}`;
  }

  async enqueue(job: Job): Promise<EnqueueResult> {
    if (this.#closed) return { queued: false, reason: "closed" };
    const id = bullId(job.id);
    const sup = supersedeKey(job);
    const keys = [this.#queue.toKey(id), this.#key("work", jobKey(job)), ...(sup ? [this.#key("latest", sup)] : [])];
    // One round trip for the three checks and markers, one for the add: the webhook waits on both.
    const marked = await this.#redis.eval(MARK_SCRIPT, keys.length, ...keys, id, MARKER_TTL_MS);
    if (marked === 1) return { queued: false, reason: "duplicate-delivery" };
    if (marked === 2) return { queued: false, reason: "already-queued" };
    await this.#queue.add(job.kind, job, {
      jobId: id,
      attempts: this.#options.attempts,
      backoff: { type: "exponential", delay: 5_000 },
      removeOnComplete: { age: KEEP_ENDED_S },
      removeOnFail: { age: KEEP_ENDED_S },
    });
    return { queued: true };
  }

  start(handler: JobHandler): void {
    this.#worker = new Worker<Job>("jobs", (bullJob, token) => this.#process(bullJob, token, handler), {
      connection: (this.#workerRedis = this.#redis.duplicate({ maxRetriesPerRequest: null })),
      prefix: this.#options.prefix,
      concurrency: this.#options.concurrency,
      lockDuration: this.#options.lockMs,
      stalledInterval: Math.max(1_000, Math.floor(this.#options.lockMs / 2)),
      maxStalledCount: 2,
    });
    this.#worker.on("failed", (bullJob, error) => this.#options.onError?.(bullJob?.data, error));
    this.#worker.on("error", (error) => this.#options.onError?.(undefined, error));
  }

  async #process(bullJob: BullJob<Job>, token: string | undefined, handler: JobHandler): Promise<void> {
    const job = bullJob.data;
    const id = bullJob.id ?? bullId(job.id);
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

  /** Waiting and running across every worker. */
  async counts(): Promise<QueueStats> {
    const c = await this.#queue.getJobCounts("waiting", "delayed", "prioritized", "active");
    return { waiting: (c.waiting ?? 0) + (c.delayed ?? 0) + (c.prioritized ?? 0), running: c.active ?? 0 };
  }

  async ping(): Promise<boolean> {
    return (await this.#redis.ping().catch(() => "")) === "PONG";
  }
}
