/**
 * Group commit for both queues: the enqueues of one turn of the event loop are
 * committed together (one SQLite transaction, one Redis accept script), so a burst of
 * webhooks pays one commit rather than one each, and each enqueue is answered with its
 * own result once the batch is stored.
 */
export class EnqueueBatcher<Item, Result> {
  readonly #commit: (items: Item[]) => Result[] | Promise<Result[]>;
  readonly #pending: Array<{ item: Item; resolve(result: Result): void; reject(error: unknown): void }> = [];
  /** Batches being committed, which a close waits for. */
  readonly #writing = new Set<Promise<void>>();

  /** `commit` stores the items and returns one result each, in order; a throw rejects the whole batch. */
  constructor(commit: (items: Item[]) => Result[] | Promise<Result[]>) {
    this.#commit = commit;
  }

  /** Resolves with the item's result once its batch is committed. */
  add(item: Item): Promise<Result> {
    return new Promise<Result>((resolve, reject) => {
      if (this.#pending.push({ item, resolve, reject }) === 1) setImmediate(() => void this.flush());
    });
  }

  /**
   * Commits what is pending now and answers each. A synchronous `commit` runs before
   * this returns (the SQLite queue flushes so before its store may be shut).
   */
  flush(): Promise<void> {
    const batch = this.#pending.splice(0);
    if (batch.length === 0) return Promise.resolve();
    const write = (async () => {
      let results: Result[];
      try {
        results = await this.#commit(batch.map((p) => p.item));
      } catch (error) {
        for (const p of batch) p.reject(error);
        return;
      }
      batch.forEach((p, i) => p.resolve(results[i]!));
    })();
    this.#writing.add(write);
    void write.finally(() => this.#writing.delete(write));
    return write;
  }

  /** Commits what is pending and waits for every batch in flight. */
  async drain(): Promise<void> {
    await this.flush();
    await Promise.all(this.#writing);
  }
}
