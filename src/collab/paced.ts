/**
 * Runs `flush` at most once per interval: a request after a quiet spell
 * runs at once, requests within the interval after a run wait for its end
 * and run together. The interval is asked for at each request, so a
 * caller can let it grow with what one run costs (the sockets it writes to).
 */
export class Paced {
  private timer: NodeJS.Timeout | undefined;
  private lastRunAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly intervalMs: () => number,
    private readonly flush: () => void,
  ) {}

  request(): void {
    if (this.timer) return;
    const wait = this.lastRunAt + this.intervalMs() - performance.now();
    // At once, not at the end of the turn: the rest of a busy turn would delay it, and what follows is merged anyway.
    if (wait <= 0) this.run();
    else this.timer = setTimeout(this.run, wait);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private readonly run = () => {
    this.timer = undefined;
    this.lastRunAt = performance.now();
    this.flush();
  };
}

/**
 * The interval for a broadcast to `sockets` sockets: each run writes once to
 * every socket, so pacing runs in proportion to the audience keeps the total
 * linear in the room's size (a thousand arrivals told one by one to a
 * thousand sockets would be a million writes).
 */
export function intervalForAudience(sockets: number, minimumMs: number, perSocketMs: number): number {
  return Math.max(minimumMs, sockets * perSocketMs);
}
