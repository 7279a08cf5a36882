import { describe, expect, it, vi } from 'vitest';
import { call, expectCommonHeaders, start, tokenFor } from './helpers';

// An operation added to the spec before its handler is written: routed like any other, and
// answered with a 501 `not_implemented` in the contract's error envelope (issue 21, item 7).
// getDocument stands for it here: its handler is taken out of the table.
vi.mock('../src/operations', async (importOriginal) => {
  const actual = await importOriginal<typeof import('../src/operations')>();
  const { getDocument: _, ...handlers } = actual.handlers;
  return { ...actual, handlers, unimplemented: ['getDocument'] };
});

describe('an operation of the spec without a handler', () => {
  it('answers 501 not_implemented, naming the operation, in the error envelope with the common headers', async () => {
    const server = await start();
    const token = await tokenFor(server);
    const res = await call(server, 'GET', '/documents/doc_1', { token });
    expect(res.status).toBe(501);
    expectCommonHeaders(res);
    expect(Object.keys(res.body)).toEqual(['error']);
    expect(res.body.error).toEqual({
      code: 'not_implemented',
      message: expect.stringContaining('no handler for getDocument (GET /documents/{id})'),
      request_id: res.headers.get('x-request-id'),
    });
    expect(server.admin.requests().at(-1)).toMatchObject({ operationId: 'getDocument', status: 501 });
  });

  it('still goes through authentication first, and the other operations are unaffected', async () => {
    const server = await start();
    expect((await call(server, 'GET', '/documents/doc_1')).body.error.code).toBe('missing_token');
    const token = await tokenFor(server);
    expect((await call(server, 'GET', '/documents', { token })).status).toBe(200);
  });
});
