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
import { type ClientOptions, type ClientSettings, Client as CoreClient, mergeHeaders } from '@codex/core';

export * from '@codex/core';

declare const __CODEX_SDK_VERSION__: string | undefined;

/** This package's version (set at build time; `0.0.0-dev` when running from source). */
const VERSION: string = typeof __CODEX_SDK_VERSION__ === 'string' ? __CODEX_SDK_VERSION__ : '0.0.0-dev';

export const USER_AGENT = `codex-sdk-edge/${VERSION}`;

/**
 * The edge build's default `deadline` in ms: a call, retries and waits included, ends by then.
 * The platforms end a request that has not answered long before Node's defaults would (60 s per
 * attempt, 2 retries: over 3 minutes): Vercel Edge functions must begin their response within
 * 25 s, and Cloudflare answers 524 after 100 s without a response. 20 s is under both, leaving
 * 5 s of Vercel's 25 for the Worker's own work and for answering with the SDK's error (issue 18).
 */
const EDGE_DEADLINE = 20_000;

/**
 * The edge build's default per-attempt `timeout` in ms: a first attempt that times out, the
 * first backoff (at most 0.5 s) and a whole second attempt fit in the deadline
 * (8 + 0.5 + 8 < 20 s), so a hung connection still gets a retry before the deadline.
 */
const EDGE_TIMEOUT = 8_000;

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
 *
 * Its defaults fit the platforms' request limits, which Node's (60 s per attempt, 2 retries) outlive:
 * - `deadline`: 20 s for each call, retries and waits included; the call then rejects with
 *   `APIConnectionTimeoutError`, code `deadline_exceeded`. Vercel Edge must begin a response
 *   within 25 s; Cloudflare answers 524 after 100 s.
 * - `timeout`: 8 s per attempt, so that a retry fits in the deadline.
 * - A `deadline` or `timeout` you pass wins: in the options, in `withOptions` or per call. Raise
 *   `deadline` where the platform lets work run longer (a Cron Trigger, a Queue consumer).
 * - `undefined` counts as not passed and keeps the default, so an unset variable cannot remove the
 *   bound. There is no "no deadline" on the edge: the platform always has one.
 */
export class Client extends CoreClient {
  constructor(options: ClientOptions) {
    super({
      // workerd cancels what a request leaves running after its response (a refresh started in
      // the background would never settle): a token is refreshed by the call that finds it due.
      backgroundRefresh: false,
      ...options,
      deadline: options?.deadline ?? EDGE_DEADLINE,
      timeout: options?.timeout ?? EDGE_TIMEOUT,
      // Any form fetch takes (a Headers, pairs): a spread would drop a Headers (issue 18).
      headers: mergeHeaders({ 'User-Agent': USER_AGENT }, options?.headers),
    });
  }

  /**
   * As core's, except that an undefined `deadline` or `timeout` keeps this Client's (core's
   * spreads it over them, which would remove the deadline and restore Node's 60 s timeout).
   */
  override withOptions(overrides: ClientSettings): this {
    if (typeof overrides !== 'object' || overrides === null) return super.withOptions(overrides);
    const { deadline, timeout, ...rest } = overrides;
    return super.withOptions({
      ...rest,
      ...(deadline !== undefined && { deadline }),
      ...(timeout !== undefined && { timeout }),
    });
  }
}
