import { describe, expect, it } from 'vitest';
import {
  APIConnectionTimeoutError,
  APIUserAbortError,
  type ClientHooks,
  InternalServerError,
  isAPIConnectionTimeoutError,
  isAPIUserAbortError,
  isRateLimitError,
  NotFoundError,
  RateLimitError,
} from '../src/index';
import { clientFor, devServer, RW, virtualClock } from './helpers';

function recordRetries() {
  const retries: Array<{ attempt: number; reason: string; delay: number }> = [];
  const hooks: ClientHooks = { onRetry: ({ attempt, reason, delay }) => retries.push({ attempt, reason, delay }) };
  return { retries, hooks };
}

describe('retries over real HTTP', () => {
  it('waits out a 429 with Retry-After in delta-seconds, then succeeds (on a virtual clock)', async () => {
    const server = await devServer();
    const { retries, hooks } = recordRetries();
    const clock = virtualClock();
    const client = clientFor(server, RW, { hooks, clock });
    server.admin.fault({
      operationId: 'listDocuments',
      type: 'status',
      status: 429,
      retryAfter: 1,
      retryAfterFormat: 'seconds',
    });
    await client.documents.list();
    expect(retries).toEqual([{ attempt: 1, reason: 'status 429', delay: 1000 }]);
    expect(clock.waits).toEqual([1000]);
  });

  it('waits out a 429 with Retry-After as an HTTP-date, then succeeds (on a virtual clock)', async () => {
    const server = await devServer();
    const { retries, hooks } = recordRetries();
    const clock = virtualClock();
    const client = clientFor(server, RW, { hooks, clock });
    server.admin.fault({
      operationId: 'listDocuments',
      type: 'status',
      status: 429,
      retryAfter: 2,
      retryAfterFormat: 'http-date',
    });
    await client.documents.list();
    // An HTTP-date has whole seconds: the wait is between 1 and 2 s.
    expect(clock.waits).toHaveLength(1);
    expect(retries).toHaveLength(1);
    expect(retries[0]?.delay).toBeGreaterThan(900);
    expect(retries[0]?.delay).toBeLessThanOrEqual(2000);
  });

  it('does not sleep a Retry-After longer than maxRetryDelay: RateLimitError with retryAfter', async () => {
    const server = await devServer();
    const client = clientFor(server, RW, { maxRetryDelay: 5_000 });
    server.admin.fault({ operationId: 'listDocuments', type: 'status', status: 429, retryAfter: 30 });
    const started = Date.now();
    const error = await client.documents.list().catch((e: unknown) => e);
    // Not waited: far less than the 30 s asked for (generous bound: CI machines are loaded).
    expect(Date.now() - started).toBeLessThan(10_000);
    expect(error).toBeInstanceOf(RateLimitError);
    expect(isRateLimitError(error)).toBe(true);
    expect((error as RateLimitError).retryAfter).toBe(30_000);
    expect((error as Error).message).toContain('Not retried');
  });

  it('does not sleep a Retry-After past the deadline', async () => {
    const server = await devServer();
    const client = clientFor(server, RW, { deadline: 2_000 });
    server.admin.fault({ operationId: 'listDocuments', type: 'status', status: 429, retryAfter: 3 });
    const error = await client.documents.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(RateLimitError);
  });

  it('retries 503 twice, then succeeds (on a virtual clock)', async () => {
    const server = await devServer();
    const { retries, hooks } = recordRetries();
    const clock = virtualClock();
    const client = clientFor(server, RW, { hooks, clock });
    server.admin.fault({ operationId: 'listDocuments', type: 'status', status: 503, count: 2 });
    await client.documents.list();
    expect(retries.map((r) => [r.attempt, r.reason])).toEqual([
      [1, 'status 503'],
      [2, 'status 503'],
    ]);
    // Full jitter: each wait in [0, 500 * 2^(n-1)).
    expect(retries[0]?.delay).toBeLessThan(500);
    expect(retries[1]?.delay).toBeLessThan(1000);
    expect(clock.waits).toEqual(retries.map((r) => r.delay).filter((d) => d > 0));
    expect(
      server.admin
        .requests()
        .filter((r) => r.operationId === 'listDocuments')
        .map((r) => r.status),
    ).toEqual([503, 503, 200]);
  });

  it('gives up after maxRetries with InternalServerError', async () => {
    const server = await devServer();
    const client = clientFor(server, RW, { maxRetries: 1 });
    server.admin.fault({ operationId: 'listDocuments', type: 'status', status: 500, count: 5 });
    const error = await client.documents.list().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect(server.admin.requests().filter((r) => r.operationId === 'listDocuments')).toHaveLength(2);
  });

  it('never retries other 4xx', async () => {
    const server = await devServer();
    const client = clientFor(server);
    const error = await client.documents.get('doc_missing').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(NotFoundError);
    expect(server.admin.requests().filter((r) => r.operationId === 'getDocument')).toHaveLength(1);
  });

  it('retries a GET whose connection was reset', async () => {
    const server = await devServer();
    const { retries, hooks } = recordRetries();
    const client = clientFor(server, RW, { hooks });
    server.admin.fault({ operationId: 'listDocuments', type: 'reset' });
    await client.documents.list();
    expect(retries.map((r) => r.reason)).toEqual(['connection error']);
  });

  it('creates exactly one document when the response of a committed create is lost; both attempts share the Idempotency-Key', async () => {
    const server = await devServer();
    const client = clientFor(server);
    server.admin.fault({ operationId: 'createDocument', type: 'lose-response' });
    const doc = await client.documents.create({ title: 'once', content: 'c' });
    const creates = server.admin.requests().filter((r) => r.operationId === 'createDocument');
    expect(creates).toHaveLength(2);
    expect(creates[0]?.idempotencyKey).toMatch(/^[0-9a-f-]{36}$/);
    expect(creates[1]?.idempotencyKey).toBe(creates[0]?.idempotencyKey);
    expect(creates[1]?.replayed).toBe(true);
    const all = await client.documents.list();
    expect(all.data.map((d) => d.id)).toEqual([doc.id]);
  });

  it('sends the caller’s own Idempotency-Key', async () => {
    const server = await devServer();
    const client = clientFor(server);
    const a = await client.documents.create({ title: 't', content: 'c' }, { idempotencyKey: 'my-key-1' });
    const b = await client.documents.create({ title: 't', content: 'c' }, { idempotencyKey: 'my-key-1' });
    expect(b.id).toBe(a.id);
    expect(
      server.admin
        .requests()
        .filter((r) => r.operationId === 'createDocument')
        .map((r) => r.idempotencyKey),
    ).toEqual(['my-key-1', 'my-key-1']);
  });

  it('ends a hung request with `timeout`, retrying it, then APIConnectionTimeoutError', async () => {
    const server = await devServer();
    const { retries, hooks } = recordRetries();
    const client = clientFor(server, RW, { timeout: 300, maxRetries: 1, hooks });
    server.admin.fault({ operationId: 'getDocument', type: 'hang', count: 2 });
    const error = await client.documents.get('doc_1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect(isAPIConnectionTimeoutError(error)).toBe(true);
    expect(retries.map((r) => r.reason)).toEqual(['timeout']);
  });

  it('an aborted call rejects with APIUserAbortError and is not retried', async () => {
    const server = await devServer();
    const { retries, hooks } = recordRetries();
    const client = clientFor(server, RW, { hooks });
    await client.documents.list();
    server.admin.fault({ operationId: 'getDocument', type: 'hang' });
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const error = await client.documents.get('doc_1', { signal: controller.signal }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIUserAbortError);
    expect(isAPIUserAbortError(error)).toBe(true);
    expect(error).not.toBeInstanceOf(APIConnectionTimeoutError);
    expect(retries).toEqual([]);
  });

  it('a deadline bounds the whole call, retries included', async () => {
    const server = await devServer();
    const client = clientFor(server, RW, { timeout: 60_000, deadline: 500 });
    await client.documents.list();
    server.admin.fault({ operationId: 'getDocument', type: 'hang' });
    const started = Date.now();
    const error = await client.documents.get('doc_1').catch((e: unknown) => e);
    // The request hangs forever and the attempt timeout is 60 s: only the deadline can end it.
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(error).toBeInstanceOf(APIConnectionTimeoutError);
    expect((error as Error).message).toContain('deadline');
  });
});
