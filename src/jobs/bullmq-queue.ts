import { DelayedError, Queue, Worker, type Job as BullJob } from "bullmq";
import { Redis } from "ioredis";
import { RedisCheckRuns } from "./redis-check-runs.js";
import { RedisLeases, type Lease } from "./redis-lease.js";
import { jobKey, laneKey, QueueUnavailableError, supersedeKey, type EnqueueResult, type Job, type JobHandler, type JobQueue, type QueueStats } from "./queue.js";

/** Ended jobs (and so their delivery ids) are kept this long to recognise redeliveries. */
const KEEP_ENDED_S = 14 * 24 * 3600;
/**
 * How long a webhook waits for Redis to take its job. Below the webhook middleware's
 * 9 s, after which it would answer "202 still processing" — a success to GitHub for a
 * job never stored — and GitHub's own 10 s.
 */
const ENQUEUE_TIMEOUT_MS = 5_000;
/** How long /readyz waits for Redis's PONG. */
const PING_TIMEOUT_MS = 2_000;
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
 * Enqueue's checks for a batch of jobs in one step, three KEYS and two ARGV a job
 * (ARGV[1] is the marker TTL in ms). KEYS: the BullMQ job hash (exists → a
 * redelivery: 1), the work marker (held by this id → a redelivery in the same batch
 * or still being added: 1; by another → the same work is live: 2; else taken: 0),
 * and the PR's latest-head marker, set when taken and ARGV "1". ARGV: job id, "1"/"0".
 */
const MARK_SCRIPT = `
local results = {}
for i = 0, #KEYS / 3 - 1 do
  local job, work, latest = KEYS[i * 3 + 1], KEYS[i * 3 + 2], KEYS[i * 3 + 3]
  local id, supersedes = ARGV[i * 2 + 2], ARGV[i * 2 + 3]
  local result = 0
  if redis.call("EXISTS", job) == 1 then
    result = 1
  elseif not redis.call("SET", work, id, "PX", ARGV[1], "NX") then
    result = redis.call("GET", work) == id and 1 or 2
  elseif supersedes == "1" then
    redis.call("SET", latest, id, "PX", ARGV[1])
  end
  results[#results + 1] = result
end
return results
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
  /** The batch being written, which a close waits for. */
  #flushing: Promise<void> = Promise.resolve();
  readonly #pending: Array<{ job: Job; resolve(result: EnqueueResult): void; reject(error: unknown): void }> = [];
  readonly #jobOptions: { attempts: number; backoff: { type: "exponential"; delay: number }; removeOnComplete: { age: number }; removeOnFail: { age: number } };

  constructor(options: BullQueueOptions) {
    this.#options = options;
    // BullMQ requires maxRetriesPerRequest: null on worker connections (blocking commands).
    this.#redis = new Redis(options.url, { maxRetriesPerRequest: null });
    this.#queue = new Queue<Job>("jobs", { connection: this.#redis, prefix: options.prefix });
    this.#leases = new RedisLeases(this.#redis, options.lockMs);
    this.checkRuns = new RedisCheckRuns(this.#redis, options.prefix);
    this.#jobOptions = { attempts: options.attempts, backoff: { type: "exponential", delay: 5_000 }, removeOnComplete: { age: KEEP_ENDED_S }, removeOnFail: { age: KEEP_ENDED_S } };
  }

  #key(kind: string, name: string) {
    return `${this.#options.prefix}:${kind}:${name}`;
  }

  async enqueue(job: Job): Promise<EnqueueResult> {
    if (this.#closed) return { queued: false, reason: "closed" };
    return new Promise<EnqueueResult>((resolve, reject) => {
      // While Redis is away ioredis holds commands until it is back: fail the webhook instead.
      const timer = setTimeout(() => reject(new QueueUnavailableError(`Redis did not take the job within ${ENQUEUE_TIMEOUT_MS / 1000} s`)), ENQUEUE_TIMEOUT_MS);
      const answer = { resolve: (result: EnqueueResult) => (clearTimeout(timer), resolve(result)), reject: (error: unknown) => (clearTimeout(timer), reject(error)) };
      // Batched: the enqueues of one turn of the event loop share one check script and
      // one bulk add, two round trips for a burst of webhooks rather than two each.
      if (this.#pending.push({ job, ...answer }) === 1) setImmediate(() => (this.#flushing = this.#flush()));
    });
  }

  /** Checks and marks the pending jobs, adds the new ones, then answers each. */
  async #flush(): Promise<void> {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return;
    const ids = batch.map(({ job }) => bullId(job.id));
    const workKeys = batch.map(({ job }) => this.#key("work", jobKey(job)));
    try {
      const keys = batch.flatMap(({ job }, i) => [this.#queue.toKey(ids[i]!), workKeys[i]!, this.#key("latest", supersedeKey(job) ?? "none")]);
      const args = batch.flatMap(({ job }, i) => [ids[i]!, supersedeKey(job) ? "1" : "0"]);
      const marks = (await this.#redis.eval(MARK_SCRIPT, keys.length, ...keys, MARKER_TTL_MS, ...args)) as number[];
      const taken = batch.flatMap(({ job }, i) => (marks[i] === 0 ? [{ job, i }] : []));
      try {
        if (taken.length > 0) await this.#queue.addBulk(taken.map(({ job, i }) => ({ name: job.kind, data: job, opts: { ...this.#jobOptions, jobId: ids[i]! } })));
      } catch (error) {
        // Not added: free the work markers, or the same head could not be queued for a day.
        await this.#redis.del(...taken.map(({ i }) => workKeys[i]!)).catch(() => undefined);
        throw error;
      }
      batch.forEach(({ resolve }, i) => resolve(marks[i] === 0 ? { queued: true } : { queued: false, reason: marks[i] === 1 ? "duplicate-delivery" : "already-queued" }));
    } catch (error) {
      for (const { reject } of batch) reject(error);
    }
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
    // Accepted before the close: added before the connection goes.
    await Promise.all([this.#flushing, this.#flush()]);
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
    const timeout = new Promise<string>((resolve) => setTimeout(() => resolve(""), PING_TIMEOUT_MS).unref());
    return (await Promise.race([this.#redis.ping().catch(() => ""), timeout])) === "PONG";
  }
}
