const FIRST_DELAY_MS = 500;
const MAX_DELAY_MS = 15_000;

/**
 * How long to wait before try number `attempt` (0 first): doubling from
 * half a second up to 15 s, each wait drawn between half and all of that,
 * so clients that lost the service together do not come back together.
 */
export function retryDelayMs(attempt: number): number {
  const ceiling = Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** Math.min(attempt, 16));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

/** Tries again after each failure, waiting `retryDelayMs` longer each time, until a success resets it. */
export class Backoff {
  private failures = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** `allowed` is asked when the pause ends: a stopped owner runs nothing. */
  constructor(private readonly allowed: () => boolean) {}

  /** Runs `attempt` after the next pause, replacing any attempt still waiting. */
  later(attempt: () => void): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(
      () => {
        if (this.allowed()) attempt();
      },
      retryDelayMs(this.failures++),
    );
  }

  succeeded(): void {
    this.failures = 0;
  }

  cancel(): void {
    clearTimeout(this.timer);
  }
}
