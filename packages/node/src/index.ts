/**
 * @codex/node: the Codex API SDK for Node.js. Everything in @codex/core, with a Client that finds
 * credentials in the environment or a profile file and can keep tokens in a file cache.
 *
 * @module @codex/node
 */
export * from '@codex/core';
export { Client, type NodeClientOptions, USER_AGENT } from './client';
export { defaultCredentialsFile, type ProfileOptions, resolveCredentialChain } from './credentials';
export { defaultCacheDir, fileTokenStore } from './file-token-store';
export type { UndiciDispatcher } from './proxy';
export { VERSION } from './version';
