import type { Store } from "../jobs/sqlite-store.js";
import { ceilingKey, headroomOf, utcDay, type Ceiling, type Headroom, type SpendLedger } from "./spend-ledger.js";

/** Days of counts kept: today's is the one read; yesterday's helps whoever looks at the store. */
const KEEP_DAYS = 2;

const SCHEMA = `
CREATE TABLE IF NOT EXISTS spend (
  day     TEXT NOT NULL,
  key     TEXT NOT NULL,
  usd     REAL NOT NULL DEFAULT 0,
  tokens  INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (day, key)
);`;

/**
 * The ledger in the embedded store (its own table in `jobs.sqlite`). The store
 * belongs to one process, which is the only one spending, so its counts are the
 * deployment's; an upsert per ceiling in one transaction is atomic.
 */
export class SqliteSpendLedger implements SpendLedger {
  readonly #db: Store;
  readonly #now: () => number;
  #prunedDay = "";

  constructor(db: Store, now: () => number = Date.now) {
    this.#db = db;
    this.#now = now;
    db.exec(SCHEMA);
  }

  async remaining(ceilings: readonly Ceiling[]): Promise<Headroom[]> {
    const day = utcDay(this.#now());
    const read = this.#db.prepare("SELECT usd, tokens FROM spend WHERE day = ? AND key = ?");
    return ceilings.map((ceiling) => {
      const row = read.get(day, ceilingKey(ceiling)) as { usd: number; tokens: number } | undefined;
      return headroomOf(ceiling, row ?? { usd: 0, tokens: 0 });
    });
  }

  async charge(ceilings: readonly Ceiling[], usd: number, tokens: number): Promise<void> {
    if (ceilings.length === 0 || (usd <= 0 && tokens <= 0)) return;
    const day = utcDay(this.#now());
    const add = this.#db.prepare(
      "INSERT INTO spend (day, key, usd, tokens) VALUES (?, ?, ?, ?) ON CONFLICT (day, key) DO UPDATE SET usd = usd + excluded.usd, tokens = tokens + excluded.tokens",
    );
    this.#db.transaction(() => {
      if (day !== this.#prunedDay) {
        this.#prunedDay = day;
        this.#db.prepare("DELETE FROM spend WHERE day < ?").run(utcDay(this.#now() - KEEP_DAYS * 86_400_000));
      }
      for (const ceiling of ceilings) add.run(day, ceilingKey(ceiling), usd, Math.round(tokens));
    })();
  }

  async close(): Promise<void> {
    // The store is the queue's: its owner closes it.
  }
}
