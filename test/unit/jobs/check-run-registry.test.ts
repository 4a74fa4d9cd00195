/**
 * The check-run registry both backends keep: the open runs the watchdog completes, and
 * the runs each job started, which a job running again after its process died reads to
 * learn whether its review had completed. The embedded store and Redis (a unique prefix).
 */
import { randomUUID } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { REDIS_URL, redisUp } from "../../support/services.js";
import { SqliteCheckRuns, type CheckRunRegistry, type TrackedCheckRun } from "../../../src/jobs/check-run-registry.js";
import { RedisCheckRuns } from "../../../src/jobs/redis-check-runs.js";
import { openStore } from "../../../src/jobs/sqlite-store.js";

interface Backend {
  registry: CheckRunRegistry;
  /** The same store as a process starting after this one died would open it. */
  reopen(): CheckRunRegistry;
  dispose(): Promise<void>;
}

const backends: Array<[string, () => Backend]> = [
  ["embedded (SQLite)", () => {
    const dir = mkdtempSync(join(tmpdir(), "check-runs-test-"));
    let db = openStore(dir);
    return {
      registry: new SqliteCheckRuns(db),
      reopen: () => {
        db.close();
        db = openStore(dir);
        return new SqliteCheckRuns(db);
      },
      dispose: async () => {
        db.close();
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }],
  ["Redis", () => {
    const prefix = `test-${randomUUID()}`;
    const redis = new Redis(REDIS_URL);
    return {
      registry: new RedisCheckRuns(redis, prefix),
      reopen: () => new RedisCheckRuns(redis, prefix),
      dispose: async () => {
        const keys = await redis.keys(`${prefix}:*`);
        if (keys.length) await redis.del(...keys);
        redis.disconnect();
      },
    };
  }],
];

const run = (checkRunId: number, jobId: string, startedAt: number): TrackedCheckRun => ({ checkRunId, jobId, installationId: 7, owner: "acme", repo: "platform", startedAt });

describe.each(redisUp ? backends : backends.slice(0, 1))("check-run registry: %s", (_name, open) => {
  let b: Backend;
  beforeEach(() => (b = open()));
  afterEach(() => b.dispose());

  it("gives the watchdog the open runs started before a time, oldest first, and forgets finished ones", async () => {
    await b.registry.started(run(11, "job-a", 3_000));
    await b.registry.started(run(12, "job-b", 1_000));
    await b.registry.started(run(13, "job-c", 9_000));
    await b.registry.finished(12);
    expect((await b.registry.stale(5_000)).map((r) => r.checkRunId)).toEqual([11]);
    expect((await b.registry.stale(10_000)).map((r) => r.checkRunId)).toEqual([11, 13]);
  });

  it("keeps the runs a job started, finished or not, for the job's next attempt, and no other job's", async () => {
    await b.registry.started(run(21, "job-a", 1_000));
    await b.registry.started(run(22, "job-b", 1_000));
    await b.registry.finished(21);
    // The process dies; the next one opens the same store.
    const next = b.reopen();
    expect(await next.ofJob("job-a")).toEqual([run(21, "job-a", 1_000)]);
    expect((await next.ofJob("job-b")).map((r) => r.checkRunId)).toEqual([22]);
    expect(await next.ofJob("job-z")).toEqual([]);
    // Finished stays finished: the watchdog never sees run 21 again.
    expect((await next.stale(Number.MAX_SAFE_INTEGER)).map((r) => r.checkRunId)).toEqual([22]);
  });
});
