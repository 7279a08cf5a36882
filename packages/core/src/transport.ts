import { checkHeaders, checkRequestOptions, typeOf } from './checks';
import type { ClientConfig, ClientHooks, Fetch } from './config';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  type APIError,
  APIResponseValidationError,
  APIUserAbortError,
  CodexError,
  type ErrorBody,
  isCodexError,
  makeAPIError,
  RedirectError,
} from './errors';
import { logHeaders } from './logger';
import type { OperationSpec } from './operations';
import type { RateLimiter } from './rate-limiter';
import { parseRetryAfter } from './retry-after';
import { type AttemptOutcome, decideRetry } from './retry-policy';
import type { StoredToken } from './token-store';
import { type AttemptTrace, startTrace } from './tracing';
import type { RequestOptions } from './types';

export { RETRYABLE_STATUSES } from './retry-policy';

/** How the SDK itself calls the transport (token requests); not for users. */
export type InternalOptions = {
  /** A refresh no caller waits for: background fetch, a short timeout that holds no process open, no retries. */
  background?: boolean;
  /** Ignore the client's `deadline` (a token request shared by callers with deadlines of their own). */
  noDeadline?: boolean;
  /** Checks a success body beyond "a JSON object"; returns the problem, if any. */
  validate?: (body: Record<string, unknown>) => string | undefined;
  /** Told the final response (a success) before its body is parsed: APIPromise's `withResponse()`. */
  onResponse?: (response: Response) => void;
};

export type RequestInput = { path?: Record<string, unknown>; query?: Record<string, unknown>; body?: unknown };

/** What the transport needs of the token manager. */
export type TokenSource = {
  getToken(signal?: AbortSignal): Promise<StoredToken>;
  invalidate(token: string): Promise<void>;
};

/** A background token refresh gives up after this long (or the client's timeout, if shorter). */
export const BACKGROUND_TIMEOUT_MS = 10_000;
const EXCERPT_LENGTH = 200;
// A lone surrogate (in `u` mode, a valid pair is one code point and does not match).
const LONE_SURROGATE = /\p{Cs}/u;

/** Builds the URL of an operation, or throws a CodexError before anything is sent. */
export function buildUrl(baseUrl: string, op: OperationSpec, input: RequestInput): string {
  const { operationId } = op;
  const path = op.path.replace(/\{(\w+)\}/g, (_, name: string) => {
    const value = input.path?.[name];
    // encodeURIComponent leaves dots alone, and URL parsers resolve '.' and '..' as dot segments:
    // get('..') would be GET /v1/ (issue 9). Encoding does not help: WHATWG URL (so fetch) treats
    // '%2e' and '%2e%2e' as dot segments too. No id is a dot segment, so refuse them.
    if (typeof value !== 'string' || !value || LONE_SURROGATE.test(value) || value === '.' || value === '..')
      throw new CodexError(
        `${operationId}: ${name} must be a non-empty string without lone surrogates, and not a dot segment ("." or ".."), got ${typeof value === 'string' ? `${value.length} characters` : typeOf(value)}.`,
      );
    return encodeURIComponent(value);
  });
  const query = new URLSearchParams();
  for (const [key, value] of Object.entries(input.query ?? {})) {
    if (value === undefined || value === null) continue;
    if (!op.queryParams.includes(key))
      throw new CodexError(`${operationId}: unknown query parameter "${key.slice(0, 64)}" (known: ${op.queryParams}).`);
    const ok =
      (typeof value === 'string' && !LONE_SURROGATE.test(value)) ||
      (typeof value === 'number' && Number.isFinite(value)) ||
      typeof value === 'boolean';
    if (!ok) throw new CodexError(`${operationId}: query parameter ${key} must be a string or a finite number.`);
    query.set(key, String(value));
  }
  const search = query.toString();
  return `${baseUrl}${path}${search ? `?${search}` : ''}`;
}

