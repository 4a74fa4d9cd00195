import type { Redis } from "ioredis";
import type { CheckRunRegistry, TrackedCheckRun } from "./check-run-registry.js";
import { KEEP_DELIVERY_MS } from "./inbox-scripts.js";

/**
 * The check-run registry in one Redis hash of open runs (check run id → record), shared by
 * all workers, and a hash a job of the runs it started, kept as long as its delivery is.
 */
export class RedisCheckRuns implements CheckRunRegistry {
  readonly #key: string;
  readonly #prefix: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.#key = `${prefix}:check-runs`;
    this.#prefix = prefix;
  }

  #jobKey = (jobId: string) => `${this.#prefix}:job-check-runs:${jobId}`;

  async started(run: TrackedCheckRun): Promise<void> {
    const record = JSON.stringify(run);
    await this.redis.multi().hset(this.#key, String(run.checkRunId), record).hset(this.#jobKey(run.jobId), String(run.checkRunId), record).pexpire(this.#jobKey(run.jobId), KEEP_DELIVERY_MS).exec();
  }

  async finished(checkRunId: number): Promise<void> {
    await this.redis.hdel(this.#key, String(checkRunId));
  }

  async stale(before: number, limit = 50): Promise<TrackedCheckRun[]> {
    const all = Object.values(await this.redis.hgetall(this.#key)).map((v) => JSON.parse(v) as TrackedCheckRun);
    return all.filter((r) => r.startedAt < before).sort((a, b) => a.startedAt - b.startedAt).slice(0, limit);
  }

  async ofJob(jobId: string): Promise<TrackedCheckRun[]> {
    return Object.values(await this.redis.hgetall(this.#jobKey(jobId))).map((v) => JSON.parse(v) as TrackedCheckRun).sort((a, b) => a.checkRunId - b.checkRunId);
  }

  /** Marks the open runs a job started as orphaned (due now): the job is running again after its worker died. */
  async orphan(jobId: string): Promise<void> {
    for (const run of await this.stale(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
      if (run.jobId === jobId) await this.started({ ...run, startedAt: 0 });
    }
  }
}
