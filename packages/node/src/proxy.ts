import { CodexError } from '@codex/core';
import type { Dispatcher } from 'undici';

/** Environment variables, as in process.env. */
export type ProxyEnv = Record<string, string | undefined>;

/** The variable's value, lower case first (as curl reads them); undefined when unset or empty. */
const read = (env: ProxyEnv, name: string) => env[name] || env[name.toUpperCase()] || undefined;

/**
 * Whether NO_PROXY excludes `target`, with curl's rules: a comma- or space-separated list; `*`
 * excludes everything; a name excludes itself and its subdomains (a leading `.` or `*.` is
 * ignored); an IP address excludes itself; `host:port` only that port.
 * Hand-written rather than undici's EnvHttpProxyAgent, which sends https requests to HTTP_PROXY
 * when HTTPS_PROXY is unset (curl does not) and reads process.env rather than the Client's `env`.
 */
export function excludedByNoProxy(target: URL, noProxy: string | undefined): boolean {
  if (!noProxy) return false;
  const host = target.hostname
    .toLowerCase()
    .replace(/^\[(.*)\]$/, '$1')
    .replace(/\.$/, '');
  const port = target.port || (target.protocol === 'https:' ? '443' : '80');
  return noProxy.split(/[\s,]+/).some((raw) => {
    const entry = raw.toLowerCase();
    if (!entry) return false;
    if (entry === '*') return true;
    // [v6]:port, [v6], v4:port, name:port, or a bare name, v4 or v6 address.
    const match = /^\[([^\]]+)\](?::(\d+))?$/.exec(entry) ?? /^([^:]+):(\d+)$/.exec(entry);
    const name = (match ? (match[1] as string) : entry).replace(/^\*?\./, '').replace(/\.$/, '');
    if (match?.[2] && match[2] !== port) return false;
    // An IP address matches only itself (2.3.4 is no suffix of 1.2.3.4); a name, its subdomains too.
    if (/^[\d.]+$/.test(name) || name.includes(':')) return host === name;
    return host === name || host.endsWith(`.${name}`);
  });
}

/**
 * The proxy curl would use for `target`: https_proxy / HTTPS_PROXY for https, http_proxy /
 * HTTP_PROXY for http, then all_proxy / ALL_PROXY; none when NO_PROXY excludes the target.
 */
export function proxyFromEnv(target: URL, env: ProxyEnv): string | undefined {
  const proxy = read(env, target.protocol === 'https:' ? 'https_proxy' : 'http_proxy') ?? read(env, 'all_proxy');
  if (!proxy || excludedByNoProxy(target, read(env, 'no_proxy'))) return undefined;
  return proxy;
}

/** A proxy URL, checked; `host:port` means http://host:port, as for curl. Never quoted: it may hold credentials. */
export function checkProxyUrl(name: string, value: unknown): string {
  const text = typeof value === 'string' && !value.includes('://') ? `http://${value}` : value;
  let url: URL | undefined;
  try {
    url = typeof text === 'string' ? new URL(text) : undefined;
  } catch {
    url = undefined;
  }
  if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:') || !url.hostname)
    throw new CodexError(`${name} must be an http:// or https:// proxy URL, such as 'http://proxy.internal:3128'.`, {
      code: 'invalid_option',
    });
  return url.href;
}

/**
 * An undici `Dispatcher` (`ProxyAgent`, `Agent`, `Pool`...), as the `dispatcher` option takes it.
 * Described by the one method the SDK relies on rather than imported from undici, whose
 * declarations need Node's own types (`Buffer`, `node:url`): a project without `@types/node`
 * could not compile against ours otherwise (issue 22). Any version of undici's Dispatcher fits.
 */
export interface UndiciDispatcher {
  /** undici's own: starts one request. undici's fetch calls it; the SDK only checks it is there. */
  dispatch(options: never, handler: never): boolean;
}

// One agent per proxy in the process, so that Clients behind the same proxy share its connections.
const agents = new Map<string, Promise<Dispatcher>>();

/**
 * fetch through undici with `via` (a proxy URL, or a Dispatcher of the user's). undici is loaded
 * on the first request, so that processes without a proxy never load it (cold start, issue 10).
 * undici's fetch, not Node's: a Dispatcher belongs with the fetch of its own undici.
 */
export function fetchVia(via: string | UndiciDispatcher): typeof fetch {
  const undici = import('undici');
  undici.catch(() => {}); // reported by the first request
  let dispatcher: Promise<Dispatcher> | undefined;
  return async (input, init) => {
    const { fetch } = await undici;
    if (typeof via === 'string') {
      dispatcher ??= agents.get(via);
      if (!dispatcher) {
        dispatcher = undici.then(({ ProxyAgent }) => new ProxyAgent(via));
        agents.set(via, dispatcher);
      }
    }
    const response = await fetch(input as string, {
      ...(init as object),
      dispatcher: typeof via === 'string' ? await (dispatcher as Promise<Dispatcher>) : (via as unknown as Dispatcher),
    });
    return response as unknown as Response;
  };
}
