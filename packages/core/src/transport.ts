import ky, { HTTPError, type KyInstance, type ShouldRetryState, TimeoutError } from 'ky';
import { backoffDelay } from './backoff';
import type { ClientConfig } from './config';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIUserAbortError,
  CodexError,
  type ErrorBody,
  makeAPIError,
} from './errors';
import { logHeaders } from './logger';
import type { OperationSpec } from './operations';
import type { RateLimiter } from './rate-limiter';
import { parseRetryAfter } from './retry-after';
import type { TokenManager } from './token-manager';

/** Per-call options of every method. */
export type RequestOptions = {
  /** Sent as `Idempotency-Key` on operations that take one; by default a new UUID per call, reused by every retry. */
  idempotencyKey?: string;
  /** Aborts the call (and its retries): it then rejects with APIUserAbortError. */
  signal?: AbortSignal;
  /** Per-attempt timeout in ms (overrides the client's). */
  timeout?: number;
  /** Overall time budget of the call in ms, retries and waits included (overrides the client's). */
  deadline?: number;
  /** Retries after the first attempt (overrides the client's). */
  maxRetries?: number;
  /** Extra request headers. */
  headers?: Record<string, string>;
};

export type RequestInput = { path?: Record<string, string>; query?: Record<string, unknown>; body?: unknown };

/** Retried statuses: timeouts, rate limits and transient server errors; never other 4xx. */
export const RETRYABLE_STATUSES = [408, 429, 500, 502, 503, 504];
const ALL_METHODS: Array<'get' | 'post' | 'put' | 'patch' | 'delete' | 'head' | 'options'> = [
  'get',
  'post',
  'put',
  'patch',
  'delete',
  'head',
  'options',
];

/** Builds the URL of an operation from the operation table's path template. */
export function buildUrl(baseUrl: string, op: OperationSpec, input: RequestInput): string {
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = input.path?.[name];
    if (typeof value !== 'string' || value.length === 0)
      throw new CodexError(`${op.operationId}: ${name} must be a non-empty string.`);
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(input.query ?? {})) {
    if (value !== undefined && value !== null) query.set(key, String(value));
  }
  const search = query.toString();
  return `${baseUrl}${path}${search ? `?${search}` : ''}`;
}

/**
 * Sends operations: pacing, bearer token, Idempotency-Key, ky's retries (with our policy for what
 * and how long), one replay after 401 invalid_token, and typed errors.
 */
export class Transport {
  readonly #ky: KyInstance;
  readonly #origin: string;

  constructor(
    private readonly config: ClientConfig,
    private readonly tokens: TokenManager,
    private readonly limiter: RateLimiter,
  ) {
    this.#origin = new URL(config.baseUrl).origin;
    // fetch is looked up at call time, so a polyfill or test double installed later is used.
    this.#ky = ky.create({ fetch: (input, init) => config.fetch()(input, init), redirect: 'error' });
  }

