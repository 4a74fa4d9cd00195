import { Redis } from "ioredis";
import { ceilingKey, headroomOf, utcDay, type Ceiling, type Headroom, type SpendLedger } from "./spend-ledger.js";

/** A day's counts outlive the day by one more, then Redis drops them. */
const TTL_MS = 2 * 86_400_000;

/**
 * The ledger on Redis, shared by every worker: one hash per ceiling and UTC day
 * (`<prefix>:spend:<day>:<scope>:<id>` → usd, tokens), incremented in a MULTI so
 * that concurrent charges from several processes add up exactly.
 */
export class RedisSpendLedger implements SpendLedger {
  readonly #redis: Redis;
  readonly #prefix: string;
  readonly #now: () => number;
  readonly #owned: boolean;

  /** `redis` is a URL (the ledger opens and closes its own connection) or a connection the caller owns. */
  constructor(redis: string | Redis, prefix: string, now: () => number = Date.now) {
    this.#owned = typeof redis === "string";
    // A charge or a read must not wait for ever while Redis is away: it fails, and the review says so.
    this.#redis = typeof redis === "string" ? new Redis(redis, { maxRetriesPerRequest: 2, lazyConnect: true }) : redis;
    this.#prefix = prefix;
    this.#now = now;
  }

  #key(day: string, ceiling: Ceiling): string {
    return `${this.#prefix}:spend:${day}:${ceilingKey(ceiling)}`;
  }

  async remaining(ceilings: readonly Ceiling[]): Promise<Headroom[]> {
    if (ceilings.length === 0) return [];
    const day = utcDay(this.#now());
    const pipeline = this.#redis.pipeline();
    for (const ceiling of ceilings) pipeline.hmget(this.#key(day, ceiling), "usd", "tokens");
    const replies = (await pipeline.exec()) ?? [];
    return ceilings.map((ceiling, i) => {
      const [error, value] = replies[i] ?? [new Error("no reply"), null];
      if (error) throw error;
      const [usd, tokens] = (value as Array<string | null>) ?? [];
      return headroomOf(ceiling, { usd: Number(usd ?? 0), tokens: Number(tokens ?? 0) });
    });
  }

  async charge(ceilings: readonly Ceiling[], usd: number, tokens: number): Promise<void> {
    if (ceilings.length === 0 || (usd <= 0 && tokens <= 0)) return;
    const day = utcDay(this.#now());
    const multi = this.#redis.multi();
    for (const ceiling of ceilings) {
      const key = this.#key(day, ceiling);
      multi.hincrbyfloat(key, "usd", usd).hincrby(key, "tokens", Math.round(tokens)).pexpire(key, TTL_MS);
    }
    const replies = (await multi.exec()) ?? [];
    const failed = replies.find(([error]) => error)?.[0];
    if (failed) throw failed;
  }

  async close(): Promise<void> {
    if (this.#owned) this.#redis.disconnect();
  }
}
