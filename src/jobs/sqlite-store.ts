import { mkdirSync } from "node:fs";
import { join } from "node:path";
import Database from "better-sqlite3";

/** The embedded store's database (better-sqlite3). */
export type Store = Database.Database;

/**
 * Jobs and the check runs they started. A job row is kept after it ends so a
 * redelivered webhook (same `X-GitHub-Delivery` = `id`) is recognised later; the
 * partial unique index makes "same work while waiting or running" one row.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq          INTEGER PRIMARY KEY AUTOINCREMENT,
  id           TEXT NOT NULL UNIQUE,
  work_key     TEXT NOT NULL,
  lane         TEXT,
  supersede    TEXT,
  payload      TEXT NOT NULL,
  state        TEXT NOT NULL CHECK (state IN ('waiting', 'running', 'done', 'superseded', 'failed')),
  attempts     INTEGER NOT NULL DEFAULT 0,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS jobs_live_work ON jobs (work_key) WHERE state IN ('waiting', 'running');
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, seq);
CREATE TABLE IF NOT EXISTS check_runs (
  check_run_id    INTEGER PRIMARY KEY,
  job_id          TEXT NOT NULL,
  installation_id INTEGER NOT NULL,
  owner           TEXT NOT NULL,
  repo            TEXT NOT NULL,
  started_at      INTEGER NOT NULL,
  done            INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS check_runs_open ON check_runs (done, started_at);
`;

/**
 * Opens (creating) `DATA_DIR/jobs.sqlite`. WAL with `synchronous = NORMAL`: a
 * committed insert survives a killed process (only power loss may drop the last
 * transactions), and the insert before the webhook ack stays well under a millisecond.
 * One process per DATA_DIR: the embedded queue is not shared.
 */
export function openStore(dataDir: string): Store {
  mkdirSync(dataDir, { recursive: true });
  const db = new Database(join(dataDir, "jobs.sqlite"));
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.pragma("busy_timeout = 5000");
  db.exec(SCHEMA);
  return db;
}
