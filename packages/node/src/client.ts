import {
  type ClientOptions,
  CodexError,
  Client as CoreClient,
  checkTokenStoreOption,
  DEFAULT_BASE_URL,
  describeValue,
  logLevelFromEnv,
  mergeHeaders,
  stderrLogger,
  type TokenStore,
} from '@codex/core';
import { backgroundFetch } from './background-fetch';
import { type Env, type ProfileOptions, resolveCredentialChain } from './credentials';
import { fileRefreshCoordination, fileTokenStore } from './file-token-store';
import { checkString } from './options';
import { checkProxyUrl, fetchVia, proxyFromEnv, type UndiciDispatcher } from './proxy';
import { autoTracer } from './tracing';
import { VERSION } from './version';

export type NodeClientOptions = Partial<Omit<ClientOptions, 'tokenStore'>> &
  ProfileOptions & {
    /**
     * Where tokens are kept: `'memory'` (this process), `'file'` (the user's cache directory,
     * shared by processes), or a TokenStore of your own. A cache directory or token file that is
     * not this user's own, that others can write, or that is a symbolic link is not used: tokens
     * stay in memory and `logger.warn` says why, once (see `fileTokenStore`).
     * @default 'memory'
     */
    tokenStore?: 'memory' | 'file' | TokenStore;
    /** @deprecated Renamed `tokenStore` (the same values). */
    tokenCache?: 'memory' | 'file' | TokenStore;
    /** Environment to read credentials, proxy settings and CODEX_LOG from. @default process.env */
    env?: Env;
    /**
     * A forward proxy for every request, such as `'http://proxy.internal:3128'`
     * (`'http://user:password@host:port'` for basic authentication). Requests to an https baseUrl
     * are tunnelled with CONNECT: the proxy sees the host name, never tokens or bodies. `false`
     * ignores the proxy variables.
     * @default from `env`, as curl reads them: https_proxy / HTTPS_PROXY for an https baseUrl,
     * http_proxy / HTTP_PROXY for http, then all_proxy / ALL_PROXY, unless NO_PROXY excludes the
     * baseUrl's host
     */
    proxy?: string | false;
    /**
     * An undici `Dispatcher` for every request (a `ProxyAgent` with its own TLS settings, an `Agent`
     * with other pool settings...), used with undici's own fetch. Not with `proxy` or `fetch`.
     */
    dispatcher?: UndiciDispatcher;
  };

export const USER_AGENT = `codex-sdk-node/${VERSION} node/${process.versions.node}`;

/**
 * The Codex API client for Node.js. With no credentials in the options it reads CODEX_API_KEY,
 * then CODEX_CLIENT_ID + CODEX_CLIENT_SECRET, then ~/.config/codex/credentials.json. CODEX_LOG
 * (debug, info, warn, error, off) logs to stderr, like the `logLevel` option, which overrides it.
 */
export class Client extends CoreClient {
  constructor(options: NodeClientOptions = {}) {
    if (typeof options !== 'object' || options === null)
      throw new CodexError('new Client(options): options must be an object.', { code: 'invalid_option' });
    const { tokenCache, env = process.env, profile, credentialsFile, tokenStore, proxy, dispatcher, ...rest } = options;
    const where = checkTokenStoreOption(tokenStore, tokenCache);
    if (typeof env !== 'object' || env === null || Array.isArray(env))
      throw new CodexError(
        `env must be an object of environment variables, like process.env; got ${describeValue(env)}.`,
        { code: 'invalid_option' },
      );
    checkString('profile', profile, 'the name of a profile of the credentials file');
    checkString('credentialsFile', credentialsFile, 'the path of a credentials file');
    const credentials = resolveCredentialChain(
      { ...rest, ...(profile !== undefined && { profile }), ...(credentialsFile !== undefined && { credentialsFile }) },
      env,
    );
    const store = where === 'file' ? fileTokenStore() : where === 'memory' ? undefined : where;
    // An empty or blank CODEX_BASE_URL counts as unset, like an empty CODEX_API_KEY (issue 18, item 2).
    const baseUrl =
      rest.baseUrl ?? credentials.baseUrl ?? (env.CODEX_BASE_URL?.trim() ? env.CODEX_BASE_URL : undefined);
    const coordinateRefresh = rest.coordinateRefresh ?? fileRefreshCoordination(store);
    const fetch = proxiedFetch(rest.fetch, proxy, dispatcher, baseUrl ?? DEFAULT_BASE_URL, env);
    // The option wins over CODEX_LOG; either logs to stderr unless a logger is given.
    const logLevel = rest.logLevel ?? logLevelFromEnv(env.CODEX_LOG, rest.logger ?? stderrLogger);
    super({
      // Background token refreshes over sockets that do not keep the process alive (issue 9,
      // item 14); core uses a fetch of the user's own (a proxy, a test double) for everything.
      backgroundFetch,
      // OpenTelemetry when the app has @opentelemetry/api, loaded at the first call.
      tracer: autoTracer,
      ...rest,
      ...credentials,
      ...(baseUrl !== undefined && { baseUrl }),
      ...(store !== undefined && { tokenStore: store }),
      // With a file store, the processes of the machine share one token and one refresh.
      ...(coordinateRefresh && { coordinateRefresh }),
      // Through a proxy, background refreshes go through it too (core leaves them to this fetch).
      ...(fetch && { fetch }),
      ...(logLevel !== undefined && { logLevel, logger: rest.logger ?? stderrLogger }),
      // Any form fetch takes (a Headers, pairs): a spread would drop a Headers (issue 18).
      headers: mergeHeaders({ 'User-Agent': USER_AGENT }, rest.headers),
    });
  }

  /** What console.log and util.inspect show: the settings, never a secret or a token. */
  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return `Client ${JSON.stringify(this.toJSON(), null, 2)}`;
  }
}

/**
 * The fetch for a proxy or dispatcher, or undefined for the runtime's own fetch. A `fetch` of the
 * user's wins over the proxy variables (it decides how to connect), but not with explicit settings.
 */
function proxiedFetch(
  fetch: unknown,
  proxy: unknown,
  dispatcher: unknown,
  baseUrl: string,
  env: Env,
): typeof globalThis.fetch | undefined {
  if (proxy !== undefined && proxy !== false) checkProxyUrl('proxy', proxy);
  if (
    dispatcher !== undefined &&
    (typeof dispatcher !== 'object' ||
      dispatcher === null ||
      typeof (dispatcher as UndiciDispatcher).dispatch !== 'function')
  )
    throw new CodexError(
      `dispatcher must be an undici Dispatcher (such as a ProxyAgent), got ${describeValue(dispatcher)}.`,
      { code: 'invalid_option' },
    );
  const explicit = [
    fetch !== undefined && 'fetch',
    typeof proxy === 'string' && 'proxy',
    dispatcher !== undefined && 'dispatcher',
  ].filter(Boolean);
  if (explicit.length > 1)
    throw new CodexError(`Pass one of ${explicit.join(' and ')}: each decides how requests connect.`, {
      code: 'invalid_option',
    });
  if (fetch !== undefined) return undefined;
  if (dispatcher !== undefined) return fetchVia(dispatcher as UndiciDispatcher);
  let target: URL;
  try {
    target = new URL(baseUrl);
  } catch {
    return undefined; // core reports the baseUrl
  }
  const via = typeof proxy === 'string' ? proxy : proxy === false ? undefined : proxyFromEnv(target, env);
  return via === undefined
    ? undefined
    : fetchVia(
        checkProxyUrl(typeof proxy === 'string' ? 'proxy' : 'The proxy in https_proxy, http_proxy or all_proxy', via),
      );
}
