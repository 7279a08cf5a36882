import { type AttemptRequest, causeCode, type Sent, sendAttempt } from './attempt';
import { CallScope } from './call-scope';
import { clampTimer } from './clock';
import type { ClientConfig, Fetch } from './config';
import {
  APIConnectionError,
  APIConnectionTimeoutError,
  type APIError,
  type CodexError,
  isCodexError,
  isRateLimitError,
  RedirectError,
} from './errors';
import { type Folded, Folder, handOut, type Pending, seal } from './fold';
import { callHook } from './hooks';
import { logHeaders } from './logger';
import { type OperationId, type OperationSpec, operationTable } from './operations';
import type { RateLimiter } from './rate-limiter';
import { type PreparedRequest, prepareRequest, type RequestInput } from './request';
import { apiErrorOf, invalidResponse, parseSuccess } from './response';
import { type AttemptOutcome, decideRetry } from './retry-policy';
import type { StoredToken } from './token-store';
import { startTrace } from './tracing';
import type { RequestOptions } from './types';

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
  /** An Idempotency-Key the SDK derived (a batch chunk's), sent as it is. */
  idempotencyKey?: string;
  /** A batch of folded calls: its body, fixed once its pacing slot came (the first attempt's). */
  seal?: () => Record<string, unknown>;
};

/** What the transport needs of the token manager. */
export type TokenSource = {
  getToken(signal?: AbortSignal): Promise<StoredToken>;
  invalidate(token: string): Promise<void>;
};

/** A background token refresh gives up after this long (or the client's timeout, if shorter). */
export const BACKGROUND_TIMEOUT_MS = 10_000;

/** What an attempt answers when its call is to be folded into a batch rather than wait. */
const FOLD = Symbol('fold');

/** How one call is sent, fixed for all its attempts: the request each attempt sends, and the rest. */
type CallPlan = AttemptRequest & {
  op: OperationSpec;
  scope: CallScope;
  internal: InternalOptions;
  maxRetries: number;
  fetch: Fetch;
  /** Whether the call needs a token, and so an in-flight slot and pacing as a call of the key. */
  gated: boolean;
  /** A call that may be folded into a batch (issue 20): the batch operation and its operation. */
  fold?: { via: OperationSpec; operation: Record<string, unknown>; id: unknown } | undefined;
};

/** How one attempt ended: the parsed success, or what the retry policy needs to decide. */
type AttemptResult =
  | { done: true; value: unknown }
  | {
      done: false;
      outcome: AttemptOutcome;
      failure?: APIError;
      token?: string | undefined;
      /** A connection error's cause code (ECONNREFUSED...), and why the runtime says it failed. */
      cause?: string | undefined;
      reason?: string | undefined;
    };

/** What the whole call has seen so far, for its trace and its final error. */
type CallState = {
  /** Folded into a batch: its request's status and id are the batch's. */
  batched?: boolean;
  retries: number;
  replayed: boolean;
  pacingWaitMs: number;
  status?: number | undefined;
  requestId?: string | undefined;
};

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
 * Sends operations. A call is a short list of steps, each owned by its own module:
 * 1. `prepareRequest` (request.ts): URL, headers, body and Idempotency-Key, checked before anything is sent;
 * 2. `CallScope` (call-scope.ts): the call's signal, from the caller's abort and the deadline;
 * 3. per attempt: an in-flight slot and pacing (`RateLimiter`), a fresh token (`TokenSource`),
 *    one HTTP attempt raced against abort and timeout with its body capped (`sendAttempt`,
 *    attempt.ts), and the answer read (`parseSuccess` / `apiErrorOf`, response.ts);
 * 4. `decideRetry` (retry-policy.ts): whether and when to try again.
 * Everything that can go wrong ends as a typed CodexError:
 * - the caller's mistakes (bad ids, bodies, headers, options) before anything is sent, never retried;
 * - redirects are refused (RedirectError), never followed: the request carries a bearer token;
 * - success bodies that are not what the spec says are APIResponseValidationError, not retried;
 * - telemetry hooks never change what is sent, retried or returned: their errors are logged.
 */
