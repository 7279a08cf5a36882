import { isAbortSignal, mergeHeaders } from './checks';
import { type ClientConfig, type ClientSettings, DEFAULT_BASE_URL, resolveConfig } from './config';
import { type CredentialOptions, type Credentials, REDACTED, resolveCredentials } from './credentials';
import { APIConnectionError, APIUserAbortError, CodexError, isCodexError, isNotFoundError } from './errors';
import { Documents } from './generated/codex/resources.gen';
import type { TokenResponse } from './generated/types.gen';
import { operationTable } from './operations';
import { RateLimiter } from './rate-limiter';
import { sha256Hex } from './sha256';
import { shared } from './shared';
import { type FetchToken, TokenManager } from './token-manager';
import { checkToken, memoryTokenStore } from './token-store';
import { type TokenSource, Transport } from './transport';
import type { ProvidedToken, TokenProvider } from './types';

export type ClientOptions = CredentialOptions & ClientSettings;

// A token provider's identity in token keys: one per function, unless named (tokenProviderId).
// Unnamed providers are numbered per process, under a random process id: token stores that
// processes share (files, Redis) never give one process's provider the tokens of another's.
const providerIds = new WeakMap<object, string>();
let nextProviderId = 0;
let processId: string | undefined;
const providerId = (provider: object) => {
  // Generated on first use: edge runtimes refuse random values at module load.
  processId ??= crypto.randomUUID().slice(0, 8);
  if (!providerIds.has(provider)) providerIds.set(provider, `${processId}.${++nextProviderId}`);
  return providerIds.get(provider);
};

/** What is wrong with `{ accessToken, expiresIn }` as received (checkToken: the one check of tokens). */
function tokenProblem(value: unknown): string | undefined {
  const checked = checkToken(value, 'response', 0);
  return typeof checked === 'string' ? checked : undefined;
}

/**
 * The Codex API client. Exchanges the API key for tokens and keeps them fresh, paces requests
 * under the rate limit, retries what is safe to retry, and turns failures into typed errors.
 *
 * ```ts
 * const client = new Client({ apiKey: process.env.CODEX_API_KEY });
 * for await (const doc of client.documents.list()) console.log(doc.title);
 * ```
 */
export class Client {
  /** Create, read, update, delete, list and batch-edit documents. */
  readonly documents: Documents;
  readonly #config: ClientConfig;
  readonly #credentials: Credentials;
  readonly #tokens: TokenSource;
  /** The options this Client was made with, for withOptions(). */
  readonly #options: ClientOptions;

