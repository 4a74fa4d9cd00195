import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { laneKey, type JobQueue } from "../jobs/queue.js";

/**
 * The newest head enqueued for each pull request, shared by the processes that
 * enqueue and those that run reviews: a running review reads it to learn that its
 * PR moved on. Only a hint: the review confirms with GitHub before it stops.
 */
export interface HeadRegistry {
  /** Records `sha` as the newest head enqueued for `lane` (a PR, `laneKey`). */
  announce(lane: string, sha: string): Promise<void>;
  /** The newest head enqueued for `lane`, if known. */
  latest(lane: string): Promise<string | undefined>;
}

/** PRs remembered at once in one process; the oldest announcement is forgotten first. */
const MEMORY_LANES = 10_000;

/** The registry of the embedded queue: one process enqueues and runs, so a bounded map is enough. */
export class MemoryHeads implements HeadRegistry {
  readonly #heads = new Map<string, string>();

  async announce(lane: string, sha: string): Promise<void> {
    this.#heads.delete(lane);
    this.#heads.set(lane, sha);
    if (this.#heads.size > MEMORY_LANES) this.#heads.delete(this.#heads.keys().next().value as string);
  }

  async latest(lane: string): Promise<string | undefined> {
    return this.#heads.get(lane);
  }
}

/** A head outlives any review of it, then Redis drops it. */
const REDIS_TTL_MS = 24 * 3600_000;

/**
 * The registry on Redis: `<prefix>:head:<lane>` holds the newest head, set by the
 * web process that accepted it and read by whichever worker runs an older one.
 */
export class RedisHeads implements HeadRegistry {
  readonly #redis: Redis;
  readonly #prefix: string;

  constructor(redis: Redis, prefix: string) {
    this.#redis = redis;
    this.#prefix = prefix;
  }

  async announce(lane: string, sha: string): Promise<void> {
    await this.#redis.set(`${this.#prefix}:head:${lane}`, sha, "PX", REDIS_TTL_MS);
  }

  async latest(lane: string): Promise<string | undefined> {
    return (await this.#redis.get(`${this.#prefix}:head:${lane}`)) ?? undefined;
  }
}

/**
 * The queue as enqueuers see it: each review it takes announces its head, after
 * the job is stored and without delaying the answer (a lost announcement only
 * means the older review runs to its own end and then posts nothing).
 */
export function announcingQueue(queue: JobQueue, heads: HeadRegistry, log: Logger): JobQueue {
  return {
    async enqueue(job) {
      const result = await queue.enqueue(job);
      const lane = laneKey(job);
      if (result.queued && job.kind === "review" && lane) {
        heads.announce(lane, job.headSha).catch((error: unknown) => log.warn({ err: error }, "could not announce the newest head"));
      }
      return result;
    },
    start: (handler) => queue.start(handler),
    close: (graceMs) => queue.close(graceMs),
    stats: () => queue.stats(),
    ...(queue.counts ? { counts: () => queue.counts!() } : {}),
    ...(queue.ping ? { ping: () => queue.ping!() } : {}),
  };
}
