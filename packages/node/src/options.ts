import { CodexError, type TokenStore } from '@codex/core';

// Checks of the options this package adds to core's (core checks its own), at construction and
// before anything is read or sent: a wrong value gets a CodexError that names the option and what
// it accepts, not a TypeError from deep inside (issue 9, item 9).

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

/** `tokenCache`, checked; `tokenStore` (core's option) may not be given with it. */
export function checkTokenCache(tokenCache: unknown, tokenStore: unknown): 'memory' | 'file' | TokenStore | undefined {
  if (tokenCache === undefined || tokenCache === 'memory' || tokenCache === 'file' || isTokenStore(tokenCache)) {
    if (tokenCache !== undefined && tokenStore !== undefined) {
      throw new CodexError('Pass tokenCache or tokenStore, not both (tokenCache also takes a TokenStore).');
    }
    return tokenCache;
  }
  throw new CodexError(
    `tokenCache must be 'memory', 'file' or a TokenStore (an object with get, set and delete methods); got ${describeValue(tokenCache)}.`,
  );
}

/** A string option that, when given, must be a non-empty string. */
export function checkString(name: string, value: unknown, what: string): void {
  if (value !== undefined && (typeof value !== 'string' || value === '')) {
    throw new CodexError(`${name} must be ${what}; got ${value === '' ? 'an empty string' : describeValue(value)}.`);
  }
}
