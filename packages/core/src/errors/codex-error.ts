import type { ErrorCode } from '../generated/types.gen';
import { BRAND, type ErrorKind, isKind } from './brand';

/**
 * The `code` of an error the SDK raises itself (no API answer, or an answer it refuses), stable
 * across releases: test and branch on it rather than on messages.
 * - `invalid_argument`: a method's argument or per-call option is wrong (an id, a query, a body, headers...).
 * - `invalid_option`: a Client option is wrong.
 * - `missing_credentials` / `invalid_credentials`: no API key was found / the one given is malformed.
 * - `token_provider_failed`: `tokenProvider` threw, or returned something that is not a token.
 * - `secret_in_browser`: a client secret in a page without `dangerouslyAllowBrowser`.
 * - `missing_permission`: the runtime refused an operation (Deno's --allow-env, --allow-net...).
 * - `token_store_failed`: the token store (a file cache...) could not be used; tokens stay in memory.
 * - `unsupported_runtime`: the runtime lacks what is needed (fetch, Web Crypto...).
 * - `aborted`, `connection_error`, `timeout`, `deadline_exceeded`, `invalid_response`, `redirect`:
 *   the call was aborted, could not reach the API, timed out (an attempt, the whole call, or the
 *   caller's `AbortSignal.timeout()`), got a success answer that is not what the spec says, or a redirect.
 * - `response_too_large`: a success body over `maxResponseSize` (not read further).
 * - `blocked_by_browser`: a browser refused to send the request or to show its answer (CORS,
 *   mixed content, an extension); not retried.
 */
export type ClientErrorCode =
  | 'invalid_argument'
  | 'invalid_option'
  | 'missing_credentials'
  | 'invalid_credentials'
  | 'token_provider_failed'
  | 'secret_in_browser'
  | 'missing_permission'
  | 'token_store_failed'
  | 'unsupported_runtime'
  | 'aborted'
  | 'connection_error'
  | 'timeout'
  | 'deadline_exceeded'
  | 'invalid_response'
  | 'response_too_large'
  | 'blocked_by_browser'
  | 'redirect';

/** The `code` of an APIError: the spec's `ErrorCode`, or `http_<status>` when the body is not the API's error envelope (a proxy's page). */
export type APIErrorCode = ErrorCode | `http_${number}`;

/** Options of every SDK error. */
export type CodexErrorOptions = { cause?: unknown; code?: ClientErrorCode };

/** Base of every error the SDK throws. */
export class CodexError extends Error {
  /** The kinds this error is, most general first (see `isCodexError` and friends). */
  declare readonly [BRAND]: readonly ErrorKind[];
  static readonly kind: ErrorKind = 'CodexError';
  /** Stable: what went wrong (see ClientErrorCode; an APIError has the API's code). */
  readonly code: ClientErrorCode | APIErrorCode;
  /**
   * The Idempotency-Key the failed call sent (operations that take one): call again with
   * `{ idempotencyKey }` to retry without risking a duplicate.
   */
  declare idempotencyKey?: string;

  constructor(message: string, options?: CodexErrorOptions) {
    super(message, options);
    this.code = options?.code ?? 'invalid_argument';
    const kinds: ErrorKind[] = [];
    for (let proto: unknown = new.target; typeof proto === 'function'; proto = Object.getPrototypeOf(proto)) {
      if (Object.hasOwn(proto, 'kind')) kinds.unshift((proto as unknown as { kind: ErrorKind }).kind);
    }
    // Not enumerable (defineProperty's default), as on Error.prototype.
    Object.defineProperty(this, BRAND, { value: Object.freeze(kinds) });
    Object.defineProperty(this, 'name', { value: new.target.kind, configurable: true, writable: true });
  }

  /** `instanceof` by brand, so it also holds for errors from another copy of the SDK or another realm. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass `instanceof` was asked about.
    return isKind(value, this.kind);
  }
}

/** The request was aborted through the caller's AbortSignal. Never retried. */
export class APIUserAbortError extends CodexError {
  static override readonly kind: ErrorKind = 'APIUserAbortError';
  constructor(options?: CodexErrorOptions) {
    super('The request was aborted.', { code: 'aborted', ...options });
  }
}

/** The API could not be reached: DNS, refused or reset connection, TLS, or a non-HTTP failure. */
export class APIConnectionError extends CodexError {
  static override readonly kind: ErrorKind = 'APIConnectionError';
  /**
   * The code of the underlying failure, when the runtime gives one (`ECONNREFUSED`: nothing
   * listens there; `ENOTFOUND`: no such host; `UND_ERR_SOCKET`, `ECONNRESET`: the connection
   * broke; `CERT_HAS_EXPIRED`...), also quoted in the message. Never a value of the request.
   */
  readonly causeCode: string | undefined;
  constructor(message = 'Could not connect to the Codex API.', options?: CodexErrorOptions & { causeCode?: string }) {
    const { causeCode, ...rest } = options ?? {};
    super(message, { code: 'connection_error', ...rest });
    this.causeCode = causeCode;
  }
}

/** An attempt exceeded `timeout`, or the call exceeded its `deadline`. */
export class APIConnectionTimeoutError extends APIConnectionError {
  static override readonly kind: ErrorKind = 'APIConnectionTimeoutError';
  constructor(message = 'The request timed out.', options?: CodexErrorOptions) {
    super(message, { code: 'timeout', ...options });
  }
}

/**
 * The API answered with a success status but a body that is not what the spec says: not JSON
 * (a proxy's HTML page, an empty or truncated body), `null`, or the wrong shape. Not retried: the
 * server answered, so the operation may have been applied; an operation that takes an
 * Idempotency-Key carries it in `idempotencyKey`, to retry safely.
 */
export class APIResponseValidationError extends CodexError {
  static override readonly kind: ErrorKind = 'APIResponseValidationError';
  /** HTTP status of the response (a success status). */
  readonly status: number;
  /** X-Request-Id of the response. */
  readonly requestId: string | undefined;
  /** The start of the body (at most 200 characters); empty for the token endpoint, whose body holds a token. */
  readonly bodyExcerpt: string;

  constructor(
    operationId: string,
    status: number,
    headers: Headers,
    problem: string,
    excerpt: string,
    code: 'invalid_response' | 'response_too_large' = 'invalid_response',
  ) {
    const requestId = headers.get('x-request-id') ?? undefined;
    super(
      `${operationId}: the ${status} response is not valid: ${problem}${requestId ? ` (request ${requestId})` : ''}.` +
        (excerpt ? ` It starts with: ${JSON.stringify(excerpt)}` : ''),
      { code },
    );
    this.status = status;
    this.requestId = requestId;
    this.bodyExcerpt = excerpt;
  }
}

/**
 * The API answered with a redirect, which the SDK never follows: the request carries a bearer
 * token, and the Codex API does not redirect. Not retried.
 */
export class RedirectError extends CodexError {
  static override readonly kind: ErrorKind = 'RedirectError';
  /** The redirect's status (301, 302, 307...), or 0 where the runtime hides it (browsers). */
  readonly status: number;
  /** The origin the redirect pointed to (never its path or query), or undefined when not visible (browsers). */
  readonly location: string | undefined;

  constructor(operationId: string, status: number, location: string | undefined) {
    super(
      `${operationId}: a redirect${status ? ` (${status})` : ''} to ${location ?? 'an undisclosed location'} was not followed: the token goes only to baseUrl.`,
      { code: 'redirect' },
    );
    this.status = status;
    this.location = location;
  }
}
