import { type Clock, systemClock } from './clock';
import type { TokenProvider } from './credentials';
import { CodexError } from './errors';
import type { Logger } from './logger';
import type { PacingOptions } from './rate-limiter';
import type { TokenStore } from './token-store';

export const DEFAULT_BASE_URL = 'https://api.codex.dev/v1';

/** Telemetry callbacks; they must not throw. */
export type ClientHooks = {
  onRequest?(info: { operationId: string; method: string; url: string; attempt: number }): void;
  onResponse?(info: { operationId: string; status: number; requestId: string | undefined; attempt: number }): void;
  onRetry?(info: { operationId: string; attempt: number; reason: string; delay: number }): void;
};

export type ClientSettings = {
  /**
   * The API's base URL. Must be https, except for loopback hosts (localhost, 127.0.0.1, ::1) or with `allowInsecure`.
   * @default 'https://api.codex.dev/v1'
   */
  baseUrl?: string;
  /** Allow a plain-http baseUrl that is not loopback (the token then travels unencrypted). @default false */
  allowInsecure?: boolean;
  /** Scopes to ask for, space-separated (`'read'`). @default all the key's project allows */
  scope?: string;
  /** Retries after the first attempt, for network errors, timeouts, 408, 429 and 5xx. @default 2 */
  maxRetries?: number;
  /** Per-attempt timeout in ms. @default 60000 */
  timeout?: number;
  /** Overall time budget of each call in ms, retries included. @default undefined (none) */
  deadline?: number;
  /** Longest Retry-After the SDK waits out, in ms; longer ones throw RateLimitError with `retryAfter`. @default 60000 */
  maxRetryDelay?: number;
  /** Client-side pacing per API key, shared by every Client of the key in the process. @default {limit: 1000, windowMs: 60000} */
  pacing?: PacingOptions;
  /** fetch to use; looked up on globalThis at call time when absent. */
  fetch?: typeof fetch;
  /** Where tokens are kept. @default process memory, shared by every Client */
  tokenStore?: TokenStore;
  /** Headers sent with every request (runtime packages set a User-Agent here). */
  headers?: Record<string, string>;
  /** Logging, off by default. Logs methods, URLs, statuses and allow-listed headers; never tokens, secrets or bodies. */
  logger?: Logger;
  hooks?: ClientHooks;
  /** Concurrent requests of `documents.batch` (and other batch operations). @default 4 */
  batchConcurrency?: number;
  /**
   * Wraps token fetching to coordinate it beyond this process's memory, e.g. across browser tabs
   * (@codex/browser uses Web Locks and BroadcastChannel). Receives the token store key.
   */
  coordinateRefresh?: (key: string, fetchToken: TokenProvider) => TokenProvider;
  /** Injectable clock (tests). @default the system clock */
  clock?: Clock;
  /** Injectable randomness in [0, 1) for jitter (tests). @default Math.random */
  random?: () => number;
};

export type ClientConfig = Required<
  Pick<ClientSettings, 'baseUrl' | 'maxRetries' | 'timeout' | 'maxRetryDelay' | 'batchConcurrency'>
> & {
  deadline: number | undefined;
  scope: string | undefined;
  headers: Record<string, string>;
  logger: Logger | undefined;
  hooks: ClientHooks;
  clock: Clock;
  random: () => number;
  fetch: () => typeof fetch;
};

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|\[::1\])$/i;

/** Checks the baseUrl: https, or http on loopback, or http with allowInsecure. */
export function checkBaseUrl(baseUrl: string, allowInsecure: boolean): string {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    throw new CodexError(`baseUrl is not a URL: "${baseUrl}".`);
  }
  if (url.username || url.password) throw new CodexError('baseUrl must not contain credentials.');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (LOOPBACK.test(url.hostname) || allowInsecure))) {
    throw new CodexError(
      `baseUrl must use https (got ${url.protocol}//${url.host}); plain http is allowed for localhost, 127.0.0.1 and ::1, or with allowInsecure: true.`,
    );
  }
  return url.href.replace(/\/+$/, '');
}

export function resolveConfig(settings: ClientSettings): ClientConfig {
  const num = (name: keyof ClientSettings, fallback: number, integer = false, min = 0): number => {
    const value = settings[name] ?? fallback;
    if (typeof value !== 'number' || !(value >= min && value < Infinity) || (integer && !Number.isInteger(value))) {
      throw new CodexError(`${name} must be ${integer ? 'an integer' : 'a number'} >= ${min}.`);
    }
    return value;
  };
  return {
    baseUrl: checkBaseUrl(settings.baseUrl ?? DEFAULT_BASE_URL, settings.allowInsecure === true),
    scope: settings.scope,
    maxRetries: num('maxRetries', 2, true),
    timeout: num('timeout', 60_000),
    deadline: settings.deadline === undefined ? undefined : num('deadline', 0),
    maxRetryDelay: num('maxRetryDelay', 60_000),
    batchConcurrency: num('batchConcurrency', 4, true, 1),
    headers: { ...settings.headers },
    logger: settings.logger,
    hooks: settings.hooks ?? {},
    clock: settings.clock ?? systemClock,
    random: settings.random ?? Math.random,
    fetch: () => {
      const f = settings.fetch ?? globalThis.fetch;
      if (typeof f !== 'function') {
        throw new CodexError(
          'No fetch is available: use Node.js >= 18, a browser or Deno, or pass the `fetch` option.',
        );
      }
      return settings.fetch ? f : f.bind(globalThis);
    },
  };
}
