import { type ClientOptions, CodexError, Client as CoreClient, type TokenStore } from '@codex/core';
import { backgroundFetch } from './background-fetch';
import { type Env, type ProfileOptions, resolveCredentialChain } from './credentials';
import { fileTokenStore } from './file-token-store';
import { checkString, checkTokenCache, describeValue } from './options';
import { VERSION } from './version';

export type NodeClientOptions = Partial<ClientOptions> &
  ProfileOptions & {
    /**
     * Where tokens are kept: `'memory'` (this process), `'file'` (the user's cache directory,
     * shared by processes), or a TokenStore of your own.
     * @default 'memory'
     */
    tokenCache?: 'memory' | 'file' | TokenStore;
    /** Environment to read credentials from. @default process.env */
    env?: Env;
  };

export const USER_AGENT = `codex-sdk-node/${VERSION} node/${process.versions.node}`;

/**
 * The Codex API client for Node.js. With no credentials in the options it reads CODEX_API_KEY,
 * then CODEX_CLIENT_ID + CODEX_CLIENT_SECRET, then ~/.config/codex/credentials.json.
 */
export class Client extends CoreClient {
  constructor(options: NodeClientOptions = {}) {
    if (typeof options !== 'object' || options === null)
      throw new CodexError('new Client(options): options must be an object.');
    const { tokenCache = 'memory', env = process.env, profile, credentialsFile, tokenStore, ...rest } = options;
    checkTokenCache(options.tokenCache, tokenStore);
    if (typeof env !== 'object' || env === null || Array.isArray(env))
      throw new CodexError(
        `env must be an object of environment variables, like process.env; got ${describeValue(env)}.`,
      );
    checkString('profile', profile, 'the name of a profile of the credentials file');
    checkString('credentialsFile', credentialsFile, 'the path of a credentials file');
    const credentials = resolveCredentialChain(
      { ...rest, ...(profile !== undefined && { profile }), ...(credentialsFile !== undefined && { credentialsFile }) },
      env,
    );
    const store = tokenCache === 'file' ? fileTokenStore() : tokenCache === 'memory' ? tokenStore : tokenCache;
    const baseUrl = rest.baseUrl ?? credentials.baseUrl ?? env.CODEX_BASE_URL;
    super({
      // Background token refreshes over sockets that do not keep the process alive (issue 9,
      // item 14); core uses a fetch of the user's own (a proxy, a test double) for everything.
      backgroundFetch,
      ...rest,
      ...credentials,
      ...(baseUrl !== undefined && { baseUrl }),
      ...(store !== undefined && { tokenStore: store }),
      headers: { 'User-Agent': USER_AGENT, ...rest.headers },
    });
  }
}
