import { checkFunction, checkHeaders, checkMembers, checkNumber, typeOf } from './checks';
import { type Clock, systemClock } from './clock';
import { CodexError, isCodexError } from './errors';
import { LOG_LEVELS, type Logger, type LogLevel } from './logger';
import type { PacingOptions, SharedQuota } from './rate-limiter';
import type { TokenStore } from './token-store';
import type { Tracer } from './tracing';
import type { HeadersInput, RefreshContext, TokenProvider } from './types';

/**
 * What the SDK needs of a fetch: `globalThis.fetch`, undici's `fetch` (whose Response type differs
 * from the DOM's only in stream generics) or your own. It is called with a URL string.
 */
export type Fetch = (
  url: string,
  init: { method: string; headers: Headers; body?: string; signal: AbortSignal; redirect: 'manual' },
) => Promise<Pick<Response, 'ok' | 'status' | 'statusText' | 'headers' | 'type' | 'text'>>;

export const DEFAULT_BASE_URL = 'https://api.codex.dev/v1';

/**
 * The largest success body the contract allows, about: a full page of 100 documents whose
 * content is at its limit of 1 MiB of UTF-8, each with 64 KiB for its other fields (a 200-character
 * title, 16 metadata values) and JSON's escapes, plus 64 KiB of envelope. A batch's 100 results are
 * the same size. Bodies are counted while they stream: an endless one fails here (issue 18).
 */
export const DEFAULT_MAX_RESPONSE_SIZE = 100 * (1024 * 1024 + 64 * 1024) + 64 * 1024;

/**
 * Telemetry callbacks. They never change what is sent, retried or returned: an error one throws
 * (or a promise it rejects) is caught and reported through `logger.warn`.
 */
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
  /** Per-attempt timeout in ms, at least 1 (as per call). @default 60000 */
  timeout?: number;
  /** Overall time budget of each call in ms, retries included. @default undefined (none) */
  deadline?: number;
  /**
   * Longest wait the SDK makes, in ms: a `Retry-After` longer than this is not waited out (the
   * error is thrown with `retryAfter`), and a call that pacing would hold back longer fails at once
   * with a RateLimitError (`retryAfter`: how long), with nothing sent. @default 60000
   */
  maxRetryDelay?: number;
  /**
   * Largest success body read, in bytes, counted while it streams: a larger one fails with an
   * APIResponseValidationError (code `response_too_large`) as soon as the limit is passed, and the
   * rest is not read. @default about 106 MiB: a full page of 100 documents of 1 MiB each, plus envelope
   */
  maxResponseSize?: number;
  /**
   * Client-side pacing per API key, shared by every Client of the key in the process: what to
   * assume until the API's X-RateLimit-* headers say (they then rule). `false` turns pacing off
   * for this Client (its requests still count for the others). See RateLimiter for Clients of one
   * key that disagree.
   * @default {limit: 1000, windowMs: 60000}
   */
  pacing?: PacingOptions | false;
  /**
   * Requests of one API key in flight at once, in the process; more calls wait in line (sockets
   * and file descriptors stay bounded). The smallest any Client of the key asks for wins.
   * @default 64
   */
  maxInFlight?: number;
  /** fetch to use (undici's works too); looked up on globalThis at call time when absent. */
  fetch?: Fetch;
  /**
   * fetch for token refreshes that no caller waits for; one that does not keep the process alive
   * (@codex/node supplies it). @default `fetch`
   */
  backgroundFetch?: Fetch;
  /**
   * Refresh a token shortly before it expires without making a call wait. `false` where work left
   * running after a response is cancelled (edge runtimes: @codex/sdk's edge build): the next call
   * after the refresh point refreshes, and waits. @default true
   */
  backgroundRefresh?: boolean;
  /** Where tokens are kept. @default process memory, shared by every Client */
  tokenStore?: TokenStore;
  /**
   * Headers sent with every request (runtime packages set a User-Agent here): a record, a
   * `Headers` or `[name, value]` pairs, as `fetch` takes them. Headers the SDK or the HTTP layer
   * own (Authorization, Content-Type, Content-Length, Transfer-Encoding, Expect, Host, Connection
   * and other hop-by-hop headers) are refused with an error that names them.
   */
  headers?: HeadersInput;
  /**
   * Where to log: methods, URLs, statuses, attempts, request ids, waits and allow-listed headers;
   * never tokens, secrets or bodies. Without `logLevel`, everything it has a method for.
   * @default `console` when `logLevel` is set (runtime packages: stderr), else none
   */
  logger?: Logger;
  /**
   * What to log: `'debug'`, `'info'`, `'warn'`, `'error'` (that level and the ones after it) or
   * `'off'`. Filters what reaches `logger`; with no `logger`, logs to the console. Runtime packages
   * default it to the `CODEX_LOG` environment variable, which this option overrides.
   * @default undefined: all of `logger`'s levels, or nothing without a logger
   */
  logLevel?: LogLevel;
  hooks?: ClientHooks;
  /**
   * Tracing of every call and HTTP attempt: `otelTracer(api)` for OpenTelemetry, or your own.
   * `false`: none. @default none (@codex/node: OpenTelemetry when `@opentelemetry/api` is installed)
   */
  tracer?: Tracer | false;
  /** Concurrent requests of `documents.batch` (and other batch operations). @default 4 */
  batchConcurrency?: number;
  /**
   * Auto-batching of single writes. `'auto'`: a create, update or delete (any operation the spec
   * makes batchable) that would wait for a pacing slot, because the key's quota for the window is
   * used up (in this process, or fleet-wide with a shared quota), joins a batch request instead,
   * which counts as one request: the batch leaves as soon as a slot is free, or at the batch's
   * limit (100 operations). Each call settles as its single request would: the document, or the
   * same error class, status and code, with the batch's request id; `withResponse()` gives the
   * batch's response. Calls with their own `idempotencyKey` are never batched; a batch holds one
   * operation per document, so calls on one document keep their order. With quota free, calls go
   * singly. `'off'`: never.
   * @default 'auto'
   */
  batching?: 'auto' | 'off';
  /**
   * Wraps token fetching to coordinate it beyond this process's memory, e.g. across browser tabs
   * (@codex/browser uses Web Locks and BroadcastChannel). Receives the token store key.
   */
  coordinateRefresh?: (key: string, fetchToken: TokenProvider, context: RefreshContext) => TokenProvider;
  /**
   * A request quota shared with other processes (`@codex/redis`), on top of this process's pacing:
   * every request takes a slot of it first, and every answer's X-RateLimit-* headers go to it. If it
   * fails, requests go on with this process's pacing alone (logged once).
   */
  sharedQuota?: SharedQuota;
  /**
   * Told when a request got no answer, to say why where the runtime can tell (@codex/browser: a
   * request blocked by CORS, mixed content or an extension). `reason` becomes the error's message;
   * with `retry: false` the call fails at once (code `blocked_by_browser`) instead of being retried.
   * @default none
   */
  explainConnectionError?: (url: string) => Promise<{ reason: string; retry: boolean } | undefined>;
  /** Injectable clock (tests). @default the system clock */
  clock?: Clock;
  /** Injectable randomness in [0, 1) for jitter (tests). @default Math.random */
  random?: () => number;
};

