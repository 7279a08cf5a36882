import { type Clock, MAX_TIMER_MS } from './clock';
import { RateLimitError } from './errors';
import type { Logger } from './logger';
import { type PacingOptions, pacingOf, readRateLimit, resetBound } from './rate-limit-headers';

export type { PacingOptions } from './rate-limit-headers';

/**
 * A request quota that several processes share (`@codex/redis` keeps one in Redis), keyed by base
 * URL and client ID like the API's own. Every request takes a slot first; every answer's
 * X-RateLimit-* headers are reported, so that the shared quota follows the server.
 */
export type SharedQuota = {
  /**
   * Takes one request slot of `key`: 0 when the request may go now, else ms to wait before asking
   * again (anything but a number of ms up to the longest X-RateLimit-Reset believed counts as 0;
   * a wait over `maxRetryDelay` fails the call). Never rejects: when the shared store fails, it
   * answers 0 or a wait of its own (`@codex/redis` paces at this process's share of the fleet's
   * quota), and tells `context.logger` once. It may also hold a slot that comes later (within
   * `context.maxWait`), wait for it, and then answer 0 (`@codex/redis` promises slots of the next
   * window); it answers as soon as `context.signal` aborts.
   */
  take(key: string, context: QuotaContext & TakeContext): Promise<number>;
  /** An answer's headers (X-RateLimit-*), for the shared quota to follow the server. Never throws. */
  observe(key: string, headers: Headers, context: QuotaContext): void;
};

/** The Client's logger, for a shared quota's warnings. */
export type QuotaContext = { logger?: Logger | undefined };

/** The call a slot is taken for: its signal, and the longest it waits for a slot, in ms (none promised without it). */
export type TakeContext = { signal?: AbortSignal | undefined; maxWait?: number };

/** An answer whose window ends more than this (or half a window) away from the current one's is from another window. */
const WINDOW_MARGIN_MS = 1500;

// Hand-written rather than a library: it must read the server's X-RateLimit-* headers and use an
// injectable clock, and the browser bundle budget leaves no room for a general-purpose limiter.

/**
 * Client-side pacing for one API key: a token bucket that follows the server, and a cap on
 * requests in flight.
 * - The bucket holds `limit` requests and refills at `limit` per window, so a bulk job is spread
 *   out instead of bouncing off 429s; a batch is one request, like on the server.
 * - The configured `pacing` is only an assumption: as soon as a response carries
 *   X-RateLimit-Limit and X-RateLimit-Reset (the token response does), the bucket takes the
 *   server's limit and window (the longest reset seen), so a generous key is not held to 1,000 a
 *   minute, and a tight one is not sent into 429s.
 * - Every response's X-RateLimit-Remaining / X-RateLimit-Reset caps what may still be sent in the
 *   server's current window, counting requests still in flight; at 0, callers wait for the reset.
 * - One limiter per key, shared by every Client of the key in the process. When they disagree:
 *   until the server answers, the lowest rate any of them assumes wins (the safe side); after, the
 *   server's. A Client with `pacing: false` never waits, but its requests are counted, so the
 *   others stay accurate. The in-flight cap is the smallest any of them asked for.
 * - At most `maxInFlight` requests of the key are in flight at once (excess calls queue, in order,
 *   before they take a token, so that calls queued across a token's expiry use the new one).
 * - Every value from outside is bounded where it enters (issue 18): an answer out of bounds is
 *   ignored (see readRateLimit), and so is a shared quota's wait that is not a number of ms up to
 *   the longest reset believed. No wait is longer than `acquire`'s `maxWait` (the Client's
 *   `maxRetryDelay`): a call that would wait longer fails at once, with nothing sent. No sleep
 *   asked of the clock is longer than MAX_TIMER_MS, or under 1 ms.
 */
export class RateLimiter {
  #limit: number;
  #windowMs: number;
  readonly #clock: Clock;
  #tokens: number;
  #refilledAt: number;
  #inFlight = 0;
  /** What the server said is left in its window, minus what was sent since; undefined when unknown. */
  #serverRemaining: number | undefined;
  #serverResetAt = 0;
  /** Whether #serverResetAt is a guess (the window rolled over and the server has not answered since). */
  #resetGuessed = false;
  /** X-RateLimit-Limit, and the longest X-RateLimit-Reset seen (the server's window length, about). */
  #serverLimit: number | undefined;
  #serverWindowMs = 0;
  /** Requests allowed in flight at once, requests in flight, and calls waiting for one to end. */
  #maxInFlight = Infinity;
  #active = 0;
  readonly #queue: Array<() => void> = [];
  #shared: { quota: SharedQuota; key: string; context: QuotaContext } | undefined;
  /** The longest X-RateLimit-Reset believed, in ms (by the longest window any Client assumes). */
  #maxResetMs: number;

