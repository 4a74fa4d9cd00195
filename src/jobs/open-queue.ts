import { Redis } from "ioredis";
import type { Env } from "../config/env.js";
import type { RedisErrorLog } from "../ops/redis-error-log.js";
import { MemoryHeads, RedisHeads, type HeadRegistry } from "../spend/newer-head.js";
import { RedisSpendLedger } from "../spend/redis-spend-ledger.js";
import type { SpendLedger } from "../spend/spend-ledger.js";
import { SqliteSpendLedger } from "../spend/sqlite-spend-ledger.js";
import { BullQueue } from "./bullmq-queue.js";
import { SqliteCheckRuns, type CheckRunRegistry } from "./check-run-registry.js";
import type { Job, JobQueue } from "./queue.js";
import { SqliteQueue } from "./sqlite-queue.js";
import { openStore } from "./sqlite-store.js";

/** What happens to jobs, for logs and metrics. */
export interface QueueEvents {
  superseded(job: Job, by?: Job): void;
  recovered(count: number): void;
  /** A job failed; without one, the queue itself erred (its jobs stay queued). */
  failed(job: Job | undefined, error: unknown): void;
}

/** The queue this process uses and where it records check runs. */
export interface QueueBackend {
  kind: "embedded" | "redis";
  queue: JobQueue;
  checkRuns: CheckRunRegistry;
  /** Daily spend counts and newest PR heads, kept where the queue is (shared by all processes with Redis). */
  spend: SpendLedger;
  heads: HeadRegistry;
  /** Releases the store once the queue is closed. */
  dispose(): void;
}

/**
 * The embedded durable queue (SQLite under DATA_DIR), or BullMQ when REDIS_URL is
 * set. The embedded queue lives in one process, so it needs PROCESS_ROLE=all.
 * `redisErrors` logs the errors of every Redis connection opened here.
 */
export function openQueue(env: Env, events: QueueEvents, redisErrors?: RedisErrorLog): QueueBackend {
  if (env.REDIS_URL) {
    const queue = new BullQueue({
      url: env.REDIS_URL, prefix: env.QUEUE_PREFIX, concurrency: env.REVIEW_CONCURRENCY, perInstallation: env.INSTALLATION_CONCURRENCY,
      lockMs: env.QUEUE_LOCK_MS, attempts: env.JOB_ATTEMPTS,
      onSuperseded: (job) => events.superseded(job), onRecovered: () => events.recovered(1), onError: (job, error) => events.failed(job, error),
      ...(redisErrors ? { watchConnection: (client: Redis, name: string) => redisErrors.watch(client, name) } : {}),
    });
    // Spend and heads share one connection that fails a command rather than holding it while Redis is away.
    const redis = new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2 });
    if (redisErrors) redisErrors.watch(redis, "spend and heads");
    else redis.on("error", () => undefined);
    const spend = new RedisSpendLedger(redis, env.QUEUE_PREFIX);
    return { kind: "redis", queue, checkRuns: queue.checkRuns, spend, heads: new RedisHeads(redis, env.QUEUE_PREFIX), dispose: () => redis.disconnect() };
  }
  if (env.PROCESS_ROLE !== "all") throw new Error(`PROCESS_ROLE: "${env.PROCESS_ROLE}" needs REDIS_URL (the embedded queue is not shared between processes)`);
  const db = openStore(env.DATA_DIR);
  const queue = new SqliteQueue(db, env.REVIEW_CONCURRENCY, {
    onSuperseded: (job, by) => events.superseded(job, by),
    onRecovered: (count) => events.recovered(count),
    onGaveUp: (job) => events.failed(job, new Error("gave up after repeated crashes")),
    onError: (job, error) => events.failed(job, error),
  });
  return { kind: "embedded", queue, checkRuns: new SqliteCheckRuns(db), spend: new SqliteSpendLedger(db), heads: new MemoryHeads(), dispose: () => db.close() };
}
