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