  async request<T>(op: OperationSpec, input: RequestInput, options: RequestOptions = {}): Promise<T> {
    const { config, tokens, limiter } = this;
    const { operationId } = op;
    const url = buildUrl(config.baseUrl, op, input);
    const headers: Record<string, string> = { Accept: 'application/json', ...config.headers, ...options.headers };
    // One key per call, reused by every retry and by the 401 replay.
    if (op.idempotency) headers['Idempotency-Key'] = options.idempotencyKey ?? crypto.randomUUID();
    const deadline = options.deadline ?? config.deadline;
    const deadlineAt = deadline === undefined ? Infinity : config.clock.now() + deadline;
    // AbortSignal.timeout's timer does not keep a process alive.
    const deadlineSignal = deadline === undefined ? undefined : AbortSignal.timeout(deadline);
    const signals = [options.signal, deadlineSignal].filter((s) => s !== undefined);
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    const maxRetries = options.maxRetries ?? config.maxRetries;
    const timeout = options.timeout ?? config.timeout;
    const log = config.logger;

    for (let replays = 0; ; replays++) {
      let attempt = 0;
      let token: string | undefined;
      let acquired = false;
      let nextDelay = 0;
      let refused: number | undefined;
      const release = (responseHeaders?: Headers) => {
        if (acquired) limiter.settle(responseHeaders);
        acquired = false;
      };

      const shouldRetry = ({ error, retryCount }: ShouldRetryState): boolean => {
        release();
        if (signal?.aborted) return false;
        const now = config.clock.now();
        let reason = error instanceof TimeoutError ? 'timeout' : error instanceof TypeError ? 'connection error' : '';
        let delay = backoffDelay(retryCount, config.random);
        if (error instanceof HTTPError) {
          const { status, headers: h } = error.response;
          if (!RETRYABLE_STATUSES.includes(status)) return false;
          reason = `status ${status}`;
          const retryAfter = parseRetryAfter(h, now);
          if (retryAfter !== undefined) {
            if (retryAfter > config.maxRetryDelay || now + retryAfter > deadlineAt) {
              refused = retryAfter;
              return false;
            }
            delay = retryAfter;
          }
        }
        if (!reason || now + delay > deadlineAt) return false;
        nextDelay = delay;
        config.hooks.onRetry?.({ operationId, attempt: retryCount, reason, delay });
        log?.info?.(`codex: retrying ${operationId} (${retryCount}/${maxRetries}) after ${reason}, in ${delay} ms`);
        return true;
      };

      try {
        const response = await this.#ky(url, {
          method: op.httpMethod,
          headers,
          ...(input.body !== undefined && { json: input.body }),
          ...(signal && { signal }),
          timeout,
          retry: {
            limit: maxRetries,
            methods: ALL_METHODS,
            statusCodes: RETRYABLE_STATUSES,
            retryOnTimeout: true,
            shouldRetry,
            delay: () => nextDelay,
          },
          hooks: {
            beforeRequest: [
              async (request) => {
                attempt++;
                if (op.auth) {
                  // The bearer token only ever goes to the baseUrl's origin.
                  if (new URL(request.url).origin !== this.#origin)
                    throw new CodexError('Refusing to send the token to another origin.');
                  // Wait for any token refresh before pacing, so that requests held back by a
                  // refresh do not all leave at once on slots taken long before.
                  await tokens.getToken(signal);
                }
                await limiter.acquire(signal);
                acquired = true;
                if (op.auth) {
                  // Pacing may have waited long enough for the token to near its expiry: ask again
                  // (free while it is fresh), so no request leaves with a token known to be expired.
                  token = (await tokens.getToken(signal)).accessToken;
                  request.headers.set('Authorization', `Bearer ${token}`);
                }
                config.hooks.onRequest?.({ operationId, method: op.httpMethod, url, attempt });
                log?.debug?.(`codex: → ${op.httpMethod} ${url} (attempt ${attempt})`, logHeaders(request.headers));
              },
            ],
            afterResponse: [
              (_request, _options, res) => {
                release(res.headers);
                config.hooks.onResponse?.({
                  operationId,
                  status: res.status,
                  requestId: res.headers.get('x-request-id') ?? undefined,
                  attempt,
                });
                log?.debug?.(`codex: ← ${res.status} ${operationId}`, logHeaders(res.headers));
              },
            ],
          },
        });
        return (response.status === 204 ? undefined : await response.json()) as T;
      } catch (error) {
        release();
        // Never keep ky's errors: their request carries the token.
        if (options.signal?.aborted) throw new APIUserAbortError();
        if (deadlineSignal?.aborted)
          throw new APIConnectionTimeoutError(`The call did not finish within its deadline of ${deadline} ms.`);
        if (error instanceof HTTPError) {
          const { response } = error;
          let body: ErrorBody = { code: `http_${response.status}`, message: response.statusText || 'Request failed.' };
          try {
            const parsed = (await response.json()) as { error?: ErrorBody };
            if (typeof parsed?.error?.code === 'string') body = parsed.error;
          } catch {
            // Not the contract's envelope (a proxy's HTML page, say): keep the status.
          }
          if (refused !== undefined) {
            body = {
              ...body,
              message: `${body.message} Not retried: Retry-After ${Math.ceil(refused / 1000)} s is over maxRetryDelay or the deadline.`,
            };
          }
          const apiError = makeAPIError(
            response.status,
            body,
            response.headers,
            parseRetryAfter(response.headers, config.clock.now()),
          );
          // 401 invalid_token: the token was revoked or expired early. Drop it, get a new one and
          // replay once; the replay does not use up a retry.
          if (replays === 0 && token && apiError.code === 'invalid_token') {
            await tokens.invalidate(token);
            continue;
          }
          throw apiError;
        }
        if (error instanceof TimeoutError)
          throw new APIConnectionTimeoutError(`The request timed out after ${timeout} ms (attempt ${attempt}).`);
        if (error instanceof TypeError || (error as Error)?.name === 'AbortError') {
          throw new APIConnectionError(
            `Could not reach the Codex API at ${config.baseUrl}: ${(error as Error).message}`,
            { cause: error },
          );
        }
        throw error;
      }
    }
  }
}
