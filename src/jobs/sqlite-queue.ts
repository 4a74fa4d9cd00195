import { EnqueueBatcher } from "./enqueue-batcher.js";
import { jobKey, laneKey, supersedeKey, type EnqueueResult, type Job, type JobHandler, type JobQueue, type QueueStats } from "./queue.js";
import type { Store } from "./sqlite-store.js";

/** A job that took the process down this many times is not run again. */
const MAX_ATTEMPTS = 3;
/**
 * Ended jobs are kept this long so that a manual redelivery (or a replay of a captured
 * one) is still recognised: only their id and times, the payload is emptied as they end.
 */
export const KEEP_ENDED_MS = 14 * 24 * 3600_000;
/** Ended jobs one prune deletes at most, so that it never holds the store long; a full batch prunes again at the next enqueue. */
const PRUNE_BATCH = 5_000;
/** How often a running process forgets the ended jobs past that window. */
const PRUNE_EVERY_MS = 3600_000;

/** Hooks for logs and metrics; all optional. */
export interface SqliteQueueEvents {
  onSuperseded?(job: Job, by: Job): void;
  onRecovered?(count: number): void;
  onGaveUp?(job: Job): void;
  /** The handler threw (it should not: the job is ended as failed), or, without a job, starting the queued jobs failed (they stay waiting). */
  onError?(job: Job | undefined, error: unknown): void;
}

interface Row {
  seq: number;
  id: string;
  payload: string;
  attempts: number;
}

/**
 * The embedded durable queue (SQLite under DATA_DIR). `enqueue` commits the job
 * before it resolves, so the webhook is acknowledged only once the job is on disk.
 * Jobs left `running` by a dead process run again when the next one opens the
 * store; a SIGTERM stops claiming and leaves what did not finish in time the same way.
 */
export class SqliteQueue implements JobQueue {
  readonly #db: Store;
  readonly #concurrency: number;
  readonly #events: SqliteQueueEvents;
  readonly #running = new Map<string, Promise<void>>();
  #handler: JobHandler | undefined;
  #closed = false;
  #prunedAt = 0;
  readonly #batcher = new EnqueueBatcher<Job, EnqueueResult>((jobs) => this.#commit(jobs));

  constructor(db: Store, concurrency: number, events: SqliteQueueEvents = {}) {
    this.#db = db;
    this.#concurrency = concurrency;
    this.#events = events;
    const now = Date.now();
    this.#prune(now);
    // Stores written before payloads were emptied at the end of a job.
    db.prepare("UPDATE jobs SET payload = '' WHERE state NOT IN ('waiting', 'running') AND payload <> ''").run();
    // Nothing runs before this process starts: a `running` row was left by a dead one.
    const recovered = Number(db.prepare("UPDATE jobs SET state = 'waiting', updated_at = ? WHERE state = 'running'").run(now).changes);
    if (recovered > 0) events.onRecovered?.(recovered);
  }

  async enqueue(job: Job): Promise<EnqueueResult> {
    if (this.#closed) return { queued: false, reason: "closed" };
    return this.#batcher.add(job);
  }

  /** Stores a batch in one transaction (one WAL commit), then starts what it can. */
  #commit(jobs: Job[]): EnqueueResult[] {
    const results = this.#db.transaction(() => jobs.map((job) => this.#insert(job)))();
    if (results.some((r) => r.queued)) {
      // Outside any request once answered: report, do not fail the batch; the jobs wait in the store for the next pump.
      setImmediate(() => {
        try {
          this.#pump();
        } catch (error) {
          this.#events.onError?.(undefined, error);
        }
      });
    }
    return results;
  }

  start(handler: JobHandler): void {
    this.#handler = handler;
    this.#pump();
  }

