/**
 * @codex/core: the runtime-neutral core of the Codex SDKs. Runtime packages (@codex/node,
 * @codex/browser, @codex/deno) re-export it and supply fetch, storage and a User-Agent.
 *
 * The generated layer (types, operation table, resource classes) is exported here. hey-api's HTTP
 * client and SDK functions are not generated: the Client's own transport calls the API.
 */
export { APIPromise, type RateLimitInfo, type WithResponse } from './api-promise';
export { type BatchOptions, type BatchOutcome, BatchPromise, type BatchWithResponse } from './batch';
export { Client, type ClientOptions } from './client';
export { type Clock, systemClock } from './clock';
export { type ClientHooks, type ClientSettings, checkBaseUrl, DEFAULT_BASE_URL } from './config';
export { type CredentialOptions, type ProvidedToken, resolveCredentials, type TokenProvider } from './credentials';
export * from './errors';
export type { OperationTypes } from './generated/codex/operation-table.gen';
export { Documents } from './generated/codex/resources.gen';
export * from './generated/types.gen';
export type { Logger } from './logger';
export { type OperationId, type OperationSpec, operationTable } from './operations';
export { Page, PagePromise } from './pagination';
export { type PacingOptions, type QuotaContext, RateLimiter, type SharedQuota } from './rate-limiter';
export { APIResource } from './resources';
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
