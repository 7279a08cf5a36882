import { backoffDelay } from './backoff';
import type { Clock } from './clock';
import type { Logger } from './logger';
import type { StoredToken, TokenStore } from './token-store';
import type { ProvidedToken } from './types';

/** Background refresh starts at most this long before expiry... */
export const REFRESH_WINDOW_MS = 5 * 60_000;
/** ...or in the last 10% of a short lifetime. */
export const REFRESH_FRACTION = 0.1;
/** Callers wait for a new token only inside this margin (or its share of a short lifetime). */
export const BLOCKING_MARGIN_MS = 30_000;

export type TokenManagerOptions = {
  /**
   * Fetches a new token (the token endpoint, or a token provider). `signal` aborts it when every
   * caller waiting for it has given up; `background` is true when no caller waits for it.
   */
  fetchToken: (signal?: AbortSignal, background?: boolean) => Promise<ProvidedToken>;
  /**
   * false: no refresh without a caller waiting for it; a token due for refresh is refreshed by the
   * next call, which waits (edge runtimes cancel work left running after a response). @default true
   */
  backgroundRefresh?: boolean | undefined;
  /** Where tokens persist beyond this manager (best effort). @default none: the manager's memory */
  store?: TokenStore | undefined;
  /** Store key: (baseUrl, client ID and a hash of its secret, scope). */
  key: string;
  clock: Clock;
  /** [0, 1); injectable for tests. */
  random?: () => number;
  /** Where a failing store is reported, once, and refreshes and waits for them (debug). */
  logger?: Logger | undefined;
};

/** A token request in flight, and how many callers wait for it. */
type Flight = { promise: Promise<StoredToken>; controller: AbortController; waiters: number; background: boolean };

/** A bearer token must be a valid header value: visible ASCII only (RFC 6750's b64token, loosely). */
export const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

const isStoredToken = (token: Partial<StoredToken>) =>
  typeof token.accessToken === 'string' &&
  TOKEN_PATTERN.test(token.accessToken) &&
  Number.isFinite(token.expiresAt) &&
  (token.lifetimeMs as number) > 0;

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
 * - A caller that gives up (abort, deadline) stops waiting with its own reason; the refresh goes on
 *   for the others, and is aborted when nobody waits any more. A refresh never fails a caller with
 *   another caller's deadline or abort.
 * - A background refresh has a short timeout and holds no process open (`backgroundFetch`).
 * - The store is best effort: its errors are logged once, and the token is kept in memory.
 * No timers: refreshes are started by callers, so an idle client keeps no process alive.
 * Its state is in private fields, which JSON.stringify and util.inspect do not show.
 */
export class TokenManager {
  readonly #options: TokenManagerOptions;
  readonly #random: () => number;
  #current: (StoredToken & { refreshAt: number; blockAt: number }) | undefined;
  #flight: Flight | undefined;
  #loaded: Promise<void> | undefined;
  #failures = 0;
  #retryAt = 0;
  #warned = false;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
  }

  /** A token valid beyond the blocking margin (the token and its expiry). */
  async getToken(signal?: AbortSignal): Promise<StoredToken> {
    // Load from the store once; concurrent first callers wait for the same read, so a valid
    // stored token is used rather than refreshed.
    this.#loaded ??= this.#store('get').then((stored) => {
      // A stored token is checked like a fetched one: a file or a custom store may hold anything.
      if (stored && !this.#current && isStoredToken(stored)) this.#adopt(stored);
    });
    await this.#loaded;
    const now = this.#options.clock.now();
    const current = this.#current;
    const background = this.#options.backgroundRefresh !== false;
    if (current && now < (background ? current.blockAt : current.refreshAt)) {
      if (background && now >= current.refreshAt && now >= this.#retryAt && !this.#flight) {
        this.#refresh(true).promise.catch(() => {
          // Background failure: callers still hold a valid token; back off before trying again.
          this.#failures++;
          this.#retryAt = this.#options.clock.now() + backoffDelay(this.#failures, this.#random);
        });
      }
      return current;
    }
    this.#options.logger?.debug?.(
      `codex: waiting for a token refresh (${current ? `expires in ${current.expiresAt - now} ms` : 'no token yet'})`,
    );
    const flight = this.#flight ?? this.#refresh(false);
    if (!flight.background) return this.#wait(flight, signal);
    // A background refresh is not retried and has a short timeout: if it fails, refresh for real.
    return this.#wait(flight, signal).catch(() => this.#wait(this.#flight ?? this.#refresh(false), signal));
  }

  /** Forgets `token` if it is still the current one (the API rejected it). */
  async invalidate(token: string): Promise<void> {
    if (this.#current?.accessToken !== token) return;
    this.#current = undefined;
    // Not a newer token another process (or Client) put in a shared store meanwhile.
    if ((await this.#store('get'))?.accessToken === token) await this.#store('delete');
  }

  /** Waits for `flight`, abandoning the wait (with the caller's own reason) on abort. */
  #wait(flight: Flight, signal?: AbortSignal): Promise<StoredToken> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    // A caller without a signal never leaves: it waits until the end, and the refresh with it.
    flight.waiters++;
    return new Promise((resolve, reject) => {
      let waiting = true;
      /** Stops waiting, once, and settles with `value`; false if it already had. */
      const leave = (settle: (value: never) => void, value: unknown) => {
        if (!waiting) return false;
        waiting = false;
        flight.waiters--;
        signal?.removeEventListener('abort', onAbort);
        settle(value as never);
        return true;
      };
      const onAbort = () => {
        // Nobody waits any more: stop the request, and let the next caller start afresh.
        if (leave(reject, signal?.reason) && !flight.waiters && !flight.background && this.#flight === flight) {
          this.#flight = undefined;
          flight.controller.abort();
        }
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      flight.promise.then(
        (token) => leave(resolve, token),
        (error) => leave(reject, error),
      );
    });
  }

  #refresh(background: boolean): Flight {
    const controller = new AbortController();
    const promise = (async () => {
      const { accessToken, expiresIn } = await this.#options.fetchToken(controller.signal, background);
      const receivedAt = this.#options.clock.now();
      const token: StoredToken = {
        accessToken,
        expiresAt: receivedAt + expiresIn * 1000,
        lifetimeMs: expiresIn * 1000,
      };
      this.#adopt(token);
      this.#failures = 0;
      this.#retryAt = 0;
      await this.#store('set', token);
      return token;
    })();
    // Callers that never pass a signal never leave: they count as waiting until the end.
    const flight: Flight = { promise, controller, waiters: 0, background };
    this.#flight = flight;
    const done = () => {
      if (this.#flight === flight) this.#flight = undefined;
    };
    promise.then(done, done);
    return flight;
  }

  /** A store call that never fails the caller: its first error is logged, then it is skipped over. */
  async #store(method: 'get' | 'set' | 'delete', token?: StoredToken): Promise<StoredToken | undefined> {
    const { store, key, logger } = this.#options;
    if (!store) return undefined;
    try {
      if (method === 'get') return await store.get(key);
      await (method === 'set' ? store.set(key, token as StoredToken) : store.delete(key));
    } catch (error) {
      if (!this.#warned) {
        this.#warned = true;
        logger?.warn?.(`codex: the token store failed (${method}), ignored: ${(error as Error)?.message}`);
      }
      return undefined;
    }
  }

  #adopt(token: StoredToken): void {
    this.#current = { ...token, ...refreshPlan(token, this.#random) };
  }
}