export type ClientConfig = Required<
  Pick<
    ClientSettings,
    'baseUrl' | 'maxRetries' | 'timeout' | 'maxRetryDelay' | 'maxResponseSize' | 'batchConcurrency' | 'maxInFlight'
  >
> & {
  pacing: PacingOptions | false;
  batching: 'auto' | 'off';
  deadline: number | undefined;
  scope: string | undefined;
  headers: Headers;
  logger: Logger | undefined;
  hooks: ClientHooks;
  tracer: Tracer | undefined;
  sharedQuota: SharedQuota | undefined;
  clock: Clock;
  random: () => number;
  fetch: () => Fetch;
  backgroundFetch: (() => Fetch) | undefined;
  explainConnectionError: ClientSettings['explainConnectionError'];
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
  // Paths are appended to baseUrl: a query or fragment would swallow them (issue 9).
  if (url.username || url.password || /[?#]/.test(baseUrl))
    throw new CodexError('baseUrl must not contain credentials, a query (?) or a fragment (#).');
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && (LOOPBACK.test(url.hostname) || allowInsecure)))
    throw new CodexError(
      `baseUrl must use https (got ${url.protocol}), or http on localhost, 127.0.0.1, ::1 or with allowInsecure: true.`,
    );
  return url.href.replace(/\/+$/, '');
}

/** Client options, checked: a mistake is a CodexError with the code `invalid_option`. */
export function resolveConfig(settings: ClientSettings): ClientConfig {
  try {
    return checkConfig(settings);
  } catch (error) {
    throw isCodexError(error) && error.code === 'invalid_argument'
      ? new CodexError(error.message, { code: 'invalid_option' })
      : error;
  }
}

