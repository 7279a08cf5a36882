import type { ErrorCode } from '../spec';
import type { DevServerState } from '../state';
import type { Grant } from '../state/tokens';

/** What an operation answers: a status and a JSON body (`null` for 204). */
export type Reply = { status: number; body: unknown; headers?: Record<string, string> };

export type OperationContext = {
  state: DevServerState;
  requestId: string;
  body: unknown;
  params: Record<string, string>;
  query: URLSearchParams;
  /** The caller's token grant; null for the token endpoint. */
  grant: Grant | null;
};

export type Handler = (ctx: OperationContext) => Reply;

/**
 * An error code the dev server answers with: the contract's, or `not_implemented` (501) for an
 * operation of the spec without a handler yet, which the real API never answers.
 */
export type DevServerErrorCode = ErrorCode | 'not_implemented';

/** The contract's error envelope. */
export function errorBody(code: DevServerErrorCode, message: string, requestId: string, param?: string) {
  return { error: { code, message, request_id: requestId, ...(param !== undefined && { param }) } };
}

export function fail(
  status: number,
  code: DevServerErrorCode,
  message: string,
  requestId: string,
  param?: string,
): Reply {
  return { status, body: errorBody(code, message, requestId, param) };
}

/** The code the contract uses for an HTTP status (for injected faults). */
export function codeForStatus(status: number): ErrorCode {
  const codes: Record<number, ErrorCode> = {
    400: 'invalid_request',
    401: 'invalid_token',
    403: 'insufficient_scope',
    404: 'not_found',
    413: 'payload_too_large',
    415: 'unsupported_media_type',
    422: 'idempotency_key_reused',
    429: 'rate_limited',
    500: 'internal_error',
    503: 'unavailable',
  };
  return codes[status] ?? (status >= 500 ? 'internal_error' : 'invalid_request');
}
