import { describe, expect, it } from 'vitest';
import { Client, isAPIConnectionError, isCodexError } from '../src/index';
import { clientFor, devServer } from './helpers';
import { json, type RawRequest, rawServer, tokenAnswer } from './raw-server';

// Issue 9, items 16 and 17, over real HTTP: chunk Idempotency-Keys against @codex/dev-server, and
// malformed batch results from a raw server on 127.0.0.1 that answers with crafted JSON (raw-server.ts).

const create = (i: number, tag = '') => ({
  op: 'create' as const,
  document: { title: `doc ${tag}${i}`, content: `content ${i}` },
});
const creates = (n: number, tag = '') => Array.from({ length: n }, (_, i) => create(i, tag));

describe('documents.batch: Idempotency-Keys of chunks (item 16)', () => {
  for (const length of [254, 255]) {
    it(`a valid ${length}-character key works for a batch of several chunks, and replays`, async () => {
      const server = await devServer();
      const client = clientFor(server);
      const idempotencyKey = `import-${'x'.repeat(length - 9)}-1`;
      expect(idempotencyKey).toHaveLength(length);
      const operations = creates(250);

      const first = await client.documents.batch(operations, { idempotencyKey });
      expect(first.map((r) => r.status)).toEqual(operations.map(() => 201));
      const sent = server.admin.requests().filter((r) => r.operationId === 'batchDocuments');
      expect(sent.map((r) => r.status)).toEqual([200, 200, 200]);
      const keys = sent.map((r) => r.idempotencyKey ?? '');
      expect(new Set(keys).size).toBe(3);
      for (const key of keys) expect(key).toMatch(/^[\x20-\x7e]{1,255}$/);

      // Sending the same batch again with the same key replays every chunk: nothing is created twice.
      server.admin.clearRequests();
      const again = await client.documents.batch(operations, { idempotencyKey });
      expect(again.map((r) => r.document?.id)).toEqual(first.map((r) => r.document?.id));
      const replays = server.admin.requests().filter((r) => r.operationId === 'batchDocuments');
      expect(replays.every((r) => r.replayed)).toBe(true);
      expect(replays.map((r) => r.idempotencyKey).sort()).toEqual([...keys].sort());
    });
  }

  it('a batch that fits in one request sends the caller’s key unchanged', async () => {
    const server = await devServer();
    const client = clientFor(server);
    const idempotencyKey = 'k'.repeat(255);
    const results = await client.documents.batch(creates(100), { idempotencyKey });
    expect(results.every((r) => r.status === 201)).toBe(true);
    const sent = server.admin.requests().filter((r) => r.operationId === 'batchDocuments');
    expect(sent.map((r) => r.idempotencyKey)).toEqual([idempotencyKey]);
  });

  it('a key that is not a valid Idempotency-Key rejects with a CodexError before anything is sent', async () => {
    const server = await devServer();
    const client = clientFor(server);
    for (const idempotencyKey of ['', 'k'.repeat(256), 'a\nb', 42]) {
      const error = await client.documents.batch(creates(150), { idempotencyKey } as never).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isCodexError(error) && !isAPIConnectionError(error), String(idempotencyKey)).toBe(true);
    }
    expect(server.admin.requests().filter((r) => r.operationId === 'batchDocuments')).toEqual([]);
  });

  it('two long keys with a common prefix do not collide (no 422 idempotency_key_reused)', async () => {
    const server = await devServer();
    const client = clientFor(server);
    const prefix = 'tenant-7/nightly-import/'.padEnd(251, '-');
    const a = await client.documents.batch(creates(150, 'a'), { idempotencyKey: `${prefix}0001` });
    const b = await client.documents.batch(creates(150, 'b'), { idempotencyKey: `${prefix}0002` });
    expect([...a, ...b].every((r) => r.status === 201)).toBe(true);
  });
});

/** A raw server on 127.0.0.1 whose batch endpoint answers `answer(operations)`, as raw JSON text. */
async function craftedServer(answer: (operations: unknown[]) => string) {
  return rawServer((req, res) => {
    if (req.method === 'POST' && req.url === '/v1/auth/token') return tokenAnswer(res);
    if (req.method !== 'POST' || req.url !== '/v1/documents/batch') return json(res, 404, {});
    const { operations } = JSON.parse(req.body) as { operations: unknown[] };
    res.writeHead(200, { 'content-type': 'application/json', 'x-request-id': 'req_raw' }).end(answer(operations));
  });
}
const batches = (server: { requests: RawRequest[] }) =>
  server.requests.filter((r) => r.url === '/v1/documents/batch').length;
