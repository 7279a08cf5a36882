import { describe, expect, it, vi } from 'vitest';
import { chunkIdempotencyKey, runBatch } from './batch';
import { APIResponseValidationError, CodexError, makeAPIError } from './errors';
import { operationTable } from './operations';
import type { RequestOptions } from './types';

// runBatch with a crafted `send`: what the transport hands back (or throws) is chosen per test.
// The same behaviours over real HTTP are in test/batch-hardening.test.ts.
const op = operationTable.batchDocuments;
const ops = (n: number) => Array.from({ length: n }, (_, i) => ({ op: 'delete', id: `doc_${i}` }));
const ok = (body: Record<string, unknown>) => ({
  results: (body.operations as unknown[]).map((_, index) => ({ index, status: 204 })),
});

async function keysFor(count: number, idempotencyKey: unknown): Promise<unknown[]> {
  const keys: unknown[] = [];
  await runBatch(op, ops(count), { idempotencyKey } as never, 4, async (body, options: RequestOptions) => {
    keys.push(options.idempotencyKey);
    return ok(body);
  });
  return keys;
}

describe('runBatch: chunk Idempotency-Keys (issue 9, item 16)', () => {
  it('sends the key unchanged when the batch is one request', async () => {
    expect(await keysFor(100, 'import-42')).toEqual(['import-42']);
    expect(await keysFor(1, 'k'.repeat(255))).toEqual(['k'.repeat(255)]);
  });

  it('sends "<key> <i>" per chunk for a key of at most 200 characters', async () => {
    expect((await keysFor(250, 'import-42')).sort()).toEqual(['import-42 0', 'import-42 1', 'import-42 2']);
    const key = 'k'.repeat(200);
    expect((await keysFor(101, key)).sort()).toEqual([`${key} 0`, `${key} 1`]);
  });

  it('chunkIdempotencyKey(key, i) is exactly the key runBatch sends with chunk i (what a CLI resuming by line sends)', async () => {
    for (const key of ['import-42', 'k'.repeat(200), 'k'.repeat(201), 'x'.repeat(255)]) {
      const sent = (await keysFor(350, key)) as string[];
      const derived = await Promise.all([0, 1, 2, 3].map((i) => chunkIdempotencyKey(key, i)));
      expect(sent.sort()).toEqual(derived.sort());
    }
    expect(await chunkIdempotencyKey('import-1', 0)).toBe('import-1 0');
  });

  it('derives chunk keys that no single call can give as its key (issue 18, item 16)', async () => {
    // `<key>:<i>` was the key of another call too: `import-42:0` given to a single create.
    const { checkRequestOptions } = await import('./checks');
    for (const key of ['import-42', 'import-42:0', 'k'.repeat(201)]) {
      for (const chunkKey of (await keysFor(250, key)) as string[])
        expect(() => checkRequestOptions({ idempotencyKey: chunkKey }), chunkKey).toThrow(CodexError);
    }
  });

  it('keeps every chunk key of a 1–255-character key within 255 characters, distinct and deterministic', async () => {
    for (const length of [1, 199, 200, 201, 250, 253, 254, 255]) {
      for (const count of [101, 1_001, 10_001]) {
        const key = `${'x'.repeat(length - 1)}${length % 10}`;
        const first = (await keysFor(count, key)) as string[];
        const chunks = Math.ceil(count / 100);
        expect(first).toHaveLength(chunks);
        expect(new Set(first).size, `${length} chars, ${chunks} chunks`).toBe(chunks);
        for (const chunkKey of first) expect(chunkKey.length).toBeLessThanOrEqual(255);
        // The caller retrying the whole batch sends the same chunk keys: the API replays them.
        expect(await keysFor(count, key)).toEqual(expect.arrayContaining(first));
      }
    }
  });

  it('never gives two long keys with a common prefix the same chunk key', async () => {
    const prefix = 'tenant-7/import/'.padEnd(252, '-');
    const a = await keysFor(250, `${prefix}001`);
    const b = await keysFor(250, `${prefix}002`);
    expect(a.filter((key) => b.includes(key))).toEqual([]);
  });
});

