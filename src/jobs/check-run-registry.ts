import type { Store } from "./sqlite-store.js";

/** A check run this app started, as the watchdog needs it to complete it. */
export interface TrackedCheckRun {
  checkRunId: number;
  jobId: string;
  installationId: number;
  owner: string;
  repo: string;
  /** Epoch ms; 0 marks a run orphaned by a dead process (due at once). */
  startedAt: number;
}

/**
 * Titles of the check runs completed for a review that never finished: by the watchdog
 * (its process died, or it ran too long) or by the review runner (its thread died or
 * passed its time budget). A job that runs again after such a run reviews again.
 */
export const STOPPED_TITLES = {
  interrupted: "Review interrupted",
  timedOut: "Review timed out",
  workerStopped: "Review failed: the review worker stopped",
} as const;

/** Whether a completed run's title says its review never finished. */
export const isStoppedTitle = (title: string | null | undefined): boolean => Object.values(STOPPED_TITLES).some((t) => t === title);

/**
 * The check runs of ours that are not known to be completed. The worker records
 * a run when the review starts it and marks it finished when the review returns (the
 * review always completes its run); what is left behind by a dead process or a
 * hung review is the watchdog's. Each job's runs are kept, finished or not, for
 * the job's next attempt should its process die before the job was marked done.
 */
export interface CheckRunRegistry {
  started(run: TrackedCheckRun): Promise<void>;
  finished(checkRunId: number): Promise<void>;
  /** Open runs started before `before` (epoch ms), oldest first. */
  stale(before: number, limit?: number): Promise<TrackedCheckRun[]>;
  /**
   * The runs a job started, open or finished (kept as long as its delivery is): an earlier
   * attempt's, when the job runs again after its process died.
   */
  ofJob(jobId: string): Promise<TrackedCheckRun[]>;
}

interface Row {
  check_run_id: number;
  job_id: string;
  installation_id: number;
  owner: string;
  repo: string;
  started_at: number;
}

const tracked = (r: Row): TrackedCheckRun => ({ checkRunId: r.check_run_id, jobId: r.job_id, installationId: r.installation_id, owner: r.owner, repo: r.repo, startedAt: r.started_at });

/** The registry in the embedded store. */
export class SqliteCheckRuns implements CheckRunRegistry {
  readonly #db: Store;

  /**
   * Opening it marks every open run as orphaned: one process owns a DATA_DIR, so a
   * run still open at start belongs to a process that died or stopped mid-review.
   */
  constructor(db: Store) {
    this.#db = db;
    db.prepare("UPDATE check_runs SET started_at = 0 WHERE done = 0").run();
  }

  async started(run: TrackedCheckRun): Promise<void> {
    this.#db
      .prepare("INSERT OR REPLACE INTO check_runs (check_run_id, job_id, installation_id, owner, repo, started_at, done) VALUES (?, ?, ?, ?, ?, ?, 0)")
      .run(run.checkRunId, run.jobId, run.installationId, run.owner, run.repo, run.startedAt);
  }

  async finished(checkRunId: number): Promise<void> {
    this.#db.prepare("UPDATE check_runs SET done = 1 WHERE check_run_id = ?").run(checkRunId);
  }

  async stale(before: number, limit = 50): Promise<TrackedCheckRun[]> {
    return (this.#db.prepare("SELECT * FROM check_runs WHERE done = 0 AND started_at < ? ORDER BY started_at LIMIT ?").all(before, limit) as Row[]).map(tracked);
  }

  async ofJob(jobId: string): Promise<TrackedCheckRun[]> {
    return (this.#db.prepare("SELECT * FROM check_runs WHERE job_id = ? ORDER BY check_run_id").all(jobId) as Row[]).map(tracked);
  }
}