  /**
   * @throws {CodexError} `missing_credentials` or `invalid_credentials`: no credentials, or a
   * malformed key; `invalid_option` or `invalid_argument`: an option of the wrong type or out of range.
   */
  constructor(options: ClientOptions) {
    if (typeof options !== 'object' || options === null)
      throw new CodexError('new Client(options): options must be an object.', { code: 'invalid_option' });
    this.#options = options;
    this.#credentials = resolveCredentials(options);
    this.#config = resolveConfig(options);
    const config = this.#config;
    const credentials = this.#credentials;
    const { tokenStore: store = memoryTokenStore, tokenProviderId, coordinateRefresh } = options;
    if (tokenProviderId !== undefined && (typeof tokenProviderId !== 'string' || !tokenProviderId))
      throw new CodexError('tokenProviderId must be a non-empty string.', { code: 'invalid_option' });
    const identity =
      credentials.kind === 'client'
        ? credentials.credentials.clientId
        : `provider:${tokenProviderId ?? providerId(credentials.provider)}`;

    // Pacing is per client ID, like the API's rate limit.
    const limiter = shared(
      [config.clock],
      `pacing|${config.baseUrl}|${identity}`,
      () => new RateLimiter(config.clock, config.pacing || {}),
    );
    if (config.sharedQuota) limiter.share(config.sharedQuota, `${config.baseUrl}|${identity}`, config.logger);
    if (config.pacing) limiter.assume(config.pacing);
    limiter.limitInFlight(config.maxInFlight);
    const transport: Transport = new Transport(config, undefined, limiter);
    // This Client's own: a TokenManager shared by the Clients of a key makes the token request for a
    // call through the fetch, timeout and hooks of the Client making it (issue 18, item 15).
    const fetchToken: FetchToken =
      credentials.kind === 'provider'
        ? async (signal?: AbortSignal) => {
            let provided: unknown;
            try {
              provided = await credentials.provider(signal);
            } catch (error) {
              if (isCodexError(error)) throw error;
              throw new CodexError(`tokenProvider failed: ${error instanceof Error ? error.message : String(error)}`, {
                cause: error,
                code: 'token_provider_failed',
              });
            }
            const problem = tokenProblem(provided);
            if (problem)
              throw new CodexError(`tokenProvider must return { accessToken, expiresIn }: ${problem}.`, {
                code: 'token_provider_failed',
              });
            return provided as ProvidedToken;
          }
        : async (signal?: AbortSignal, background?: boolean) => {
            const body = {
              client_id: credentials.credentials.clientId,
              client_secret: credentials.credentials.revealSecret(),
              ...(config.scope !== undefined && { scope: config.scope }),
            };
            const response = await transport
              .request<TokenResponse>(operationTable.issueToken, { body }, signal ? { signal } : {}, {
                background: background === true,
                // Shared by callers, who wait with their own deadlines (issue 9).
                noDeadline: true,
                validate: (r) => tokenProblem({ accessToken: r.access_token, expiresIn: r.expires_in }),
              })
              .catch((error: unknown) => {
                // The usual cause: a baseUrl without the version (issue 18, item 12).
                if (isNotFoundError(error))
                  error.message += ` No token route at ${config.baseUrl}/auth/token: baseUrl must end in the API version, like ${DEFAULT_BASE_URL}.`;
                throw error;
              });
            return { accessToken: response.access_token, expiresIn: response.expires_in };
          };
    // Tokens are keyed by base URL, identity and scope, and for client credentials by a SHA-256 of
    // the client ID and secret: a wrong secret never finds the right one's token (issue 9), and the
    // secret appears in no key. The digest is async: the first call waits for it.
    let manager: TokenManager | undefined;
    const ready = (
      credentials.kind === 'client'
        ? sha256Hex(`${identity}\0${credentials.credentials.revealSecret()}`, 'Keying tokens by credential').then(
            (digest) => `#${digest}`,
          )
        : Promise.resolve('')
    ).then((digest) => {
      const key = `${config.baseUrl}|${identity}${digest}|${config.scope ?? ''}`;
      manager = shared(
        [store, config.clock],
        key,
        () =>
          new TokenManager({
            // Made once per key (it may hold a BroadcastChannel, a lock's state); what it wraps
            // runs the fetchToken of the Client whose call needs the token.
            coordinate:
              coordinateRefresh &&
              ((fetch) => coordinateRefresh(key, fetch as TokenProvider, { logger: config.logger }) as FetchToken),
            store,
            key,
            clock: config.clock,
            random: config.random,
            logger: config.logger,
            backgroundRefresh: options.backgroundRefresh,
          }),
      );
      return manager;
    });
    ready.catch(() => {}); // reported to the first call
    this.#tokens = {
      getToken: (signal) =>
        manager ? manager.getToken(signal, fetchToken) : ready.then((m) => m.getToken(signal, fetchToken)),
      invalidate: (token) => (manager ? manager.invalidate(token) : ready.then((m) => m.invalidate(token))),
    };
    const context = { transport: new Transport(config, this.#tokens, limiter), config };
    this.documents = new Documents(context);
  }

  /**
   * The current access token (fetched or refreshed when needed) and its remaining lifetime in
   * seconds. For a backend that hands short-lived tokens to a browser page's `tokenProvider`:
   * the API key stays on the server, and every page shares the server's cached token.
   */
  async getAccessToken(signal?: AbortSignal): Promise<ProvidedToken> {
    if (signal !== undefined && !isAbortSignal(signal)) throw new CodexError('signal must be an AbortSignal.');
    try {
      const { accessToken, expiresAt } = await this.#tokens.getToken(signal);
      return { accessToken, expiresIn: Math.floor((expiresAt - this.#config.clock.now()) / 1000) };
    } catch (error) {
      if (signal?.aborted) throw new APIUserAbortError();
      if (isCodexError(error)) throw error;
      throw new APIConnectionError('Could not get an access token.');
    }
  }

  /**
   * A Client with other settings (`timeout`, `maxRetries`, `headers`, `baseUrl`, `logLevel`...),
   * of the same class. Headers are added to this Client's. With the same credentials and base URL
   * it shares this Client's token and pacing, as every Client of a key in the process does.
   *
   * ```ts
   * const patient = client.withOptions({ timeout: 120_000, maxRetries: 5 });
   * ```
   *
   * @throws {CodexError} `invalid_option` or `invalid_argument`: an override of the wrong type or out of range.
   */
  withOptions(overrides: ClientSettings): this {
    if (typeof overrides !== 'object' || overrides === null)
      throw new CodexError('withOptions(overrides): overrides must be an object.', { code: 'invalid_option' });
    const options = this.#options;
    // The runtime package's constructor already turned its own options (env, profiles, proxies,
    // tab sharing) into these: the new Client is built from them, as the same class.
    return Reflect.construct(
      Client,
      // Headers of any form (a Headers, pairs) are added to this Client's: a spread would drop them.
      [{ ...options, ...overrides, headers: mergeHeaders(options.headers ?? {}, overrides.headers) }],
      this.constructor,
    );
  }

  /** Settings without secrets, for logs and debugging. */
  toJSON() {
    const { baseUrl, maxRetries, timeout } = this.#config;
    const credentials = this.#credentials;
    return {
      baseUrl,
      credentials: credentials.kind === 'client' ? credentials.credentials : { tokenProvider: true },
      accessToken: REDACTED,
      maxRetries,
      timeout,
    };
  }
}
