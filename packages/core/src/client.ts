import { type ClientConfig, type ClientSettings, resolveConfig } from './config';
import {
  type CredentialOptions,
  type Credentials,
  type ProvidedToken,
  REDACTED,
  resolveCredentials,
} from './credentials';
import { CodexError } from './errors';
import type { TokenResponse } from './generated/types.gen';
import { operationTable } from './operations';
import { RateLimiter } from './rate-limiter';
import { buildResources, type Resources } from './resources';
import { shared } from './shared';
import { TokenManager } from './token-manager';
import { memoryTokenStore } from './token-store';
import { Transport } from './transport';

export type ClientOptions = CredentialOptions & ClientSettings;

const INSPECT = Symbol.for('nodejs.util.inspect.custom');

// A token provider's identity in token keys: one per function, unless named (tokenProviderId).
const providerIds = new WeakMap<object, number>();
let nextProviderId = 0;
const providerId = (provider: object) => {
  if (!providerIds.has(provider)) providerIds.set(provider, ++nextProviderId);
  return providerIds.get(provider);
};

function checkToken(value: unknown, source: string): ProvidedToken {
  const token = value as Partial<ProvidedToken> | null;
  const expiresIn = token?.expiresIn;
  if (
    !token?.accessToken ||
    typeof token.accessToken !== 'string' ||
    !(typeof expiresIn === 'number' && expiresIn > 0 && expiresIn < Infinity)
  ) {
    throw new CodexError(`${source} must return a non-empty accessToken and a positive expiresIn (seconds).`);
  }
  return { accessToken: token.accessToken, expiresIn };
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
// biome-ignore lint/suspicious/noUnsafeDeclarationMerging: the resources are assigned in the constructor from the operation table.
export class Client {
  readonly #config: ClientConfig;
  readonly #credentials: Credentials;
  readonly #tokens: TokenManager;

  constructor(options: ClientOptions) {
    if (typeof options !== 'object' || options === null)
      throw new CodexError('new Client(options): options must be an object.');
    this.#credentials = resolveCredentials(options);
    this.#config = resolveConfig(options);
    const config = this.#config;
    const credentials = this.#credentials;
    const store = options.tokenStore ?? memoryTokenStore;
    const identity =
      credentials.kind === 'client'
        ? credentials.credentials.clientId
        : `provider:${options.tokenProviderId ?? providerId(credentials.provider)}`;

    const limiter = shared(
      [config.clock],
      `pacing|${config.baseUrl}|${identity}`,
      () => new RateLimiter(config.clock, options.pacing),
    );
    let transport: Transport | undefined;
    const key = `${config.baseUrl}|${identity}|${config.scope ?? ''}`;
    this.#tokens = shared([store, config.clock], key, () => {
      const fetchToken =
        credentials.kind === 'provider'
          ? async (signal?: AbortSignal) => checkToken(await credentials.provider(signal), 'tokenProvider')
          : async () => {
              const body = {
                client_id: credentials.credentials.clientId,
                client_secret: credentials.credentials.revealSecret(),
                ...(config.scope !== undefined && { scope: config.scope }),
              };
              const response = await (transport as Transport).request<TokenResponse>(operationTable.issueToken, {
                body,
              });
              return checkToken(
                { accessToken: response.access_token, expiresIn: response.expires_in },
                'The token endpoint',
              );
            };
      return new TokenManager({
        fetchToken: options.coordinateRefresh ? options.coordinateRefresh(key, fetchToken) : fetchToken,
        store,
        key,
        clock: config.clock,
        random: config.random,
      });
    });
    transport = new Transport(config, this.#tokens, limiter);
    Object.assign(this, buildResources(operationTable, transport, config));
  }

  /**
   * The current access token (fetched or refreshed when needed) and its remaining lifetime in
   * seconds. For a backend that hands short-lived tokens to a browser page's `tokenProvider`:
   * the API key stays on the server, and every page shares the server's cached token.
   */
  async getAccessToken(signal?: AbortSignal): Promise<ProvidedToken> {
    const { accessToken, expiresAt } = await this.#tokens.getToken(signal);
    return { accessToken, expiresIn: Math.floor((expiresAt - this.#config.clock.now()) / 1000) };
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

  [INSPECT]() {
    return `Client ${JSON.stringify(this.toJSON(), null, 2)}`;
  }
}

export interface Client extends Resources {}
