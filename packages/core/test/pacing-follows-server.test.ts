import { describe, expect, it } from 'vitest';
import { Client, type Clock } from '../src/index';
import { clientFor, devServer, tokenRequests } from './helpers';
import { rawServer, tokenAnswer } from './raw-server';

// Issue 10, items 1 and 2, over real HTTP.

/** The system clock, counting the waits the SDK asks of it. */
function countingClock(): Clock & { waits: number[] } {
  const waits: number[] = [];
  return {
    waits,
    now: () => Date.now(),
    sleep: (ms, signal) =>
      new Promise((resolve, reject) => {
        waits.push(ms);
        const timer = setTimeout(resolve, ms);
        signal?.addEventListener('abort', () => {
          clearTimeout(timer);
          reject(signal.reason);
        });
      }),
  };
}

describe('pacing follows the server', () => {
  it('a key the server allows 100,000 a minute is not held to the assumed 1,000 a minute', async () => {
    const server = await devServer({ rateLimit: { limit: 100_000, windowSeconds: 60 } });
    const clock = countingClock();
    const client = clientFor(server, undefined, { clock });
    for (let i = 0; i < 1_200; i++) await client.documents.list({ limit: 1 });
    expect(clock.waits).toEqual([]);
    expect(server.admin.requests().filter((r) => r.status === 429)).toEqual([]);
  }, 60_000);

  it('pacing: false never waits, even when the assumption would', async () => {
    const server = await devServer({ rateLimit: { limit: 100_000, windowSeconds: 60 } });
    const clock = countingClock();
    const client = clientFor(server, undefined, { clock, pacing: false });
    await Promise.all(Array.from({ length: 50 }, () => client.documents.list({ limit: 1 })));
    expect(clock.waits).toEqual([]);
  });
});

describe('attempts that time out', () => {
  it('stop counting as in flight, so they do not hold pacing back in later windows', async () => {
    const server = await devServer({ rateLimit: { limit: 6, windowSeconds: 2 } });
    const clock = countingClock();
    let hang = 4;
    // The first 4 list requests never get an answer (the server never sees them); then fetch works.
    const fetch: typeof globalThis.fetch = (input, init) =>
      String(input).includes('/documents') && hang-- > 0
        ? new Promise((_, reject) => init?.signal?.addEventListener('abort', () => reject(init.signal?.reason)))
        : globalThis.fetch(input, init);
    const client = clientFor(server, undefined, { clock, fetch, maxRetries: 0 });
    await client.getAccessToken();
    for (let i = 0; i < 4; i++)
      await expect(client.documents.list(undefined, { timeout: 50 })).rejects.toMatchObject({
        name: 'APIConnectionTimeoutError',
      });
    // The client counted 6 of 6 in this window (it cannot know the 4 never arrived): it waits for the next.
    await client.documents.list();
    await client.documents.list();
    const waited = clock.waits.length;
    expect(waited).toBeGreaterThan(0);
    // A new window: the server says 5, then 4 left. With the 4 timed-out attempts still counted
    // as in flight, the client took them off what the server said and waited again after 2 calls.
    await client.documents.list();
    await client.documents.list();
    expect(clock.waits.slice(waited)).toEqual([]);
    expect(server.admin.requests().filter((r) => r.status === 429)).toEqual([]);
  });
});

describe('requests in flight are capped per key', () => {
  /** A raw server that answers lists after `delay` ms and records the most requests open at once. */
  async function countingServer(delay: number) {
    let open = 0;
    const seen = { most: 0 };
    const raw = await rawServer((req, res) => {
      if (req.url.endsWith('/auth/token')) return tokenAnswer(res);
      open++;
      seen.most = Math.max(seen.most, open);
      setTimeout(() => {
        open--;
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"data":[],"next_cursor":null}');
      }, delay);
    });
    return { url: raw.url, seen };
  }

  it('400 concurrent calls never have more than maxInFlight requests open at once', async () => {
    const { url, seen } = await countingServer(5);
    const client = new Client({ apiKey: 'cdx_id_a:cdx_sk_b', baseUrl: url, maxInFlight: 8, pacing: false });
    await Promise.all(Array.from({ length: 400 }, () => client.documents.list()));
    expect(seen.most).toBeLessThanOrEqual(8);
    expect(seen.most).toBeGreaterThanOrEqual(4);
  });

  it('the default cap is 64', async () => {
    // Answers after 100 ms, so that even a loaded machine fills every slot before the first ends.
    const { url, seen } = await countingServer(100);
    const client = new Client({ apiKey: 'cdx_id_a:cdx_sk_b', baseUrl: url, pacing: false });
    await Promise.all(Array.from({ length: 300 }, () => client.documents.list()));
    expect(seen.most).toBeLessThanOrEqual(64);
    expect(seen.most).toBeGreaterThan(48);
  });

  it('calls queued across a token’s expiry leave with a fresh token', async () => {
    const server = await devServer({ tokenLifetimeSeconds: 2, rateLimit: { limit: 100_000, windowSeconds: 60 } });
    const client = clientFor(server, undefined, { maxInFlight: 16 });
    await client.documents.list({ limit: 1 });
    // Queue 2,000 calls 1.7 s into a 2-s token: most leave after it expired.
    await new Promise((r) => setTimeout(r, 1_700));
    await Promise.all(Array.from({ length: 2_000 }, () => client.documents.list({ limit: 1 })));
    const statuses = server.admin.requests().map((r) => r.status);
    // Only requests already in flight when a token expired can meet a 401 (and are replayed): at
    // most maxInFlight per expiry, not the 2,000 queued. On a loaded machine the 2,000 calls can
    // outlast a 2-s token, and meet a second expiry.
    const expiries = tokenRequests(server) - 1;
    expect(expiries).toBeGreaterThanOrEqual(1);
    expect(statuses.filter((s) => s === 401).length).toBeLessThanOrEqual(16 * expiries);
  }, 60_000);
});
