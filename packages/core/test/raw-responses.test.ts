import type { RunningServer } from '@codex/dev-server';
import { describe, expect, it } from 'vitest';
import { APIPromise, BatchPromise, NotFoundError, type WithResponse } from '../src/index';
import { clientFor, devServer, RW, virtualClock } from './helpers';

/** The last request the server logged for `operationId`. */
function lastRequest(server: RunningServer, operationId: string) {
  const requests = server.admin.requests().filter((r) => r.operationId === operationId);
  return requests[requests.length - 1];
}

/** What a WithResponse must say of the final attempt: its request id and rate-limit headers. */
function expectFinalAttempt(result: WithResponse<unknown>, server: RunningServer, operationId: string, tries = 2) {
  const requests = server.admin.requests().filter((r) => r.operationId === operationId);
  expect(requests.map((r) => r.status)).toEqual([...Array(tries - 1).fill(503), result.response.status]);
  expect(result.requestId).toBe(lastRequest(server, operationId)?.requestId);
  expect(result.response.headers.get('x-request-id')).toBe(result.requestId);
  const header = (name: string) => Number(result.response.headers.get(name));
  expect(result.rateLimit).toEqual({
    limit: header('x-ratelimit-limit'),
    remaining: header('x-ratelimit-remaining'),
    reset: header('x-ratelimit-reset'),
  });
  expect(result.rateLimit.limit).toBeGreaterThan(0);
  expect(result.response.bodyUsed).toBe(true);
}

const fault503 = (server: RunningServer, operationId: string) =>
  server.admin.fault({ operationId, type: 'status', status: 503, count: 1 });

describe('raw responses (withResponse, asResponse)', () => {
  it('get: withResponse gives the data and the final attempt after a retried 503', async () => {
    const server = await devServer();
    const client = clientFor(server, RW, { clock: virtualClock() });
    const created = await client.documents.create({ title: 't', content: 'c' });
    fault503(server, 'getDocument');
    const promise = client.documents.get(created.id);
    expect(promise).toBeInstanceOf(APIPromise);
    const result = await promise.withResponse();
    expect(result.data).toEqual(created);
    expect(result.response.status).toBe(200);
    expectFinalAttempt(result, server, 'getDocument');
  });

  it('create: withResponse after a retried 503; asResponse gives the Response alone', async () => {
    const server = await devServer();
    const client = clientFor(server, RW, { clock: virtualClock() });
    fault503(server, 'createDocument');
    const result = await client.documents.create({ title: 't', content: 'c' }).withResponse();
    expect(result.data.title).toBe('t');
    expect(result.response.status).toBe(201);
    expectFinalAttempt(result, server, 'createDocument');

    const response = await client.documents.get(result.data.id).asResponse();
    expect(response.status).toBe(200);
    expect(response.bodyUsed).toBe(true);
    expect(response.headers.get('x-request-id')).toBe(lastRequest(server, 'getDocument')?.requestId);
  });

  it('list: withResponse gives the first page and its response; every page has its own', async () => {
    const server = await devServer();
    const client = clientFor(server, RW, { clock: virtualClock() });
    for (let i = 0; i < 3; i++) await client.documents.create({ title: `t${i}`, content: 'c' });
    fault503(server, 'listDocuments');
    const result = await client.documents.list({ limit: 2 }).withResponse();
    expect(result.data.data).toHaveLength(2);
    expectFinalAttempt(result, server, 'listDocuments');
    expect(result.data.requestId).toBe(result.requestId);
    expect(result.data.response).toBe(result.response);
    expect(result.data.rateLimit).toEqual(result.rateLimit);

    const second = await result.data.getNextPage();
    expect(second.requestId).toBe(lastRequest(server, 'listDocuments')?.requestId);
    expect(second.requestId).not.toBe(result.requestId);
    // The response stays out of JSON and of the page's own keys.
    expect(Object.keys(second)).toEqual(['data', 'nextCursor']);
    expect(JSON.parse(JSON.stringify(second))).toEqual({ data: second.data, nextCursor: null });
  });

  it('batch: withResponse gives the outcomes and one response per request, in chunk order', async () => {
    const server = await devServer();
    const client = clientFor(server, RW, { clock: virtualClock() });
    fault503(server, 'batchDocuments');
    const operations = Array.from({ length: 150 }, (_, i) => ({
      op: 'create' as const,
      document: { title: `t${i}`, content: 'c' },
    }));
    const promise = client.documents.batch(operations, { concurrency: 1 });
    expect(promise).toBeInstanceOf(BatchPromise);
    const { data, responses } = await promise.withResponse();
    expect(data).toHaveLength(150);
    expect(data.every((o) => o.status === 201)).toBe(true);
    const sent = server.admin.requests().filter((r) => r.operationId === 'batchDocuments');
    expect(sent.map((r) => r.status)).toEqual([503, 200, 200]);
    expect(responses.map((r) => r?.requestId)).toEqual([sent[1]?.requestId, sent[2]?.requestId]);
    expect(responses.map((r) => r?.response.status)).toEqual([200, 200]);
    expect(responses[0]?.rateLimit.limit).toBe(Number(responses[0]?.response.headers.get('x-ratelimit-limit')));
    expect(responses.every((r) => r?.response.bodyUsed)).toBe(true);
    // Awaited directly, it is the outcomes.
    expect(await client.documents.batch([{ op: 'delete', id: data[0]?.document?.id ?? '' }])).toEqual([
      { index: 0, status: 204 },
    ]);
  });

  it('a failing call: withResponse and asResponse reject with the same typed error', async () => {
    const server = await devServer();
    const client = clientFor(server, RW);
    const call = client.documents.get('doc_missing');
    const [plain, withResponse, asResponse] = await Promise.allSettled([call, call.withResponse(), call.asResponse()]);
    for (const settled of [plain, withResponse, asResponse]) {
      expect(settled.status).toBe('rejected');
      expect((settled as PromiseRejectedResult).reason).toBeInstanceOf(NotFoundError);
    }
    expect((withResponse as PromiseRejectedResult).reason).toBe((plain as PromiseRejectedResult).reason);
    expect(server.admin.requests().filter((r) => r.operationId === 'getDocument')).toHaveLength(1);
  });

  it('mistakes reject, never throw: a bad query, bad options, a batch without an array', async () => {
    const server = await devServer();
    const client = clientFor(server, RW);
    const bad = { timeout: -1 } as never;
    await expect(client.documents.get('doc_1', bad).withResponse()).rejects.toThrow(/timeout/);
    await expect(client.documents.list('x' as never).withResponse()).rejects.toThrow(/query must be an object/);
    await expect(client.documents.batch('x' as never).withResponse()).rejects.toThrow(/array of operations/);
    expect(server.admin.requests().filter((r) => r.operationId !== 'issueToken')).toEqual([]);
  });
});
