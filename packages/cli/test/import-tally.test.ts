import { describe, expect, it } from 'vitest';
import { type Chunk, describeOutcome, type Tally, tallyChunk } from '../src/import-tally';

// What an import makes of one chunk's answer, without a server: the decisions import.ts applies.

const tally = (): Tally => ({ lines: 0, imported: 0, replayed: 0, failures: [], changed: [], unconfirmed: [] });
const chunk = (count: number): Chunk => ({
  index: 1,
  first: 101,
  last: 100 + count,
  operations: Array.from({ length: count }, () => ({})),
  lines: Array.from({ length: count }, (_, i) => ({ line: 101 + i, text: `{"n":${i}}` })),
  refused: [],
});
const whole = (count: number, status: number, code: string, message: string) =>
  Array.from({ length: count }, (_, index) => ({ index, status, error: { code, message, request_id: 'req_1' } }));

describe('describeOutcome', () => {
  it('says the status and code once, whether or not the message starts with them', () => {
    const reused = { code: 'idempotency_key_reused', message: '422 idempotency_key_reused: Used. (request req_1)' };
    expect(describeOutcome(422, reused)).toBe('422 idempotency_key_reused: Used. (request req_1)');
    expect(describeOutcome(400, { code: 'invalid_request', message: 'Bad.', param: 'title' })).toBe(
      '400 invalid_request (title): Bad.',
    );
    expect(describeOutcome(0, { code: 'connection_error', message: 'socket hang up' })).toBe(
      'connection_error: socket hang up',
    );
  });
});

describe('tallyChunk', () => {
  it('a chunk refused as changed: a range, not failures to import again', () => {
    const t = tally();
    tallyChunk(t, chunk(3), whole(3, 422, 'idempotency_key_reused', 'Used.'), true, false);
    expect(t.changed).toEqual([{ first: 101, last: 103, count: 3, reason: '422 idempotency_key_reused: Used.' }]);
    expect(t.failures).toEqual([]);
  });

  it('a chunk without an answer, or a 5xx: not confirmed', () => {
    const t = tally();
    tallyChunk(t, chunk(2), whole(2, 0, 'connection_error', 'socket hang up'), true, false);
    tallyChunk(t, chunk(2), whole(2, 503, 'unavailable', 'Down.'), true, false);
    expect(t.unconfirmed.map((r) => r.count)).toEqual([2, 2]);
    expect(t.failures).toEqual([]);
    expect(t.fatal).toBeUndefined();
  });

  it('401, 403 and nothing listening are fatal: every chunk would get them', () => {
    for (const [status, code, message] of [
      [401, 'invalid_client', 'Wrong secret.'],
      [403, 'insufficient_scope', 'Read-only.'],
      [0, 'connection_error', 'connect ECONNREFUSED 127.0.0.1:9'],
    ] as const) {
      const t = tally();
      tallyChunk(t, chunk(1), whole(1, status, code, message), true, false);
      expect(t.fatal?.message).toBe(describeOutcome(status, { code, message }));
      expect(t.fatal).toMatchObject({ code, requestId: 'req_1' });
    }
  });

  it('per operation: imported, replayed, or failed with its line', () => {
    const t = tally();
    const outcomes = [
      { index: 0, status: 201 },
      { index: 1, status: 400, error: { code: 'invalid_request', message: 'No.' } },
    ];
    tallyChunk(t, chunk(2), outcomes, false, true);
    expect(t).toMatchObject({ lines: 2, imported: 1, replayed: 1 });
    expect(t.failures).toEqual([{ line: 102, text: '{"n":1}', reason: '400 invalid_request: No.' }]);
  });
});
