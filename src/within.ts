/**
 * `promise`, or a rejection ("no answer within N ms") once `ms` have passed
 * without it settling. For a peer that can hang without failing (a stopped
 * Redis, a database behind a dead link): the caller decides what waiting no
 * longer means. The timer never outlives the answer.
 */
export async function within<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timedOut]);
  } finally {
    clearTimeout(timer);
  }
}
