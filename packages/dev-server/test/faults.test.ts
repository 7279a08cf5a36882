import { describe, expect, it } from 'vitest';
import { ADMIN_SECRET, adminCall, call, expectError, start, tokenFor } from './helpers';

const doc = { title: 't', content: 'c' };

describe('fault injection', () => {
  it('fails the next N matching requests with a status, with or without Retry-After', async () => {
    const server = await start();
    const token = await tokenFor(server);
    server.admin.fault({ method: 'GET', path: '/documents', count: 2, type: 'status', status: 503, retryAfter: 1 });
    server.admin.fault({ path: '/documents', type: 'status', status: 500 });
    const first = await call(server, 'GET', '/documents', { token });
    expectError(first, 503, 'unavailable');
    expect(first.headers.get('retry-after')).toBe('1');
    expectError(await call(server, 'GET', '/documents', { token }), 503, 'unavailable');
    const third = await call(server, 'GET', '/documents', { token });
    expectError(third, 500, 'internal_error');
    expect(third.headers.get('retry-after')).toBeNull();
    expect((await call(server, 'GET', '/documents', { token })).status).toBe(200);
    expect(server.admin.requests().map((r) => r.fault)).toEqual([null, 'status', 'status', 'status', null]);
  });

  it('resets the connection', async () => {
    const server = await start();
    const token = await tokenFor(server);
    server.admin.fault({ operationId: 'listDocuments', type: 'reset' });
    await expect(call(server, 'GET', '/documents', { token })).rejects.toThrow(TypeError);
    expect((await call(server, 'GET', '/documents', { token })).status).toBe(200);
  });

  it('hangs until the client gives up', async () => {
    const server = await start();
    const token = await tokenFor(server);
    server.admin.fault({ operationId: 'getDocument', type: 'hang' });
    const signal = AbortSignal.timeout(300);
    await expect(call(server, 'GET', '/documents/doc_1', { token, signal })).rejects.toThrow(/abort|timeout/i);
    expect(server.admin.requests().at(-1)?.fault).toBe('hang');
  });

  it('commits a write and loses its response; the retry with the same key gets the first response', async () => {
    const server = await start();
    const token = await tokenFor(server);
    server.admin.fault({ operationId: 'createDocument', type: 'lose-response' });
    const headers = { 'Idempotency-Key': 'lost-1' };
    await expect(call(server, 'POST', '/documents', { token, body: doc, headers })).rejects.toThrow(TypeError);
    const retry = await call(server, 'POST', '/documents', { token, body: doc, headers });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBe('true');
    expect((await call(server, 'GET', '/documents', { token })).body.data).toHaveLength(1);
    const creates = server.admin.requests().filter((r) => r.operationId === 'createDocument');
    expect(creates.map((r) => [r.idempotencyKey, r.status, r.replayed])).toEqual([
      ['lost-1', 201, false],
      ['lost-1', 201, true],
    ]);
  });
});

describe('admin API over HTTP', () => {
  it('is off without an admin secret', async () => {
    const server = await start({ adminSecret: '' });
    expect((await adminCall(server, 'GET', '/requests')).status).toBe(404);
  });

  it('refuses a wrong secret', async () => {
    const server = await start();
    expect((await adminCall(server, 'GET', '/requests', undefined, 'wrong')).status).toBe(401);
    expect((await adminCall(server, 'GET', '/requests', undefined, ADMIN_SECRET)).status).toBe(200);
  });

  it('injects faults, revokes tokens, changes settings and reads the request log', async () => {
    const server = await start();
    const token = await tokenFor(server);
    expect(
      (
        await adminCall(server, 'POST', '/faults', {
          operationId: 'listDocuments',
          type: 'status',
          status: 429,
          retryAfter: 2,
          retryAfterFormat: 'http-date',
        })
      ).status,
    ).toBe(201);
    const limited = await call(server, 'GET', '/documents', { token });
    expectError(limited, 429, 'rate_limited');
    expect(Date.parse(limited.headers.get('retry-after') ?? '')).toBeGreaterThan(Date.now());

    expect((await adminCall(server, 'POST', '/tokens/revoke')).body).toEqual({ revoked: 1 });
    expectError(await call(server, 'GET', '/documents', { token }), 401, 'invalid_token');

    const settings = await adminCall(server, 'PATCH', '/settings', {
      tokenLifetimeSeconds: 2,
      rateLimit: { limit: 20, windowSeconds: 2 },
    });
    expect(settings.body).toEqual({
      tokenLifetimeSeconds: 2,
      rateLimit: { limit: 20, windowSeconds: 2 },
      retryAfterFormat: 'seconds',
    });
    const fresh = await call(server, 'POST', '/auth/token', {
      body: { client_id: 'cdx_id_rw', client_secret: 'cdx_sk_rw_secret' },
    });
    expect(fresh.body.expires_in).toBe(2);
    expect(fresh.headers.get('x-ratelimit-limit')).toBe('20');

    const log = await adminCall(server, 'GET', '/requests');
    expect(log.body.requests.map((r: { operationId: string; status: number }) => [r.operationId, r.status])).toEqual([
      ['issueToken', 200],
      ['listDocuments', 429],
      ['listDocuments', 401],
      ['issueToken', 200],
    ]);
    expect((await adminCall(server, 'PATCH', '/settings', { tokenLifetimeSeconds: -1 })).status).toBe(400);
    expect((await adminCall(server, 'POST', '/faults', { type: 'explode' })).status).toBe(400);
    expect((await adminCall(server, 'POST', '/reset')).status).toBe(204);
    expect((await adminCall(server, 'GET', '/requests')).body.requests).toEqual([]);
  });
});

describe('CORS', () => {
  it('answers preflights and exposes the headers SDKs read', async () => {
    const server = await start();
    const preflight = await fetch(`${server.url}/documents`, {
      method: 'OPTIONS',
      headers: {
        Origin: 'http://localhost:5173',
        'Access-Control-Request-Method': 'POST',
        'Access-Control-Request-Headers': 'authorization, content-type, idempotency-key',
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('*');
    expect(preflight.headers.get('access-control-allow-methods')).toContain('POST');
    expect(preflight.headers.get('access-control-allow-headers')?.toLowerCase()).toContain('idempotency-key');
    const res = await fetch(`${server.url}/documents`, { headers: { Origin: 'http://localhost:5173' } });
    const exposed = res.headers.get('access-control-expose-headers') ?? '';
    for (const name of [
      'Retry-After',
      'X-Request-Id',
      'X-RateLimit-Limit',
      'X-RateLimit-Remaining',
      'X-RateLimit-Reset',
      'Idempotent-Replayed',
    ]) {
      expect(exposed).toContain(name);
    }
  });
});
