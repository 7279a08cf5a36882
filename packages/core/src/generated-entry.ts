/**
 * '@codex/core/generated': hey-api's generated ky client and one function per operation, for
 * callers who want the raw generated layer (no token handling, retries or pacing).
 */

export type { Client as HttpClient, Config as HttpClientConfig } from './generated/client/index.gen';
export { createClient, createConfig } from './generated/client/index.gen';
export * as sdk from './generated/sdk.gen';
