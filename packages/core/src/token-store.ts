import { CodexError } from './errors';
import { describeValue } from './logger';

/** An access token as stored: the token and when it expires (ms since the epoch, local clock). */
export type StoredToken = { accessToken: string; expiresAt: number; lifetimeMs: number };

/**
 * Where tokens are kept between calls. Runtime packages supply persistent ones (a 0600 file,
 * sessionStorage); keys are opaque strings made of (baseUrl, client ID, a SHA-256 of the client ID
 * and secret, scope): never the secret itself. A store is best effort: when one of its methods
 * throws, the SDK carries on with the token in memory and logs the error's message once through
 * `logger.warn`, so messages must not hold token material.
 */
export interface TokenStore {
  get(key: string): Promise<StoredToken | undefined>;
  set(key: string, token: StoredToken): Promise<void>;
  delete(key: string): Promise<void>;
}

/** The memory store keeps the tokens of at most this many keys, the most recently used. */
export const MEMORY_STORE_KEYS = 1000;
const tokens = new Map<string, StoredToken>();

/**
 * Process memory, shared by every Client in the process: a Client created for each request finds
 * the token of the one before. Bounded: the tokens of the 1,000 most recently
 * used keys, so a process that sees many keys (or many token providers) does not grow for good.
 * The default.
 */
export const memoryTokenStore: TokenStore = {
  get: async (key) => {
    const token = tokens.get(key);
    if (token) {
      // Most recently used last: Map keeps insertion order.
      tokens.delete(key);
      tokens.set(key, token);
    }
    return token;
  },
  set: async (key, token) => {
    tokens.delete(key);
    tokens.set(key, token);
    if (tokens.size > MEMORY_STORE_KEYS) tokens.delete(tokens.keys().next().value as string);
  },
  delete: async (key) => {
    tokens.delete(key);
  },
};

/**
 * For server runtime packages: where tokens are kept, from `tokenStore` or `tokenCache` (its
 * former name, deprecated; not both): `'memory'` (the default), `'file'` or a TokenStore. Anything
 * else is a CodexError (`invalid_option`) that names the option and what it accepts.
 */
export function checkTokenStoreOption(tokenStore: unknown, tokenCache: unknown): 'memory' | 'file' | TokenStore {
  if (tokenStore !== undefined && tokenCache !== undefined)
    throw new CodexError('Pass tokenStore only: tokenCache is its former name.', { code: 'invalid_option' });
  const name = tokenCache === undefined ? 'tokenStore' : 'tokenCache';
  const value = name === 'tokenCache' ? tokenCache : tokenStore === undefined ? 'memory' : tokenStore;
  const store = value as Partial<TokenStore> | null;
  if (
    value === 'memory' ||
    value === 'file' ||
    (typeof store === 'object' &&
      store !== null &&
      typeof store.get === 'function' &&
      typeof store.set === 'function' &&
      typeof store.delete === 'function')
  )
    return value as 'memory' | 'file' | TokenStore;
  throw new CodexError(
    `${name} must be 'memory', 'file' or a TokenStore (an object with get, set and delete methods); got ${describeValue(value)}.`,
    { code: 'invalid_option' },
  );
}
