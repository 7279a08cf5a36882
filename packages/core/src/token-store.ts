import { typeOf } from './checks';
import { CodexError } from './errors';
import { describeValue } from './logger';

/** An access token as stored: the token and when it expires (ms since the epoch, local clock). */
export type StoredToken = { accessToken: string; expiresAt: number; lifetimeMs: number };

/**
 * Longest access token accepted. It is sent as `Authorization: Bearer <token>`, and servers and
 * proxies limit a header line to 8 KiB (nginx's `large_client_header_buffers`; Node's limit is
 * 16 KiB for all headers together): a longer token would fail every call with a 400 or 431 that
 * does not say why. Real tokens (JWTs with many claims included) stay well under it.
 */
export const MAX_TOKEN_LENGTH = 8_000;
/**
 * Token lifetimes are clamped to [1 s, 24 h] (issue 18). Shorter than a request takes, a token is
 * refreshed for every call (`expires_in: 1e-9` cost two token requests per call); the floor stays
 * below the 2-second lifetimes test servers issue, which the SDK must honour. Longer than a day is
 * a server's or a store's mistake (`1e308` made `expiresIn` Infinity, written as `null`).
 */
export const MIN_LIFETIME_MS = 1_000;
export const MAX_LIFETIME_MS = 24 * 3600_000;
/** A bearer token must be a valid header value: visible ASCII only (RFC 6750's b64token, loosely). */
const TOKEN_PATTERN = /^[\x21-\x7e]+$/;

const positive = (value: unknown): value is number => typeof value === 'number' && value > 0 && value < Infinity;

/**
 * The one check of tokens that come from outside the SDK, at the place each enters:
 * - `'response'`: `{ accessToken, expiresIn }` (seconds), from the token endpoint, a
 *   `tokenProvider` or a `coordinateRefresh`; it expires `expiresIn` after `now`;
 * - `'store'`: `{ accessToken, expiresAt, lifetimeMs }`, whatever a TokenStore's `get` returned
 *   (a file, sessionStorage, Redis, a user's store: anything).
 * Returns the token as the SDK keeps it: a non-empty string of visible ASCII of at most
 * MAX_TOKEN_LENGTH characters, its lifetime clamped to [MIN_LIFETIME_MS, MAX_LIFETIME_MS], and its
 * expiry at most one lifetime after `now` (it may be past: an expired token is well-formed). Or,
 * as a string, what is wrong, in words that never quote the value (it may be a token).
 */
export function checkToken(value: unknown, source: 'response' | 'store', now: number): StoredToken | string {
  if (typeof value !== 'object' || value === null) return `not an object (got ${typeOf(value)})`;
  let token: Record<string, unknown>;
  try {
    // Read once: a user's store may return getters or a Proxy.
    const { accessToken, expiresIn, expiresAt, lifetimeMs } = value as Record<string, unknown>;
    token = { accessToken, expiresIn, expiresAt, lifetimeMs };
  } catch {
    return 'its fields cannot be read';
  }
  const { accessToken } = token;
  if (typeof accessToken !== 'string' || !accessToken)
    return `no access token (a non-empty string; got ${typeof accessToken === 'string' ? 'an empty one' : typeOf(accessToken)})`;
  if (accessToken.length > MAX_TOKEN_LENGTH)
    return `the access token is longer than ${MAX_TOKEN_LENGTH} characters (${accessToken.length})`;
  if (!TOKEN_PATTERN.test(accessToken)) return 'the access token has characters not allowed in a header';
  const clamp = (ms: number) => Math.min(MAX_LIFETIME_MS, Math.max(MIN_LIFETIME_MS, ms));
  if (source === 'response') {
    if (!positive(token.expiresIn)) return 'no positive, finite lifetime in seconds (expires_in, or expiresIn)';
    const lifetimeMs = clamp(token.expiresIn * 1000);
    return { accessToken, expiresAt: now + lifetimeMs, lifetimeMs };
  }
  const { expiresAt } = token;
  if (typeof expiresAt !== 'number' || !Number.isFinite(expiresAt)) return 'expiresAt is not a finite number';
  if (!positive(token.lifetimeMs)) return 'lifetimeMs is not a positive, finite number';
  const lifetimeMs = clamp(token.lifetimeMs);
  // A token never has more than its lifetime left: not a tampered file, nor another machine's clock.
  return { accessToken, expiresAt: Math.min(expiresAt, now + lifetimeMs), lifetimeMs };
}

/**
 * Where tokens are kept between calls. Runtime packages supply persistent ones (a 0600 file,
 * sessionStorage); keys are opaque strings made of (baseUrl, client ID, a SHA-256 of the client ID
 * and secret, scope): never the secret itself. A store is best effort: when one of its methods
 * throws, the SDK carries on with the token in memory and logs the error's message once through
 * `logger.warn`, so messages must not hold token material. What `get` returns is input, checked
 * like a token response (`checkToken`): anything but a StoredToken of a visible-ASCII token (at
 * most 8,000 characters), a finite `expiresAt` and a positive `lifetimeMs` is ignored (logged once per key through
 * `logger.warn`, never quoting it) and a new token is requested; lifetimes are clamped to
 * [1 s, 24 h], and a token is never taken to live longer than its lifetime from now.
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
