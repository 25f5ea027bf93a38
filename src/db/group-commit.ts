export interface GroupCommitTiming {
  /** How long the first item after a quiet spell waits for company. */
  windowMs: number;
  /** Writes start at least this far apart; whatever arrives in between shares the next one. */
  intervalMs: number;
}

interface Batch<T> {
  items: T[];
  waiters: Array<{ resolve(): void; reject(error: unknown): void }>;
}

/**
 * Group commit: items added by many callers share one write, and each caller
 * learns when its items are stored. At most one write is in flight, and
 * writes start at most once per interval, so the database sees a bounded
 * number of writes a second however many items arrive: the busier the
 * service, the larger each write. A failed write fails every caller in it.
 */
export class GroupCommit<T> {
  private pending: Batch<T> | undefined;
  private writing = false;
  private timer: NodeJS.Timeout | undefined;
  private lastStartedAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly write: (items: T[]) => Promise<void>,
    private readonly timing: GroupCommitTiming,
  ) {}

  add(items: readonly T[]): Promise<void> {
    return new Promise((resolve, reject) => {
      if (!this.pending) {
        this.pending = { items: [], waiters: [] };
        this.schedule(this.timing.windowMs);
      }
      for (const item of items) this.pending.items.push(item);
      this.pending.waiters.push({ resolve, reject });
    });
  }

  /** `soonestMs` from now, and no sooner than an interval after the last write started. */
  private schedule(soonestMs: number): void {
    if (this.writing || this.timer || !this.pending) return;
    const now = performance.now();
    const wait = Math.max(soonestMs, this.lastStartedAt + this.timing.intervalMs - now);
    this.timer = setTimeout(this.start, wait);
  }

  private readonly start = () => {
    this.timer = undefined;
    // Timers run on the event loop's cached clock, which can lag performance.now(): a timer may fire a fraction of a
    // millisecond "early" by this clock. The interval is a promise to the database; keep it.
    const early = this.lastStartedAt + this.timing.intervalMs - performance.now();
    if (early > 0) {
      this.timer = setTimeout(this.start, early);
      return;
    }
    const batch = this.pending;
    if (!batch) return;
    this.pending = undefined;
    this.writing = true;
    this.lastStartedAt = performance.now();
    // Through a promise, so a write that throws instead of rejecting still fails its callers.
    Promise.resolve()
      .then(() => this.write(batch.items))
      .then(
        () => {
          for (const waiter of batch.waiters) waiter.resolve();
        },
        (error: unknown) => {
          for (const waiter of batch.waiters) waiter.reject(error);
        },
      )
      .finally(() => {
        this.writing = false;
        // What arrived meanwhile has waited already: it goes as soon as the interval allows.
        this.schedule(0);
      });
  };
}
