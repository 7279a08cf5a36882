import { Client } from '@codex/node';
import { describe, expect, it } from 'vitest';
import { API_KEY, devServer, fleet, summary } from './fleet';
import { startRedis } from './redis-server';

// Issue 20, fleet-wide: a single write that would wait for the fleet's shared quota (Redis) is
// folded into a batch request, not only one that would wait for its own process's pacing.

describe('auto-batching across a fleet sharing one quota through Redis', () => {
  it('three processes, 300 single creates each at once, 20 requests per 2 s: folded into batches, 0 failed, 0 × 429, every document once', async () => {
    const redis = await startRedis();
    const server = await devServer({ rateLimit: { limit: 20, windowSeconds: 2 } });
    const results = await fleet(server, { url: redis.url }, 3, 0, { CREATES: '300' });
    const run = summary(server, results);
    const why = JSON.stringify(run);
    expect(run.failed, why).toEqual([0, 0, 0]);
    const requests = server.admin.requests();
    const writes = requests.filter((r) => r.operationId !== 'issueToken');
    expect(
      writes.filter((r) => r.status === 429),
      why,
    ).toEqual([]);
    // 900 creates as singles would be 900 requests (45 windows); as batches of up to 100, a dozen.
    expect(writes.filter((r) => r.operationId === 'batchDocuments').length, why).toBeGreaterThan(0);
    expect(writes.length, why).toBeLessThanOrEqual(40);
    // Every document once: listed afterwards (the key's quota is free again by then).
    const titles: string[] = [];
    const reader = new Client({ apiKey: API_KEY, baseUrl: server.url, env: {} });
    for await (const doc of reader.documents.list({ limit: 100 })) titles.push(doc.title);
    expect(titles).toHaveLength(900);
    expect(new Set(titles).size).toBe(900);
  }, 60_000);
});
