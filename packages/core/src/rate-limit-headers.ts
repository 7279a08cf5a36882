// The boundary of pacing: what the server's X-RateLimit-* headers and the configured `pacing` may
// say, parsed once into checked values that the RateLimiter trusts (STYLE.md: every value from
// outside is bounded where it enters).

// Bounds of what an answer may say (issue 18: one `X-RateLimit-Reset: 3600` held every call of the
// key for an hour; `Reset: 1e9` spun a timer; `Limit: 0.001` timed every call out). The contract
// says 1,000 a minute, and X-RateLimit-Reset is the seconds until the window resets, so a sane
// server's reset is at most its window (plus a second of rounding up).
/** The contract's window. */
export const CONTRACT_WINDOW_MS = 60_000;
/**
 * The largest X-RateLimit-Limit believed: any positive integer up to 2^31 - 1. A generous key's
 * limit is not absurd (one of a billion must not be held to the 1,000 a minute assumed, 60 ms a
 * call); the bound keeps counts in safe integer arithmetic, here and in @codex/redis's scripts.
 */
export const MAX_LIMIT = 2 ** 31 - 1;
/**
 * X-RateLimit-Reset is believed up to this many windows: of the contract's minute, or of a longer
 * `pacing.windowMs` a Client of the key assumes (how to follow a server with, say, hourly
 * windows). The slack is for a server whose window differs from the assumption; the bound is not
 * the server's own window as learnt, which each answer could push 5 times further out.
 */
const RESET_WINDOWS = 5;
/** And never more than a day, whatever `pacing.windowMs` says. */
const MAX_RESET_MS = 86_400_000;

export const resetBound = (windowMs: number) =>
  Math.min(MAX_RESET_MS, RESET_WINDOWS * Math.max(CONTRACT_WINDOW_MS, windowMs));
export const positive = (value: number | undefined, fallback: number) =>
  value !== undefined && value > 0 && value < Infinity ? value : fallback;

/**
 * Configured pacing (checked by the Client as numbers >= Number.MIN_VALUE) as a bucket of at least
 * one request, at the same rate (0.5 a minute is 1 in 2 minutes): a bucket that holds less than a
 * whole request never lets one go, whatever the wait. Windows are at least 1 ms.
 */
export function pacingOf(options: PacingOptions): { limit: number; windowMs: number } {
  const limit = positive(options.limit, 1000);
  const windowMs = positive(options.windowMs, CONTRACT_WINDOW_MS);
  return limit >= 1
    ? { limit, windowMs: Math.max(1, windowMs) }
    : { limit: 1, windowMs: Math.max(1, windowMs / limit) };
}

/** An answer's X-RateLimit-* headers, checked: limit an integer 1..MAX_LIMIT or absent, remaining 0..limit. */
export type RateLimitAnswer = { limit: number | undefined; remaining: number; resetMs: number };

/**
 * Reads an answer's X-RateLimit-* headers, or undefined when it has none or says something out of
 * bounds: a limit that is not an integer in 1..MAX_LIMIT, a remaining that is not an integer in
 * 0..limit (the answer's, else the one known), a reset that is not a number of seconds up to
 * `maxResetMs`. Such an answer is ignored whole, as its fields describe one window together:
 * pacing then errs on the side of sending, where the server's 429 and its Retry-After (bounded by
 * maxRetryDelay) still rule.
 */
export function readRateLimit(
  headers: Headers,
  maxResetMs: number,
  knownLimit: number | undefined,
): RateLimitAnswer | undefined {
  const field = (name: string, pattern: RegExp) => {
    const value = headers.get(name);
    // Not Number() alone: it takes '', '0x10', '1e3' and 'Infinity'.
    return value === null ? undefined : pattern.test(value) ? Number(value) : Number.NaN;
  };
  const limit = field('x-ratelimit-limit', /^\d+$/);
  const remaining = field('x-ratelimit-remaining', /^\d+$/);
  const reset = field('x-ratelimit-reset', /^\d+(\.\d+)?$/);
  if (remaining === undefined || reset === undefined) return undefined;
  if (limit !== undefined && !(limit >= 1 && limit <= MAX_LIMIT)) return undefined;
  if (!(remaining <= (limit ?? knownLimit ?? MAX_LIMIT)) || !(reset * 1000 <= maxResetMs)) return undefined;
  return { limit, remaining, resetMs: reset * 1000 };
}

export type PacingOptions = {
  /**
   * Requests per window assumed for one API key until the API says (the API allows 1,000 a
   * minute); from the first response on, its X-RateLimit-Limit and X-RateLimit-Reset rule.
   * @default 1000
   */
  limit?: number;
  /**
   * Window length in milliseconds, assumed until the API says. An X-RateLimit-Reset of more than
   * 5 such windows (of at least a minute; a day at most) is not believed: set it for an API whose
   * windows are longer than a few minutes.
   * @default 60000
   */
  windowMs?: number;
};
