import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  Client,
  type Fetch,
  isAuthenticationError,
  isNotFoundError,
  isPermissionDeniedError,
  NotFoundError,
  PermissionDeniedError,
  refreshThroughStore,
  type StoredToken,
  type TokenStore,
} from '../src/index';
import { clientFor, devServer, RO, RW, tokenRequests } from './helpers';
import { json, rawServer, tokenAnswer } from './raw-server';

describe('token lifecycle over real HTTP', () => {
  it('100 concurrent calls make one token request', async () => {
    const server = await devServer();
    const client = clientFor(server);
    const pages = await Promise.all(Array.from({ length: 100 }, () => client.documents.list()));
    expect(pages).toHaveLength(100);
    expect(tokenRequests(server)).toBe(1);
  });

  it('50 sequential calls make one token request', async () => {
    const server = await devServer();
    const client = clientFor(server);
    for (let i = 0; i < 50; i++) await client.documents.list({ limit: 1 });
    expect(tokenRequests(server)).toBe(1);
    expect(server.admin.requests().filter((r) => r.operationId === 'listDocuments')).toHaveLength(50);
  });

  it('shares one token between Clients of one key in the process', async () => {
    const server = await devServer();
    await clientFor(server).documents.list();
    await clientFor(server).documents.list();
    expect(tokenRequests(server)).toBe(1);
  });

  it('with a 2-second token lifetime, never sends a request with an expired token', async () => {
    const server = await devServer({ tokenLifetimeSeconds: 2 });
    const client = clientFor(server);
    const until = Date.now() + 5_000;
    let calls = 0;
    while (Date.now() < until) {
      await client.documents.list({ limit: 1 });
      calls++;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const log = server.admin.requests();
    expect(log.filter((r) => r.auth === 'expired')).toEqual([]);
    expect(log.filter((r) => r.status === 401)).toEqual([]);
    expect(calls).toBeGreaterThan(50);
    // Refreshed ahead of expiry, not once per call: about one token per lifetime.
    expect(tokenRequests(server)).toBeGreaterThanOrEqual(3);
    expect(tokenRequests(server)).toBeLessThanOrEqual(5);
  }, 15_000);

  it('while pacing holds requests back, still never sends an expired token', async () => {
    const server = await devServer({ tokenLifetimeSeconds: 2, rateLimit: { limit: 10, windowSeconds: 1 } });
    const client = clientFor(server, RW, { pacing: { limit: 10, windowMs: 1_000 } });
    await Promise.all(Array.from({ length: 45 }, () => client.documents.list({ limit: 1 })));
    const log = server.admin.requests();
    expect(log.filter((r) => r.auth === 'expired' || r.status === 401)).toEqual([]);
    expect(log.filter((r) => r.status === 429)).toEqual([]);
    expect(tokenRequests(server)).toBeGreaterThanOrEqual(2);
  }, 20_000);

  it('after all tokens are revoked: one 401, a new token, then success; the replay is not a retry', async () => {
    const server = await devServer();
    const retries: unknown[] = [];
    const client = clientFor(server, RW, { maxRetries: 0, hooks: { onRetry: (r) => retries.push(r) } });
    await client.documents.list();
    server.admin.revokeTokens();
    const page = await client.documents.list();
    expect(page.data).toEqual([]);
    const log = server.admin.requests().map((r) => [r.operationId, r.status]);
    expect(log).toEqual([
      ['issueToken', 200],
      ['listDocuments', 200],
      ['listDocuments', 401],
      ['issueToken', 200],
      ['listDocuments', 200],
    ]);
    expect(retries).toEqual([]);
  });

  it('a read-only key gets PermissionDeniedError on writes, not retried', async () => {
    const server = await devServer();
    const client = clientFor(server, RO);
    const error = await client.documents.create({ title: 't', content: 'c' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PermissionDeniedError);
    expect(isPermissionDeniedError(error)).toBe(true);
    expect(error).toMatchObject({ status: 403, code: 'insufficient_scope' });
    expect((error as PermissionDeniedError).requestId).toMatch(/^req_/);
    expect(server.admin.requests().filter((r) => r.operationId === 'createDocument')).toHaveLength(1);
  });

  it('a wrong secret gives AuthenticationError after one token request, never echoing the secret', async () => {
    const server = await devServer();
    const client = clientFor(server, { ...RW, clientSecret: 'cdx_sk_wrong_secret' });
    const error = await client.documents.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect(isAuthenticationError(error)).toBe(true);
    expect(error).toMatchObject({ status: 401, code: 'invalid_client' });
    expect(tokenRequests(server)).toBe(1);
    expect(server.admin.requests()).toHaveLength(1);
    expect(`${String(error)} ${(error as Error).stack} ${JSON.stringify(error)}`).not.toContain('cdx_sk_wrong_secret');
  });

  it('getAccessToken() hands out the cached token and its remaining lifetime (for a backend serving pages)', async () => {
    const server = await devServer();
    const client = clientFor(server);
    await client.documents.list();
    const token = await client.getAccessToken();
    expect(token.accessToken).toMatch(/^cdx_at_/);
    expect(token.expiresIn).toBeGreaterThan(3590);
    expect(token.expiresIn).toBeLessThanOrEqual(3600);
    expect(tokenRequests(server)).toBe(1);
  });

  it('Clients with different tokenProviders never share a token (a backend serving several users)', async () => {
    const server = await devServer();
    const providerFor = (key: typeof RW) => async () => {
      const response = await fetch(`${server.url}/auth/token`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ client_id: key.clientId, client_secret: key.clientSecret }),
      });
      const token = await response.json();
      return { accessToken: token.access_token as string, expiresIn: token.expires_in as number };
    };
    const asRw = clientFor(server, RW, { apiKey: undefined, tokenProvider: providerFor(RW) });
    const asRo = clientFor(server, RW, { apiKey: undefined, tokenProvider: providerFor(RO) });
    await asRw.documents.list();
    await asRo.documents.list();
    const lists = server.admin.requests().filter((r) => r.operationId === 'listDocuments');
    expect(lists.map((r) => r.clientId)).toEqual([RW.clientId, RO.clientId]);
  });

  it('a tokenProvider is called once for many calls and its token is sent', async () => {
    const server = await devServer();
    let provided = 0;
    const client = clientFor(server, RW, {
      apiKey: undefined,
      tokenProvider: async () => {
        provided++;
        const response = await fetch(`${server.url}/auth/token`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: JSON.stringify({ client_id: RW.clientId, client_secret: RW.clientSecret }),
        });
        const token = await response.json();
        return { accessToken: token.access_token, expiresIn: token.expires_in };
      },
    });
    await Promise.all([client.documents.list(), client.documents.list(), client.documents.list()]);
    expect(provided).toBe(1);
    expect(server.admin.requests().filter((r) => r.operationId === 'listDocuments' && r.auth === 'valid')).toHaveLength(
      3,
    );
  });
});

