/**
 * @codex/core: the runtime-neutral core of the Codex SDKs. Runtime packages (@codex/node,
 * @codex/browser, @codex/deno) re-export it and supply fetch, storage and a User-Agent.
 *
 * The generated layer's types and operation table are exported here (generated from
 * openapi/codex.yaml; the HTTP layer is the hand-written transport).
 */
export type { BatchOptions, BatchOutcome } from './batch';
export { Client, type ClientOptions } from './client';
export { type Clock, systemClock } from './clock';
export { type ClientHooks, type ClientSettings, checkBaseUrl, DEFAULT_BASE_URL, type Fetch } from './config';
export { type CredentialOptions, type ProvidedToken, resolveCredentials, type TokenProvider } from './credentials';
export * from './errors';
export type { OperationTypes } from './generated/codex/operation-table.gen';
export * from './generated/types.gen';
export { LOG_LEVELS, type Logger, type LogLevel } from './logger';
export { type OperationId, type OperationSpec, operationTable } from './operations';
export { Page, PagePromise } from './pagination';
export { type PacingOptions, type QuotaContext, RateLimiter, type SharedQuota } from './rate-limiter';
export type { Resources } from './resources';
export { parseRetryAfter } from './retry-after';
export { type RefreshContext, type RefreshLock, RefreshLockBusy, refreshThroughStore } from './shared-refresh';
export { TokenManager } from './token-manager';
export { memoryTokenStore, type StoredToken, type TokenStore } from './token-store';
export {
  type AttemptEnd,
  type AttemptTrace,
  type CallEnd,
  type CallTrace,
  type OpenTelemetryApi,
  otelTracer,
  type Tracer,
} from './tracing';
export { RETRYABLE_STATUSES, type RequestOptions } from './transport';