function checkConfig(settings: ClientSettings): ClientConfig {
  const num = (name: keyof ClientSettings, fallback: number, integer = false, min = 0): number =>
    checkNumber(name, settings[name] ?? fallback, integer, min);
  const { scope, pacing, hooks = {}, logger, logLevel, clock = systemClock } = settings;
  if (scope !== undefined && (typeof scope !== 'string' || !/^[\x21-\x7e]+( [\x21-\x7e]+)*$/.test(scope)))
    throw new CodexError(`scope must be space-separated scopes ('read write'), got ${typeOf(scope)}.`);
  if (pacing !== undefined && pacing !== false) {
    if (typeof pacing !== 'object' || pacing === null)
      throw new CodexError(`pacing must be an object or false, got ${typeOf(pacing)}.`);
    if (pacing.limit !== undefined) checkNumber('pacing.limit', pacing.limit, false, Number.MIN_VALUE);
    if (pacing.windowMs !== undefined) checkNumber('pacing.windowMs', pacing.windowMs, false, Number.MIN_VALUE);
  }
  checkMembers('hooks', hooks, ['onRequest', 'onResponse', 'onRetry']);
  checkMembers('logger', logger, ['debug', 'info', 'warn', 'error']);
  if (logLevel !== undefined && !LOG_LEVELS.includes(logLevel))
    throw new CodexError(`logLevel must be one of ${LOG_LEVELS.join(', ')}; got ${typeOf(logLevel)}.`);
  const { batching = 'auto' } = settings;
  if (batching !== 'auto' && batching !== 'off')
    throw new CodexError(`batching must be 'auto' or 'off', got ${typeOf(batching)}.`);
  checkMembers('tokenStore', settings.tokenStore, ['get', 'set', 'delete'], true);
  checkMembers('clock', clock, ['now', 'sleep'], true);
  checkMembers('sharedQuota', settings.sharedQuota, ['take', 'observe'], true);
  for (const name of ['fetch', 'backgroundFetch', 'random', 'coordinateRefresh', 'explainConnectionError'] as const)
    checkFunction(name, settings[name]);
  if (settings.tracer !== false) checkFunction('tracer', settings.tracer);
  for (const name of ['allowInsecure', 'backgroundRefresh'] as const)
    if (settings[name] !== undefined && typeof settings[name] !== 'boolean')
      throw new CodexError(`${name} must be a boolean, got ${typeOf(settings[name])}.`);
  const backgroundFetch = settings.backgroundFetch;
  // Logging is telemetry, like hooks: a logger that throws changes nothing (issue 9). `logLevel`
  // keeps the levels from it on; without a logger it selects the console.
  const sink = logger ?? (logLevel ? console : undefined);
  const safeLogger =
    sink &&
    (Object.fromEntries(
      LOG_LEVELS.slice(LOG_LEVELS.indexOf(logLevel ?? 'debug'), 4)
        .filter((level) => sink[level as 'debug'])
        .map((level) => [
          level,
          (message: string, data?: Record<string, string>) => {
            try {
              // `console.debug(message, undefined)` would print "undefined".
              data ? sink[level as 'debug']?.(message, data) : sink[level as 'debug']?.(message);
            } catch {
              // nowhere else to report it
            }
          },
        ]),
    ) as Logger);
  return {
    baseUrl: checkBaseUrl(settings.baseUrl ?? DEFAULT_BASE_URL, settings.allowInsecure === true),
    scope,
    maxRetries: num('maxRetries', 2, true),
    // One rule for the Client and the call: an attempt of 0 ms could never succeed (issue 18).
    timeout: num('timeout', 60_000, false, 1),
    deadline: settings.deadline === undefined ? undefined : num('deadline', 0),
    maxRetryDelay: num('maxRetryDelay', 60_000),
    maxResponseSize: num('maxResponseSize', DEFAULT_MAX_RESPONSE_SIZE, true, 1),
    batchConcurrency: num('batchConcurrency', 4, true, 1),
    maxInFlight: num('maxInFlight', 64, true, 1),
    pacing: pacing ?? {},
    batching,
    headers: checkHeaders('headers', settings.headers),
    logger: safeLogger,
    hooks,
    tracer: settings.tracer || undefined,
    sharedQuota: settings.sharedQuota,
    clock,
    random: settings.random ?? Math.random,
    fetch: () => {
      const f = settings.fetch ?? globalThis.fetch;
      if (typeof f !== 'function') {
        throw new CodexError('No fetch is available here: pass the `fetch` option.', { code: 'unsupported_runtime' });
      }
      return settings.fetch ? f : f.bind(globalThis);
    },
    // The caller's own fetch wins: it may carry a proxy or a test double.
    backgroundFetch: backgroundFetch && !settings.fetch ? () => backgroundFetch : undefined,
    explainConnectionError: settings.explainConnectionError,
  };
}