export class Transport {
  readonly #config: ClientConfig;
  readonly #tokens: TokenSource | undefined;
  readonly #limiter: RateLimiter;
  readonly #baseHeaders: Headers;
  readonly #folder = new Folder();

  constructor(config: ClientConfig, tokens: TokenSource | undefined, limiter: RateLimiter) {
    this.#config = config;
    this.#tokens = tokens;
    this.#limiter = limiter;
    this.#baseHeaders = new Headers(config.headers);
    this.#baseHeaders.set('Accept', 'application/json');
  }

  async request<T>(
    op: OperationSpec,
    input: RequestInput,
    options: RequestOptions = {},
    internal: InternalOptions = {},
  ): Promise<T> {
    // `options` were checked by the resource method (resources.ts), once per call.
    const request = prepareRequest(
      this.#config.baseUrl,
      this.#baseHeaders,
      op,
      input,
      options,
      internal.idempotencyKey,
    );
    // A single write of an operation the spec makes batchable, without the caller's own
    // Idempotency-Key (its meaning cannot carry into a batch), may be folded into a batch.
    const batchable = op.batchable;
    const fold =
      batchable && this.#config.batching === 'auto' && !request.ownKey && !internal.background
        ? {
            via: operationTable[batchable.via as OperationId] as OperationSpec,
            id: batchable.idParam ? input.path?.[batchable.idParam] : undefined,
            operation: {
              op: batchable.op,
              ...(batchable.idParam && { [batchable.idParam]: input.path?.[batchable.idParam] }),
              ...(batchable.bodyField && { [batchable.bodyField]: input.body }),
            },
          }
        : undefined;
    try {
      return (await this.#send(op, request, options, internal, fold)) as T;
    } catch (error) {
      const { idempotencyKey } = request;
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

  /** The retry loop: attempts until one succeeds or `decideRetry` says stop. */
  async #send(
    op: OperationSpec,
    request: PreparedRequest,
    options: RequestOptions,
    internal: InternalOptions,
    fold?: CallPlan['fold'],
  ): Promise<unknown> {
    const config = this.#config;
    const { clock, logger: log } = config;
    const background = internal.background === true;
    const deadline = options.deadline ?? (internal.noDeadline ? undefined : config.deadline);
    const scope = new CallScope(options.signal, deadline, clock);
    const timeout = options.timeout ?? config.timeout;
    const { maxResponseSize } = config;
    const plan: CallPlan = {
      ...request,
      method: op.httpMethod,
      signal: scope.signal,
      timeout: background ? Math.min(BACKGROUND_TIMEOUT_MS, timeout) : timeout,
      maxResponseSize,
      tooLarge: (response) =>
        invalidResponse(
          op,
          response,
          `the body is over maxResponseSize (${maxResponseSize} bytes) and was not read further`,
          '',
          'response_too_large',
        ),
      background,
      op,
      scope,
      internal,
      maxRetries: background ? 0 : (options.maxRetries ?? config.maxRetries),
      fetch: (background && config.backgroundFetch?.()) || config.fetch(),
      gated: op.auth && this.#tokens !== undefined,
      fold,
    };
    // Tracing (OpenTelemetry through `otelTracer`, or the app's own): what the call ends with.
    const trace = startTrace(config.tracer, { operationId: op.operationId, method: op.httpMethod, path: op.path });
    const state: CallState = { retries: 0, replayed: false, pacingWaitMs: 0 };
    let thrown: unknown;
    try {
      const early = scope.interruption();
      if (early) throw early;
      // While a batch waits for its slot, a foldable call joins it at once (no in-flight slot, no
      // token, no pacing: 3,000 calls at once took up to 2 s to start); a call on a document a
      // folded call is waiting on follows it (the order per document holds).
      if (fold && this.#folder.joins(fold.via, fold.id)) return await this.#fold(plan, state);
      for (let attempt = 1; ; attempt++) {
        const result = await this.#attempt(plan, attempt, state, trace);
        if (result.done) return result.value === FOLD ? await this.#fold(plan, state) : result.value;
        const decision = decideRetry(result.outcome, {
          retries: state.retries,
          maxRetries: plan.maxRetries,
          replayed: state.replayed,
          sentToken: result.token !== undefined,
          now: clock.now(),
          deadlineAt: scope.deadlineAt,
          maxRetryDelay: config.maxRetryDelay,
          random: config.random,
        });
        if (!decision.retry) throw this.#finalError(plan, result, decision.reason, attempt);
        if (decision.counts) {
          state.retries++;
          callHook(config.hooks, log, 'onRetry', {
            operationId: op.operationId,
            attempt: state.retries,
            reason: decision.reason,
            delay: decision.delay,
          });
          log?.info?.(
            `codex: retrying ${op.operationId} (${state.retries}/${plan.maxRetries}) after ${decision.reason}, in ${decision.delay} ms`,
          );
        } else state.replayed = true;
        if (decision.dropToken && result.token && this.#tokens) await this.#tokens.invalidate(result.token);
        if (decision.delay > 0) await clock.sleep(decision.delay, scope.signal);
      }
    } catch (error) {
      thrown =
        scope.interruption() ??
        (isCodexError(error) ? error : new APIConnectionError(`Could not reach the Codex API at ${config.baseUrl}.`));
      this.#logFailure(op, thrown, scope.abortedByCaller);
      throw thrown;
    } finally {
      trace?.end({ ...state, error: thrown });
      scope.end();
    }
  }

  /**
   * One attempt: an in-flight slot, a fresh token and a pacing slot, the HTTP exchange, and the
   * answer read. Calls queue for a slot before they take a token, so that calls queued across a
   * token's expiry leave with the new one; token requests never queue (calls in line wait for them).
   */
  async #attempt(
    plan: CallPlan,
    attempt: number,
    state: CallState,
    trace: ReturnType<typeof startTrace>,
  ): Promise<AttemptResult> {
    const config = this.#config;
    const limiter = this.#limiter;
    const { op, scope, gated, url, headers, method } = plan;
    const { clock, logger: log } = config;
    const { operationId } = op;
    let waitStart = clock.now();
    if (gated) {
      const entered = limiter.enter(scope.signal);
      if (entered) {
        log?.debug?.(`codex: ${operationId} waits for an in-flight slot`);
        await entered;
      }
    }
    state.pacingWaitMs += clock.now() - waitStart;
    let token: string | undefined;
    try {
      // Wait for any token refresh before pacing, so that requests held back by a refresh do
      // not all leave at once on slots taken long before.
      if (gated) await this.#tokens?.getToken(scope.signal);
      waitStart = clock.now();
      // A background refresh takes a free slot or gives up (the next caller tries again): waiting
      // for one would hold the process open on a timer. So does a call that may be folded into a
      // batch, first or after a 429 (which applied nothing): it is folded instead of waiting (a
      // Client that has no answer yet does not know the limit: its first burst meets 429s, and
      // their retries fold). No wait is longer than maxRetryDelay.
      const probe = plan.background || (plan.fold && (attempt === 1 || state.status === 429));
      try {
        await limiter.acquire(
          scope.signal,
          config.pacing || plan.background ? 'wait' : 'count',
          log,
          probe ? 0 : config.maxRetryDelay,
        );
      } catch (error) {
        if (plan.fold && probe && isRateLimitError(error)) return { done: true, value: FOLD };
        throw error;
      }
      state.pacingWaitMs += clock.now() - waitStart;
      // A batch of folded calls: its operations are those folded until now.
      if (plan.internal.seal && attempt === 1) plan.body = JSON.stringify(plan.internal.seal());
      let sent: Sent | undefined;
      let cause: string | undefined;
      const attemptTrace = trace?.attempt({ attempt, url }, headers);
      try {
        if (gated) {
          // Pacing may have waited long enough for the token to near its expiry: ask again
          // (free while it is fresh), so no request leaves with a token known to be expired.
          token = (await this.#tokens?.getToken(scope.signal))?.accessToken;
          headers.set('Authorization', `Bearer ${token}`);
        }
        callHook(config.hooks, log, 'onRequest', { operationId, method, url, attempt });
        log?.debug?.(`codex: → ${method} ${url} (attempt ${attempt})`, logHeaders(headers));
        sent = await sendAttempt(plan.fetch, plan);
      } catch (error) {
        if (scope.signal.aborted || isCodexError(error)) throw error;
        cause = causeCode(error);
        log?.debug?.(`codex: ✗ ${operationId}: connection error${cause ? ` (${cause})` : ''}`);
      } finally {
        // Every request counted by acquire ends here, answered or not (a timed-out one too).
        const response = typeof sent === 'object' ? sent.response : undefined;
        limiter.settle(response?.headers);
        state.status = response?.status;
        state.requestId = response?.headers.get('x-request-id') || undefined;
        attemptTrace?.end(
          sent === 'timeout'
            ? { error: 'timeout' }
            : response
              ? { status: state.status, requestId: state.requestId }
              : { error: 'connection' },
        );
      }
      if (sent === undefined)
        return {
          done: false,
          outcome: { kind: 'connection' },
          token,
          cause,
          reason: await this.#explainConnectionError(url),
        };
      if (sent === 'timeout') return { done: false, outcome: { kind: 'timeout' }, token };
      return this.#read(plan, sent, attempt, token, state.requestId);
    } finally {
      if (gated) limiter.leave();
    }
  }

  /**
   * Folds the call into a batch request of its batch operation (issue 20); it settles as its
   * single request would have. The caller's abort and deadline still end its own call: before the
   * batch is sealed it leaves the batch (nothing of it is sent); after, it settles at once, and
   * its operation may still be applied. Its `timeout` runs from when the batch is sent.
   */
  #fold(plan: CallPlan, state: CallState): Promise<unknown> {
    const { via, operation, id } = plan.fold as NonNullable<CallPlan['fold']>;
    const { scope, internal } = plan;
    state.batched = true;
    return new Promise((resolve, reject) => {
      let timer: ReturnType<typeof setTimeout> | undefined;
      const done = () => {
        clearTimeout(timer);
        scope.signal.removeEventListener('abort', onAbort);
      };
      const item: Folded = {
        operation,
        id,
        op: plan.op,
        sent: () => {
          timer = setTimeout(
            () => item.reject(new APIConnectionTimeoutError(`The request timed out after ${plan.timeout} ms.`)),
            clampTimer(plan.timeout),
          );
        },
        resolve: (value, response) => {
          done();
          state.status = response.status;
          state.requestId = response.headers.get('x-request-id') || undefined;
          internal.onResponse?.(response);
          resolve(value);
        },
        reject: (error) => {
          done();
          reject(error);
        },
      };
      const leave = this.#folder.add(via, item, (batch) => this.#launch(via, batch));
      const onAbort = () => {
        leave();
        item.reject(scope.signal.reason);
      };
      scope.signal.addEventListener('abort', onAbort, { once: true });
    });
  }

  /** Sends a batch of folded calls once the batches before it on the same ids ended, and hands out its answer. */
  #launch(via: OperationSpec, batch: Pending): void {
    let response: Response | undefined;
    const log = this.#config.logger;
    batch.after
      .then(() =>
        this.request<Record<string, unknown>>(
          via,
          { body: {} },
          { signal: batch.controller.signal },
          {
            seal: () => {
              const operations = seal(batch);
              log?.debug?.(`codex: folded ${operations.length} calls into one batch (${via.operationId})`);
              return { [via.batch?.operationsField as string]: operations };
            },
            onResponse: (r) => (response = r),
          },
        ),
      )
      .then(
        (data) => handOut(via, batch, data, response as Response),
        (error: unknown) => {
          for (const item of batch.items) item.reject(error);
        },
      )
      .finally(() => batch.end());
  }

  /** The answer of one attempt: the parsed success, or the error and what the retry policy needs. */
  #read(
    plan: CallPlan,
    { response, text }: { response: Response; text: string },
    attempt: number,
    token: string | undefined,
    requestId: string | undefined,
  ): AttemptResult {
    const config = this.#config;
    const { op, internal, url } = plan;
    const { operationId } = op;
    const { status, headers } = response;
    if (response.type === 'opaqueredirect' || (status >= 300 && status < 400))
      throw new RedirectError(operationId, status, originOf(headers.get('location'), url));
    callHook(config.hooks, config.logger, 'onResponse', { operationId, status, requestId, attempt });
    config.logger?.debug?.(
      `codex: ← ${status} ${plan.method} ${url} (${operationId}, attempt ${attempt}${requestId ? `, request ${requestId}` : ''})`,
      logHeaders(headers),
    );
    if (response.ok) {
      internal.onResponse?.(response);
      return { done: true, value: parseSuccess(op, response, text, internal.validate) };
    }
    const failure = apiErrorOf(response, text, config.clock.now());
    return { done: false, outcome: { kind: 'status', status, headers, code: failure.code }, failure, token };
  }

  /**
   * Why a request got no answer, where the runtime can tell (@codex/browser: the browser blocked
   * it, CORS...). What retrying cannot mend is thrown at once.
   */
  async #explainConnectionError(url: string): Promise<string | undefined> {
    const explain = this.#config.explainConnectionError;
    let explained: Awaited<ReturnType<NonNullable<typeof explain>>>;
    try {
      // Called as a plain function: the Client's config is not its `this`.
      explained = await explain?.(url);
    } catch {
      // An explanation that fails explains nothing.
    }
    if (explained && !explained.retry) throw new APIConnectionError(explained.reason, { code: 'blocked_by_browser' });
    return explained?.reason;
  }

