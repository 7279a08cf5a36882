import { CodexError, type TokenStore } from '@codex/core';

// Checks of the options this package adds to core's (core checks its own), at construction: a
// wrong value gets a CodexError that names the option and what it accepts, not a TypeError from
// deep inside (issue 9, item 9). Same rules as @codex/node's src/options.ts.

/** A value for a message: short strings quoted, anything else by its type. */
export function describeValue(value: unknown): string {
  if (typeof value === 'string')
    return value.length <= 32 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'function') return 'a function';
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint')
    return `${typeof value} ${String(value)}`;
  return `a value of type ${typeof value}`;
}

export function isTokenStore(value: unknown): value is TokenStore {
  const store = value as Partial<TokenStore> | null;
  return (
    typeof store === 'object' &&
    store !== null &&
    typeof store.get === 'function' &&
    typeof store.set === 'function' &&
    typeof store.delete === 'function'
  );
}

/**
 * Where tokens are kept: `tokenStore`, or `tokenCache` (its former name, deprecated); not both.
 * 'memory' (the default), 'file' or a TokenStore.
 */
export function checkTokenStore(tokenStore: unknown, tokenCache: unknown): 'memory' | 'file' | TokenStore {
  if (tokenStore !== undefined && tokenCache !== undefined)
    throw new CodexError('Pass tokenStore only: tokenCache is its former name.', { code: 'invalid_option' });
  const name = tokenCache === undefined ? 'tokenStore' : 'tokenCache';
  const value = name === 'tokenCache' ? tokenCache : tokenStore === undefined ? 'memory' : tokenStore;
  if (value === 'memory' || value === 'file' || isTokenStore(value)) return value;
  throw new CodexError(
    `${name} must be 'memory', 'file' or a TokenStore (an object with get, set and delete methods); got ${describeValue(value)}.`,
    { code: 'invalid_option' },
  );
}
