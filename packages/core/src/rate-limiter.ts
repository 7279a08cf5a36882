import type { Clock } from './clock';
import { CodexError } from './errors';

export type PacingOptions = {
  /**
   * Requests allowed per window for one API key (the API allows 1,000 a minute).
   * @default 1000
   */
  limit?: number;
  /**
   * Window length in milliseconds.
   * @default 60000
   */
  windowMs?: number;
};

// Hand-written rather than a library: it must read the server's X-RateLimit-* headers and use an
// injectable clock, and the browser bundle budget leaves no room for a general-purpose limiter.

/**
 * Client-side pacing for one API key: a token bucket that the server's answers correct.
 * - The bucket holds `limit` requests and refills at `limit` per window, so a bulk job is spread
 *   out instead of bouncing off 429s; a batch is one request, like on the server.
 * - Every response's X-RateLimit-Remaining / X-RateLimit-Reset caps what may still be sent in the
 *   server's current window, counting requests still in flight; at 0, callers wait for the reset.
 * - One limiter per key, shared by every Client in the process.
 */
export class RateLimiter {
  readonly #limit: number;
  readonly #windowMs: number;
  readonly #clock: Clock;
  #tokens: number;
  #refilledAt: number;
  #inFlight = 0;
  /** What the server said is left in its window, minus what was sent since; undefined when unknown. */
  #serverRemaining: number | undefined;
  #serverResetAt = 0;
  /** X-RateLimit-Limit, and the longest X-RateLimit-Reset seen (the server's window length, about). */
  #serverLimit: number | undefined;
  #serverWindowMs = 0;

  constructor(clock: Clock, options: PacingOptions = {}) {
    this.#limit = options.limit ?? 1000;
    this.#windowMs = options.windowMs ?? 60_000;
    if (!(this.#limit > 0) || !(this.#windowMs > 0))
      throw new CodexError('pacing.limit and pacing.windowMs must be positive numbers.');
    this.#clock = clock;
    this.#tokens = this.#limit;
    this.#refilledAt = clock.now();
  }

  #refill(now: number): void {
    const rate = this.#limit / this.#windowMs;
    this.#tokens = Math.min(this.#limit, this.#tokens + (now - this.#refilledAt) * rate);
    this.#refilledAt = now;
    if (this.#serverRemaining !== undefined && now >= this.#serverResetAt) {
      // The server's window rolled over: it allows its limit again, in a window of about the same
      // length; the next response corrects both.
      this.#serverRemaining = this.#serverLimit;
      this.#serverResetAt = now + this.#serverWindowMs;
    }
  }

  /** How long to wait before a request may go; 0 when it may go now. */
  #wait(now: number): number {
    this.#refill(now);
    const bucketWait = this.#tokens >= 1 ? 0 : ((1 - this.#tokens) * this.#windowMs) / this.#limit;
    const serverWait = this.#serverRemaining !== undefined && this.#serverRemaining < 1 ? this.#serverResetAt - now : 0;
    return Math.max(0, Math.ceil(Math.max(bucketWait, serverWait)));
  }

  /**
   * Resolves when one more request may be sent (and counts it). Rejects if `signal` aborts first,
   * or at once with a CodexError when there is no free slot and `noWait` is set.
   */
  async acquire(signal?: AbortSignal, noWait = false): Promise<void> {
    for (;;) {
      signal?.throwIfAborted();
      const wait = this.#wait(this.#clock.now());
      if (wait === 0) break;
      if (noWait) throw new CodexError('No pacing slot is free now.');
      await this.#clock.sleep(wait, signal);
    }
    this.#tokens -= 1;
    if (this.#serverRemaining !== undefined) this.#serverRemaining -= 1;
    this.#inFlight += 1;
  }

  /** A request counted by `acquire` ended; `headers` are its response's, if it got one. */
  settle(headers?: Headers): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (!headers) return;
    const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
    const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN);
    if (!Number.isFinite(remaining) || !Number.isFinite(reset) || remaining < 0 || reset < 0) return;
    const limit = Number(headers.get('x-ratelimit-limit') ?? Number.NaN);
    if (Number.isFinite(limit) && limit > 0) this.#serverLimit = limit;
    this.#serverWindowMs = Math.max(this.#serverWindowMs, reset * 1000);
    const now = this.#clock.now();
    const resetAt = now + reset * 1000;
    // Requests still in flight may not have been counted by the server yet.
    const left = Math.max(0, remaining - this.#inFlight);
    const newWindow = this.#serverRemaining === undefined || resetAt > this.#serverResetAt + 1000;
    this.#serverRemaining = newWindow ? left : Math.min(this.#serverRemaining ?? left, left);
    this.#serverResetAt = resetAt;
  }
}
