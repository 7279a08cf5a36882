import { describe, expect, it } from 'vitest';
import type { Tracer } from '../src/index';
import { BadRequestError, Client, isAPIError, isNotFoundError } from '../src/index';
import { clientFor, devServer, RO, RW } from './helpers';

// Issue 20: single creates, updates and deletes that would wait for a pacing slot are folded into
// batch requests (one request against the rate limit each), over real HTTP to @codex/dev-server.

type Server = Awaited<ReturnType<typeof devServer>>;
const writes = (server: Server) =>
  server.admin.requests().filter((r) => r.operationId !== 'issueToken' && r.clientId === RW.clientId);
const ops = (server: Server) => writes(server).map((r) => r.operationId);

/** The server's windows, as it opens them: at the first request after the last one ended. */
function windows(server: Server, windowMs: number) {
  let opened = Number.NEGATIVE_INFINITY;
  let count = 0;
  for (const at of server.admin
    .requests()
    .filter((r) => r.clientId === RW.clientId)
    .map((r) => Date.parse(r.at))) {
    if (at >= opened + windowMs) {
      opened = at;
      count++;
    }
  }
  return count;
}

/** Every document on the server (listed with the read-only key, which has a rate window of its own). */
async function titles(server: Server): Promise<string[]> {
  const all: string[] = [];
  for await (const doc of clientFor(server, RO, { batching: 'off' }).documents.list({ limit: 100 }))
    all.push(doc.title);
  return all;
}

/** Uses up the key's quota of the window, so that the next writes would have to wait. */
async function useUp(client: ReturnType<typeof clientFor>, limit: number) {
  await Promise.all(Array.from({ length: limit - 1 }, () => client.documents.list({ limit: 1 })));
}

