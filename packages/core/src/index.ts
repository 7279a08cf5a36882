/**
 * @codex/core: the runtime-neutral core of the Codex SDKs.
 *
 * Today it exports the generated layer (types, the ky-based client and SDK functions, the
 * operation table); the hand-written runtime (auth, retries, pacing) builds on it.
 */

export type { Client as HttpClient, Config as HttpClientConfig } from './generated/client/index.gen';
export { createClient, createConfig } from './generated/client/index.gen';
export type { OperationTypes } from './generated/codex/operation-table.gen';
export * as sdk from './generated/sdk.gen';
export * from './generated/types.gen';
export { type OperationId, type OperationSpec, operationTable } from './operations';
