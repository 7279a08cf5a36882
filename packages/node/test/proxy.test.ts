import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { type AddressInfo, connect, type Server as NetServer } from 'node:net';
import { createServer as createTlsServer } from 'node:tls';
import { promisify } from 'node:util';
import { createProxy } from 'proxy';
import { ProxyAgent, fetch as undiciFetch } from 'undici';
import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '../src/index';
import { excludedByNoProxy, proxyFromEnv } from '../src/proxy';
import { devServerWith } from './helpers';

// Issue 11, items 4 and 5: HTTPS_PROXY / HTTP_PROXY / NO_PROXY as curl reads them, the `proxy`
// and `dispatcher` options, against a real forward proxy (the `proxy` package) on 127.0.0.1.

const RW = { clientId: 'cdx_id_proxy', clientSecret: 'cdx_sk_proxy_secret', readOnly: false };
const API_KEY = `${RW.clientId}:${RW.clientSecret}`;
const CERT = readFileSync(new URL('./fixtures/localhost-cert.pem', import.meta.url));
const KEY = readFileSync(new URL('./fixtures/localhost-key.pem', import.meta.url));
const DIST = new URL('../dist/index.js', import.meta.url).pathname;
const run = promisify(execFile);

const closing: Array<() => unknown> = [];
afterEach(async () => {
  await Promise.all(closing.splice(0).map((close) => close()));
});

