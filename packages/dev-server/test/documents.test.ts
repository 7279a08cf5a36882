import { describe, expect, it } from 'vitest';
import { call, expectCommonHeaders, expectError, expectSchema, start, tokenFor } from './helpers';

const MiB = 1024 * 1024;

async function setup() {
  const server = await start();
  return { server, token: await tokenFor(server) };
}

describe('documents', () => {
  it('creates, gets, updates and deletes a document, each response as the spec says', async () => {
    const { server, token } = await setup();
    const created = await call(server, 'POST', '/documents', {
      token,
      body: { title: 'Quarterly report', content: 'Revenue grew.', metadata: { team: 'finance' } },
    });
    expect(created.status).toBe(201);
    expectSchema('Document', created.body);
    expectCommonHeaders(created);
    expect(created.body).toMatchObject({ title: 'Quarterly report', metadata: { team: 'finance' } });
    expect(created.body.created_at).toBe(created.body.updated_at);
    const id = created.body.id;

    const got = await call(server, 'GET', `/documents/${id}`, { token });
    expect(got.status).toBe(200);
    expect(got.body).toEqual(created.body);

    const updated = await call(server, 'PATCH', `/documents/${id}`, {
      token,
      body: { title: 'Final', metadata: { a: 'b' } },
    });
    expect(updated.status).toBe(200);
    expectSchema('Document', updated.body);
    expect(updated.body).toMatchObject({ id, title: 'Final', content: 'Revenue grew.', metadata: { a: 'b' } });
    expect(updated.body.updated_at > created.body.updated_at).toBe(true);

    const deleted = await call(server, 'DELETE', `/documents/${id}`, { token });
    expect(deleted.status).toBe(204);
    expect(deleted.body).toBeNull();
    expectCommonHeaders(deleted);
    expectError(await call(server, 'GET', `/documents/${id}`, { token }), 404, 'not_found');
    expectError(await call(server, 'PATCH', `/documents/${id}`, { token, body: { title: 'x' } }), 404, 'not_found');
    expectError(await call(server, 'DELETE', `/documents/${id}`, { token }), 404, 'not_found');
  });

  it.each([
    ['an empty title', { title: '', content: 'c' }, 'title'],
    ['a 201-character title', { title: 'x'.repeat(201), content: 'c' }, 'title'],
    ['no content', { title: 't' }, 'content'],
    [
      '17 metadata keys',
      { title: 't', content: 'c', metadata: Object.fromEntries(Array.from({ length: 17 }, (_, i) => [`k${i}`, 'v'])) },
      'metadata',
    ],
    ['a non-string metadata value', { title: 't', content: 'c', metadata: { n: 1 } }, 'metadata.n'],
    ['an unknown field', { title: 't', content: 'c', tags: [] }, 'tags'],
  ])('refuses a create with %s: 400 invalid_request naming the field', async (_, body, param) => {
    const { server, token } = await setup();
    expectError(await call(server, 'POST', '/documents', { token, body }), 400, 'invalid_request', param);
    expect((await call(server, 'GET', '/documents', { token })).body.data).toEqual([]);
  });

  it('accepts the limits exactly: 200-character title, 16 metadata keys, 1 MiB content', async () => {
    const { server, token } = await setup();
    const body = {
      title: 'x'.repeat(200),
      content: 'é'.repeat(MiB / 2),
      metadata: Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`k${i}`, 'v'])),
    };
    const res = await call(server, 'POST', '/documents', { token, body });
    expect(res.status).toBe(201);
    expect(res.body.content.length).toBe(MiB / 2);
  });

  it('answers 413 payload_too_large to content over 1 MiB, counted in UTF-8 bytes', async () => {
    const { server, token } = await setup();
    // 524,289 two-byte characters: under maxLength in characters, over 1 MiB in bytes.
    const res = await call(server, 'POST', '/documents', {
      token,
      body: { title: 't', content: 'é'.repeat(MiB / 2 + 1) },
    });
    expectError(res, 413, 'payload_too_large', 'content');
    expect(res.body.error.message).toBe('content must be at most 1048576 bytes.');
    const id = (await call(server, 'POST', '/documents', { token, body: { title: 't', content: 'c' } })).body.id;
    const patch = await call(server, 'PATCH', `/documents/${id}`, { token, body: { content: 'x'.repeat(MiB + 1) } });
    expectError(patch, 413, 'payload_too_large', 'content');
  });

  it('refuses an empty update and malformed JSON', async () => {
    const { server, token } = await setup();
    const id = (await call(server, 'POST', '/documents', { token, body: { title: 't', content: 'c' } })).body.id;
    expectError(await call(server, 'PATCH', `/documents/${id}`, { token, body: {} }), 400, 'invalid_request');
    expectError(await call(server, 'POST', '/documents', { token, raw: '{"title":' }), 400, 'invalid_request');
  });
});

describe('GET /documents', () => {
  it('lists 250 documents in pages of 100 in created_at, id order, with opaque cursors', async () => {
    const { server, token } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 250; i++) {
      ids.push((await call(server, 'POST', '/documents', { token, body: { title: `d${i}`, content: 'c' } })).body.id);
    }
    const pages: string[][] = [];
    let cursor: string | null = null;
    do {
      const res: Awaited<ReturnType<typeof call>> = await call(
        server,
        'GET',
        `/documents?limit=100${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
        { token },
      );
      expect(res.status).toBe(200);
      expectSchema('DocumentList', res.body);
      pages.push(res.body.data.map((d: { id: string }) => d.id));
      cursor = res.body.next_cursor;
    } while (cursor);
    expect(pages.map((p) => p.length)).toEqual([100, 100, 50]);
    expect(pages.flat()).toEqual(ids);
  });

  it('keeps pages stable when documents are deleted between calls', async () => {
    const { server, token } = await setup();
    const ids: string[] = [];
    for (let i = 0; i < 5; i++)
      ids.push((await call(server, 'POST', '/documents', { token, body: { title: `${i}`, content: 'c' } })).body.id);
    const first = await call(server, 'GET', '/documents?limit=2', { token });
    await call(server, 'DELETE', `/documents/${ids[1]}`, { token });
    const second = await call(server, 'GET', `/documents?limit=2&cursor=${first.body.next_cursor}`, { token });
    expect(second.body.data.map((d: { id: string }) => d.id)).toEqual([ids[2], ids[3]]);
  });

  it('defaults to 20 per page', async () => {
    const { server, token } = await setup();
    for (let i = 0; i < 21; i++)
      await call(server, 'POST', '/documents', { token, body: { title: `${i}`, content: 'c' } });
    const res = await call(server, 'GET', '/documents', { token });
    expect(res.body.data).toHaveLength(20);
    expect(res.body.next_cursor).toEqual(expect.any(String));
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=101', 'limit'],
    ['limit=ten', 'limit'],
    ['limit=1.5', 'limit'],
    ['cursor=not-a-cursor', 'cursor'],
    ['cursor=', 'cursor'],
  ])('answers 400 invalid_request to %s', async (query, param) => {
    const { server, token } = await setup();
    expectError(await call(server, 'GET', `/documents?${query}`, { token }), 400, 'invalid_request', param);
  });

  it('answers 404 not_found in the error envelope for unknown routes', async () => {
    const { server, token } = await setup();
    expectError(await call(server, 'GET', '/nothing-here', { token }), 404, 'not_found');
  });
});
