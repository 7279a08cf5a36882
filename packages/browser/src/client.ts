import {
  type ClientOptions,
  CodexError,
  Client as CoreClient,
  memoryTokenStore,
  type TokenProvider,
  type TokenStore,
} from '@codex/core';
import { explainConnectionError } from './explain-connection-error';
import { shareAcrossTabs } from './tab-sharing';

export type BrowserClientOptions = ClientOptions & {
  /**
   * Allow a client secret (apiKey, clientSecret) in the browser. Anyone who can open the page can
   * read it and act as your project. Prefer `tokenProvider`: your backend keeps the key and hands
   * the page short-lived tokens.
   * @default false
   */
  dangerouslyAllowBrowser?: boolean;
  /**
   * Where tokens are kept: this page's memory by default; `sessionTokenStore()` (this tab, across
   * reloads), `localTokenStore()` (every tab; readable by any script on the origin) or a TokenStore
   * of your own. Tabs of one origin share tokens in every case.
   * @default memory
   */
  tokenStore?: TokenStore;
  /** @deprecated Renamed `tokenStore`, as in every runtime. */
  tokenStorage?: TokenStore;
  /**
   * Share tokens and refreshes with the other tabs and workers of this origin (Web Locks +
   * BroadcastChannel), so that ten tabs make one token request.
   * @default true
   */
  shareAcrossTabs?: boolean;
};

/**
 * The Codex API client for browsers. Give it a `tokenProvider` (recommended) rather than a key.
 * - Tabs of one origin share one token and one refresh (Web Locks + BroadcastChannel).
 * - A request the browser blocked (CORS, mixed content, an extension) fails at once with an
 *   APIConnectionError of code `blocked_by_browser` that says so, rather than after retries: a
 *   request that gets no answer is followed by one `no-cors` HEAD of the same URL, without token
 *   or body, to tell a blocked answer from an unreachable server. Not with your own `fetch`, whose
 *   errors may not be the browser's; `explainConnectionError` replaces it.
 */
export class Client extends CoreClient {
  constructor(options: BrowserClientOptions) {
    const {
      dangerouslyAllowBrowser = false,
      tokenStorage,
      shareAcrossTabs: share = true,
      ...rest
    } = options ?? ({} as BrowserClientOptions);
    if ((rest.apiKey !== undefined || rest.clientSecret !== undefined) && !dangerouslyAllowBrowser) {
      throw new CodexError(
        'Anyone who opens the page can read a client secret in it: use tokenProvider, or dangerouslyAllowBrowser: true to accept the risk.',
        { code: 'secret_in_browser' },
      );
    }
    if (tokenStorage !== undefined && rest.tokenStore !== undefined)
      throw new CodexError('Pass tokenStore only: tokenStorage is its former name.', { code: 'invalid_option' });
    super({
      ...rest,
      // The page's token provider is one per origin by default, so that its tabs share tokens.
      ...(rest.tokenProvider && { tokenProviderId: rest.tokenProviderId ?? 'page' }),
      tokenStore: tokenStorage ?? rest.tokenStore ?? memoryTokenStore,
      ...(share && {
        coordinateRefresh: (key: string, fetchToken: TokenProvider) =>
          shareAcrossTabs(key, fetchToken, rest.clock?.now),
      }),
      ...(rest.fetch === undefined && rest.explainConnectionError === undefined && { explainConnectionError }),
    });
  }
}
