import type { Redis } from "ioredis";
import type { CheckRunRegistry, TrackedCheckRun } from "./check-run-registry.js";

/** The check-run registry in one Redis hash (check run id → record), shared by all workers. */
export class RedisCheckRuns implements CheckRunRegistry {
  readonly #key: string;

  constructor(
    private readonly redis: Redis,
    prefix: string,
  ) {
    this.#key = `${prefix}:check-runs`;
  }

  async started(run: TrackedCheckRun): Promise<void> {
    await this.redis.hset(this.#key, String(run.checkRunId), JSON.stringify(run));
  }

  async finished(checkRunId: number): Promise<void> {
    await this.redis.hdel(this.#key, String(checkRunId));
  }

  async stale(before: number, limit = 50): Promise<TrackedCheckRun[]> {
    const all = Object.values(await this.redis.hgetall(this.#key)).map((v) => JSON.parse(v) as TrackedCheckRun);
    return all.filter((r) => r.startedAt < before).sort((a, b) => a.startedAt - b.startedAt).slice(0, limit);
  }

  /** Marks the runs a job started as orphaned (due now): the job is running again after its worker died. */
  async orphan(jobId: string): Promise<void> {
    for (const run of await this.stale(Number.MAX_SAFE_INTEGER, Number.MAX_SAFE_INTEGER)) {
      if (run.jobId === jobId) await this.started({ ...run, startedAt: 0 });
    }
  }
}
