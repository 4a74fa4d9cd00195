import { DelayedError, type Job as BullJob } from "bullmq";
import type { Redis } from "ioredis";
import { KEEP_DELIVERY_MS } from "./inbox-scripts.js";
import { bullId } from "./bullmq-inbox.js";
import type { RedisCheckRuns } from "./redis-check-runs.js";
import type { Lease, RedisLeases } from "./redis-lease.js";
import { jobKey, laneKey, supersedeKey, type Job, type JobHandler } from "./queue.js";

/** What running a BullMQ job needs. */
export interface ProcessDeps {
  redis: Redis;
  leases: RedisLeases;
  checkRuns: RedisCheckRuns;
  key(kind: string, name: string): string;
  deliveryKey(id: string): string;
  /** Jobs of one installation running at once across all workers. */
  perInstallation: number;
  /** The handlers running in this process, which a close waits for. */
  running: Set<Promise<void>>;
  onSuperseded?(job: Job): void;
  onRecovered?(job: Job): void;
}

/**
 * Runs one BullMQ job with our semantics on top: a job already ended (added again by a
 * sweep) is skipped, a review superseded by a newer head ends unrun, and leases give
 * per-PR serialisation and per-installation concurrency (a job that cannot take them
 * goes back to `delayed` without spending an attempt).
 */
export async function processBullJob(deps: ProcessDeps, bullJob: BullJob<Job>, token: string | undefined, handler: JobHandler): Promise<void> {
  const job = bullJob.data;
  const id = bullJob.id ?? bullId(job.id);
  // Added again by a sweep after it ran (a worker stopped between its add and taking it out of the inbox).
  if ((await deps.redis.get(deps.deliveryKey(id)))?.startsWith("ended")) return;
  const sup = supersedeKey(job);
  if (sup && ![null, id].includes(await deps.redis.get(deps.key("latest", sup)))) {
    deps.onSuperseded?.(job);
    await releaseWork(deps, job, id);
    return;
  }
  const leases: Lease[] = [];
  const take = async (key: string, limit: number) => {
    const lease = await deps.leases.acquire(key, id, limit);
    if (lease) leases.push(lease);
    return lease !== undefined;
  };
  const lane = laneKey(job);
  if (!(await take(deps.key("installation", String(job.installationId)), deps.perInstallation)) || (lane && !(await take(deps.key("lane", lane), 1)))) {
    await Promise.all(leases.map((l) => l.release()));
    // Not a failure: try again shortly, jittered so that waiting workers do not move in step.
    await bullJob.moveToDelayed(Date.now() + 500 + Math.floor(Math.random() * 500), token);
    throw new DelayedError();
  }
  if (bullJob.attemptsStarted > 1) {
    await deps.checkRuns.orphan(job.id);
    deps.onRecovered?.(job);
  }
  const running = handler(job);
  deps.running.add(running);
  try {
    await running;
    await deps.redis.set(deps.deliveryKey(id), `ended:${Date.now()}`, "PX", KEEP_DELIVERY_MS);
  } finally {
    deps.running.delete(running);
    await Promise.all(leases.map((l) => l.release()));
    await releaseWork(deps, job, id);
  }
}

/** Drops the job's work marker (if still its own), so the same head may be reviewed again. */
async function releaseWork(deps: ProcessDeps, job: Job, id: string): Promise<void> {
  const workKey = deps.key("work", jobKey(job));
  if ((await deps.redis.get(workKey)) === id) await deps.redis.del(workKey);
}
