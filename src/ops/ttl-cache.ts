/**
 * A map with a size cap and an expiry: entries live `ttlMs` at most, and past
 * `maxEntries` the least recently used goes first. Long-lived tables keyed by what
 * outsiders choose (users, PRs) must not grow with every key ever seen.
 */
export class TtlCache<K, V> {
  readonly #entries = new Map<K, { value: V; expires: number }>();

  constructor(
    readonly maxEntries: number,
    readonly ttlMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Entries held now (expired ones included until they are touched or pushed out). */
  get size(): number {
    return this.#entries.size;
  }

  /** The live value of `key`, which becomes the most recently used; undefined when absent or expired. */
  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    if (entry.expires <= this.now()) return undefined;
    this.#entries.set(key, entry);
    return entry.value;
  }

  has(key: K): boolean {
    return this.get(key) !== undefined;
  }

  /** Stores `value` for `ttlMs` (or this cache's TTL), dropping the least recently used past the cap. */
  set(key: K, value: V, ttlMs = this.ttlMs): this {
    this.#entries.delete(key);
    this.#entries.set(key, { value, expires: this.now() + ttlMs });
    // A Map iterates in insertion order: the first keys are the least recently used.
    for (const oldest of this.#entries.keys()) {
      if (this.#entries.size <= this.maxEntries) break;
      this.#entries.delete(oldest);
    }
    return this;
  }

  delete(key: K): boolean {
    return this.#entries.delete(key);
  }
}
