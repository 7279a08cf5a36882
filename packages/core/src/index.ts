/**
 * @codex/core: the runtime-neutral core of the Codex SDKs. Runtime packages (@codex/node,
 * @codex/browser, @codex/deno) re-export it and supply fetch, storage and a User-Agent.
 *
 * What is exported here is the public API (see etc/api/core.api.md); the machinery behind it
 * (token manager, rate limiter, retry policy, operation table) is not, and may change in any release.
 *
 * @module @codex/core
 */
export { APIPromise, type RateLimitInfo, type WithResponse } from './api-promise';
export {
  type BatchOptions,
  type BatchOutcome,
  BatchPromise,
  type BatchWithResponse,
  chunkIdempotencyKey,
} from './batch';
export { mergeHeaders } from './checks';
export { Client, type ClientOptions } from './client';
export { type Clock, systemClock } from './clock';
export {
  type ClientHooks,
  type ClientSettings,
  DEFAULT_BASE_URL,
  DEFAULT_MAX_RESPONSE_SIZE,
  type Fetch,
} from './config';
export type { CredentialOptions } from './credentials';
export * from './errors';
export { Documents } from './generated/codex/resources.gen';
export * from './generated/types.gen';
export { describeValue, LOG_LEVELS, type Logger, type LogLevel, logLevelFromEnv, stderrLogger } from './logger';
export { Page, PagePromise } from './pagination';
export type { PacingOptions, QuotaContext, SharedQuota, TakeContext } from './rate-limiter';
export { APIResource } from './resources';
export { type RefreshLock, RefreshLockBusy, refreshThroughStore } from './shared-refresh';
export { checkTokenStoreOption, memoryTokenStore, type StoredToken, type TokenStore } from './token-store';
export {
  type AttemptEnd,
  type AttemptTrace,
  type CallEnd,
  type CallTrace,
  type OpenTelemetryApi,
  otelTracer,
  type Tracer,
} from './tracing';
export type { HeadersInput, ProvidedToken, RefreshContext, RequestOptions, TokenProvider } from './types';