describe("batching: 'auto' (the default)", () => {
  it('3,000 concurrent single creates under 60 requests per 3 s: 3 windows at most, 0 failed, exactly 3,000 documents, at most 120 requests', async () => {
    const server = await devServer({ rateLimit: { limit: 60, windowSeconds: 3 } });
    const client = clientFor(server);
    const results = await Promise.allSettled(
      Array.from({ length: 3000 }, (_, i) => client.documents.create({ title: `doc ${i}`, content: 'x' })),
    );
    expect(results.filter((r) => r.status === 'rejected')).toEqual([]);
    const created = results.map((r) => (r as PromiseFulfilledResult<{ title: string; id: string }>).value);
    expect(created.map((d) => d.title)).toEqual(Array.from({ length: 3000 }, (_, i) => `doc ${i}`));
    expect(new Set(created.map((d) => d.id)).size).toBe(3000);
    const sent = writes(server);
    expect(sent.length).toBeLessThanOrEqual(120);
    expect(sent.filter((r) => r.status === 429)).toEqual([]);
    expect(sent.some((r) => r.operationId === 'batchDocuments')).toBe(true);
    expect(windows(server, 3000)).toBeLessThanOrEqual(3);
    const stored = await titles(server);
    expect(stored).toHaveLength(3000);
    expect(new Set(stored).size).toBe(3000);
  }, 60_000);

  it('with quota free, nothing is batched', async () => {
    const server = await devServer({ rateLimit: { limit: 1000, windowSeconds: 60 } });
    const client = clientFor(server);
    await Promise.all(Array.from({ length: 50 }, (_, i) => client.documents.create({ title: `t${i}`, content: '' })));
    expect(ops(server)).toEqual(Array(50).fill('createDocument'));
  });

  it('each folded call settles as its single call would: documents, and the same error class, status and code per item', async () => {
    const server = await devServer({ rateLimit: { limit: 3, windowSeconds: 2 } });
    // What single calls get (quota free): the reference.
    const single = clientFor(server, undefined, { batching: 'off', pacing: false });
    const kept = await single.documents.create({ title: 'kept', content: '' });
    const alone = await Promise.allSettled([
      single.documents.create({ title: '', content: '' }),
      single.documents.update('doc_missing', { title: 'x' }),
      single.documents.delete('doc_gone'),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 2_100));
    server.admin.clearRequests();

    // Its token is the reference client's (one per key in the process): 3 lists use the window up.
    const client = clientFor(server);
    await useUp(client, 4);
    const settled = await Promise.allSettled([
      client.documents.create({ title: 'valid 1', content: '' }),
      client.documents.create({ title: '', content: '' }),
      client.documents.update('doc_missing', { title: 'x' }),
      client.documents.delete('doc_gone'),
      client.documents.update(kept.id, { title: 'renamed' }),
      client.documents.create({ title: 'valid 2', content: '' }),
    ]);
    expect(ops(server).filter((op) => op !== 'listDocuments')).toEqual(['batchDocuments']);
    const [valid1, invalid, missingUpdate, missingDelete, renamed, valid2] = settled;
    expect(valid1).toMatchObject({ status: 'fulfilled', value: { title: 'valid 1' } });
    expect(valid2).toMatchObject({ status: 'fulfilled', value: { title: 'valid 2' } });
    expect(renamed).toMatchObject({ status: 'fulfilled', value: { id: kept.id, title: 'renamed' } });
    const batchId = writes(server).find((r) => r.operationId === 'batchDocuments')?.requestId;
    for (const [folded, reference] of [
      [invalid, alone[0]],
      [missingUpdate, alone[1]],
      [missingDelete, alone[2]],
    ] as const) {
      expect(folded.status).toBe('rejected');
      const error = (folded as PromiseRejectedResult).reason;
      const expected = (reference as PromiseRejectedResult).reason;
      expect(error.constructor).toBe(expected.constructor);
      expect({ status: error.status, code: error.code }).toEqual({ status: expected.status, code: expected.code });
      expect(isAPIError(error) && error.requestId).toBe(batchId);
    }
    expect((invalid as PromiseRejectedResult).reason).toBeInstanceOf(BadRequestError);
    expect(isNotFoundError((missingDelete as PromiseRejectedResult).reason)).toBe(true);
  }, 20_000);

  it('withResponse() of a folded call gives the batch response; delete resolves to undefined', async () => {
    const server = await devServer({ rateLimit: { limit: 3, windowSeconds: 2 } });
    const client = clientFor(server);
    const doc = await client.documents.create({ title: 'x', content: '' });
    await useUp(client, 2);
    const [created, deleted] = await Promise.all([
      client.documents.create({ title: 'y', content: '' }).withResponse(),
      client.documents.delete(doc.id),
    ]);
    expect(created.data.title).toBe('y');
    expect(created.response.url).toMatch(/\/documents\/batch$/);
    expect(created.requestId).toBe(writes(server).find((r) => r.operationId === 'batchDocuments')?.requestId);
    expect(deleted).toBeUndefined();
  }, 20_000);

  it('calls with their own idempotencyKey are never batched', async () => {
    const server = await devServer({ rateLimit: { limit: 3, windowSeconds: 1 } });
    const client = clientFor(server);
    await useUp(client, 3);
    await Promise.all(
      Array.from({ length: 4 }, (_, i) =>
        client.documents.create({ title: `k${i}`, content: '' }, { idempotencyKey: `key-${i}` }),
      ),
    );
    expect(ops(server).filter((op) => op !== 'listDocuments')).toEqual(Array(4).fill('createDocument'));
  }, 20_000);

  it('a batch holds one operation per document: calls on one document keep their order', async () => {
    const server = await devServer({ rateLimit: { limit: 3, windowSeconds: 1 } });
    const client = clientFor(server);
    const doc = await client.documents.create({ title: 'a', content: '' });
    await useUp(client, 2);
    const order: string[] = [];
    await Promise.all([
      client.documents.update(doc.id, { title: 'b' }).then(() => order.push('b')),
      client.documents.update(doc.id, { title: 'c' }).then(() => order.push('c')),
      client.documents.update(doc.id, { title: 'd' }).then(() => order.push('d')),
    ]);
    expect(order).toEqual(['b', 'c', 'd']);
    expect((await client.documents.get(doc.id)).title).toBe('d');
    // Three batches (one operation on the document each), or singles once the quota was free again.
    const batches = writes(server).filter((r) => r.operationId === 'batchDocuments');
    expect(batches.length).toBeGreaterThanOrEqual(1);
  }, 20_000);

  it('an aborted call leaves the pending batch before it is sent: nothing of it is applied', async () => {
    const server = await devServer({ rateLimit: { limit: 3, windowSeconds: 2 } });
    const client = clientFor(server);
    await useUp(client, 3);
    const controller = new AbortController();
    const aborted = client.documents.create({ title: 'aborted', content: '' }, { signal: controller.signal });
    const kept = client.documents.create({ title: 'kept', content: '' });
    setTimeout(() => controller.abort(), 100);
    await expect(aborted).rejects.toMatchObject({ name: 'APIUserAbortError' });
    await kept;
    expect(await titles(server)).toEqual(['kept']);
  }, 20_000);

  it('a batch every call left is closed: the next call opens a new one, and goes', async () => {
    const server = await devServer({ rateLimit: { limit: 3, windowSeconds: 2 } });
    const client = clientFor(server);
    await useUp(client, 3);
    const controller = new AbortController();
    const aborted = client.documents.create({ title: 'aborted', content: '' }, { signal: controller.signal });
    await new Promise((resolve) => setTimeout(resolve, 50));
    controller.abort();
    // At once: the emptied batch must not take it.
    const next = client.documents.create({ title: 'next', content: '' });
    await expect(aborted).rejects.toMatchObject({ name: 'APIUserAbortError' });
    await expect(next).resolves.toMatchObject({ title: 'next' });
    expect(await titles(server)).toEqual(['next']);
  }, 20_000);

  it('one debug line per batch sent, and the span records the batch', async () => {
    const server = await devServer({ rateLimit: { limit: 3, windowSeconds: 2 } });
    const lines: string[] = [];
    const ends: Array<Record<string, unknown>> = [];
    const tracer: Tracer = () => ({ attempt: () => undefined, end: (outcome) => void ends.push(outcome) });
    const logger = { debug: (m: string) => lines.push(m), info: () => {}, warn: () => {}, error: () => {} };
    const client = clientFor(server, undefined, { logger, tracer });
    await useUp(client, 3);
    await Promise.all(Array.from({ length: 5 }, (_, i) => client.documents.create({ title: `t${i}`, content: '' })));
    expect(lines.filter((l) => l.includes('folded'))).toEqual([
      'codex: folded 5 calls into one batch (batchDocuments)',
    ]);
    const batchId = writes(server).find((r) => r.operationId === 'batchDocuments')?.requestId;
    expect(ends.filter((e) => e.batched)).toHaveLength(5);
    expect(ends.filter((e) => e.batched).every((e) => e.requestId === batchId)).toBe(true);
  }, 20_000);
});

