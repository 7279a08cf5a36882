import { describe, expect, it } from 'vitest';
import { stalledBody } from './body-requests';
import { call, expectError, RW, start, tokenFor } from './helpers';

const doc = { title: 't', content: 'c' };

describe('request bodies: 415 unless JSON (contract, Errors)', () => {
  const bodies = [
    ['POST', '/documents'],
    ['PATCH', '/documents/doc_1'],
    ['POST', '/documents/batch'],
  ] as const;

  it.each(['text/plain', 'application/xml', 'application/x-www-form-urlencoded', 'application/json; charset=latin1'])(
    'answers 415 unsupported_media_type to Content-Type %s, on every operation with a body',
    async (type) => {
      const server = await start();
      const token = await tokenFor(server);
      for (const [method, path] of bodies) {
        const res = await call(server, method, path, { token, raw: '{}', headers: { 'Content-Type': type } });
        expectError(res, 415, 'unsupported_media_type');
      }
      const tokenRes = await call(server, 'POST', '/auth/token', {
        raw: JSON.stringify({ client_id: RW.clientId, client_secret: RW.clientSecret }),
        headers: { 'Content-Type': type },
      });
      expectError(tokenRes, 415, 'unsupported_media_type');
    },
  );

  it('injects a 415 fault with its contract code', async () => {
    const server = await start();
    const token = await tokenFor(server);
    server.admin.fault({ operationId: 'createDocument', type: 'status', status: 415 });
    expectError(await call(server, 'POST', '/documents', { token, body: doc }), 415, 'unsupported_media_type');
  });

  it('answers 415 to a body without a Content-Type', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const res = await fetch(`${server.url}/documents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}` },
      body: new TextEncoder().encode(JSON.stringify(doc)),
    });
    expect(res.headers.get('content-type')).toBe('application/json; charset=utf-8');
    expect(res.status).toBe(415);
    expect((await res.json()).error.code).toBe('unsupported_media_type');
  });

  it.each(['application/json', 'application/json; charset=utf-8', 'Application/JSON; charset="UTF-8"'])(
    'accepts Content-Type %s',
    async (type) => {
      const server = await start();
      const token = await tokenFor(server);
      const res = await call(server, 'POST', '/documents', { token, body: doc, headers: { 'Content-Type': type } });
      expect(res.status).toBe(201);
    },
  );

  it('answers 400 to a body that is not UTF-8', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const res = await fetch(`${server.url}/documents`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
      // {"title":"<0xff>","content":"c"}: JSON once decoded leniently, but not UTF-8.
      body: new Uint8Array([
        ...new TextEncoder().encode('{"title":"'),
        0xff,
        ...new TextEncoder().encode('","content":"c"}'),
      ]),
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.code).toBe('invalid_request');
  });
});

describe('request bodies: authentication and size before reading (contract, Errors)', () => {
  it('answers 401 to an unauthenticated request without waiting for its body', async () => {
    const server = await start();
    for (const headers of [{}, { Authorization: 'Bearer cdx_at_made_up' }]) {
      const res = await stalledBody(
        server,
        '/documents',
        { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', ...headers },
        '{"title": "t", "content": "',
      );
      expect(res.status).toBe(401);
    }
    expect((await call(server, 'GET', '/documents', { token: await tokenFor(server) })).status).toBe(200);
  });

  it('answers 403 to a read-only token without waiting for the body', async () => {
    const server = await start();
    const token = await tokenFor(server, RW, 'read');
    const res = await stalledBody(
      server,
      '/documents',
      { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      '{"title": "t", ',
    );
    expect(res.status).toBe(403);
    expect(res.body.error.code).toBe('insufficient_scope');
  });

  it('answers 413 as soon as a streamed body passes the limit, without reading the rest', async () => {
    const server = await start({ maxBodyBytes: 4096 });
    const token = await tokenFor(server);
    const res = await stalledBody(
      server,
      '/documents',
      { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      `{"title": "t", "content": "${'x'.repeat(8192)}`,
    );
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    expect(res.headers['x-request-id']).toMatch(/^req_/);
    // The server is still fine for the next request.
    expect((await call(server, 'POST', '/documents', { token, body: doc })).status).toBe(201);
  });

  it('answers 413 to a declared Content-Length over the limit before any of the body arrives', async () => {
    const server = await start({ maxBodyBytes: 4096 });
    const token = await tokenFor(server);
    const res = await stalledBody(
      server,
      '/documents',
      { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'Content-Length': String(100 * 2 ** 20) },
      '',
    );
    expect(res.status).toBe(413);
  });

  it('limits the unauthenticated token endpoint to 64 KiB, refused without reading the rest', async () => {
    const server = await start();
    const res = await stalledBody(
      server,
      '/auth/token',
      { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' },
      `{"client_id": "${'x'.repeat(70 * 1024)}`,
    );
    expect(res.status).toBe(413);
    expect(res.body.error.code).toBe('payload_too_large');
    const ok = await call(server, 'POST', '/auth/token', {
      body: { client_id: RW.clientId, client_secret: RW.clientSecret, scope: 'read' },
    });
    expect(ok.status).toBe(200);
  });
});
