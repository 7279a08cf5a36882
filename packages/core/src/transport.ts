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
const ALL_METHODS = ['get', 'post', 'put', 'patch', 'delete', 'head', 'options'] as const;

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

type CallState = {
  attempt: number;
  token: string | undefined;
  acquired: boolean;
  nextDelay: number;
  refusedRetryAfter: number | undefined;
};

/**
 * Sends one operation: pacing, bearer token, Idempotency-Key, ky's retries (with our policy for
 * what and how long), one replay after 401 invalid_token, and typed errors.
 */
export class Transport {
  readonly #config: ClientConfig;
  readonly #ky: KyInstance;

  constructor(
    config: ClientConfig,
    private readonly tokens: TokenManager,
    private readonly limiter: RateLimiter,
  ) {
    this.#config = config;
    // fetch is looked up at call time, so a polyfill or test double installed later is used.
    this.#ky = ky.create({
      fetch: (input, init) => config.fetch()(input, init),
      throwHttpErrors: true,
      redirect: 'error',
    });
  }

  async request<T>(op: OperationSpec, input: RequestInput, options: RequestOptions = {}): Promise<T> {
    const config = this.#config;
    const url = buildUrl(config.baseUrl, op, input);
    const idempotencyKey = op.idempotency ? (options.idempotencyKey ?? crypto.randomUUID()) : undefined;
    const deadline = options.deadline ?? config.deadline;
    const deadlineAt = deadline === undefined ? undefined : config.clock.now() + deadline;
    const deadlineController = new AbortController();
    const timer = deadline === undefined ? undefined : setTimeout(() => deadlineController.abort(), deadline);
    const signals = [options.signal, deadline === undefined ? undefined : deadlineController.signal].filter(
      (s) => s !== undefined,
    );
    const signal = signals.length > 1 ? AbortSignal.any(signals) : signals[0];
    try {
      for (let replays = 0; ; replays++) {
        const state: CallState = {
          attempt: 0,
          token: undefined,
          acquired: false,
          nextDelay: 0,
          refusedRetryAfter: undefined,
        };
        try {
          return await this.#send<T>(op, url, input, options, { idempotencyKey, signal, deadlineAt }, state);
        } catch (error) {
          const converted = await this.#convert(error, options.signal, deadlineController.signal, deadline, state);
          // 401 invalid_token: the token was revoked or expired early. Drop it, get a new one and
          // replay once; the replay does not use up a retry.
          if (replays === 0 && op.auth && state.token && (converted as { code?: string }).code === 'invalid_token') {
            await this.tokens.invalidate(state.token);
            continue;
          }
          throw converted;
        }
      }
    } finally {
      clearTimeout(timer);
    }
  }

  async #send<T>(
    op: OperationSpec,
    url: string,
    input: RequestInput,
    options: RequestOptions,
    call: { idempotencyKey: string | undefined; signal: AbortSignal | undefined; deadlineAt: number | undefined },
    state: CallState,
  ): Promise<T> {
    const config = this.#config;
    const headers: Record<string, string> = { Accept: 'application/json', ...config.headers, ...options.headers };
    if (call.idempotencyKey) headers['Idempotency-Key'] = call.idempotencyKey;
    const baseOrigin = new URL(config.baseUrl).origin;
    const maxRetries = options.maxRetries ?? config.maxRetries;

    const shouldRetry = ({ error, retryCount }: ShouldRetryState): boolean => {
      this.#release(state);
      if (call.signal?.aborted) return false;
      let reason: string;
      let delay = backoffDelay(retryCount, config.random);
      if (error instanceof HTTPError) {
        const status = error.response.status;
        if (!RETRYABLE_STATUSES.includes(status)) return false;
        reason = `status ${status}`;
        const retryAfter = parseRetryAfter(error.response.headers, config.clock.now());
        if (retryAfter !== undefined) {
          const tooLate = call.deadlineAt !== undefined && config.clock.now() + retryAfter > call.deadlineAt;
          if (retryAfter > config.maxRetryDelay || tooLate) {
            state.refusedRetryAfter = retryAfter;
            return false;
          }
          delay = retryAfter;
        }
      } else if (error instanceof TimeoutError) {
        reason = 'timeout';
      } else if (error instanceof TypeError) {
        reason = 'connection error';
      } else {
        return false;
      }
      if (call.deadlineAt !== undefined && config.clock.now() + delay > call.deadlineAt) return false;
      state.nextDelay = delay;
      config.hooks.onRetry?.({ operationId: op.operationId, attempt: retryCount, reason, delay });
      config.logger?.info?.(
        `codex: retrying ${op.operationId} (retry ${retryCount} of ${maxRetries}) after ${reason}, in ${delay} ms`,
      );
      return true;
    };

    const response = await this.#ky(url, {
      method: op.httpMethod,
      headers,
      ...(input.body !== undefined && { json: input.body }),
      ...(call.signal && { signal: call.signal }),
      timeout: options.timeout ?? config.timeout,
      retry: {
        limit: maxRetries,
        methods: [...ALL_METHODS],
        statusCodes: RETRYABLE_STATUSES,
        retryOnTimeout: true,
        shouldRetry,
        delay: () => state.nextDelay,
      },
      hooks: {
        beforeRequest: [
          async (request) => {
            state.attempt++;
            // The bearer token only ever goes to the baseUrl's origin.
            if (op.auth && new URL(request.url).origin !== baseOrigin) {
              throw new CodexError('Refusing to send the access token to another origin.');
            }
            // Wait for any token refresh first...
            if (op.auth) await this.tokens.getToken(call.signal);
            // Counted when it really leaves: after any wait for a token, so that requests held
            // back by a token refresh do not all leave at once on slots taken long before.
            await this.limiter.acquire(call.signal);
            state.acquired = true;
            if (op.auth) {
              // ...then take the token after pacing, which may have waited long enough for it to
              // near its expiry (free while it is fresh): no request leaves with an expired token.
              state.token = await this.tokens.getToken(call.signal);
              request.headers.set('Authorization', `Bearer ${state.token}`);
            }
            config.hooks.onRequest?.({
              operationId: op.operationId,
              method: op.httpMethod,
              url,
              attempt: state.attempt,
            });
            config.logger?.debug?.(
              `codex: → ${op.httpMethod} ${url} (attempt ${state.attempt})`,
              logHeaders(request.headers),
            );
          },
        ],
        afterResponse: [
          (_request, _options, res) => {
            this.#release(state, res.headers);
            config.hooks.onResponse?.({
              operationId: op.operationId,
              status: res.status,
              requestId: res.headers.get('x-request-id') ?? undefined,
              attempt: state.attempt,
            });
            config.logger?.debug?.(`codex: ← ${res.status} ${op.operationId}`, logHeaders(res.headers));
          },
        ],
      },
    });
    if (response.status === 204) return undefined as T;
    return (await response.json()) as T;
  }

  #release(state: CallState, headers?: Headers): void {
    if (!state.acquired) return;
    state.acquired = false;
    this.limiter.settle(headers);
  }

  /** Maps whatever ky or fetch threw to the SDK's errors; never keeps ky's errors (their request holds the token). */
  async #convert(
    error: unknown,
    userSignal: AbortSignal | undefined,
    deadlineSignal: AbortSignal,
    deadline: number | undefined,
    state: CallState,
  ): Promise<unknown> {
    this.#release(state);
    if (userSignal?.aborted) return new APIUserAbortError();
    if (deadlineSignal.aborted)
      return new APIConnectionTimeoutError(`The call did not finish within its deadline of ${deadline} ms.`);
    if (error instanceof CodexError) return error;
    if (error instanceof HTTPError) {
      const { response } = error;
      let body: ErrorBody = { code: `http_${response.status}`, message: response.statusText || 'Request failed.' };
      try {
        const parsed = (await response.json()) as { error?: ErrorBody };
        if (parsed?.error && typeof parsed.error.code === 'string') body = parsed.error;
      } catch {
        // Not the contract's envelope (a proxy's HTML page, say): keep the status.
      }
      const retryAfter = parseRetryAfter(response.headers, this.#config.clock.now());
      if (state.refusedRetryAfter !== undefined) {
        const seconds = Math.ceil(state.refusedRetryAfter / 1000);
        body = {
          ...body,
          message: `${body.message} Not retried: the API asked to wait ${seconds} s, more than maxRetryDelay or the deadline allows.`,
        };
      }
      return makeAPIError(response.status, body, response.headers, retryAfter);
    }
    if (error instanceof TimeoutError) {
      return new APIConnectionTimeoutError(
        `The request timed out after ${this.#config.timeout} ms (attempt ${state.attempt}).`,
      );
    }
    if (error instanceof TypeError || (error instanceof Error && error.name === 'AbortError')) {
      return new APIConnectionError(`Could not reach the Codex API at ${this.#config.baseUrl}: ${error.message}`, {
        cause: error,
      });
    }
    return error;
  }
}
