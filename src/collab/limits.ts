export interface CollabLimits {
  /** Largest sync message or awareness update accepted, in bytes. */
  maxMessageBytes: number;
  /** Document and awareness messages a connection may send per second (a burst of twice that is allowed). */
  messagesPerSecond: number;
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
}

/** A token bucket: `rate` per second, bursts up to twice that. */
export class RateLimiter {
  private tokens: number;
  private updatedAt = Date.now();

  constructor(private readonly rate: number) {
    this.tokens = rate * 2;
  }

  tryTake(): boolean {
    const now = Date.now();
    this.tokens = Math.min(this.rate * 2, this.tokens + ((now - this.updatedAt) / 1000) * this.rate);
    this.updatedAt = now;
    if (this.tokens < 1) return false;
    this.tokens -= 1;
    return true;
  }
}
