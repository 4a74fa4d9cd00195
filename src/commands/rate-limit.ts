import { TtlCache } from "../ops/ttl-cache.js";

/** Whether a command may run now, and if not, when it may. */
export type RateDecision = { allowed: true } | { allowed: false; retryInMs: number };

/** Keys (PRs) tracked at once; the least recently used are forgotten first. */
const MAX_KEYS = 10_000;

/**
 * A sliding-window limit per key (a PR): at most `max` commands in `windowMs`.
 * In memory — a restart forgets it, which only ever allows more; a durable store
 * can replace it behind `take`. Keys expire with their window and are capped in
 * number, so the table does not grow with every PR ever seen.
 */
export class RateLimiter {
  readonly #hits: TtlCache<string, number[]>;

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
    maxKeys = MAX_KEYS,
  ) {
    this.#hits = new TtlCache(maxKeys, windowMs, now);
  }

  /** Keys held now. */
  get size(): number {
    return this.#hits.size;
  }

  /** Counts one command for `key` when the window has room. */
  take(key: string): RateDecision {
    const now = this.now();
    const recent = (this.#hits.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (recent.length >= this.max) {
      this.#hits.set(key, recent);
      return { allowed: false, retryInMs: (recent[0] ?? now) + this.windowMs - now };
    }
    recent.push(now);
    // The key lives as long as its newest hit counts.
    this.#hits.set(key, recent);
    return { allowed: true };
  }
}
