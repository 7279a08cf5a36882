import { describe, expect, it } from 'vitest';
import { clientFor, devServer } from './helpers';

describe('client-side pacing over real HTTP', () => {
  it('60 calls under a 20-per-2-s limit all succeed, without a single 429', async () => {
    const server = await devServer({ rateLimit: { limit: 20, windowSeconds: 2 } });
    const client = clientFor(server, undefined, { pacing: { limit: 20, windowMs: 2_000 } });
    const started = Date.now();
    const pages = await Promise.all(Array.from({ length: 60 }, () => client.documents.list({ limit: 1 })));
    expect(pages).toHaveLength(60);
    const statuses = server.admin.requests().map((r) => r.status);
    expect(statuses.filter((s) => s === 429)).toEqual([]);
    expect(statuses).toHaveLength(61);
    // 61 requests (the token one counts) at 20 per 2 s cannot finish in under 4 s.
    expect(Date.now() - started).toBeGreaterThanOrEqual(4_000);
  }, 20_000);

  it('learns the server limit from X-RateLimit-* even when configured higher', async () => {
    const server = await devServer({ rateLimit: { limit: 10, windowSeconds: 1 } });
    const client = clientFor(server); // default pacing: 1000 a minute
    const results = await Promise.all(
      Array.from({ length: 30 }, () =>
        client.documents.list({ limit: 1 }).then(
          () => 'ok',
          (e: unknown) => e,
        ),
      ),
    );
    expect(results.every((r) => r === 'ok')).toBe(true);
    // It may bounce off the limit while it learns it (the first burst), but retries make every call succeed.
    const statuses = server.admin.requests().map((r) => r.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(31);
  }, 20_000);
});
