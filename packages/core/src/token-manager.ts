import { backoffDelay } from './backoff';
import type { Clock } from './clock';
import { CodexError } from './errors';
import type { Logger } from './logger';
import { checkToken, type StoredToken, type TokenStore } from './token-store';
import type { ProvidedToken } from './types';

/** Background refresh starts at most this long before expiry... */
export const REFRESH_WINDOW_MS = 5 * 60_000;
/** ...or in the last 10% of a short lifetime. */
export const REFRESH_FRACTION = 0.1;
/** Callers wait for a new token only inside this margin (or its share of a short lifetime). */
export const BLOCKING_MARGIN_MS = 30_000;
/**
 * A token is not sent in its last 2 s (or the last half of its blocking margin when short): time
 * for the request to reach the API, and for the clocks of machines sharing a store to disagree.
 */
export const EXPIRY_MARGIN_MS = 2_000;

/**
 * Fetches a new token. `signal` aborts it when every caller waiting for it has given up;
 * `background` is true when no caller waits for it.
 */
export type FetchToken = (signal?: AbortSignal, background?: boolean) => Promise<ProvidedToken>;

export type TokenManagerOptions = {
  /**
   * Fetches a new token for getToken calls that bring no `fetchToken` of their own (tests). A
   * Client passes its own with every call, so that its token requests go through its fetch.
   */
  fetchToken?: FetchToken | undefined;
  /**
   * Wraps every token fetch, e.g. to share tokens across processes or tabs (`coordinateRefresh`).
   * Made once per manager: the function it wraps runs the fetch of the caller the refresh is for.
   */
  coordinate?: ((fetchToken: FetchToken) => FetchToken) | undefined;
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
  /**
   * Where a failing store or an unusable stored token is reported (warn, once each), and refreshes
   * and waits for them (debug).
   */
  logger?: Logger | undefined;
};

/** A token request in flight, and how many callers wait for it. */
type Flight = { promise: Promise<StoredToken>; controller: AbortController; waiters: number; background: boolean };

/** A token and when to refresh it (refreshPlan). */
type PlannedToken = StoredToken & ReturnType<typeof refreshPlan>;

/**
 * When a token with this lifetime should be refreshed in the background, when callers must wait,
 * and until when it may be sent at all.
 */
export function refreshPlan(token: StoredToken, random: () => number) {
  const window = Math.min(REFRESH_WINDOW_MS, token.lifetimeMs * REFRESH_FRACTION);
  const margin = Math.min(BLOCKING_MARGIN_MS, window / 2);
  // Jittered inside the first half of the window, so many clients of one key do not refresh at once.
  const refreshAt = token.expiresAt - window + random() * (window / 2);
  return {
    refreshAt,
    blockAt: token.expiresAt - margin,
    usableUntil: token.expiresAt - Math.min(EXPIRY_MARGIN_MS, margin / 2),
  };
}

/**
 * What a caller does with the current token at `now` (issue 18, item 20): use it; use it and
 * start a background refresh; or wait for a refresh (which, if it fails while the token is still
 * usable, leaves the caller the token). While a failed refresh backs off (`retryAt`), a usable
 * token is used as it is.
 */
export function nextStep(
  token: PlannedToken | undefined,
  now: number,
  { background, retryAt }: { background: boolean; retryAt: number },
): 'use' | 'use-and-refresh' | 'wait' {
  if (!token || now >= token.usableUntil) return 'wait';
  if (now < token.refreshAt || now < retryAt) return 'use';
  return background && now < token.blockAt ? 'use-and-refresh' : 'wait';
}

