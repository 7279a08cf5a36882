import { backoffDelay } from './backoff';
import type { Clock } from './clock';
import type { ProvidedToken } from './credentials';
import type { StoredToken, TokenStore } from './token-store';

/** Background refresh starts at most this long before expiry... */
export const REFRESH_WINDOW_MS = 5 * 60_000;
/** ...or in the last 10% of a short lifetime. */
export const REFRESH_FRACTION = 0.1;
/** Callers wait for a new token only inside this margin (or its share of a short lifetime). */
export const BLOCKING_MARGIN_MS = 30_000;

export type TokenManagerOptions = {
  /** Fetches a new token (the token endpoint, or a token provider). */
  fetchToken: (signal?: AbortSignal) => Promise<ProvidedToken>;
  store: TokenStore;
  /** Store key: (baseUrl, client ID, scope). */
  key: string;
  clock: Clock;
  /** [0, 1); injectable for tests. */
  random?: () => number;
};

/** When a token with this lifetime should be refreshed in the background, and when callers must wait. */
export function refreshPlan(token: StoredToken, random: () => number) {
  const window = Math.min(REFRESH_WINDOW_MS, token.lifetimeMs * REFRESH_FRACTION);
  const margin = Math.min(BLOCKING_MARGIN_MS, window / 2);
  // Jittered inside the first half of the window, so many clients of one key do not refresh at once.
  const refreshAt = token.expiresAt - window + random() * (window / 2);
  return { refreshAt, blockAt: token.expiresAt - margin };
}

/**
 * Keeps one access token fresh for every caller of one key.
 * - Expiry is the local time the token was received plus `expires_in`.
 * - Inside the refresh window (the last 5 minutes, or the last 10% of a short lifetime; jittered),
 *   one background refresh runs while callers keep using the current token.
 * - Callers wait for a refresh only when there is no token or it is inside its last 30 s (or its
 *   last 5% when short): no request is sent with a token known to be expired.
 * - Single flight: concurrent callers share one token request.
 * - A failed refresh is never cached: the next caller tries again; background retries back off.
 * - `invalidate(token)` drops a token the API rejected (401 invalid_token), once, however many
 *   requests saw it rejected.
 * No timers: refreshes are started by callers, so an idle client keeps no process alive.
 * Its state is in private fields, which JSON.stringify and util.inspect do not show.
 */
export class TokenManager {
  readonly #options: TokenManagerOptions;
  readonly #random: () => number;
  #current: (StoredToken & { refreshAt: number; blockAt: number }) | undefined;
  #inflight: Promise<StoredToken> | undefined;
  #loaded: Promise<void> | undefined;
  #failures = 0;
  #retryAt = 0;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
  }

  /** A token valid beyond the blocking margin (the token and its expiry). */
  async getToken(signal?: AbortSignal): Promise<StoredToken> {
    // Load from the store once; concurrent first callers wait for the same read, so a valid
    // stored token is used rather than refreshed.
    this.#loaded ??= this.#options.store.get(this.#options.key).then(
      (stored) => {
        if (stored && !this.#current) this.#adopt(stored);
      },
      () => {}, // an unreadable store is an empty one
    );
    await this.#loaded;
    const now = this.#options.clock.now();
    const current = this.#current;
    if (current && now < current.blockAt) {
      if (now >= current.refreshAt && now >= this.#retryAt && !this.#inflight) {
        this.#refresh().catch(() => {
          // Background failure: callers still hold a valid token; back off before trying again.
          this.#failures++;
          this.#retryAt = this.#options.clock.now() + backoffDelay(this.#failures, this.#random);
        });
      }
      return current;
    }
    return this.#join(signal);
  }

  /** Forgets `token` if it is still the current one (the API rejected it). */
  async invalidate(token: string): Promise<void> {
    if (this.#current?.accessToken !== token) return;
    this.#current = undefined;
    await this.#options.store.delete(this.#options.key);
  }

  /** Waits for the in-flight refresh (or starts one), abandoning the wait, not the refresh, on abort. */
  #join(signal?: AbortSignal): Promise<StoredToken> {
    const refresh = this.#inflight ?? this.#refresh();
    if (!signal) return refresh;
    signal.throwIfAborted();
    return new Promise((resolve, reject) => {
      const onAbort = () => reject(signal.reason);
      signal.addEventListener('abort', onAbort, { once: true });
      refresh.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
    });
  }

  #refresh(): Promise<StoredToken> {
    const flight = (async () => {
      const { accessToken, expiresIn } = await this.#options.fetchToken();
      const receivedAt = this.#options.clock.now();
      const token: StoredToken = {
        accessToken,
        expiresAt: receivedAt + expiresIn * 1000,
        lifetimeMs: expiresIn * 1000,
      };
      this.#adopt(token);
      this.#failures = 0;
      this.#retryAt = 0;
      await this.#options.store.set(this.#options.key, token);
      return token;
    })();
    this.#inflight = flight;
    flight.then(
      () => {
        if (this.#inflight === flight) this.#inflight = undefined;
      },
      () => {
        if (this.#inflight === flight) this.#inflight = undefined;
      },
    );
    return flight;
  }

  #adopt(token: StoredToken): void {
    this.#current = { ...token, ...refreshPlan(token, this.#random) };
  }
}