const clientOf = (url: string) => new Client({ apiKey: 'cdx_id_crafted:cdx_sk_crafted', baseUrl: url, maxRetries: 0 });
const doc = (i: number) => ({
  id: `doc_${i}`,
  title: `doc ${i}`,
  content: '',
  metadata: {},
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

describe('documents.batch: results that do not match the operations (item 17)', () => {
  it('ignores indexes outside the chunk, non-integer and duplicate ones: one outcome per operation', async () => {
    const server = await craftedServer(() =>
      JSON.stringify({
        results: [
          { index: 0, status: 201, document: doc(0) },
          { index: 0, status: 201, document: doc(99) },
          { index: 2, status: 201, document: doc(2) },
          { index: 7, status: 201, document: doc(7) },
          { index: -1, status: 201, document: doc(-1) },
          { index: 1.5, status: 201, document: doc(1) },
        ],
      }),
    );
    const outcomes = await clientOf(server.url).documents.batch(creates(3));
    expect(outcomes).toHaveLength(3);
    expect(Object.keys(outcomes)).toEqual(['0', '1', '2']);
    expect(outcomes.map((o) => o.index)).toEqual([0, 1, 2]);
    expect(outcomes[0]).toMatchObject({ status: 201, document: { id: 'doc_0' } });
    expect(outcomes[1]).toMatchObject({ status: 0, error: { code: 'missing_result' } });
    expect(outcomes[2]).toMatchObject({ status: 201, document: { id: 'doc_2' } });
  });

  it('an index past a chunk does not overwrite an operation of the next chunk', async () => {
    // Each chunk answers for one operation more than it holds: the first chunk's extra result
    // (index 100) must not become the outcome of operation 100, which the second chunk owns.
    const server = await craftedServer((operations) =>
      JSON.stringify({
        results: Array.from({ length: operations.length + 1 }, (_, index) => ({
          index,
          status: operations.length === 100 ? 201 : 400,
          ...(operations.length !== 100 && { error: { code: 'invalid_request', message: 'Bad.' } }),
        })),
      }),
    );
    const outcomes = await clientOf(server.url).documents.batch(creates(150), { concurrency: 1 });
    expect(batches(server)).toBe(2);
    expect(outcomes).toHaveLength(150);
    expect(outcomes.map((o) => o.index)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(outcomes.slice(100).map((o) => o.status)).toEqual(Array.from({ length: 50 }, () => 400));
  });

  for (const [name, body] of [
    ['a string', '{"results":"abc"}'],
    ['a number', '{"results":5}'],
    ['an object', '{"results":{"0":{"index":0,"status":201}}}'],
    ['null', '{"results":null}'],
  ] as const) {
    it(`a 200 whose results is ${name} gives each operation a typed failure, not a TypeError`, async () => {
      const server = await craftedServer(() => body);
      const outcomes = await clientOf(server.url).documents.batch(creates(2));
      expect(outcomes).toHaveLength(2);
      expect(Object.keys(outcomes)).toEqual(['0', '1']);
      for (const [index, outcome] of outcomes.entries()) {
        expect(outcome.index).toBe(index);
        expect(outcome.status).toBe(0);
        // The chunk was answered: not a connection error. missing_result when the SDK reads the
        // body, invalid_response when the transport refuses it as not matching the spec.
        expect(['missing_result', 'invalid_response']).toContain(outcome.error?.code);
        expect(outcome.error?.message).not.toMatch(/is not iterable|Cannot read prop|TypeError/);
      }
    });
  }
});

describe('documents.batch: a chunk that fails as a whole (item 10)', () => {
  it('gives its outcomes the Idempotency-Key it sent, and sending again with it applies nothing twice', async () => {
    const server = await devServer();
    const client = clientFor(server, undefined, { maxRetries: 0 });
    server.admin.fault({ operationId: 'batchDocuments', type: 'lose-response' });
    const operations = creates(3, 'lost-');
    const outcomes = await client.documents.batch(operations);
    const key = outcomes[0]?.idempotencyKey;
    expect(outcomes.map((o) => o.error?.code)).toEqual(['connection_error', 'connection_error', 'connection_error']);
    expect(outcomes.every((o) => o.idempotencyKey === key)).toBe(true);
    const sent = server.admin.requests().filter((r) => r.operationId === 'batchDocuments');
    expect(sent[0]?.idempotencyKey).toBe(key);

    const again = await client.documents.batch(operations, { idempotencyKey: key as string });
    expect(again.map((o) => o.status)).toEqual([201, 201, 201]);
    expect(again.every((o) => o.idempotencyKey === undefined)).toBe(true);
    const titles = (await client.documents.list({ limit: 100 })).data.map((d) => d.title);
    expect(titles.filter((t) => t.startsWith('doc lost-'))).toHaveLength(3);
  });
});
