import { REFRESH_FRACTION, REFRESH_WINDOW_MS } from './token-manager';
import type { TokenStore } from './token-store';
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

type FetchToken = (signal?: AbortSignal, background?: boolean) => Promise<ProvidedToken>;

/**
 * A `coordinateRefresh` that shares tokens through a store that processes share (files, Redis):
 * a refresh holds the key's lock, reads the store first and takes a token another process wrote
 * (not yet in its refresh window, and not the one being replaced), and otherwise fetches one and
 * writes it before letting go. So a process whose token is due reads the store again, and N
 * processes make one token request. Never fails a call for the lock's sake: without a lock, or
 * after waiting too long for one, the refresh goes ahead (the first such problem is logged once).
 */
export function refreshThroughStore(
  store: TokenStore,
  lock: RefreshLock,
): (key: string, fetchToken: TokenProvider, context?: RefreshContext) => TokenProvider {
  return (key, fetchToken, context = {}) => {
    let last: string | undefined;
    let warned = false;
    const refresh = async (signal?: AbortSignal, background?: boolean): Promise<ProvidedToken> => {
      const stored = await store.get(key).catch(() => undefined);
      const left = stored ? stored.expiresAt - Date.now() : 0;
      // Not yet in its refresh window (core's TokenManager: the last 10% of its life, at most 5 minutes).
      if (
        stored &&
        stored.accessToken !== last &&
        left > Math.min(REFRESH_WINDOW_MS, stored.lifetimeMs * REFRESH_FRACTION)
      ) {
        last = stored.accessToken;
        return { accessToken: stored.accessToken, expiresIn: left / 1000 };
      }
      const token = await (fetchToken as FetchToken)(signal, background);
      last = token.accessToken;
      const lifetimeMs = token.expiresIn * 1000;
      await store
        .set(key, { accessToken: token.accessToken, expiresAt: Date.now() + lifetimeMs, lifetimeMs })
        .catch(() => {});
      return token;
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
