import type { ErrorKind } from './brand';
import { type APIErrorCode, CodexError } from './codex-error';

/** The contract's error body: `{"error": {code, message, request_id, param?}}`. */
export type ErrorBody = { code: string; message: string; request_id?: string; param?: string };

/** The API answered with an error status. */
export class APIError extends CodexError {
  static override readonly kind: ErrorKind = 'APIError';
  /** HTTP status. */
  readonly status: number;
  /** Stable error code from the API (`invalid_token`, `rate_limited`...), or `http_<status>` when the body is not the API's. */
  declare readonly code: APIErrorCode;
  /** X-Request-Id: quote it when contacting support. */
  readonly requestId: string | undefined;
  /** The request field at fault, for validation errors. */
  readonly param: string | undefined;
  /** Response headers (no request headers: those carry the token). */
  readonly headers: Headers;
  /**
   * Milliseconds the API asked to wait (`Retry-After`), on any error that came with one: a 429, a
   * 503 whose wait was over `maxRetryDelay`... Pacing's own refusal (a wait over `maxRetryDelay`,
   * nothing sent) sets it too.
   */
  readonly retryAfter: number | undefined;

  constructor(status: number, body: ErrorBody, headers: Headers, retryAfter?: number) {
    const requestId = body.request_id ?? headers.get('x-request-id') ?? undefined;
    super(`${status} ${body.code}: ${body.message}${requestId ? ` (request ${requestId})` : ''}`);
    this.status = status;
    (this as { code: string }).code = body.code;
    this.requestId = requestId;
    this.param = body.param;
    this.headers = headers;
    this.retryAfter = retryAfter;
  }
}

export class BadRequestError extends APIError {
  static override readonly kind: ErrorKind = 'BadRequestError';
}
export class AuthenticationError extends APIError {
  static override readonly kind: ErrorKind = 'AuthenticationError';
}
export class PermissionDeniedError extends APIError {
  static override readonly kind: ErrorKind = 'PermissionDeniedError';
}
export class NotFoundError extends APIError {
  static override readonly kind: ErrorKind = 'NotFoundError';
}
export class ConflictError extends APIError {
  static override readonly kind: ErrorKind = 'ConflictError';
}
export class UnprocessableEntityError extends APIError {
  static override readonly kind: ErrorKind = 'UnprocessableEntityError';
}
/** 413: the body is over the API's size limit. */
export class PayloadTooLargeError extends APIError {
  static override readonly kind: ErrorKind = 'PayloadTooLargeError';
}
/** 415: the body was not sent as `application/json`. */
export class UnsupportedMediaTypeError extends APIError {
  static override readonly kind: ErrorKind = 'UnsupportedMediaTypeError';
}
export class InternalServerError extends APIError {
  static override readonly kind: ErrorKind = 'InternalServerError';
}

/**
 * 429: over the rate limit, after the retries the SDK could make, or when its wait (`retryAfter`)
 * is over `maxRetryDelay`. Also thrown before anything is sent when client-side pacing would have
 * to wait longer than `maxRetryDelay` (status 429, code `rate_limited`, no request id).
 */
export class RateLimitError extends APIError {
  static override readonly kind: ErrorKind = 'RateLimitError';
}

/** The right class for a status. */
export function makeAPIError(status: number, body: ErrorBody, headers: Headers, retryAfter?: number): APIError {
  const classes: Record<number, typeof APIError> = {
    400: BadRequestError,
    401: AuthenticationError,
    403: PermissionDeniedError,
    404: NotFoundError,
    409: ConflictError,
    413: PayloadTooLargeError,
    415: UnsupportedMediaTypeError,
    422: UnprocessableEntityError,
    429: RateLimitError,
  };
  const Class = classes[status] ?? (status >= 500 ? InternalServerError : APIError);
  return new Class(status, body, headers, retryAfter);
}