/** The origin of a Location header, never its path or query (they may carry anything). */
function originOf(location: string | null, base: string): string | undefined {
  if (!location) return undefined;
  try {
    return new URL(location, base).origin;
  } catch {
    return undefined;
  }
}

/**
 * Sends operations. One loop per call: wait for a fresh token and a pacing slot, send one attempt
 * with fetch, and let `decideRetry` say whether and when to try again. Everything that can go wrong ends as a typed CodexError:
 * - the caller's mistakes (bad ids, bodies, headers, options) before anything is sent, never retried;
 * - redirects are refused (RedirectError), never followed: the request carries a bearer token;
 * - success bodies that are not what the spec says are APIResponseValidationError, not retried;
 * - telemetry hooks never change what is sent, retried or returned: their errors are logged.
 * The caller's AbortSignal is followed through a listener removed when the call ends, never
 * combined with AbortSignal.any, which on Node 20 keeps every combination alive as long as a
 * long-lived caller signal (issue 9).
 */
export class Transport {
  readonly #baseHeaders: Headers;

  constructor(
    private readonly config: ClientConfig,
    private readonly tokens: TokenSource | undefined,
    private readonly limiter: RateLimiter,
  ) {
    this.#baseHeaders = checkHeaders('headers', config.headers, new Headers({ Accept: 'application/json' }));
  }