/** A fetch that records the path of each request it sends, then sends it. */
function recordingFetch() {
  const paths: string[] = [];
  const fetch: Fetch = (input, init) => {
    paths.push(new URL(String(input)).pathname);
    return globalThis.fetch(input, init);
  };
  return { fetch, paths };
}

describe('issue 18', () => {
  it('item 15: the token request for a Client’s call goes through that Client’s fetch and hooks', async () => {
    const server = await devServer();
    const first = recordingFetch();
    const second = recordingFetch();
    const seen: string[] = [];
    const a = clientFor(server, RW, { fetch: first.fetch });
    const b = clientFor(server, RW, { fetch: second.fetch, hooks: { onRequest: (r) => seen.push(r.operationId) } });
    await a.documents.list();
    // One key: b shares a's token...
    await b.documents.list();
    expect(tokenRequests(server)).toBe(1);
    // ...and when it needs a new one, asks for it through its own fetch (a proxy, a test double).
    server.admin.revokeTokens();
    await b.documents.list();
    expect(first.paths).toEqual(['/v1/auth/token', '/v1/documents']);
    expect(second.paths).toEqual(['/v1/documents', '/v1/documents', '/v1/auth/token', '/v1/documents']);
    expect(seen).toEqual(['listDocuments', 'listDocuments', 'issueToken', 'listDocuments']);
  });

  it('item 12: a baseUrl without /v1 gets a NotFoundError that says the version is missing', async () => {
    const server = await devServer();
    const client = clientFor(server, RW, { baseUrl: server.url.replace(/\/v1$/, '') });
    const error = await client.documents.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(isNotFoundError(error)).toBe(true);
    expect(error).toMatchObject({ status: 404, code: 'not_found' });
    expect((error as Error).message).toMatch(/baseUrl must end in the API version, like https:\/\/api\.codex\.dev\/v1/);
    expect(String(error)).not.toContain(RW.clientSecret);
  });

  it('item 14: expires_in 1e-9 costs one token request, not two per call; 1e308 is a day, not Infinity', async () => {
    let lifetime = 1e-9;
    const raw = await rawServer((req, res) => {
      if (req.url.endsWith('/auth/token')) return tokenAnswer(res, 'cdx_at_odd', lifetime);
      json(res, 200, { data: [], next_cursor: null });
    });
    // A clock that moves 1 ms each time it is read: the calls take well under the 1 s floor.
    let now = Date.now();
    const clock = { now: () => now++, sleep: async () => {} };
    const client = new Client({ apiKey: 'cdx_id_odd:cdx_sk_odd', baseUrl: raw.url, clock });
    for (let i = 0; i < 5; i++) await client.documents.list();
    expect(raw.requests.filter((r) => r.url.endsWith('/auth/token'))).toHaveLength(1);

    lifetime = 1e308;
    const other = new Client({ apiKey: 'cdx_id_odd:cdx_sk_long', baseUrl: raw.url, clock });
    const token = await other.getAccessToken();
    expect(token.expiresIn).toBeGreaterThanOrEqual(24 * 3600 - 1);
    expect(token.expiresIn).toBeLessThanOrEqual(24 * 3600);
    expect(JSON.parse(JSON.stringify(token)).expiresIn).toBe(token.expiresIn);
  });

  it('item 2: a token with CR/LF in a shared store is replaced, not sent', async () => {
    const raw = await rawServer((req, res) => {
      if (req.url.endsWith('/auth/token')) return tokenAnswer(res, 'cdx_at_fresh');
      json(res, 200, { data: [], next_cursor: null });
    });
    let shared: unknown = {
      accessToken: 'cdx_at_bad\r\nX-Evil: 1',
      expiresAt: Date.now() + 3600_000,
      lifetimeMs: 3600_000,
    };
    const store: TokenStore = {
      get: async () => shared as StoredToken,
      set: async (_key, token) => {
        shared = token;
      },
      delete: async () => {},
    };
    const empty = new Map<string, StoredToken>();
    const client = new Client({
      apiKey: 'cdx_id_store:cdx_sk_store',
      baseUrl: raw.url,
      // This process has no token yet; the store other processes share holds a broken one.
      tokenStore: {
        get: async (k) => empty.get(k),
        set: async (k, t) => void empty.set(k, t),
        delete: async (k) => void empty.delete(k),
      },
      coordinateRefresh: refreshThroughStore(store, (_key, _wait, fn) => fn()),
    });
    await client.documents.list();
    await client.documents.list();
    expect(raw.requests.map((r) => [r.url, r.headers.authorization])).toEqual([
      ['/v1/auth/token', undefined],
      ['/v1/documents', 'Bearer cdx_at_fresh'],
      ['/v1/documents', 'Bearer cdx_at_fresh'],
    ]);
    expect(shared).toMatchObject({ accessToken: 'cdx_at_fresh' });
  });
});
