import type { APIError, AuthenticationError, NotFoundError, PermissionDeniedError, RateLimitError } from './api-error';
import { isKind } from './brand';
import type {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIResponseValidationError,
  APIUserAbortError,
  CodexError,
  RedirectError,
} from './codex-error';

export * from './api-error';
export type { ErrorKind } from './brand';
export * from './codex-error';

// Guards by brand: true for errors of any copy of the SDK, in any realm.
export const isCodexError = (value: unknown): value is CodexError => isKind(value, 'CodexError');
export const isAPIError = (value: unknown): value is APIError => isKind(value, 'APIError');
export const isAuthenticationError = (value: unknown): value is AuthenticationError =>
  isKind(value, 'AuthenticationError');
export const isPermissionDeniedError = (value: unknown): value is PermissionDeniedError =>
  isKind(value, 'PermissionDeniedError');
export const isNotFoundError = (value: unknown): value is NotFoundError => isKind(value, 'NotFoundError');
export const isRateLimitError = (value: unknown): value is RateLimitError => isKind(value, 'RateLimitError');
export const isAPIConnectionError = (value: unknown): value is APIConnectionError =>
  isKind(value, 'APIConnectionError');
export const isAPIConnectionTimeoutError = (value: unknown): value is APIConnectionTimeoutError =>
  isKind(value, 'APIConnectionTimeoutError');
export const isAPIUserAbortError = (value: unknown): value is APIUserAbortError => isKind(value, 'APIUserAbortError');
export const isAPIResponseValidationError = (value: unknown): value is APIResponseValidationError =>
  isKind(value, 'APIResponseValidationError');
export const isRedirectError = (value: unknown): value is RedirectError => isKind(value, 'RedirectError');
