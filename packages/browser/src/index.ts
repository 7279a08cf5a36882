/**
 * @codex/browser: the Codex API SDK for browsers. Everything in @codex/core, with a Client that
 * refuses client secrets unless told otherwise and shares tokens between tabs.
 *
 * @module @codex/browser
 */
export * from '@codex/core';
export { type BrowserClientOptions, Client } from './client';
export { shareAcrossTabs } from './tab-sharing';
export { localTokenStore, sessionTokenStore, webStorageTokenStore } from './web-storage-store';
