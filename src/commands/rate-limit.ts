/** Whether a command may run now, and if not, when it may. */
export type RateDecision = { allowed: true } | { allowed: false; retryInMs: number };

/**
 * A sliding-window limit per key (a PR): at most `max` commands in `windowMs`.
 * In memory — a restart forgets it, which only ever allows more; a durable store
 * can replace it behind `take`.
 */
export class RateLimiter {
  readonly #hits = new Map<string, number[]>();

  constructor(
    readonly max: number,
    readonly windowMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Counts one command for `key` when the window has room. */
  take(key: string): RateDecision {
    const now = this.now();
    const recent = (this.#hits.get(key) ?? []).filter((at) => now - at < this.windowMs);
    if (recent.length >= this.max) {
      this.#hits.set(key, recent);
      return { allowed: false, retryInMs: (recent[0] ?? now) + this.windowMs - now };
    }
    recent.push(now);
    this.#hits.set(key, recent);
    this.#forgetIdle(now);
    return { allowed: true };
  }

  /** Drops keys with no hit in the window, so that the map does not grow with every PR ever seen. */
  #forgetIdle(now: number): void {
    if (this.#hits.size < 1000) return;
    for (const [key, hits] of this.#hits) if (hits.every((at) => now - at >= this.windowMs)) this.#hits.delete(key);
  }
}
