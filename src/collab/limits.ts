export interface CollabLimits {
  /** Largest sync message or awareness update accepted, in bytes. */
  maxMessageBytes: number;
  /** Document and awareness messages a connection may send per second (a burst of twice that is allowed). */
  messagesPerSecond: number;
  /**
   * Bytes of document traffic a connection may cause per second: what it
   * sends (each byte is decoded) and the full-state answers it asks for (each
   * byte is encoded). Bursts up to `maxDocumentBytes`, so opening the largest
   * document passes; a user's connections together get twice this rate.
   */
  bytesPerSecond: number;
  /** Largest document (its encoded state) a change may grow it to, in bytes. */
  maxDocumentBytes: number;
  /** Awareness client ids one connection may announce (one per editor instance, so a few). */
  awarenessClientsPerConnection: number;
  /** Largest awareness state (JSON) per client id, in bytes. */
  maxAwarenessStateBytes: number;
  /** How long a document stays loaded after its last connection leaves. */
  unloadDelayMs: number;
  /** Compact the update log once this many updates were appended since the last snapshot. */
  compactAfterUpdates: number;
  /**
   * At most one relay of a document's changes per this many milliseconds:
   * what arrives in between goes out merged. A change after a quiet spell
   * goes out at once. 0 relays every change at once.
   */
  relayIntervalMs: number;
  /**
   * Encoded bytes of documents this node keeps loaded together: past it,
   * documents nobody has open are unloaded, least recently used first, and
   * a document larger than all of it is refused (TOO_LARGE).
   */
  memoryBudgetBytes: number;
}

/** A token bucket: `rate` tokens per second, holding up to `burst`. */
export class RateLimiter {
  private tokens: number;
  private updatedAt = Date.now();

  constructor(
    private readonly rate: number,
    private readonly burst = rate * 2,
  ) {
    this.tokens = burst;
  }

  /** Takes `cost` tokens if there are that many. */
  tryTake(cost = 1): boolean {
    this.refill();
    if (this.tokens < cost) return false;
    this.tokens -= cost;
    return true;
  }

  /** Takes `cost` for work already done: the bucket may go into debt, refusing what follows until it is repaid. */
  charge(cost: number): void {
    this.refill();
    this.tokens -= cost;
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = now;
  }
}

/** One byte budget per user, shared by all the user's connections on this node, kept while any is open. */
export class UserBudgets {
  private readonly budgets = new Map<string, { limiter: RateLimiter; connections: number }>();

  constructor(private readonly limits: Pick<CollabLimits, "bytesPerSecond" | "maxDocumentBytes">) {}

  acquire(userId: string): RateLimiter {
    let entry = this.budgets.get(userId);
    if (!entry) {
      const { bytesPerSecond, maxDocumentBytes } = this.limits;
      entry = { limiter: new RateLimiter(bytesPerSecond * 2, maxDocumentBytes * 2), connections: 0 };
      this.budgets.set(userId, entry);
    }
    entry.connections += 1;
    return entry.limiter;
  }

  release(userId: string): void {
    const entry = this.budgets.get(userId);
    if (!entry) return;
    entry.connections -= 1;
    if (entry.connections <= 0) this.budgets.delete(userId);
  }
}
