import type { Logger } from './logger';

// Types that several modules share. This module imports none of theirs, so that no import circle
// runs through it (config, credentials, shared-refresh, token-manager and transport all use these).

/** What a token provider returns: a bearer token and its lifetime in seconds. */
export type ProvidedToken = { accessToken: string; expiresIn: number };

/**
 * Mints tokens somewhere else (e.g. a page's backend that holds the API key) and hands them to
 * the SDK, which caches and refreshes them like its own.
 */
export type TokenProvider = (signal?: AbortSignal) => Promise<ProvidedToken>;

/** What `coordinateRefresh` is given besides the key and the fetch: the Client's logger. */
export type RefreshContext = { logger?: Logger | undefined };

/** Per-call options of every method. */
export type RequestOptions = {
  /**
   * Sent as `Idempotency-Key` on operations that take one (1–255 visible ASCII characters). By
   * default a new UUID per call, reused by every retry; a failed call's error carries it.
   */
  idempotencyKey?: string;
  /** Aborts the call (and its retries): it then rejects with APIUserAbortError. */
  signal?: AbortSignal;
  /** Per-attempt timeout in ms (overrides the client's). */
  timeout?: number;
  /** Overall time budget of the call in ms, retries and waits included (overrides the client's). */
  deadline?: number;
  /** Retries after the first attempt (overrides the client's). */
  maxRetries?: number;
  /**
   * Extra request headers, over the Client's: a record, a `Headers` or `[name, value]` pairs.
   * Headers the SDK or the HTTP layer own (Authorization, Content-Type, Content-Length,
   * Transfer-Encoding, Expect, Host, Connection...) are refused with an error that names them.
   */
  headers?: HeadersInput;
};

/**
 * Extra request headers, in any form `fetch` takes (`HeadersInit`): a record of names to strings,
 * a `Headers`, or an array of `[name, value]` pairs.
 */
export type HeadersInput = Record<string, string | undefined> | Headers | ReadonlyArray<readonly [string, string]>;