  /** The error a call ends with when `decideRetry` says stop. */
  #finalError(
    plan: CallPlan,
    result: Extract<AttemptResult, { done: false }>,
    reason: string,
    attempt: number,
  ): CodexError {
    const { failure, outcome, cause, reason: explained } = result;
    if (failure) {
      if (reason.startsWith('Retry-After')) failure.message = `${failure.message} Not retried: ${reason}.`;
      return failure;
    }
    if (outcome.kind === 'timeout')
      return new APIConnectionTimeoutError(`The request timed out after ${plan.timeout} ms (attempt ${attempt}).`);
    return new APIConnectionError(
      `Could not reach the Codex API at ${this.#config.baseUrl} (attempt ${attempt}${cause ? `: ${cause}` : ''}).${explained ? ` ${explained}` : ''}`,
      cause ? { causeCode: cause } : undefined,
    );
  }

  /**
   * One line per failed call: its kind, status, code and request id, never its message (the API's
   * may quote input). A token request fails no call itself: the calls waiting for it fail, each
   * with its own line; an abort is the caller's choice.
   */
  #logFailure(op: OperationSpec, thrown: unknown, abortedByCaller: boolean): void {
    const failed = thrown as Partial<APIError>;
    this.#config.logger?.[abortedByCaller || !op.auth ? 'debug' : 'error']?.(
      `codex: ✗ ${op.operationId} failed: ${[failed.name, failed.status, failed.code].filter(Boolean).join(' ')}${failed.requestId ? ` (request ${failed.requestId})` : ''}`,
    );
  }
}
