import type { Clock } from './clock';
import { CodexError } from './errors';
import type { Logger } from './logger';

export type PacingOptions = {
  /**
   * Requests per window assumed for one API key until the API says (the API allows 1,000 a
   * minute); from the first response on, its X-RateLimit-Limit and X-RateLimit-Reset rule.
   * @default 1000
   */
  limit?: number;
  /**
   * Window length in milliseconds, assumed until the API says.
   * @default 60000
   */
  windowMs?: number;
};

/**
 * A request quota that several processes share (`@codex/redis` keeps one in Redis), keyed by base
 * URL and client ID like the API's own. Every request takes a slot first; every answer's
 * X-RateLimit-* headers are reported, so that the shared quota follows the server.
 */
export type SharedQuota = {
  /**
   * Takes one request slot of `key`: 0 when the request may go now, else ms to wait before asking
   * again. Never rejects: when the shared store fails, it answers 0 (pacing stays per process) and
   * tells `context.logger` once.
   */
  take(key: string, context: QuotaContext): Promise<number>;
  /** An answer's headers (X-RateLimit-*), for the shared quota to follow the server. Never throws. */
  observe(key: string, headers: Headers, context: QuotaContext): void;
};

/** The Client's logger, for a shared quota's warnings. */
export type QuotaContext = { logger?: Logger | undefined };

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

  constructor(clock: Clock, options: PacingOptions = {}) {
    this.#limit = options.limit ?? 1000;
    this.#windowMs = options.windowMs ?? 60_000;
    this.#clock = clock;
    this.#tokens = this.#limit;
    this.#refilledAt = clock.now();
  }

  /** Another Client of the key assumes `options`: the lower rate wins until the server has said. */
  assume(options: PacingOptions): void {
    const limit = options.limit ?? 1000;
    const windowMs = options.windowMs ?? 60_000;
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
    return Math.max(0, Math.ceil(Math.max(bucketWait, serverWait)));
  }

  /**
   * Resolves when one more request may be sent (and counts it). Rejects if `signal` aborts first.
   * `no-wait`: rejects at once with a CodexError when it would wait; `count`: never waits (pacing off).
   * Each wait, with its length and reason, goes to `log.debug` (the calling Client's logger).
   */
  async acquire(signal?: AbortSignal, mode: 'wait' | 'no-wait' | 'count' = 'wait', log?: Logger): Promise<void> {
    // Background refreshes too take a shared slot ('no-wait': only when one is free now).
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
        wait = await shared.quota.take(shared.key, shared.context);
        held = !(wait > 0);
        if (held) continue;
        reason = 'shared quota';
      }
      if (mode === 'no-wait') throw new CodexError('No pacing slot is free now.');
      log?.debug?.(
        `codex: pacing waits ${wait} ms (${
          reason ||
          ((this.#serverRemaining ?? 1) < 1 ? 'X-RateLimit-Remaining: 0' : `${this.#limit} per ${this.#windowMs} ms`)
        })`,
      );
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
    this.#shared?.quota.observe(this.#shared.key, headers, this.#shared.context);
    const remaining = Number(headers.get('x-ratelimit-remaining') ?? Number.NaN);
    const reset = Number(headers.get('x-ratelimit-reset') ?? Number.NaN);
    if (!Number.isFinite(remaining) || !Number.isFinite(reset) || remaining < 0 || reset < 0) return;
    const limit = Number(headers.get('x-ratelimit-limit') ?? Number.NaN);
    const now = this.#clock.now();
    this.#serverWindowMs = Math.max(this.#serverWindowMs, reset * 1000);
    if (Number.isFinite(limit) && limit > 0) {
      this.#serverLimit = limit;
      // The bucket takes the server's limit and window: the configured pacing was an assumption.
      this.#refill(now);
      this.#tokens = Math.max(0, Math.min(limit, this.#tokens + limit - this.#limit));
      this.#limit = limit;
      if (this.#serverWindowMs > 0) this.#windowMs = this.#serverWindowMs;
    }
    const resetAt = now + reset * 1000;
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
