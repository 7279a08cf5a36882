import { describe, expect, it } from 'vitest';
import { CodexError } from '../src/index';
import { clientFor, devServer, tokenRequests } from './helpers';

const create = (i: number) => ({ op: 'create' as const, document: { title: `doc ${i}`, content: `content ${i}` } });

describe('pagination and batch over real HTTP', () => {
  it('iterates 250 documents in 3 pages of 100', async () => {
    const server = await devServer();
    const client = clientFor(server);
    // One chunk at a time, so the documents are created in input order.
    await client.documents.batch(
      Array.from({ length: 250 }, (_, i) => create(i)),
      { concurrency: 1 },
    );
    server.admin.clearRequests();

    const titles: string[] = [];
    for await (const doc of client.documents.list({ limit: 100 })) titles.push(doc.title);
    expect(titles).toEqual(Array.from({ length: 250 }, (_, i) => `doc ${i}`));
    const lists = server.admin.requests().filter((r) => r.operationId === 'listDocuments');
    expect(lists).toHaveLength(3);
    expect(lists[0]?.query).toBe('?limit=100');
    expect(lists[1]?.query).toMatch(/^\?limit=100&cursor=/);
  });

  it('gives pages with data, nextCursor, hasNextPage() and getNextPage(), and .byPage()', async () => {
    const server = await devServer();
    const client = clientFor(server);
    await client.documents.batch(Array.from({ length: 5 }, (_, i) => create(i)));
    const first = await client.documents.list({ limit: 2 });
    expect(first.data).toHaveLength(2);
    expect(first.hasNextPage()).toBe(true);
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await first.getNextPage();
    expect(second.data.map((d) => d.title)).toEqual(['doc 2', 'doc 3']);
    const sizes: number[] = [];
    for await (const page of client.documents.list({ limit: 2 }).byPage()) sizes.push(page.data.length);
    expect(sizes).toEqual([2, 2, 1]);
    const last = await second.getNextPage();
    expect(last.hasNextPage()).toBe(false);
    await expect(last.getNextPage()).rejects.toThrow(CodexError);
  });

  it('sends 250 batch operations in 3 requests and answers in input order', async () => {
    const server = await devServer();
    const client = clientFor(server);
    const progress: Array<[number, number]> = [];
    const operations = Array.from({ length: 250 }, (_, i) => create(i));
    const results = await client.documents.batch(operations, {
      onProgress: (done, total) => progress.push([done, total]),
    });
    expect(results).toHaveLength(250);
    expect(results.map((r) => r.index)).toEqual(Array.from({ length: 250 }, (_, i) => i));
    expect(results.every((r) => r.status === 201)).toBe(true);
    expect(results.map((r) => r.document?.title)).toEqual(operations.map((o) => o.document.title));
    const batches = server.admin.requests().filter((r) => r.operationId === 'batchDocuments');
    expect(batches).toHaveLength(3);
    expect(new Set(batches.map((b) => b.idempotencyKey)).size).toBe(3);
    // Chunks of 100, 100 and 50 finish in any order; progress only grows and ends at the total.
    expect(progress).toHaveLength(3);
    expect(progress.map(([done]) => done)).toEqual([...progress.map(([done]) => done)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual([250, 250]);
    expect(tokenRequests(server)).toBe(1);
  });

  it('a failed operation does not throw; it fails alone with its status and error', async () => {
    const server = await devServer();
    const client = clientFor(server);
    const results = await client.documents.batch([
      create(0),
      { op: 'delete', id: 'doc_missing' },
      { op: 'create', document: { title: '', content: 'c' } },
    ]);
    expect(results.map((r) => r.status)).toEqual([201, 404, 400]);
    expect(results[1]?.error?.code).toBe('not_found');
    expect(results[2]?.error?.param).toBe('operations[2].document.title');
  });

  it('a chunk that fails as a whole gives each of its operations the error, and the other chunks still apply', async () => {
    const server = await devServer();
    const client = clientFor(server, undefined, { maxRetries: 0 });
    server.admin.fault({ operationId: 'batchDocuments', type: 'status', status: 500 });
    const results = await client.documents.batch(
      Array.from({ length: 150 }, (_, i) => create(i)),
      { concurrency: 1 },
    );
    expect(results.slice(0, 100).every((r) => r.status === 500 && r.error?.code === 'internal_error')).toBe(true);
    expect(results.slice(100).every((r) => r.status === 201)).toBe(true);
  });
});