describe('runBatch: a long key without Web Crypto', () => {
  it('rejects with a CodexError before anything is sent (a browser page over http)', async () => {
    vi.stubGlobal('crypto', {});
    try {
      let calls = 0;
      const batch = runBatch(op, ops(150), { idempotencyKey: 'k'.repeat(201) }, 4, async (body) => {
        calls++;
        return ok(body);
      });
      await expect(batch).rejects.toBeInstanceOf(CodexError);
      await expect(batch).rejects.toThrow('Web Crypto');
      expect(calls).toBe(0);
    } finally {
      vi.unstubAllGlobals();
    }
  });
});

describe('runBatch: results (issue 9, item 17)', () => {
  const run = (count: number, answer: (body: Record<string, unknown>) => unknown) =>
    runBatch(op, ops(count), { concurrency: 1 }, 4, async (body) => answer(body) as Record<string, unknown>);
  const missing = (index: number) => ({
    index,
    status: 0,
    error: { code: 'missing_result', message: 'No result was returned.' },
  });

  it('ignores out-of-range, non-integer, non-number and duplicate indexes: one outcome per operation', async () => {
    const outcomes = await run(3, () => ({
      results: [
        { index: 0, status: 204 },
        { index: 0, status: 404 },
        { index: 3, status: 204 },
        { index: -1, status: 204 },
        { index: 1.5, status: 204 },
        { index: '2', status: 204 },
        { index: Number.NaN, status: 204 },
        null,
        'x',
      ],
    }));
    expect(outcomes).toEqual([{ index: 0, status: 204 }, missing(1), missing(2)]);
    expect(Object.keys(outcomes)).toEqual(['0', '1', '2']);
  });

  it('never lets one chunk answer for an operation of another chunk', async () => {
    const outcomes = await run(150, (body) => {
      const count = (body.operations as unknown[]).length;
      // The first chunk (100 operations) also claims index 100, the second chunk's first operation.
      return {
        results: Array.from({ length: count + 1 }, (_, index) => ({ index, status: count === 100 ? 204 : 404 })),
      };
    });
    expect(outcomes).toHaveLength(150);
    expect(outcomes.map((o) => o.index)).toEqual(Array.from({ length: 150 }, (_, i) => i));
    expect(outcomes.slice(0, 100).every((o) => o.status === 204)).toBe(true);
    expect(outcomes.slice(100).every((o) => o.status === 404)).toBe(true);
  });

  it('gives every operation missing_result when `results` is not an array (or the body is not an object)', async () => {
    for (const body of [
      { results: 'abc' },
      { results: 5 },
      { results: { 0: { index: 0, status: 204 } } },
      {},
      null,
      'x',
    ]) {
      const outcomes = await run(2, () => body);
      expect(outcomes, JSON.stringify(body)).toEqual([missing(0), missing(1)]);
      expect(Object.keys(outcomes)).toEqual(['0', '1']);
    }
  });
});

describe('runBatch: failures', () => {
  it('a failed chunk gives its operations the API error; the other chunks still apply', async () => {
    let calls = 0;
    const outcomes = await runBatch(op, ops(150), { concurrency: 1 }, 4, async (body) => {
      if (calls++ === 0)
        throw makeAPIError(503, { code: 'unavailable', message: 'Down.', request_id: 'req_1' }, new Headers());
      return ok(body);
    });
    expect(outcomes[0]).toEqual({
      index: 0,
      status: 503,
      error: { code: 'unavailable', message: '503 unavailable: Down. (request req_1)', request_id: 'req_1' },
    });
    expect(outcomes.slice(100).every((o) => o.status === 204)).toBe(true);
  });

  it('a mistake in the call (a plain CodexError) rejects the batch and sends no further chunk', async () => {
    let calls = 0;
    const batch = runBatch(op, ops(350), { concurrency: 1 }, 4, async () => {
      calls++;
      throw new CodexError('timeout must be a number >= 0, got string.');
    });
    await expect(batch).rejects.toThrow('timeout must be a number');
    expect(calls).toBe(1);
  });

  it('an answer the transport could not read is invalid_response, not connection_error', async () => {
    const outcomes = await runBatch(op, ops(1), {}, 4, async () => {
      throw new APIResponseValidationError('batchDocuments', 200, new Headers(), 'the body is not JSON', '<html>');
    });
    expect(outcomes[0]).toMatchObject({ index: 0, status: 0, error: { code: 'invalid_response' } });
  });
});
