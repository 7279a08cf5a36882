import {
  type ClientOptions,
  CodexError,
  Client as CoreClient,
  checkTokenStoreOption,
  DEFAULT_BASE_URL,
  logLevelFromEnv,
  mergeHeaders,
  stderrLogger,
  type TokenStore,
} from '@codex/core';
import { backgroundFetch } from './background-fetch.ts';
import { fileTokenStore } from './file-token-store.ts';
import { netAllowed, permissionAwareFetch, readEnv, readEnvIfAllowed } from './permissions.ts';
import { VERSION } from './version.ts';

export type DenoClientOptions = Partial<Omit<ClientOptions, 'tokenStore'>> & {
  /**
   * Where tokens are kept: `'memory'` (this process), `'file'` (the user's cache directory, shared
   * by processes), or a TokenStore of your own such as `fileTokenStore(dir)`. `'file'` finds the
   * directory through CODEX_CACHE_DIR or HOME (--allow-env for one of them, else new Client()
   * throws; never the working directory) and needs --allow-read and --allow-write for it, and
   * --allow-sys=uid to check that it is this user's own (else the cache is skipped, and
   * `logger.warn` says which flag to add). A cache of another user's, writable by others or a
   * symbolic link is not used either (`fileTokenStore` says why).
   * @default 'memory'
   */
  tokenStore?: 'memory' | 'file' | TokenStore;
  /** @deprecated Renamed `tokenStore` (the same values). */
  tokenCache?: 'memory' | 'file' | TokenStore;
};

/** `codex-sdk-deno/<version> deno/<version>` */
export const USER_AGENT: string = `codex-sdk-deno/${VERSION} deno/${Deno.version.deno}`;

/**
 * The Codex API client for Deno. Without credentials in the options it reads CODEX_API_KEY (or
 * CODEX_CLIENT_ID + CODEX_CLIENT_SECRET) through Deno.env; missing permissions give an error that
 * names the flag to add (--allow-env=CODEX_API_KEY, --allow-net=<host>). CODEX_LOG (debug, info,
 * warn, error, off) logs to stderr, like the `logLevel` option, which overrides it; it is read only
 * with --allow-env for it (else ignored, without a prompt).
 */
export class Client extends CoreClient {
  constructor(options: DenoClientOptions = {}) {
    if (typeof options !== 'object' || options === null)
      throw new CodexError('new Client(options): options must be an object.', { code: 'invalid_option' });
    const { tokenCache, tokenStore, fetch: givenFetch, ...rest } = options;
    const where = checkTokenStoreOption(tokenStore, tokenCache);
    const given =
      rest.apiKey !== undefined ||
      rest.clientId !== undefined ||
      rest.clientSecret !== undefined ||
      rest.tokenProvider !== undefined;
    let credentials: Partial<ClientOptions> = {};
    if (!given) {
      // CODEX_API_KEY, else CODEX_CLIENT_ID + CODEX_CLIENT_SECRET, each read only if allowed.
      const apiKey = readEnvIfAllowed('CODEX_API_KEY');
      const clientId = readEnvIfAllowed('CODEX_CLIENT_ID');
      const clientSecret = readEnvIfAllowed('CODEX_CLIENT_SECRET');
      if (apiKey) credentials = { apiKey };
      else if (clientId && clientSecret) credentials = { clientId, clientSecret };
      else {
        // Not allowed to read CODEX_API_KEY: this names the flag to add.
        readEnv('CODEX_API_KEY');
        throw new CodexError(
          'No Codex API credentials: pass apiKey (or clientId + clientSecret, or tokenProvider) to new Client(), or set CODEX_API_KEY="<client_id>:<client_secret>" and run with --allow-env=CODEX_API_KEY.',
          { code: 'missing_credentials' },
        );
      }
    }
    // An empty or blank CODEX_BASE_URL counts as unset, like an empty CODEX_API_KEY (issue 18, item 2).
    const envBaseUrl = readEnvIfAllowed('CODEX_BASE_URL');
    const baseUrl = rest.baseUrl ?? (envBaseUrl?.trim() ? envBaseUrl : undefined);
    const store = where === 'file' ? fileTokenStore() : where === 'memory' ? undefined : where;
    // The option wins over CODEX_LOG; either logs to stderr unless a logger is given.
    const logLevel = rest.logLevel ?? logLevelFromEnv(readEnvIfAllowed('CODEX_LOG'), rest.logger ?? stderrLogger);
    super({
      // withOptions() builds its Client from the options this one gave core: permissionAwareFetch is ours.
      ...fetchOptions(givenFetch === permissionAwareFetch ? undefined : givenFetch, baseUrl ?? DEFAULT_BASE_URL),
      ...rest,
      ...credentials,
      ...(baseUrl !== undefined && { baseUrl }),
      ...(store !== undefined && { tokenStore: store }),
      ...(logLevel !== undefined && { logLevel, logger: rest.logger ?? stderrLogger }),
      // Any form fetch takes (a Headers, pairs): a spread would drop a Headers (issue 18).
      headers: mergeHeaders({ 'User-Agent': USER_AGENT }, rest.headers),
    } as ClientOptions);
  }

  /** What console.log and Deno.inspect show: the settings, never a secret or a token. */
  [Symbol.for('Deno.customInspect')](): string {
    return `Client ${JSON.stringify(this.toJSON(), null, 2)}`;
  }
}

/**
 * The fetches core is given (issue 18, item 3). The user's `fetch` does everything. Else, with
 * network permission for the API's host, Deno's own fetch, and backgroundFetch for the token
 * refreshes no call waits for, so that a hung one does not hold the process open (core uses
 * `backgroundFetch` only when no `fetch` is given). Else permissionAwareFetch, whose error names
 * the --allow-net flag to add; a hung background refresh may then hold the process for its timeout.
 */
function fetchOptions(
  fetch: ClientOptions['fetch'],
  baseUrl: string,
): Pick<ClientOptions, 'fetch' | 'backgroundFetch'> {
  if (fetch !== undefined) return { fetch };
  return netAllowed(baseUrl) ? { backgroundFetch } : { fetch: permissionAwareFetch };
}
