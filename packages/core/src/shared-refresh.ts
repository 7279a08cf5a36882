import { CodexError } from './errors';
import { type FetchToken, REFRESH_FRACTION, REFRESH_WINDOW_MS } from './token-manager';
import { checkToken, MIN_LIFETIME_MS, type TokenStore } from './token-store';
import type { ProvidedToken, RefreshContext, TokenProvider } from './types';

/** Thrown by a RefreshLock when another process holds the lock (at once, or after waiting too long). */
export class RefreshLockBusy extends Error {}

/**
 * Runs `fn` holding the refresh lock of a token key, shared by processes (a lock file, a Redis
 * key). `wait: false` (a background refresh): throws RefreshLockBusy at once if another process
 * holds it. `wait: true`: waits for it, and throws RefreshLockBusy after waiting too long. Any other
 * error means no lock is to be had (a read-only directory, Redis down): the refresh goes ahead.
 */
export type RefreshLock = <T>(key: string, wait: boolean, fn: () => Promise<T>) => Promise<T>;

/**
 * A `coordinateRefresh` that shares tokens through a store that processes share (files, Redis):
 * a refresh holds the key's lock, reads the store first and takes a token another process wrote
 * (not yet in its refresh window, and not the one being replaced), and otherwise fetches one and
 * writes it before letting go. So a process whose token is due reads the store again, and N
 * processes make one token request. Never fails a call for the lock's sake: without a lock, or
 * after waiting too long for one, the refresh goes ahead (the first such problem is logged once).
 * What the store holds is checked like a token response (`checkToken`): an unusable token is
 * ignored (logged once per key at warn, never quoted) and a new one fetched and written over it.
 */
export function refreshThroughStore(
  store: TokenStore,
  lock: RefreshLock,
): (key: string, fetchToken: TokenProvider, context?: RefreshContext) => TokenProvider {
  return (key, fetchToken, context = {}) => {
    let last: string | undefined;
    let warned = false;
    let warnedOfToken = false;
    const refresh = async (signal?: AbortSignal, background?: boolean): Promise<ProvidedToken> => {
      const stored: unknown = await store.get(key).catch(() => undefined);
      const now = Date.now();
      const token = stored === undefined || stored === null ? undefined : checkToken(stored, 'store', now);
      if (typeof token === 'string') {
        const { logger } = context;
        (warnedOfToken ? logger?.debug : logger?.warn)?.call(
          logger,
          `codex: ignored the token in the shared token store (${token}); requesting a new one.`,
        );
        warnedOfToken = true;
      } else if (token && token.accessToken !== last) {
        const left = token.expiresAt - now;
        // Not yet in its refresh window (core's TokenManager: the last 10% of its life, at most 5
        // minutes), and with a second left at least, which the TokenManager's clamp would stretch.
        if (left > Math.max(MIN_LIFETIME_MS, Math.min(REFRESH_WINDOW_MS, token.lifetimeMs * REFRESH_FRACTION))) {
          last = token.accessToken;
          return { accessToken: token.accessToken, expiresIn: left / 1000 };
        }
      }
      const provided = await (fetchToken as FetchToken)(signal, background);
      // Clamped before it is written: other processes read it (issue 18, item 14).
      const fetched = checkToken(provided, 'response', Date.now());
      if (typeof fetched === 'string')
        throw new CodexError(`The token fetched is unusable: ${fetched}.`, { code: 'token_provider_failed' });
      last = fetched.accessToken;
      await store.set(key, fetched).catch(() => {});
      return { accessToken: fetched.accessToken, expiresIn: fetched.lifetimeMs / 1000 };
    };
    return (async (signal?: AbortSignal, background?: boolean) => {
      let failed: { error: unknown } | undefined;
      try {
        // A background refresh never waits for the lock (a wait would hold the process open):
        // when another process holds it, it gives up, and the next call tries again.
        return await lock(key, !background, () =>
          refresh(signal, background).catch((error: unknown) => {
            failed = { error };
            throw error;
          }),
        );
      } catch (error) {
        // The refresh's own failure (a wrong secret...), not the lock's.
        if (failed) throw failed.error;
        if (error instanceof RefreshLockBusy && background) throw error;
        if (!(error instanceof RefreshLockBusy) && !warned) {
          warned = true;
          context.logger?.warn?.(
            `codex: the shared refresh lock failed, refreshing without it: ${(error as Error)?.message}`,
          );
        }
        return refresh(signal, background);
      }
    }) as TokenProvider;
  };
}
