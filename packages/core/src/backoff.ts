/** First retry waits up to this long (before jitter). */
export const INITIAL_RETRY_DELAY = 500;
/** No backoff wait is longer than this (Retry-After is bounded by `maxRetryDelay` instead). */
export const MAX_BACKOFF_DELAY = 8_000;

/**
 * Exponential backoff with full jitter (AWS Architecture Blog, "Exponential Backoff And Jitter"):
 * a uniform wait in [0, min(cap, initial * 2^(retry-1))]. Full jitter spreads clients that failed
 * together, so they do not come back together.
 * @param retry 1 for the first retry.
 * @param random a number in [0, 1); injectable for tests.
 */
export function backoffDelay(retry: number, random: () => number = Math.random): number {
  const ceiling = Math.min(MAX_BACKOFF_DELAY, INITIAL_RETRY_DELAY * 2 ** Math.max(0, retry - 1));
  return Math.floor(random() * ceiling);
}
