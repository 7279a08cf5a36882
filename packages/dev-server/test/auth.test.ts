import { describe, expect, it } from 'vitest';
import { call, expectCommonHeaders, expectError, expectSchema, manualClock, RO, RW, start, tokenFor } from './helpers';

describe('POST /auth/token', () => {
  it('exchanges client credentials for a bearer token, as the guide shows', async () => {
    const server = await start();
    // The guide's first curl: POST JSON {client_id, client_secret}, no Authorization header.
    const res = await call(server, 'POST', '/auth/token', {
      body: { client_id: RW.clientId, client_secret: RW.clientSecret },
    });
    expect(res.status).toBe(200);
    expectSchema('TokenResponse', res.body);
    expectCommonHeaders(res);
    expect(res.body).toMatchObject({ token_type: 'Bearer', expires_in: 3600, scope: 'read write' });
    expect(res.headers.get('cache-control')).toBe('no-store');
    // The guide's second curl: GET /documents with the bearer.
    const list = await call(server, 'GET', '/documents', { token: res.body.access_token });
    expect(list.status).toBe(200);
    expectSchema('DocumentList', list.body);
  });

  it('grants a read-only key only read, whatever it asks for', async () => {
    const server = await start();
    for (const scope of [undefined, 'read write', 'write']) {
      const res = await call(server, 'POST', '/auth/token', {
        body: { client_id: RO.clientId, client_secret: RO.clientSecret, ...(scope && { scope }) },
      });
      expect(res.body.scope, String(scope)).toBe('read');
    }
  });

  it('grants a read-write key the scopes it asks for', async () => {
    const server = await start();
    const res = await call(server, 'POST', '/auth/token', {
      body: { client_id: RW.clientId, client_secret: RW.clientSecret, scope: 'write' },
    });
    expect(res.body.scope).toBe('write');
    const read = await call(server, 'GET', '/documents', { token: res.body.access_token });
    expectError(read, 403, 'insufficient_scope');
  });

  it('honours a configured token lifetime', async () => {
    const server = await start({ tokenLifetimeSeconds: 2 });
    const res = await call(server, 'POST', '/auth/token', {
      body: { client_id: RW.clientId, client_secret: RW.clientSecret },
    });
    expect(res.body.expires_in).toBe(2);
  });

  it.each([
    ['malformed JSON', { raw: '{"client_id": ' }, undefined],
    ['an empty body', { raw: '' }, undefined],
    ['a missing client_secret', { body: { client_id: RW.clientId } }, 'client_secret'],
    ['an unknown field', { body: { client_id: RW.clientId, client_secret: RW.clientSecret, grant: 'x' } }, 'grant'],
    ['an unknown scope', { body: { client_id: RW.clientId, client_secret: RW.clientSecret, scope: 'admin' } }, 'scope'],
  ])('answers 400 invalid_request to %s', async (_, options, param) => {
    const server = await start();
    const res = await call(server, 'POST', '/auth/token', options);
    expectError(res, 400, 'invalid_request', param);
  });

  it('answers 401 invalid_client to an unknown client ID or a wrong secret, never echoing the secret', async () => {
    const server = await start();
    for (const body of [
      { client_id: 'cdx_id_nobody', client_secret: RW.clientSecret },
      { client_id: RW.clientId, client_secret: 'cdx_sk_wrong_guess' },
    ]) {
      const res = await call(server, 'POST', '/auth/token', { body });
      expectError(res, 401, 'invalid_client');
      expect(JSON.stringify(res.body)).not.toContain(body.client_secret);
    }
  });
});

describe('bearer tokens', () => {
  it('answers 401 missing_token without an Authorization header', async () => {
    const server = await start();
    const res = await call(server, 'GET', '/documents');
    expectError(res, 401, 'missing_token');
    // Only invalid_token carries WWW-Authenticate (contract, Using the token).
    expect(res.headers.get('www-authenticate')).toBeNull();
  });

  it('answers 401 invalid_token with WWW-Authenticate to unknown and malformed tokens', async () => {
    const server = await start();
    for (const headers of [{ Authorization: 'Bearer cdx_at_made_up' }, { Authorization: 'Basic abc' }]) {
      const res = await call(server, 'GET', '/documents', { headers });
      expectError(res, 401, 'invalid_token');
      expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    }
  });

  it('expires a token at expires_in by the server clock', async () => {
    const clock = manualClock();
    const server = await start({ now: clock.now, tokenLifetimeSeconds: 60 });
    const token = await tokenFor(server);
    clock.advance(59_999);
    expect((await call(server, 'GET', '/documents', { token })).status).toBe(200);
    clock.advance(1);
    const res = await call(server, 'GET', '/documents', { token });
    expectError(res, 401, 'invalid_token');
    expect(res.headers.get('www-authenticate')).toBe('Bearer error="invalid_token"');
    expect(server.admin.requests().at(-1)?.auth).toBe('expired');
  });

  it('rejects revoked tokens and accepts tokens issued after the revocation', async () => {
    const server = await start();
    const before = await tokenFor(server);
    expect(server.admin.revokeTokens()).toBe(1);
    expectError(await call(server, 'GET', '/documents', { token: before }), 401, 'invalid_token');
    const after = await tokenFor(server);
    expect((await call(server, 'GET', '/documents', { token: after })).status).toBe(200);
  });

  it('answers 403 insufficient_scope to writes with a read-only token, reads still allowed', async () => {
    const server = await start();
    const token = await tokenFor(server, RO);
    expect((await call(server, 'GET', '/documents', { token })).status).toBe(200);
    const write = await call(server, 'POST', '/documents', { token, body: { title: 't', content: 'c' } });
    expectError(write, 403, 'insufficient_scope');
    for (const [method, path] of [
      ['PATCH', '/documents/doc_1'],
      ['DELETE', '/documents/doc_1'],
      ['POST', '/documents/batch'],
    ] as const) {
      expectError(await call(server, method, path, { token, body: {} }), 403, 'insufficient_scope');
    }
  });

  it('logs requests without tokens or secrets', async () => {
    const server = await start();
    const token = await tokenFor(server);
    await call(server, 'GET', '/documents', { token });
    const log = JSON.stringify(server.admin.requests());
    expect(log).not.toContain(token);
    expect(log).not.toContain(RW.clientSecret);
    expect(server.admin.requests().map((r) => [r.operationId, r.clientId, r.auth, r.status])).toEqual([
      ['issueToken', RW.clientId, 'none', 200],
      ['listDocuments', RW.clientId, 'valid', 200],
    ]);
  });
});
