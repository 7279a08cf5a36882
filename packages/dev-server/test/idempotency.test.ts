import { describe, expect, it } from 'vitest';
import { call, expectError, manualClock, RW, start, tokenFor } from './helpers';

const doc = { title: 'Once', content: 'only once' };

describe('Idempotency-Key', () => {
  it('replays the first response for the same key and body, with Idempotent-Replayed: true', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const headers = { 'Idempotency-Key': 'key-1' };
    const first = await call(server, 'POST', '/documents', { token, body: doc, headers });
    const second = await call(server, 'POST', '/documents', { token, body: doc, headers });
    expect(first.status).toBe(201);
    expect(first.headers.get('idempotent-replayed')).toBeNull();
    expect(second.status).toBe(201);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect(second.body).toEqual(first.body);
    expect((await call(server, 'GET', '/documents', { token })).body.data).toHaveLength(1);
  });

  it('treats the same JSON with keys in another order as the same body', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const headers = { 'Idempotency-Key': 'key-order' };
    await call(server, 'POST', '/documents', { token, raw: '{"title":"a","content":"b"}', headers });
    const again = await call(server, 'POST', '/documents', { token, raw: '{"content":"b","title":"a"}', headers });
    expect(again.headers.get('idempotent-replayed')).toBe('true');
  });

  it('answers 422 idempotency_key_reused for the same key with a different body', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const headers = { 'Idempotency-Key': 'key-2' };
    await call(server, 'POST', '/documents', { token, body: doc, headers });
    expectError(
      await call(server, 'POST', '/documents', { token, body: { ...doc, title: 'Other' }, headers }),
      422,
      'idempotency_key_reused',
    );
    expectError(
      await call(server, 'POST', '/documents/batch', {
        token,
        body: { operations: [{ op: 'create', document: doc }] },
        headers,
      }),
      422,
      'idempotency_key_reused',
    );
  });

  it('applies 20 concurrent requests with one key once', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const headers = { 'Idempotency-Key': 'key-concurrent' };
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call(server, 'POST', '/documents', { token, body: doc, headers })),
    );
    expect(new Set(results.map((r) => r.body.id)).size).toBe(1);
    expect(results.filter((r) => r.headers.get('idempotent-replayed') === 'true')).toHaveLength(19);
    expect((await call(server, 'GET', '/documents', { token })).body.data).toHaveLength(1);
  });

  it('replays batches too, applying their operations once', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const body = {
      operations: [
        { op: 'create', document: doc },
        { op: 'create', document: doc },
      ],
    };
    const headers = { 'Idempotency-Key': 'batch-1' };
    const first = await call(server, 'POST', '/documents/batch', { token, body, headers });
    const second = await call(server, 'POST', '/documents/batch', { token, body, headers });
    expect(second.body).toEqual(first.body);
    expect(second.headers.get('idempotent-replayed')).toBe('true');
    expect((await call(server, 'GET', '/documents', { token })).body.data).toHaveLength(2);
  });

  it('remembers a key for 24 hours', async () => {
    const clock = manualClock();
    const server = await start({ now: clock.now, tokenLifetimeSeconds: 48 * 3600 });
    const token = await tokenFor(server);
    const headers = { 'Idempotency-Key': 'key-ttl' };
    await call(server, 'POST', '/documents', { token, body: doc, headers });
    clock.advance(24 * 3600 * 1000 - 1);
    expect(
      (await call(server, 'POST', '/documents', { token, body: doc, headers })).headers.get('idempotent-replayed'),
    ).toBe('true');
    clock.advance(1);
    const fresh = await call(server, 'POST', '/documents', { token, body: doc, headers });
    expect(fresh.headers.get('idempotent-replayed')).toBeNull();
    expect((await call(server, 'GET', '/documents', { token })).body.data).toHaveLength(2);
  });

  it('scopes keys per API key', async () => {
    const other = { clientId: 'cdx_id_other', clientSecret: 'cdx_sk_other', readOnly: false };
    const server = await start({ keys: [RW, other] });
    const headers = { 'Idempotency-Key': 'shared-key' };
    const a = await call(server, 'POST', '/documents', { token: await tokenFor(server, RW), body: doc, headers });
    const b = await call(server, 'POST', '/documents', { token: await tokenFor(server, other), body: doc, headers });
    expect(b.body.id).not.toBe(a.body.id);
    expect(b.headers.get('idempotent-replayed')).toBeNull();
  });

  it('refuses a key over 255 characters', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const res = await call(server, 'POST', '/documents', {
      token,
      body: doc,
      headers: { 'Idempotency-Key': 'k'.repeat(256) },
    });
    expectError(res, 400, 'invalid_request', 'Idempotency-Key');
    const ok = await call(server, 'POST', '/documents', {
      token,
      body: doc,
      headers: { 'Idempotency-Key': 'k'.repeat(255) },
    });
    expect(ok.status).toBe(201);
  });

  it('answers 400, not 500, to metadata nested 10,000 levels deep, with or without a key', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const depth = 10_000;
    const raw = `{"title":"t","content":"c","metadata":{"a":${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}}}`;
    expectError(await call(server, 'POST', '/documents', { token, raw }), 400, 'invalid_request', 'metadata.a');
    for (const [path, body] of [
      ['/documents', raw],
      ['/documents/batch', `{"operations":[{"op":"create","document":${raw}}]}`],
    ] as const) {
      const headers = { 'Idempotency-Key': `deep-${path}` };
      const first = await call(server, 'POST', path, { token, raw: body, headers });
      expect(first.status, path).toBe(path === '/documents' ? 400 : 200);
      const again = await call(server, 'POST', path, { token, raw: body, headers });
      expect(again.headers.get('idempotent-replayed'), path).toBe('true');
    }
  });

  it('does not keep 5xx answers: the retry is applied for real', async () => {
    const server = await start();
    const token = await tokenFor(server);
    server.admin.fault({ operationId: 'createDocument', type: 'status', status: 500 });
    const headers = { 'Idempotency-Key': 'key-5xx' };
    expectError(await call(server, 'POST', '/documents', { token, body: doc, headers }), 500, 'internal_error');
    const retry = await call(server, 'POST', '/documents', { token, body: doc, headers });
    expect(retry.status).toBe(201);
    expect(retry.headers.get('idempotent-replayed')).toBeNull();
    expect(RW.clientId).toBe(server.admin.requests().at(-1)?.clientId);
  });
});