  async close(graceMs?: number): Promise<void> {
    this.#closed = true;
    // Accepted before the close: committed now (synchronously), before the store may be shut.
    void this.#batcher.flush();
    const all = Promise.all(this.#running.values()).then(() => undefined);
    if (graceMs === undefined) await all;
    else await Promise.race([all, new Promise((resolve) => setTimeout(resolve, graceMs).unref())]);
    // What still runs is left `running`: the next start runs it again (the attempt is not counted).
    const unfinished = [...this.#running.keys()];
    const undo = this.#db.prepare("UPDATE jobs SET attempts = attempts - 1 WHERE id = ? AND state = 'running'");
    for (const id of unfinished) undo.run(id);
  }

  stats(): QueueStats {
    const row = this.#db.prepare("SELECT SUM(state = 'waiting') AS waiting, SUM(state = 'running') AS running FROM jobs WHERE state IN ('waiting', 'running')").get() as { waiting: number | null; running: number | null };
    return { waiting: row.waiting ?? 0, running: row.running ?? 0 };
  }

  async ping(): Promise<boolean> {
    return this.#db.prepare("SELECT 1 AS ok").get() !== undefined;
  }

  /**
   * Forgets ended jobs, and finished check runs, older than the redelivery window; at start
   * and then hourly, so a long-lived process stays small.
   */
  #prune(now: number): void {
    const deleted = this.#db
      .prepare("DELETE FROM jobs WHERE seq IN (SELECT seq FROM jobs WHERE state NOT IN ('waiting', 'running') AND updated_at < ? LIMIT ?)")
      .run(now - KEEP_ENDED_MS, PRUNE_BATCH).changes;
    const runs = this.#db
      .prepare("DELETE FROM check_runs WHERE check_run_id IN (SELECT check_run_id FROM check_runs WHERE done = 1 AND started_at < ? LIMIT ?)")
      .run(now - KEEP_ENDED_MS, PRUNE_BATCH).changes;
    if (Number(deleted) < PRUNE_BATCH && Number(runs) < PRUNE_BATCH) this.#prunedAt = now;
  }

  /** In the flush's transaction: delivery dedupe (primary key), work dedupe (partial unique index), supersede. */
  #insert(job: Job): EnqueueResult {
    const now = Date.now();
    if (now - this.#prunedAt > PRUNE_EVERY_MS) this.#prune(now);
    if (this.#db.prepare("SELECT 1 FROM jobs WHERE id = ?").get(job.id)) return { queued: false, reason: "duplicate-delivery" };
    if (this.#db.prepare("SELECT 1 FROM jobs WHERE work_key = ? AND state IN ('waiting', 'running')").get(jobKey(job))) {
      return { queued: false, reason: "already-queued" };
    }
    let superseded = 0;
    const key = supersedeKey(job);
    if (key) {
      const older = this.#db.prepare("SELECT seq, id, payload, attempts FROM jobs WHERE supersede = ? AND state = 'waiting'").all(key) as Row[];
      for (const row of older) {
        this.#db.prepare("UPDATE jobs SET state = 'superseded', payload = '', updated_at = ? WHERE seq = ?").run(now, row.seq);
        this.#events.onSuperseded?.(JSON.parse(row.payload) as Job, job);
        superseded++;
      }
    }
    this.#db
      .prepare("INSERT INTO jobs (id, work_key, lane, supersede, payload, state, created_at, updated_at) VALUES (?, ?, ?, ?, ?, 'waiting', ?, ?)")
      .run(job.id, jobKey(job), laneKey(job) ?? null, key ?? null, JSON.stringify(job), now, now);
    return superseded ? { queued: true, superseded } : { queued: true };
  }

  /** Claims the oldest waiting job whose lane is free, or nothing. */
  #claim(): Job | undefined {
    return this.#db.transaction((): Job | undefined => {
      for (;;) {
        const row = this.#db
          .prepare(
            `SELECT seq, id, payload, attempts FROM jobs w WHERE state = 'waiting'
               AND (lane IS NULL OR NOT EXISTS (SELECT 1 FROM jobs r WHERE r.lane = w.lane AND r.state = 'running'))
             ORDER BY seq LIMIT 1`,
          )
          .get() as Row | undefined;
        if (!row) return undefined;
        const job = JSON.parse(row.payload) as Job;
        if (row.attempts >= MAX_ATTEMPTS) {
          this.#db.prepare("UPDATE jobs SET state = 'failed', payload = '', updated_at = ? WHERE seq = ?").run(Date.now(), row.seq);
          this.#events.onGaveUp?.(job);
          continue;
        }
        this.#db.prepare("UPDATE jobs SET state = 'running', attempts = attempts + 1, updated_at = ? WHERE seq = ?").run(Date.now(), row.seq);
        return job;
      }
    })();
  }

  #pump(): void {
    const handler = this.#handler;
    while (handler && !this.#closed && this.#running.size < this.#concurrency) {
      const job = this.#claim();
      if (!job) return;
      const run = (async () => {
        let state = "done";
        try {
          await handler(job);
        } catch (error) {
          state = "failed";
          this.#events.onError?.(job, error);
        }
        this.#running.delete(job.id);
        // After a timed-out close the store may be shut: the row stays `running` for the next start.
        if (!this.#db.open) return;
        // The id stays for redelivery dedupe; the job's text (a comment, a hunk) goes.
        this.#db.prepare("UPDATE jobs SET state = ?, payload = '', updated_at = ? WHERE id = ?").run(state, Date.now(), job.id);
        this.#pump();
      })();
      this.#running.set(job.id, run);
    }
  }
}
