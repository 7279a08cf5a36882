import { describe, expect, it } from 'vitest';
import { call, expectError, expectSchema, start, tokenFor } from './helpers';

async function setup() {
  const server = await start();
  return { server, token: await tokenFor(server) };
}

describe('POST /documents/batch', () => {
  it('answers each operation in input order; a bad one fails alone, the others apply', async () => {
    const { server, token } = await setup();
    const existing = (await call(server, 'POST', '/documents', { token, body: { title: 'old', content: 'c' } })).body
      .id;
    const res = await call(server, 'POST', '/documents/batch', {
      token,
      body: {
        operations: [
          { op: 'create', document: { title: 'new', content: 'c' } },
          { op: 'update', id: existing, document: { title: 'renamed' } },
          { op: 'create', document: { title: '', content: 'c' } },
          { op: 'delete', id: 'doc_missing' },
          { op: 'explode' },
          { op: 'delete', id: existing },
        ],
      },
    });
    expect(res.status).toBe(200);
    expectSchema('BatchResponse', res.body);
    expect(res.body.results.map((r: { index: number; status: number }) => [r.index, r.status])).toEqual([
      [0, 201],
      [1, 200],
      [2, 400],
      [3, 404],
      [4, 400],
      [5, 204],
    ]);
    expect(res.body.results[1].document.title).toBe('renamed');
    expect(res.body.results[2].error).toMatchObject({ code: 'invalid_request', param: 'operations[2].document.title' });
    expect(res.body.results[3].error.code).toBe('not_found');
    expect(res.body.results[4].error.param).toBe('operations[4].op');
    expect(res.body.results[2].error.request_id).toBe(res.headers.get('x-request-id'));
    const left = (await call(server, 'GET', '/documents', { token })).body.data;
    expect(left.map((d: { title: string }) => d.title)).toEqual(['new']);
  });

  it('takes bad operations as the spec says: the request is valid, each bad one gets its own 400', async () => {
    // Issue 9, item 20: the spec's BatchRequest used to call the whole body invalid.
    const body = {
      operations: [
        { op: 'create', document: { title: 'ok', content: 'c' } },
        { op: 'create', document: { title: '', content: 'c' } },
        { op: 'explode' },
        42,
        { op: 'delete', id: 'not a document id' },
        { op: 'delete', id: 'doc_unknown' },
      ],
    };
    expectSchema('BatchRequest', body);
    const { server, token } = await setup();
    const res = await call(server, 'POST', '/documents/batch', { token, body });
    expect(res.status).toBe(200);
    expectSchema('BatchResponse', res.body);
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([201, 400, 400, 400, 400, 404]);
  });

  it('reports an oversized content as 413 for that operation only', async () => {
    const { server, token } = await setup();
    const res = await call(server, 'POST', '/documents/batch', {
      token,
      body: {
        operations: [
          { op: 'create', document: { title: 't', content: 'x'.repeat(1024 * 1024 + 1) } },
          { op: 'create', document: { title: 't', content: 'c' } },
        ],
      },
    });
    expect(res.body.results.map((r: { status: number }) => r.status)).toEqual([413, 201]);
    expect(res.body.results[0].error.code).toBe('payload_too_large');
  });

  it('takes 1 to 100 operations', async () => {
    const { server, token } = await setup();
    const op = { op: 'create', document: { title: 't', content: 'c' } };
    expectError(
      await call(server, 'POST', '/documents/batch', { token, body: { operations: [] } }),
      400,
      'invalid_request',
      'operations',
    );
    expectError(
      await call(server, 'POST', '/documents/batch', { token, body: { operations: Array(101).fill(op) } }),
      400,
      'invalid_request',
      'operations',
    );
    expectError(
      await call(server, 'POST', '/documents/batch', { token, body: {} }),
      400,
      'invalid_request',
      'operations',
    );
    const ok = await call(server, 'POST', '/documents/batch', { token, body: { operations: Array(100).fill(op) } });
    expect(ok.body.results).toHaveLength(100);
  });
});
