import type { Redis } from "ioredis";

/**
 * A counting semaphore in one Redis sorted set: members are holders, scores their
 * expiry. Expired holders (a killed worker) are dropped first; a holder already in
 * the set (the same job picked up again after a crash) re-enters. Atomic in Lua,
 * so two workers cannot both take the last slot.
 */
const ACQUIRE = `
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', ARGV[1])
if redis.call('ZSCORE', KEYS[1], ARGV[3]) or redis.call('ZCARD', KEYS[1]) < tonumber(ARGV[4]) then
  redis.call('ZADD', KEYS[1], ARGV[2], ARGV[3])
  redis.call('PEXPIRE', KEYS[1], ARGV[5])
  return 1
end
return 0`;

/** A slot held in a {@link RedisLeases} semaphore; renewed until released. */
export interface Lease {
  release(): Promise<void>;
}

/** Semaphores on Redis with leases that expire when their holder stops renewing them. */
export class RedisLeases {
  constructor(
    private readonly redis: Redis,
    private readonly ttlMs: number,
  ) {}

  async #take(key: string, holder: string, limit: number): Promise<boolean> {
    const now = Date.now();
    const taken = await this.redis.eval(ACQUIRE, 1, key, now, now + this.ttlMs, holder, limit, this.ttlMs * 2);
    return taken === 1;
  }

  /** Takes a slot of `key` (at most `limit` holders) for `holder`, or returns undefined when full. */
  async acquire(key: string, holder: string, limit: number): Promise<Lease | undefined> {
    if (!(await this.#take(key, holder, limit))) return undefined;
    // Renewed well before expiry; a killed process stops renewing and its slot frees itself.
    const timer = setInterval(() => void this.#take(key, holder, limit).catch(() => undefined), Math.max(100, this.ttlMs / 3));
    timer.unref();
    return {
      release: async () => {
        clearInterval(timer);
        await this.redis.zrem(key, holder);
      },
    };
  }
}
