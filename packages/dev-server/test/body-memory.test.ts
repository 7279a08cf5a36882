import { describe, expect, it } from 'vitest';
import { streamedBody } from './body-requests';
import { call, start, tokenFor } from './helpers';

// Its own file, so its own worker process: the server runs in this process, and its RSS is what
// is measured. The client sends from one reused buffer and holds next to nothing.

const MiB = 1024 * 1024;

/** Peak growth of this process's RSS while `work` runs, sampled every 5 ms. */
async function peakRssGrowth<T>(work: () => Promise<T>): Promise<{ result: T; growth: number }> {
  const base = process.memoryUsage.rss();
  let peak = base;
  const sample = () => {
    peak = Math.max(peak, process.memoryUsage.rss());
  };
  const timer = setInterval(sample, 5);
  try {
    const result = await work();
    sample();
    return { result, growth: peak - base };
  } finally {
    clearInterval(timer);
  }
}

describe('request bodies: memory (issue 18, item 18)', () => {
  it('three concurrent 120 MiB single-document bodies are refused at the limit and grow RSS by < 100 MB', async () => {
    const server = await start();
    const token = await tokenFor(server);
    // Warm up: the first request's allocations (Ajv, Hono routes) are not the bodies'.
    expect((await call(server, 'POST', '/documents', { token, body: { title: 't', content: 'c' } })).status).toBe(201);

    const { result: answers, growth } = await peakRssGrowth(() =>
      Promise.all(
        [1, 2, 3].map(() => streamedBody(server, '/documents', { Authorization: `Bearer ${token}` }, 120 * MiB)),
      ),
    );
    expect(growth, `RSS grew by ${Math.round(growth / MiB)} MiB`).toBeLessThan(100 * MiB);
    for (const answer of answers) {
      expect(answer.status).toBe(413);
      expect(answer.body.error.code).toBe('payload_too_large');
      // Answered long before the client could send it all: the server did not read it whole.
      expect(answer.sentBeforeAnswer).toBeLessThan(48 * MiB);
    }
  });
});
