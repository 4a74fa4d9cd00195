import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";

/** A prepared statement: the calls the queue makes. */
export interface Statement {
  run(...params: unknown[]): { changes: number | bigint };
  get(...params: unknown[]): unknown;
  all(...params: unknown[]): unknown[];
}

/**
 * The embedded store's database, over whichever SQLite the runtime offers:
 * Node's built-in `node:sqlite` where it exists (Node 22.13+, 24), better-sqlite3 on
 * Node 20. better-sqlite3 12 aborts the process on Node 24 when the garbage
 * collector frees a statement (`RemoveEnvironmentCleanupHook: (env) != nullptr`),
 * so it is used only where Node has no SQLite of its own. Statements are prepared
 * once per SQL text and kept, which also spares the collector.
 */
export interface Store {
  readonly open: boolean;
  prepare(sql: string): Statement;
  exec(sql: string): void;
  /** Wraps `fn` in BEGIN IMMEDIATE … COMMIT (ROLLBACK on a throw). */
  transaction<T>(fn: () => T): () => T;
  close(): void;
}

/** What both drivers provide. */
interface Driver {
  prepare(sql: string): Statement;
  exec(sql: string): unknown;
  close(): void;
}

const require = createRequire(import.meta.url);

function openDriver(file: string): Driver {
  const builtin = process.getBuiltinModule?.("node:sqlite") as { DatabaseSync: new (path: string) => Driver } | undefined;
  if (builtin) return new builtin.DatabaseSync(file);
  const BetterSqlite = require("better-sqlite3") as new (path: string) => Driver;
  return new BetterSqlite(file);
}

class SqliteStore implements Store {
  readonly #driver: Driver;
  readonly #statements = new Map<string, Statement>();
  #open = true;

  constructor(driver: Driver) {
    this.#driver = driver;
  }

  get open(): boolean {
    return this.#open;
  }

  prepare(sql: string): Statement {
    let statement = this.#statements.get(sql);
    if (!statement) this.#statements.set(sql, (statement = this.#driver.prepare(sql)));
    return statement;
  }

  exec(sql: string): void {
    this.#driver.exec(sql);
  }

  transaction<T>(fn: () => T): () => T {
    return () => {
      this.#driver.exec("BEGIN IMMEDIATE");
      try {
        const result = fn();
        this.#driver.exec("COMMIT");
        return result;
      } catch (error) {
        this.#driver.exec("ROLLBACK");
        throw error;
      }
    };
  }

  close(): void {
    if (!this.#open) return;
    this.#open = false;
    this.#driver.close();
  }
}

/**
 * Jobs and the check runs they started. A job row is kept after it ends so a
 * redelivered webhook (same `X-GitHub-Delivery` = `id`) is recognised later; the
 * partial unique index makes "same work while waiting or running" one row.
 */
const SCHEMA = `
CREATE TABLE IF NOT EXISTS jobs (
  seq          INTEGER PRIMARY KEY,
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
-- The claim's "lane busy?" and the insert's "older heads waiting?" look at live rows only;
-- without these, both scan every ended job kept for redelivery dedupe.
CREATE INDEX IF NOT EXISTS jobs_running_lane ON jobs (lane) WHERE state = 'running';
CREATE INDEX IF NOT EXISTS jobs_waiting_supersede ON jobs (supersede) WHERE state = 'waiting';
CREATE INDEX IF NOT EXISTS jobs_ended ON jobs (updated_at) WHERE state NOT IN ('waiting', 'running');
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
CREATE INDEX IF NOT EXISTS check_runs_job ON check_runs (job_id);
`;

/**
 * Opens (creating) `DATA_DIR/jobs.sqlite`. WAL with `synchronous = NORMAL`: a
 * committed insert survives a killed process (only power loss may drop the last
 * transactions), and the insert before the webhook ack stays well under a millisecond.
 *
 * `secure_delete` zeroes what a job's end empties or a prune deletes, so a finished
 * command's text does not linger in free space of the file.
 *
 * One process per DATA_DIR, enforced: the store is locked for as long as it is open
 * (`locking_mode = EXCLUSIVE`, which also spares every transaction its lock calls).
 * A second process would take the first one's running jobs for a dead process's and
 * run them again; instead it waits up to `waitMs` for the lock (a restart overlapping
 * the old process's exit) and then stops with an error that says why.
 */
export function openStore(dataDir: string, waitMs = 5000): Store {
  const file = join(dataDir, "jobs.sqlite");
  createPrivate(dataDir, file);
  const store = new SqliteStore(openDriver(file));
  try {
    store.exec(`PRAGMA locking_mode = EXCLUSIVE; PRAGMA busy_timeout = ${Math.trunc(waitMs)}; PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL; PRAGMA secure_delete = ON;`);
    // A write takes the lock now rather than at the first webhook.
    store.transaction(() => store.exec(SCHEMA))();
  } catch (error) {
    store.close();
    if (!/database is locked/i.test(String(error))) throw error;
    throw new Error(`DATA_DIR ${dataDir} is in use by another backend-agent process: the embedded queue belongs to one process. Stop the other one, give this one its own DATA_DIR, or set REDIS_URL to run several.`, { cause: error });
  }
  // SQLite gives -wal and -shm the database file's mode; older stores are tightened here.
  for (const path of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(path)) chmodSync(path, 0o600);
  return store;
}

/**
 * Creates DATA_DIR (0700) and the database file (0600) before SQLite opens it: queued
 * jobs hold users' comments, and other accounts on the host have no business reading them.
 * A DATA_DIR that exists keeps its mode: the operator chose it.
 */
function createPrivate(dataDir: string, file: string): void {
  try {
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    closeSync(openSync(file, "a", 0o600));
    chmodSync(file, 0o600);
  } catch (error) {
    // Said as our variable, not as a bare ENOTDIR/EACCES on a path the operator never typed.
    const reason = (error as NodeJS.ErrnoException).code ?? String(error);
    throw new Error(`DATA_DIR: cannot create the job store in ${dataDir} (${reason}): set DATA_DIR to a directory this process can write`, { cause: error });
  }
}
