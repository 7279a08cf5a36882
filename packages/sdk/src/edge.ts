/**
 * @codex/sdk for edge runtimes: Cloudflare Workers (workerd), Vercel Edge (edge-light) and other
 * Web-standard server runtimes. A server build: it takes an API key (a binding or an environment
 * variable of the platform's), with no browser guard. Web APIs only, no Node APIs.
 *
 * Tokens live in the isolate's memory: the concurrent requests an isolate serves share one token
 * and one refresh (concurrent first calls make one token request); each new isolate gets its own
 * token when it first needs one. Refreshes are made by the call that finds the token due, never
 * in the background: edge runtimes cancel work left running after a response.
 */
import { type ClientOptions, Client as CoreClient } from '@codex/core';

export * from '@codex/core';

declare const __CODEX_SDK_VERSION__: string | undefined;

/** This package's version (set at build time; `0.0.0-dev` when running from source). */
const VERSION: string = typeof __CODEX_SDK_VERSION__ === 'string' ? __CODEX_SDK_VERSION__ : '0.0.0-dev';

export const USER_AGENT = `codex-sdk-edge/${VERSION}`;

/**
 * The Codex API client for edge runtimes. Pass the key from the platform's secrets:
 *
 * ```js
 * export default {
 *   async fetch(request, env) {
 *     const client = new Client({ apiKey: env.CODEX_API_KEY });
 *     return Response.json((await client.documents.list()).data);
 *   },
 * };
 * ```
 */
export class Client extends CoreClient {
  constructor(options: ClientOptions) {
    super({
      // workerd cancels what a request leaves running after its response (a refresh started in
      // the background would never settle): a token is refreshed by the call that finds it due.
      backgroundRefresh: false,
      ...options,
      headers: { 'User-Agent': USER_AGENT, ...options?.headers },
    });
  }
}
