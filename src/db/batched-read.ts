interface Waiter<V> {
  resolve(value: V | undefined): void;
  reject(error: unknown): void;
}

/**
 * Lookups by key that share reads, as group commit shares writes: at most
 * one read is in flight, and every lookup asked meanwhile waits for the next
 * one, which asks for all their keys at once (each key once). A quiet
 * service reads each lookup on its own, in the turn it is asked; a crowd of
 * a thousand handshakes costs a few dozen queries instead of a thousand.
 * No lookup is answered by a read that started before it was asked, so each
 * is as fresh as a query of its own; a failed read fails its lookups.
 */
export class BatchedRead<K, V> {
  private pending = new Map<string, { key: K; waiters: Array<Waiter<V>> }>();
  private reading = false;
  private scheduled = false;

  constructor(
    /** The values of those keys that have one (by `keyOf`), in one read. */
    private readonly read: (keys: K[]) => Promise<Map<string, V>>,
    private readonly keyOf: (key: K) => string,
  ) {}

  load(key: K): Promise<V | undefined> {
    return new Promise((resolve, reject) => {
      const id = this.keyOf(key);
      const entry = this.pending.get(id) ?? { key, waiters: [] };
      entry.waiters.push({ resolve, reject });
      this.pending.set(id, entry);
      this.schedule();
    });
  }

  /** At the end of this turn: lookups asked by the other callbacks of the same turn (other sockets) come along. */
  private schedule(): void {
    if (this.reading || this.scheduled || this.pending.size === 0) return;
    this.scheduled = true;
    setImmediate(this.start);
  }

  private readonly start = () => {
    this.scheduled = false;
    const batch = this.pending;
    this.pending = new Map();
    this.reading = true;
    // Through a promise, so a read that throws instead of rejecting still fails its lookups.
    Promise.resolve()
      .then(() => this.read([...batch.values()].map((entry) => entry.key)))
      .then(
        (values) => {
          for (const [id, entry] of batch) for (const waiter of entry.waiters) waiter.resolve(values.get(id));
        },
        (error: unknown) => {
          for (const entry of batch.values()) for (const waiter of entry.waiters) waiter.reject(error);
        },
      )
      .finally(() => {
        this.reading = false;
        this.schedule();
      });
  };
}