/**
 * Keeps one access token fresh for every caller of one key.
 * - Expiry is the local time the token was received plus `expires_in`, clamped to [1 s, 24 h].
 * - Every token from outside (a fetch, a coordinateRefresh, the store) is checked (`checkToken`):
 *   an unusable stored token is ignored, logged once at warn (never quoted), and a new one fetched.
 * - Inside the refresh window (the last 5 minutes, or the last 10% of a short lifetime; jittered),
 *   one background refresh runs while callers keep using the current token.
 * - Callers wait for a refresh only when there is no token or it is inside its last 30 s (or its
 *   last 5% when short): no request is sent with a token known to be expired.
 * - A refresh that fails while the token is still valid (more than 2 s left, or half the blocking
 *   margin when short) fails no caller: they keep the token, and the refresh is retried with
 *   backoff, not by every call. Calls fail only when no valid token is left.
 * - Single flight: concurrent callers share one token request.
 * - A failed refresh is never cached: without a valid token, the next caller tries again.
 * - Each caller brings its `fetchToken` (its Client's fetch, timeout and hooks): the token request
 *   made for a call goes through that call's Client, background refreshes too.
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
  /** Every fetch, through `coordinate` when given. */
  readonly #fetch: FetchToken;
  /** The fetchToken of the caller each refresh (by its signal) is for. */
  readonly #callers = new WeakMap<AbortSignal, FetchToken>();
  #current: PlannedToken | undefined;
  #flight: Flight | undefined;
  #loaded: Promise<void> | undefined;
  #failures = 0;
  #retryAt = 0;
  #warned = false;
  #warnedOfToken = false;

  constructor(options: TokenManagerOptions) {
    this.#options = options;
    this.#random = options.random ?? Math.random;
    // Wrappers pass the refresh's signal on: it says whose fetch to use (or the refresh in flight's).
    const ofCaller: FetchToken = (signal, background) => {
      const fetch =
        (signal && this.#callers.get(signal)) ?? (this.#flight && this.#callers.get(this.#flight.controller.signal));
      if (!fetch)
        return Promise.reject(
          new CodexError('A token was fetched outside a refresh.', { code: 'token_provider_failed' }),
        );
      return fetch(signal, background);
    };
    this.#fetch = options.coordinate ? options.coordinate(ofCaller) : ofCaller;
  }

  /**
   * A token to send (valid beyond the blocking margin, or beyond its last seconds when refreshes
   * fail); `fetchToken` fetches one when needed. @default the manager's `fetchToken`
   */
  async getToken(signal?: AbortSignal, fetchToken = this.#options.fetchToken): Promise<StoredToken> {
    if (!fetchToken) throw new CodexError('TokenManager.getToken: no fetchToken.', { code: 'token_provider_failed' });
    // Load from the store once; concurrent first callers wait for the same read, so a valid
    // stored token is used rather than refreshed.
    this.#loaded ??= this.#load();
    await this.#loaded;
    const now = this.#options.clock.now();
    const current = this.#current;
    const step = nextStep(current, now, {
      background: this.#options.backgroundRefresh !== false,
      retryAt: this.#retryAt,
    });
    if (current && step === 'use') return current;
    if (current && step === 'use-and-refresh') {
      // Its failure backs off (#refresh): callers still hold a valid token.
      if (!this.#flight) this.#refresh(true, fetchToken).promise.catch(() => {});
      return current;
    }
    this.#options.logger?.debug?.(
      `codex: waiting for a token refresh (${current ? `expires in ${current.expiresAt - now} ms` : 'no token yet'})`,
    );
    const flight = this.#flight ?? this.#refresh(false, fetchToken);
    try {
      return await this.#wait(flight, signal);
    } catch (error) {
      if (signal?.aborted) throw error;
      // The token is still valid for a while: keep using it, and refresh again after the backoff.
      const kept = this.#current;
      if (kept && this.#options.clock.now() < kept.usableUntil) return kept;
      // A background refresh is not retried and has a short timeout: if it fails, refresh for real.
      if (!flight.background) throw error;
      return this.#wait(this.#flight ?? this.#refresh(false, fetchToken), signal);
    }
  }

  /** Forgets `token` if it is still the current one (the API rejected it). */
  async invalidate(token: string): Promise<void> {
    if (this.#current?.accessToken !== token) return;
    this.#current = undefined;
    // Not a newer token another process (or Client) put in a shared store meanwhile.
    const stored = (await this.#store('get')) as { accessToken?: unknown } | null | undefined;
    if (stored?.accessToken === token) await this.#store('delete');
  }

  /** Waits for `flight`, abandoning the wait (with the caller's own reason) on abort. */
  #wait(flight: Flight, signal?: AbortSignal): Promise<StoredToken> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    // A caller without a signal never leaves: it waits until the end, and the refresh with it.
    flight.waiters++;
    // A background refresh holds no process open (its fetch and timer are unref'd): a caller that
    // now waits for it must, or a Node process whose only work is that wait exits at once, its
    // call unsettled (exit code 13, seen in CI under load). A timer that does nothing is the one
    // Web API that holds a process open; cleared when the wait ends.
    const keepAlive = flight.background ? setInterval(() => {}, 60_000) : undefined;
    return new Promise((resolve, reject) => {
      let waiting = true;
      /** Stops waiting, once, and settles with `value`; false if it already had. */
      const leave = (settle: (value: never) => void, value: unknown) => {
        if (!waiting) return false;
        waiting = false;
        clearInterval(keepAlive);
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

  /** Adopts the stored token, if there is one and it passes the checks (issue 18, item 2). */
  async #load(): Promise<void> {
    const stored = await this.#store('get');
    if (stored === undefined || stored === null || this.#current) return;
    const token = checkToken(stored, 'store', this.#options.clock.now());
    if (typeof token !== 'string') return this.#adopt(token);
    // Once per key: a store that keeps returning it would otherwise log on every Client.
    const { logger } = this.#options;
    const log = this.#warnedOfToken ? logger?.debug : logger?.warn;
    this.#warnedOfToken = true;
    log?.call(logger, `codex: ignored the token in the token store (${token}); requesting a new one.`);
  }

  #refresh(background: boolean, fetchToken: FetchToken): Flight {
    const controller = new AbortController();
    this.#callers.set(controller.signal, fetchToken);
    const { clock } = this.#options;
    const promise = (async () => {
      // What the fetch (or a coordinateRefresh) returns is checked and clamped (issue 18, items 2, 14).
      const token = checkToken(await this.#fetch(controller.signal, background), 'response', clock.now());
      if (typeof token === 'string')
        throw new CodexError(`The token fetched is unusable: ${token}.`, { code: 'token_provider_failed' });
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
    promise.then(done, () => {
      done();
      // Without a valid token the next caller tries at once; with one, callers keep it meanwhile.
      this.#failures++;
      this.#retryAt = clock.now() + backoffDelay(this.#failures, this.#random);
    });
    return flight;
  }

  /** A store call that never fails the caller: its first error is logged, then it is skipped over. */
  async #store(method: 'get' | 'set' | 'delete', token?: StoredToken): Promise<unknown> {
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
