import type { StoredToken, TokenStore } from '@codex/core';

/**
 * Tokens in Web Storage: `sessionStorage` (this tab, survives reloads) or, only when asked,
 * `localStorage` (every tab, survives restarts; readable by any script on the origin).
 */
export function webStorageTokenStore(storage: Storage, prefix = 'codex-sdk-token:'): TokenStore {
  return {
    async get(key) {
      try {
        const raw = storage.getItem(prefix + key);
        const token = raw ? (JSON.parse(raw) as StoredToken) : undefined;
        return token && typeof token.accessToken === 'string' && Number.isFinite(token.expiresAt) ? token : undefined;
      } catch {
        return undefined;
      }
    },
    async set(key, token) {
      storage.setItem(prefix + key, JSON.stringify(token));
    },
    async delete(key) {
      storage.removeItem(prefix + key);
    },
  };
}

/** Tokens in sessionStorage: this tab only, kept across reloads. */
export const sessionTokenStore = (): TokenStore => webStorageTokenStore(sessionStorage);

/** Tokens in localStorage: every tab, kept across restarts, readable by any script on the origin. Only when you mean it. */
export const localTokenStore = (): TokenStore => webStorageTokenStore(localStorage);
