import {
  type ClientOptions,
  CodexError,
  Client as CoreClient,
  memoryTokenStore,
  type TokenProvider,
  type TokenStore,
} from '@codex/core';
import { shareAcrossTabs } from './tab-sharing';
import { webStorageTokenStore } from './web-storage-store';

export type BrowserClientOptions = ClientOptions & {
  /**
   * Allow a client secret (apiKey, clientSecret) in the browser. Anyone who can open the page can
   * read it and act as your project. Prefer `tokenProvider`: your backend keeps the key and hands
   * the page short-lived tokens.
   * @default false
   */
  dangerouslyAllowBrowser?: boolean;
  /**
   * Where tokens are kept: `'memory'` (this page), `'session'` (sessionStorage: this tab, across
   * reloads), `'local'` (localStorage: every tab; any script on the origin can read it), or a
   * TokenStore of your own. Tabs of one origin share tokens in every case.
   * @default 'memory'
   */
  tokenStorage?: 'memory' | 'session' | 'local' | TokenStore;
  /**
   * Share tokens and refreshes with the other tabs and workers of this origin (Web Locks +
   * BroadcastChannel), so that ten tabs make one token request.
   * @default true
   */
  shareAcrossTabs?: boolean;
};

/**
 * The Codex API client for browsers. Give it a `tokenProvider` (recommended) rather than a key.
 * Tabs of one origin share one token and one refresh (Web Locks + BroadcastChannel).
 */
export class Client extends CoreClient {
  constructor(options: BrowserClientOptions) {
    const {
      dangerouslyAllowBrowser = false,
      tokenStorage = 'memory',
      shareAcrossTabs: share = true,
      ...rest
    } = options ?? ({} as BrowserClientOptions);
    if ((rest.apiKey !== undefined || rest.clientSecret !== undefined) && !dangerouslyAllowBrowser) {
      throw new CodexError(
        'A client secret in a browser can be read by anyone who opens the page, who can then act as your project. ' +
          'Use tokenProvider instead: your backend exchanges the API key and hands the page short-lived tokens. ' +
          'If you really mean it (an internal tool, a demo), pass dangerouslyAllowBrowser: true.',
      );
    }
    const store =
      tokenStorage === 'session'
        ? webStorageTokenStore(sessionStorage)
        : tokenStorage === 'local'
          ? webStorageTokenStore(localStorage)
          : tokenStorage === 'memory'
            ? memoryTokenStore
            : tokenStorage;
    super({
      ...rest,
      tokenStore: store,
      ...(share && {
        coordinateRefresh: (key: string, fetchToken: TokenProvider) =>
          shareAcrossTabs(key, fetchToken, rest.clock?.now),
      }),
    });
  }
}
