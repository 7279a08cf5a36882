// Errors carry a brand (a global symbol listing their kinds) so that guards and `instanceof`
// work across realms (iframes, workers) and across duplicate copies of this package, where the
// classes differ and bare `instanceof` would lie.

export const BRAND: unique symbol = Symbol.for('@codex/sdk.error-kinds') as never;

export type ErrorKind =
  | 'CodexError'
  | 'APIError'
  | 'BadRequestError'
  | 'AuthenticationError'
  | 'PermissionDeniedError'
  | 'NotFoundError'
  | 'ConflictError'
  | 'UnprocessableEntityError'
  | 'RateLimitError'
  | 'PayloadTooLargeError'
  | 'UnsupportedMediaTypeError'
  | 'InternalServerError'
  | 'APIResponseValidationError'
  | 'RedirectError'
  | 'APIConnectionError'
  | 'APIConnectionTimeoutError'
  | 'APIUserAbortError';

/** The kinds a value is branded with (empty for anything else). */
export function kindsOf(value: unknown): readonly ErrorKind[] {
  if (typeof value !== 'object' || value === null) return [];
  const kinds = (value as { [BRAND]?: unknown })[BRAND];
  return Array.isArray(kinds) ? (kinds as ErrorKind[]) : [];
}

export function isKind(value: unknown, kind: ErrorKind): boolean {
  return kindsOf(value).includes(kind);
}