describe('a Client that has no answer yet (a tokenProvider: it does not know the limit)', () => {
  it('sends its first burst singly, and the retries of the 429s fold into a batch', async () => {
    const server = await devServer({ rateLimit: { limit: 3, windowSeconds: 2 } });
    const { accessToken, expiresIn } = await clientFor(server).getAccessToken();
    const client = new Client({ baseUrl: server.url, tokenProvider: async () => ({ accessToken, expiresIn }) });
    const settled = await Promise.allSettled(
      Array.from({ length: 21 }, (_, i) => client.documents.create({ title: `t${i}`, content: '' })),
    );
    expect(settled.filter((r) => r.status === 'rejected')).toEqual([]);
    // Before: every 429 retried singly, 40 requests (19 × 429) over 7 windows.
    expect(ops(server).filter((op) => op === 'batchDocuments').length).toBeGreaterThan(0);
    expect(writes(server).length, ops(server).join(' ')).toBeLessThanOrEqual(27);
  }, 30_000);
});

describe("batching: 'off'", () => {
  it('sends only single requests', async () => {
    const server = await devServer({ rateLimit: { limit: 5, windowSeconds: 1 } });
    const client = clientFor(server, undefined, { batching: 'off' });
    await Promise.all(Array.from({ length: 12 }, (_, i) => client.documents.create({ title: `t${i}`, content: '' })));
    expect(ops(server)).toEqual(Array(12).fill('createDocument'));
  }, 20_000);

  it('refuses anything but auto or off, before anything is sent', () => {
    const server = { url: 'http://127.0.0.1:9' } as Server;
    expect(() => clientFor(server, undefined, { batching: 'on' as 'auto' })).toThrow(
      expect.objectContaining({ code: 'invalid_option' }),
    );
  });
});
