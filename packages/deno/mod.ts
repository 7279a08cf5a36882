/**
 * @codex/deno: the Codex API SDK for Deno.
 *
 * ```ts
 * import { Client } from '@codex/deno';
 *
 * const client = new Client(); // CODEX_API_KEY, read with --allow-env=CODEX_API_KEY
 * for await (const doc of client.documents.list()) console.log(doc.title);
 * ```
 *
 * @module
 */
export * from '@codex/core';
export { Client, type DenoClientOptions, USER_AGENT } from './src/client.ts';
export { defaultCacheDir, fileTokenStore } from './src/file-token-store.ts';
export { VERSION } from './src/version.ts';