  async request<T>(
    op: OperationSpec,
    input: RequestInput,
    options: RequestOptions = {},
    internal: InternalOptions = {},
  ): Promise<T> {
    const { config } = this;
    // `options` were checked by the resource method (resources.ts), once per call.
    const url = buildUrl(config.baseUrl, op, input);
    const headers = checkHeaders('headers', options.headers, new Headers(this.#baseHeaders));
    let body: string | undefined;
    if (op.hasBody) {
      if (typeof input.body !== 'object' || input.body === null || Array.isArray(input.body))
        throw new CodexError(`${op.operationId}: the body must be an object, got ${typeOf(input.body)}.`);
      try {
        body = JSON.stringify(input.body);
      } catch (error) {
        // Circular structures and BigInt; the message names a constructor or a type, never a value.
        throw new CodexError(`${op.operationId}: the body cannot be sent as JSON (${(error as Error).message}).`);
      }
      headers.set('Content-Type', 'application/json');
    }
    // One key per call, reused by every retry and by the 401 replay.
    // A key given as a header counts like the option (and is checked like it).
    const given = options.idempotencyKey ?? headers.get('idempotency-key') ?? undefined;
    if (given !== undefined) checkRequestOptions({ idempotencyKey: given });
    const idempotencyKey = op.idempotency ? (given ?? crypto.randomUUID()) : undefined;
    if (idempotencyKey) headers.set('Idempotency-Key', idempotencyKey);
    try {
      return (await this.#send(op, url, headers, body, options, internal)) as T;
    } catch (error) {
      if (!idempotencyKey || !isCodexError(error)) throw error;
      // A copy for this call: the error may be shared with other calls (a failed token refresh
      // rejects all its waiters with one error), whose keys differ.
      const own = Object.defineProperties(
        Object.create(Object.getPrototypeOf(error)),
        Object.getOwnPropertyDescriptors(error),
      ) as CodexError;
      own.idempotencyKey = idempotencyKey;
      throw own;
    }
  }

  async #send(
    op: OperationSpec,
    url: string,
    headers: Headers,
    body: string | undefined,
    options: RequestOptions,
    internal: InternalOptions,
  ): Promise<unknown> {
    const { config, tokens, limiter } = this;
    const { operationId, httpMethod: method } = op;
    const { clock, logger: log } = config;
    const callerSignal = options.signal;
    if (callerSignal?.aborted) throw new APIUserAbortError();

    const background = internal.background === true;
    const timeout = background
      ? Math.min(BACKGROUND_TIMEOUT_MS, options.timeout ?? config.timeout)
      : (options.timeout ?? config.timeout);
    const maxRetries = background ? 0 : (options.maxRetries ?? config.maxRetries);
    const deadline = options.deadline ?? (internal.noDeadline ? undefined : config.deadline);
    const deadlineAt = deadline === undefined ? Infinity : clock.now() + deadline;
    const fetch = (background && config.backgroundFetch?.()) || config.fetch();

    // The call's own controller: aborted by the caller's signal (through a listener removed at the
    // end) or by the deadline, and followed by pacing, token waits, attempts and retry waits.
    const call = new AbortController();
    const signal = call.signal;
    const onCallerAbort = () => call.abort();
    callerSignal?.addEventListener('abort', onCallerAbort);
    let deadlineHit = false;
    const deadlineTimer = deadline === undefined ? undefined : new AbortController();
    deadlineTimer &&
      clock.sleep(deadline ?? 0, deadlineTimer.signal).then(
        () => {
          deadlineHit = true;
          call.abort();
        },
        () => {},
      );

    let retries = 0;
    let replayed = false;
    // Tracing (OpenTelemetry through `otelTracer`, or the app's own): what the call ends with.
    const trace = startTrace(config.tracer, { operationId, method, path: op.path });
    let pacingWaitMs = 0;
    let status: number | undefined;
    let requestId: string | undefined;
    let thrown: unknown;
    try {
      for (let attempt = 1; ; attempt++) {
        let token: string | undefined;
        let outcome: AttemptOutcome = { kind: 'connection' };
        let failure: APIError | undefined;
        // In line for one of the key's in-flight slots before taking a token, so that calls queued
        // across a token's expiry leave with the new one. Token requests never queue: calls in
        // line wait for them.
        const gated = op.auth && tokens;
        let waitStart = clock.now();
        if (gated) {
          const entered = limiter.enter(signal);
          if (entered) {
            log?.debug?.(`codex: ${operationId} waits for an in-flight slot`);
            await entered;
          }
        }
        pacingWaitMs += clock.now() - waitStart;
        try {
          // Wait for any token refresh before pacing, so that requests held back by a refresh do
          // not all leave at once on slots taken long before.
          if (gated) await tokens.getToken(signal);
          // A background refresh takes a free slot or gives up (the next caller tries again): waiting
          // for one would hold the process open on a timer.
          waitStart = clock.now();
          await limiter.acquire(signal, background ? 'no-wait' : config.pacing ? 'wait' : 'count', log);
          pacingWaitMs += clock.now() - waitStart;
          let sent: { response: Response; text: string } | 'timeout' | undefined;
          let attemptTrace: AttemptTrace | undefined;
          try {
            if (gated) {
              // Pacing may have waited long enough for the token to near its expiry: ask again
              // (free while it is fresh), so no request leaves with a token known to be expired.
              token = (await tokens.getToken(signal)).accessToken;
              headers.set('Authorization', `Bearer ${token}`);
            }
            this.#hook('onRequest', { operationId, method, url, attempt });
            log?.debug?.(`codex: → ${method} ${url} (attempt ${attempt})`, logHeaders(headers));
            attemptTrace = trace?.attempt({ attempt, url }, headers);
            sent = await this.#attempt(url, method, headers, body, signal, timeout, fetch, background);
          } catch (error) {
            if (signal.aborted || isCodexError(error)) throw error;
            // The cause's code only (ECONNRESET...): messages of other errors may quote header values.
            const cause = (error as { cause?: { code?: unknown } })?.cause?.code;
            log?.debug?.(`codex: ✗ ${operationId}: connection error${typeof cause === 'string' ? ` (${cause})` : ''}`);
          } finally {
            // Every request counted by acquire ends here, answered or not (a timed-out one too).
            limiter.settle(typeof sent === 'object' ? sent.response.headers : undefined);
            status = typeof sent === 'object' ? sent.response.status : undefined;
            requestId = (typeof sent === 'object' && sent.response.headers.get('x-request-id')) || undefined;
            attemptTrace?.end(
              sent === 'timeout' ? { error: 'timeout' } : sent ? { status, requestId } : { error: 'connection' },
            );
          }
          if (sent === 'timeout') outcome = { kind: 'timeout' };
          else if (sent) {
            const { response, text } = sent;
            const { status, headers: answer } = response;
            if (response.type === 'opaqueredirect' || (status >= 300 && status < 400))
              throw new RedirectError(operationId, status, originOf(answer.get('location'), url));
            this.#hook('onResponse', { operationId, status, requestId, attempt });
            log?.debug?.(
              `codex: ← ${status} ${method} ${url} (${operationId}, attempt ${attempt}${requestId ? `, request ${requestId}` : ''})`,
              logHeaders(answer),
            );
            if (response.ok) {
              internal.onResponse?.(response);
              return this.#parse(op, response, text, internal);
            }
            failure = this.#apiError(response, text);
            outcome = { kind: 'status', status, headers: answer, code: failure.code };
          }
        } finally {
          if (gated) limiter.leave();
        }

        const { maxRetryDelay, random } = config;
        const decision = decideRetry(outcome, {
          retries,
          maxRetries,
          replayed,
          sentToken: token !== undefined,
          now: clock.now(),
          deadlineAt,
          maxRetryDelay,
          random,
        });
        if (!decision.retry) {
          if (failure) {
            if (decision.reason.startsWith('Retry-After'))
              failure.message = `${failure.message} Not retried: ${decision.reason}.`;
            throw failure;
          }
          throw outcome.kind === 'timeout'
            ? new APIConnectionTimeoutError(`The request timed out after ${timeout} ms (attempt ${attempt}).`)
            : new APIConnectionError(`Could not reach the Codex API at ${config.baseUrl} (attempt ${attempt}).`);
        }
        if (decision.counts) {
          retries++;
          this.#hook('onRetry', { operationId, attempt: retries, reason: decision.reason, delay: decision.delay });
          log?.info?.(
            `codex: retrying ${operationId} (${retries}/${maxRetries}) after ${decision.reason}, in ${decision.delay} ms`,
          );
        } else replayed = true;
        if (decision.dropToken && token && tokens) await tokens.invalidate(token);
        if (decision.delay > 0) await clock.sleep(decision.delay, signal);
      }
    } catch (error) {
      thrown = callerSignal?.aborted
        ? new APIUserAbortError()
        : deadlineHit
          ? new APIConnectionTimeoutError(`The call exceeded its deadline of ${deadline} ms.`, {
              code: 'deadline_exceeded',
            })
          : isCodexError(error)
            ? error
            : new APIConnectionError(`Could not reach the Codex API at ${config.baseUrl}.`);
      // One line per failed call: its kind, status, code and request id, never its message (the
      // API's may quote input). A token request fails no call itself: the calls waiting for it
      // fail, each with its own line; an abort is the caller's choice.
      const failed = thrown as Partial<APIError>;
      log?.[callerSignal?.aborted || !op.auth ? 'debug' : 'error']?.(
        `codex: ✗ ${operationId} failed: ${[failed.name, failed.status, failed.code].filter(Boolean).join(' ')}${failed.requestId ? ` (request ${failed.requestId})` : ''}`,
      );
      throw thrown;
    } finally {
      trace?.end({ status, requestId, error: thrown, retries, pacingWaitMs });
      callerSignal?.removeEventListener('abort', onCallerAbort);
      deadlineTimer?.abort();
    }
  }

  /** Calls a telemetry hook: what it throws, or rejects with, is logged and changes nothing. */
  #hook<K extends keyof ClientHooks>(name: K, info: Parameters<NonNullable<ClientHooks[K]>>[0]): void {
    const hook = this.config.hooks[name] as ((i: typeof info) => unknown) | undefined;
    if (!hook) return;
    const warn = (error: unknown) =>
      this.config.logger?.warn?.(
        `codex: hooks.${name} threw, ignored: ${error instanceof Error ? error.message : String(error)}`,
      );
    try {
      const result = hook(info);
      if (result && typeof (result as Promise<unknown>).then === 'function')
        (result as Promise<unknown>).then(undefined, warn);
    } catch (error) {
      warn(error);
    }
  }

  /**
   * One HTTP attempt, body included: `timeout` and the call's signal cover reading the body too (a
   * body that stalls half-way must not hang the call, or a shared token refresh). 'timeout' when
   * `timeout` passed first; rejects on connection errors (a body cut short included) and aborts.
   */
  async #attempt(
    url: string,
    method: string,
    headers: Headers,
    body: string | undefined,
    signal: AbortSignal,
    timeout: number,
    fetch: Fetch,
    background: boolean,
  ): Promise<{ response: Response; text: string } | 'timeout'> {
    const attempt = new AbortController();
    const onAbort = () => attempt.abort();
    signal.addEventListener('abort', onAbort);
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt.abort();
    }, timeout);
    // A background refresh must not keep the process alive (Node and Bun timers have unref).
    if (background) (timer as { unref?: () => void }).unref?.();
    try {
      // fetch itself, not ky: this loop owns retries, timeouts
      // and hooks, so a single attempt needs nothing of ky's, whose 5 kB (min+gzip) would be 40% of
      // the browser bundle budget; and ky's per-request AbortSignal.any with the caller's signal
      // leaks on Node 20 (issue 9).
      const response = await fetch(url, {
        method,
        headers,
        ...(body !== undefined && { body }),
        signal: attempt.signal,
        // Never follow: the request carries a bearer token (a 3xx becomes a RedirectError).
        redirect: 'manual',
      });
      // Any fetch's Response (undici's...) is a Response to the callers of withResponse().
      return { response: response as Response, text: await response.text() };
    } catch (error) {
      if (timedOut && !signal.aborted) return 'timeout';
      throw error;
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', onAbort);
    }
  }

  #apiError(response: Response, text: string) {
    const { status, headers } = response;
    let body: ErrorBody = { code: `http_${status}`, message: response.statusText || 'Request failed.' };
    try {
      const parsed = JSON.parse(text) as { error?: Partial<ErrorBody> } | null;
      const e = parsed?.error;
      if (typeof e?.code === 'string' && typeof e.message === 'string') body = e as ErrorBody;
    } catch {
      // Not the contract's envelope (a proxy's HTML page, say): keep the status.
    }
    return makeAPIError(status, body, headers, parseRetryAfter(headers, this.config.clock.now()));
  }

  /** The success body, checked: a JSON object of the operation's shape, or APIResponseValidationError. */
  #parse(op: OperationSpec, response: Response, text: string, internal: InternalOptions): unknown {
    if (response.status === 204) return undefined;
    // The token endpoint's body holds a token: never quote it.
    const invalid = (problem: string) =>
      new APIResponseValidationError(
        op.operationId,
        response.status,
        response.headers,
        problem,
        op.auth ? text.slice(0, EXCERPT_LENGTH) : '',
      );
    let value: unknown;
    try {
      value = JSON.parse(text);
    } catch {
      throw invalid(text ? 'the body is not JSON' : 'the body is empty');
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw invalid(`expected a JSON object, got ${typeOf(value)}`);
    const record = value as Record<string, unknown>;
    const { pagination: page, batch } = op;
    const cursor = page && record[page.nextCursorField];
    const problem =
      page && !Array.isArray(record[page.itemsField])
        ? `${page.itemsField} is not an array`
        : cursor != null && typeof cursor !== 'string'
          ? `${page?.nextCursorField} is not a string or null`
          : batch && !Array.isArray(record[batch.resultsField])
            ? `${batch.resultsField} is not an array`
            : internal.validate?.(record);
    if (problem) throw invalid(problem);
    return record;
  }
}
