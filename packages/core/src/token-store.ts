/** An access token as stored: the token and when it expires (ms since the epoch, local clock). */
export type StoredToken = { accessToken: string; expiresAt: number; lifetimeMs: number };

/**
 * Where tokens are kept between calls. Runtime packages supply persistent ones (a 0600 file,
 * sessionStorage); keys are opaque strings made of (baseUrl, client ID, scope).
 */
export interface TokenStore {
  get(key: string): Promise<StoredToken | undefined>;
  set(key: string, token: StoredToken): Promise<void>;
  delete(key: string): Promise<void>;
}

const shared = new Map<string, StoredToken>();

/** Process memory, shared by every Client in the process. The default. */
export const memoryTokenStore: TokenStore = {
  get: async (key) => shared.get(key),
  set: async (key, token) => {
    shared.set(key, token);
  },
  delete: async (key) => {
    shared.delete(key);
  },
};
