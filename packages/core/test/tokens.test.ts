import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  isAuthenticationError,
  isPermissionDeniedError,
  PermissionDeniedError,
} from '../src/index';
import { clientFor, devServer, RO, RW, tokenRequests } from './helpers';

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
