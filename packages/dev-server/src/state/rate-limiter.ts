import type { Settings } from '../options';

export type RateState = { limit: number; remaining: number; resetMs: number; allowed: boolean };

/**
 * A fixed window per client ID (the contract: 1,000 requests a minute per API key).
 * - A window opens at a key's first request and lasts `windowSeconds`; the count resets after it.
 * - Every request counts once, a batch included, token requests included.
 * - Limits changed through the admin API apply from the next request.
 */
export class RateLimiter {
  readonly #windows = new Map<string, { start: number; count: number }>();

  constructor(
    private readonly now: () => number,
    private readonly settings: () => Settings['rateLimit'],
  ) {}

  #window(key: string) {
    const { windowSeconds } = this.settings();
    const now = this.now();
    let window = this.#windows.get(key);
    if (!window || now >= window.start + windowSeconds * 1000) {
      window = { start: now, count: 0 };
      this.#windows.set(key, window);
    }
    return window;
  }

  #state(window: { start: number; count: number }, allowed: boolean): RateState {
    const { limit, windowSeconds } = this.settings();
    return {
      limit,
      remaining: Math.max(0, limit - window.count),
      resetMs: Math.max(0, window.start + windowSeconds * 1000 - this.now()),
      allowed,
    };
  }

  /** Counts one request for `key`; says whether it is allowed and what the headers should say. */
  consume(key: string): RateState {
    const window = this.#window(key);
    if (window.count >= this.settings().limit) return this.#state(window, false);
    window.count++;
    return this.#state(window, true);
  }

  /** The state without counting a request. */
  peek(key: string): RateState {
    return this.#state(this.#window(key), true);
  }

  clear(): void {
    this.#windows.clear();
  }
}