  constructor(clock: Clock, options: PacingOptions = {}) {
    ({ limit: this.#limit, windowMs: this.#windowMs } = pacingOf(options));
    this.#maxResetMs = resetBound(this.#windowMs);
    this.#clock = clock;
    this.#tokens = this.#limit;
    this.#refilledAt = clock.now();
  }

  /** Another Client of the key assumes `options`: the lower rate wins until the server has said. */
  assume(options: PacingOptions): void {
    const { limit, windowMs } = pacingOf(options);
    this.#maxResetMs = Math.max(this.#maxResetMs, resetBound(windowMs));
    if (this.#serverLimit !== undefined || limit / windowMs >= this.#limit / this.#windowMs) return;
    this.#refill(this.#clock.now());
    this.#limit = limit;
    this.#windowMs = windowMs;
    this.#tokens = Math.min(this.#tokens, limit);
  }

  /** Also takes every request's slot from `quota`, shared with other processes, under `key`. */
  share(quota: SharedQuota, key: string, logger: Logger | undefined): void {
    this.#shared ??= { quota, key, context: { logger } };
  }

  /** Caps requests in flight at `max` (the smallest cap asked for wins). */
  limitInFlight(max: number): void {
    this.#maxInFlight = Math.min(this.#maxInFlight, max);
  }

  /**
   * Takes one of the in-flight slots, waiting in line for one when all are taken; undefined when
   * one was free (no await needed). Rejects with the signal's reason if it aborts while waiting.
   */
  enter(signal?: AbortSignal): Promise<void> | undefined {
    if (this.#active < this.#maxInFlight && this.#queue.length === 0) {
      this.#active++;
      return undefined;
    }
    return new Promise<void>((resolve, reject) => {
      const onAbort = () => {
        const index = this.#queue.indexOf(next);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(signal?.reason);
      };
      const next = () => {
        signal?.removeEventListener('abort', onAbort);
        this.#active++;
        resolve();
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(next);
    });
  }

  /** Gives back a slot taken by `enter`; the next call in line takes it. */
  leave(): void {
    this.#active--;
    if (this.#active < this.#maxInFlight) this.#queue.shift()?.();
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
      this.#resetGuessed = true;
    }
  }

  /** How long to wait before a request may go; 0 when it may go now. */
  #wait(now: number): number {
    this.#refill(now);
    const bucketWait = this.#tokens >= 1 ? 0 : ((1 - this.#tokens) * this.#windowMs) / this.#limit;
    const serverWait = this.#serverRemaining !== undefined && this.#serverRemaining < 1 ? this.#serverResetAt - now : 0;
    // Whole ms, never NaN or Infinity (a `pacing.limit` of 1e-300 a minute): `acquire` compares it
    // with `maxWait` and reports it.
    const wait = Math.ceil(Math.max(bucketWait, serverWait));
    return wait > 0 ? Math.min(wait, Number.MAX_SAFE_INTEGER) : 0;
  }

  /**
   * Resolves when one more request may be sent (and counts it). Rejects if `signal` aborts first.
   * `count`: never waits (pacing off). A background refresh asks with `maxWait` 0: a slot free now, or none.
   * A wait longer than `maxWait` ms (the Client's `maxRetryDelay`) rejects at once, without
   * sleeping, with a RateLimitError (429, `rate_limited`) whose `retryAfter` is that wait.
   * Each wait, with its length and reason, goes to `log.debug` (the calling Client's logger).
   */
  async acquire(
    signal?: AbortSignal,
    mode: 'wait' | 'count' = 'wait',
    log?: Logger,
    maxWait = Infinity,
  ): Promise<void> {
    // Background refreshes too take a shared slot (maxWait 0: only when one is free now).
    const shared = mode === 'count' ? undefined : this.#shared;
    let held = !shared; // a slot of the shared quota
    for (;;) {
      signal?.throwIfAborted();
      let wait = mode === 'count' ? 0 : this.#wait(this.#clock.now());
      let reason = '';
      if (wait === 0) {
        // This process's check and count must not be split by an await (concurrent callers would
        // all pass the check): take the shared slot first, then check again.
        if (held || !shared) break;
        // From Redis: NaN, negative or 9e15 is no wait the store could mean (as when it fails, 0).
        const taken = await shared.quota.take(shared.key, { ...shared.context, signal, maxWait });
        wait = taken > 0 && taken <= this.#maxResetMs ? Math.ceil(taken) : 0;
        held = wait === 0;
        if (held) continue;
        reason = 'shared quota';
      }
      reason ||=
        (this.#serverRemaining ?? 1) < 1 ? 'X-RateLimit-Remaining: 0' : `${this.#limit} per ${this.#windowMs} ms`;
      if (!(wait <= maxWait)) throw pacingTooLong(wait, reason, maxWait);
      log?.debug?.(`codex: pacing waits ${wait} ms (${reason})`);
      // A wait over the timer's range (only with a `maxWait` that large) is slept in parts.
      await this.#clock.sleep(Math.min(wait, MAX_TIMER_MS), signal);
    }
    this.#tokens -= 1;
    if (this.#serverRemaining !== undefined) this.#serverRemaining -= 1;
    this.#inFlight += 1;
  }

  /** A request counted by `acquire` ended; `headers` are its response's, if it got one. */
  settle(headers?: Headers): void {
    this.#inFlight = Math.max(0, this.#inFlight - 1);
    if (!headers) return;
    const answer = readRateLimit(headers, this.#maxResetMs, this.#serverLimit);
    if (!answer) return;
    // Only answers within bounds reach the shared quota too.
    this.#shared?.quota.observe(this.#shared.key, headers, this.#shared.context);
    const { limit, remaining, resetMs } = answer;
    const now = this.#clock.now();
    this.#serverWindowMs = Math.max(this.#serverWindowMs, resetMs);
    if (limit !== undefined) {
      this.#serverLimit = limit;
      // The bucket takes the server's limit and window: the configured pacing was an assumption.
      this.#refill(now);
      this.#tokens = Math.max(0, Math.min(limit, this.#tokens + limit - this.#limit));
      this.#limit = limit;
      if (this.#serverWindowMs > 0) this.#windowMs = this.#serverWindowMs;
    }
    const resetAt = now + resetMs;
    // Which window the answer is from, by the end it states: ends within half a window of the
    // current one's are the current window's (stated ends differ by the rounding, under a second,
    // and by how late the answer is read: a busy event loop reads it late); half a window later,
    // the next one's; half a window earlier, the one before (a request sent before the rollover,
    // answered after it). That one says nothing of the current window: its "0 left, reset in 1 s"
    // would end it early, and a whole limit more would go into it.
    const margin = Math.max(this.#serverWindowMs / 2, WINDOW_MARGIN_MS);
    if (this.#serverRemaining !== undefined && resetAt < this.#serverResetAt - margin) return;
    // Requests still in flight may not have been counted by the server yet.
    const left = Math.max(0, remaining - this.#inFlight);
    const newWindow = this.#serverRemaining === undefined || resetAt > this.#serverResetAt + margin;
    this.#serverRemaining = newWindow ? left : Math.min(this.#serverRemaining ?? left, left);
    // X-RateLimit-Reset is in whole seconds, rounded up: each answer says the window ends at most
    // `reset` s from now, up to a second early. Within one window the earliest such end is the
    // closest (and still not before the true end), so a client that waits for it starts the next
    // window on time instead of up to a second late (issue 10: bulk throughput). After a rollover
    // the end is a guess, which the server's first answer replaces.
    this.#serverResetAt = newWindow || this.#resetGuessed ? resetAt : Math.min(this.#serverResetAt, resetAt);
    this.#resetGuessed = false;
  }
}

/** Pacing's refusal to wait longer than `maxWait`: nothing was sent. */
function pacingTooLong(wait: number, reason: string, maxWait: number): RateLimitError {
  const seconds = (ms: number) => (ms < 10_000 ? `${ms} ms` : `${Math.ceil(ms / 1000)} s`);
  const message =
    `Pacing would have to wait ${seconds(wait)} (${reason}), over maxRetryDelay (${seconds(maxWait)}), ` +
    'the longest wait the SDK takes; nothing was sent.';
  return new RateLimitError(429, { code: 'rate_limited', message }, new Headers(), wait);
}
