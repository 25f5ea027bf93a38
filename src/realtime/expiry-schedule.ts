/** The parts of a socket the schedule reads: its token's expiry (seconds since the epoch) and how to end it. */
export interface ExpiringSocket {
  readonly data: { tokenExpiresAt: number };
  disconnect(close: boolean): unknown;
  on(event: "disconnect", listener: (this: ExpiringSocket) => void): unknown;
}

/** How often due expiries are looked for: a connection outlives its token by less than this. */
const SWEEP_MS = 1000;

/**
 * Disconnects every socket when its token expires (a connection lives no
 * longer than its credential), with one timer per server rather than one
 * per socket: sockets wait in buckets by the second their token expires,
 * and each sweep ends those whose second has come. A socket whose token was
 * renewed meanwhile (`auth:refresh` moves `tokenExpiresAt`) is put back in
 * the bucket of its new expiry instead.
 */
export class ExpirySchedule {
  private readonly buckets = new Map<number, Set<ExpiringSocket>>();
  private readonly bucketOf = new WeakMap<ExpiringSocket, number>();
  private readonly onDisconnect: (this: ExpiringSocket) => void;
  private sweptUpTo: number;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number = Date.now) {
    this.sweptUpTo = this.second(now());
    const schedule = this;
    this.onDisconnect = function () {
      schedule.forget(this);
    };
  }

  watch(socket: ExpiringSocket): void {
    if (socket.data.tokenExpiresAt * 1000 <= this.now()) {
      socket.disconnect(true);
      return;
    }
    socket.on("disconnect", this.onDisconnect);
    this.place(socket);
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    this.buckets.clear();
  }

  /** Ends the sockets whose second has come; every second since the last sweep is looked at, however late. */
  sweep(): void {
    const now = this.now();
    const upTo = this.second(now);
    for (let second = this.sweptUpTo + 1; second <= upTo; second++) {
      const due = this.buckets.get(second);
      if (!due) continue;
      this.buckets.delete(second);
      for (const socket of due) {
        this.bucketOf.delete(socket);
        if (socket.data.tokenExpiresAt * 1000 <= now) socket.disconnect(true);
        else this.place(socket);
      }
    }
    this.sweptUpTo = Math.max(this.sweptUpTo, upTo);
    if (this.buckets.size === 0) this.stop();
  }

  private second(ms: number): number {
    return Math.floor(ms / 1000);
  }

  private place(socket: ExpiringSocket): void {
    if (!this.timer) {
      // Idle until now, with no bucket: every second before this one is swept, and the next sweep starts here.
      this.sweptUpTo = Math.max(this.sweptUpTo, this.second(this.now()) - 1);
      this.timer = setInterval(() => this.sweep(), SWEEP_MS);
      this.timer.unref();
    }
    // The bucket of the second in which the token is over; never one already swept.
    const second = Math.max(Math.ceil(socket.data.tokenExpiresAt), this.sweptUpTo + 1);
    let bucket = this.buckets.get(second);
    if (!bucket) {
      bucket = new Set();
      this.buckets.set(second, bucket);
    }
    bucket.add(socket);
    this.bucketOf.set(socket, second);
  }

  private forget(socket: ExpiringSocket): void {
    const second = this.bucketOf.get(socket);
    if (second === undefined) return;
    this.bucketOf.delete(socket);
    const bucket = this.buckets.get(second);
    bucket?.delete(socket);
    if (bucket?.size === 0) this.buckets.delete(second);
  }
}