/** Listens on a free port of 127.0.0.1; after the test, closes, and ends every connection it had. */
const listen = async <S extends Server | NetServer>(server: S): Promise<number> => {
  const sockets = new Set<{ destroy(): void }>();
  server.on('connection', (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  closing.push(() => {
    const closed = new Promise((resolve) => server.close(resolve));
    for (const socket of sockets) socket.destroy();
    return closed;
  });
  return (server.address() as AddressInfo).port;
};

/** A forward proxy counting CONNECT tunnels and plain requests, and keeping every byte clients send through it. */
async function forwardProxy() {
  const server = createProxy(createServer());
  const seen = { tunnels: 0, requests: 0, bytes: [] as Buffer[] };
  server.prependListener('connect', (req, socket) => {
    seen.tunnels++;
    seen.bytes.push(Buffer.from(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n`));
    socket.on('data', (chunk: Buffer) => seen.bytes.push(chunk));
  });
  server.prependListener('request', (req) => {
    seen.requests++;
    seen.bytes.push(Buffer.from(`${req.method} ${req.url}\n${JSON.stringify(req.headers)}\n`));
  });
  const port = await listen(server);
  return { url: `http://127.0.0.1:${port}`, seen, text: () => Buffer.concat(seen.bytes).toString('latin1') };
}

/** https://127.0.0.1:<port> in front of the dev server (a test certificate for IP 127.0.0.1). */
async function httpsFront(target: string) {
  const { port: targetPort } = new URL(target);
  const server = createTlsServer({ key: KEY, cert: CERT }, (socket) => {
    const upstream = connect(Number(targetPort), '127.0.0.1');
    socket.pipe(upstream).pipe(socket);
    socket.on('error', () => upstream.destroy());
    upstream.on('error', () => socket.destroy());
  });
  const port = await listen(server);
  return `https://127.0.0.1:${port}/v1`;
}

describe('proxy settings as curl reads them', () => {
  const https = new URL('https://api.codex.dev/v1');
  const http = new URL('http://127.0.0.1:4010/v1');

  it('takes https_proxy for https, http_proxy for http, all_proxy for either; lower case first', () => {
    expect(proxyFromEnv(https, { HTTPS_PROXY: 'http://a:1' })).toBe('http://a:1');
    expect(proxyFromEnv(https, { https_proxy: 'http://b:1', HTTPS_PROXY: 'http://a:1' })).toBe('http://b:1');
    // Unlike undici's EnvHttpProxyAgent, and like curl, HTTP_PROXY is not used for https.
    expect(proxyFromEnv(https, { HTTP_PROXY: 'http://a:1' })).toBeUndefined();
    expect(proxyFromEnv(http, { http_proxy: 'http://c:1' })).toBe('http://c:1');
    expect(proxyFromEnv(http, { HTTP_PROXY: 'http://c:1' })).toBe('http://c:1');
    expect(proxyFromEnv(http, { HTTPS_PROXY: 'http://a:1' })).toBeUndefined();
    expect(proxyFromEnv(https, { ALL_PROXY: 'http://d:1' })).toBe('http://d:1');
    expect(proxyFromEnv(https, { all_proxy: 'http://d:1', https_proxy: 'http://b:1' })).toBe('http://b:1');
    expect(proxyFromEnv(https, { HTTPS_PROXY: '' })).toBeUndefined();
  });

  it.each([
    ['*', true],
    ['api.codex.dev', true],
    ['codex.dev', true],
    ['.codex.dev', true],
    ['*.codex.dev', true],
    ['other.dev, codex.dev', true],
    ['other.dev codex.dev', true],
    ['API.CODEX.DEV', true],
    ['api.codex.dev:443', true],
    ['api.codex.dev:8443', false],
    ['dex.dev', false],
    ['pi.codex.dev', false],
    ['other.dev', false],
    ['', false],
  ])('NO_PROXY=%j excludes https://api.codex.dev: %s', (noProxy, excluded) => {
    expect(excludedByNoProxy(https, noProxy)).toBe(excluded);
    expect(proxyFromEnv(https, { HTTPS_PROXY: 'http://p:1', NO_PROXY: noProxy })).toBe(
      excluded ? undefined : 'http://p:1',
    );
  });

  it('NO_PROXY matches IP addresses, with or without a port, and IPv6 in brackets', () => {
    expect(excludedByNoProxy(http, '127.0.0.1')).toBe(true);
    expect(excludedByNoProxy(http, '127.0.0.1:4010')).toBe(true);
    expect(excludedByNoProxy(http, '127.0.0.1:80')).toBe(false);
    expect(excludedByNoProxy(http, '127.0.0.11')).toBe(false);
    expect(excludedByNoProxy(http, '0.0.1')).toBe(false); // not a suffix match: an address is exact
    expect(excludedByNoProxy(new URL('https://api.codex.dev./v1'), 'codex.dev.')).toBe(true);
    expect(excludedByNoProxy(new URL('http://[::1]:4010/'), '::1')).toBe(true);
    expect(excludedByNoProxy(new URL('http://[::1]:4010/'), '[::1]:4010')).toBe(true);
    expect(excludedByNoProxy(new URL('http://[::1]:4010/'), '[::1]:4011')).toBe(false);
  });
});

describe('@codex/node behind a forward proxy', () => {
  it.each([['HTTP_PROXY'], ['http_proxy'], ['ALL_PROXY']])(
    'sends every request through %s, and reuses its connection',
    async (variable) => {
      const server = await devServerWith([RW]);
      const proxy = await forwardProxy();
      const client = new Client({ apiKey: API_KEY, baseUrl: server.url, env: { [variable]: proxy.url } });
      for (let i = 0; i < 20; i++) await client.documents.list();
      expect(server.admin.requests()).toHaveLength(21);
      // undici's ProxyAgent tunnels http requests too: one CONNECT per connection, not per request.
      expect(proxy.seen.tunnels + proxy.seen.requests).toBeGreaterThan(0);
      expect(proxy.seen.tunnels + proxy.seen.requests).toBeLessThanOrEqual(3);
    },
  );

  it('NO_PROXY hosts bypass it; `proxy: false` ignores the variables; `proxy` needs none', async () => {
    const server = await devServerWith([RW]);
    const proxy = await forwardProxy();
    const env = { HTTP_PROXY: proxy.url, NO_PROXY: 'example.com,127.0.0.1' };
    await new Client({ apiKey: API_KEY, baseUrl: server.url, env }).documents.list();
    await new Client({
      apiKey: API_KEY,
      baseUrl: server.url,
      env: { HTTP_PROXY: proxy.url },
      proxy: false,
    }).documents.list();
    expect(proxy.seen.tunnels + proxy.seen.requests).toBe(0);
    await new Client({ apiKey: API_KEY, baseUrl: server.url, env: {}, proxy: proxy.url }).documents.list();
    expect(proxy.seen.tunnels + proxy.seen.requests).toBeGreaterThan(0);
    expect(server.admin.requests().filter((r) => r.status !== 200)).toEqual([]);
  });

  it('tunnels https with CONNECT: the proxy never sees the token, the secret or a body (dispatcher option)', async () => {
    const server = await devServerWith([RW]);
    const proxy = await forwardProxy();
    const baseUrl = await httpsFront(server.url);
    const dispatcher = new ProxyAgent({ uri: proxy.url, requestTls: { ca: CERT } });
    closing.push(() => dispatcher.close());
    const client = new Client({ apiKey: API_KEY, baseUrl, env: {}, dispatcher });
    await client.documents.create({ title: 'through the tunnel', content: 'a secret body' });
    const { accessToken } = await client.getAccessToken();
    expect(proxy.seen.tunnels).toBeGreaterThan(0);
    expect(proxy.text()).toContain(`CONNECT 127.0.0.1:${new URL(baseUrl).port}`);
    for (const secret of [accessToken, RW.clientSecret, 'Bearer', 'through the tunnel', 'a secret body'])
      expect(proxy.text()).not.toContain(secret);
  });

  it('HTTPS_PROXY in a real process: tunnelled, and the process still exits on its own', async () => {
    const server = await devServerWith([RW]);
    const proxy = await forwardProxy();
    const baseUrl = await httpsFront(server.url);
    const script = `import { Client } from ${JSON.stringify(DIST)};
      const client = new Client();
      console.log((await client.documents.list()).data.length);`;
    const started = Date.now();
    const { stdout } = await run(process.execPath, ['--input-type=module', '-e', script], {
      env: {
        PATH: process.env.PATH,
        CODEX_API_KEY: API_KEY,
        CODEX_BASE_URL: baseUrl,
        https_proxy: proxy.url,
        NODE_EXTRA_CA_CERTS: new URL('./fixtures/localhost-cert.pem', import.meta.url).pathname,
      },
      timeout: 20_000,
    });
    expect(stdout.trim()).toBe('0');
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(proxy.seen.tunnels).toBeGreaterThan(0);
    expect(server.admin.requests().map((r) => r.status)).toEqual([200, 200]);
  });

  it('the documented fetch recipe works: undici.fetch with a ProxyAgent', async () => {
    const server = await devServerWith([RW]);
    const proxy = await forwardProxy();
    const dispatcher = new ProxyAgent(proxy.url);
    closing.push(() => dispatcher.close());
    const client = new Client({
      apiKey: API_KEY,
      baseUrl: server.url,
      env: {},
      fetch: ((url: string, init: RequestInit) =>
        undiciFetch(url, { ...(init as object), dispatcher })) as unknown as typeof fetch,
    });
    await client.documents.list();
    expect(proxy.seen.tunnels + proxy.seen.requests).toBeGreaterThan(0);
  });

  it('refuses conflicting or malformed settings before anything is sent, never quoting the proxy', () => {
    const make = (options: object) => () => new Client({ apiKey: API_KEY, env: {}, ...options });
    expect(make({ proxy: 'http://p:1', fetch: globalThis.fetch })).toThrow(/Pass one of fetch and proxy/);
    expect(make({ proxy: 'http://p:1', dispatcher: new ProxyAgent('http://p:1') })).toThrow(/proxy and dispatcher/);
    expect(make({ dispatcher: {} })).toThrow(/dispatcher must be an undici Dispatcher/);
    const error = (() => {
      try {
        make({ proxy: 'socks5://user:hunter2@p:1' })();
      } catch (caught) {
        return caught as Error;
      }
    })();
    expect(error?.name).toBe('CodexError');
    expect(error?.message).toMatch(/proxy must be an http:\/\/ or https:\/\/ proxy URL/);
    expect(error?.message).not.toContain('hunter2');
    expect(make({ env: { HTTPS_PROXY: 'ftp://x' } })).toThrow(/https_proxy, http_proxy or all_proxy/);
  });
});

describe('connection reuse (keep-alive)', () => {
  it('100 sequential calls use a handful of connections, not 100', async () => {
    const server = await devServerWith([RW]);
    const client = new Client({ apiKey: API_KEY, baseUrl: server.url, env: {} });
    for (let i = 0; i < 100; i++) await client.documents.list();
    const connections = new Set(server.admin.requests().map((r) => r.connection));
    expect(connections.has(null)).toBe(false);
    expect(connections.size).toBeLessThanOrEqual(3);
  });
});
